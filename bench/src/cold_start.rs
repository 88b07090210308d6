//! Figure 2: cold start. Building the client (SQLite open and migrations, HTTP and TLS
//! stack) with its first call, on a fresh data folder (first launch) and on an
//! enrolled one (every later launch), with and without the library's tokio runtime;
//! and the first network call of an enrolled client.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use cvconnect_core::crypto::signer::SoftwareSigner;
use cvconnect_testkit::{runtime, World};
use tokio::runtime::Runtime;

use crate::stats::Samples;

pub struct ColdStart {
    /// `Client::new` + `enrolled_device()` on a fresh folder (creates the database).
    pub fresh: Samples,
    /// The same on the folder of an enrolled device (the app started again).
    pub reopen: Samples,
    /// A two-worker tokio runtime, as the library builds on first use.
    pub runtime: Samples,
    /// Runtime + `Client::new` + `enrolled_device()` on a fresh folder.
    pub fresh_with_runtime: Samples,
    /// Runtime + `Client::new` + `enrolled_device()` on the enrolled folder.
    pub reopen_with_runtime: Samples,
    /// Reference: create a 4 KiB file in a new folder next to the data folders and
    /// `fsync` it, to show what durable writes cost on this disk.
    pub fsync: Samples,
    /// `Client::new` on an enrolled folder + `balance()`: new connection, challenge,
    /// token, balance.
    pub first_network: Samples,
}

/// `Client::new` + `enrolled_device()`, optionally building a runtime first, timed.
fn start_client(
    fx: &World,
    dir: &Path,
    signer: &Arc<SoftwareSigner>,
    with_runtime: bool,
    expect_enrolled: bool,
) -> Result<(Duration, Option<Duration>)> {
    let start = Instant::now();
    let own = if with_runtime {
        Some(runtime("cold-rt", 2)?)
    } else {
        None
    };
    let built = own.as_ref().map(|_| start.elapsed());
    let guard = own.as_ref().map(Runtime::enter);
    let phone = fx.reopen_phone(dir, signer.clone())?;
    let device = phone.client.enrolled_device()?;
    let elapsed = start.elapsed();
    if device.is_some() != expect_enrolled {
        return Err(anyhow!("unexpected enrolment state in {}", dir.display()));
    }
    drop(phone);
    drop(guard);
    if let Some(own) = own {
        own.shutdown_background();
    }
    Ok((elapsed, built))
}

fn fsync_once(dir: &Path) -> Result<Duration> {
    let start = Instant::now();
    std::fs::create_dir_all(dir)?;
    let mut file = std::fs::File::create(dir.join("probe"))?;
    file.write_all(&[0u8; 4096])?;
    file.sync_all()?;
    Ok(start.elapsed())
}

pub fn run(rt: &Runtime, fx: &World, iterations: usize) -> Result<ColdStart> {
    let _enter = rt.enter();
    let account = rt.block_on(fx.account("100.00"))?;
    let phone = rt.block_on(fx.phone(&account.email))?;
    let signer = Arc::new(SoftwareSigner::generate()?);
    let enrolled = &phone.data_dir;
    let enrolled_signer = &phone.signer;

    let mut c = ColdStart {
        fresh: Samples::new(),
        reopen: Samples::new(),
        runtime: Samples::new(),
        fresh_with_runtime: Samples::new(),
        reopen_with_runtime: Samples::new(),
        fsync: Samples::new(),
        first_network: Samples::new(),
    };
    for i in 0..iterations + 5 {
        let record = i >= 5;
        let (fresh, _) = start_client(fx, &fx.new_dir("cold"), &signer, false, false)?;
        let (reopen, _) = start_client(fx, enrolled, enrolled_signer, false, true)?;
        let (fresh_rt, built) = start_client(fx, &fx.new_dir("cold-rt"), &signer, true, false)?;
        let (reopen_rt, _) = start_client(fx, enrolled, enrolled_signer, true, true)?;
        let fsync = fsync_once(&fx.new_dir("fsync"))?;
        if record {
            c.fresh.push(fresh);
            c.reopen.push(reopen);
            c.fresh_with_runtime.push(fresh_rt);
            c.reopen_with_runtime.push(reopen_rt);
            c.runtime.extend(built);
            c.fsync.push(fsync);
        }
    }

    rt.block_on(async {
        for i in 0..iterations / 2 + 3 {
            let start = Instant::now();
            let phone = fx.reopen_phone(enrolled, enrolled_signer.clone())?;
            let balance = phone.client.balance().await?;
            let elapsed = start.elapsed();
            if balance.stale {
                return Err(anyhow!("the first balance came from the cache"));
            }
            drop(phone);
            if i >= 3 {
                c.first_network.push(elapsed);
            }
        }
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(c)
}
