//! The plumbing every client shares: base URL, default credential, JSON decoding of
//! answers and of the protocol's error body, and the optional [`Recorder`].

use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::record::{Answer, Recorder};
use crate::{ClientError, ClientResult};
use cvconnect_core::protocol::wire::ErrorBody;

#[derive(Debug, Clone)]
pub(crate) struct Http {
    http: reqwest::Client,
    base_url: String,
    /// The bearer of every call that names none (an API key, the admin token).
    bearer: Option<String>,
    recorder: Option<Recorder>,
}

impl Http {
    pub(crate) fn new(http: reqwest::Client, base_url: impl Into<String>) -> Http {
        let base_url = base_url.into().trim_end_matches('/').to_owned();
        Http {
            http,
            base_url,
            bearer: None,
            recorder: None,
        }
    }

    /// The same, with `bearer` sent by every call that names no other.
    pub(crate) fn with_bearer(mut self, bearer: impl Into<String>) -> Http {
        self.bearer = Some(bearer.into());
        self
    }

    /// The same, recording every answer into `recorder`.
    pub(crate) fn recorded_by(mut self, recorder: &Recorder) -> Http {
        self.recorder = Some(recorder.clone());
        self
    }

    pub(crate) fn request(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
    ) -> RequestBuilder {
        let request = self
            .http
            .request(method, format!("{}{}", self.base_url, path));
        match bearer.or(self.bearer.as_deref()) {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// `method path` without a body, answer decoded as `T`.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
    ) -> ClientResult<T> {
        self.send(self.request(method, path, bearer)).await
    }

    /// `method path` with a JSON body, answer decoded as `T`.
    pub(crate) async fn call_json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: &impl Serialize,
    ) -> ClientResult<T> {
        self.send(self.request(method, path, bearer).json(body))
            .await
    }

    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> ClientResult<T> {
        let (status, bytes) = self.fetch(request).await?;
        decode(status, &bytes)
    }

    /// For routes that answer without a body: any success will do.
    pub(crate) async fn send_empty(&self, request: RequestBuilder) -> ClientResult<()> {
        let (status, bytes) = self.fetch(request).await?;
        if status.is_success() {
            return Ok(());
        }
        decode::<Value>(status, &bytes).map(|_| ())
    }

    /// Sends, reads the whole answer, and records it.
    async fn fetch(&self, request: RequestBuilder) -> ClientResult<(StatusCode, Vec<u8>)> {
        let request = request.build()?;
        let method = request.method().clone();
        let url = request.url();
        let path = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let response = self.http.execute(request).await?;
        let status = response.status();
        let body = response.bytes().await?.to_vec();
        if let Some(recorder) = &self.recorder {
            recorder.record(Answer {
                method,
                path,
                status: status.as_u16(),
                body: body.clone(),
            });
        }
        Ok((status, body))
    }
}

fn decode<T: DeserializeOwned>(status: StatusCode, bytes: &[u8]) -> ClientResult<T> {
    let unexpected = || ClientError::Unexpected {
        status: status.as_u16(),
        body: String::from_utf8_lossy(bytes).into_owned(),
    };
    if status.is_success() {
        return serde_json::from_slice(bytes).map_err(|_| unexpected());
    }
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(body) => Err(ClientError::Api {
            status: status.as_u16(),
            error: body.error,
        }),
        Err(_) => Err(unexpected()),
    }
}

/// Path segment escaping for account references (e-mails) and ids.
pub(crate) fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
