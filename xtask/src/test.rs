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

/// Environment the bindings suites read.
fn suite_env() -> Result<Vec<(&'static str, String)>> {
    let root = workspace_root();
    let sandbox = target_dir(&root)
        .join("debug")
        .join(format!("cvconnect-sandbox{}", std::env::consts::EXE_SUFFIX));
    Ok(vec![
        ("CVCONNECT_ROOT", path_str(&root)?.to_owned()),
        ("CVCONNECT_SANDBOX_BIN", path_str(&sandbox)?.to_owned()),
    ])
}

fn kotlin_suite() -> Result {
    if !succeeds("mvn", &["-v"]) {
        return Err("the Kotlin suite needs Maven (mvn) and a JDK 17+ on PATH".into());
    }
    let env = suite_env()?;
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let root = workspace_root();
    run_with_env(
        &root,
        "mvn",
        &["-B", "-q", "-f", "tests/kotlin/pom.xml", "test"],
        &env,
    )
}

/// The Android library's plain-Kotlin helpers (signer, presenters) on the JVM, against
/// the same library and sandbox: `android/jvm-tests` (Maven, JUnit 5).
fn android_helpers_suite() -> Result {
    let env = suite_env()?;
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    run_with_env(
        &workspace_root(),
        "mvn",
        &["-B", "-q", "-f", "android/jvm-tests/pom.xml", "test"],
        &env,
    )
}

fn python_suite() -> Result {
    let python = if succeeds("python3", &["--version"]) {
        "python3"
    } else {
        "python"
    };
    if !succeeds(python, &["-c", "import pytest, cryptography"]) {
        // Only what is missing, from PyPI: the test runner and the signer's ECDSA.
        run(
            python,
            &["-m", "pip", "install", "--quiet", "pytest", "cryptography"],
        )?;
    }
    let env = suite_env()?;
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    run_with_env(
        &workspace_root(),
        python,
        &["-m", "pytest", "-q", "tests/python"],
        &env,
    )
}

/// schemathesis against the sandbox's `/openapi.json`: no 5xx, every answer matches
/// the schema (tests/schemathesis/run.py starts its own sandbox).
fn schemathesis_suite() -> Result {
    let python = if succeeds("python3", &["--version"]) {
        "python3"
    } else {
        "python"
    };
    if !succeeds(python, &["-c", "import schemathesis"]) {
        run(
            python,
            &[
                "-m",
                "pip",
                "install",
                "--quiet",
                "-r",
                "tests/schemathesis/requirements.txt",
            ],
        )?;
    }
    let env = suite_env()?;
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    run_with_env(
        &workspace_root(),
        python,
        &["tests/schemathesis/run.py"],
        &env,
    )
}
