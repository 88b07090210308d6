//! What the sandbox's HTTP-level tests add to the test kit (`cvconnect-testkit`, see
//! `tests/kit/README.md`): the kit's [`World`] is the set-up (a real sandbox on
//! 127.0.0.1, a SQLite file in a temporary folder, the clients, software devices);
//! here are the sandbox seeded with its demo data as these tests want it, raw HTTP
//! with the protocol's JSON errors, and a few shorthands the test files share.
// Each test file uses a part of this module.
#![allow(dead_code, unused_imports)]

use std::sync::{Arc, Mutex, OnceLock};

pub use cvconnect_sandbox::SandboxConfig;
use cvconnect_sandbox::{Limits, Seed};
pub use cvconnect_sandbox_client::SoftDevice;
use cvconnect_sandbox_client::{ClientResult, PushFeed};
pub use cvconnect_testkit::{
    eur, Options, World, DEMO_ACCOUNT_NUMBER, DEMO_EMAIL, DEMO_MERCHANT_KEY, DEMO_PIN,
};

use cvconnect_core::protocol::wire::{
    ConfirmRequest, MerchantPayment, PaymentDetail, PaymentSummary,
};
use serde_json::Value;

/// The sandbox with its demo seed (`sandbox/seed/demo.json`: two accounts, the demo
/// merchant) and its admin routes. Its limits on new requests and challenges are out
/// of reach: the tests of the limits set their own.
pub fn options() -> Options {
    let mut options = Options::demo(Seed::demo().accounts);
    options.sandbox.limits = Limits::generous();
    options
}

pub async fn start() -> World {
    start_changed(|_| {}).await
}

/// A sandbox like [`start`]'s, with `change` made to its configuration.
pub async fn start_changed(change: impl FnOnce(&mut SandboxConfig)) -> World {
    let mut options = options();
    change(&mut options.sandbox);
    World::start(options).await.unwrap()
}

/// A sandbox like [`start`]'s, with `change` made to its (generous) limits.
pub async fn start_limited(change: impl FnOnce(&mut Limits)) -> World {
    start_changed(|config| change(&mut config.limits)).await
}

/// A sandbox, a device enrolled on the demo account, and a pending request of
/// `total` euros for that account.
pub async fn start_paying(total: &str) -> (World, SoftDevice, String) {
    let world = start().await;
    let device = world.device(DEMO_EMAIL).await;
    let id = world.request(total).await;
    (world, device, id)
}

/// A sandbox without admin routes (no admin token), the demo seed in a file of
/// `dir`; the kit's worlds always have them, so this one is started bare.
pub async fn start_closed(dir: &tempfile::TempDir) -> cvconnect_sandbox::RunningSandbox {
    let config = SandboxConfig {
        database: cvconnect_sandbox::Database::File(dir.path().join("sandbox.sqlite3")),
        seed: Some(Seed::demo()),
        ..SandboxConfig::default()
    };
    cvconnect_sandbox::Sandbox::start(config).await.unwrap()
}

/// Shorthands of these tests on the kit's world (a failed set-up fails the test).
pub trait Sandboxed {
    /// A software device enrolled and authenticated on `email`.
    async fn device(&self, email: &str) -> SoftDevice;
    /// Enrolls a software device on `email` with the activation code `code`, without
    /// a push token: the device, or the refusal.
    async fn enroll(&self, email: &str, code: &str) -> ClientResult<SoftDevice>;
    /// A payment request of `total` for the demo account; its id.
    async fn request(&self, total: &str) -> String;
    /// `n` payment requests of `total` for the demo account, oldest first.
    async fn requests(&self, n: usize, total: &str) -> Vec<String>;
    /// A merchant create of `total` for the demo account, without an order reference:
    /// the payment, or the refusal.
    async fn try_request(&self, total: &str) -> ClientResult<MerchantPayment>;
    /// The push feed of `device_id` (or of every device) from the start, waiting up
    /// to `wait_ms` for a first notification.
    async fn pushes(&self, device_id: Option<&str>, wait_ms: u64) -> PushFeed;
}

impl Sandboxed for World {
    async fn device(&self, email: &str) -> SoftDevice {
        self.soft_device(email).await.unwrap()
    }

    async fn enroll(&self, email: &str, code: &str) -> ClientResult<SoftDevice> {
        SoftDevice::enroll(self.beneficiary(), email, code, None).await
    }

    async fn request(&self, total: &str) -> String {
        self.create_payment(DEMO_EMAIL, total).await.unwrap()
    }

    async fn requests(&self, n: usize, total: &str) -> Vec<String> {
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            ids.push(self.request(total).await);
        }
        ids
    }

    async fn try_request(&self, total: &str) -> ClientResult<MerchantPayment> {
        self.merchant()
            .create_payment(DEMO_EMAIL, eur(total), None)
            .await
    }

    async fn pushes(&self, device_id: Option<&str>, wait_ms: u64) -> PushFeed {
        self.admin.push_feed(device_id, 0, wait_ms).await.unwrap()
    }
}

/// A raw request to `path` of `world`: its status and JSON body (a body that is not
/// JSON fails the test).
pub async fn raw(
    world: &World,
    method: reqwest::Method,
    path: &str,
    bearer: Option<&str>,
    body: Option<Vec<u8>>,
) -> (u16, Value) {
    let mut request = world.http.request(method, world.url(path));
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

/// Every log line of this test process at debug level, as the sandbox's `fmt` layer
/// writes it (installed once, globally: the handlers log from the server's own tasks
/// and threads). Not the kit's `LogCapture`, which sees events rather than this text.
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    pub fn capture() -> Logs {
        static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
        let buffer = LOGS
            .get_or_init(|| {
                let buffer = Arc::new(Mutex::new(Vec::new()));
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

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
