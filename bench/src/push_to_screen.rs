//! Figure 1: from a push payload handed to the core until the payment view is ready,
//! against one plain HTTP GET round trip to the same sandbox, interleaved in the same
//! run. Also through the Python and Swift bindings when they are built ([`foreign`]).

use std::path::Path;
use std::time::Instant;

use anyhow::{anyhow, Result};
use cvconnect_sandbox_client::{http_client, BeneficiaryClient, SoftDevice};
use cvconnect_testkit::World;
use tokio::runtime::Runtime;

use crate::fixture::wait_push;
use crate::foreign::{self, Ffi};
use crate::stats::Samples;

pub const WARMUP: usize = 20;

pub struct PushToScreen {
    /// `open_from_push` + `view()`, a new payment each time, session dropped after.
    pub open: Samples,
    /// One authenticated `GET /v1/balance` on a reused connection.
    pub get_balance: Samples,
    /// One `GET /healthz` on a reused connection (no database, no auth).
    pub get_health: Samples,
    /// The two reads the core makes (detail and balance), concurrently, by a bare
    /// client on the same account: the network floor of the figure.
    pub get_pair: Samples,
    /// Through the Python binding (figure 1b).
    pub python: Ffi,
    /// Through the Swift binding (figure 1c).
    pub swift: Ffi,
}

/// Times `fut` and records it.
pub async fn timed<T>(
    samples: &mut Samples,
    record: bool,
    fut: impl std::future::Future<Output = T>,
) -> T {
    let start = Instant::now();
    let out = fut.await;
    if record {
        samples.push(start.elapsed());
    }
    out
}

pub fn run(rt: &Runtime, fx: &World, root: &Path, iterations: usize) -> Result<PushToScreen> {
    let mut result = rt.block_on(run_rust(fx, iterations))?;
    result.python = foreign::measure(rt, fx, foreign::python(root, fx), iterations);
    result.swift = foreign::measure(rt, fx, foreign::swift(), iterations);
    Ok(result)
}

/// A second, bare device of the account (the sandbox's own test client, a reqwest
/// client reused across calls): the baseline GETs.
pub async fn baseline_device(fx: &World, email: &str) -> Result<SoftDevice> {
    let code = fx.activation_code(email).await?;
    let api = BeneficiaryClient::new(http_client(), &fx.base_url);
    Ok(SoftDevice::enroll(api, email, &code, None).await?)
}

async fn run_rust(fx: &World, iterations: usize) -> Result<PushToScreen> {
    let account = fx.account("100000.00").await?;
    let (phone, enrolled) = fx.enroll_phone(&account.email).await?;
    let device_id = enrolled.device.device_id;
    let device = baseline_device(fx, &account.email).await?;
    let health = http_client();
    let health_url = fx.url("/healthz");

    let mut open = Samples::new();
    let mut get_balance = Samples::new();
    let mut get_health = Samples::new();
    let mut get_pair = Samples::new();
    let mut after = 0;
    for i in 0..WARMUP + iterations {
        let record = i >= WARMUP;
        let payment_id = fx.create_payment(&account.email, "25.00").await?;
        let push = wait_push(&fx.admin, &device_id, &payment_id, &mut after).await?;
        // Rotate the order so that none of the four always runs first.
        for k in 0..4 {
            match (i + k) % 4 {
                0 => {
                    let view = timed(&mut open, record, async {
                        let session = phone.client.open_from_push(&push).await?;
                        Ok::<_, anyhow::Error>(session.view())
                    })
                    .await?;
                    if view.payment_id != payment_id {
                        return Err(anyhow!(
                            "opened {} instead of {payment_id}",
                            view.payment_id
                        ));
                    }
                }
                1 => {
                    timed(&mut get_balance, record, device.balance()).await?;
                }
                2 => {
                    timed(&mut get_pair, record, async {
                        tokio::try_join!(device.payment(&payment_id), device.balance())
                    })
                    .await?;
                }
                _ => {
                    timed(&mut get_health, record, async {
                        let response = health.get(&health_url).send().await?.error_for_status()?;
                        response.bytes().await
                    })
                    .await?;
                }
            }
        }
    }
    Ok(PushToScreen {
        open,
        get_balance,
        get_health,
        get_pair,
        python: Ffi::NotMeasured(String::new()),
        swift: Ffi::NotMeasured(String::new()),
    })
}
