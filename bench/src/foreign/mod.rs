//! Figures 1b, 1d and 1e: push to screen through a binding, timed inside a driver
//! written in the binding's language. Every driver speaks one line protocol on
//! stdin/stdout: arguments `BASE_URL EMAIL ACTIVATION_CODE DATA_DIR`; it enrolls and
//! prints `{"ready": DEVICE_ID}`; then for each line (a push data map as JSON) it times
//! `openFromPush` + `view()` and prints `{"ns": …, "payment_id": …}`; an empty line or
//! the end of input stops it. A Rust `GET /v1/balance` alternates with each push, so
//! that both see the same conditions.
//!
//! The drivers are in [`drivers`]; what figure 1's section says of them (their summary
//! rows, their detail lines and a paragraph each) in [`report`].

mod drivers;
mod report;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use cvconnect_sandbox_client::SoftDevice;
use cvconnect_testkit::World;
use tokio::runtime::Runtime;

use crate::child::{tail, LineChild};
use crate::fixture::wait_push;
use crate::push_to_screen::{baseline_device, timed};
use crate::stats::Samples;

pub use drivers::{kotlin, python, swift};
pub use report::{operations, prose, rows};

pub enum Ffi {
    NotMeasured(String),
    Measured {
        /// Timed inside the driver around `open_from_push(data)` + `view()`.
        open: Samples,
        /// The Rust GET /v1/balance, interleaved with the driver's opens.
        get_balance: Samples,
        /// What the driver measured inside its opens, when it reports it.
        inside: Inside,
    },
}

/// What a driver measured inside each recorded open, one entry per open.
#[derive(Default)]
pub struct Inside {
    /// Times the library's callback woke the driver's coroutine up (Python).
    pub wakeups: Vec<u64>,
    /// From the callback entering the driver's language to the resume running.
    pub wake: Samples,
    /// The device key's signatures, made in the driver's language.
    pub signatures: Vec<u64>,
    /// The time spent in them.
    pub signing: Samples,
    /// The pieces of an open timed apart once, after the driver's own warm-up (Kotlin).
    pub calibration: Option<Calibration>,
}

/// Medians the Kotlin driver measures once after its JIT warm-up.
pub struct Calibration {
    /// Opens of the first payment, back to back, before any is timed.
    pub warm_opens: u64,
    /// An open in the second half of them.
    pub warm_open: Duration,
    /// The JDK's signature called directly from Kotlin, not from a library thread.
    pub direct_sign: Duration,
    /// An async call with no I/O: the runtime's spawn, the foreign future, its resume.
    pub async_call: Duration,
    /// A synchronous call that returns a record.
    pub sync_call: Duration,
}

impl Calibration {
    fn read(answer: &serde_json::Value) -> Option<Calibration> {
        let c = answer.get("calibration")?;
        let ns = |name: &str| c[name].as_u64().map(Duration::from_nanos);
        Some(Calibration {
            warm_opens: c["warm_opens"].as_u64()?,
            warm_open: ns("warm_open_ns")?,
            direct_sign: ns("direct_sign_ns")?,
            async_call: ns("async_ns")?,
            sync_call: ns("sync_ns")?,
        })
    }
}

impl Inside {
    /// Records the optional `count` and `ns` fields of a driver's `answer`.
    fn record(&mut self, answer: &serde_json::Value) {
        let field = |name: &str| answer[name].as_u64();
        if let (Some(count), Some(ns)) = (field("wakeups"), field("wake_ns")) {
            self.wakeups.push(count);
            self.wake.push(Duration::from_nanos(ns));
        }
        if let (Some(count), Some(ns)) = (field("signatures"), field("sign_ns")) {
            self.signatures.push(count);
            self.signing.push(Duration::from_nanos(ns));
        }
    }
}

/// The longest wait for a driver's answer to a push: the first can come after a warm-up
/// of its own (the Kotlin driver's JIT warm-up opens the first payment 2000 times).
const ANSWER_WAIT: Duration = Duration::from_secs(180);

/// A driver ready to start: `Err` says why there is none.
pub struct Driver {
    what: &'static str,
    /// The command, before the four arguments.
    command: Command,
    /// The driver's data folder (a path it sees as the bench does).
    data_dir: PathBuf,
    /// Removes the data folder when the run is over, if it is not the fixture's.
    _scratch: Option<tempfile::TempDir>,
    /// Pushes opened before the recorded ones.
    warmup: usize,
}

/// Runs `driver` for `iterations` (after the warm-up), or says why it was not measured.
pub fn measure(rt: &Runtime, fx: &World, driver: Result<Driver, String>, iterations: usize) -> Ffi {
    let driver = match driver {
        Ok(driver) => driver,
        Err(why) => return Ffi::NotMeasured(why),
    };
    let what = driver.what;
    run(rt, fx, driver, iterations)
        .unwrap_or_else(|error| Ffi::NotMeasured(format!("the run of {what} failed: {error:#}")))
}

fn run(rt: &Runtime, fx: &World, mut driver: Driver, iterations: usize) -> Result<Ffi> {
    let account = rt.block_on(fx.account("100000.00"))?;
    // The bare device first: a new activation code may replace an unused one.
    let device = rt.block_on(baseline_device(fx, &account.email))?;
    let code = rt.block_on(fx.activation_code(&account.email))?;
    std::fs::create_dir_all(&driver.data_dir)?;
    driver
        .command
        .arg(&fx.base_url)
        .arg(&account.email)
        .arg(&code)
        .arg(&driver.data_dir);
    let mut child = LineChild::spawn(driver.command, driver.what)?;
    let runs = driver.warmup..driver.warmup + iterations;
    let result = drive(rt, fx, &mut child, &account.email, &device, runs);
    let stderr = child.finish(Duration::from_secs(10));
    result.map_err(|error| anyhow!("{error:#} (stderr: {})", tail(&stderr, 6)))
}

fn drive(
    rt: &Runtime,
    fx: &World,
    child: &mut LineChild,
    email: &str,
    device: &SoftDevice,
    runs: std::ops::Range<usize>,
) -> Result<Ffi> {
    let ready: serde_json::Value = serde_json::from_str(&child.recv(Duration::from_secs(60))?)?;
    let device_id = ready["ready"]
        .as_str()
        .context("the driver did not report its device id")?
        .to_owned();
    let mut open = Samples::new();
    let mut get_balance = Samples::new();
    let mut inside = Inside::default();
    let mut after = 0;
    for i in 0..runs.end {
        let record = runs.contains(&i);
        let (payment_id, push) = rt.block_on(async {
            let id = fx.create_payment(email, "25.00").await?;
            let push = wait_push(&fx.admin, &device_id, &id, &mut after).await?;
            Ok::<_, anyhow::Error>((id, push))
        })?;
        let mut foreign_open = || -> Result<()> {
            child.send(&serde_json::to_string(&push)?)?;
            let answer: serde_json::Value = serde_json::from_str(&child.recv(ANSWER_WAIT)?)?;
            let ns = answer["ns"].as_u64().context("no timing in the answer")?;
            if answer["payment_id"].as_str() != Some(payment_id.as_str()) {
                return Err(anyhow!("the driver opened another payment: {answer}"));
            }
            if record {
                open.push(Duration::from_nanos(ns));
                inside.record(&answer);
            }
            if let Some(calibration) = Calibration::read(&answer) {
                inside.calibration = Some(calibration);
            }
            Ok(())
        };
        let mut get = || -> Result<()> {
            rt.block_on(timed(&mut get_balance, record, device.balance()))?;
            Ok(())
        };
        if i % 2 == 0 {
            foreign_open()?;
            get()?;
        } else {
            get()?;
            foreign_open()?;
        }
    }
    Ok(Ffi::Measured {
        open,
        get_balance,
        inside,
    })
}
