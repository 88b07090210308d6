//! `cargo xtask bench`: runs the benchmark binary in release mode, which writes
//! docs/benchmarks.md; extra arguments (`--quick`, `--phones N`, `--only 1,1c`) pass
//! through.
//!
//! First it prepares the drivers of the bindings' figures, each described to
//! cvconnect-bench in a variable holding a JSON object, `{"argv": [...], …}` or
//! `{"skipped": "why"}` (the report then says the figure was not measured, and why):
//!
//! - the shipped library and its bindings (`cargo xtask bindings`), so that the Python
//!   figure (1b) and the library size measure the working tree;
//! - the Swift driver (figure 1d) when the Swift root exists ([`swift::bench_driver`]),
//!   in `CVCONNECT_BENCH_SWIFT`, with `"scratch"`, a folder it can see;
//! - the Kotlin driver (figure 1e) when Maven and a JDK are there: the shipped jar
//!   installed (`cargo xtask package kotlin`), `bench/kotlin` compiled, and the `java`
//!   command that runs it, in `CVCONNECT_BENCH_KOTLIN`.

use std::path::Path;
use std::process::Command;

use crate::bindings::{self, Variant};
use crate::cmd::{self, succeeds, workspace_root, Result};
use crate::package;
use crate::swift::bench_driver;

/// The variables cvconnect-bench reads (bench/src/foreign/drivers.rs).
const SWIFT_ENV: &str = "CVCONNECT_BENCH_SWIFT";
const KOTLIN_ENV: &str = "CVCONNECT_BENCH_KOTLIN";

/// The Kotlin driver's Maven module and its main class.
const KOTLIN_POM: &str = "bench/kotlin/pom.xml";
const KOTLIN_MAIN: &str = "fr.cvconnect.bench.PushToScreenKt";

pub fn run(args: &[String]) -> Result {
    let bindings = bindings::generate(Variant::Shipped);
    if let Err(reason) = &bindings {
        eprintln!("\nxtask: bench: the shipped bindings were not rebuilt: {reason}");
    }
    let swift = spec("Swift", swift_driver());
    let kotlin = spec("Kotlin", bindings.and_then(|()| kotlin_driver()));
    let mut argv = vec!["run", "--release", "-p", "cvconnect-bench", "--"];
    argv.extend(["--out", "docs/benchmarks.md"]);
    argv.extend(args.iter().map(String::as_str));
    eprintln!("\n$ {SWIFT_ENV}=… {KOTLIN_ENV}=… cargo {}", argv.join(" "));
    let status = Command::new(env!("CARGO"))
        .args(&argv)
        .env(SWIFT_ENV, swift)
        .env(KOTLIN_ENV, kotlin)
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("cannot start cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cvconnect-bench failed with {status}"))
    }
}

/// The JSON object of a driver: its fields, or why it is skipped (said here too).
fn spec(language: &str, driver: Result<String>) -> String {
    driver.unwrap_or_else(|reason| {
        eprintln!("\nxtask: bench: the {language} binding will not be measured: {reason}");
        format!("{{\"skipped\": {}}}", json_string(&reason))
    })
}

/// `"argv": [...]` of `argv`.
fn argv_field(argv: &[String]) -> String {
    let argv: Vec<String> = argv.iter().map(|a| json_string(a)).collect();
    format!("\"argv\": [{}]", argv.join(", "))
}

fn swift_driver() -> Result<String> {
    let driver = bench_driver::build()?;
    let scratch = driver.scratch.to_string_lossy();
    Ok(format!(
        "{{{}, \"scratch\": {}}}",
        argv_field(&driver.argv),
        json_string(&scratch)
    ))
}

/// Installs the shipped jar, compiles bench/kotlin against it and returns the `java`
/// command that runs the driver.
fn kotlin_driver() -> Result<String> {
    if !succeeds("mvn", &["-v"]) || !succeeds("java", &["-version"]) {
        return Err("this figure needs Maven (mvn) and a JDK 17+ on PATH".into());
    }
    package::jar(Variant::Shipped)?;
    cmd::run("mvn", &["-B", "-q", "-f", KOTLIN_POM, "compile"])?;
    let target = workspace_root().join("bench/kotlin/target");
    let classpath = read_classpath(&target)?;
    let argv = [
        "java".to_owned(),
        "-cp".to_owned(),
        format!("{}:{classpath}", target.join("classes").display()),
        KOTLIN_MAIN.to_owned(),
    ];
    Ok(format!("{{{}}}", argv_field(&argv)))
}

/// The run-time classpath Maven wrote (maven-dependency-plugin, `build-classpath`).
fn read_classpath(target: &Path) -> Result<String> {
    let file = target.join("classpath.txt");
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    Ok(text.trim().to_owned())
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
    use super::{argv_field, json_string};

    #[test]
    fn json_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(json_string("a\"b\\c\nd\te"), r#""a\"b\\c\nd\u0009e""#);
    }

    #[test]
    fn an_argv_is_a_json_array_of_strings() {
        let argv = ["java".to_owned(), "-cp".to_owned(), "a:\"b\"".to_owned()];
        assert_eq!(argv_field(&argv), r#""argv": ["java", "-cp", "a:\"b\""]"#);
    }
}
