//! Build tooling in Rust (matrix-rust-sdk style) instead of long shell scripts.
//!
//! `cargo xtask test`      every suite: fmt, clippy, Rust, then the bindings suites
//! `cargo xtask bindings`  build the shipped library and generate Kotlin, Swift, Python

mod cmd;
mod test;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test::run(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <test>");
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
