//! `cargo xtask test`: the README's test command. Runs every suite, in the order that
//! fails fastest: formatting, lints, Rust unit and end-to-end tests, then the bindings:
//! build the shipped library and generate Kotlin, Swift and Python (`cargo xtask
//! bindings`), build the sandbox, and run the Kotlin (Maven) and Python (pytest) suites
//! against it, the Android shell's JVM helpers, and schemathesis against the sandbox's
//! OpenAPI document. Each suite starts its own sandbox process on 127.0.0.1.

use crate::bindings::{self, path_str, target_dir};
use crate::cmd::{cargo, run, run_with_env, succeeds, workspace_root, Result};

/// The tests of tests/rust/security_faults.rs (`--skip` matches test names).
const FAULT_MATRIX: [&str; 2] = [
    "thousands_of_random_flows_under_faults_match_the_ledger",
    "retrying_on_the_same_screen_after_a_lost_answer_pays",
];

pub fn run_all(args: &[String]) -> Result {
    cargo(&["fmt", "--all", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ])?;
    // The fault matrix runs on its own so that its counts show in the log.
    cargo(&[
        "test",
        "--workspace",
        "--all-features",
        "--",
        "--skip",
        FAULT_MATRIX[0],
        "--skip",
        FAULT_MATRIX[1],
    ])?;
    cargo(&[
        "test",
        "--package",
        "cvconnect-e2e",
        "--test",
        "security_faults",
        "--",
        "--nocapture",
    ])?;
    bindings::run_bindings(args)?;
    cargo(&["build", "--package", "cvconnect-sandbox"])?;
    kotlin_suite()?;
    android_helpers_suite()?;
    python_suite()?;
    schemathesis_suite()?;
    eprintln!("\nxtask: all suites passed (Rust, Kotlin, Android helpers, Python, schemathesis)");
    Ok(())
}

/// Runs a suite in the workspace root with the environment the bindings suites read:
/// where the workspace is and which sandbox binary to start.
fn run_suite(program: &str, args: &[&str]) -> Result {
    let root = workspace_root();
    let sandbox = target_dir(&root)
        .join("debug")
        .join(format!("cvconnect-sandbox{}", std::env::consts::EXE_SUFFIX));
    let env = [
        ("CVCONNECT_ROOT", path_str(&root)?),
        ("CVCONNECT_SANDBOX_BIN", path_str(&sandbox)?),
    ];
    run_with_env(&root, program, args, &env)
}

/// `python3`, or `python` where that is the name, with `imports` importable: what is
/// missing is installed from PyPI with `pip install <requirements>`.
fn python_with(imports: &str, requirements: &[&str]) -> Result<&'static str> {
    let python = if succeeds("python3", &["--version"]) {
        "python3"
    } else {
        "python"
    };
    if !succeeds(python, &["-c", &format!("import {imports}")]) {
        let mut args = vec!["-m", "pip", "install", "--quiet"];
        args.extend_from_slice(requirements);
        run(python, &args)?;
    }
    Ok(python)
}

fn kotlin_suite() -> Result {
    if !succeeds("mvn", &["-v"]) {
        return Err("the Kotlin suite needs Maven (mvn) and a JDK 17+ on PATH".into());
    }
    run_suite("mvn", &["-B", "-q", "-f", "tests/kotlin/pom.xml", "test"])
}

/// The Android library's plain-Kotlin helpers (signer, presenters) on the JVM, against
/// the same library and sandbox: `android/jvm-tests` (Maven, JUnit 5).
fn android_helpers_suite() -> Result {
    run_suite(
        "mvn",
        &["-B", "-q", "-f", "android/jvm-tests/pom.xml", "test"],
    )
}

/// The Python binding's suite; its signer uses `cryptography`'s ECDSA.
fn python_suite() -> Result {
    let python = python_with("pytest, cryptography", &["pytest", "cryptography"])?;
    run_suite(python, &["-m", "pytest", "-q", "tests/python"])
}

/// schemathesis against the sandbox's `/openapi.json`: no 5xx, every answer matches
/// the schema (tests/schemathesis/run.py starts its own sandbox).
fn schemathesis_suite() -> Result {
    let python = python_with(
        "schemathesis",
        &["-r", "tests/schemathesis/requirements.txt"],
    )?;
    run_suite(python, &["tests/schemathesis/run.py"])
}
