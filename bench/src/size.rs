//! Figure 5: size of the shipped library (`release-smaller` cdylib, stripped) and its
//! biggest contributors by crate, from the symbol table of the unstripped build
//! (`nm -S --size-sort -C`; the profile strips debug info only, so symbols remain).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, Context, Result};

pub const LIBRARY: &str = "libcvconnect_ffi.so";
pub const BUDGET: u64 = 5 * 1024 * 1024;
pub const STRETCH: u64 = 4 * 1024 * 1024;

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

pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        })
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

const STD: [&str; 5] = ["std", "core", "alloc", "hashbrown", "std_detect"];

/// The crate a demangled symbol belongs to. Generic code from the standard library is
/// charged to the first other crate named in the symbol (the type it was instantiated
/// for): `core::ptr::drop_in_place<reqwest::Response>` counts for reqwest. Symbols
/// without a Rust path are C or assembly (SQLite, ring's C and asm, uniffi entry
/// points).
pub fn crate_of(name: &str) -> String {
    let heads = path_heads(name);
    if heads.is_empty() {
        return c_owner(name).to_owned();
    }
    heads
        .iter()
        .find(|h| !STD.contains(h))
        .or_else(|| heads.first())
        .map(|h| if STD.contains(h) { "std/core/alloc" } else { h })
        .unwrap_or("?")
        .to_owned()
}

/// Identifiers that start a path (`ident::` not preceded by an identifier or `:`).
fn path_heads(name: &str) -> Vec<&str> {
    let bytes = name.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut heads = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if is_ident(bytes[i]) && (i == 0 || !(is_ident(bytes[i - 1]) || bytes[i - 1] == b':')) {
            let start = i;
            while i < bytes.len() && is_ident(bytes[i]) {
                i += 1;
            }
            let word = &name[start..i];
            // Legacy-mangled crate disambiguators show as `name[hash]`.
            let mut j = i;
            if j < bytes.len() && bytes[j] == b'[' {
                while j < bytes.len() && bytes[j] != b']' {
                    j += 1;
                }
                j += 1;
            }
            if name[j.min(name.len())..].starts_with("::")
                && !word.starts_with(|c: char| c.is_ascii_digit())
            {
                heads.push(word);
            }
        } else {
            i += 1;
        }
    }
    heads
}

fn c_owner(name: &str) -> &'static str {
    const RING: [&str; 16] = [
        "ring_core",
        "nistz",
        "ecp_",
        "aes",
        "gcm",
        "ghash",
        "chacha",
        "poly1305",
        "sha256_block",
        "sha512_block",
        "x25519",
        "p256",
        "p384",
        "bn_",
        "limbs",
        "GFp",
    ];
    const SQLITE_EXTRAS: [&str; 8] = [
        "fts3", "fts5", "Fts3", "Fts5", "json", "Json", "rtree", "geopoly",
    ];
    if name.starts_with("uniffi_") || name.starts_with("ffi_cvconnect") {
        "uniffi entry points"
    } else if name.contains("rust_") {
        "std/core/alloc"
    } else if RING.iter().any(|p| name.contains(p)) {
        "ring (C/asm)"
    } else if name.starts_with("__") {
        "compiler builtins"
    } else if SQLITE_EXTRAS.iter().any(|p| name.contains(p)) {
        "sqlite FTS3/FTS5/JSON/R-Tree (C)"
    } else {
        // ring and SQLite are the only C code linked in; ring's is matched above.
        "sqlite (C, bundled)"
    }
}

/// Levers towards 4 MiB: what to do, the crates it removes or shrinks, and whether
/// those crates would go entirely (counted in the total).
const LEVERS: [(&str, &[&str], bool); 7] = [
    (
        "drop reqwest's `http2` feature (the protocol and the sandbox speak HTTP/1.1; two \
         requests in flight use two pooled connections)",
        &["h2"],
        true,
    ),
    (
        "build the bundled SQLite without the extensions libsqlite3-sys enables by default \
         (FTS3/FTS5, JSON, R-Tree: `LIBSQLITE3_FLAGS`), which the store does not use",
        &["sqlite FTS3/FTS5/JSON/R-Tree (C)"],
        true,
    ),
    (
        "forward `tracing` events with a small hand-written layer instead of \
         tracing-subscriber's registry",
        &["tracing_subscriber", "sharded_slab"],
        true,
    ),
    (
        "replace reqwest by a thin hyper-util client (the core uses JSON requests, a \
         timeout and a pool only)",
        &["reqwest"],
        false,
    ),
    (
        "trim SQLite further with `SQLITE_OMIT_*` options, or link the system SQLite on iOS",
        &["sqlite (C, bundled)"],
        false,
    ),
    (
        "make SPKI pins mandatory in release builds and drop the bundled Mozilla roots \
         (static data in .rodata, not visible as symbols)",
        &[],
        false,
    ),
    (
        "drop `tls12` from rustls if the production backend is TLS 1.3 only (inside rustls)",
        &[],
        false,
    ),
];

/// Markdown: what would take the library under 4 MiB.
pub fn under_4_mib(s: &Size) -> String {
    let mut out = String::from("### What would take it under 4 MiB\n\n");
    let Some((bytes, _)) = s.stripped else {
        out.push_str("Unknown until the library is built.\n\n");
        return out;
    };
    if bytes <= STRETCH {
        out.push_str("It already is.\n\n");
        return out;
    }
    let needed = bytes - STRETCH;
    out.push_str(&format!(
        "{:.0} KiB must go. Candidates, with what the crates concerned weigh in this build:\n\n",
        needed as f64 / 1024.0
    ));
    let size_of = |name: &str| {
        s.crates
            .iter()
            .find(|(crate_name, _)| crate_name == name)
            .map_or(0, |(_, b)| *b)
    };
    let mut total = 0;
    for (lever, crates, removable) in LEVERS {
        let weight: u64 = crates.iter().map(|c| size_of(c)).sum();
        if removable {
            total += weight;
        }
        if crates.is_empty() {
            out.push_str(&format!("- {lever}: not separable by symbol\n"));
        } else {
            let named: Vec<String> = crates
                .iter()
                .map(|c| format!("{c} {} KiB", size_of(c) / 1024))
                .collect();
            out.push_str(&format!("- {lever}: {}\n", named.join(", ")));
        }
    }
    out.push_str(&format!(
        "\nThe first three remove about {} KiB of symbols outright (a little more of file, with \
         their unwind tables and literals) against {} KiB needed; the rest has to come from \
         the partial levers. `panic = \"abort\"` is not an option: the bindings rely on \
         unwinding to turn a Rust panic into a foreign exception (and .eh_frame / \
         .gcc_except_table are its price).\n\n",
        total / 1024,
        needed / 1024
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribution() {
        assert_eq!(
            crate_of("reqwest::async_impl::client::Client::execute"),
            "reqwest"
        );
        assert_eq!(
            crate_of("core::ptr::drop_in_place<hyper::proto::h1::conn::Conn<T>>"),
            "hyper"
        );
        assert_eq!(
            crate_of("<rustls::client::ClientConfig as core::fmt::Debug>::fmt"),
            "rustls"
        );
        assert_eq!(
            crate_of("<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop"),
            "std/core/alloc"
        );
        assert_eq!(crate_of("sqlite3VdbeExec"), "sqlite (C, bundled)");
        assert_eq!(
            crate_of("ring_core_0_17_14__x25519_fe_mul_ttt"),
            "ring (C/asm)"
        );
        assert_eq!(
            crate_of("uniffi_cvconnect_ffi_fn_method_cvclient_balance"),
            "uniffi entry points"
        );
        assert_eq!(crate_of("tokio[a1b2]::runtime::park"), "tokio");
        assert_eq!(crate_of("ecp_nistz256_precomputed"), "ring (C/asm)");
        assert_eq!(crate_of("balance_nonroot"), "sqlite (C, bundled)");
        assert_eq!(crate_of("fts5PorterCb"), "sqlite FTS3/FTS5/JSON/R-Tree (C)");
        assert_eq!(crate_of("rust_eh_personality"), "std/core/alloc");
        assert_eq!(crate_of("__floattidf"), "compiler builtins");
    }
}
