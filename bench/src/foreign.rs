//! Figures 1b and 1c: push to screen through a binding, timed inside a driver written
//! in the binding's language. Every driver speaks one line protocol on stdin/stdout:
//! arguments `BASE_URL EMAIL ACTIVATION_CODE DATA_DIR`; it enrolls and prints
//! `{"ready": DEVICE_ID}`; then for each line (a push data map as JSON) it times
//! `openFromPush` + `view()` and prints `{"ns": …, "payment_id": …}`; an empty line or
//! the end of input stops it. A Rust `GET /v1/balance` alternates with each push, so
//! that both see the same conditions.
//!
//! - Python: `bench/ffi_push_to_screen.py` on the shipped library (`build/`).
//! - Swift: `ios/Sources/CVConnectPushBench`, built and described by `cargo xtask
//!   bench` in [`SWIFT_ENV`] (it runs in the Swift root, see xtask/src/swift).
//!
//! The end of the file is what figure 1's section says of them: their summary rows,
//! their detail lines and a paragraph each.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use cvconnect_sandbox_client::SoftDevice;
use cvconnect_testkit::World;
use tokio::runtime::Runtime;

use crate::child::{tail, LineChild};
use crate::fixture::wait_push;
use crate::push_to_screen::{self, baseline_device, timed, PushToScreen, WARMUP};
use crate::report::{ratio, Figure, Row};
use crate::stats::{human, Samples};

/// Set by `cargo xtask bench`: `{"argv": [...], "scratch": "..."}` or `{"skipped": "why"}`.
pub const SWIFT_ENV: &str = "CVCONNECT_BENCH_SWIFT";

pub enum Ffi {
    NotMeasured(String),
    Measured {
        /// Timed inside the driver around `open_from_push(data)` + `view()`.
        open: Samples,
        /// The Rust GET /v1/balance, interleaved with the driver's opens.
        get_balance: Samples,
    },
}

/// A driver ready to start: `Err` says why there is none.
pub struct Driver {
    what: &'static str,
    /// The command, before the four arguments.
    command: Command,
    /// The driver's data folder (a path it sees as the bench does).
    data_dir: PathBuf,
    /// Removes the data folder when the run is over, if it is not the fixture's.
    _scratch: Option<tempfile::TempDir>,
}

/// The Python script, if the Python bindings are built.
pub fn python(root: &Path, fx: &World) -> Result<Driver, String> {
    let module_dir = root.join("build/bindings/python");
    let library = root.join("build/lib/libcvconnect_ffi.so");
    if !module_dir.join("cvconnect.py").exists() || !library.exists() {
        return Err("bindings not built (`cargo xtask bindings`)".into());
    }
    let mut command = Command::new("python3");
    command
        .arg(root.join("bench/ffi_push_to_screen.py"))
        .env("PYTHONPATH", &module_dir)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    Ok(Driver {
        what: "the Python binding script",
        command,
        data_dir: fx.new_dir("python"),
        _scratch: None,
    })
}

/// The Swift executable, as `cargo xtask bench` describes it in [`SWIFT_ENV`].
pub fn swift() -> Result<Driver, String> {
    let Ok(text) = std::env::var(SWIFT_ENV) else {
        return Err(format!(
            "{SWIFT_ENV} is not set: `cargo xtask bench` builds the Swift driver and sets it"
        ));
    };
    let spec: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{SWIFT_ENV} is not JSON: {e}"))?;
    if let Some(why) = spec["skipped"].as_str() {
        return Err(why.to_owned());
    }
    let argv: Vec<&str> = spec["argv"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let (Some((program, args)), Some(scratch)) = (argv.split_first(), spec["scratch"].as_str())
    else {
        return Err(format!("{SWIFT_ENV} has no argv or scratch: {text}"));
    };
    let scratch = tempfile::Builder::new()
        .prefix("swift-")
        .tempdir_in(scratch)
        .map_err(|e| format!("cannot create a data folder in {scratch}: {e}"))?;
    let mut command = Command::new(program);
    command.args(args);
    Ok(Driver {
        what: "the Swift driver",
        command,
        data_dir: scratch.path().to_owned(),
        _scratch: Some(scratch),
    })
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
    let result = drive(rt, fx, &mut child, &account.email, &device, iterations);
    let stderr = child.finish(Duration::from_secs(10));
    result.map_err(|error| anyhow!("{error:#} (stderr: {})", tail(&stderr, 6)))
}

fn drive(
    rt: &Runtime,
    fx: &World,
    child: &mut LineChild,
    email: &str,
    device: &SoftDevice,
    iterations: usize,
) -> Result<Ffi> {
    let ready: serde_json::Value = serde_json::from_str(&child.recv(Duration::from_secs(60))?)?;
    let device_id = ready["ready"]
        .as_str()
        .context("the driver did not report its device id")?
        .to_owned();
    let mut open = Samples::new();
    let mut get_balance = Samples::new();
    let mut after = 0;
    for i in 0..WARMUP + iterations {
        let record = i >= WARMUP;
        let (payment_id, push) = rt.block_on(async {
            let id = fx.create_payment(email, "25.00").await?;
            let push = wait_push(&fx.admin, &device_id, &id, &mut after).await?;
            Ok::<_, anyhow::Error>((id, push))
        })?;
        let mut foreign_open = || -> Result<()> {
            child.send(&serde_json::to_string(&push)?)?;
            let answer: serde_json::Value =
                serde_json::from_str(&child.recv(Duration::from_secs(30))?)?;
            let ns = answer["ns"].as_u64().context("no timing in the answer")?;
            if answer["payment_id"].as_str() != Some(payment_id.as_str()) {
                return Err(anyhow!("the driver opened another payment: {answer}"));
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
            foreign_open()?;
            get()?;
        } else {
            get()?;
            foreign_open()?;
        }
    }
    Ok(Ffi::Measured { open, get_balance })
}

// ---------------------------------------------------------------- report

/// What the report says of one binding.
struct Binding<'a> {
    number: &'static str,
    name: &'static str,
    result: &'a Ffi,
    /// The driver, its library, and what it times.
    how: &'static str,
    /// What the binding adds to the Rust call.
    cost: &'static str,
}

fn bindings(p: &PushToScreen) -> [Binding<'_>; 2] {
    [
        Binding {
            number: "1b",
            name: "Python",
            result: &p.python,
            how: "`bench/ffi_push_to_screen.py`, on the shipped library (`build/lib`, profile \
                  `release-smaller`: opt-level z, fat LTO), its key a P-256 key of the \
                  `cryptography` package; timed in Python with `perf_counter_ns` around \
                  `await client.open_from_push(data)` + `view()`.",
            cost: "lifting the map, the foreign future, the asyncio wake-up, lowering the view \
                   record",
        },
        Binding {
            number: "1c",
            name: "Swift",
            result: &p.swift,
            how: "`ios/Sources/CVConnectPushBench`, Swift 6 language mode, built with `swift \
                  build -c release` and run by `cargo xtask bench` in the Debian 13 root of the \
                  Swift lane (same kernel, same loopback); timed in Swift on the main actor, \
                  where an app opens its screen, with `CLOCK_MONOTONIC` around `try await \
                  client.openFromPush(data:)` + `view()`. Its key is the test library's \
                  `softwareDeviceSigner()` (an in-memory P-256 key in Rust: Linux has no Secure \
                  Enclave), so it links a library built with the `testing` feature. To be fair \
                  against the Rust figure that library is a release build (`cargo build -p \
                  cvconnect-ffi --lib --release --features testing`, the optimisation of this \
                  benchmark binary, installed in `target/bench-swift/lib`), not the debug \
                  library the Swift tests load.",
            cost: "lifting the map, the foreign future's wake-ups and the hops back to the \
                   main actor, lowering the view record",
        },
    ]
}

fn figure(b: &Binding) -> String {
    format!("{}. Push to screen ({} binding)", b.number, b.name)
}

/// The summary rows: measured, or why not.
pub fn rows(p: &PushToScreen) -> Vec<Row> {
    let mut rows = Vec::new();
    for b in bindings(p) {
        match b.result {
            Ffi::Measured { open, get_balance } => {
                rows.extend(push_to_screen::row(figure(&b), open, get_balance));
            }
            Ffi::NotMeasured(why) => {
                rows.push(Row::not_measured(&figure(&b), PushToScreen::GOAL, why));
            }
        }
    }
    rows
}

/// The detail table's lines of the bindings that were measured.
pub fn operations(p: &PushToScreen) -> Vec<(String, &Samples)> {
    let mut operations = Vec::new();
    for b in bindings(p) {
        if let Ffi::Measured { open, get_balance } = b.result {
            operations.push((format!("open_from_push + view ({} binding)", b.name), open));
            let get = format!("GET /v1/balance (interleaved with {})", b.name);
            operations.push((get, get_balance));
        }
    }
    operations
}

/// One paragraph per binding; `rust` is the median of the Rust call.
pub fn prose(out: &mut String, p: &PushToScreen, rust: Duration) {
    let mut measured = false;
    for b in bindings(p) {
        match b.result {
            Ffi::Measured { open, get_balance } => {
                let (Some(f), Some(g)) = (open.summary(), get_balance.summary()) else {
                    continue;
                };
                measured = true;
                let _ = writeln!(
                    out,
                    "Through the {} binding (figure {}): median {}, p99 {}, against {} / {} for \
                     the Rust GET interleaved with it: **{:.2}×** one GET at the median, {:.2}× \
                     at p99. That is {} more than the Rust call at the median: {}. Driver: {}\n",
                    b.name,
                    b.number,
                    human(f.median),
                    human(f.p99),
                    human(g.median),
                    human(g.p99),
                    ratio(f.median, g.median),
                    ratio(f.p99, g.p99),
                    human(f.median.saturating_sub(rust)),
                    b.cost,
                    b.how
                );
            }
            Ffi::NotMeasured(why) => {
                let _ = writeln!(out, "{} binding: not measured: {why}.\n", b.name);
            }
        }
    }
    if measured {
        out.push_str(
            "No driver signs while timed: its key signs only the token challenge, during the\n\
             warm-up (the token lasts 5 minutes).\n\n",
        );
    }
}
