//! Shared set-up of the HTTP-level tests: a real sandbox on 127.0.0.1 (free port),
//! a real SQLite file in a temporary directory, typed clients and software devices.
#![allow(dead_code)]

use cvconnect_core::amount::Amount;
use cvconnect_sandbox::{Database, Limits, RunningSandbox, Sandbox, SandboxConfig, Seed};
use cvconnect_sandbox_client::{
    http_client, AdminClient, BeneficiaryClient, MerchantClient, SoftDevice,
};

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
