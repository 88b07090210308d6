//! How a sandbox is started: [`SandboxConfig`] and the seed data ([`Seed`]).

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use cvconnect_core::amount::Amount;
use serde::{Deserialize, Serialize};

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
        }
    }
}

impl SandboxConfig {
    /// The values actually used: attempts within 1..=5, PIN length within 4..=6,
    /// TTLs at least one second.
    pub fn normalized(mut self) -> Self {
        self.max_pin_attempts = self.max_pin_attempts.clamp(1, 5);
        self.pin_length = self.pin_length.clamp(4, 6);
        self.request_ttl_secs = self.request_ttl_secs.max(1);
        self.token_ttl_secs = self.token_ttl_secs.max(1);
        self
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
