//! Figure 6: resident memory of a process holding an enrolled client and an open
//! payment session. A child process (this binary, hidden `memory-child` command) builds
//! the library's two-worker runtime and a client, enrolls with an activation code the
//! parent passes, opens the payment whose id the parent writes on its stdin, then
//! reports `/proc/self/status`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::BufRead;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use cvconnect_core::client::{Client, ClientConfig};
use cvconnect_core::crypto::signer::SoftwareSigner;
use cvconnect_core::protocol::wire::Platform;
use cvconnect_testkit::{runtime, World};
use tokio::runtime::Runtime;

use crate::child::{tail, LineChild};
use crate::report::{mb_kb, verdict, Figure, Row};

pub const CHILD_COMMAND: &str = "memory-child";

/// The goal: a process with the client and an open session stays under this (kB).
const MEMORY_GOAL_KB: u64 = 15 * 1024;

/// One child's figures, in kB as `/proc/self/status` gives them.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    /// At `main`, before anything.
    pub rss_start: u64,
    /// After the runtime and `Client::new`.
    pub rss_client: u64,
    /// With the session open.
    pub rss: u64,
    pub hwm: u64,
    pub rss_anon: u64,
    pub rss_file: u64,
}

pub struct Memory {
    pub readings: Vec<Reading>,
}

impl Memory {
    /// The highest VmHWM of all runs.
    fn peak(&self) -> u64 {
        self.readings
            .iter()
            .map(|r| r.hwm)
            .max()
            .unwrap_or_default()
    }
}

pub fn run(rt: &Runtime, fx: &World, runs: usize) -> Result<Memory> {
    let exe = std::env::current_exe().context("own executable")?;
    let mut readings = Vec::new();
    for _ in 0..runs {
        let account = rt.block_on(fx.account("1000.00"))?;
        let code = rt.block_on(fx.activation_code(&account.email))?;
        let dir = fx.new_dir("memory");
        let mut command = Command::new(&exe);
        command
            .arg(CHILD_COMMAND)
            .arg(&fx.base_url)
            .arg(&account.email)
            .arg(&code)
            .arg(&dir);
        let mut child = LineChild::spawn(command, "the memory child")?;
        let result = (|| {
            let ready = child.recv(Duration::from_secs(60))?;
            if !ready.starts_with("enrolled") {
                return Err(anyhow!("unexpected child line {ready:?}"));
            }
            let payment_id = rt.block_on(fx.create_payment(&account.email, "42.00"))?;
            child.send(&payment_id)?;
            let line = child.recv(Duration::from_secs(60))?;
            let values: BTreeMap<String, u64> = serde_json::from_str(&line)?;
            let get = |key: &str| values.get(key).copied().unwrap_or_default();
            Ok(Reading {
                rss_start: get("rss_start"),
                rss_client: get("rss_client"),
                rss: get("rss"),
                hwm: get("hwm"),
                rss_anon: get("rss_anon"),
                rss_file: get("rss_file"),
            })
        })();
        let stderr = child.finish(Duration::from_secs(10));
        readings.push(result.map_err(|e| anyhow!("{e:#} (stderr: {})", tail(&stderr, 6)))?);
    }
    Ok(Memory { readings })
}

/// `VmRSS`, `VmHWM`, `RssAnon`, `RssFile` of this process, in kB.
fn status() -> BTreeMap<&'static str, u64> {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mut out = BTreeMap::new();
    for (key, name) in [
        ("VmRSS:", "rss"),
        ("VmHWM:", "hwm"),
        ("RssAnon:", "rss_anon"),
        ("RssFile:", "rss_file"),
    ] {
        let value = text
            .lines()
            .find_map(|line| line.strip_prefix(key))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_default();
        out.insert(name, value);
    }
    out
}

/// The child: `memory-child BASE_URL EMAIL ACTIVATION_CODE DATA_DIR`.
pub fn child_main(args: &[String]) -> Result<()> {
    let rss_start = status()["rss"];
    let [base_url, email, code, data_dir] = args else {
        return Err(anyhow!(
            "usage: {CHILD_COMMAND} BASE_URL EMAIL CODE DATA_DIR"
        ));
    };
    let rt: Runtime = runtime("cvconnect-rt", 2)?;
    let signer = Arc::new(SoftwareSigner::generate()?);
    let client = {
        let _enter = rt.enter();
        Client::new(ClientConfig::new(base_url, data_dir), signer, None)?
    };
    let rss_client = status()["rss"];
    rt.block_on(client.enroll(email, code, Some("push-memory".into()), Platform::Other))?;
    println!("enrolled");

    let mut payment_id = String::new();
    std::io::stdin().lock().read_line(&mut payment_id)?;
    let session = rt.block_on(client.open_payment(payment_id.trim()))?;
    let view = session.view();
    let mut values: BTreeMap<&str, u64> = status();
    values.insert("rss_start", rss_start);
    values.insert("rss_client", rss_client);
    println!("{}", serde_json::to_string(&values)?);
    drop(view);
    drop(session);
    drop(client);
    rt.shutdown_timeout(Duration::from_secs(2));
    Ok(())
}

impl Figure for Memory {
    const TITLE: &'static str = "6. Memory";
    const GOAL: &'static str = "< 15 MiB";

    const INTRO: &'static str = "## 6. Memory\n\n\
         A child process (this binary, hidden `memory-child` command) builds the library's\n\
         two-worker runtime and a client, enrolls with an activation code the parent passes,\n\
         opens the payment whose id the parent writes on its stdin (detail + balance read, view\n\
         built), then reads `/proc/self/status`. The child is the benchmark binary, which also\n\
         links the sandbox (not run in the child): its file-backed pages (`RssFile`) are a\n\
         little larger than the app library's would be. iOS counts the dirty footprint, closer\n\
         to `RssAnon`.\n\n";

    fn rows(&self) -> Vec<Row> {
        let mut rss: Vec<u64> = self.readings.iter().map(|r| r.rss).collect();
        rss.sort_unstable();
        let Some(&median) = rss.get(rss.len() / 2) else {
            return vec![Row::not_measured(Self::TITLE, Self::GOAL, "no reading")];
        };
        let hwm = self.peak();
        vec![Row {
            figure: "6. Memory: client + open session".into(),
            result: format!(
                "VmRSS {} (median of {}), VmHWM {} (max)",
                mb_kb(median),
                rss.len(),
                mb_kb(hwm)
            ),
            goal: Self::GOAL.into(),
            status: verdict(hwm as f64, MEMORY_GOAL_KB as f64, |x| mb_kb(x as u64)),
        }]
    }

    fn details(&self, out: &mut String) {
        out.push_str("| Run | RSS at start | RSS after runtime + client | VmRSS with session | VmHWM | RssAnon | RssFile |\n|---|---|---|---|---|---|---|\n");
        for (i, reading) in self.readings.iter().enumerate() {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                i + 1,
                mb_kb(reading.rss_start),
                mb_kb(reading.rss_client),
                mb_kb(reading.rss),
                mb_kb(reading.hwm),
                mb_kb(reading.rss_anon),
                mb_kb(reading.rss_file)
            );
        }
        let hwm = self.peak();
        if hwm > MEMORY_GOAL_KB {
            let _ = writeln!(
                out,
                "\n**Goal missed by {}** (peak). The share that is the process's own binary and libc\n\
                 (`RssFile`) versus heap and stacks (`RssAnon`) is in the table.\n",
                mb_kb(hwm - MEMORY_GOAL_KB)
            );
        } else {
            let _ = writeln!(
                out,
                "\nGoal met: peak {} of 15 MiB (the iOS notification service extension limit is 24 MiB).\n",
                mb_kb(hwm)
            );
        }
    }
}
