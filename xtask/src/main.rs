//! Build tooling in Rust (matrix-rust-sdk style) instead of long shell scripts.
//!
//! `cargo xtask test`      every suite: fmt, clippy, Rust, then the bindings suites
//! `cargo xtask bindings`  build the shipped library and generate Kotlin, Swift, Python
//! `cargo xtask package`   the Python wheel and the JVM jar of the shipped library
//! `cargo xtask bench`     measure, and write docs/benchmarks.md

mod bindings;
mod cmd;
mod package;
mod swift;
mod test;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test::run_all(&args[1..]),
        Some("bindings") => bindings::run_bindings(&args[1..]),
        Some("package") => package::run_package(&args[1..]),
        Some("bench") => bench(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <test|bindings|package|bench>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the benchmark binary in release mode; extra arguments (`--quick`, `--phones N`)
/// pass through.
fn bench(args: &[String]) -> cmd::Result {
    let mut argv = vec!["run", "--release", "-p", "cvconnect-bench", "--"];
    argv.extend(["--out", "docs/benchmarks.md"]);
    argv.extend(args.iter().map(String::as_str));
    cmd::cargo(&argv)
}
