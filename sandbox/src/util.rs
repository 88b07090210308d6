//! Small helpers: random ids and tokens, hashes, base64url, validation, log masking.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::rand::{SecureRandom, SystemRandom};

pub use cvconnect_core::log::mask_email;
pub use cvconnect_core::protocol::push::is_valid_id;

/// `n` random bytes from the OS generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system random generator failed");
    bytes
}

pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Strict base64url without padding; `None` on anything else.
pub fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.as_bytes()).ok()
}

/// An idempotency key (merchant create §8, confirm §5.7, abandon §5.7.1): 16 to 64 id
/// characters.
pub fn is_idempotency_key(key: &str) -> bool {
    is_valid_id(key) && (16..=64).contains(&key.len())
}

/// A fresh opaque id: `prefix` followed by 16 random bytes in base64url.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", b64url(&random_bytes::<16>()))
}

/// A fresh secret token (32 random bytes, base64url).
pub fn new_token() -> String {
    b64url(&random_bytes::<32>())
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// Constant-time equality of two secrets (compared through their SHA-256).
pub fn secret_eq(a: &str, b: &str) -> bool {
    let (a, b) = (sha256(a.as_bytes()), sha256(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Trimmed, lowercased e-mail when it has 6 to 320 characters and exactly one `@`
/// with something on both sides.
pub fn normalize_email(text: &str) -> Option<String> {
    let email = text.trim().to_lowercase();
    let chars = email.chars().count();
    if !(6..=320).contains(&chars) || email.chars().any(char::is_whitespace) {
        return None;
    }
    let mut parts = email.split('@');
    let (local, domain) = (parts.next()?, parts.next()?);
    if parts.next().is_some() || local.is_empty() || domain.is_empty() {
        return None;
    }
    Some(email)
}

/// An 11-digit ANCV account number.
pub fn is_account_number(text: &str) -> bool {
    text.len() == 11 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The account reference of a merchant request: an 11-digit number as is, an e-mail
/// trimmed and lowercased; `None` for anything else.
pub fn account_reference(text: &str) -> Option<String> {
    let text = text.trim();
    if is_account_number(text) {
        return Some(text.to_owned());
    }
    normalize_email(text)
}

/// Account reference (e-mail or number) for logs.
pub fn mask_account(account: &str) -> String {
    if account.contains('@') {
        mask_email(account)
    } else {
        let tail: String = account
            .chars()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("********{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        let id = new_id("pay_");
        assert!(id.starts_with("pay_") && is_valid_id(&id));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("a b"));
        assert!(!is_valid_id(&"a".repeat(65)));
    }

    #[test]
    fn emails() {
        assert_eq!(
            normalize_email(" Camille@Example.fr ").as_deref(),
            Some("camille@example.fr")
        );
        assert_eq!(normalize_email("a@b"), None);
        assert_eq!(normalize_email("a@@example.fr"), None);
        assert_eq!(normalize_email("noatsign.fr"), None);
        assert_eq!(mask_email("camille.martin@example.fr"), "c***@example.fr");
        assert_eq!(mask_account("12345678901"), "********901");
    }

    #[test]
    fn secrets_compare() {
        assert!(secret_eq("abc", "abc"));
        assert!(!secret_eq("abc", "abd"));
    }
}
