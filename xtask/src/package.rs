//! `cargo xtask package`: the bindings as packages an app or a harness depends on.
//!
//! - A Python wheel, `build/packages/cvconnect-<version>-py3-none-linux_x86_64.whl`:
//!   the generated module as the package `cvconnect`, with the library beside it,
//!   where the module loads it from. Written here (a wheel is a zip with three
//!   metadata files) so that no Python build backend is needed.
//! - A JVM jar, `fr.ancv:cvconnect:<version>`, installed into the local Maven
//!   repository: the generated Kotlin compiled, and the library as the JNA resource
//!   `linux-x86-64/libcvconnect_ffi.so` (`bindings/kotlin/pom.xml`).
//!
//! The test variant goes to `build/testing/packages/` and to the same Maven
//! coordinates with the classifier `testing`; the suites depend on those.
//!
//! No package of the shipped library is written if that library holds the core's test
//! hooks (feature `test-hooks`: crash points, skipped wiping): [`check_no_test_hooks`].

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::bindings::{self, library_file, path_str, Variant};
use crate::cmd::{run, workspace_root, Result};

/// Strings that only the core's test hooks put into a library: the variable that
/// selects a crash point (`test_hooks::crash::ENV_VAR`) and the log line of a skipped
/// wipe (`test_hooks::wiping::SKIPPED_WIPING`). Both sit on paths every payment takes,
/// so the linker keeps them whenever the feature is on.
const TEST_HOOK_MARKERS: [&str; 2] = [
    "CVCONNECT_TEST_CRASH_AT",
    "cvconnect test hook: wiping skipped",
];

/// `cargo xtask package [--testing] [python|kotlin]`: the bindings of the shipped (or
/// test) library, then its packages.
pub fn run_package(args: &[String]) -> Result {
    let variant = if args.iter().any(|a| a == "--testing") {
        Variant::Testing
    } else {
        Variant::Shipped
    };
    let languages: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--testing")
        .collect();
    let (python, kotlin) = match languages.as_slice() {
        [] => (true, true),
        ["python"] => (true, false),
        ["kotlin"] => (false, true),
        other => {
            return Err(format!(
                "usage: cargo xtask package [--testing] [python|kotlin] (got {other:?})"
            ))
        }
    };
    bindings::generate(variant)?;
    if python {
        wheel(variant)?;
    }
    if kotlin {
        jar(variant)?;
    }
    Ok(())
}

/// The package version: the bindings crate's.
pub fn version() -> Result<String> {
    let manifest = workspace_root().join("bindings/Cargo.toml");
    let text = fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    text.lines()
        .find_map(|line| line.strip_prefix("version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .map(str::to_owned)
        .ok_or_else(|| "no version in bindings/Cargo.toml".into())
}

/// Where the wheel of `variant` is written.
pub fn wheel_path(variant: Variant) -> Result<PathBuf> {
    let tag = format!("{}_{}", std::env::consts::OS, std::env::consts::ARCH);
    Ok(variant
        .dir()
        .join("packages")
        .join(format!("cvconnect-{}-py3-none-{tag}.whl", version()?)))
}

/// Writes the wheel of `variant` from its generated module and library.
pub fn wheel(variant: Variant) -> Result {
    check_no_test_hooks(variant)?;
    let version = version()?;
    let module = bindings::generated_file("python", &variant.bindings("python"));
    let dist_info = format!("cvconnect-{version}.dist-info");
    let tag = format!(
        "py3-none-{}_{}",
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    let files: Vec<(String, Vec<u8>)> = vec![
        ("cvconnect/__init__.py".into(), read(&module)?),
        (format!("cvconnect/{}", library_file()), read(&variant.library())?),
        (format!("{dist_info}/METADATA"), metadata(&version).into_bytes()),
        (
            format!("{dist_info}/WHEEL"),
            format!("Wheel-Version: 1.0\nGenerator: cvconnect-xtask\nRoot-Is-Purelib: false\nTag: {tag}\n")
                .into_bytes(),
        ),
    ];
    let path = wheel_path(variant)?;
    write_zip(&path, &files, &format!("{dist_info}/RECORD"))?;
    eprintln!("xtask: wheel {}", path.display());
    Ok(())
}

fn metadata(version: &str) -> String {
    format!(
        "Metadata-Version: 2.1\nName: cvconnect\nVersion: {version}\n\
         Summary: Chèque-Vacances Connect beneficiary core (uniffi bindings)\n\
         License: Apache-2.0\nRequires-Python: >=3.9\n"
    )
}

/// A zip with `files`, and the RECORD that lists each with its SHA-256 and size.
fn write_zip(path: &Path, files: &[(String, Vec<u8>)], record_name: &str) -> Result {
    let dir = path.parent().expect("a wheel path has a parent");
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let file =
        fs::File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut zip = ZipWriter::new(file);
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let mut record = String::new();
    for (name, bytes) in files {
        add(&mut zip, options, name, bytes)?;
        let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(bytes));
        record.push_str(&format!("{name},sha256={digest},{}\n", bytes.len()));
    }
    record.push_str(&format!("{record_name},,\n"));
    add(&mut zip, options, record_name, record.as_bytes())?;
    zip.finish()
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

fn add(
    zip: &mut ZipWriter<fs::File>,
    options: SimpleFileOptions,
    name: &str,
    bytes: &[u8],
) -> Result {
    zip.start_file(name, options)
        .and_then(|()| zip.write_all(bytes).map_err(Into::into))
        .map_err(|e| format!("cannot add {name} to the wheel: {e}"))
}

/// Fails if the shipped library holds one of the [`TEST_HOOK_MARKERS`]: it was built
/// with the core's `test-hooks` feature, which must never ship.
fn check_no_test_hooks(variant: Variant) -> Result {
    if variant != Variant::Shipped {
        return Ok(());
    }
    let library = variant.library();
    let bytes = read(&library)?;
    match TEST_HOOK_MARKERS
        .iter()
        .find(|marker| bytes.windows(marker.len()).any(|w| w == marker.as_bytes()))
    {
        None => Ok(()),
        Some(marker) => Err(format!(
            "{} holds the core's test hooks ({marker:?} found): the shipped library must be \
             built without the `test-hooks` feature",
            library.display()
        )),
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Compiles the generated Kotlin of `variant` into a jar holding its library, and
/// installs it into the local Maven repository.
pub fn jar(variant: Variant) -> Result {
    check_no_test_hooks(variant)?;
    let bindings_dir = format!(
        "-Dcvconnect.bindings.dir={}",
        path_str(&variant.bindings("kotlin"))?
    );
    let lib_dir = variant.library();
    let lib_dir = format!(
        "-Dcvconnect.lib.dir={}",
        path_str(lib_dir.parent().expect("lib dir"))?
    );
    let classifier = match variant {
        Variant::Shipped => "-Dcvconnect.classifier=",
        Variant::Testing => "-Dcvconnect.classifier=testing",
    };
    run(
        "mvn",
        &[
            "-B",
            "-f",
            "bindings/kotlin/pom.xml",
            &bindings_dir,
            &lib_dir,
            classifier,
            "install",
        ],
    )
}
