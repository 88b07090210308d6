//! What figure 1's section says of the bindings: their summary rows, their detail
//! lines and a paragraph each. Python and Swift are held to figure 1's goal (one GET);
//! Kotlin, the binding Android ships, to the Rust call itself ([`KOTLIN_GOAL`]).

use std::fmt::Write as _;
use std::time::Duration;

use super::{Calibration, Ffi, Inside};
use crate::push_to_screen::{self, PushToScreen};
use crate::report::{ratio, verdict, Figure, Row};
use crate::stats::{human, Samples};

/// The goal of the Kotlin binding: at most this many times the Rust call of figure 1.
pub const KOTLIN_GOAL: f64 = 1.3;

/// What a binding's figure is held to.
#[derive(Clone, Copy, PartialEq)]
enum Goal {
    /// Figure 1's: a multiple of one GET interleaved with it.
    OneGet,
    /// [`KOTLIN_GOAL`] times the Rust call.
    RustCall,
}

/// What the report says of one binding.
struct Binding<'a> {
    number: &'static str,
    name: &'static str,
    result: &'a Ffi,
    /// The driver, its library, and what it times.
    how: &'static str,
    /// What the binding adds to the Rust call.
    cost: &'static str,
    goal: Goal,
}

fn bindings(p: &PushToScreen) -> [Binding<'_>; 3] {
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
            goal: Goal::OneGet,
        },
        Binding {
            number: "1d",
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
            goal: Goal::OneGet,
        },
        Binding {
            number: "1e",
            name: "Kotlin",
            result: &p.kotlin,
            how: "`bench/kotlin` (`PushToScreen.kt`, a main program compiled by Maven against \
                  the shipped package `fr.ancv:cvconnect`: the generated Kotlin and the \
                  `release-smaller` library as a JNA resource), run with `java -cp` on the \
                  JDK 17 HotSpot VM; timed in Kotlin with `System.nanoTime` around \
                  `client.openFromPush(data)` + `view()` in `runBlocking` on the main thread, \
                  after 200 pushes of warm-up, the first opened 2000 times back to back for \
                  the JIT. Its key is the Kotlin test kit's \
                  `JdkSigner` (P-256, `SHA256withECDSA`: the calls an app makes on an Android \
                  Keystore key).",
            cost: "lifting the map through JNA, the suspending call's continuation resumed \
                   from a Rust thread, lowering the view record",
            goal: Goal::RustCall,
        },
    ]
}

fn figure(b: &Binding) -> String {
    format!("{}. Push to screen ({} binding)", b.number, b.name)
}

fn goal_text(b: &Binding) -> String {
    match b.goal {
        Goal::OneGet => PushToScreen::GOAL.into(),
        Goal::RustCall => format!("≤ {KOTLIN_GOAL}× the Rust call (figure 1)"),
    }
}

/// The summary rows: measured, or why not.
pub fn rows(p: &PushToScreen) -> Vec<Row> {
    let mut rows = Vec::new();
    for b in bindings(p) {
        match (b.result, b.goal) {
            (
                Ffi::Measured {
                    open, get_balance, ..
                },
                Goal::OneGet,
            ) => {
                rows.extend(push_to_screen::row(figure(&b), open, get_balance));
            }
            (
                Ffi::Measured {
                    open,
                    get_balance,
                    inside,
                },
                Goal::RustCall,
            ) => {
                rows.extend(against_rust(&b, (open, get_balance, inside), &p.open));
            }
            (Ffi::NotMeasured(why), _) => {
                rows.push(Row::not_measured(&figure(&b), &goal_text(&b), why));
            }
        }
    }
    rows
}

/// The row of a binding held to the Rust call: `open` against `rust`, and without the
/// time its key took to sign, when the driver measured it.
fn against_rust(
    b: &Binding,
    (open, get, inside): (&Samples, &Samples, &Inside),
    rust: &Samples,
) -> Option<Row> {
    let (open, get, rust) = (open.summary()?, get.summary()?, rust.summary()?);
    let q = ratio(open.median, rust.median);
    let unsigned = inside.signing.summary().map(|signing| {
        format!(
            "; {} of it signing in {}: {:.2}× without",
            human(signing.median),
            b.name,
            ratio(open.median.saturating_sub(signing.median), rust.median)
        )
    });
    Some(Row {
        figure: figure(b),
        result: format!(
            "{} / {}; Rust call {} → **{q:.2}×** the Rust call ({:.2}× one GET of {}){}",
            human(open.median),
            human(open.p99),
            human(rust.median),
            ratio(open.median, get.median),
            human(get.median),
            unsigned.unwrap_or_default()
        ),
        goal: goal_text(b),
        status: verdict(q, KOTLIN_GOAL, |x| format!("{x:.2}×")),
    })
}

/// The detail table's lines of the bindings that were measured.
pub fn operations(p: &PushToScreen) -> Vec<(String, &Samples)> {
    let mut operations = Vec::new();
    for b in bindings(p) {
        if let Ffi::Measured {
            open, get_balance, ..
        } = b.result
        {
            operations.push((format!("open_from_push + view ({} binding)", b.name), open));
            let get = format!("GET /v1/balance (interleaved with {})", b.name);
            operations.push((get, get_balance));
        }
    }
    if let Ffi::Measured { open, .. } = &p.kotlin_attached {
        let label = "open_from_push + view (Kotlin, threads kept attached: experiment)";
        operations.push((label.into(), open));
    }
    operations
}

/// One paragraph per binding; `rust` is the median of the Rust call.
pub fn prose(out: &mut String, p: &PushToScreen, rust: Duration) {
    let mut measured = false;
    for b in bindings(p) {
        match b.result {
            Ffi::Measured {
                open,
                get_balance,
                inside,
            } => {
                let (Some(f), Some(g)) = (open.summary(), get_balance.summary()) else {
                    continue;
                };
                measured = true;
                let _ = writeln!(
                    out,
                    "Through the {} binding (figure {}): median {}, p99 {}, against {} / {} for \
                     the Rust GET interleaved with it: **{:.2}×** one GET at the median, {:.2}× \
                     at p99; {:.2}× the Rust call. That is {} more than the Rust call at the \
                     median: {}. Driver: {}\n",
                    b.name,
                    b.number,
                    human(f.median),
                    human(f.p99),
                    human(g.median),
                    human(g.p99),
                    ratio(f.median, g.median),
                    ratio(f.p99, g.p99),
                    ratio(f.median, rust),
                    human(f.median.saturating_sub(rust)),
                    b.cost,
                    b.how
                );
                inside_prose(out, inside, f.median, rust);
            }
            Ffi::NotMeasured(why) => {
                let _ = writeln!(out, "{} binding: not measured: {why}.\n", b.name);
            }
        }
    }
    attached_prose(out, p);
    if measured {
        out.push_str(
            "Each driver's key is written in its own language, so whatever the core signs\n\
             while timed (a request proof per request under protocol v1.1; nothing under v1,\n\
             whose token, signed for during the warm-up, lasts 5 minutes) is a call back into\n\
             that language, counted in its figure.\n\n",
        );
    }
}

/// The middle one of `counts` (0 without any).
fn median_count(counts: &[u64]) -> u64 {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or(0)
}

/// What the driver measured inside its opens, when it did: the device key's signatures
/// in its language, and its foreign future's wake-ups. `open` and `rust` are the
/// medians of the binding's call and of the Rust call.
fn inside_prose(out: &mut String, inside: &Inside, open: Duration, rust: Duration) {
    let added = open.saturating_sub(rust);
    if let Some(signing) = inside.signing.summary() {
        let _ = writeln!(
            out,
            "Its device key signed {} time(s) per open (median), in the driver's language, \
             called back from a library thread: {} at the median (p99 {}). Without that time \
             the open is {:.2}× the Rust call (whose key, *ring* in Rust, signs in about 16 µs: \
             figure 3).\n",
            median_count(&inside.signatures),
            human(signing.median),
            human(signing.p99),
            ratio(open.saturating_sub(signing.median), rust)
        );
    }
    if let (Some(calibration), Some(signing)) = (&inside.calibration, inside.signing.summary()) {
        calibration_prose(out, calibration, open, added, signing.median);
    }
    let Some(wake) = inside.wake.summary() else {
        return;
    };
    let _ = writeln!(
        out,
        "Its foreign future, measured inside the driver: each open was woken up {} times \
         (median) by the library's callback, and these wake-ups took {} in all at the median \
         (p99 {}), from the callback entering the driver's language on a library thread to \
         the event loop running the resume: {:.0} % of the {} the binding adds. The rest is \
         the poll calls themselves, lifting and lowering, and the signing above. A blocking \
         variant of the call for test harnesses (run to its end on the library's runtime, the \
         caller's thread waiting) would spare the wake-ups, not the rest.\n",
        median_count(&inside.wakeups),
        human(wake.median),
        human(wake.p99),
        100.0 * ratio(wake.median, added),
        human(added)
    );
}

/// What the Kotlin driver timed apart after its warm-up, against its timed `open`, the
/// `added` time of the binding over the Rust call, and `signing` in the callback.
fn calibration_prose(
    out: &mut String,
    c: &Calibration,
    open: Duration,
    added: Duration,
    signing: Duration,
) {
    let known = signing + c.async_call + c.sync_call;
    let _ = writeln!(
        out,
        "Timed apart by the driver once, after its warm-up ({} opens of the first payment \
         back to back, the second half at {} at the median against {} for the timed opens: \
         the timed ones are not waiting for the JIT): the JDK's signature called directly \
         from Kotlin on the main thread {} against {} in the callback (the JDK's ECDSA, pure \
         Java in JDK 17, is most of the signing time; an app signs with the Android Keystore \
         instead, whose cost is the key store's, out of the library's reach); an async call that does no I/O \
         (`reconcile()` with nothing to settle: the spawn on the library's runtime, the \
         foreign future and its continuation resumed on the main thread) {}; a \
         synchronous call returning a record (`enrolledDevice()`) {}. Together with the \
         signing these make {} of the {} the binding adds; the other {} are not in these \
         pieces: the signer's call through JNA from a library thread (attachment, see the \
         experiment below, and JNA's reflective dispatch), lifting the map, and the JVM's \
         own threads (JIT, G1) sharing the 2 cores with the library's runtime and the \
         sandbox.\n",
        c.warm_opens,
        human(c.warm_open),
        human(open),
        human(c.direct_sign),
        human(signing),
        human(c.async_call),
        human(c.sync_call),
        human(known),
        human(added),
        human(added.saturating_sub(known)),
    );
}

/// The Kotlin experiment: the library's threads left attached to the JVM.
fn attached_prose(out: &mut String, p: &PushToScreen) {
    let (Ffi::Measured { open: shipped, .. }, Ffi::Measured { open: attached, .. }) =
        (&p.kotlin, &p.kotlin_attached)
    else {
        return;
    };
    let (Some(shipped), Some(attached)) = (shipped.summary(), attached.summary()) else {
        return;
    };
    let verdict = if attached.median < shipped.median {
        format!(
            "{} less at the median, what attaching and detaching cost per open (within the \
             run's noise)",
            human(shipped.median - attached.median)
        )
    } else {
        "no gain: attaching is not where the time goes".into()
    };
    let _ = writeln!(
        out,
        "An experiment on the Kotlin binding, in the same run: JNA attaches a library thread \
         to the JVM for each callback into Kotlin (the signer, the future's continuation) and \
         detaches it after. With the driver's signer calling `Native.detach(false)`, so that \
         the library's threads stay attached once they have signed, the open takes {} at the \
         median (p99 {}), against {} (p99 {}) as shipped: {verdict}.\n",
        human(attached.median),
        human(attached.p99),
        human(shipped.median),
        human(shipped.p99),
    );
}
