//! Figure 2: cold start. Building the client (SQLite open and migrations, HTTP and TLS
//! stack) with its first call, on a fresh data folder (first launch) and on an
//! enrolled one (every later launch), with and without the library's tokio runtime;
//! and the first network call of an enrolled client.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use cvconnect_core::crypto::signer::SoftwareSigner;
use cvconnect_testkit::{runtime, World};
use tokio::runtime::Runtime;

use crate::report::{duration_verdict, Figure, Row};
use crate::stats::{human, Samples};

/// The goal: the client ready for its first call within this, at the median.
const COLD_GOAL: Duration = Duration::from_millis(10);

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
    /// `Client::new` on an enrolled folder + `balance()`: new connection, then one
    /// request with its device-signed proof (protocol v1.1).
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

impl Figure for ColdStart {
    const TITLE: &'static str = "2. Cold start";
    const GOAL: &'static str = "< 10 ms median";

    const INTRO: &'static str = "## 2. Cold start\n\n\
         `Client::new` (SQLite open, WAL, migrations, reqwest and rustls set-up) followed by\n\
         the first call, `enrolled_device()`: on a fresh data folder (first launch: creates the\n\
         database) and on the folder of an enrolled device (every later launch). The library\n\
         also builds its two-worker tokio runtime on first use; it is timed alone and together\n\
         with a fresh client. The first network call (`balance()` on a freshly built client of\n\
         an enrolled device: TCP connect, then the balance with its proof under protocol v1.1,\n\
         where v1 asked for a challenge and a token first) is shown apart: it is\n\
         bound by round trips, not by start-up work.\n\n";

    fn rows(&self) -> Vec<Row> {
        let launches = [
            (
                "2. Cold start, every launch (enrolled folder): runtime + client + first call",
                &self.reopen_with_runtime,
                &self.reopen,
            ),
            (
                "2. Cold start, first launch (fresh folder, creates the database)",
                &self.fresh_with_runtime,
                &self.fresh,
            ),
        ];
        let mut rows = Vec::new();
        for (figure, with_runtime, client) in launches {
            let (Some(all), Some(client)) = (with_runtime.summary(), client.summary()) else {
                continue;
            };
            rows.push(Row {
                figure: figure.into(),
                result: format!(
                    "{} / {} (client alone {} / {})",
                    human(all.median),
                    human(all.p99),
                    human(client.median),
                    human(client.p99)
                ),
                goal: Self::GOAL.into(),
                status: duration_verdict(all.median, COLD_GOAL),
            });
        }
        if let Some(net) = self.first_network.summary() {
            rows.push(Row {
                figure: "2c. Cold start + first network call".into(),
                result: format!("{} / {}", human(net.median), human(net.p99)),
                goal: "— (2 round trips: TCP, then the balance with its proof)".into(),
                status: "informative".into(),
            });
        }
        rows
    }

    fn operations(&self) -> Vec<(String, &Samples)> {
        vec![
            (
                "Client::new + enrolled_device (enrolled folder)".into(),
                &self.reopen,
            ),
            (
                "Client::new + enrolled_device (fresh folder)".into(),
                &self.fresh,
            ),
            ("tokio runtime, 2 workers".into(), &self.runtime),
            (
                "runtime + Client::new + enrolled_device (enrolled folder)".into(),
                &self.reopen_with_runtime,
            ),
            (
                "runtime + Client::new + enrolled_device (fresh folder)".into(),
                &self.fresh_with_runtime,
            ),
            (
                "reference: create + write 4 KiB + fsync one file".into(),
                &self.fsync,
            ),
            (
                "Client::new + balance() (enrolled, first network call)".into(),
                &self.first_network,
            ),
        ]
    }

    fn details(&self, out: &mut String) {
        let median = |s: &Samples| s.summary().map(|s| s.median).unwrap_or_default();
        let every = median(&self.reopen_with_runtime);
        let first = median(&self.fresh_with_runtime);
        let fsync = median(&self.fsync);
        let _ = writeln!(
            out,
            "Every launch: {} at the median, {} (goal < 10 ms).",
            human(every),
            if every <= COLD_GOAL {
                "met".to_owned()
            } else {
                format!("**missed by {}**", human(every - COLD_GOAL))
            }
        );
        if first > COLD_GOAL {
            let _ = writeln!(
                out,
                "First launch: {} at the median, **missed by {}**. Why: creating the database waits\n\
                 for the disk. `strace` on this build counts eight `fsync` calls for a new folder:\n\
                 four when `journal_mode=WAL` is set (that switch commits through a rollback\n\
                 journal: journal, folder, journal, database) and four when the first write creates\n\
                 the WAL file; the migrations themselves commit in WAL with `synchronous=NORMAL` and\n\
                 do not sync. One `fsync` of a small file costs {} here; the same client on an\n\
                 existing folder takes {}. It happens once per install, right before enrolment (a\n\
                 network round trip anyway). What would close it: create the database with\n\
                 `synchronous=OFF` (a half-created empty database can simply be created again) and\n\
                 switch to `NORMAL` once migrated; or do the first open off the main thread.\n",
                human(first),
                human(first - COLD_GOAL),
                human(fsync),
                human(median(&self.reopen)),
            );
        } else {
            let _ = writeln!(out, "First launch: {} at the median, met.\n", human(first));
        }
    }
}
