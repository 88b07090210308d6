//! `cargo xtask test`: the README's test command. Runs every suite, in the order that
//! fails fastest: formatting, lints, Rust unit and end-to-end tests.

use crate::cmd::{cargo, Result};

pub fn run(_args: &[String]) -> Result {
    cargo(&["fmt", "--all", "--check"])?;
    cargo(&["clippy", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"])?;
    cargo(&["test", "--workspace", "--all-features"])?;
    eprintln!("\nxtask: all suites passed");
    Ok(())
}
