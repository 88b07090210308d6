//! Client configuration, validated once at construction.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;

use super::error::ClientError;

/// How to reach the backend and where to keep local data; checked by `Client::new`.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Backend base URL, e.g. `https://api.cvconnect.example` (plain `http` is accepted
    /// for loopback hosts only, for the sandbox).
    pub base_url: String,
    /// Folder for the local SQLite database.
    pub data_dir: PathBuf,
    /// Longest wait for a TCP and TLS connection (5 s by default).
    pub connect_timeout: Duration,
    /// Longest wait for a whole request, answer included (15 s by default).
    pub request_timeout: Duration,
    /// SPKI pins, `sha256/<base64>`: a primary and a backup. When set, the client accepts
    /// only a server certificate whose public key matches one of them.
    pub spki_pins: Vec<String>,
    /// BCP 47 locale of user messages; v1 ships French only.
    pub locale: String,
    /// Retries of idempotent requests after a transport failure or a 5xx.
    pub max_retries: u32,
}

impl ClientConfig {
    /// The defaults for `base_url` and `data_dir`: French, no pins, two retries.
    pub fn new(base_url: impl Into<String>, data_dir: impl Into<PathBuf>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            data_dir: data_dir.into(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(15),
            spki_pins: Vec::new(),
            locale: "fr-FR".into(),
            max_retries: 2,
        }
    }

    /// The base URL without a trailing slash, after checking its scheme.
    pub(crate) fn checked_base_url(&self) -> Result<String, ClientError> {
        let url = self.base_url.trim_end_matches('/');
        let invalid = |reason: &str| ClientError::InvalidConfig {
            reason: reason.into(),
        };
        if let Some(rest) = url.strip_prefix("http://") {
            let host = rest.split(['/', ':']).next().unwrap_or_default();
            if !matches!(host, "127.0.0.1" | "localhost") && !rest.starts_with("[::1]") {
                return Err(invalid("plain http is only allowed on loopback"));
            }
            if !self.spki_pins.is_empty() {
                return Err(invalid("pins need an https URL"));
            }
        } else if !url.starts_with("https://") {
            return Err(invalid("base_url must start with https://"));
        }
        Ok(url.to_owned())
    }

    /// Decoded SHA-256 pins.
    pub(crate) fn decoded_pins(&self) -> Result<Vec<[u8; 32]>, ClientError> {
        self.spki_pins.iter().map(|pin| decode_pin(pin)).collect()
    }
}

fn decode_pin(pin: &str) -> Result<[u8; 32], ClientError> {
    let invalid = || ClientError::InvalidConfig {
        reason: format!("pin {pin:?} is not sha256/<base64 of 32 bytes>"),
    };
    let encoded = pin.strip_prefix("sha256/").ok_or_else(invalid)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| invalid())?;
    bytes.try_into().map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback() {
        let ok = ClientConfig::new("http://127.0.0.1:8080/", "/tmp");
        assert_eq!(ok.checked_base_url().unwrap(), "http://127.0.0.1:8080");
        let remote = ClientConfig::new("http://api.example.fr", "/tmp");
        assert!(remote.checked_base_url().is_err());
        let ftp = ClientConfig::new("ftp://x", "/tmp");
        assert!(ftp.checked_base_url().is_err());
    }

    #[test]
    fn pins_are_checked() {
        let mut config = ClientConfig::new("https://api.example.fr", "/tmp");
        config.spki_pins = vec![format!("sha256/{}", "A".repeat(43) + "=")];
        assert_eq!(config.decoded_pins().unwrap().len(), 1);
        config.spki_pins = vec!["md5/abc".into()];
        assert!(config.decoded_pins().is_err());
    }
}
