//! Running child commands with a readable trace and a useful error.

use std::path::{Path, PathBuf};
use std::process::Command;

pub type Result<T = ()> = std::result::Result<T, String>;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Runs `program args…` in the workspace root, echoing it first; fails on a non-zero exit.
pub fn run(program: &str, args: &[&str]) -> Result {
    run_in(&workspace_root(), program, args)
}

pub fn run_in(dir: &Path, program: &str, args: &[&str]) -> Result {
    eprintln!("\n$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .status()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed with {status}", args.join(" ")))
    }
}

pub fn cargo(args: &[&str]) -> Result {
    run(env!("CARGO"), args)
}
