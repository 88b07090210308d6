//! The drivers, each in its binding's language:
//!
//! - Python: `bench/ffi_push_to_screen.py` on the shipped library (`build/`).
//! - Swift: `ios/Sources/CVConnectPushBench`, built and described by `cargo xtask bench`
//!   in [`SWIFT_ENV`] (it runs in the Swift root, see xtask/src/swift).
//! - Kotlin: `bench/kotlin` on the JVM, against the shipped package
//!   `fr.ancv:cvconnect`, compiled and described by `cargo xtask bench` in
//!   [`KOTLIN_ENV`].

use std::path::Path;
use std::process::Command;

use cvconnect_testkit::World;

use super::Driver;
use crate::push_to_screen::WARMUP;

/// Set by `cargo xtask bench`: `{"argv": [...], "scratch": "..."}` or `{"skipped": "why"}`.
pub const SWIFT_ENV: &str = "CVCONNECT_BENCH_SWIFT";
/// Set by `cargo xtask bench`: `{"argv": [...]}` or `{"skipped": "why"}`.
pub const KOTLIN_ENV: &str = "CVCONNECT_BENCH_KOTLIN";

/// Pushes the JVM opens before the recorded ones, new payments each, after the 2000
/// back-to-back opens of the first that the driver makes for the JIT itself
/// (`PushToScreen.kt`): the binding's hot paths compiled, as they long have been in an
/// app that has been running; an Android app's are compiled ahead of time.
const JVM_WARMUP: usize = 200;

/// The Python script, if the Python bindings are built.
pub fn python(root: &Path, fx: &World) -> Result<Driver, String> {
    let module_dir = root.join("build/bindings/python");
    let library = root.join("build/lib/libcvconnect_ffi.so");
    if !module_dir.join("cvconnect.py").exists() || !library.exists() {
        return Err("bindings not built (`cargo xtask bindings`)".into());
    }
    let mut command = Command::new("python3");
    command
        .arg(root.join("bench/ffi_push_to_screen.py"))
        .env("PYTHONPATH", &module_dir)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    Ok(Driver {
        what: "the Python binding script",
        command,
        data_dir: fx.new_dir("python"),
        _scratch: None,
        warmup: WARMUP,
    })
}

/// The Swift executable, as `cargo xtask bench` describes it in [`SWIFT_ENV`].
pub fn swift() -> Result<Driver, String> {
    let spec = spec(SWIFT_ENV, "Swift")?;
    let (command, text) = command(&spec, SWIFT_ENV)?;
    let Some(scratch) = spec["scratch"].as_str() else {
        return Err(format!("{SWIFT_ENV} has no scratch: {text}"));
    };
    let scratch = tempfile::Builder::new()
        .prefix("swift-")
        .tempdir_in(scratch)
        .map_err(|e| format!("cannot create a data folder in {scratch}: {e}"))?;
    Ok(Driver {
        what: "the Swift driver",
        command,
        data_dir: scratch.path().to_owned(),
        _scratch: Some(scratch),
        warmup: WARMUP,
    })
}

/// The Kotlin program on the JVM, as `cargo xtask bench` describes it in [`KOTLIN_ENV`].
/// With `keep_attached`, its signer asks JNA to leave the library's threads attached to
/// the JVM after a callback (an experiment: the shipped binding lets JNA detach them).
pub fn kotlin(fx: &World, keep_attached: bool) -> Result<Driver, String> {
    let spec = spec(KOTLIN_ENV, "Kotlin")?;
    let (mut command, _) = command(&spec, KOTLIN_ENV)?;
    if keep_attached {
        command.env("CVCONNECT_BENCH_KEEP_ATTACHED", "1");
    }
    Ok(Driver {
        what: "the Kotlin driver",
        command,
        data_dir: fx.new_dir("kotlin"),
        _scratch: None,
        warmup: JVM_WARMUP,
    })
}

/// The JSON object `cargo xtask bench` put in `variable`, or why there is no driver.
fn spec(variable: &str, language: &str) -> Result<serde_json::Value, String> {
    let Ok(text) = std::env::var(variable) else {
        return Err(format!(
            "{variable} is not set: `cargo xtask bench` builds the {language} driver and sets it"
        ));
    };
    let spec: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{variable} is not JSON: {e}"))?;
    match spec["skipped"].as_str() {
        Some(why) => Err(why.to_owned()),
        None => Ok(spec),
    }
}

/// The command of `spec`'s `argv`, and the spec as text for errors.
fn command(spec: &serde_json::Value, variable: &str) -> Result<(Command, String), String> {
    let argv: Vec<&str> = spec["argv"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let Some((program, args)) = argv.split_first() else {
        return Err(format!("{variable} has no argv: {spec}"));
    };
    let mut command = Command::new(program);
    command.args(args);
    Ok((command, spec.to_string()))
}
