//! `cargo xtask bindings`: builds the shipped library (`release-smaller`), generates the
//! Kotlin, Swift and Python bindings from it with the in-repo `uniffi-bindgen` (library
//! mode: the metadata is read from the library's symbols, which `strip = "debuginfo"`
//! keeps; names and platform types from `bindings/uniffi.toml`), adjusts and checks
//! them ([`polish`]), and writes a fully stripped copy, the one that ships, whose size
//! it prints.
//!
//! `--testing` builds the test variant instead: a debug build with the `testing`
//! feature (exports only test suites need), which the suites load. The shipped
//! variant is checked to export none of them.
//!
//! Output, under `build/` (git-ignored), and `build/testing/` for the test variant:
//!
//! - `lib/libcvconnect_ffi.so` (`.dylib` on macOS), stripped when shipped;
//! - `bindings/kotlin/fr/ancv/cvconnect/cvconnect.kt`;
//! - `bindings/swift/{CVConnect.swift, CVConnectFFI.h, CVConnectFFI.modulemap}`;
//! - `bindings/python/cvconnect.py`, with a copy of the library beside it (the module
//!   loads it from its own folder).

mod polish;

use std::fs;
use std::path::{Path, PathBuf};

use crate::cmd::{cargo, run, workspace_root, Result};

pub const PROFILE: &str = "release-smaller";
pub const LANGUAGES: [&str; 3] = ["kotlin", "swift", "python"];

/// Exports of the `testing` feature, as they appear in the generated Kotlin: present
/// in the test variant, absent from the shipped one.
const TEST_ONLY: [&str; 6] = [
    "fun cvconnectSelftestPanic(",
    "fun canonicalConfirmationBytes(",
    "fun verifyDeviceSignature(",
    "fun softwareDeviceSigner(",
    "constructor(pinLength: kotlin.Int)",
    "fun lapsed(pinLength: kotlin.Int)",
];

/// Which library: the one that ships, or the one test suites load.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Variant {
    Shipped,
    Testing,
}

impl Variant {
    /// `build/` or `build/testing/`.
    pub fn dir(self) -> PathBuf {
        match self {
            Variant::Shipped => build_dir(),
            Variant::Testing => build_dir().join("testing"),
        }
    }

    /// The library the suites or the packages take.
    pub fn library(self) -> PathBuf {
        self.dir().join("lib").join(library_file())
    }

    /// The generated sources of one language.
    pub fn bindings(self, language: &str) -> PathBuf {
        self.dir().join("bindings").join(language)
    }
}

/// File name of the cdylib on this host.
pub fn library_file() -> &'static str {
    if cfg!(target_os = "macos") {
        "libcvconnect_ffi.dylib"
    } else {
        "libcvconnect_ffi.so"
    }
}

/// Where `cargo xtask bindings` writes.
pub fn build_dir() -> PathBuf {
    workspace_root().join("build")
}

/// `cargo xtask bindings [--testing]`.
pub fn run_bindings(args: &[String]) -> Result {
    match args {
        [] => generate(Variant::Shipped),
        [flag] if flag == "--testing" => generate(Variant::Testing),
        _ => Err(format!(
            "usage: cargo xtask bindings [--testing] (got {args:?})"
        )),
    }
}

/// `cargo xtask polish <kotlin|swift|python> <dir>`: the adjustments and checks of
/// [`generate`] on bindings generated elsewhere (the Android and iOS scripts), taken as
/// bindings of the shipped library.
pub fn run_polish(args: &[String]) -> Result {
    match args {
        [language, dir] if LANGUAGES.contains(&language.as_str()) => {
            polish_and_check(Variant::Shipped, language, Path::new(dir))
        }
        _ => Err(format!(
            "usage: cargo xtask polish <kotlin|swift|python> <dir> (got {args:?})"
        )),
    }
}

/// Builds the library of `variant` and generates, adjusts and checks its bindings.
pub fn generate(variant: Variant) -> Result {
    let root = workspace_root();
    let target = target_dir(&root);
    let built = match variant {
        Variant::Shipped => {
            build_library()?;
            target.join(PROFILE).join(library_file())
        }
        Variant::Testing => {
            cargo(&[
                "build",
                "--package",
                "cvconnect-ffi",
                "--lib",
                "--features",
                "testing",
            ])?;
            target.join("debug").join(library_file())
        }
    };
    cargo(&[
        "build",
        "--package",
        "cvconnect-ffi",
        "--features",
        "cli",
        "--bin",
        "uniffi-bindgen",
    ])?;
    let bindgen = target.join("debug").join("uniffi-bindgen");
    for language in LANGUAGES {
        let dir = variant.bindings(language);
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| format!("cannot clean {}: {e}", dir.display()))?;
        }
        run(
            path_str(&bindgen)?,
            &[
                "generate",
                "--library",
                path_str(&built)?,
                "--language",
                language,
                "--out-dir",
                path_str(&dir)?,
                "--no-format",
            ],
        )?;
        polish_and_check(variant, language, &dir)?;
    }
    install_library(variant, &built)
}

/// The one generated source file of `language` under `dir`.
pub fn generated_file(language: &str, dir: &Path) -> PathBuf {
    match language {
        "kotlin" => dir.join("fr/ancv/cvconnect/cvconnect.kt"),
        "swift" => dir.join("CVConnect.swift"),
        _ => dir.join("cvconnect.py"),
    }
}

fn polish_and_check(variant: Variant, language: &str, dir: &Path) -> Result {
    let file = generated_file(language, dir);
    let source =
        fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let source = match language {
        "kotlin" => polish::kotlin(&source)?,
        "swift" => polish::swift(&source)?,
        _ => polish::python(&source)?,
    };
    if language != "python" {
        polish::check_names(language, &source)?;
    }
    polish::check_docs(language, &source, &crate_docs()?)?;
    if language == "kotlin" {
        check_test_exports(variant, &source)?;
    }
    fs::write(&file, source).map_err(|e| format!("cannot write {}: {e}", file.display()))
}

/// Every `///` line of the bindings crate: where the generated API docs come from.
fn crate_docs() -> Result<String> {
    let src = workspace_root().join("bindings/src");
    let mut docs = String::new();
    let entries = fs::read_dir(&src).map_err(|e| format!("cannot list {}: {e}", src.display()))?;
    for entry in entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
    {
        let text = fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines().filter_map(|l| l.trim().strip_prefix("///")) {
            docs.push_str(line.trim());
            docs.push('\n');
        }
    }
    Ok(docs)
}

/// The shipped library exports no test helper; the test variant exports all of them
/// (so that the list stays true).
fn check_test_exports(variant: Variant, kotlin: &str) -> Result {
    let expected = variant == Variant::Testing;
    match TEST_ONLY
        .iter()
        .find(|name| kotlin.contains(*name) != expected)
    {
        None => Ok(()),
        Some(name) if expected => Err(format!("the test library lacks `{name}`")),
        Some(name) => Err(format!(
            "the shipped library exports the test helper `{name}`"
        )),
    }
}

/// Puts the built library where the suites and packages take it (stripped: fully for
/// the shipped one, of debug info for the test one), and prints the shipped size. Each
/// file is written aside and renamed into place, so that a process that has the old
/// library loaded keeps its own copy instead of seeing it rewritten under it.
fn install_library(variant: Variant, built: &Path) -> Result {
    let installed = variant.library();
    let lib_dir = installed.parent().expect("a library path has a parent");
    fs::create_dir_all(lib_dir).map_err(|e| format!("cannot create {}: {e}", lib_dir.display()))?;
    let strip = match (variant, cfg!(target_os = "macos")) {
        (Variant::Shipped, true) => "-x",
        (Variant::Shipped, false) => "--strip-all",
        // Debug info is most of a debug build's size; symbols stay for backtraces.
        (Variant::Testing, _) => "--strip-debug",
    };
    let temporary = installed.with_extension("partial");
    run(
        "strip",
        &[strip, "-o", path_str(&temporary)?, path_str(built)?],
    )?;
    rename(&temporary, &installed)?;
    // The generated Python module loads the library from its own folder.
    copy(&installed, &variant.bindings("python").join(library_file()))?;
    match variant {
        Variant::Testing => eprintln!("\nxtask: test bindings in {}", variant.dir().display()),
        Variant::Shipped => eprintln!(
            "\nxtask: bindings in {}\nxtask: {} ({PROFILE}, {}): {} (unstripped {})",
            variant.dir().join("bindings").display(),
            library_file(),
            std::env::consts::ARCH,
            human(size_of(&installed)?),
            human(size_of(built)?),
        ),
    }
    Ok(())
}

/// Builds the cdylib. On Linux (glibc) the relative relocations are packed (`DT_RELR`,
/// binutils >= 2.38 to link, glibc >= 2.36 to load): about 400 KB less, the
/// counterpart of what the Android (`--pack-dyn-relocs`) and iOS (chained fixups)
/// linkers do. Falls back to a plain build if this linker cannot.
fn build_library() -> Result {
    let build = ["--package", "cvconnect-ffi", "--lib", "--profile", PROFILE];
    if cfg!(all(target_os = "linux", target_env = "gnu")) {
        let mut packed = vec!["rustc"];
        packed.extend(build);
        packed.extend(["--", "-C", "link-arg=-Wl,-z,pack-relative-relocs"]);
        if cargo(&packed).is_ok() {
            return Ok(());
        }
        eprintln!("xtask: this linker cannot pack relocations; building without");
    }
    let mut plain = vec!["build"];
    plain.extend(build);
    cargo(&plain)
}

/// `CARGO_TARGET_DIR` if set, else `<root>/target`.
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        })
        .unwrap_or_else(|| root.join("target"))
}

pub fn path_str(path: &Path) -> Result<&str> {
    path.to_str()
        .ok_or_else(|| format!("path is not UTF-8: {}", path.display()))
}

/// Copies through a temporary file and a rename (see [`install_library`]).
fn copy(from: &Path, to: &Path) -> Result {
    let temporary = to.with_extension("partial");
    fs::copy(from, &temporary).map_err(|e| {
        format!(
            "cannot copy {} to {}: {e}",
            from.display(),
            temporary.display()
        )
    })?;
    rename(&temporary, to)
}

fn rename(from: &Path, to: &Path) -> Result {
    fs::rename(from, to)
        .map_err(|e| format!("cannot rename {} to {}: {e}", from.display(), to.display()))
}

fn size_of(path: &Path) -> Result<u64> {
    fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn human(bytes: u64) -> String {
    format!(
        "{bytes} bytes ({:.2} MiB)",
        bytes as f64 / (1024.0 * 1024.0)
    )
}
