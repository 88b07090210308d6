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
    run_with_env(dir, program, args, &[])
}

/// Like [`run_in`], with extra environment variables (echoed too).
pub fn run_with_env(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Result {
    let shown_env: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    eprintln!("\n$ {shown_env}{program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .status()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{program} {}` failed with {status}",
            args.join(" ")
        ))
    }
}

/// Whether `program args…` runs and succeeds, quietly (for probing tools).
pub fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

pub fn cargo(args: &[&str]) -> Result {
    run(env!("CARGO"), args)
}
