//! JSON over HTTP with the protocol's error mapping and retries.
//!
//! Only requests that are safe to repeat are retried: reads, and a confirmation, which
//! carries an idempotency key so the backend answers a repeat with the first answer.
//! Backoff is exponential with full jitter so a fleet of phones coming back online does
//! not hammer the backend in step.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use zeroize::Zeroizing;

use super::config::ClientConfig;
use super::error::{ClientError, HttpError};
use super::now_unix;
use super::tls;
use crate::protocol::errors::ErrorCode;
use crate::protocol::proof::SERVER_TIME_HEADER;
use crate::protocol::wire::ErrorBody;

/// Largest response body the client reads.
const MAX_RESPONSE_BYTES: usize = 256 * 1024;
const BACKOFF_BASE: Duration = Duration::from_millis(100);

/// Aborts the process at a named point of a confirmation when a killed-app test chose
/// that point (`test_hooks::crash`), optionally only `if` a condition holds; compiles
/// to nothing without the `test-hooks` feature.
macro_rules! crash_point {
    ($point:ident) => {
        crash_point!($point if true)
    };
    ($point:ident if $when:expr) => {
        #[cfg(feature = "test-hooks")]
        if $when {
            $crate::test_hooks::crash::reach($crate::test_hooks::crash::CrashPoint::$point);
        }
    };
}
pub(crate) use crash_point;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Safe to send again: GET, or a POST with an idempotency key.
    Idempotent,
    Never,
}

pub(crate) struct Request<'a, B: Serialize> {
    pub method: Method,
    pub path: &'a str,
    pub body: Option<&'a B>,
    pub idempotency_key: Option<&'a str>,
    pub retry: Retry,
}

impl<'a> Request<'a, ()> {
    pub fn get(path: &'a str) -> Self {
        Request {
            method: Method::GET,
            path,
            body: None,
            idempotency_key: None,
            retry: Retry::Idempotent,
        }
    }
}

impl<'a, B: Serialize> Request<'a, B> {
    pub fn post(path: &'a str, body: Option<&'a B>, retry: Retry) -> Self {
        Request {
            method: Method::POST,
            path,
            body,
            idempotency_key: None,
            retry,
        }
    }
}

/// What an `Authorization` header is made from: the request as it goes on the wire.
pub(crate) struct Outgoing<'a> {
    pub method: &'a Method,
    /// Path and query, as sent.
    pub target: &'a str,
    /// The body's bytes; empty without a body.
    pub body: &'a [u8],
}

pub(crate) struct Http {
    client: reqwest::Client,
    base_url: String,
    max_retries: u32,
    /// The server's clock minus ours, in seconds, from its last answer that said.
    server_offset: AtomicI64,
}

impl Http {
    /// Builds the HTTP stack. No network I/O happens here.
    pub fn new(config: &ClientConfig) -> Result<Http, ClientError> {
        let base_url = config.checked_base_url()?;
        let tls =
            tls::client_config(config.decoded_pins()?).map_err(|e| ClientError::InvalidConfig {
                reason: format!("TLS: {e}"),
            })?;
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(concat!("cvconnect-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::InvalidConfig {
                reason: format!("HTTP client: {e}"),
            })?;
        Ok(Http {
            client,
            base_url,
            max_retries: config.max_retries,
            server_offset: AtomicI64::new(0),
        })
    }

    /// The server's time as this device estimates it, in Unix seconds.
    pub fn server_now(&self) -> i64 {
        now_unix().saturating_add(self.server_offset.load(Ordering::Relaxed))
    }

    pub async fn send<T: DeserializeOwned, B: Serialize>(
        &self,
        request: &Request<'_, B>,
    ) -> Result<T, HttpError> {
        self.send_with(request, |_| Ok::<_, HttpError>(None)).await
    }

    /// Sends `request` with the `Authorization` header `authorize` makes for each
    /// attempt (a proof serves one attempt only), retrying what is safe to retry.
    pub async fn send_with<T, B, E>(
        &self,
        request: &Request<'_, B>,
        authorize: impl Fn(&Outgoing<'_>) -> Result<Option<Zeroizing<String>>, E>,
    ) -> Result<T, E>
    where
        T: DeserializeOwned,
        B: Serialize,
        E: From<HttpError>,
    {
        let body = match request.body {
            Some(body) => serde_json::to_vec(body)
                .map_err(|e| protocol_error(&format!("unencodable request: {e}")))?,
            None => Vec::new(),
        };
        let mut attempt = 0;
        loop {
            let outgoing = Outgoing {
                method: &request.method,
                target: request.path,
                body: &body,
            };
            let authorization = authorize(&outgoing)?;
            let result = self
                .send_once(request, authorization.as_deref().map(String::as_str), &body)
                .await;
            let retryable = matches!(
                result,
                Err(HttpError::Offline | HttpError::Timeout | HttpError::Server { .. })
            );
            if !retryable || request.retry == Retry::Never || attempt >= self.max_retries {
                return result.map_err(E::from);
            }
            tracing::debug!(
                path = request.path,
                attempt,
                "retrying after a transient failure"
            );
            tokio::time::sleep(backoff(attempt)).await;
            attempt += 1;
        }
    }

    async fn send_once<T: DeserializeOwned, B: Serialize>(
        &self,
        request: &Request<'_, B>,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Result<T, HttpError> {
        let url = format!("{}{}", self.base_url, request.path);
        let mut builder = self.client.request(request.method.clone(), url);
        if let Some(authorization) = authorization {
            let mut value = reqwest::header::HeaderValue::from_str(authorization)
                .map_err(|_| protocol_error("unencodable Authorization header"))?;
            value.set_sensitive(true);
            builder = builder.header(reqwest::header::AUTHORIZATION, value);
        }
        if let Some(key) = request.idempotency_key {
            builder = builder.header("Idempotency-Key", key);
        }
        if request.body.is_some() {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        let response = builder.send().await.map_err(transport_error)?;
        // A confirmation (the one request with an idempotency key) was processed: its
        // answer's head is here, its body not yet read.
        crash_point!(AfterSend if request.idempotency_key.is_some());
        self.learn_server_time(response.headers());
        let status = response.status();
        let bytes = response.bytes().await.map_err(transport_error)?;
        if bytes.len() > MAX_RESPONSE_BYTES {
            return Err(protocol_error("response too large"));
        }
        decode(status, &bytes)
    }

    fn learn_server_time(&self, headers: &reqwest::header::HeaderMap) {
        let server_time = headers
            .get(SERVER_TIME_HEADER)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.parse::<i64>().ok());
        if let Some(server_time) = server_time {
            let offset = server_time.saturating_sub(now_unix());
            self.server_offset.store(offset, Ordering::Relaxed);
        }
    }
}

pub(crate) fn decode<T: DeserializeOwned>(
    status: StatusCode,
    bytes: &[u8],
) -> Result<T, HttpError> {
    if status.is_success() {
        let body: &[u8] = if bytes.is_empty() { b"null" } else { bytes };
        return serde_json::from_slice(body)
            .map_err(|e| protocol_error(&format!("undecodable {status} body: {e}")));
    }
    if status.is_server_error() {
        return Err(HttpError::Server {
            status: status.as_u16(),
        });
    }
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(ErrorBody { error }) => Err(HttpError::Api {
            code: ErrorCode::parse(&error.code),
            status: status.as_u16(),
            message: error.message,
            attempts_left: error.attempts_left,
            payment_status: error.status,
        }),
        Err(_) => Err(protocol_error(&format!(
            "HTTP {status} without an error body"
        ))),
    }
}

fn protocol_error(detail: &str) -> HttpError {
    HttpError::Protocol {
        detail: detail.to_owned(),
    }
}

fn transport_error(error: reqwest::Error) -> HttpError {
    if is_certificate_error(&error) {
        HttpError::CertificateRejected
    } else if error.is_timeout() {
        HttpError::Timeout
    } else {
        HttpError::Offline
    }
}

fn is_certificate_error(error: &reqwest::Error) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = next {
        if let Some(rustls::Error::InvalidCertificate(_)) = current.downcast_ref::<rustls::Error>()
        {
            return true;
        }
        // An io::Error reports its inner error's source, not the inner error itself.
        next = match current
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => current.source(),
        };
    }
    false
}

/// Full-jitter exponential backoff: uniform in [0, base·2^attempt], capped at 2 s.
fn backoff(attempt: u32) -> Duration {
    let ceiling = (BACKOFF_BASE * 2u32.saturating_pow(attempt)).min(Duration::from_secs(2));
    let mut byte = [0u8; 2];
    let fraction = match ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut byte)
    {
        Ok(()) => f64::from(u16::from_le_bytes(byte)) / f64::from(u16::MAX),
        Err(_) => 0.5,
    };
    ceiling.mul_f64(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_its_ceiling() {
        for attempt in 0..10 {
            assert!(backoff(attempt) <= Duration::from_secs(2));
        }
        assert!(backoff(0) <= BACKOFF_BASE);
    }

    #[test]
    fn error_bodies_become_typed_errors() {
        let body = br#"{"error":{"code":"authentication_failed","message":"Code personnel incorrect.","attempts_left":1}}"#;
        let error = decode::<()>(StatusCode::FORBIDDEN, body).unwrap_err();
        assert!(matches!(
            error,
            HttpError::Api {
                code: ErrorCode::AuthenticationFailed,
                attempts_left: Some(1),
                ..
            }
        ));
        let unknown = br#"{"error":{"code":"brand_new","message":"x"}}"#;
        let error = decode::<()>(StatusCode::CONFLICT, unknown).unwrap_err();
        assert!(matches!(
            error,
            HttpError::Api {
                code: ErrorCode::Unknown,
                ..
            }
        ));
        let garbage = decode::<()>(StatusCode::BAD_REQUEST, b"<html>").unwrap_err();
        assert!(matches!(garbage, HttpError::Protocol { .. }));
        let server = decode::<()>(StatusCode::BAD_GATEWAY, b"").unwrap_err();
        assert_eq!(server, HttpError::Server { status: 502 });
    }

    #[test]
    fn empty_success_decodes_as_unit() {
        decode::<()>(StatusCode::NO_CONTENT, b"").unwrap();
    }
}
