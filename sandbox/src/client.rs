//! Typed HTTP clients of the sandbox, for tests, the demo and emulator harnesses:
//! [`MerchantClient`] (merchant API), [`AdminClient`] (sandbox extras),
//! [`BeneficiaryClient`] (the raw beneficiary API) and [`SoftDevice`], a software
//! beneficiary device (P-256 key in memory) that enrolls, authenticates and confirms.
//!
//! Every call returns either the typed answer or a [`ClientError`] exposing the
//! protocol error (code, HTTP status, `attempts_left`, ...).
//!
//! reqwest is built with rustls but without a crypto provider: build clients with
//! [`http_client`] or [`tls_client_trusting`], which configure rustls with *ring*.

use std::collections::BTreeMap;
use std::sync::Arc;

use cvconnect_core::amount::Amount;
use cvconnect_core::crypto::confirmation::sign_confirmation;
use cvconnect_core::crypto::signer::{DeviceSigner, SoftwareSigner};
use cvconnect_core::pin::Pin;
use cvconnect_core::protocol::canonical::{auth_bytes, enrollment_bytes};
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{
    BalanceResponse, ChallengeRequest, ChallengeResponse, ConfirmRequest, ConfirmResponse,
    DeclineResponse, EnrollRequest, EnrollResponse, ErrorBody, ErrorInfo, MerchantPayment,
    PaymentDetail, PaymentList, Platform, PushTokenRequest, TokenRequest, TokenResponse,
};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::faults::FaultKind;
use crate::util::b64url;

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
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .use_preconfigured_tls(ring_config(rustls::RootCertStore::empty()))
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
        .build()?)
}

/// Shared plumbing: base URL, bearer, JSON decoding of answers and errors.
#[derive(Debug, Clone)]
struct Http {
    http: reqwest::Client,
    base_url: String,
}

impl Http {
    fn new(http: reqwest::Client, base_url: impl Into<String>) -> Http {
        let base_url = base_url.into().trim_end_matches('/').to_owned();
        Http { http, base_url }
    }

    fn request(&self, method: Method, path: &str, bearer: Option<&str>) -> RequestBuilder {
        let request = self
            .http
            .request(method, format!("{}{}", self.base_url, path));
        match bearer {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn send<T: DeserializeOwned>(&self, request: RequestBuilder) -> ClientResult<T> {
        let response = request.send().await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        decode(status, &bytes)
    }

    async fn send_empty(&self, request: RequestBuilder) -> ClientResult<()> {
        let response = request.send().await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        if status.is_success() {
            return Ok(());
        }
        decode::<Value>(status, &bytes).map(|_| ())
    }
}

fn decode<T: DeserializeOwned>(status: StatusCode, bytes: &[u8]) -> ClientResult<T> {
    if status.is_success() {
        return serde_json::from_slice(bytes).map_err(|_| ClientError::Unexpected {
            status: status.as_u16(),
            body: String::from_utf8_lossy(bytes).into_owned(),
        });
    }
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(body) => Err(ClientError::Api {
            status: status.as_u16(),
            error: body.error,
        }),
        Err(_) => Err(ClientError::Unexpected {
            status: status.as_u16(),
            body: String::from_utf8_lossy(bytes).into_owned(),
        }),
    }
}

/// Path segment escaping for account references (e-mails) and ids.
fn segment(text: &str) -> String {
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

// ---------------------------------------------------------------- merchant

/// The merchant API (protocol §8) with one API key.
#[derive(Debug, Clone)]
pub struct MerchantClient {
    http: Http,
    api_key: String,
}

impl MerchantClient {
    pub fn new(
        http: reqwest::Client,
        base_url: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Self {
        MerchantClient {
            http: Http::new(http, base_url),
            api_key: api_key.into(),
        }
    }

    /// `POST /v1/merchant/payment-requests`.
    pub async fn create_payment(
        &self,
        account: &str,
        total: Amount,
        order_ref: Option<&str>,
    ) -> ClientResult<MerchantPayment> {
        let mut body = json!({"account": account, "total": total.to_plain()});
        if let Some(order_ref) = order_ref {
            body["order_ref"] = json!(order_ref);
        }
        let request = self
            .http
            .request(
                Method::POST,
                "/v1/merchant/payment-requests",
                Some(&self.api_key),
            )
            .json(&body);
        self.http.send(request).await
    }

    /// `GET /v1/merchant/payment-requests/{id}`.
    pub async fn payment(&self, id: &str) -> ClientResult<MerchantPayment> {
        let path = format!("/v1/merchant/payment-requests/{}", segment(id));
        self.http
            .send(self.http.request(Method::GET, &path, Some(&self.api_key)))
            .await
    }

    /// `POST /v1/merchant/payment-requests/{id}/cancel`.
    pub async fn cancel(&self, id: &str) -> ClientResult<MerchantPayment> {
        let path = format!("/v1/merchant/payment-requests/{}/cancel", segment(id));
        self.http
            .send(self.http.request(Method::POST, &path, Some(&self.api_key)))
            .await
    }
}

// ---------------------------------------------------------------- admin

/// An account as the admin routes show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminAccount {
    pub account_id: String,
    pub email: String,
    pub account_number: String,
    pub balance: Amount,
    pub pin_length: u8,
    pub failed_attempts: u8,
    pub pin_locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationCode {
    pub code: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMerchant {
    pub merchant_id: String,
    pub name: String,
    pub api_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockState {
    /// Server time after the move (Unix seconds).
    pub now: i64,
    /// Total offset from the wall clock.
    pub offset_secs: i64,
}

/// One recorded push notification, with its FCM v1 message and APNs payload
/// (the JSON `xcrun simctl push <device> fr.ancv.cvconnect payload.json` accepts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushNotification {
    pub seq: i64,
    pub device_id: String,
    pub payment_id: String,
    pub message_id: String,
    pub push_token: Option<String>,
    pub created_at: i64,
    pub title: String,
    pub body: String,
    pub data: BTreeMap<String, String>,
    pub fcm: Value,
    pub apns: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushFeed {
    pub notifications: Vec<PushNotification>,
    /// The `after` to pass next time.
    pub next_after: i64,
    pub last_seq: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub seq: i64,
    pub payment_id: String,
    pub account_id: String,
    pub merchant_id: String,
    pub device_id: String,
    pub amount: Amount,
    pub balance_after: Amount,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub entries: Vec<LedgerEntry>,
    pub total: Amount,
}

/// An armed fault, as `POST /admin/faults` echoes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultView {
    pub route: String,
    pub kind: FaultKind,
    pub delay_ms: u64,
    pub count: u32,
}

/// The sandbox admin routes (protocol §10), with the admin token.
#[derive(Debug, Clone)]
pub struct AdminClient {
    http: Http,
    token: String,
}

impl AdminClient {
    pub fn new(
        http: reqwest::Client,
        base_url: impl Into<String>,
        admin_token: impl Into<String>,
    ) -> Self {
        AdminClient {
            http: Http::new(http, base_url),
            token: admin_token.into(),
        }
    }

    fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, path, Some(&self.token))
    }

    /// `POST /admin/accounts`.
    pub async fn create_account(
        &self,
        email: &str,
        account_number: &str,
        balance: Amount,
        pin: &str,
    ) -> ClientResult<AdminAccount> {
        let body = json!({"email": email, "account_number": account_number,
                          "balance": balance.to_plain(), "pin": pin});
        self.http
            .send(self.req(Method::POST, "/admin/accounts").json(&body))
            .await
    }

    /// `GET /admin/accounts/{account}` (id, e-mail or account number).
    pub async fn account(&self, account: &str) -> ClientResult<AdminAccount> {
        let path = format!("/admin/accounts/{}", segment(account));
        self.http.send(self.req(Method::GET, &path)).await
    }

    /// `PUT /admin/accounts/{account}/balance`.
    pub async fn set_balance(&self, account: &str, balance: Amount) -> ClientResult<AdminAccount> {
        let path = format!("/admin/accounts/{}/balance", segment(account));
        let body = json!({"balance": balance.to_plain()});
        self.http
            .send(self.req(Method::PUT, &path).json(&body))
            .await
    }

    /// `POST /admin/accounts/{account}/unlock`: resets the wrong-PIN counter and lock.
    pub async fn unlock(&self, account: &str) -> ClientResult<AdminAccount> {
        let path = format!("/admin/accounts/{}/unlock", segment(account));
        self.http.send(self.req(Method::POST, &path)).await
    }

    /// `POST /admin/activation-codes`.
    pub async fn issue_activation_code(&self, email: &str) -> ClientResult<ActivationCode> {
        let body = json!({"email": email});
        self.http
            .send(
                self.req(Method::POST, "/admin/activation-codes")
                    .json(&body),
            )
            .await
    }

    /// `POST /admin/merchants` with a random API key.
    pub async fn create_merchant(&self, name: &str) -> ClientResult<NewMerchant> {
        let body = json!({"name": name});
        self.http
            .send(self.req(Method::POST, "/admin/merchants").json(&body))
            .await
    }

    /// `POST /admin/merchants` with a chosen API key (sandbox extension).
    pub async fn create_merchant_with_key(
        &self,
        name: &str,
        api_key: &str,
    ) -> ClientResult<NewMerchant> {
        let body = json!({"name": name, "api_key": api_key});
        self.http
            .send(self.req(Method::POST, "/admin/merchants").json(&body))
            .await
    }

    /// `POST /admin/faults`: arms a fault on a route pattern
    /// (e.g. `/v1/payments/{payment_id}/confirm`) for `count` requests.
    pub async fn set_fault(
        &self,
        route: &str,
        kind: FaultKind,
        delay_ms: Option<u64>,
        count: u32,
    ) -> ClientResult<FaultView> {
        let mut body = json!({"route": route, "kind": kind, "count": count});
        if let Some(ms) = delay_ms {
            body["delay_ms"] = json!(ms);
        }
        self.http
            .send(self.req(Method::POST, "/admin/faults").json(&body))
            .await
    }

    /// `DELETE /admin/faults`.
    pub async fn clear_faults(&self) -> ClientResult<()> {
        self.http
            .send_empty(self.req(Method::DELETE, "/admin/faults"))
            .await
    }

    /// `POST /admin/clock`: moves the server clock forward.
    pub async fn advance_clock(&self, secs: u64) -> ClientResult<ClockState> {
        let body = json!({"advance_secs": secs});
        self.http
            .send(self.req(Method::POST, "/admin/clock").json(&body))
            .await
    }

    /// `GET /admin/push-feed`: notifications after `after` (a `seq`), for one device
    /// or all, waiting up to `wait_ms` (30 s at most) for the first one.
    pub async fn push_feed(
        &self,
        device_id: Option<&str>,
        after: i64,
        wait_ms: u64,
    ) -> ClientResult<PushFeed> {
        let mut query: Vec<(&str, String)> = vec![
            ("after", after.to_string()),
            ("wait_ms", wait_ms.to_string()),
        ];
        if let Some(device_id) = device_id {
            query.push(("device_id", device_id.to_owned()));
        }
        self.http
            .send(self.req(Method::GET, "/admin/push-feed").query(&query))
            .await
    }

    /// `GET /admin/ledger`: every debit.
    pub async fn ledger(&self) -> ClientResult<Ledger> {
        self.http.send(self.req(Method::GET, "/admin/ledger")).await
    }
}

// ---------------------------------------------------------------- beneficiary

/// The beneficiary API (protocol §5), one call per route, no state.
#[derive(Debug, Clone)]
pub struct BeneficiaryClient {
    http: Http,
}

impl BeneficiaryClient {
    pub fn new(http: reqwest::Client, base_url: impl Into<String>) -> Self {
        BeneficiaryClient {
            http: Http::new(http, base_url),
        }
    }

    pub async fn enroll(&self, request: &EnrollRequest) -> ClientResult<EnrollResponse> {
        self.http
            .send(
                self.http
                    .request(Method::POST, "/v1/devices", None)
                    .json(request),
            )
            .await
    }

    pub async fn challenge(&self, device_id: &str) -> ClientResult<ChallengeResponse> {
        let body = ChallengeRequest {
            device_id: device_id.to_owned(),
        };
        self.http
            .send(
                self.http
                    .request(Method::POST, "/v1/auth/challenge", None)
                    .json(&body),
            )
            .await
    }

    pub async fn token(&self, request: &TokenRequest) -> ClientResult<TokenResponse> {
        self.http
            .send(
                self.http
                    .request(Method::POST, "/v1/auth/token", None)
                    .json(request),
            )
            .await
    }

    pub async fn set_push_token(&self, token: &str, push_token: &str) -> ClientResult<()> {
        let body = PushTokenRequest {
            push_token: push_token.to_owned(),
        };
        self.http
            .send_empty(
                self.http
                    .request(Method::PUT, "/v1/devices/me/push-token", Some(token))
                    .json(&body),
            )
            .await
    }

    pub async fn balance(&self, token: &str) -> ClientResult<BalanceResponse> {
        self.http
            .send(self.http.request(Method::GET, "/v1/balance", Some(token)))
            .await
    }

    /// `GET /v1/payments[?status=pending]`.
    pub async fn payments(&self, token: &str, pending_only: bool) -> ClientResult<PaymentList> {
        let path = if pending_only {
            "/v1/payments?status=pending"
        } else {
            "/v1/payments"
        };
        self.http
            .send(self.http.request(Method::GET, path, Some(token)))
            .await
    }

    pub async fn payment(&self, token: &str, payment_id: &str) -> ClientResult<PaymentDetail> {
        let path = format!("/v1/payments/{}", segment(payment_id));
        self.http
            .send(self.http.request(Method::GET, &path, Some(token)))
            .await
    }

    /// `POST /v1/payments/{id}/confirm`, with the `Idempotency-Key` header set from the body.
    pub async fn confirm(
        &self,
        token: &str,
        payment_id: &str,
        request: &ConfirmRequest,
    ) -> ClientResult<ConfirmResponse> {
        let path = format!("/v1/payments/{}/confirm", segment(payment_id));
        let builder = self
            .http
            .request(Method::POST, &path, Some(token))
            .header("Idempotency-Key", &request.idempotency_key)
            .json(request);
        self.http.send(builder).await
    }

    pub async fn decline(&self, token: &str, payment_id: &str) -> ClientResult<DeclineResponse> {
        let path = format!("/v1/payments/{}/decline", segment(payment_id));
        self.http
            .send(self.http.request(Method::POST, &path, Some(token)))
            .await
    }
}

/// A software beneficiary device: a P-256 key in memory, its device id and token.
pub struct SoftDevice {
    pub api: BeneficiaryClient,
    pub signer: SoftwareSigner,
    pub device_id: String,
    pub access_token: String,
    pub pin_length: u8,
}

impl std::fmt::Debug for SoftDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftDevice")
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

fn local(e: impl std::fmt::Display) -> ClientError {
    ClientError::Local(e.to_string())
}

impl SoftDevice {
    /// Generates a key, enrolls with `activation_code` and authenticates.
    pub async fn enroll(
        api: BeneficiaryClient,
        email: &str,
        activation_code: &str,
        push_token: Option<&str>,
    ) -> ClientResult<SoftDevice> {
        let signer = SoftwareSigner::generate().map_err(local)?;
        let public_key = signer.public_key().map_err(local)?;
        let proof = signer
            .sign(&enrollment_bytes(email, activation_code, &public_key))
            .map_err(local)?;
        let enrolled = api
            .enroll(&EnrollRequest {
                email: email.to_owned(),
                activation_code: activation_code.to_owned(),
                public_key: b64url(&public_key),
                push_token: push_token.map(str::to_owned),
                platform: Platform::Other,
                proof: b64url(&proof),
            })
            .await?;
        let mut device = SoftDevice {
            api,
            signer,
            device_id: enrolled.device_id,
            access_token: String::new(),
            pin_length: enrolled.pin_length,
        };
        device.authenticate().await?;
        Ok(device)
    }

    /// Challenge, signature, new bearer token.
    pub async fn authenticate(&mut self) -> ClientResult<()> {
        let challenge = self.api.challenge(&self.device_id).await?;
        let signature = self
            .signer
            .sign(&auth_bytes(&self.device_id, &challenge.challenge))
            .map_err(local)?;
        let token = self
            .api
            .token(&TokenRequest {
                device_id: self.device_id.clone(),
                challenge: challenge.challenge,
                signature: b64url(&signature),
            })
            .await?;
        self.access_token = token.access_token;
        Ok(())
    }

    pub async fn balance(&self) -> ClientResult<Amount> {
        Ok(self.api.balance(&self.access_token).await?.balance)
    }

    pub async fn payment(&self, payment_id: &str) -> ClientResult<PaymentDetail> {
        self.api.payment(&self.access_token, payment_id).await
    }

    /// Builds a signed confirm request for `detail` (its current nonce), paying `amount`
    /// with `pin`, under `idempotency_key`.
    pub fn confirm_request(
        &self,
        detail: &PaymentDetail,
        amount: Amount,
        pin: &str,
        idempotency_key: &str,
    ) -> ClientResult<ConfirmRequest> {
        let pin = Pin::from_digits(pin).ok_or_else(|| local("PIN must be digits"))?;
        sign_confirmation(
            detail,
            amount,
            &self.device_id,
            pin,
            &self.signer,
            idempotency_key.to_owned(),
        )
        .map_err(local)
    }

    /// Reads the payment, then confirms it with a fresh idempotency key.
    pub async fn pay(
        &self,
        payment_id: &str,
        amount: Amount,
        pin: &str,
    ) -> ClientResult<ConfirmResponse> {
        let detail = self.payment(payment_id).await?;
        let key = crate::util::new_id("idem_");
        let request = self.confirm_request(&detail, amount, pin, &key)?;
        self.api
            .confirm(&self.access_token, payment_id, &request)
            .await
    }

    pub async fn confirm(
        &self,
        payment_id: &str,
        request: &ConfirmRequest,
    ) -> ClientResult<ConfirmResponse> {
        self.api
            .confirm(&self.access_token, payment_id, request)
            .await
    }

    pub async fn decline(&self, payment_id: &str) -> ClientResult<DeclineResponse> {
        self.api.decline(&self.access_token, payment_id).await
    }
}
