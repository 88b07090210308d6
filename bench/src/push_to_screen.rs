//! Figure 1: from a push payload handed to the core until the payment view is ready,
//! against one plain HTTP GET round trip to the same sandbox, interleaved in the same
//! run. Also through the Python binding when it is built.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use cvconnect_sandbox::client::{http_client, BeneficiaryClient, SoftDevice};
use tokio::runtime::Runtime;

use crate::child::{tail, LineChild};
use crate::fixture::Fixture;
use crate::stats::Samples;

const WARMUP: usize = 20;

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
    pub ffi: Ffi,
}

pub enum Ffi {
    NotMeasured(String),
    Measured {
        /// Timed inside Python around `await client.open_from_push(data)` + `view()`.
        open: Samples,
        /// The Rust GET /v1/balance, interleaved with the Python opens.
        get_balance: Samples,
    },
}

/// Times `fut` and records it.
async fn timed<T>(
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

pub fn run(rt: &Runtime, fx: &Fixture, root: &Path, iterations: usize) -> Result<PushToScreen> {
    let mut result = rt.block_on(run_rust(fx, iterations))?;
    result.ffi = match run_ffi(rt, fx, root, iterations) {
        Ok(ffi) => ffi,
        Err(error) => Ffi::NotMeasured(format!("the Python run failed: {error:#}")),
    };
    Ok(result)
}

/// A second, bare device of the account (the sandbox's own test client, a reqwest
/// client reused across calls): the baseline GETs.
async fn baseline_device(fx: &Fixture, email: &str) -> Result<SoftDevice> {
    let code = fx.activation_code(email).await?;
    let api = BeneficiaryClient::new(http_client(), fx.base_url());
    Ok(SoftDevice::enroll(api, email, &code, None).await?)
}

async fn run_rust(fx: &Fixture, iterations: usize) -> Result<PushToScreen> {
    let account = fx.account("100000.00").await?;
    let phone = fx.phone(&account).await?;
    let device = baseline_device(fx, &account.email).await?;
    let health = http_client();
    let health_url = format!("{}/healthz", fx.base_url());

    let mut open = Samples::new();
    let mut get_balance = Samples::new();
    let mut get_health = Samples::new();
    let mut get_pair = Samples::new();
    let mut after = 0;
    for i in 0..WARMUP + iterations {
        let record = i >= WARMUP;
        let payment_id = fx.create_payment(&account.email, "25.00").await?;
        let push = fx
            .push_for(&phone.device_id, &payment_id, &mut after)
            .await?;
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
        ffi: Ffi::NotMeasured(String::new()),
    })
}

fn run_ffi(rt: &Runtime, fx: &Fixture, root: &Path, iterations: usize) -> Result<Ffi> {
    let module_dir = root.join("build/bindings/python");
    let library = root.join("build/lib/libcvconnect_ffi.so");
    if !module_dir.join("cvconnect.py").exists() || !library.exists() {
        return Ok(Ffi::NotMeasured(
            "not measured: bindings not built (`cargo xtask bindings`)".into(),
        ));
    }
    let script = root.join("bench/ffi_push_to_screen.py");
    let account = rt.block_on(fx.account("100000.00"))?;
    // The bare device first: a new activation code may replace an unused one.
    let device = rt.block_on(baseline_device(fx, &account.email))?;
    let code = rt.block_on(fx.activation_code(&account.email))?;
    let data_dir = fx.new_dir("ffi");
    std::fs::create_dir_all(&data_dir)?;

    let mut command = Command::new("python3");
    command
        .arg(&script)
        .arg(fx.base_url())
        .arg(&account.email)
        .arg(&code)
        .arg(&data_dir)
        .env("PYTHONPATH", &module_dir)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let mut child = LineChild::spawn(command, "the Python binding script")?;
    let result = drive_ffi(rt, fx, &mut child, &account.email, &device, iterations);
    let stderr = child.finish(Duration::from_secs(10));
    result.map_err(|error| anyhow!("{error:#} (stderr: {})", tail(&stderr, 6)))
}

fn drive_ffi(
    rt: &Runtime,
    fx: &Fixture,
    child: &mut LineChild,
    email: &str,
    device: &SoftDevice,
    iterations: usize,
) -> Result<Ffi> {
    let ready: serde_json::Value = serde_json::from_str(&child.recv(Duration::from_secs(60))?)?;
    let device_id = ready["ready"]
        .as_str()
        .context("the script did not report its device id")?
        .to_owned();
    let mut open = Samples::new();
    let mut get_balance = Samples::new();
    let mut after = 0;
    for i in 0..WARMUP + iterations {
        let record = i >= WARMUP;
        let (payment_id, push) = rt.block_on(async {
            let id = fx.create_payment(email, "25.00").await?;
            let push = fx.push_for(&device_id, &id, &mut after).await?;
            Ok::<_, anyhow::Error>((id, push))
        })?;
        let mut ffi_open = || -> Result<()> {
            child.send(&serde_json::to_string(&push)?)?;
            let answer: serde_json::Value =
                serde_json::from_str(&child.recv(Duration::from_secs(30))?)?;
            let ns = answer["ns"].as_u64().context("no timing in the answer")?;
            if answer["payment_id"].as_str() != Some(payment_id.as_str()) {
                return Err(anyhow!("the script opened another payment: {answer}"));
            }
            if record {
                open.push(Duration::from_nanos(ns));
            }
            Ok(())
        };
        let mut get = || -> Result<()> {
            rt.block_on(timed(&mut get_balance, record, device.balance()))?;
            Ok(())
        };
        if i % 2 == 0 {
            ffi_open()?;
            get()?;
        } else {
            get()?;
            ffi_open()?;
        }
    }
    Ok(Ffi::Measured { open, get_balance })
}
