//! Figure 5: size of the shipped library (`release-smaller` cdylib, stripped) and its
//! biggest contributors by crate, from the symbol table of the unstripped build
//! (`nm -S --size-sort -C`; the profile strips debug info only, so symbols remain).
//! Which crate a symbol belongs to is [`attribution`]; the goal, the row, the section
//! and the levers towards the stretch goal are [`report`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, Context, Result};

mod attribution;
mod report;

use attribution::crate_of;

pub const LIBRARY: &str = "libcvconnect_ffi.so";

pub struct Size {
    /// Stripped size and where it comes from.
    pub stripped: Option<(u64, String)>,
    pub unstripped: Option<(u64, PathBuf)>,
    /// Bytes of symbols per crate, biggest first.
    pub crates: Vec<(String, u64)>,
    /// Total bytes of sized symbols.
    pub symbol_total: u64,
    /// Sections of the stripped library, biggest first.
    pub sections: Vec<(String, u64)>,
    pub notes: Vec<String>,
}

/// The target folder this binary was built in (it runs as `<target>/<profile>/<name>`):
/// where cargo, run the same way by `cargo xtask bindings`, builds the library too,
/// whatever `CARGO_TARGET_DIR` or the cargo configuration says. `<root>/target` if the
/// executable's path is unknown.
fn target_dir(root: &Path) -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| root.join("target"))
}

pub fn run(root: &Path) -> Size {
    let shipped = root.join("build/lib").join(LIBRARY);
    let built = target_dir(root).join("release-smaller").join(LIBRARY);
    let mut notes = Vec::new();
    let unstripped = std::fs::metadata(&built)
        .ok()
        .map(|m| (m.len(), built.clone()));

    // The shipped copy if `cargo xtask bindings` made one, else a stripped copy of the
    // build made here the same way (`strip --strip-all`).
    let mut stripped_path = None;
    let mut stripped = None;
    if let Ok(meta) = std::fs::metadata(&shipped) {
        stripped = Some((meta.len(), "build/lib/libcvconnect_ffi.so".to_owned()));
        stripped_path = Some(shipped.clone());
    } else if unstripped.is_some() {
        let copy = std::env::temp_dir().join(format!("cvconnect-bench-{}.so", std::process::id()));
        match strip_copy(&built, &copy) {
            Ok(len) => {
                stripped = Some((
                    len,
                    "`strip --strip-all` copy of target/release-smaller/libcvconnect_ffi.so".into(),
                ));
                stripped_path = Some(copy);
            }
            Err(error) => notes.push(format!("strip failed: {error:#}")),
        }
    }

    let (crates, symbol_total) = match unstripped.as_ref().map(|(_, path)| crates_of(path)) {
        Some(Ok(found)) => found,
        Some(Err(error)) => {
            notes.push(format!("nm failed: {error:#}"));
            (Vec::new(), 0)
        }
        None => (Vec::new(), 0),
    };
    let sections = match &stripped_path {
        Some(path) => sections_of(path).unwrap_or_else(|error| {
            notes.push(format!("size -A failed: {error:#}"));
            Vec::new()
        }),
        None => Vec::new(),
    };
    if let Some(path) = stripped_path.filter(|p| *p != shipped) {
        let _ = std::fs::remove_file(path);
    }
    Size {
        stripped,
        unstripped,
        crates,
        symbol_total,
        sections,
        notes,
    }
}

fn strip_copy(from: &Path, to: &Path) -> Result<u64> {
    let status = Command::new("strip")
        .arg("--strip-all")
        .arg("-o")
        .arg(to)
        .arg(from)
        .status()
        .context("cannot run strip")?;
    if !status.success() {
        return Err(anyhow!("strip exited with {status}"));
    }
    Ok(std::fs::metadata(to)?.len())
}

fn crates_of(library: &Path) -> Result<(Vec<(String, u64)>, u64)> {
    let output = Command::new("nm")
        .args(["-S", "--size-sort", "-C"])
        .arg(library)
        .output()
        .context("cannot run nm")?;
    if !output.status.success() {
        return Err(anyhow!("nm exited with {}", output.status));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut by_crate: HashMap<String, u64> = HashMap::new();
    let mut total = 0;
    for line in text.lines() {
        // "<address> <size> <type> <name>"
        let mut parts = line.splitn(4, ' ');
        let (Some(_), Some(size), Some(_kind), Some(name)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let Ok(size) = u64::from_str_radix(size, 16) else {
            continue;
        };
        total += size;
        *by_crate.entry(crate_of(name)).or_default() += size;
    }
    let mut crates: Vec<(String, u64)> = by_crate.into_iter().collect();
    crates.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok((crates, total))
}

fn sections_of(library: &Path) -> Result<Vec<(String, u64)>> {
    let output = Command::new("size")
        .arg("-A")
        .arg(library)
        .output()
        .context("cannot run size")?;
    let text = String::from_utf8_lossy(&output.stdout);
    let mut sections: Vec<(String, u64)> = text
        .lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let name = parts.next()?;
            let size = parts.next()?.parse().ok()?;
            name.starts_with('.').then(|| (name.to_owned(), size))
        })
        .collect();
    sections.sort_by_key(|s| std::cmp::Reverse(s.1));
    Ok(sections)
}
