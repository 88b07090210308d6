//! The Debian 13 root holding the Swift toolchain: made once, then reused.
//!
//! Made in `<root>.partial` and renamed only once complete, so that an interrupted
//! creation is started again rather than taken for a root. Measured here: 44 s to 3
//! minutes (the mirror's speed) and 2.7 GB; debootstrap is a fraction of it, the
//! toolchain's packages the rest.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::bindings::path_str;
use crate::cmd::{run, succeeds, Result};

const SUITE: &str = "trixie";
const MIRROR: &str = "http://deb.debian.org/debian";
/// The toolchain, and what linking and TLS need besides (`libc6-dev`: `Scrt1.o`).
const PACKAGES: [&str; 6] = [
    "swiftlang",
    "libswiftlang",
    "libc6-dev",
    "libstdc++-14-dev",
    "ca-certificates",
    "libssl-dev",
];

/// The root, made first if it does not exist.
pub fn ensure() -> Result<PathBuf> {
    require_root_user()?;
    let root = location()?;
    // A link to /usr/libexec/…, which means something only inside the root.
    if fs::symlink_metadata(root.join("usr/bin/swift")).is_ok() {
        eprintln!("\nxtask: Swift root {} (cached)", root.display());
    } else {
        create(&root)?;
    }
    Ok(root)
}

/// `$CVCONNECT_SWIFT_ROOT`, else `~/.cache/cvconnect/swift-root`: outside the clone.
fn location() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CVCONNECT_SWIFT_ROOT") {
        return Ok(PathBuf::from(dir));
    }
    let home = std::env::var_os("HOME").ok_or("HOME is not set (or set CVCONNECT_SWIFT_ROOT)")?;
    Ok(PathBuf::from(home).join(".cache/cvconnect/swift-root"))
}

/// debootstrap, mount and chroot need root.
fn require_root_user() -> Result {
    let id = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| format!("cannot run id: {e}"))?;
    if String::from_utf8_lossy(&id.stdout).trim() == "0" {
        Ok(())
    } else {
        Err(
            "the Swift lane needs root (debootstrap, mount namespaces, chroot): run it as root"
                .into(),
        )
    }
}

fn create(root: &Path) -> Result {
    eprintln!(
        "\nxtask: creating the Swift root in {} (once: 1 to 3 minutes, 2.7 GB)",
        root.display()
    );
    let partial = root.with_extension("partial");
    if partial.exists() {
        fs::remove_dir_all(&partial)
            .map_err(|e| format!("cannot clean {}: {e}", partial.display()))?;
    }
    if let Some(parent) = root.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let debootstrap = debootstrap()?;
    run(
        &debootstrap,
        &["--variant=minbase", SUITE, path_str(&partial)?, MIRROR],
    )?;
    fs::copy("/etc/resolv.conf", partial.join("etc/resolv.conf"))
        .map_err(|e| format!("cannot copy /etc/resolv.conf: {e}"))?;
    apt_get(&partial, &["update"])?;
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend(PACKAGES);
    apt_get(&partial, &install)?;
    apt_get(&partial, &["clean"])?;
    fs::rename(&partial, root).map_err(|e| format!("cannot rename {}: {e}", partial.display()))
}

/// debootstrap on the host, installed with apt-get if missing.
fn debootstrap() -> Result<String> {
    for candidate in ["debootstrap", "/usr/sbin/debootstrap"] {
        if succeeds(candidate, &["--version"]) {
            return Ok(candidate.into());
        }
    }
    run("apt-get", &["update", "-qq"])?;
    run("apt-get", &["install", "-y", "-qq", "debootstrap"])?;
    Ok("/usr/sbin/debootstrap".into())
}

/// apt-get inside the new root (with its own /proc, gone afterwards).
fn apt_get(root: &Path, args: &[&str]) -> Result {
    let mut command = vec!["apt-get"];
    command.extend(args);
    super::chroot::run(
        root,
        &[],
        &[("DEBIAN_FRONTEND", "noninteractive")],
        &command,
        &mut |_| (),
    )
}

/// The root if it is already made, else why not; never makes one (for `cargo xtask
/// bench`, which uses Swift only when the lane has set it up).
pub fn existing() -> Result<PathBuf> {
    require_root_user()?;
    let root = location()?;
    if fs::symlink_metadata(root.join("usr/bin/swift")).is_ok() {
        Ok(root)
    } else {
        Err(format!(
            "no Swift root at {} (`cargo xtask test swift` makes it)",
            root.display()
        ))
    }
}
