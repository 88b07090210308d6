//! Commands inside the Swift root: `unshare` gives them private mount and PID
//! namespaces, a shell mounts what they need there, and `chroot` enters the root with a
//! clean environment. When the command ends, its namespaces end with it: the mounts
//! vanish and any process it left behind is killed, whatever the way it ended.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::bindings::path_str;
use crate::cmd::Result;

/// The environment inside the root, besides what the caller adds.
const BASE_ENV: [&str; 4] = [
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME=/root",
    "LANG=C.UTF-8",
    "TMPDIR=/tmp",
];

/// Mounts each bind folder at the same path inside the root and a fresh `/proc`, then
/// runs the command in the root. `$1` is the root, then the folders, `--`, the command.
const SCRIPT: &str = r#"set -e
root=$1; shift
while [ "$1" != "--" ]; do mkdir -p "$root$1"; mount --bind "$1" "$root$1"; shift; done
shift
mount -t proc proc "$root/proc"
chroot "$root" "$@""#;

/// Runs `command` in `root` with `binds` mounted and `env` set; each line of its
/// standard output is echoed and handed to `seen`.
pub fn run(
    root: &Path,
    binds: &[PathBuf],
    env: &[(&str, &str)],
    command: &[&str],
    seen: &mut dyn FnMut(&str),
) -> Result {
    let shown: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    eprintln!("\n$ [swift root] {shown}{}", command.join(" "));
    let argv = command_line(root, binds, env, command)?;
    let mut unshare = Command::new(&argv[0]);
    unshare.args(&argv[1..]);
    super::stream(unshare, seen)
}

/// The command line that runs `command` in `root`, for [`run`] or a caller that starts
/// it itself (with its own pipes). `--kill-child`: if `unshare` is killed, the
/// namespace's first process dies, and everything in the namespace with it.
pub fn command_line(
    root: &Path,
    binds: &[PathBuf],
    env: &[(&str, &str)],
    command: &[&str],
) -> Result<Vec<String>> {
    let mut argv: Vec<String> = [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "--pid",
        "--fork",
        "--kill-child",
        "--",
        "/bin/sh",
        "-c",
        SCRIPT,
        "sh",
    ]
    .map(String::from)
    .to_vec();
    argv.push(path_str(root)?.to_owned());
    for bind in binds {
        argv.push(path_str(bind)?.to_owned());
    }
    argv.extend(["--", "/usr/bin/env", "-i"].map(String::from));
    argv.extend(BASE_ENV.iter().map(|v| v.to_string()));
    argv.extend(env.iter().map(|(k, v)| format!("{k}={v}")));
    argv.extend(command.iter().map(|c| c.to_string()));
    Ok(argv)
}
