//! Looking for secrets where they must not be: in the client's SQLite files, in log
//! text, in memory. Tokens are never handed out by the client, so they are recognised
//! through the sandbox's own record: it keeps the SHA-256 of every live bearer token,
//! and every 43-character base64url window of the scanned bytes is hashed and looked
//! up there.

use std::collections::HashSet;
use std::path::Path;

use cvconnect_core::crypto::signer::SoftwareSigner;

/// Length of a sandbox bearer token: 32 random bytes in base64url.
pub const TOKEN_LEN: usize = 43;

/// The client's SQLite database, its WAL and its shared-memory file, concatenated.
pub fn stored_bytes(data_dir: &Path) -> Vec<u8> {
    let mut stored = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let file = data_dir.join(format!("{}{suffix}", cvconnect_core::client::DATABASE_FILE));
        if let Ok(bytes) = std::fs::read(file) {
            stored.extend_from_slice(&bytes);
        }
    }
    stored
}

/// Whether `needle` occurs in `haystack` (an empty needle never does).
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

/// Name of the PIN as ASCII digits among [`pin_forms`].
pub const PIN_ASCII: &str = "PIN as ASCII digits";

/// The byte strings a PIN can take in memory: ASCII digits (the keypad's entry, the
/// `Pin`, and the seal's plaintext, which encrypts exactly those), and raw digit
/// values (the keypad's layout holds digits as values 0 to 9).
pub fn pin_forms(pin: &str) -> [(&'static str, Vec<u8>); 2] {
    [
        (PIN_ASCII, pin.as_bytes().to_vec()),
        (
            "PIN as digit values",
            pin.bytes().map(|b| b - b'0').collect(),
        ),
    ]
}

/// Bytes before the digits in the seal's plaintext block `version ‖ E ‖ digits`
/// (protocol.md §7): the version byte and the 32-byte ephemeral X25519 key.
pub const SEAL_HEADER_LEN: usize = 1 + 32;

/// Name of a hit of the ASCII digits that sits where the seal's plaintext block puts
/// them (see [`in_seal_plaintext`]).
pub const PIN_SEAL_PLAINTEXT: &str = "PIN as the seal's plaintext";

/// Whether ASCII digits found at `position` of `bytes` sit where the seal's plaintext
/// block puts them: [`SEAL_HEADER_LEN`] bytes after the version byte. The key between
/// is random, so the block is recognised by its shape, not by a needle.
pub fn in_seal_plaintext(bytes: &[u8], position: usize) -> bool {
    position
        .checked_sub(SEAL_HEADER_LEN)
        .and_then(|version| bytes.get(version))
        == Some(&cvconnect_core::crypto::seal::SEAL_VERSION)
}

/// The private scalar of a ring P-256 PKCS#8 document (bytes 36..68, after the
/// `04 20` header of its OCTET STRING).
pub fn private_scalar(signer: &SoftwareSigner) -> Vec<u8> {
    let pkcs8 = signer.pkcs8_der();
    assert_eq!(pkcs8[34..36], [0x04, 0x20], "OCTET STRING of the scalar");
    pkcs8[36..68].to_vec()
}

/// SHA-256 of every bearer token the sandbox whose database is `database` knows now.
pub fn live_token_hashes(database: &Path) -> HashSet<[u8; 32]> {
    let conn =
        rusqlite::Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("sandbox database");
    let mut statement = conn.prepare("SELECT token_hash FROM tokens").unwrap();
    let hashes = statement
        .query_map([], |row| row.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|hash| hash.unwrap().try_into().expect("32-byte hash"))
        .collect();
    hashes
}

/// Maximal runs of base64url characters at least `min` long.
pub fn base64url_runs(bytes: &[u8], min: usize) -> Vec<&[u8]> {
    bytes
        .split(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_'))
        .filter(|run| run.len() >= min)
        .collect()
}

/// Whether any 43-character base64url window of `bytes` is a token the sandbox issued.
pub fn holds_a_live_token(bytes: &[u8], tokens: &HashSet<[u8; 32]>) -> bool {
    base64url_runs(bytes, TOKEN_LEN).into_iter().any(|run| {
        run.windows(TOKEN_LEN).any(|window| {
            let digest = ring::digest::digest(&ring::digest::SHA256, window);
            tokens.contains(<&[u8; 32]>::try_from(digest.as_ref()).unwrap())
        })
    })
}
