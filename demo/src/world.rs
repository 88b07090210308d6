//! The world the demo runs in: a sandbox (embedded, or one already running), its admin
//! and merchant sides over HTTP, and a phone enrolled through the real core.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _};
use cvconnect_core::amount::Amount;
use cvconnect_core::client::{Client, ClientConfig, ClientError, EnrolledDevice};
use cvconnect_core::crypto::signer::SoftwareSigner;
use cvconnect_core::protocol::wire::Platform;
use cvconnect_sandbox::{
    Database, RunningSandbox, Sandbox, SandboxConfig, Seed, SeedAccount, SeedMerchant,
};
use cvconnect_sandbox_client::{
    http_client, AdminClient, ClientError as SandboxError, MerchantClient, PushNotification,
};

/// The demo beneficiary (the same as the sandbox's `seed/demo.json`).
pub const DEMO_EMAIL: &str = "camille.martin@example.fr";
pub const DEMO_ACCOUNT_NUMBER: &str = "12345678901";
/// The demo beneficiary's personal code. The demo plays the user, who knows it.
pub const DEMO_PIN: &str = "4827";
pub const MERCHANT_NAME: &str = "Boutique Démo";
pub const MERCHANT_API_KEY: &str = "mk_demo_boutique";

/// A sandbox reachable over HTTP with its admin routes.
pub struct World {
    /// `None` when the sandbox was started by someone else (`--url`).
    sandbox: Option<RunningSandbox>,
    pub base_url: String,
    pub admin: AdminClient,
    pub http: reqwest::Client,
    /// Holds the sandbox database (embedded) and the phone's local store.
    pub dir: tempfile::TempDir,
}

impl World {
    /// Starts the embedded sandbox on a free loopback port, with a SQLite file in a
    /// temporary folder, seeded with the demo merchant and `account`.
    pub async fn start_embedded(accounts: Vec<SeedAccount>) -> anyhow::Result<World> {
        let dir = tempfile::Builder::new()
            .prefix("cvconnect-demo-")
            .tempdir()
            .context("impossible de créer un dossier temporaire")?;
        let admin_token = random_token();
        let sandbox = Sandbox::start(SandboxConfig {
            database: Database::File(dir.path().join("sandbox.sqlite3")),
            admin_token: Some(admin_token.clone()),
            seed: Some(Seed {
                accounts,
                merchants: vec![SeedMerchant {
                    name: MERCHANT_NAME.into(),
                    api_key: MERCHANT_API_KEY.into(),
                }],
            }),
            ..SandboxConfig::default()
        })
        .await
        .map_err(|e| anyhow!("la sandbox n'a pas pu démarrer : {e:#}"))?;
        let base_url = sandbox.base_url().to_owned();
        let http = http_client();
        Ok(World {
            admin: AdminClient::new(http.clone(), &base_url, admin_token),
            sandbox: Some(sandbox),
            base_url,
            http,
            dir,
        })
    }

    /// A sandbox already running at `base_url` (`cvconnect-sandbox --admin-token T`).
    pub async fn connect(base_url: &str, admin_token: &str) -> anyhow::Result<World> {
        let base_url = base_url.trim_end_matches('/').to_owned();
        let http = http_client();
        let health = http
            .get(format!("{base_url}/healthz"))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .map_err(|e| anyhow!("aucune sandbox ne répond à {base_url} : {e}"))?;
        if !health.status().is_success() {
            return Err(anyhow!(
                "{base_url} ne répond pas comme une sandbox (HTTP {})",
                health.status()
            ));
        }
        let dir = tempfile::Builder::new()
            .prefix("cvconnect-phone-")
            .tempdir()
            .context("impossible de créer un dossier temporaire")?;
        Ok(World {
            admin: AdminClient::new(http.clone(), &base_url, admin_token),
            sandbox: None,
            base_url,
            http,
            dir,
        })
    }

    pub fn database_path(&self) -> Option<PathBuf> {
        self.sandbox
            .as_ref()
            .map(|_| self.dir.path().join("sandbox.sqlite3"))
    }

    /// The merchant API with the demo merchant's key.
    pub fn merchant(&self) -> MerchantClient {
        MerchantClient::new(self.http.clone(), &self.base_url, MERCHANT_API_KEY)
    }

    /// Id and name of the merchant the checkout page plays (embedded sandbox only).
    pub fn checkout_merchant(&self) -> Option<(String, String)> {
        self.sandbox.as_ref().map(|s| {
            let (id, name) = s.checkout_merchant();
            (id.to_owned(), name.to_owned())
        })
    }

    /// A new phone: a software P-256 key and a local store in the temporary folder,
    /// enrolled through the core with an activation code from the admin API.
    pub async fn enroll_phone(&self, email: &str) -> anyhow::Result<DemoPhone> {
        let code = self.admin.issue_activation_code(email).await.map_err(|e| {
            anyhow!(
                "l'administration n'a pas émis de code d'activation pour {email} : {}",
                sandbox_message(&e)
            )
        })?;
        let signer =
            Arc::new(SoftwareSigner::generate().map_err(|e| anyhow!("clé de l'appareil : {e}"))?);
        let data_dir = self
            .dir
            .path()
            .join(format!("phone-{}", std::process::id()));
        let client = Client::new(ClientConfig::new(&self.base_url, &data_dir), signer, None)
            .map_err(|e| core_error("le téléphone n'a pas pu démarrer", &e))?;
        let push_token = format!("demo-push-{}", random_token());
        let device = client
            .enroll(email, &code.code, Some(push_token), Platform::Other)
            .await
            .map_err(|e| core_error("l'activation du téléphone a échoué", &e))?;
        Ok(DemoPhone {
            client: Arc::new(client),
            device,
            activation_code: code.code,
        })
    }

    /// Waits (long poll) for the first push sent to `device_id` for
    /// `payment_id` (any payment when `None`).
    pub async fn wait_push(
        &self,
        device_id: &str,
        payment_id: Option<&str>,
        timeout: Duration,
    ) -> anyhow::Result<PushNotification> {
        let deadline = Instant::now() + timeout;
        let mut after = 0;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(anyhow!(
                    "aucune notification reçue par le téléphone en {} s",
                    timeout.as_secs()
                ));
            }
            let feed = self
                .admin
                .push_feed(Some(device_id), after, left.as_millis().min(5_000) as u64)
                .await
                .map_err(|e| {
                    anyhow!("flux des notifications illisible : {}", sandbox_message(&e))
                })?;
            if let Some(found) = feed
                .notifications
                .into_iter()
                .find(|n| payment_id.is_none_or(|id| n.payment_id == id))
            {
                return Ok(found);
            }
            after = feed.next_after;
        }
    }

    pub async fn shutdown(self) {
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await;
        }
    }
}

/// A phone enrolled through the core.
pub struct DemoPhone {
    pub client: Arc<Client>,
    pub device: EnrolledDevice,
    pub activation_code: String,
}

/// The data map of a push, as the platform hands it to the app.
pub fn push_data(push: &PushNotification) -> HashMap<String, String> {
    push.data.clone().into_iter().collect()
}

/// The demo account with `balance`.
pub fn demo_account(balance: Amount) -> SeedAccount {
    SeedAccount {
        email: DEMO_EMAIL.into(),
        account_number: DEMO_ACCOUNT_NUMBER.into(),
        balance,
        pin: DEMO_PIN.into(),
    }
}

/// A core error as a French sentence, with the technical cause in parentheses.
pub fn core_error(context: &str, error: &ClientError) -> anyhow::Error {
    anyhow!("{context} : {} ({error})", error.user_message())
}

/// A sandbox client error: the protocol's French message when there is one.
pub fn sandbox_message(error: &SandboxError) -> String {
    match error.info() {
        Some(info) => format!("{} ({})", info.message, info.code),
        None if error.is_transport() => format!("sandbox injoignable ({error})"),
        None => error.to_string(),
    }
}

/// A token that is unique enough for a local, temporary sandbox.
pub fn random_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{:x}{:x}", std::process::id(), nanos)
}
