//! Shared harness of the Rust end-to-end suites: a real sandbox on 127.0.0.1 with a
//! SQLite file in a temporary folder, real clients with software signers, and the
//! merchant and admin sides driven over HTTP.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cvconnect_core::amount::Amount;
use cvconnect_core::client::{Client, ClientConfig, PaymentOutcome, PaymentSession};
use cvconnect_core::crypto::signer::SoftwareSigner;
use cvconnect_core::keypad::Keypad;
use cvconnect_core::log::{LogLevel, LogSink};
use cvconnect_core::protocol::wire::{MerchantPayment, PaymentStatus, Platform};
use cvconnect_sandbox::{Database, Limits, RunningSandbox, Sandbox, SandboxConfig};
use cvconnect_sandbox_client::FaultKind;
use cvconnect_sandbox_client::{
    http_client, tls_client_trusting, AdminClient, BeneficiaryClient, MerchantClient, SoftDevice,
};

/// The PIN of the accounts the harness creates.
pub const PIN: &str = "4827";
const ADMIN_TOKEN: &str = "e2e-admin-token";
const MERCHANT_KEY: &str = "mk_e2e_boutique";

pub fn eur(text: &str) -> Amount {
    Amount::from_plain(text).expect("test amount")
}

/// Types `pin` the way a person does: finds each digit on the shuffled keys and
/// presses that key's position.
pub fn type_pin(keypad: &mut Keypad, pin: &str) {
    let layout = keypad.layout();
    for digit in pin.bytes().map(|b| b - b'0') {
        let position = layout
            .iter()
            .position(|&d| d == digit)
            .expect("every digit is on a key");
        keypad.press(position as u8).expect("press");
    }
}

/// Opens a fresh keypad on `session`, types `pin` on it and confirms.
pub async fn confirm_pin(session: &PaymentSession, pin: &str) -> PaymentOutcome {
    let mut keypad = session.start_pin_entry().expect("keypad");
    type_pin(&mut keypad, pin);
    session
        .confirm_keypad(&mut keypad)
        .await
        .expect("confirmation")
}

/// A payment request on screen: the phone, the payment id and its session.
pub struct OpenPayment {
    pub phone: Phone,
    pub payment_id: String,
    pub session: Arc<PaymentSession>,
}

pub enum Fault {
    Delay(Duration),
    Error,
    DropAfterCommit,
}

pub struct TestAccount {
    pub email: String,
    pub number: String,
    pub pin: String,
}

pub struct Phone {
    pub client: Client,
    pub signer: Arc<SoftwareSigner>,
    pub data_dir: PathBuf,
}

pub struct Harness {
    sandbox: RunningSandbox,
    admin: AdminClient,
    merchant: MerchantClient,
    dir: tempfile::TempDir,
    counter: AtomicU32,
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::start_with(false, 4).await
    }

    pub async fn start_tls() -> Harness {
        Harness::start_with(true, 4).await
    }

    pub async fn start_with_pin_length(pin_length: u8) -> Harness {
        Harness::start_with(false, pin_length).await
    }

    async fn start_with(tls: bool, pin_length: u8) -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        let sandbox = Sandbox::start(SandboxConfig {
            database: Database::File(dir.path().join("sandbox.sqlite3")),
            admin_token: Some(ADMIN_TOKEN.into()),
            tls,
            pin_length,
            // The suites create thousands of requests in minutes: limits out of reach.
            limits: Limits::generous(),
            ..SandboxConfig::default()
        })
        .await
        .expect("sandbox starts");
        let http = match sandbox.cert_der() {
            Some(cert) => tls_client_trusting(cert).expect("TLS client"),
            None => http_client(),
        };
        let admin = AdminClient::new(http.clone(), sandbox.base_url(), ADMIN_TOKEN);
        admin
            .create_merchant_with_key("Boutique Démo", MERCHANT_KEY)
            .await
            .expect("merchant");
        let merchant = MerchantClient::new(http, sandbox.base_url(), MERCHANT_KEY);
        Harness {
            sandbox,
            admin,
            merchant,
            dir,
            counter: AtomicU32::new(0),
        }
    }

    fn next(&self) -> u32 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub fn spki_pin(&self) -> Option<String> {
        self.sandbox.spki_pin()
    }

    pub async fn account(&self, balance: &str) -> TestAccount {
        self.account_with_pin(balance, PIN).await
    }

    pub async fn account_with_pin(&self, balance: &str, pin: &str) -> TestAccount {
        let n = self.next();
        let account = TestAccount {
            email: format!("beneficiaire.{n}@example.fr"),
            number: format!("{}", 10_000_000_000u64 + u64::from(n)),
            pin: pin.to_owned(),
        };
        self.admin
            .create_account(&account.email, &account.number, eur(balance), pin)
            .await
            .expect("account");
        account
    }

    pub async fn activation_code(&self, account: &TestAccount) -> String {
        self.admin
            .issue_activation_code(&account.email)
            .await
            .expect("activation code")
            .code
    }

    pub async fn phone(&self, account: &TestAccount) -> Phone {
        self.phone_with(account, |_| {}).await
    }

    /// An enrolled phone whose config `tweak` adjusts.
    pub async fn phone_with(
        &self,
        account: &TestAccount,
        tweak: impl FnOnce(&mut ClientConfig),
    ) -> Phone {
        let phone = self.unenrolled_phone_with(tweak);
        let code = self.activation_code(account).await;
        phone
            .client
            .enroll(
                &account.email,
                &code,
                Some(format!("push-{}", self.next())),
                Platform::Other,
            )
            .await
            .expect("enrollment");
        phone
    }

    pub fn unenrolled_phone_with(&self, tweak: impl FnOnce(&mut ClientConfig)) -> Phone {
        let data_dir = self.dir.path().join(format!("phone-{}", self.next()));
        let signer = Arc::new(SoftwareSigner::generate().expect("signer"));
        let mut config = ClientConfig::new(self.sandbox.base_url(), &data_dir);
        tweak(&mut config);
        let client = Client::new(config, signer.clone(), None).expect("client");
        Phone {
            client,
            signer,
            data_dir,
        }
    }

    /// A new client on an existing data directory: the app started again.
    pub async fn reopen_phone(&self, data_dir: &Path, signer: Arc<SoftwareSigner>) -> Phone {
        let config = ClientConfig::new(self.sandbox.base_url(), data_dir);
        Phone {
            client: Client::new(config, signer.clone(), None).expect("client"),
            signer,
            data_dir: data_dir.to_path_buf(),
        }
    }

    /// A new account holding `balance`, an enrolled phone (its config adjusted by
    /// `tweak`), a payment request of `total`, opened on the phone.
    pub async fn open_new_payment_with(
        &self,
        balance: &str,
        total: &str,
        tweak: impl FnOnce(&mut ClientConfig),
    ) -> OpenPayment {
        let account = self.account(balance).await;
        let phone = self.phone_with(&account, tweak).await;
        let payment_id = self.create_payment(&account, total).await;
        let session = phone.client.open_payment(&payment_id).await.expect("open");
        OpenPayment {
            phone,
            payment_id,
            session,
        }
    }

    pub async fn open_new_payment(&self, balance: &str, total: &str) -> OpenPayment {
        self.open_new_payment_with(balance, total, |_| {}).await
    }

    pub async fn create_payment(&self, account: &TestAccount, total: &str) -> String {
        self.merchant
            .create_payment(&account.email, eur(total), Some("CMD-E2E"))
            .await
            .expect("payment request")
            .id
    }

    /// The newest push sent to `phone`, as the platform would hand it over.
    pub async fn next_push(&self, phone: &Phone) -> HashMap<String, String> {
        let device = phone.client.enrolled_device().unwrap().expect("enrolled");
        let feed = self
            .admin
            .push_feed(Some(&device.device_id), 0, 5_000)
            .await
            .expect("push feed");
        let last = feed.notifications.last().expect("a notification");
        last.data.clone().into_iter().collect()
    }

    pub async fn merchant_payment(&self, payment_id: &str) -> MerchantPayment {
        self.merchant
            .payment(payment_id)
            .await
            .expect("merchant status")
    }

    pub async fn merchant_status(&self, payment_id: &str) -> PaymentStatus {
        self.merchant_payment(payment_id).await.status
    }

    pub async fn advance_clock(&self, secs: u64) {
        self.admin.advance_clock(secs).await.expect("clock");
    }

    pub async fn inject_fault(&self, route: &str, fault: Fault, count: u32) {
        let (kind, delay) = match fault {
            Fault::Delay(delay) => (FaultKind::Delay, Some(delay.as_millis() as u64)),
            Fault::Error => (FaultKind::Error, None),
            Fault::DropAfterCommit => (FaultKind::DropAfterCommit, None),
        };
        self.admin
            .set_fault(route, kind, delay, count)
            .await
            .expect("fault");
    }

    /// How many ledger debits the sandbox recorded for `payment_id`.
    pub async fn debits_for(&self, payment_id: &str) -> usize {
        let ledger = self.admin.ledger().await.expect("ledger");
        ledger
            .entries
            .iter()
            .filter(|e| e.payment_id == payment_id)
            .count()
    }
}

/// Captures the core's log lines (the sink is process-wide).
#[derive(Default)]
pub struct LogCapture {
    lines: Mutex<Vec<String>>,
}

impl LogCapture {
    pub fn install() -> Arc<LogCapture> {
        let capture = Arc::new(LogCapture::default());
        cvconnect_core::log::set_log_sink(capture.clone());
        capture
    }

    pub fn text(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }
}

impl LogSink for LogCapture {
    fn log(&self, level: LogLevel, target: &str, message: &str) {
        self.lines
            .lock()
            .unwrap()
            .push(format!("{level:?} {target} {message}"));
    }
}

// ---------------------------------------------------------------- security suites

/// The merchant API key of the harness's merchant (not a secret: a sandbox value).
pub const MERCHANT_API_KEY: &str = MERCHANT_KEY;

impl Harness {
    pub fn base_url(&self) -> &str {
        self.sandbox.base_url()
    }

    pub fn admin(&self) -> &AdminClient {
        &self.admin
    }

    pub fn merchant(&self) -> &MerchantClient {
        &self.merchant
    }

    /// A plain HTTP client for raw requests to this (non-TLS) sandbox.
    pub fn http(&self) -> reqwest::Client {
        http_client()
    }

    /// The sandbox's SQLite file (readable while it runs: WAL mode).
    pub fn sandbox_database(&self) -> PathBuf {
        self.dir.path().join("sandbox.sqlite3")
    }

    /// A software device (raw protocol calls) enrolled on `account` and authenticated.
    pub async fn soft_device(&self, account: &TestAccount) -> SoftDevice {
        let code = self.activation_code(account).await;
        SoftDevice::enroll(
            BeneficiaryClient::new(http_client(), self.sandbox.base_url()),
            &account.email,
            &code,
            Some(&format!("push-soft-{}", self.next())),
        )
        .await
        .expect("soft device enrollment")
    }

    /// The sandbox's balance of `account`.
    pub async fn balance_of(&self, account: &TestAccount) -> Amount {
        self.admin
            .account(&account.email)
            .await
            .expect("admin account")
            .balance
    }

    /// Clears the PIN lock and the wrong-PIN counter of `account`.
    pub async fn unlock(&self, account: &TestAccount) {
        self.admin.unlock(&account.email).await.expect("unlock");
    }
}

/// The client's SQLite database, its WAL and its shared-memory file, concatenated.
pub fn stored_bytes(data_dir: &Path) -> Vec<u8> {
    let mut stored = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let file = data_dir.join(format!("{}{suffix}", cvconnect_core::client::DATABASE_FILE));
        if let Ok(bytes) = std::fs::read(file) {
            stored.extend_from_slice(&bytes);
        }
    }
    stored
}

/// Whether `needle` occurs in `haystack` (an empty needle never does).
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

/// The forms in which the core holds a PIN: ASCII digits and raw digit values.
pub fn pin_forms(pin: &str) -> [(&'static str, Vec<u8>); 2] {
    [
        ("PIN as ASCII digits", pin.as_bytes().to_vec()),
        (
            "PIN as digit values",
            pin.bytes().map(|b| b - b'0').collect(),
        ),
    ]
}

/// The private scalar of a ring P-256 PKCS#8 document (bytes 36..68, after the
/// `04 20` header of its OCTET STRING).
pub fn private_scalar(signer: &SoftwareSigner) -> Vec<u8> {
    let pkcs8 = signer.pkcs8_der();
    assert_eq!(pkcs8[34..36], [0x04, 0x20], "OCTET STRING of the scalar");
    pkcs8[36..68].to_vec()
}
