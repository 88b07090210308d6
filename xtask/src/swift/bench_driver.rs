//! The Swift push-to-screen driver of `cargo xtask bench` (figure 1c):
//! `ios/Sources/CVConnectPushBench`, built with `swift build -c release` in the Swift
//! root, and the command line that starts it there, for cvconnect-bench.
//!
//! Its key is the test library's `softwareDeviceSigner()`, so it links a library built
//! with the `testing` feature. Not the Swift lane's (a debug build): a release build of
//! it, the optimisation of the benchmark binary that measures the Rust figure, copied
//! into a folder of its own (`target/bench-swift/lib`) so that another release build of
//! the library cannot replace it. Its Swift is the test variant's generated file, which
//! the same sources and features give.

use std::fs;
use std::path::PathBuf;

use super::{bind_mounts, bindings_are_current, chroot, place_generated, root};
use crate::bindings::{self, library_file, path_str, target_dir, Variant};
use crate::cmd::{cargo, workspace_root, Result};

/// The package's executable product.
const PRODUCT: &str = "CVConnectPushBench";

/// How cvconnect-bench starts the driver.
pub struct Driver {
    /// The command line, before the driver's own four arguments.
    pub argv: Vec<String>,
    /// A folder the driver sees at the same path: its data folder goes under it.
    pub scratch: PathBuf,
}

/// Builds the driver and returns how to start it; `Err` says why it cannot be.
pub fn build() -> Result<Driver> {
    if !cfg!(target_os = "linux") {
        return Err("the Swift driver is built on Linux only".into());
    }
    let root = root::existing()?;
    if !bindings_are_current()? {
        bindings::generate(Variant::Testing)?;
    }
    place_generated()?;
    let lib_dir = release_library()?;
    let workspace = workspace_root();
    let binds = bind_mounts(&workspace)?;
    let package = workspace.join("ios");
    let (package, lib) = (path_str(&package)?, path_str(&lib_dir)?);
    let release = ["swift", "build", "-c", "release", "--package-path", package];
    let mut build = release.to_vec();
    build.extend(["--product", PRODUCT]);
    build.extend([
        "-Xlinker", "-L", "-Xlinker", lib, "-Xlinker", "-rpath", "-Xlinker", lib,
    ]);
    chroot::run(&root, &binds, &[], &build, &mut |_| ())?;
    let mut bin_dir = String::new();
    let mut show = release.to_vec();
    show.push("--show-bin-path");
    chroot::run(&root, &binds, &[], &show, &mut |line| {
        bin_dir = line.trim().to_owned()
    })?;
    let executable = PathBuf::from(bin_dir).join(PRODUCT);
    // The package is bind-mounted at the same path: the host sees the same file.
    if !executable.exists() {
        return Err(format!("no {} after the build", executable.display()));
    }
    Ok(Driver {
        argv: chroot::command_line(&root, &binds, &[], &[path_str(&executable)?])?,
        scratch: scratch()?,
    })
}

/// `cargo build --release --features testing` of the library, installed by rename into
/// `target/bench-swift/lib`; returns that folder.
fn release_library() -> Result<PathBuf> {
    cargo(&[
        "build",
        "--package",
        "cvconnect-ffi",
        "--lib",
        "--release",
        "--features",
        "testing",
    ])?;
    let target = target_dir(&workspace_root());
    let built = target.join("release").join(library_file());
    let dir = target.join("bench-swift/lib");
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let partial = dir.join(format!("{}.partial", library_file()));
    fs::copy(&built, &partial).map_err(|e| format!("cannot copy {}: {e}", built.display()))?;
    fs::rename(&partial, dir.join(library_file()))
        .map_err(|e| format!("cannot install {}: {e}", partial.display()))?;
    Ok(dir)
}

/// `target/bench-swift/scratch`, emptied: inside the bind-mounted workspace or target
/// folder, so the same path on both sides.
fn scratch() -> Result<PathBuf> {
    let dir = target_dir(&workspace_root()).join("bench-swift/scratch");
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("cannot clean {}: {e}", dir.display()))?;
    }
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}
