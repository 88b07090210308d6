//! `cargo xtask test [lane …]`: the README's test command. With no lane it runs every
//! lane, in the order that fails fastest: formatting, lints, Rust unit and end-to-end
//! tests, the fault matrix, then the bindings: build the shipped library and its
//! packages (`cargo xtask package`), build the test variant, and run the Kotlin,
//! Android-helpers, Python, browser and Swift suites against it, and schemathesis
//! against the sandbox's OpenAPI document. Each suite starts its own sandbox process on 127.0.0.1.
//! `cargo xtask test --list` lists the lanes; `cargo xtask test kotlin python` runs two.

use std::path::Path;
use std::sync::Mutex;

use crate::bindings::{self, path_str, target_dir, Variant};
use crate::cmd::{cargo, run, run_with_env, succeeds, workspace_root, Result};
use crate::package;

/// A lane: its name, what it runs, and the function that runs it.
struct Lane {
    name: &'static str,
    about: &'static str,
    run: fn() -> Result,
}

const LANES: [Lane; 12] = [
    Lane {
        name: "fmt",
        about: "cargo fmt --check",
        run: fmt,
    },
    Lane {
        name: "clippy",
        about: "clippy on every target and feature, warnings denied",
        run: clippy,
    },
    Lane {
        name: "rust",
        about: "Rust unit, property, end-to-end and doc tests (not the fault matrix)",
        run: rust,
    },
    Lane {
        name: "faults",
        about: "the randomized fault matrix, with its counts",
        run: faults,
    },
    Lane {
        name: "packages",
        about: "the shipped library, its bindings (checked), wheel and jar",
        run: packages,
    },
    Lane {
        name: "kotlin",
        about: "Kotlin suite of the bindings on the JVM (jar)",
        run: kotlin,
    },
    Lane {
        name: "android",
        about: "Android library's Kotlin helpers on the JVM",
        run: android,
    },
    Lane {
        name: "screens",
        about: "Compose screens on the desktop JVM: UI tests and screenshot comparison",
        run: screens,
    },
    Lane {
        name: "python",
        about: "Python suite (test wheel), and the shipped wheel in a fresh venv",
        run: python,
    },
    Lane {
        name: "browser",
        about: "checkout page in headless Chromium, the phone on the Python binding",
        run: crate::browser::suite,
    },
    Lane {
        name: "swift",
        about: "Swift package built and tested on Linux (XCTest)",
        run: crate::swift::suite,
    },
    Lane {
        name: "schemathesis",
        about: "schemathesis against the sandbox's OpenAPI",
        run: schemathesis,
    },
];

pub fn run_all(args: &[String]) -> Result {
    if args.iter().any(|a| a == "--list") {
        for lane in &LANES {
            println!("{:<13} {}", lane.name, lane.about);
        }
        return Ok(());
    }
    let chosen: Vec<&Lane> = if args.is_empty() {
        LANES.iter().collect()
    } else {
        args.iter()
            .map(|name| {
                LANES
                    .iter()
                    .find(|lane| lane.name == name)
                    .ok_or(format!("no lane `{name}` (cargo xtask test --list)"))
            })
            .collect::<Result<_>>()?
    };
    for lane in &chosen {
        eprintln!("\n==== xtask: lane {}", lane.name);
        (lane.run)().map_err(|e| format!("lane {}: {e}", lane.name))?;
    }
    let names: Vec<&str> = chosen.iter().map(|lane| lane.name).collect();
    eprintln!("\nxtask: lanes passed: {}", names.join(", "));
    Ok(())
}

fn fmt() -> Result {
    cargo(&["fmt", "--all", "--check"])
}

fn clippy() -> Result {
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ])
}

/// Everything but the fault matrix, which is `#[ignore]`d so that it runs on its own.
fn rust() -> Result {
    cargo(&["test", "--workspace", "--all-features"])
}

/// The fault matrix (`#[ignore]` tests of tests/rust/security_faults.rs), with
/// `--nocapture` so that its counts show in the log.
fn faults() -> Result {
    cargo(&[
        "test",
        "--package",
        "cvconnect-e2e",
        "--test",
        "security_faults",
        "--",
        "--ignored",
        "--nocapture",
    ])
}

fn packages() -> Result {
    once("packages", || {
        bindings::generate(Variant::Shipped)?;
        package::wheel(Variant::Shipped)?;
        package::jar(Variant::Shipped)
    })
}

/// The test variant's bindings and packages, and the sandbox binary, for a suite;
/// each step runs once per `cargo xtask test`, however many lanes need it.
fn test_variant(jar: bool, wheel: bool) -> Result {
    once("test bindings", || bindings::generate(Variant::Testing))?;
    if jar {
        once("test jar", || package::jar(Variant::Testing))?;
    }
    if wheel {
        once("test wheel", || package::wheel(Variant::Testing))?;
    }
    once("sandbox", || {
        cargo(&["build", "--package", "cvconnect-sandbox"])
    })
}

/// Runs `step` unless a step of the same name already succeeded in this process.
fn once(name: &'static str, step: impl FnOnce() -> Result) -> Result {
    static DONE: Mutex<Vec<&str>> = Mutex::new(Vec::new());
    if DONE.lock().is_ok_and(|done| done.contains(&name)) {
        return Ok(());
    }
    step()?;
    if let Ok(mut done) = DONE.lock() {
        done.push(name);
    }
    Ok(())
}

/// Runs a suite in the workspace root with the environment the bindings suites read:
/// where the workspace is and which sandbox binary to start.
pub fn run_suite(program: &str, args: &[&str]) -> Result {
    let root = workspace_root();
    let sandbox = sandbox_binary();
    let env = [
        ("CVCONNECT_ROOT", path_str(&root)?),
        ("CVCONNECT_SANDBOX_BIN", path_str(&sandbox)?),
    ];
    run_with_env(&root, program, args, &env)
}

/// The debug sandbox binary the suites start.
pub fn sandbox_binary() -> std::path::PathBuf {
    target_dir(&workspace_root())
        .join("debug")
        .join(format!("cvconnect-sandbox{}", std::env::consts::EXE_SUFFIX))
}

fn maven_suite(pom: &str) -> Result {
    if !succeeds("mvn", &["-v"]) {
        return Err("this suite needs Maven (mvn) and a JDK 17+ on PATH".into());
    }
    run_suite("mvn", &["-B", "-f", pom, "test"])
}

fn kotlin() -> Result {
    test_variant(true, false)?;
    maven_suite("tests/kotlin/pom.xml")
}

/// The Android library's plain-Kotlin helpers (signer, presenters) on the JVM, against
/// the same library and sandbox: `android/jvm-tests` (Maven, JUnit 5).
fn android() -> Result {
    test_variant(true, false)?;
    maven_suite("android/jvm-tests/pom.xml")
}

/// The screens (android/ui, common Compose compiled for the desktop JVM): UI tests
/// against a real sandbox, and each screen compared with its image in docs/screens.
fn screens() -> Result {
    test_variant(true, false)?;
    maven_suite("android/ui/pom.xml")
}

/// The Python suite in a venv holding the test wheel, then the shipped wheel in a fresh
/// venv running the getting-started example against a sandbox.
fn python() -> Result {
    let python = test_wheel_venv(&Variant::Testing.dir().join("venv"))?;
    run_suite(&python, &["-m", "pytest", "tests/python"])?;

    packages()?;
    let fresh = fresh_venv(
        &bindings::build_dir().join("wheel-check"),
        &["--system-site-packages"],
    )?;
    let shipped = package::wheel_path(Variant::Shipped)?;
    run(
        &fresh,
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            path_str(&shipped)?,
        ],
    )?;
    run_suite(&fresh, &["tests/python/examples/getting_started.py"])
}

/// A fresh venv at `dir` holding the test wheel, and the sandbox binary; returns its
/// interpreter. The venv sees the system's site-packages (pytest, cryptography,
/// selenium), which `.ci/run` installs: running the tests installs nothing from the
/// network (`--no-index`, `--no-deps`). Each suite has its own `dir`, so that two lanes
/// running at once do not remove each other's venv.
pub fn test_wheel_venv(dir: &Path) -> Result<String> {
    test_variant(false, true)?;
    let python = fresh_venv(dir, &["--system-site-packages"])?;
    let wheel = package::wheel_path(Variant::Testing)?;
    run(
        &python,
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            "--force-reinstall",
            "--no-deps",
            "--no-index",
            path_str(&wheel)?,
        ],
    )?;
    Ok(python)
}

/// Creates the venv at `dir` anew; returns its interpreter.
fn fresh_venv(dir: &Path, options: &[&str]) -> Result<String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot clean {}: {e}", dir.display()))?;
    }
    let mut args = vec!["-m", "venv"];
    args.extend_from_slice(options);
    args.push(path_str(dir)?);
    run(system_python(), &args)?;
    Ok(path_str(&dir.join("bin").join("python"))?.to_owned())
}

fn system_python() -> &'static str {
    if succeeds("python3", &["--version"]) {
        "python3"
    } else {
        "python"
    }
}

/// schemathesis against the sandbox's `/openapi.json`: no 5xx, every answer matches
/// the schema (tests/schemathesis/run.py starts its own sandbox).
fn schemathesis() -> Result {
    once("sandbox", || {
        cargo(&["build", "--package", "cvconnect-sandbox"])
    })?;
    run_suite(system_python(), &["tests/schemathesis/run.py"])
}
