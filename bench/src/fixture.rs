//! A real sandbox on loopback, on its own tokio runtime (as a separate server process
//! would be), with the admin and merchant sides driven over HTTP, and real core
//! clients enrolled with software signers.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use cvconnect_core::amount::Amount;
use cvconnect_core::client::{Client, ClientConfig};
use cvconnect_core::crypto::signer::SoftwareSigner;
use cvconnect_core::keypad::Keypad;
use cvconnect_core::protocol::wire::Platform;
use cvconnect_sandbox::{Database, Limits, RunningSandbox, Sandbox, SandboxConfig};
use cvconnect_sandbox_client::{http_client, AdminClient, MerchantClient};
use tokio::runtime::Runtime;

/// PIN of every account the fixture creates.
pub const PIN: &str = "4827";
const ADMIN_TOKEN: &str = "bench-admin-token";
const MERCHANT_KEY: &str = "mk_bench_boutique";

pub fn eur(text: &str) -> Amount {
    Amount::from_plain(text).expect("valid amount literal")
}

/// Types `pin` the way a person does: finds each digit on the shuffled keys.
pub fn type_pin(keypad: &mut Keypad, pin: &str) -> Result<()> {
    let layout = keypad.layout();
    for digit in pin.bytes().map(|b| b - b'0') {
        let position = layout
            .iter()
            .position(|&d| d == digit)
            .ok_or_else(|| anyhow!("digit {digit} missing from the keypad"))?;
        keypad.press(position as u8)?;
    }
    Ok(())
}

/// A multi-thread runtime with `workers` threads named `name`.
pub fn runtime(name: &str, workers: usize) -> Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name(name)
        .enable_all()
        .build()
        .context("tokio runtime")
}

pub struct Account {
    pub email: String,
}

pub struct Phone {
    pub client: Client,
    pub signer: Arc<SoftwareSigner>,
    pub device_id: String,
    pub data_dir: PathBuf,
}

pub struct Fixture {
    // Field order is drop order: the sandbox stops before its runtime goes.
    _sandbox: RunningSandbox,
    _sandbox_rt: Runtime,
    pub admin: AdminClient,
    pub merchant: MerchantClient,
    base_url: String,
    dir: tempfile::TempDir,
    counter: AtomicU32,
}

impl Fixture {
    /// Starts the sandbox (SQLite file in a temporary folder) on a runtime of its own
    /// with two workers, the size of the machine. Call outside any runtime.
    pub fn start() -> Result<Fixture> {
        let dir = tempfile::tempdir().context("temp dir")?;
        let sandbox_rt = runtime("sandbox-rt", 2)?;
        let sandbox = sandbox_rt.block_on(Sandbox::start(SandboxConfig {
            database: Database::File(dir.path().join("sandbox.sqlite3")),
            admin_token: Some(ADMIN_TOKEN.into()),
            // The load figure runs far more flows a minute than the default limits allow.
            limits: Limits::generous(),
            ..SandboxConfig::default()
        }))?;
        let base_url = sandbox.base_url().to_owned();
        let admin = AdminClient::new(http_client(), &base_url, ADMIN_TOKEN);
        let merchant = MerchantClient::new(http_client(), &base_url, MERCHANT_KEY);
        Ok(Fixture {
            _sandbox: sandbox,
            _sandbox_rt: sandbox_rt,
            admin,
            merchant,
            base_url,
            dir,
            counter: AtomicU32::new(0),
        })
    }

    /// Creates the merchant the payments come from. Call once, on the bench runtime.
    pub async fn create_merchant(&self) -> Result<()> {
        self.admin
            .create_merchant_with_key("Boutique Démo", MERCHANT_KEY)
            .await?;
        Ok(())
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A new empty folder under the fixture's temporary folder.
    pub fn new_dir(&self, prefix: &str) -> PathBuf {
        self.dir.path().join(format!("{prefix}-{}", self.next()))
    }

    fn next(&self) -> u32 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub async fn account(&self, balance: &str) -> Result<Account> {
        let n = self.next();
        let email = format!("bench.{n}@example.fr");
        let number = format!("{}", 20_000_000_000u64 + u64::from(n));
        self.admin
            .create_account(&email, &number, eur(balance), PIN)
            .await?;
        Ok(Account { email })
    }

    pub async fn activation_code(&self, email: &str) -> Result<String> {
        Ok(self.admin.issue_activation_code(email).await?.code)
    }

    /// A client on `data_dir` with `signer`.
    pub fn client(
        &self,
        data_dir: &std::path::Path,
        signer: Arc<SoftwareSigner>,
    ) -> Result<Client> {
        let config = ClientConfig::new(self.base_url(), data_dir);
        Ok(Client::new(config, signer, None)?)
    }

    /// An enrolled phone for `account`.
    pub async fn phone(&self, account: &Account) -> Result<Phone> {
        let data_dir = self.new_dir("phone");
        let signer = Arc::new(SoftwareSigner::generate()?);
        let client = self.client(&data_dir, signer.clone())?;
        let code = self.activation_code(&account.email).await?;
        let device = client
            .enroll(
                &account.email,
                &code,
                Some(format!("push-{}", self.next())),
                Platform::Other,
            )
            .await?;
        Ok(Phone {
            client,
            signer,
            device_id: device.device_id,
            data_dir,
        })
    }

    pub async fn create_payment(&self, email: &str, total: &str) -> Result<String> {
        Ok(self
            .merchant
            .create_payment(email, eur(total), Some("CMD-BENCH"))
            .await?
            .id)
    }

    /// Waits for the push of `payment_id` to `device_id` (see [`wait_push`]).
    pub async fn push_for(
        &self,
        device_id: &str,
        payment_id: &str,
        after: &mut i64,
    ) -> Result<HashMap<String, String>> {
        wait_push(&self.admin, device_id, payment_id, after).await
    }
}

/// Waits for the push of `payment_id` to `device_id`, reading the sandbox's push feed
/// after `*after` (updated), and returns its data as the platform hands it over.
pub async fn wait_push(
    admin: &AdminClient,
    device_id: &str,
    payment_id: &str,
    after: &mut i64,
) -> Result<HashMap<String, String>> {
    for _ in 0..20 {
        let feed = admin.push_feed(Some(device_id), *after, 5_000).await?;
        let mut found = None;
        for notification in feed.notifications {
            *after = (*after).max(notification.seq);
            if notification.payment_id == payment_id {
                found = Some(notification.data.into_iter().collect());
            }
        }
        *after = (*after).max(feed.next_after);
        if let Some(data) = found {
            return Ok(data);
        }
    }
    Err(anyhow!("no push for payment {payment_id}"))
}
