//! How a [`World`](crate::World) starts its sandbox: the suites want limits out of reach
//! and a merchant they create, the demo wants the sandbox's defaults and its seed, the
//! bench wants the server on threads of its own.

use std::path::Path;

use cvconnect_sandbox::{Database, Limits, SandboxConfig, Seed, SeedAccount, SeedMerchant};

use crate::{DEMO_MERCHANT_KEY, DEMO_MERCHANT_NAME};

/// The API key of the merchant the suites' worlds create.
const TEST_MERCHANT_KEY: &str = "mk_test_boutique";

/// The merchant a world's payment requests come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merchant {
    /// Created through the admin API once the sandbox is up. The sandbox made its own
    /// checkout merchant at start, so this one is the second.
    Created { name: String, api_key: String },
    /// In the sandbox's seed: its first merchant, the one of the checkout page.
    Seeded { name: String, api_key: String },
}

impl Merchant {
    pub fn name(&self) -> &str {
        match self {
            Merchant::Created { name, .. } | Merchant::Seeded { name, .. } => name,
        }
    }

    pub fn api_key(&self) -> &str {
        match self {
            Merchant::Created { api_key, .. } | Merchant::Seeded { api_key, .. } => api_key,
        }
    }
}

/// What [`World::start`](crate::World::start) starts.
#[derive(Debug, Clone)]
pub struct Options {
    /// The sandbox's settings. The kit puts its database in the world's folder
    /// (`sandbox.sqlite3`) and, when `admin_token` is `None`, sets a random one.
    pub sandbox: SandboxConfig,
    pub merchant: Merchant,
    /// Prefix of the world's temporary folder.
    pub dir_prefix: String,
    /// Serve from a runtime of its own with this many worker threads named
    /// `sandbox-rt`, as a separate server process would (the bench measures the phones'
    /// and the server's CPU apart).
    pub own_runtime: Option<usize>,
}

impl Default for Options {
    /// The suites' world: limits out of reach (they make thousands of requests in
    /// minutes), and the merchant "Boutique Démo" created with a key of its own.
    fn default() -> Self {
        Options {
            sandbox: SandboxConfig {
                limits: Limits::generous(),
                ..SandboxConfig::default()
            },
            merchant: Merchant::Created {
                name: DEMO_MERCHANT_NAME.into(),
                api_key: TEST_MERCHANT_KEY.into(),
            },
            dir_prefix: "cvconnect-test-".into(),
            own_runtime: None,
        }
    }
}

impl Options {
    /// The demo's world: the sandbox's default limits, seeded with `accounts` and the
    /// demo merchant.
    pub fn demo(accounts: Vec<SeedAccount>) -> Options {
        Options {
            sandbox: SandboxConfig {
                seed: Some(Seed {
                    accounts,
                    merchants: Vec::new(),
                }),
                ..SandboxConfig::default()
            },
            merchant: Merchant::Seeded {
                name: DEMO_MERCHANT_NAME.into(),
                api_key: DEMO_MERCHANT_KEY.into(),
            },
            dir_prefix: "cvconnect-demo-".into(),
            own_runtime: None,
        }
    }

    /// Serves HTTPS with the sandbox's self-signed certificate.
    pub fn tls(mut self) -> Options {
        self.sandbox.tls = true;
        self
    }

    /// PIN length of the accounts created.
    pub fn pin_length(mut self, length: u8) -> Options {
        self.sandbox.pin_length = length;
        self
    }

    /// Serves from a runtime of its own (see [`Options::own_runtime`]).
    pub fn own_runtime(mut self, workers: usize) -> Options {
        self.own_runtime = Some(workers);
        self
    }

    /// The sandbox's configuration for a world in `dir`, with `admin_token` when the
    /// options name none.
    pub(crate) fn sandbox_config(&self, dir: &Path, admin_token: String) -> SandboxConfig {
        let mut config = self.sandbox.clone();
        config.database = Database::File(dir.join("sandbox.sqlite3"));
        config.admin_token.get_or_insert(admin_token);
        if let Merchant::Seeded { name, api_key } = &self.merchant {
            config
                .seed
                .get_or_insert_with(Seed::default)
                .merchants
                .insert(
                    0,
                    SeedMerchant {
                        name: name.clone(),
                        api_key: api_key.clone(),
                    },
                );
        }
        config
    }
}
