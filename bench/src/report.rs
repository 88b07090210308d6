//! `docs/benchmarks.md`: machine, commands, the seven figures against their goals, and
//! where a goal is missed, by how much and why.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::cold_start::ColdStart;
use crate::crypto_cost::CryptoCost;
use crate::keypad::KeypadCost;
use crate::load::Load;
use crate::memory::Memory;
use crate::push_to_screen::PushToScreen;
use crate::size::{Size, BUDGET, STRETCH};
use crate::stats::{human, ms, Samples, Summary};

mod bindings;

pub const COMMAND: &str = "cargo xtask bench";
pub const DIRECT_COMMAND: &str =
    "cargo run --release -p cvconnect-bench -- --out docs/benchmarks.md";

const PUSH_GOAL: f64 = 1.5;
const COLD_GOAL: Duration = Duration::from_millis(10);
const CRYPTO_GOAL: Duration = Duration::from_millis(1);
const MEMORY_GOAL_KB: u64 = 15 * 1024;

pub struct Machine {
    pub date: String,
    pub commit: String,
    pub cpu: String,
    pub nproc: usize,
    pub ram: String,
    pub kernel: String,
    pub rustc: String,
    pub load_start: String,
    pub load_end: String,
    pub profile: &'static str,
}

fn output(program: &str, args: &[&str], cwd: &Path) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "?".into())
}

impl Machine {
    pub fn read(root: &Path) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_else(|| "?".into());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let ram = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map(|kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0))
            .unwrap_or_else(|| "?".into());
        let commit =
            output("git", &["rev-parse", "--short", "HEAD"], root).unwrap_or_else(|| "?".into());
        let dirty = output("git", &["status", "--porcelain"], root).is_some_and(|s| !s.is_empty());
        Machine {
            date: output("date", &["-u", "+%Y-%m-%d %H:%M UTC"], root)
                .unwrap_or_else(|| "?".into()),
            commit: if dirty {
                format!("{commit} (with uncommitted changes)")
            } else {
                commit
            },
            cpu,
            nproc: std::thread::available_parallelism().map_or(0, |n| n.get()),
            ram,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|_| "?".into()),
            rustc: output("rustc", &["--version"], root).unwrap_or_else(|| "?".into()),
            load_start: loadavg(),
            load_end: String::new(),
            profile: if cfg!(debug_assertions) {
                "debug (figures NOT representative: use --release)"
            } else {
                "release"
            },
        }
    }

    pub fn finish(mut self) -> Machine {
        self.load_end = loadavg();
        self
    }
}

pub struct Results {
    pub machine: Machine,
    pub quick: bool,
    pub phones: usize,
    pub load_secs: u64,
    pub push: Result<PushToScreen, String>,
    pub cold: Result<ColdStart, String>,
    pub crypto: Result<CryptoCost, String>,
    pub keypad: Result<(KeypadCost, (Samples, Samples)), String>,
    pub size: Size,
    pub memory: Result<Memory, String>,
    pub load: Result<Load, String>,
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn mb_kb(kb: u64) -> String {
    format!("{:.1} MiB", kb as f64 / 1024.0)
}

fn summary(samples: &Samples) -> Option<Summary> {
    samples.summary()
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-12)
}

/// "met", or "missed by X (+Y %)".
fn verdict(value: f64, goal: f64, unit: impl Fn(f64) -> String) -> String {
    if value <= goal {
        "met".into()
    } else {
        format!(
            "**missed** by {} (+{:.0} %)",
            unit(value - goal),
            (value / goal - 1.0) * 100.0
        )
    }
}

fn dur_unit(seconds: f64) -> String {
    human(Duration::from_secs_f64(seconds.max(0.0)))
}

struct Row {
    figure: String,
    result: String,
    goal: String,
    status: String,
}

fn rows(r: &Results) -> Vec<Row> {
    let mut rows = Vec::new();
    let failed = |figure: &str, goal: &str, error: &str| Row {
        figure: figure.into(),
        result: format!("not measured: {error}"),
        goal: goal.into(),
        status: "not measured".into(),
    };

    // 1. Push to screen.
    match &r.push {
        Ok(p) => {
            if let (Some(open), Some(get)) = (summary(&p.open), summary(&p.get_balance)) {
                let q = ratio(open.median, get.median);
                rows.push(Row {
                    figure: "1. Push to screen (Rust core)".into(),
                    result: format!(
                        "{} / {}; one GET {} → **{q:.2}×** (p99 {:.2}×)",
                        human(open.median),
                        human(open.p99),
                        human(get.median),
                        ratio(open.p99, get.p99)
                    ),
                    goal: format!("≤ {PUSH_GOAL}× one GET"),
                    status: verdict(q, PUSH_GOAL, |x| format!("{x:.2}×")),
                });
            }
            rows.extend(bindings::rows(p));
        }
        Err(e) => rows.push(failed("1. Push to screen", "≤ 1.5× one GET", e)),
    }

    // 2. Cold start.
    match &r.cold {
        Ok(c) => {
            for (figure, with_rt, without) in [
                (
                    "2. Cold start, every launch (enrolled folder): runtime + client + first call",
                    &c.reopen_with_runtime,
                    &c.reopen,
                ),
                (
                    "2. Cold start, first launch (fresh folder, creates the database)",
                    &c.fresh_with_runtime,
                    &c.fresh,
                ),
            ] {
                if let (Some(all), Some(client)) = (summary(with_rt), summary(without)) {
                    rows.push(Row {
                        figure: figure.into(),
                        result: format!(
                            "{} / {} (client alone {} / {})",
                            human(all.median),
                            human(all.p99),
                            human(client.median),
                            human(client.p99)
                        ),
                        goal: "< 10 ms median".into(),
                        status: verdict(
                            all.median.as_secs_f64(),
                            COLD_GOAL.as_secs_f64(),
                            dur_unit,
                        ),
                    });
                }
            }
            if let Some(net) = summary(&c.first_network) {
                rows.push(Row {
                    figure: "2c. Cold start + first network call".into(),
                    result: format!("{} / {}", human(net.median), human(net.p99)),
                    goal: "— (3 round trips: challenge, token, balance)".into(),
                    status: "informative".into(),
                });
            }
        }
        Err(e) => rows.push(failed("2. Cold start", "< 10 ms median", e)),
    }

    // 3. Confirmation cost.
    match &r.crypto {
        Ok(c) => {
            if let Some(total) = summary(&c.total) {
                rows.push(Row {
                    figure: "3. Confirmation cost (seal + encode + sign)".into(),
                    result: format!("{} / {}", human(total.median), human(total.p99)),
                    goal: "< 1 ms".into(),
                    status: verdict(
                        total.median.as_secs_f64(),
                        CRYPTO_GOAL.as_secs_f64(),
                        dur_unit,
                    ),
                });
            }
        }
        Err(e) => rows.push(failed("3. Confirmation cost", "< 1 ms", e)),
    }

    // 4. Keypad.
    match &r.keypad {
        Ok((k, _)) => {
            if let (Some(layout), Some(press)) = (summary(&k.layout), summary(&k.press)) {
                rows.push(Row {
                    figure: "4. Keypad: layout / press".into(),
                    result: format!(
                        "layout {} / {}; press {} / {}",
                        human(layout.median),
                        human(layout.p99),
                        human(press.median),
                        human(press.p99)
                    ),
                    goal: "— (µs)".into(),
                    status: "informative".into(),
                });
            }
        }
        Err(e) => rows.push(failed("4. Keypad", "—", e)),
    }

    // 5. Library size.
    rows.push(match &r.size.stripped {
        Some((bytes, _)) => Row {
            figure: "5. Library size (stripped, x86_64 Linux)".into(),
            result: format!("{} ({bytes} bytes)", mib(*bytes)),
            goal: "≤ 5 MiB (4 MiB stretch)".into(),
            status: {
                let v = verdict(*bytes as f64, BUDGET as f64, |x| mib(x as u64));
                if *bytes <= STRETCH {
                    "met (under 4 MiB too)".into()
                } else if *bytes <= BUDGET {
                    format!("met; 4 MiB stretch missed by {}", mib(bytes - STRETCH))
                } else {
                    v
                }
            },
        },
        None => failed(
            "5. Library size",
            "≤ 5 MiB",
            "release-smaller cdylib not built (`cargo xtask bindings`)",
        ),
    });

    // 6. Memory.
    match &r.memory {
        Ok(m) if !m.readings.is_empty() => {
            let mut rss: Vec<u64> = m.readings.iter().map(|r| r.rss).collect();
            rss.sort_unstable();
            let median = rss[rss.len() / 2];
            let hwm = m.readings.iter().map(|r| r.hwm).max().unwrap_or_default();
            rows.push(Row {
                figure: "6. Memory: client + open session".into(),
                result: format!(
                    "VmRSS {} (median of {}), VmHWM {} (max)",
                    mb_kb(median),
                    rss.len(),
                    mb_kb(hwm)
                ),
                goal: "< 15 MiB".into(),
                status: verdict(hwm as f64, MEMORY_GOAL_KB as f64, |x| mb_kb(x as u64)),
            });
        }
        Ok(_) => rows.push(failed("6. Memory", "< 15 MiB", "no reading")),
        Err(e) => rows.push(failed("6. Memory", "< 15 MiB", e)),
    }

    // 7. Load.
    match &r.load {
        Ok(l) => {
            let lat = summary(&l.latency);
            rows.push(Row {
                figure: format!("7. Sandbox under load ({} phones)", l.phones),
                result: format!(
                    "**{:.0} flows/s** ({} flows in {:.1} s); latency {} / {}; {} errors",
                    l.per_second(),
                    l.flows(),
                    l.elapsed.as_secs_f64(),
                    lat.map(|s| human(s.median)).unwrap_or_default(),
                    lat.map(|s| human(s.p99)).unwrap_or_default(),
                    l.errors
                ),
                goal: "0 errors".into(),
                status: if l.errors == 0 && l.flows() > 0 {
                    "met".into()
                } else {
                    format!("**missed**: {} errors", l.errors)
                },
            });
        }
        Err(e) => rows.push(failed("7. Sandbox under load", "0 errors", e)),
    }
    rows
}

pub fn summary_table(r: &Results) -> String {
    let mut out = String::new();
    out.push_str("| Figure | Result (median / p99) | Goal | Status |\n|---|---|---|---|\n");
    for row in rows(r) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            row.figure,
            row.result.replace('|', "\\|"),
            row.goal,
            row.status
        );
    }
    out
}

fn line(out: &mut String, label: &str, samples: &Samples) {
    if let Some(s) = samples.summary() {
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {} | {} | {} |",
            human(s.median),
            human(s.p99),
            human(s.min),
            human(s.max),
            s.n
        );
    }
}

const DETAIL_HEADER: &str =
    "| Operation | Median | p99 | Min | Max | n |\n|---|---|---|---|---|---|\n";

pub fn render(r: &Results) -> String {
    let m = &r.machine;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Benchmarks\n\n\
         Generated by `{COMMAND}` (the same as `{DIRECT_COMMAND}`); do not edit by hand.\n\
         Benchmarks report, they do not fail: a missed goal is written here, not turned into\n\
         a red build.\n"
    );
    if r.quick {
        out.push_str(
            "> **Quick run** (`--quick`): few iterations, figures are indicative only.\n\n",
        );
    }
    let _ = writeln!(
        out,
        "## Machine\n\n\
         | | |\n|---|---|\n\
         | Date | {} |\n| Commit | {} |\n| CPU | {} |\n| Cores (nproc) | {} |\n| RAM | {} |\n\
         | Kernel | Linux {} |\n| Toolchain | {} |\n| Build | {} |\n\
         | Load average (1/5/15 min) | {} at start, {} at the end |\n",
        m.date,
        m.commit,
        m.cpu,
        m.nproc,
        m.ram,
        m.kernel,
        m.rustc,
        m.profile,
        m.load_start,
        m.load_end
    );
    out.push_str(
        "The sandbox runs in the same process on a tokio runtime of its own (2 workers, thread\n\
         name `sandbox-rt`), over plain HTTP on 127.0.0.1 with its SQLite file in a temporary\n\
         folder; the clients run on a second 2-worker runtime (`bench-rt`, the size of the\n\
         library's own runtime). Both share the machine's cores with anything else running:\n\
         see the load average above.\n\n",
    );

    let _ = writeln!(
        out,
        "## Commands\n\n```sh\n{COMMAND}\n# which runs:\n{DIRECT_COMMAND}\n```\n\n\
         Options: `--quick` (few iterations, for development), `--phones N` (default 50),\n\
         `--load-secs S` (default 10). Figure 1b needs `cargo xtask bindings` first\n\
         (`build/bindings/python`, `build/lib/libcvconnect_ffi.so`) and Python 3 with\n\
         `cryptography`; figure 1c needs the Swift root that `cargo xtask test swift` makes\n\
         (`cargo xtask bench` builds the Swift driver in it); figure 5 reads\n\
         `target/release-smaller/libcvconnect_ffi.so` and\n\
         `build/lib/libcvconnect_ffi.so`. This run: {} phones for {} s.\n",
        r.phones, r.load_secs
    );

    out.push_str("## Summary\n\n");
    out.push_str(&summary_table(r));
    out.push('\n');

    push_section(&mut out, r);
    cold_section(&mut out, r);
    crypto_section(&mut out, r);
    keypad_section(&mut out, r);
    size_section(&mut out, r);
    memory_section(&mut out, r);
    load_section(&mut out, r);
    out
}

fn push_section(out: &mut String, r: &Results) {
    out.push_str("## 1. Push to screen\n\n");
    out.push_str(
        "Each iteration the merchant API creates a new payment and the push is read from the\n\
         sandbox's feed (not timed); then, in an order that rotates every iteration, four\n\
         operations are timed against the same sandbox:\n\n\
         - `open_from_push(push)` + `view()` on an enrolled core client (token already held,\n\
           connections warm), the session dropped afterwards;\n\
         - one authenticated `GET /v1/balance` by a bare reqwest client reused across calls\n\
           (a second device of the same account): **the baseline round trip**;\n\
         - `GET /healthz` (no auth, no database) on the same kind of client;\n\
         - the two reads the core makes, `GET /v1/payments/{id}` and `GET /v1/balance`,\n\
           concurrently, by the bare client: the network floor of the figure.\n\n",
    );
    let Ok(p) = &r.push else {
        let _ = writeln!(
            out,
            "Not measured: {}\n",
            r.push.as_ref().err().map_or("", |e| e)
        );
        return;
    };
    out.push_str(DETAIL_HEADER);
    line(out, "open_from_push + view (core)", &p.open);
    line(out, "GET /v1/balance (baseline)", &p.get_balance);
    line(out, "GET /healthz", &p.get_health);
    line(out, "GET detail ‖ GET balance (bare)", &p.get_pair);
    bindings::detail_lines(out, p);
    out.push('\n');
    let (Some(open), Some(get), Some(pair), Some(health)) = (
        p.open.summary(),
        p.get_balance.summary(),
        p.get_pair.summary(),
        p.get_health.summary(),
    ) else {
        return;
    };
    let q = ratio(open.median, get.median);
    let floor = ratio(pair.median, get.median);
    let core = open.median.saturating_sub(pair.median);
    let _ = writeln!(
        out,
        "Ratio of medians: **{q:.2}×** one GET (goal ≤ {PUSH_GOAL}×); against `/healthz`: {:.2}×.\n\
         The bare concurrent pair alone is {floor:.2}× one GET: that is the network floor on\n\
         this machine. What the core adds on top of it: {} (median), i.e. parsing the push,\n\
         the bearer token and session bookkeeping, decoding both answers and building the\n\
         view (the SQLite cache writes run off this path).\n",
        ratio(open.median, health.median),
        human(core)
    );
    if q > PUSH_GOAL {
        let _ = writeln!(
            out,
            "**Goal missed by {:.2}× ({:+.0} %).** Why: {}\n",
            q - PUSH_GOAL,
            (q / PUSH_GOAL - 1.0) * 100.0,
            if floor > PUSH_GOAL {
                format!(
                    "even two bare concurrent GETs take {floor:.2}× one GET here. On loopback with 2 \
                     busy cores a round trip is a few hundred µs of mostly CPU (client and server \
                     share the cores), so two requests in flight do not overlap the way two \
                     network-bound requests do on a phone, where the RTT dominates and the \
                     ratio tends to 1×. The core's own share ({}) is the part the library controls: \
                     its cache writes already run off this path; what is left is decoding two \
                     answers, the session bookkeeping and the view's French texts.",
                    human(core)
                )
            } else {
                format!(
                    "the network part is within the goal ({floor:.2}×), the core's own work ({}) \
                     takes it over: {PUSH_GOAL}× one GET leaves it {} on top of the bare pair. \
                     The push de-duplication, the balance and payment caches already run off \
                     this path and the journal check is an in-memory count; what is left is \
                     parsing the push, taking the token, decoding two JSON answers, the session \
                     bookkeeping and the view's French texts. A single HTTP/2 connection was \
                     left out to keep the library small. On a phone, where a round trip is tens \
                     of ms, the same {} would be a few percent.",
                    human(core),
                    human(get.median.mul_f64(PUSH_GOAL).saturating_sub(pair.median)),
                    human(core)
                )
            }
        );
    }
    bindings::prose(out, p, open.median);
}

fn cold_section(out: &mut String, r: &Results) {
    out.push_str("## 2. Cold start\n\n");
    out.push_str(
        "`Client::new` (SQLite open, WAL, migrations, reqwest and rustls set-up) followed by\n\
         the first call, `enrolled_device()`: on a fresh data folder (first launch: creates the\n\
         database) and on the folder of an enrolled device (every later launch). The library\n\
         also builds its two-worker tokio runtime on first use; it is timed alone and together\n\
         with a fresh client. The first network call (`balance()` on a freshly built client of\n\
         an enrolled device: TCP connect, challenge, token, balance) is shown apart: it is\n\
         bound by round trips, not by start-up work.\n\n",
    );
    let Ok(c) = &r.cold else {
        let _ = writeln!(
            out,
            "Not measured: {}\n",
            r.cold.as_ref().err().map_or("", |e| e)
        );
        return;
    };
    out.push_str(DETAIL_HEADER);
    line(
        out,
        "Client::new + enrolled_device (enrolled folder)",
        &c.reopen,
    );
    line(
        out,
        "Client::new + enrolled_device (fresh folder)",
        &c.fresh,
    );
    line(out, "tokio runtime, 2 workers", &c.runtime);
    line(
        out,
        "runtime + Client::new + enrolled_device (enrolled folder)",
        &c.reopen_with_runtime,
    );
    line(
        out,
        "runtime + Client::new + enrolled_device (fresh folder)",
        &c.fresh_with_runtime,
    );
    line(
        out,
        "reference: create + write 4 KiB + fsync one file",
        &c.fsync,
    );
    line(
        out,
        "Client::new + balance() (enrolled, first network call)",
        &c.first_network,
    );
    out.push('\n');
    let median = |s: &Samples| s.summary().map(|s| s.median).unwrap_or_default();
    let every = median(&c.reopen_with_runtime);
    let first = median(&c.fresh_with_runtime);
    let fsync = median(&c.fsync);
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
            human(median(&c.reopen)),
        );
    } else {
        let _ = writeln!(out, "First launch: {} at the median, met.\n", human(first));
    }
}

fn crypto_section(out: &mut String, r: &Results) {
    out.push_str("## 3. Confirmation cost on the device\n\n");
    out.push_str(
        "What `PaymentSession::confirm` computes before the request leaves: `seal_pin`\n\
         (ephemeral X25519, HKDF-SHA-256, ChaCha20-Poly1305), the SHA-256 of the block,\n\
         `ConfirmationFields::encode` (canonical bytes) and `SoftwareSigner::sign` (ECDSA P-256,\n\
         *ring*). On phones the platform key store signs instead (StrongBox / Secure Enclave:\n\
         tens of ms, outside the core's control).\n\n",
    );
    let Ok(c) = &r.crypto else {
        let _ = writeln!(
            out,
            "Not measured: {}\n",
            r.crypto.as_ref().err().map_or("", |e| e)
        );
        return;
    };
    out.push_str(DETAIL_HEADER);
    line(out, "seal_pin", &c.seal);
    line(out, "ConfirmationFields::encode", &c.encode);
    line(out, "SoftwareSigner::sign", &c.sign);
    line(out, "all three (+ SHA-256 of the block)", &c.total);
    out.push('\n');
    if let Some(total) = c.total.summary() {
        if total.median > CRYPTO_GOAL {
            let _ = writeln!(
                out,
                "**Goal missed by {}.**\n",
                human(total.median - CRYPTO_GOAL)
            );
        } else {
            let _ = writeln!(
                out,
                "Goal met: {:.0} % of the 1 ms budget at the median.\n",
                total.median.as_secs_f64() / CRYPTO_GOAL.as_secs_f64() * 100.0
            );
        }
    }
}

fn keypad_section(out: &mut String, r: &Results) {
    out.push_str("## 4. Keypad\n\n");
    out.push_str(
        "`Keypad::new(4)` draws a shuffled layout from the system CSPRNG (rejection sampling);\n\
         `press` records a digit and refreshes the inactivity clock. Timed in batches of 50\n\
         layouts and 200 presses (per-operation means), and one at a time as a cross-check\n\
         (includes the clock's own cost).\n\n",
    );
    let Ok((k, (single_layout, single_press))) = &r.keypad else {
        let _ = writeln!(
            out,
            "Not measured: {}\n",
            r.keypad.as_ref().err().map_or("", |e| e)
        );
        return;
    };
    out.push_str(DETAIL_HEADER);
    line(out, "Keypad::new (batch mean)", &k.layout);
    line(out, "press (batch mean)", &k.press);
    line(out, "Keypad::new (single)", single_layout);
    line(out, "press (single)", single_press);
    out.push_str("\nNo goal: both are far below a frame (16 ms).\n\n");
}

fn size_section(out: &mut String, r: &Results) {
    let s = &r.size;
    out.push_str("## 5. Library size\n\n");
    match &s.stripped {
        Some((bytes, source)) => {
            let _ = writeln!(
                out,
                "Stripped `release-smaller` cdylib (opt-level z, fat LTO, 1 codegen unit, panic =\n\
                 unwind), x86_64 Linux: **{}** ({bytes} bytes), from {source}. Budget 5 MiB.\n",
                mib(*bytes)
            );
        }
        None => out.push_str(
            "Not measured: `target/release-smaller/libcvconnect_ffi.so` is not built. Run\n\
             `cargo xtask bindings` first (about 10 minutes on 2 cores).\n\n",
        ),
    }
    if let Some((bytes, path)) = &s.unstripped {
        let _ = writeln!(
            out,
            "Unstripped (symbols kept): {} ({}).\n",
            mib(*bytes),
            path.display()
        );
    }
    if !s.crates.is_empty() {
        let _ = writeln!(
            out,
            "Biggest contributors by crate: sizes of the symbols in `nm -S --size-sort -C` of the\n\
             unstripped library ({} in sized symbols; the rest is unwind tables, the dynamic symbol\n\
             table, string literals and headers). Generic standard-library code is charged to\n\
             the first other crate named in the symbol (`drop_in_place<reqwest::…>` → reqwest).\n",
            mib(s.symbol_total)
        );
        out.push_str("| Crate | Bytes | Share of symbols |\n|---|---|---|\n");
        for (name, bytes) in s.crates.iter().take(10) {
            let _ = writeln!(
                out,
                "| {name} | {} KiB | {:.1} % |",
                bytes / 1024,
                *bytes as f64 / s.symbol_total.max(1) as f64 * 100.0
            );
        }
        out.push('\n');
    }
    if !s.sections.is_empty() {
        out.push_str("Sections of the stripped library (`size -A`), biggest first:\n\n| Section | Bytes |\n|---|---|\n");
        for (name, bytes) in s.sections.iter().take(8) {
            let _ = writeln!(out, "| {name} | {} KiB |", bytes / 1024);
        }
        out.push('\n');
    }
    for note in &s.notes {
        let _ = writeln!(out, "Note: {note}\n");
    }
    out.push_str(&crate::size::under_4_mib(s));
}

fn memory_section(out: &mut String, r: &Results) {
    out.push_str("## 6. Memory\n\n");
    out.push_str(
        "A child process (this binary, hidden `memory-child` command) builds the library's\n\
         two-worker runtime and a client, enrolls with an activation code the parent passes,\n\
         opens the payment whose id the parent writes on its stdin (detail + balance read, view\n\
         built), then reads `/proc/self/status`. The child is the benchmark binary, which also\n\
         links the sandbox (not run in the child): its file-backed pages (`RssFile`) are a\n\
         little larger than the app library's would be. iOS counts the dirty footprint, closer\n\
         to `RssAnon`.\n\n",
    );
    let Ok(m) = &r.memory else {
        let _ = writeln!(
            out,
            "Not measured: {}\n",
            r.memory.as_ref().err().map_or("", |e| e)
        );
        return;
    };
    out.push_str("| Run | RSS at start | RSS after runtime + client | VmRSS with session | VmHWM | RssAnon | RssFile |\n|---|---|---|---|---|---|---|\n");
    for (i, reading) in m.readings.iter().enumerate() {
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
    let hwm = m.readings.iter().map(|r| r.hwm).max().unwrap_or_default();
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

fn load_section(out: &mut String, r: &Results) {
    out.push_str("## 7. The sandbox under load\n\n");
    let _ = writeln!(
        out,
        "{} simulated phones, each a real core client enrolled on its own account (balance\n\
         100 000 €), loop for {} s over the whole flow: the merchant API creates a 20 € request,\n\
         the phone long-polls the sandbox's push feed for it, `open_from_push` (detail +\n\
         balance), types the PIN on the shuffled keypad, `confirm_keypad` (sealed PIN, ECDSA\n\
         signature, server-side PIN check and debit) and expects `PaidInFull`. A flow counts\n\
         when its outcome is; flows started before the deadline run to the end. Each phone\n\
         did one untimed flow first (tokens, connections).\n",
        r.phones, r.load_secs
    );
    let Ok(l) = &r.load else {
        let _ = writeln!(
            out,
            "Not measured: {}\n",
            r.load.as_ref().err().map_or("", |e| e)
        );
        return;
    };
    let _ = writeln!(
        out,
        "- Complete flows: **{}** in {:.2} s → **{:.1} flows/s**\n- Errors: **{}**",
        l.flows(),
        l.elapsed.as_secs_f64(),
        l.per_second(),
        l.errors
    );
    if let Some(s) = l.latency.summary() {
        let _ = writeln!(
            out,
            "- Latency of a whole flow: median {}, p99 {}, max {}",
            human(s.median),
            human(s.p99),
            human(s.max)
        );
    }
    let total: f64 = l.cpu.iter().map(|(_, s)| s).sum();
    if total > 0.0 {
        out.push_str("- CPU used during the run (user + system), by thread group: ");
        let parts: Vec<String> = l
            .cpu
            .iter()
            .map(|(g, s)| format!("{g} {s:.1} s ({:.0} %)", s / total * 100.0))
            .collect();
        let _ = writeln!(
            out,
            "{}; in all {:.2} cores busy on average.",
            parts.join(", "),
            total / l.elapsed.as_secs_f64().max(1e-9)
        );
    }
    for error in &l.first_errors {
        let _ = writeln!(out, "- error: `{error}`");
    }
    out.push_str(
        "\nThe phones run in the same process and on the same 2 cores as the sandbox (their\n\
         crypto, SQLite journal and HTTP clients cost CPU too), so the figure is a lower bound\n\
         for a sandbox with the machine to itself. Per flow the sandbox serves 6 to 7 requests:\n\
         create, push-feed poll, detail, balance, confirm (and a token renewal now and then).\n",
    );
    if let Some(s) = l.latency.summary() {
        let busy = total / l.elapsed.as_secs_f64().max(1e-9);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as f64;
        let _ = writeln!(
            out,
            "With {} phones in the loop a flow takes about phones / throughput ({:.0} ms, against a\n\
             measured median of {:.0} ms). {}\n",
            l.phones,
            l.phones as f64 / l.per_second().max(1e-9) * 1e3,
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
