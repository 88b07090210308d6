//! `cvconnect-sandbox`: the reference backend of protocol v1 (`docs/protocol.md`).
//!
//! A real HTTP server on SQLite that speaks both sides of the protocol (beneficiary
//! devices and merchants), plus the sandbox extras of §10: admin routes, an emulated
//! push gateway with a long-poll feed, fault injection, an injectable clock, the
//! merchant checkout page and the OpenAPI document.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use cvconnect_sandbox::{Sandbox, SandboxConfig, Seed};
//! let sandbox = Sandbox::start(SandboxConfig {
//!     admin_token: Some("admin".into()),
//!     seed: Some(Seed::demo()),
//!     ..SandboxConfig::default()
//! })
//! .await?;
//! println!("{}", sandbox.base_url());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

pub mod config;

pub mod attestation;
mod clock;
mod db;
mod error;
mod extract;
mod faults;
mod outbox;
mod proof;
mod routes;
mod secrets;
mod server;
mod state;
mod store;
mod util;
mod webhooks;
mod work;

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

pub use config::{
    ConnectionLimits, Database, Limits, SandboxConfig, Seed, SeedAccount, SeedMerchant,
    WebhookSettings,
};
pub use faults::FaultKind;

use crate::clock::{Clock, CLOCK_OFFSET_KEY};
use crate::db::{meta_get, Db};
use crate::secrets::{Secrets, TlsIdentity};
use crate::state::{AppState, Inner};
use crate::store::merchants::{self, MerchantRow};

/// Name of the merchant created for the checkout page when none is seeded.
pub const DEFAULT_MERCHANT_NAME: &str = "Boutique Démo";

/// Entry point: [`Sandbox::start`].
pub struct Sandbox;

impl Sandbox {
    /// Opens the database, seeds it, binds the port and serves in the background.
    pub async fn start(config: SandboxConfig) -> anyhow::Result<RunningSandbox> {
        let config = config.normalized();
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let (state, tls_identity) = prepare(&config, shutdown_rx.clone())?;
        let checkout_merchant = state.checkout_merchant.clone();
        let listener = TcpListener::bind(SocketAddr::new(config.host, config.port)).await?;
        let local_addr = listener.local_addr()?;
        let scheme = if config.tls { "https" } else { "http" };
        let base_url = format!("{scheme}://{local_addr}");
        let tls_config = match &tls_identity {
            Some(identity) => Some(server::tls_config(identity)?),
            None => None,
        };
        tokio::spawn(outbox::run(state.clone()));
        tokio::spawn(webhooks::delivery::run(state.clone()));
        tokio::spawn(webhooks::sweeper::run(state.clone()));
        let router = routes::router(state);
        let task = tokio::spawn(server::serve(
            listener,
            router,
            tls_config,
            config.connections.clone(),
            shutdown_rx,
        ));
        tracing::info!(%base_url, tls = config.tls, admin = config.admin_token.is_some(), "sandbox listening");
        Ok(RunningSandbox {
            base_url,
            local_addr,
            spki_pin: tls_identity
                .as_ref()
                .map(|t| cvconnect_core::crypto::signer::spki_sha256_pin(&t.spki_der)),
            cert_der: tls_identity.map(|t| t.cert_der),
            admin_token: config.admin_token,
            checkout_merchant,
            shutdown_tx,
            task: Some(task),
        })
    }
}

/// The shared state of a sandbox: database opened and seeded, secrets, clock, the
/// checkout merchant; and the TLS identity when `config.tls`.
fn prepare(
    config: &SandboxConfig,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<(AppState, Option<TlsIdentity>)> {
    let db = Db::open(&config.database)?;
    let (secrets, offset, tls_identity) = db.with_conn(|conn| {
        let secrets = Secrets::load_or_create(conn)?;
        let offset = meta_get(conn, CLOCK_OFFSET_KEY)?
            .and_then(|v| String::from_utf8(v).ok())
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
            .clamp(0, clock::MAX_OFFSET_SECS);
        let tls = if config.tls {
            Some(TlsIdentity::load_or_create(conn)?)
        } else {
            None
        };
        Ok((secrets, offset, tls))
    })?;
    let clock = Clock::with_offset(offset);
    let now = clock.now();
    if let Some(seed) = &config.seed {
        apply_seed(&db, &secrets, seed, config.pin_length, now)?;
    }
    let checkout_merchant = db.with_conn(|conn| {
        if let Some(first) = merchants::first(conn)? {
            return Ok(first);
        }
        let key = format!("mk_{}", util::new_token());
        merchants::insert(conn, DEFAULT_MERCHANT_NAME, &key, now)
            .map_err(|e| anyhow::anyhow!("cannot create the checkout merchant: {}", e.message))
    })?;
    let state = AppState::new(Inner {
        config: config.clone(),
        db,
        secrets,
        clock,
        faults: faults::Faults::default(),
        push_notify: Notify::new(),
        outbox_wake: Notify::new(),
        webhook_wake: Notify::new(),
        events: tokio::sync::broadcast::channel(256).0,
        checkout_merchant,
        shutdown,
    });
    Ok((state, tls_identity))
}

/// The router of a sandbox that does not listen, for in-process tests of what depends
/// on the peer's address.
#[cfg(test)]
pub(crate) fn test_router(config: SandboxConfig) -> axum::Router {
    let (_, shutdown) = watch::channel(false);
    let (state, _) = prepare(&config.normalized(), shutdown).expect("sandbox state");
    routes::router(state)
}

fn apply_seed(
    db: &Db,
    secrets: &Secrets,
    seed: &Seed,
    pin_length: u8,
    now: i64,
) -> anyhow::Result<()> {
    db.with_conn(|conn| {
        let tx = conn.transaction()?;
        for account in &seed.accounts {
            let exists = store::accounts::find(&tx, &account.email)?.is_some()
                || store::accounts::find(&tx, &account.account_number)?.is_some();
            if exists {
                continue;
            }
            let new = store::accounts::NewAccount {
                email: &account.email,
                account_number: &account.account_number,
                balance: account.balance,
                pin: &account.pin,
            };
            store::accounts::insert(&tx, secrets, &new, pin_length, now).map_err(|e| {
                anyhow::anyhow!(
                    "seed account {}: {} ({})",
                    util::mask_email(&account.email),
                    e.message,
                    e.field.unwrap_or_default()
                )
            })?;
        }
        for merchant in &seed.merchants {
            if merchants::by_api_key(&tx, &merchant.api_key)?.is_some() {
                continue;
            }
            merchants::insert(&tx, &merchant.name, &merchant.api_key, now)
                .map_err(|e| anyhow::anyhow!("seed merchant {:?}: {}", merchant.name, e.message))?;
        }
        tx.commit()?;
        Ok(())
    })
}

/// A sandbox serving in the background. Dropping it without [`shutdown`](Self::shutdown)
/// also stops it (without waiting).
pub struct RunningSandbox {
    base_url: String,
    local_addr: SocketAddr,
    spki_pin: Option<String>,
    cert_der: Option<Vec<u8>>,
    admin_token: Option<String>,
    checkout_merchant: MerchantRow,
    shutdown_tx: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl RunningSandbox {
    /// `http://127.0.0.1:PORT` (or `https://…` with TLS), without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// With TLS: `sha256/<base64>` of the certificate's SubjectPublicKeyInfo.
    pub fn spki_pin(&self) -> Option<String> {
        self.spki_pin.clone()
    }

    /// With TLS: the self-signed certificate (DER).
    pub fn cert_der(&self) -> Option<&[u8]> {
        self.cert_der.as_deref()
    }

    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref()
    }

    /// Id and name of the merchant the checkout page plays.
    pub fn checkout_merchant(&self) -> (&str, &str) {
        (&self.checkout_merchant.id, &self.checkout_merchant.name)
    }

    /// Stops accepting, lets open requests finish (2 s at most) and closes the database.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
    }
}
