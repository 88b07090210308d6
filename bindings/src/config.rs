//! [`ClientConfig`]: how an app builds its client. Unset values take the core's
//! defaults; values out of range are refused with `InvalidConfig`, never clamped.

use std::path::PathBuf;
use std::time::Duration;

use cvconnect_core::client::ClientConfig as CoreClientConfig;

use crate::errors::CvError;

/// How to build a client. Only the backend address and the data folder are required.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ClientConfig {
    /// The backend's base URL, "https://…". Plain "http" is accepted for loopback
    /// hosts only, for the sandbox.
    pub base_url: String,
    /// A folder private to the app, for the local database.
    pub data_dir: String,
    /// How long to wait for a connection, in milliseconds (default 5 000).
    #[uniffi(default = None)]
    pub connect_timeout_ms: Option<i32>,
    /// How long to wait for an answer, in milliseconds (default 15 000).
    #[uniffi(default = None)]
    pub request_timeout_ms: Option<i32>,
    /// Public-key pins of the backend's certificate, "sha256/<base64>": a primary and a
    /// backup. Empty means the system's certificate authorities alone.
    #[uniffi(default = [])]
    pub spki_pins: Vec<String>,
    /// Language of the messages for the user, as a BCP 47 tag; French only for now.
    #[uniffi(default = None)]
    pub locale: Option<String>,
    /// How many times a request that is safe to repeat is retried after a network
    /// failure or a server error (default 2).
    #[uniffi(default = None)]
    pub max_retries: Option<i32>,
}

impl TryFrom<ClientConfig> for CoreClientConfig {
    type Error = CvError;

    fn try_from(config: ClientConfig) -> Result<Self, CvError> {
        let mut core = CoreClientConfig::new(config.base_url, PathBuf::from(config.data_dir));
        if let Some(ms) = config.connect_timeout_ms {
            core.connect_timeout = positive_millis("connect_timeout_ms", ms)?;
        }
        if let Some(ms) = config.request_timeout_ms {
            core.request_timeout = positive_millis("request_timeout_ms", ms)?;
        }
        core.spki_pins = config.spki_pins;
        if let Some(locale) = config.locale {
            core.locale = locale;
        }
        if let Some(retries) = config.max_retries {
            core.max_retries = u32::try_from(retries).map_err(|_| CvError::InvalidConfig {
                reason: format!("max_retries must not be negative ({retries})"),
            })?;
        }
        Ok(core)
    }
}

fn positive_millis(name: &str, ms: i32) -> Result<Duration, CvError> {
    match u64::try_from(ms) {
        Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(CvError::InvalidConfig {
            reason: format!("{name} must be positive ({ms})"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ClientConfig {
        ClientConfig {
            base_url: "http://127.0.0.1:8787".into(),
            data_dir: "/tmp/x".into(),
            connect_timeout_ms: None,
            request_timeout_ms: None,
            spki_pins: Vec::new(),
            locale: None,
            max_retries: None,
        }
    }

    #[test]
    fn unset_config_values_keep_the_cores_defaults() {
        let core = CoreClientConfig::try_from(ClientConfig {
            request_timeout_ms: Some(2500),
            max_retries: Some(0),
            ..config()
        })
        .unwrap();
        let defaults = CoreClientConfig::new("http://127.0.0.1:8787", "/tmp/x");
        assert_eq!(core.connect_timeout, defaults.connect_timeout);
        assert_eq!(core.locale, defaults.locale);
        assert_eq!(core.request_timeout, Duration::from_millis(2500));
        assert_eq!(core.max_retries, 0);
        assert_eq!(core.data_dir, PathBuf::from("/tmp/x"));
    }

    #[test]
    fn negative_or_zero_values_are_refused() {
        for bad in [
            ClientConfig {
                connect_timeout_ms: Some(0),
                ..config()
            },
            ClientConfig {
                request_timeout_ms: Some(-1),
                ..config()
            },
            ClientConfig {
                max_retries: Some(-3),
                ..config()
            },
        ] {
            let error = CoreClientConfig::try_from(bad).unwrap_err();
            assert!(matches!(error, CvError::InvalidConfig { .. }), "{error:?}");
        }
    }
}
