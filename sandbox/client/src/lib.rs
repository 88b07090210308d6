//! Typed HTTP clients of the sandbox, for tests, the demo and emulator harnesses:
//! [`MerchantClient`] (merchant API), [`AdminClient`] (sandbox extras),
//! [`BeneficiaryClient`] (the raw beneficiary API) and [`SoftDevice`], a software
//! beneficiary device (P-256 key in memory) that enrolls, authenticates and confirms.
//!
//! Every call returns either the typed answer or a [`ClientError`] exposing the
//! protocol error (code, HTTP status, `attempts_left`, ...).
//!
//! Each client can also keep the raw answers ([`Recorder`]: method, path, status and
//! body bytes of every call), for callers that need the bytes rather than the types.
//!
//! reqwest is built with rustls but without a crypto provider: build clients with
//! [`http_client`] or [`tls_client_trusting`], which configure rustls with *ring*.

mod admin;
mod beneficiary;
mod http;
mod merchant;
mod proof;
mod record;
mod util;

use std::sync::Arc;

use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::ErrorInfo;

pub(crate) use http::{segment, Http};

pub use admin::{
    ActivationCode, AdminAccount, AdminClient, AdminDeviceList, ClockState, FaultKind, FaultView,
    Ledger, LedgerEntry, NewMerchant, PushFeed, PushNotification,
};
pub use beneficiary::{BeneficiaryClient, SoftDevice};
pub use merchant::MerchantClient;
pub use proof::{prove, RawAnswer, WireRequest};
pub use record::{Answer, Recorder};

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No valid HTTP answer (connection refused or dropped, TLS failure, timeout).
    #[error("transport error: {0}")]
    Transport(#[from] reqwest::Error),
    /// The server answered with the protocol's error body.
    #[error("HTTP {status}: {} ({})", .error.code, .error.message)]
    Api { status: u16, error: ErrorInfo },
    /// Any other answer (not the expected JSON).
    #[error("unexpected HTTP {status}: {body}")]
    Unexpected { status: u16, body: String },
    /// A local failure (signing, sealing, bad input).
    #[error("{0}")]
    Local(String),
}

impl ClientError {
    /// The protocol error code, when the server answered with one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Api { error, .. } => Some(ErrorCode::parse(&error.code)),
            _ => None,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } | ClientError::Unexpected { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// The protocol error body, when the server answered with one.
    pub fn info(&self) -> Option<&ErrorInfo> {
        match self {
            ClientError::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    pub fn is_transport(&self) -> bool {
        matches!(self, ClientError::Transport(_))
    }

    /// The error code as sent, as text (also for codes newer than this client).
    pub fn code_text(&self) -> Option<&str> {
        self.info().map(|info| info.code.as_str())
    }
}

pub type ClientResult<T> = Result<T, ClientError>;

fn ring_config(roots: rustls::RootCertStore) -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// A client for plain HTTP sandboxes (rustls configured with *ring*, no trusted roots).
/// It keeps cookies like a browser, so that it can drive the checkout page's API.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .use_preconfigured_tls(ring_config(rustls::RootCertStore::empty()))
        .cookie_store(true)
        .build()
        .expect("reqwest client with a preconfigured TLS config")
}

/// A client that trusts exactly the sandbox's self-signed certificate.
pub fn tls_client_trusting(cert_der: &[u8]) -> anyhow::Result<reqwest::Client> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls::pki_types::CertificateDer::from(cert_der.to_vec()))?;
    let mut config = ring_config(roots);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(reqwest::Client::builder()
        .use_preconfigured_tls(config)
        .cookie_store(true)
        .build()?)
}
