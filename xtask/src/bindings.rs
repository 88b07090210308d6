//! `cargo xtask bindings`: builds the shipped library (`release-smaller`), generates the
//! Kotlin, Swift and Python bindings from it with the in-repo `uniffi-bindgen` (library
//! mode: the metadata is read from the library's symbols, which `strip = "debuginfo"`
//! keeps), and writes a fully stripped copy, the one that ships, whose size it prints.
//! The suites load that stripped copy, so what is measured is what is tested.
//!
//! Output, under `build/` (git-ignored):
//!
//! - `lib/libcvconnect_ffi.so` (`.dylib` on macOS): stripped, loaded by the suites;
//! - `bindings/kotlin/uniffi/cvconnect/cvconnect.kt`;
//! - `bindings/swift/{cvconnect.swift, cvconnectFFI.h, cvconnectFFI.modulemap}`;
//! - `bindings/python/cvconnect.py`, with a copy of the library next to it (the
//!   generated module loads it from its own folder).

use std::fs;
use std::path::{Path, PathBuf};

use crate::cmd::{cargo, run, workspace_root, Result};

pub const PROFILE: &str = "release-smaller";
pub const LANGUAGES: [&str; 3] = ["kotlin", "swift", "python"];

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

/// The stripped library the suites load.
pub fn shipped_library() -> PathBuf {
    build_dir().join("lib").join(library_file())
}

pub fn run_bindings(_args: &[String]) -> Result {
    let root = workspace_root();
    build_library()?;
    cargo(&[
        "build",
        "--package",
        "cvconnect-ffi",
        "--features",
        "cli",
        "--bin",
        "uniffi-bindgen",
    ])?;
    let target = target_dir(&root);
    let built = target.join(PROFILE).join(library_file());
    let bindgen = target.join("debug").join("uniffi-bindgen");

    let out = build_dir();
    for language in LANGUAGES {
        let dir = out.join("bindings").join(language);
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
    }

    let lib_dir = out.join("lib");
    fs::create_dir_all(&lib_dir)
        .map_err(|e| format!("cannot create {}: {e}", lib_dir.display()))?;
    let shipped = shipped_library();
    copy(&built, &shipped)?;
    if cfg!(target_os = "macos") {
        run("strip", &["-x", path_str(&shipped)?])?;
    } else {
        run("strip", &["--strip-all", path_str(&shipped)?])?;
    }
    copy(
        &shipped,
        &out.join("bindings").join("python").join(library_file()),
    )?;

    let unstripped = size_of(&built)?;
    let stripped = size_of(&shipped)?;
    eprintln!(
        "\nxtask: bindings in {}\nxtask: {} ({PROFILE}, {}): {} (unstripped {})",
        out.join("bindings").display(),
        library_file(),
        std::env::consts::ARCH,
        human(stripped),
        human(unstripped),
    );
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

fn copy(from: &Path, to: &Path) -> Result {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
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
