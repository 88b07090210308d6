//! Which crate a symbol of the library belongs to, from its demangled name: Rust paths
//! name their crate; C and assembly symbols are told apart by their prefixes.

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

#[cfg(test)]
mod tests {
    use super::crate_of;

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
