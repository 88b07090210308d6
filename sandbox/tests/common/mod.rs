//! Shared set-up of the HTTP-level tests: a real sandbox on 127.0.0.1 (free port),
//! a real SQLite file in a temporary directory, typed clients and software devices.
#![allow(dead_code)]

use cvconnect_core::amount::Amount;
use cvconnect_core::protocol::wire::{
    ConfirmRequest, MerchantPayment, PaymentDetail, PaymentSummary,
};
use cvconnect_sandbox::{Database, Limits, RunningSandbox, Sandbox, SandboxConfig, Seed};
use cvconnect_sandbox_client::{
    http_client, AdminClient, BeneficiaryClient, ClientResult, MerchantClient, PushFeed, SoftDevice,
};
use serde_json::Value;

pub const ADMIN: &str = "test-admin-token";
pub const EMAIL: &str = "camille.martin@example.fr";
pub const NUMBER: &str = "12345678901";
pub const PIN: &str = "4827";
pub const MERCHANT_KEY: &str = "mk_demo_boutique";

pub fn eur(text: &str) -> Amount {
    Amount::from_plain(text).unwrap()
}

pub struct Env {
    pub sandbox: RunningSandbox,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
    pub admin: AdminClient,
    pub merchant: MerchantClient,
    pub base: String,
}

/// A sandbox on a file in `dir`, with the demo seed and admin routes. Its limits on
/// new requests and challenges are out of reach: the tests of the limits set their own.
pub fn config(dir: &tempfile::TempDir) -> SandboxConfig {
    SandboxConfig {
        database: Database::File(dir.path().join("sandbox.sqlite3")),
        admin_token: Some(ADMIN.to_owned()),
        seed: Some(Seed::demo()),
        limits: Limits::generous(),
        ..SandboxConfig::default()
    }
}

pub async fn start() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let config = config(&dir);
    start_with(dir, config).await
}

/// A sandbox like [`start`]'s, with `change` made to its configuration.
pub async fn start_changed(change: impl FnOnce(&mut SandboxConfig)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&dir);
    change(&mut config);
    start_with(dir, config).await
}

/// A sandbox like [`start`]'s, with `change` made to its (generous) limits.
pub async fn start_limited(change: impl FnOnce(&mut Limits)) -> Env {
    start_changed(|config| change(&mut config.limits)).await
}

/// A sandbox, a device enrolled on the demo account, and a pending request of
/// `total` euros for that account.
pub async fn start_paying(total: &str) -> (Env, SoftDevice, String) {
    let env = start().await;
    let device = env.device(EMAIL).await;
    let id = env.request(total).await;
    (env, device, id)
}

pub async fn start_with(dir: tempfile::TempDir, config: SandboxConfig) -> Env {
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let http = http_client();
    let base = sandbox.base_url().to_owned();
    Env {
        admin: AdminClient::new(http.clone(), &base, ADMIN),
        merchant: MerchantClient::new(http.clone(), &base, MERCHANT_KEY),
        http,
        base,
        sandbox,
        dir,
    }
}

impl Env {
    pub fn beneficiary(&self) -> BeneficiaryClient {
        BeneficiaryClient::new(self.http.clone(), &self.base)
    }

    /// Enrolls a new software device on `email` (activation code from the admin API).
    pub async fn device(&self, email: &str) -> SoftDevice {
        let code = self.admin.issue_activation_code(email).await.unwrap();
        SoftDevice::enroll(
            self.beneficiary(),
            email,
            &code.code,
            Some("fcm:test-token"),
        )
        .await
        .unwrap()
    }

    /// Enrolls a new software device on `email` with the activation code `code`, without
    /// a push token.
    pub async fn enroll(&self, email: &str, code: &str) -> ClientResult<SoftDevice> {
        SoftDevice::enroll(self.beneficiary(), email, code, None).await
    }

    /// `n` payment requests of `total` for the demo account, oldest first.
    pub async fn requests(&self, n: usize, total: &str) -> Vec<String> {
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            ids.push(self.request(total).await);
        }
        ids
    }

    /// A merchant create of `total` for the demo account, without an order reference:
    /// the payment, or the refusal.
    pub async fn try_request(&self, total: &str) -> ClientResult<MerchantPayment> {
        self.merchant.create_payment(EMAIL, eur(total), None).await
    }

    /// A payment request of `total` for the demo account.
    pub async fn request(&self, total: &str) -> String {
        self.merchant
            .create_payment(EMAIL, eur(total), Some("CMD-1"))
            .await
            .unwrap()
            .id
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A merchant client with another API key.
    pub fn merchant_keyed(&self, api_key: impl Into<String>) -> MerchantClient {
        MerchantClient::new(self.http.clone(), &self.base, api_key)
    }

    /// The push feed of `device_id` (or of every device) from the start, waiting up to
    /// `wait_ms` for a first notification.
    pub async fn pushes(&self, device_id: Option<&str>, wait_ms: u64) -> PushFeed {
        self.admin.push_feed(device_id, 0, wait_ms).await.unwrap()
    }

    /// A raw request: its status and JSON body (a body that is not JSON fails the test).
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        answer(request).await
    }
}

/// Sends `request`: its status and JSON body (a body that is not JSON fails the test).
pub async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let (path, status) = (response.url().path().to_owned(), response.status().as_u16());
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{path}: not JSON ({status}): {text:?}"));
    (status, value)
}

/// The protocol error code of a JSON answer, `<none>` for a success.
pub fn code(value: &Value) -> &str {
    value["error"]["code"].as_str().unwrap_or("<none>")
}

/// A device's payments: the pending ones only, or its whole history.
pub async fn listed(device: &SoftDevice, pending_only: bool) -> Vec<PaymentSummary> {
    device
        .api
        .payments(&device.access_token, pending_only)
        .await
        .unwrap()
        .payments
}

/// The detail of payment `id` as `device` reads it, and a confirmation of `amount`
/// with `pin` under the idempotency key `key`, signed over that detail.
pub async fn signed(
    device: &SoftDevice,
    id: &str,
    amount: &str,
    pin: &str,
    key: &str,
) -> (PaymentDetail, ConfirmRequest) {
    let detail = device.payment(id).await.unwrap();
    let request = device
        .confirm_request(&detail, eur(amount), pin, key)
        .unwrap();
    (detail, request)
}

/// Every log line of this test process at debug level (installed once, globally: the
/// handlers log from the server's own tasks and threads).
pub struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Logs {
    pub fn capture() -> Logs {
        static LOGS: std::sync::OnceLock<std::sync::Arc<std::sync::Mutex<Vec<u8>>>> =
            std::sync::OnceLock::new();
        let buffer = LOGS
            .get_or_init(|| {
                let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
                let sink = buffer.clone();
                tracing_subscriber::fmt()
                    .with_max_level(tracing::Level::DEBUG)
                    .with_ansi(false)
                    .with_writer(move || LogWriter(sink.clone()))
                    .init();
                buffer
            })
            .clone();
        Logs(buffer)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

struct LogWriter(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
