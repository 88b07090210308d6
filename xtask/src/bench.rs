//! `cargo xtask bench`: runs the benchmark binary in release mode, which writes
//! docs/benchmarks.md; extra arguments (`--quick`, `--phones N`) pass through.
//!
//! First, when the Swift root exists, it builds the Swift push-to-screen driver
//! ([`swift::bench_driver`]) and tells cvconnect-bench how to start it in
//! `CVCONNECT_BENCH_SWIFT`, a JSON object: `{"argv": [...], "scratch": "..."}`, or
//! `{"skipped": "why"}` (the report then says the Swift figure was not measured, and why).

use std::process::Command;

use crate::cmd::{workspace_root, Result};
use crate::swift::bench_driver;

/// The variable cvconnect-bench reads (bench/src/foreign.rs).
const SWIFT_ENV: &str = "CVCONNECT_BENCH_SWIFT";

pub fn run(args: &[String]) -> Result {
    let swift = match bench_driver::build() {
        Ok(driver) => {
            let argv: Vec<String> = driver.argv.iter().map(|a| json_string(a)).collect();
            let scratch = driver.scratch.to_string_lossy();
            format!(
                "{{\"argv\": [{}], \"scratch\": {}}}",
                argv.join(", "),
                json_string(&scratch)
            )
        }
        Err(reason) => {
            eprintln!("\nxtask: bench: the Swift binding will not be measured: {reason}");
            format!("{{\"skipped\": {}}}", json_string(&reason))
        }
    };
    let mut argv = vec!["run", "--release", "-p", "cvconnect-bench", "--"];
    argv.extend(["--out", "docs/benchmarks.md"]);
    argv.extend(args.iter().map(String::as_str));
    eprintln!("\n$ {SWIFT_ENV}=… cargo {}", argv.join(" "));
    let status = Command::new(env!("CARGO"))
        .args(&argv)
        .env(SWIFT_ENV, swift)
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("cannot start cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cvconnect-bench failed with {status}"))
    }
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::json_string;

    #[test]
    fn json_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(json_string("a\"b\\c\nd\te"), r#""a\"b\\c\nd\u0009e""#);
    }
}
