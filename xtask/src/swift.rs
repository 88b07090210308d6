//! `cargo xtask test swift`: the Swift package (`ios/`) built and tested on Linux, in
//! Swift 6 language mode, against the test variant of the library and a real sandbox.
//!
//! Why a separate root: the machines run Debian 12, which has no Swift package, while
//! Debian 13 ships `swiftlang` 6.0.3 (XCTest, Foundation, Dispatch) in the registry apt
//! already reaches. The lane keeps a minimal Debian 13 root with that toolchain in a
//! cache outside the clone ([`root`]: `$CVCONNECT_SWIFT_ROOT`, else
//! `~/.cache/cvconnect/swift-root`), made once with debootstrap and reused.
//!
//! Each Swift command runs in that root through [`chroot`]: in private mount and PID
//! namespaces, the workspace bind-mounted at the same path (so that paths in build
//! products, `#filePath` and the environment mean the same inside and out), a fresh
//! `/proc`. The kernel undoes the mounts and kills what is left (a sandbox a crashed
//! test started) when the command ends, Ctrl-C and failures included.
//!
//! Inputs: the test library and its generated Swift (regenerated only when older than
//! the Rust sources, see [`bindings_are_current`]), copied where `ios/Package.swift`
//! expects them (git-ignored), and the sandbox binary the suite starts.

pub mod bench_driver;
mod chroot;
mod root;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

use crate::bindings::{self, generated_file, path_str, target_dir, Variant};
use crate::cmd::{cargo, workspace_root, Result};
use crate::test::sandbox_binary;

/// Where the package expects the generated files: (generated name, path under `ios/`).
const PLACED: [(&str, &str); 2] = [
    (
        "CVConnect.swift",
        "Sources/CVConnect/Generated/CVConnect.swift",
    ),
    (
        "CVConnectFFI.h",
        "Sources/CVConnectFFI/include/CVConnectFFI.h",
    ),
];

/// Folders of `ios/` whose Swift needs Apple's SDK.
const APPLE_ONLY: [&str; 4] = [
    "App",
    "NotificationService",
    "UITests",
    "Sources/CVConnectApple",
];

/// Runs the Swift package's build and tests against the test library.
pub fn suite() -> Result {
    if !cfg!(target_os = "linux") {
        return Err(
            "the Swift lane runs on Linux; on a Mac, open ios/ in Xcode (ios/README.md)".into(),
        );
    }
    let started = Instant::now();
    let root = root::ensure()?;
    let ready = Instant::now();
    inputs()?;
    let built = Instant::now();
    let summary = swift_build_and_test(&root)?;
    eprintln!(
        "\nxtask: swift lane: Swift root {:.1?}, library and sandbox {:.1?}, swift build and test {:.1?}",
        ready - started,
        built - ready,
        built.elapsed()
    );
    eprintln!(
        "xtask: swift: {}",
        summary.as_deref().unwrap_or("no XCTest count seen")
    );
    Ok(())
}

/// The test library and its Swift, placed into the package, and the sandbox binary.
fn inputs() -> Result {
    if bindings_are_current()? {
        eprintln!("\nxtask: test bindings are up to date");
    } else {
        bindings::generate(Variant::Testing)?;
    }
    place_generated()?;
    cargo(&["build", "--package", "cvconnect-sandbox"])
}

/// The test library and Swift exist and are newer than everything they are made from.
fn bindings_are_current() -> Result<bool> {
    let swift = Variant::Testing.bindings("swift");
    let outputs = [
        Variant::Testing.library(),
        generated_file("swift", &swift),
        swift.join("CVConnectFFI.h"),
    ];
    let Some(oldest) = outputs.iter().map(|p| modified(p)).min().flatten() else {
        return Ok(false);
    };
    let root = workspace_root();
    let sources = [
        "core",
        "bindings",
        "xtask/src/bindings.rs",
        "xtask/src/bindings",
        "Cargo.lock",
    ];
    let newest = sources
        .iter()
        .map(|s| newest_source(&root.join(s)))
        .max()
        .flatten();
    Ok(newest.is_some_and(|newest| newest <= oldest))
}

/// The latest change among the Rust sources and manifests under `path`.
fn newest_source(path: &Path) -> Option<SystemTime> {
    if path.is_file() {
        return modified(path);
    }
    let entries = fs::read_dir(path).ok()?;
    entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|p| p.file_name().is_some_and(|n| n != "target"))
        .filter_map(|p| match p.extension().and_then(|e| e.to_str()) {
            _ if p.is_dir() => newest_source(&p),
            Some("rs" | "toml" | "lock") => modified(&p),
            _ => None,
        })
        .max()
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Copies the generated Swift and header into the package, only when they changed (so
/// that SwiftPM rebuilds nothing it need not).
fn place_generated() -> Result {
    let generated = Variant::Testing.bindings("swift");
    let package = workspace_root().join("ios");
    for (name, place) in PLACED {
        let source = generated.join(name);
        let bytes =
            fs::read(&source).map_err(|e| format!("cannot read {}: {e}", source.display()))?;
        let target = package.join(place);
        if fs::read(&target).ok().as_deref() == Some(&bytes[..]) {
            continue;
        }
        let dir = target.parent().expect("a placed file has a folder");
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        fs::write(&target, bytes).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    Ok(())
}

/// `swift build` (every target, tests included), then `swift test`; returns XCTest's
/// last count line (all the tests).
fn swift_build_and_test(root: &Path) -> Result<Option<String>> {
    let workspace = workspace_root();
    let package = workspace.join("ios");
    let lib = Variant::Testing.library();
    let lib_dir = path_str(lib.parent().expect("the library has a folder"))?;
    let package = path_str(&package)?;
    let link = [
        "-Xlinker", "-L", "-Xlinker", lib_dir, "-Xlinker", "-rpath", "-Xlinker", lib_dir,
    ];
    let binds = bind_mounts(&workspace)?;
    let sandbox = sandbox_binary();
    let env = [
        ("CVCONNECT_ROOT", path_str(&workspace)?),
        ("CVCONNECT_SANDBOX_BIN", path_str(&sandbox)?),
    ];
    let mut build = vec!["swift", "build", "--package-path", package, "--build-tests"];
    build.extend(link);
    chroot::run(root, &binds, &env, &build, &mut |_| ())?;
    parse_apple_only(root, &binds)?;
    // Line-buffered: XCTest's lines show as each test ends, not when the run is over.
    let mut test = vec!["stdbuf", "-oL", "swift", "test", "--package-path", package];
    test.extend(["--skip-build", "--disable-swift-testing"]);
    let mut summary = None;
    chroot::run(root, &binds, &env, &test, &mut |line| {
        if line.trim_start().starts_with("Executed ") {
            summary = Some(line.trim().to_owned());
        }
    })?;
    Ok(summary)
}

/// The sources only Xcode compiles (the app, the extension, the UI test, and the
/// Apple-only target, which is empty here) are at least parsed: Linux has no SDK to
/// type-check them against.
fn parse_apple_only(root: &Path, binds: &[PathBuf]) -> Result {
    let package = workspace_root().join("ios");
    let mut files = Vec::new();
    for dir in APPLE_ONLY {
        let entries =
            fs::read_dir(package.join(dir)).map_err(|e| format!("cannot list ios/{dir}: {e}"))?;
        for path in entries.flatten().map(|entry| entry.path()) {
            if path.extension().is_some_and(|e| e == "swift") {
                files.push(path_str(&path)?.to_owned());
            }
        }
    }
    files.sort();
    let mut parse = vec!["swiftc", "-parse", "-swift-version", "6"];
    parse.extend(files.iter().map(String::as_str));
    chroot::run(root, binds, &[], &parse, &mut |_| ())
}

/// The host folders the Swift commands see: the workspace, and the Cargo target folder
/// if it lies elsewhere (the sandbox binary).
fn bind_mounts(workspace: &Path) -> Result<Vec<PathBuf>> {
    let mut binds = vec![workspace.to_path_buf()];
    let target = target_dir(workspace);
    if !target.starts_with(workspace) {
        binds.push(target);
    }
    Ok(binds)
}

/// Runs `command`, echoing each line of its standard output and handing it to `seen`.
fn stream(mut command: Command, seen: &mut dyn FnMut(&str)) -> Result {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {command:?}: {e}"))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("cannot read the output: {e}"))?;
        println!("{line}");
        seen(&line);
    }
    let status = child.wait().map_err(|e| format!("cannot wait: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed with {status}"))
    }
}
