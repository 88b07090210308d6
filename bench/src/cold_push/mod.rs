//! Figure 1c: push to screen as a phone usually meets it. The app was killed long ago:
//! no token in memory, no connection open. A push arrives; a fresh [`Client`] on the
//! enrolled data folder opens the payment over TLS (pinned to the sandbox's key),
//! through a relay that adds [`ONE_WAY`] to every chunk in each direction
//! ([`DelayProxy`]), so every round trip of TCP, TLS and HTTP costs [`RTT`].
//!
//! Timed: `Client::new` + `open_from_push(push)` + `view()`, a new payment each run.
//! Each way the core authenticates its requests ([`DESIGNS`]) is measured in the same
//! run, in turns, on the same device. The device key is wrapped in a
//! [`CountingSigner`]: the signatures made on the path are counted (on a phone, a
//! StrongBox signature costs tens of milliseconds).
//!
//! Two probes through the same relay give the floor: one GET on a connection already
//! open (one round trip, as the relay really delays it), and one GET by a new client
//! (TCP, TLS 1.3 and the request).

mod report;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use cvconnect_core::client::{Client, ClientConfig, RequestAuth};
use cvconnect_core::crypto::signer::{DeviceSigner, SignerError, SoftwareSigner};
use cvconnect_sandbox_client::tls_client_trusting;
use cvconnect_testkit::{Options, World};
use tokio::runtime::Runtime;

use crate::delay_proxy::DelayProxy;
use crate::fixture::wait_push;
use crate::push_to_screen::timed;
use crate::stats::Samples;

/// The latency the relay adds in each direction.
pub const ONE_WAY: Duration = Duration::from_millis(25);
/// One round trip through the relay.
pub const RTT: Duration = Duration::from_millis(50);
/// The goal: the view ready within this many round trips at the median.
pub const COLD_GOAL_RTT: f64 = 3.0;
/// The goal: this many device-key signatures on the cold path.
pub const SIGNATURE_GOAL: usize = 1;
/// Runs of each design before the recorded ones (the sandbox's and the bench's code
/// paths warm, the relay's first connections made).
const WARMUP: usize = 3;

/// One way the core authenticates its requests.
pub struct Design {
    pub auth: RequestAuth,
    pub label: &'static str,
    /// The round trips the design needs on a cold start, in order.
    pub path: &'static str,
    /// The design of today, measured beside the new one for comparison.
    pub reference: bool,
}

pub static DESIGNS: [Design; 2] = [
    Design {
        auth: RequestAuth::DeviceProof,
        label: "v1.1, device-signed request proofs",
        path: "TCP, TLS 1.3, `GET /v1/payments/{id}` with the balance in it",
        reference: false,
    },
    Design {
        auth: RequestAuth::BearerToken,
        label: "v1, challenge + bearer token",
        path: "TCP, TLS 1.3, `POST /v1/auth/challenge`, `POST /v1/auth/token`, then \
               `GET /v1/payments/{id}` ‖ `GET /v1/balance`",
        reference: true,
    },
];

/// What one design measured.
pub struct DesignRun {
    pub design: &'static Design,
    /// `Client::new` + `open_from_push` + `view()`.
    pub open: Samples,
    /// Device-key signatures made from `Client::new` to the view, one entry per run.
    pub signatures: Vec<usize>,
}

pub struct ColdPush {
    pub runs: Vec<DesignRun>,
    /// `GET /healthz` on a connection already open through the relay: one round trip.
    pub warm_get: Samples,
    /// `GET /healthz` by a new HTTPS client through the relay: TCP, TLS, request.
    pub fresh_get: Samples,
}

/// The device key, counting its signatures.
pub struct CountingSigner {
    key: Arc<SoftwareSigner>,
    signatures: AtomicUsize,
}

impl CountingSigner {
    pub fn new(key: Arc<SoftwareSigner>) -> CountingSigner {
        CountingSigner {
            key,
            signatures: AtomicUsize::new(0),
        }
    }

    /// The signatures made since the last call.
    pub fn take(&self) -> usize {
        self.signatures.swap(0, Ordering::SeqCst)
    }
}

impl DeviceSigner for CountingSigner {
    fn public_key(&self) -> Result<Vec<u8>, SignerError> {
        self.key.public_key()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.signatures.fetch_add(1, Ordering::SeqCst);
        self.key.sign(message)
    }
}

/// Starts a TLS sandbox and the relay in front of it, and measures `iterations` cold
/// opens of each design.
pub fn run(rt: &Runtime, iterations: usize) -> Result<ColdPush> {
    let options = Options {
        dir_prefix: "cvconnect-bench-tls-".into(),
        ..Options::default().tls()
    };
    let world = rt.block_on(World::start(options.own_runtime(2)))?;
    let sandbox = world.sandbox().context("an embedded sandbox")?;
    let cert = sandbox
        .cert_der()
        .context("the sandbox serves TLS")?
        .to_vec();
    let pin = sandbox.spki_pin().context("the sandbox's SPKI pin")?;
    let relay = DelayProxy::start(sandbox.local_addr(), ONE_WAY)?;
    let relay_url = format!("https://{}", relay.addr);
    let result = rt.block_on(measure(&world, &relay_url, &pin, &cert, iterations));
    drop(relay);
    drop(world);
    result
}

async fn measure(
    world: &World,
    relay_url: &str,
    pin: &str,
    cert: &[u8],
    iterations: usize,
) -> Result<ColdPush> {
    let account = world.account("100000.00").await?;
    let pins = vec![pin.to_owned()];
    let (phone, enrolled) = world
        .enroll_phone_with(&account.email, |config| config.spki_pins = pins.clone())
        .await?;
    let device_id = enrolled.device.device_id;
    let signer = Arc::new(CountingSigner::new(phone.signer.clone()));
    let data_dir = phone.data_dir.clone();
    drop(phone);
    let config = |design: &Design| {
        let mut config = ClientConfig::new(relay_url, &data_dir);
        config.spki_pins = pins.clone();
        config.request_auth = design.auth;
        config
    };
    let warm = tls_client_trusting(cert)?;
    let health = format!("{relay_url}/healthz");
    get(&warm, &health).await?;

    let mut cold = ColdPush {
        runs: DESIGNS
            .iter()
            .map(|design| DesignRun {
                design,
                open: Samples::new(),
                signatures: Vec::new(),
            })
            .collect(),
        warm_get: Samples::new(),
        fresh_get: Samples::new(),
    };
    let mut after = 0;
    for i in 0..WARMUP + iterations {
        let record = i >= WARMUP;
        // Rotate the order so that no design always comes first.
        for k in 0..DESIGNS.len() {
            let run = &mut cold.runs[(i + k) % DESIGNS.len()];
            let payment_id = world.create_payment(&account.email, "25.00").await?;
            let push = wait_push(&world.admin, &device_id, &payment_id, &mut after).await?;
            signer.take();
            let start = Instant::now();
            let client = Client::new(config(run.design), signer.clone(), None)?;
            let session = client.open_from_push(&push).await?;
            let view = session.view();
            let elapsed = start.elapsed();
            let signatures = signer.take();
            if view.payment_id != payment_id {
                return Err(anyhow!(
                    "opened {} instead of {payment_id}",
                    view.payment_id
                ));
            }
            drop(session);
            drop(client);
            if record {
                run.open.push(elapsed);
                run.signatures.push(signatures);
            }
        }
        timed(&mut cold.warm_get, record, get(&warm, &health)).await?;
        let fresh = tls_client_trusting(cert)?;
        timed(&mut cold.fresh_get, record, get(&fresh, &health)).await?;
    }
    Ok(cold)
}

/// One GET, its answer read to the end.
async fn get(client: &reqwest::Client, url: &str) -> Result<()> {
    client
        .get(url)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    Ok(())
}

/// `d` in round trips of the relay.
pub fn in_rtt(d: Duration) -> f64 {
    d.as_secs_f64() / RTT.as_secs_f64()
}
