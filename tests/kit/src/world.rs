//! The world a test, the bench or the demo runs in: a sandbox reachable over HTTP with
//! its admin routes, a temporary folder for its database and the phones' stores, and
//! the accounts and phones made in it.
//!
//! The sandbox is embedded ([`World::start`]: a real server on a free loopback port and
//! a SQLite file) or already running ([`World::connect`]). Names (e-mails, account
//! numbers, push tokens, folders) come from a counter, so that two phones or accounts
//! of one world never collide; a joined world starts its counter from the clock, so
//! that two runs against one sandbox do not collide either.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, Context as _};
use cvconnect_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use cvconnect_sandbox_client::{
    http_client, tls_client_trusting, AdminClient, BeneficiaryClient, MerchantClient,
};
use tokio::runtime::Runtime;

use crate::errors::sandbox_failed;
use crate::options::{Merchant, Options};
use crate::DEMO_MERCHANT_KEY;

/// A sandbox and what was made in it. Dropping it stops an embedded sandbox.
pub struct World {
    /// `http://127.0.0.1:PORT` (or `https://…`), without a trailing slash.
    pub base_url: String,
    /// The admin API: accounts, activation codes, faults, clock, push feed, ledger.
    pub admin: AdminClient,
    /// The HTTP client of the kit's clients (it trusts the sandbox's certificate).
    pub http: reqwest::Client,
    merchant: MerchantClient,
    merchant_key: String,
    admin_token: String,
    // Field order is drop order: the sandbox stops before its runtime goes, and the
    // folder goes last.
    embedded: Option<Embedded>,
    dir: tempfile::TempDir,
    counter: AtomicU32,
}

/// A sandbox started by the kit, on the caller's runtime or on one of its own.
struct Embedded {
    sandbox: RunningSandbox,
    /// Kept for its drop, after the sandbox's.
    _runtime: Option<OwnRuntime>,
}

/// A runtime dropped without waiting, so that a world may be dropped anywhere.
struct OwnRuntime(Option<Runtime>);

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// A multi-thread runtime with `workers` threads named `name`.
pub fn runtime(name: &str, workers: usize) -> anyhow::Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name(name)
        .enable_all()
        .build()
        .context("impossible de démarrer le moteur asynchrone")
}

impl World {
    /// Starts a sandbox on a free loopback port, its SQLite file in a new temporary
    /// folder, and makes the merchant of `options`.
    pub async fn start(options: Options) -> anyhow::Result<World> {
        let dir = tempfile::Builder::new()
            .prefix(&options.dir_prefix)
            .tempdir()
            .context("impossible de créer un dossier temporaire")?;
        World::start_in(dir, options).await
    }

    /// [`World::start`] in a folder the caller chose (a restart on the same database).
    pub async fn start_in(dir: tempfile::TempDir, options: Options) -> anyhow::Result<World> {
        let config = options.sandbox_config(dir.path(), random_token());
        let admin_token = config.admin_token.clone().unwrap_or_default();
        let embedded = Embedded::start(config, options.own_runtime).await?;
        let http = match embedded.sandbox.cert_der() {
            Some(cert) => tls_client_trusting(cert)?,
            None => http_client(),
        };
        let base_url = embedded.sandbox.base_url().to_owned();
        let mut world = World::new(
            base_url,
            http,
            admin_token,
            options.merchant.api_key(),
            dir,
            0,
        );
        world.embedded = Some(embedded);
        if let Merchant::Created { name, api_key } = &options.merchant {
            world
                .admin
                .create_merchant_with_key(name, api_key)
                .await
                .map_err(sandbox_failed(format!(
                    "le marchand {name} n'a pas été créé"
                )))?;
        }
        Ok(world)
    }

    /// A sandbox already running at `base_url` (`cvconnect-sandbox --admin-token T`),
    /// whose payment requests come from the demo seed's merchant.
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
        let first = (unix_nanos() % 100_000) as u32 * 10_000 + 10_000;
        Ok(World::new(
            base_url,
            http,
            admin_token.into(),
            DEMO_MERCHANT_KEY,
            dir,
            first,
        ))
    }

    fn new(
        base_url: String,
        http: reqwest::Client,
        admin_token: String,
        merchant_key: &str,
        dir: tempfile::TempDir,
        first: u32,
    ) -> World {
        World {
            admin: AdminClient::new(http.clone(), &base_url, admin_token.clone()),
            merchant: MerchantClient::new(http.clone(), &base_url, merchant_key),
            merchant_key: merchant_key.to_owned(),
            base_url,
            http,
            admin_token,
            embedded: None,
            dir,
            counter: AtomicU32::new(first),
        }
    }

    /// Stops an embedded sandbox (open requests finish first) and gives back the
    /// world's folder, for a restart on the same database.
    pub async fn shutdown(self) -> tempfile::TempDir {
        if let Some(embedded) = self.embedded {
            embedded.sandbox.shutdown().await;
        }
        self.dir
    }

    /// A number of this world never given before.
    pub(crate) fn next(&self) -> u32 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    // ------------------------------------------------------------ the sandbox

    /// The embedded sandbox (`None` for a joined one).
    pub fn sandbox(&self) -> Option<&RunningSandbox> {
        self.embedded.as_ref().map(|e| &e.sandbox)
    }

    /// `base_url` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// With TLS: the SPKI pin of the sandbox's certificate.
    pub fn spki_pin(&self) -> Option<String> {
        self.sandbox().and_then(RunningSandbox::spki_pin)
    }

    /// The world's temporary folder (database, phones' stores).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A new folder name under [`World::dir`], not created.
    pub fn new_dir(&self, prefix: &str) -> PathBuf {
        self.dir().join(format!("{prefix}-{}", self.next()))
    }

    /// The embedded sandbox's SQLite file (readable while it runs: WAL mode).
    pub fn database_path(&self) -> Option<PathBuf> {
        self.sandbox().map(|_| self.dir().join("sandbox.sqlite3"))
    }

    /// Id and name of the merchant the checkout page plays (embedded sandbox only).
    pub fn checkout_merchant(&self) -> Option<(String, String)> {
        self.sandbox().map(|s| {
            let (id, name) = s.checkout_merchant();
            (id.to_owned(), name.to_owned())
        })
    }

    /// The merchant API with the world's merchant key.
    pub fn merchant(&self) -> &MerchantClient {
        &self.merchant
    }

    /// The API key of the world's merchant (a sandbox value, not a secret).
    pub fn merchant_key(&self) -> &str {
        &self.merchant_key
    }

    /// The merchant API with another merchant's key.
    pub fn merchant_with_key(&self, api_key: &str) -> MerchantClient {
        MerchantClient::new(self.http.clone(), &self.base_url, api_key)
    }

    /// The raw beneficiary API.
    pub fn beneficiary(&self) -> BeneficiaryClient {
        BeneficiaryClient::new(self.http.clone(), &self.base_url)
    }
}

impl Embedded {
    /// Starts the sandbox on this runtime, or on a new one of `workers` threads.
    async fn start(config: SandboxConfig, workers: Option<usize>) -> anyhow::Result<Embedded> {
        let failed = |e: anyhow::Error| anyhow!("la sandbox n'a pas pu démarrer : {e:#}");
        let Some(workers) = workers else {
            let sandbox = Sandbox::start(config).await.map_err(failed)?;
            return Ok(Embedded {
                sandbox,
                _runtime: None,
            });
        };
        let runtime = runtime("sandbox-rt", workers)?;
        let sandbox = runtime
            .spawn(Sandbox::start(config))
            .await
            .map_err(|e| anyhow!("la sandbox n'a pas pu démarrer : {e}"))?
            .map_err(failed)?;
        Ok(Embedded {
            sandbox,
            _runtime: Some(OwnRuntime(Some(runtime))),
        })
    }
}

fn unix_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

/// A token that is unique enough for a local, temporary sandbox.
fn random_token() -> String {
    format!("{:x}{:x}", std::process::id(), unix_nanos())
}
