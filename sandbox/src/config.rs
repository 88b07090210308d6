//! How a sandbox is started: [`SandboxConfig`] and the seed data ([`Seed`]).

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use cvconnect_core::amount::Amount;
use serde::{Deserialize, Serialize};

pub use crate::attestation::{AttestationConfig, Policy as AttestationPolicy};

/// Where the state lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file, created if missing; a restart on the same file keeps all state.
    File(PathBuf),
    /// A private in-memory SQLite database, lost at shutdown.
    Memory,
}

/// Settings of one sandbox instance. `Default` gives the protocol defaults, an
/// in-memory database, plain HTTP on a free loopback port and no admin routes.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Address to listen on (loopback by default; admin routes only answer loopback peers).
    pub host: IpAddr,
    /// TCP port; 0 picks a free one.
    pub port: u16,
    pub database: Database,
    /// Serve HTTPS with a self-signed certificate (kept in the database).
    pub tls: bool,
    /// Enables the `/admin` routes, guarded by this bearer token.
    pub admin_token: Option<String>,
    /// Smallest merchant total accepted (20.00 €).
    pub min_total: Amount,
    /// Validity of a payment request (180 s).
    pub request_ttl_secs: u64,
    /// Consecutive wrong PINs before the lock (3; clamped to 1..=5).
    pub max_pin_attempts: u8,
    /// PIN length of the accounts created (4; clamped to 4..=6).
    pub pin_length: u8,
    /// Bearer token lifetime (300 s).
    pub token_ttl_secs: u64,
    /// Accounts and merchants created at start when missing.
    pub seed: Option<Seed>,
    /// Serve the checkout page and its API to any peer, with or without admin routes
    /// (by default they exist only with an admin token, for loopback peers).
    pub public_checkout: bool,
    /// Bounds on what clients may ask for (payment requests, challenges, codes).
    pub limits: Limits,
    /// Bounds on connections (timeouts, how many at once).
    pub connections: ConnectionLimits,
    /// Merchant notifications: retries of deliveries, the expiry sweeper.
    pub webhooks: WebhookSettings,
    /// Key attestation at enrollment (v1.2): the policy and what each platform must show.
    pub attestation: AttestationConfig,
}

/// How merchant notifications are delivered (protocol §8.1) and how often due payment
/// requests are expired without anyone reading them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Wait before the first retry; doubled at each further failure.
    pub retry_base: Duration,
    /// Longest wait between two attempts.
    pub retry_max_interval: Duration,
    /// How long after the event attempts go on; then the delivery is given up.
    pub retry_for: Duration,
    /// Longest wait for a merchant's answer.
    pub timeout: Duration,
    /// How often the sweeper expires the due payment requests.
    pub expiry_sweep: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            retry_base: Duration::from_secs(5),
            retry_max_interval: Duration::from_secs(3600),
            retry_for: Duration::from_secs(24 * 3600),
            timeout: Duration::from_secs(10),
            expiry_sweep: Duration::from_secs(1),
        }
    }
}

/// Bounds on what clients may ask for. Every limit is at least 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// New payment requests per merchant per minute.
    pub merchant_requests_per_min: u32,
    /// New payment requests per account reference (e-mail or number as sent) per minute.
    pub account_requests_per_min: u32,
    /// Pending payment requests per account reference.
    pub max_pending_per_account: u32,
    /// Authentication challenges per device id per minute (known or not).
    pub challenges_per_min: u32,
    /// Wrong activation codes per e-mail before its codes are burned (24 h window).
    pub max_activation_failures: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            merchant_requests_per_min: 600,
            account_requests_per_min: 20,
            max_pending_per_account: 50,
            challenges_per_min: 30,
            max_activation_failures: 5,
        }
    }
}

impl Limits {
    /// Limits so high that no test meets them (fault matrix, crash tests).
    pub fn generous() -> Self {
        Limits {
            merchant_requests_per_min: 1_000_000,
            account_requests_per_min: 1_000_000,
            max_pending_per_account: 1_000_000,
            challenges_per_min: 1_000_000,
            max_activation_failures: 5,
        }
    }
}

/// Bounds on the connections themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Longest wait for a request's head (line and headers); also closes a
    /// keep-alive connection idle for that long.
    pub header_timeout: Duration,
    /// Longest read of a request body.
    pub body_timeout: Duration,
    /// Connections served at once; further ones wait in the listen backlog.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
        }
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            database: Database::Memory,
            tls: false,
            admin_token: None,
            min_total: Amount::from_cents(2000),
            request_ttl_secs: 180,
            max_pin_attempts: 3,
            pin_length: 4,
            token_ttl_secs: 300,
            seed: None,
            public_checkout: false,
            limits: Limits::default(),
            connections: ConnectionLimits::default(),
            webhooks: WebhookSettings::default(),
            attestation: AttestationConfig::default(),
        }
    }
}

impl SandboxConfig {
    /// The values actually used: attempts within 1..=5, PIN length within 4..=6,
    /// TTLs within one second and ten years, every limit at least 1, timeouts at
    /// least 10 ms (webhook intervals too, the longest retry interval at least the first).
    pub fn normalized(mut self) -> Self {
        const TEN_YEARS: u64 = 10 * 365 * 24 * 3600;
        self.max_pin_attempts = self.max_pin_attempts.clamp(1, 5);
        self.pin_length = self.pin_length.clamp(4, 6);
        self.request_ttl_secs = self.request_ttl_secs.clamp(1, TEN_YEARS);
        self.token_ttl_secs = self.token_ttl_secs.clamp(1, TEN_YEARS);
        let l = &mut self.limits;
        for limit in [
            &mut l.merchant_requests_per_min,
            &mut l.account_requests_per_min,
            &mut l.max_pending_per_account,
            &mut l.challenges_per_min,
            &mut l.max_activation_failures,
        ] {
            *limit = (*limit).max(1);
        }
        let c = &mut self.connections;
        let floor = Duration::from_millis(10);
        c.header_timeout = c.header_timeout.max(floor);
        c.body_timeout = c.body_timeout.max(floor);
        c.max_connections = c.max_connections.max(1);
        let w = &mut self.webhooks;
        w.retry_base = w.retry_base.max(floor);
        w.retry_max_interval = w.retry_max_interval.max(w.retry_base);
        w.timeout = w.timeout.max(floor);
        w.expiry_sweep = w.expiry_sweep.max(floor);
        self
    }

    /// Whether the checkout page and its API are routed at all.
    pub fn serves_checkout(&self) -> bool {
        self.public_checkout || self.admin_token.is_some()
    }
}

/// Demo data: `{"accounts": [...], "merchants": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    #[serde(default)]
    pub accounts: Vec<SeedAccount>,
    #[serde(default)]
    pub merchants: Vec<SeedMerchant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAccount {
    pub email: String,
    pub account_number: String,
    pub balance: Amount,
    pub pin: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedMerchant {
    pub name: String,
    pub api_key: String,
}

impl Seed {
    pub fn from_json(text: &str) -> anyhow::Result<Seed> {
        Ok(serde_json::from_str(text)?)
    }

    pub fn from_file(path: &Path) -> anyhow::Result<Seed> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read seed file {}: {e}", path.display()))?;
        Self::from_json(&text)
            .map_err(|e| anyhow::anyhow!("invalid seed file {}: {e}", path.display()))
    }

    /// The demo data shipped in `sandbox/seed/demo.json`.
    pub fn demo() -> Seed {
        Self::from_json(include_str!("../seed/demo.json")).expect("seed/demo.json is valid")
    }

    /// Appends another seed's entries.
    pub fn extend(&mut self, other: Seed) {
        self.accounts.extend(other.accounts);
        self.merchants.extend(other.merchants);
    }
}
