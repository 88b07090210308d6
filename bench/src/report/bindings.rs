//! Figures 1b and 1c in the report: push to screen through the Python and Swift
//! bindings (bench/src/foreign.rs), each against the Rust GET interleaved with it.

use std::fmt::Write as _;
use std::time::Duration;

use super::{line, ratio, verdict, Row, PUSH_GOAL};
use crate::foreign::Ffi;
use crate::push_to_screen::PushToScreen;
use crate::stats::human;

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
pub(super) fn rows(p: &PushToScreen) -> Vec<Row> {
    let goal = format!("≤ {PUSH_GOAL}× one GET");
    let mut rows = Vec::new();
    for b in bindings(p) {
        match b.result {
            Ffi::Measured { open, get_balance } => {
                let (Some(open), Some(get)) = (open.summary(), get_balance.summary()) else {
                    continue;
                };
                let q = ratio(open.median, get.median);
                rows.push(Row {
                    figure: figure(&b),
                    result: format!(
                        "{} / {}; one GET {} → **{q:.2}×** (p99 {:.2}×)",
                        human(open.median),
                        human(open.p99),
                        human(get.median),
                        ratio(open.p99, get.p99)
                    ),
                    goal: goal.clone(),
                    status: verdict(q, PUSH_GOAL, |x| format!("{x:.2}×")),
                });
            }
            Ffi::NotMeasured(why) => rows.push(Row {
                figure: figure(&b),
                result: format!("not measured: {why}"),
                goal: goal.clone(),
                status: "not measured".into(),
            }),
        }
    }
    rows
}

/// The detail table's lines of the bindings that were measured.
pub(super) fn detail_lines(out: &mut String, p: &PushToScreen) {
    for b in bindings(p) {
        if let Ffi::Measured { open, get_balance } = b.result {
            line(
                out,
                &format!("open_from_push + view ({} binding)", b.name),
                open,
            );
            line(
                out,
                &format!("GET /v1/balance (interleaved with {})", b.name),
                get_balance,
            );
        }
    }
}

/// One paragraph per binding; `rust` is the median of the Rust call.
pub(super) fn prose(out: &mut String, p: &PushToScreen, rust: Duration) {
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
