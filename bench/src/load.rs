//! Figure 7: the sandbox under load. Simulated phones (real core clients, each enrolled
//! on its own account) loop over the whole payment flow: the merchant creates the
//! request, the phone gets the push from the feed, opens it (detail + balance), types
//! the PIN on the shuffled keypad and confirms (sealed PIN, signature, PIN check,
//! debit). Flows per second, latency of a whole flow, errors.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use cvconnect_core::client::PaymentOutcome;
use cvconnect_sandbox_client::{AdminClient, MerchantClient};
use cvconnect_testkit::{eur, type_pin, Phone, World, PIN};
use tokio::runtime::Runtime;

use crate::fixture::wait_push;
use crate::report::{Figure, Results, Row};
use crate::stats::{human, ms, Samples};

const TOTAL: &str = "20.00";

pub struct Load {
    pub phones: usize,
    /// From the start until the last flow finished.
    pub elapsed: Duration,
    pub latency: Samples,
    pub errors: usize,
    pub first_errors: Vec<String>,
    /// CPU seconds per thread group (`sandbox-rt`, `bench-rt`, other) during the run.
    pub cpu: Vec<(String, f64)>,
}

impl Load {
    pub fn flows(&self) -> usize {
        self.latency.len()
    }

    pub fn per_second(&self) -> f64 {
        self.flows() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

struct PhoneRun {
    latency: Vec<Duration>,
    errors: Vec<String>,
    finished: Instant,
}

struct SimPhone {
    phone: Phone,
    device_id: String,
    email: String,
    after: i64,
}

async fn one_flow(
    sim: &mut SimPhone,
    merchant: &MerchantClient,
    admin: &AdminClient,
) -> Result<()> {
    let payment = merchant
        .create_payment(&sim.email, eur(TOTAL), Some("CMD-LOAD"))
        .await?;
    let push = wait_push(admin, &sim.device_id, &payment.id, &mut sim.after).await?;
    let session = sim.phone.client.open_from_push(&push).await?;
    let view = session.view();
    if !view.can_confirm || view.payment_id != payment.id {
        return Err(anyhow!("cannot confirm {}: {view:?}", payment.id));
    }
    let mut keypad = session.start_pin_entry()?;
    type_pin(&mut keypad, PIN)?;
    match session.confirm_keypad(&mut keypad).await? {
        PaymentOutcome::PaidInFull { .. } => Ok(()),
        other => Err(anyhow!("unexpected outcome {other:?}")),
    }
}

async fn phone_loop(
    mut sim: SimPhone,
    merchant: MerchantClient,
    admin: AdminClient,
    deadline: Instant,
) -> PhoneRun {
    let mut latency = Vec::new();
    let mut errors = Vec::new();
    while Instant::now() < deadline {
        let start = Instant::now();
        match one_flow(&mut sim, &merchant, &admin).await {
            Ok(()) => latency.push(start.elapsed()),
            Err(error) => errors.push(format!("{error:#}")),
        }
    }
    PhoneRun {
        latency,
        errors,
        finished: Instant::now(),
    }
}

pub fn run(rt: &Runtime, fx: &World, phones: usize, window: Duration) -> Result<Load> {
    let mut sims = rt.block_on(async {
        let mut sims = Vec::with_capacity(phones);
        for _ in 0..phones {
            let account = fx.account("100000.00").await?;
            let (phone, enrolled) = fx.enroll_phone(&account.email).await?;
            sims.push(SimPhone {
                phone,
                device_id: enrolled.device.device_id,
                email: account.email,
                after: 0,
            });
        }
        // Warm-up: one flow each, all at once (tokens, connections, caches).
        let warm = sims
            .iter_mut()
            .map(|sim| one_flow(sim, fx.merchant(), &fx.admin));
        for result in futures::future::join_all(warm).await {
            result?;
        }
        Ok::<_, anyhow::Error>(sims)
    })?;

    let cpu_before = thread_cpu();
    let start = Instant::now();
    let deadline = start + window;
    let runs = rt.block_on(async {
        let tasks: Vec<_> = sims
            .drain(..)
            .map(|sim| {
                tokio::spawn(phone_loop(
                    sim,
                    fx.merchant().clone(),
                    fx.admin.clone(),
                    deadline,
                ))
            })
            .collect();
        futures::future::join_all(tasks).await
    });
    let cpu_after = thread_cpu();

    let mut latency = Samples::new();
    let mut errors = 0;
    let mut first_errors = Vec::new();
    let mut finished = start;
    for run in runs {
        let run = run.map_err(|e| anyhow!("a phone task failed: {e}"))?;
        for value in run.latency {
            latency.push(value);
        }
        errors += run.errors.len();
        for error in run.errors {
            if first_errors.len() < 5 {
                first_errors.push(error);
            }
        }
        finished = finished.max(run.finished);
    }
    let mut cpu: Vec<(String, f64)> = cpu_after
        .iter()
        .map(|(group, after)| {
            let before = cpu_before.get(group).copied().unwrap_or_default();
            (group.clone(), after - before)
        })
        .collect();
    cpu.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(Load {
        phones,
        elapsed: finished - start,
        latency,
        errors,
        first_errors,
        cpu,
    })
}

/// CPU seconds (user + system) of this process's threads, summed by group. Threads
/// that exit during the run lose their share; tokio keeps its threads alive.
fn thread_cpu() -> HashMap<String, f64> {
    // USER_HZ: 100 on every Linux this runs on.
    const TICKS: f64 = 100.0;
    let mut groups = HashMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return groups;
    };
    for task in tasks.flatten() {
        let path = task.path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        let stat = std::fs::read_to_string(path.join("stat")).unwrap_or_default();
        // Fields after the ")" closing the name: state is field 3, utime 14, stime 15.
        let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: f64 = [11, 12]
            .iter()
            .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<f64>().ok()))
            .sum();
        let comm = comm.trim();
        let group = if comm.starts_with("sandbox-rt") {
            "sandbox (server runtime)"
        } else if comm.starts_with("bench-rt") {
            "phones (client runtime)"
        } else {
            "other threads"
        };
        *groups.entry(group.to_owned()).or_insert(0.0) += ticks / TICKS;
    }
    groups
}

impl Figure for Load {
    const TITLE: &'static str = "7. Sandbox under load";
    const GOAL: &'static str = "0 errors";

    const INTRO: &'static str = "## 7. The sandbox under load\n\n";

    fn intro(out: &mut String, run: &Results) {
        out.push_str(Self::INTRO);
        let _ = writeln!(
            out,
            "{} simulated phones, each a real core client enrolled on its own account (balance\n\
             100 000 €), loop for {} s over the whole flow: the merchant API creates a 20 € request,\n\
             the phone long-polls the sandbox's push feed for it, `open_from_push` (detail +\n\
             balance), types the PIN on the shuffled keypad, `confirm_keypad` (sealed PIN, ECDSA\n\
             signature, server-side PIN check and debit) and expects `PaidInFull`. A flow counts\n\
             when its outcome is; flows started before the deadline run to the end. Each phone\n\
             did one untimed flow first (connections, caches).\n",
            run.phones, run.load_secs
        );
    }

    fn rows(&self) -> Vec<Row> {
        let latency = self.latency.summary();
        vec![Row {
            figure: format!("7. Sandbox under load ({} phones)", self.phones),
            result: format!(
                "**{:.0} flows/s** ({} flows in {:.1} s); latency {} / {}; {} errors",
                self.per_second(),
                self.flows(),
                self.elapsed.as_secs_f64(),
                latency.map(|s| human(s.median)).unwrap_or_default(),
                latency.map(|s| human(s.p99)).unwrap_or_default(),
                self.errors
            ),
            goal: Self::GOAL.into(),
            status: if self.errors == 0 && self.flows() > 0 {
                "met".into()
            } else {
                format!("**missed**: {} errors", self.errors)
            },
        }]
    }

    fn details(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "- Complete flows: **{}** in {:.2} s → **{:.1} flows/s**\n- Errors: **{}**",
            self.flows(),
            self.elapsed.as_secs_f64(),
            self.per_second(),
            self.errors
        );
        if let Some(s) = self.latency.summary() {
            let _ = writeln!(
                out,
                "- Latency of a whole flow: median {}, p99 {}, max {}",
                human(s.median),
                human(s.p99),
                human(s.max)
            );
        }
        let total: f64 = self.cpu.iter().map(|(_, s)| s).sum();
        if total > 0.0 {
            out.push_str("- CPU used during the run (user + system), by thread group: ");
            let parts: Vec<String> = self
                .cpu
                .iter()
                .map(|(g, s)| format!("{g} {s:.1} s ({:.0} %)", s / total * 100.0))
                .collect();
            let _ = writeln!(
                out,
                "{}; in all {:.2} cores busy on average.",
                parts.join(", "),
                total / self.elapsed.as_secs_f64().max(1e-9)
            );
        }
        for error in &self.first_errors {
            let _ = writeln!(out, "- error: `{error}`");
        }
        out.push_str(
            "\nThe phones run in the same process and on the same 2 cores as the sandbox (their\n\
             crypto, SQLite journal and HTTP clients cost CPU too), so the figure is a lower bound\n\
             for a sandbox with the machine to itself. Per flow the sandbox serves the merchant's\n\
             request, the push-feed poll, the detail (which carries the balance under protocol\n\
             v1.1) and the confirmation; every request of a phone carries a device-signed proof\n\
             that the sandbox verifies (a signature check where v1 looked a token up).\n",
        );
        if let Some(s) = self.latency.summary() {
            let busy = total / self.elapsed.as_secs_f64().max(1e-9);
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as f64;
            let _ = writeln!(
                out,
                "With {} phones in the loop a flow takes about phones / throughput ({:.0} ms, against a\n\
                 measured median of {:.0} ms). {}\n",
                self.phones,
                self.phones as f64 / self.per_second().max(1e-9) * 1e3,
                ms(s.median),
                if busy >= 0.85 * cores {
                    "The cores are saturated: the figure is CPU-bound, and requests queue.".to_owned()
                } else {
                    format!(
                        "The process got only {busy:.1} of {cores:.0} cores: the other processes of \
                         the load average above took the rest, and part of each flow is waiting, \
                         not computing (the sandbox runs all database work on one SQLite connection \
                         behind a mutex, and every phone journals its confirmation with \
                         `synchronous=FULL`, an fsync per payment). On an idle machine expect more."
                    )
                }
            );
        }
    }
}
