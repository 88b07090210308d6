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
    /// How requests prove which device sends them; [`RequestAuth::DeviceProof`] by
    /// default.
    pub request_auth: RequestAuth,
}

/// How the device authenticates its requests (protocol.md §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequestAuth {
    /// Protocol v1.1: every request carries a proof signed by the device key. No round
    /// trip before the first request, and nothing a thief of the traffic could reuse.
    #[default]
    DeviceProof,
    /// Protocol v1: a bearer token obtained by signing a server challenge, for backends
    /// that do not speak v1.1 yet.
    BearerToken,
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
            request_auth: RequestAuth::default(),
        }
    }

    /// The base URL without a trailing slash, after checking its scheme and host.
    ///
    /// The URL is read by the parser the transport itself uses (`reqwest::Url`), so the
    /// host checked here is the host connected to: a text test would take the user in
    /// `http://localhost:1@evil.example` for the host. The URL returned is the parser's
    /// own spelling of it, so no other reading of the original text is ever used.
    pub(crate) fn checked_base_url(&self) -> Result<String, ClientError> {
        let invalid = |reason: &str| ClientError::InvalidConfig {
            reason: reason.into(),
        };
        let url = reqwest::Url::parse(&self.base_url).map_err(|_| invalid(NOT_A_URL))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(CREDENTIALS_IN_URL));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(QUERY_IN_URL));
        }
        match url.scheme() {
            "https" => {}
            "http" if !is_loopback(&url) => return Err(invalid(PLAIN_HTTP_OFF_LOOPBACK)),
            "http" if !self.spki_pins.is_empty() => return Err(invalid(PINS_NEED_HTTPS)),
            "http" => {}
            _ => return Err(invalid(NOT_HTTPS)),
        }
        Ok(url.as_str().trim_end_matches('/').to_owned())
    }

    /// Decoded SHA-256 pins.
    pub(crate) fn decoded_pins(&self) -> Result<Vec<[u8; 32]>, ClientError> {
        self.spki_pins.iter().map(|pin| decode_pin(pin)).collect()
    }
}

/// Why a base URL is refused (the `reason` of `ClientError::InvalidConfig`).
const NOT_A_URL: &str = "base_url is not a URL";
const CREDENTIALS_IN_URL: &str = "base_url must not hold a user or password";
const QUERY_IN_URL: &str = "base_url must not hold a query or fragment";
const PLAIN_HTTP_OFF_LOOPBACK: &str = "plain http is only allowed on loopback";
const PINS_NEED_HTTPS: &str = "pins need an https URL";
const NOT_HTTPS: &str = "base_url must start with https://";

/// Plain HTTP is for the sandbox on this machine: `127.0.0.1`, `[::1]` or `localhost`,
/// as the parser reads the host (not a name that merely starts like one). The parser
/// writes addresses in one canonical form (`127.1` and `[0::1]` come out as
/// `127.0.0.1` and `[::1]`), so comparing its text is exact.
fn is_loopback(url: &reqwest::Url) -> bool {
    matches!(url.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"))
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

    /// The reason `checked_base_url` gives for `url`, or the URL it keeps.
    fn checked(url: &str) -> Result<String, String> {
        ClientConfig::new(url, "/tmp")
            .checked_base_url()
            .map_err(|error| match error {
                ClientError::InvalidConfig { reason } => reason,
                other => panic!("{url}: not InvalidConfig but {other:?}"),
            })
    }

    #[test]
    fn plain_http_only_on_loopback() {
        for (url, kept) in [
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
            ("http://localhost:8080", "http://localhost:8080"),
            ("http://[::1]", "http://[::1]"),
            ("http://[::1]:8080/", "http://[::1]:8080"),
            ("HTTP://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("https://api.example.fr/", "https://api.example.fr"),
            ("https://api.example.fr/v2/", "https://api.example.fr/v2"),
        ] {
            assert_eq!(checked(url).as_deref(), Ok(kept), "{url}");
        }
    }

    /// What an attacker who can shape the URL would try, each refused for its own reason.
    #[test]
    fn plain_http_elsewhere_is_refused_with_its_reason() {
        let wrong = [
            ("http://api.example.fr", PLAIN_HTTP_OFF_LOOPBACK),
            ("HTTP://api.example.fr", PLAIN_HTTP_OFF_LOOPBACK),
            ("http://127.0.0.1.evil.example", PLAIN_HTTP_OFF_LOOPBACK),
            ("http://localhost.evil", PLAIN_HTTP_OFF_LOOPBACK),
            ("http://localhost.evil:8080/", PLAIN_HTTP_OFF_LOOPBACK),
            ("http://[::2]", PLAIN_HTTP_OFF_LOOPBACK),
            ("http://127.0.0.2", PLAIN_HTTP_OFF_LOOPBACK),
            // userinfo: the host is what follows the `@`.
            ("http://127.0.0.1@evil.example", CREDENTIALS_IN_URL),
            ("http://localhost:8080@evil.example", CREDENTIALS_IN_URL),
            ("http://[::1]@evil.example", CREDENTIALS_IN_URL),
            ("http://[::1]:1@evil.example/", CREDENTIALS_IN_URL),
            ("https://user:secret@api.example.fr", CREDENTIALS_IN_URL),
            ("http://localhost?@evil.example", QUERY_IN_URL),
            ("http://localhost#@evil.example", QUERY_IN_URL),
            ("ftp://x", NOT_HTTPS),
            ("localhost:8080", NOT_HTTPS),
            ("http://", NOT_A_URL),
            ("127.0.0.1", NOT_A_URL),
        ]
        .into_iter()
        .map(|(url, reason)| (url, checked(url), reason))
        .filter(|(_, got, reason)| got.as_ref().err().map(String::as_str) != Some(*reason))
        .collect::<Vec<_>>();
        assert!(wrong.is_empty(), "(url, got, expected reason): {wrong:#?}");
    }

    #[test]
    fn pins_need_https() {
        let mut config = ClientConfig::new("http://127.0.0.1:8080", "/tmp");
        config.spki_pins = vec![format!("sha256/{}", "A".repeat(43) + "=")];
        let error = config.checked_base_url().unwrap_err();
        assert!(
            matches!(&error, ClientError::InvalidConfig { reason } if reason == PINS_NEED_HTTPS),
            "{error:?}"
        );
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
