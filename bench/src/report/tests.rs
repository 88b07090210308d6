//! The report from made-up results, measured and not, goals met and missed: every
//! figure has its row and its section, in order, whatever happened to it.

use std::path::PathBuf;
use std::time::Duration;

use super::{render, summary_table, Machine, Results};
use crate::cold_push::{ColdPush, DesignRun, DESIGNS};
use crate::cold_start::ColdStart;
use crate::crypto_cost::CryptoCost;
use crate::foreign::{Calibration, Ffi, Inside};
use crate::keypad::KeypadCost;
use crate::load::Load;
use crate::memory::{Memory, Reading};
use crate::push_to_screen::PushToScreen;
use crate::size::Size;
use crate::stats::Samples;

/// Samples of these microseconds.
fn us(values: &[u64]) -> Samples {
    let mut samples = Samples::new();
    samples.extend(values.iter().map(|&v| Duration::from_micros(v)));
    samples
}

/// Samples around `median` µs.
fn around(median: u64) -> Samples {
    us(&[median * 9 / 10, median, median, median * 3 / 2])
}

fn machine() -> Machine {
    Machine {
        date: "2026-01-01 00:00 UTC".into(),
        commit: "abc1234".into(),
        cpu: "Test CPU".into(),
        nproc: 2,
        ram: "1.0 GiB".into(),
        kernel: "6.0".into(),
        rustc: "rustc 1.0".into(),
        load_start: "0.10 0.20 0.30".into(),
        load_end: "0.40 0.50 0.60".into(),
        profile: "release",
    }
}

#[derive(Clone, Copy, PartialEq)]
pub enum Case {
    /// Every goal met.
    Met,
    /// Every goal missed.
    Missed,
    /// Goals missed for the other reasons the prose explains.
    Mixed,
    /// Nothing measured.
    Failed,
}

/// The value for this case: goals met, missed, or the others.
fn by_case<T>(case: Case, met: T, missed: T, other: T) -> T {
    match case {
        Case::Met => met,
        Case::Missed => missed,
        _ => other,
    }
}

fn ffi(measured: bool, open: u64) -> Ffi {
    if measured {
        Ffi::Measured {
            open: around(open),
            get_balance: around(250),
            inside: Inside {
                wakeups: vec![3, 3, 4],
                wake: around(40),
                signatures: vec![1, 1, 1],
                signing: around(60),
                calibration: Some(Calibration {
                    warm_opens: 2000,
                    warm_open: Duration::from_micros(open),
                    direct_sign: Duration::from_micros(50),
                    async_call: Duration::from_micros(30),
                    sync_call: Duration::from_micros(10),
                }),
            },
        }
    } else {
        Ffi::NotMeasured("driver not built".into())
    }
}

fn push(case: Case) -> PushToScreen {
    let (open, pair) = by_case(case, (300, 280), (600, 450), (450, 320));
    PushToScreen {
        open: around(open),
        get_balance: around(250),
        get_health: around(120),
        get_detail: around(pair),
        get_detail_proof: around(pair + 60),
        open_payment: around(open - 50),
        python: ffi(case != Case::Mixed, 900),
        swift: ffi(case == Case::Met, 500),
        kotlin: ffi(case != Case::Failed, by_case(case, 320, 900, 500)),
        kotlin_attached: ffi(case == Case::Missed, 700),
    }
}

/// The new design at 2.5 RTT (met) or 4 RTT (missed), today's at 5.5 RTT.
fn cold_push(case: Case) -> ColdPush {
    let new_ms = by_case(case, 125_000, 200_000, 150_000);
    let signatures = by_case(case, 1, 2, 1);
    let runs = DESIGNS
        .iter()
        .map(|design| DesignRun {
            design,
            open: around(if design.reference { 275_000 } else { new_ms }),
            signatures: vec![if design.reference { 1 } else { signatures }; 4],
        })
        .collect();
    ColdPush {
        runs,
        warm_get: around(51_000),
        fresh_get: around(152_000),
    }
}

fn cold(case: Case) -> ColdStart {
    let (every, first) = by_case(case, (200, 600), (12_000, 30_000), (200, 25_000));
    ColdStart {
        fresh: around(first - 50),
        reopen: around(every - 50),
        runtime: around(40),
        fresh_with_runtime: around(first),
        reopen_with_runtime: around(every),
        fsync: around(3_000),
        first_network: around(1_200),
    }
}

fn crypto(case: Case) -> CryptoCost {
    let total = if case == Case::Met { 60 } else { 1_500 };
    CryptoCost {
        seal: around(20),
        encode: us(&[1, 1, 2]),
        sign: around(30),
        total: around(total),
    }
}

fn size(case: Case) -> Size {
    let mib = 1024 * 1024;
    let stripped = match case {
        Case::Met => 3 * mib,
        Case::Missed => 6 * mib,
        Case::Mixed => 4 * mib + 10_000,
        Case::Failed => 0,
    };
    let measured = case != Case::Failed;
    Size {
        stripped: measured.then(|| (stripped, "build/lib/libcvconnect_ffi.so".into())),
        unstripped: measured.then(|| (stripped + mib, PathBuf::from("target/lib.so"))),
        crates: vec![
            ("reqwest".into(), 400_000),
            ("h2".into(), 200_000),
            ("sqlite (C, bundled)".into(), 900_000),
        ],
        symbol_total: 2_000_000,
        sections: vec![(".text".into(), 2_500_000), (".rodata".into(), 600_000)],
        notes: vec!["a note".into()],
    }
}

fn memory(case: Case) -> Memory {
    let peak = if case == Case::Missed { 20_000 } else { 9_000 };
    let reading = |rss: u64| Reading {
        rss_start: 2_000,
        rss_client: 6_000,
        rss,
        hwm: peak,
        rss_anon: 5_000,
        rss_file: 3_000,
    };
    Memory {
        readings: vec![reading(8_800), reading(8_600), reading(8_900)],
    }
}

fn load(case: Case) -> Load {
    let errors = if case == Case::Missed { 3 } else { 0 };
    Load {
        phones: 50,
        elapsed: Duration::from_millis(10_200),
        latency: around(60_000),
        errors,
        first_errors: (0..errors.min(2)).map(|i| format!("error {i}")).collect(),
        cpu: match case {
            Case::Met => vec![("sandbox-rt".into(), 12.0), ("bench-rt".into(), 8.0)],
            _ => vec![("sandbox-rt".into(), 2.0), ("other".into(), 1.0)],
        },
    }
}

/// `figure(case)`, or an error when nothing is measured.
fn measured<T>(case: Case, figure: impl FnOnce(Case) -> T, name: &str) -> Result<T, String> {
    match case {
        Case::Failed => Err(format!("{name} failed")),
        _ => Ok(figure(case)),
    }
}

fn keypad(_: Case) -> KeypadCost {
    KeypadCost {
        layout: us(&[1, 1, 1]),
        press: us(&[1, 1]),
        single_layout: us(&[2, 2]),
        single_press: us(&[1]),
    }
}

pub fn results(case: Case) -> Results {
    Results {
        machine: machine(),
        quick: case == Case::Mixed,
        phones: 50,
        load_secs: 10,
        push: measured(case, push, "push"),
        cold_push: measured(case, cold_push, "cold push"),
        cold: measured(case, cold, "cold"),
        crypto: measured(case, crypto, "crypto"),
        keypad: measured(case, keypad, "keypad"),
        size: size(case),
        memory: match case {
            Case::Failed => Ok(Memory {
                readings: Vec::new(),
            }),
            _ => Ok(memory(case)),
        },
        load: measured(case, load, "load"),
    }
}

const CASES: [Case; 4] = [Case::Met, Case::Missed, Case::Mixed, Case::Failed];

/// The headings of the report, in order.
const HEADINGS: [&str; 13] = [
    "# Benchmarks",
    "## Machine",
    "## Commands",
    "## Summary",
    "## 1. Push to screen",
    "## 1c. Push to screen, cold, over TLS",
    "## 2. Cold start",
    "## 3. Confirmation cost on the device",
    "## 4. Keypad",
    "## 5. Library size",
    "### What would take it under 4 MiB",
    "## 6. Memory",
    "## 7. The sandbox under load",
];

/// The summary's rows, without its header.
fn rows(results: &Results) -> Vec<String> {
    let table = summary_table(results);
    table.lines().skip(2).map(str::to_owned).collect()
}

#[test]
fn every_case_has_every_section_in_order_and_the_printed_summary() {
    for case in CASES {
        let results = results(case);
        let report = render(&results);
        let headings: Vec<&str> = report
            .lines()
            .filter(|l| l.starts_with('#') && !l.starts_with("# which"))
            .collect();
        assert_eq!(headings, HEADINGS);
        assert!(report.contains(&summary_table(&results)));
    }
}

#[test]
fn every_figure_has_a_row_measured_or_not() {
    let figures = |case| -> Vec<String> {
        let rows = rows(&results(case));
        let figure = |row: &String| row.split(" | ").next().unwrap_or_default().to_owned();
        rows.iter().map(figure).collect()
    };
    assert_eq!(
        figures(Case::Failed),
        [
            "| 1. Push to screen",
            "| 1c. Push to screen, cold, over TLS",
            "| 2. Cold start",
            "| 3. Confirmation cost",
            "| 4. Keypad",
            "| 5. Library size",
            "| 6. Memory",
            "| 7. Sandbox under load",
        ]
    );
    assert_eq!(
        figures(Case::Met)[..6],
        [
            "| 1. Push to screen (Rust core)",
            "| 1b. Push to screen (Python binding)",
            "| 1c. Push to screen, cold, over TLS (v1.1, device-signed request proofs)",
            "| 1c. Push to screen, cold, over TLS (v1, challenge + bearer token)",
            "| 1d. Push to screen (Swift binding)",
            "| 1e. Push to screen (Kotlin binding)",
        ],
        "in the order of their numbers, though 1c has a section of its own"
    );
    assert_eq!(
        figures(Case::Met).len(),
        14,
        "1 to 1e, 2 twice, 2c, then one each"
    );
    let failed = rows(&results(Case::Failed));
    assert!(failed.iter().all(|row| row.ends_with("| not measured |")));
    let report = render(&results(Case::Failed));
    assert!(report.contains("Not measured: push failed\n\n## 1c. Push to screen, cold"));
    assert!(report.contains("Not measured: cold push failed\n\n## 2. Cold start"));
}

#[test]
fn each_goal_is_said_met_or_missed() {
    let status = |case, figure: &str| -> String {
        let rows = rows(&results(case));
        let row = rows
            .iter()
            .find(|row| row.starts_with(&format!("| {figure}")));
        let row = row.unwrap_or_else(|| panic!("no row {figure}"));
        row.rsplit(" | ").next().unwrap_or_default().to_owned()
    };
    for figure in [
        "1. Push to screen (Rust core)",
        "2. Cold start, every launch",
        "3. Confirmation cost",
        "5. Library size",
        "6. Memory",
        "7. Sandbox under load",
    ] {
        assert!(status(Case::Met, figure).starts_with("met"), "{figure}");
        assert!(
            status(Case::Missed, figure).starts_with("**missed**"),
            "{figure}"
        );
    }
    assert_eq!(
        status(Case::Mixed, "5. Library size"),
        "met; 4 MiB stretch missed by 0.01 MiB |"
    );
    let report = render(&results(Case::Missed));
    assert!(report.contains("**Goal missed by 0.90× (+60 %).** 1.5× one GET leaves"));
    assert!(!render(&results(Case::Met)).contains("**Goal missed"));
}

#[test]
fn the_time_of_the_push_is_told_in_parts() {
    let report = render(&results(Case::Missed));
    for part in [
        "- **the request proof**: 60 µs (0.24× one GET)",
        "- **the push's record**: 50 µs (0.20× one GET)",
        "- **the rest of the core**: 40 µs (0.16× one GET)",
        // Kotlin: 900 µs against the Rust call's 600; 60 signing, 30 async, 10 sync.
        "make 100 µs of the 300 µs the binding adds; the other 200 µs are not",
    ] {
        assert!(report.contains(part), "{part}");
    }
}

#[test]
fn the_cold_figure_is_stated_in_round_trips_with_its_signatures() {
    let row = |case| {
        rows(&results(case))
            .into_iter()
            .find(|row| row.contains("cold, over TLS (v1.1"))
            .expect("the new design's row")
    };
    let met = row(Case::Met);
    for words in [
        "cold",
        "Push to screen",
        "TLS",
        "**2.5 RTT**",
        "1 device-key signature |",
    ] {
        assert!(met.contains(words), "{words:?} in {met}");
    }
    assert!(met.ends_with("| met |"), "{met}");
    let missed = row(Case::Missed);
    assert!(missed.contains("**4.0 RTT**"), "{missed}");
    assert!(
        missed.ends_with("| **missed** by 1.0 RTT (+33 %); **signatures: not one** |"),
        "{missed}"
    );
    let report = render(&results(Case::Met));
    assert!(report.contains("it saves 150.00 ms (3.0 RTT) per cold push"));
    assert!(report.contains(
        "- v1.1, device-signed request proofs: 1 device-key signature per run (4 runs), goal met."
    ));
}

#[test]
fn the_kotlin_binding_is_held_to_the_rust_call() {
    let status = |case| {
        rows(&results(case))
            .into_iter()
            .find(|row| row.starts_with("| 1e. Push to screen (Kotlin binding)"))
            .expect("the Kotlin row")
    };
    let met = status(Case::Met);
    assert!(met.contains("**1.07×** the Rust call"), "{met}");
    assert!(
        met.ends_with("| ≤ 1.3× the Rust call (figure 1) | met |"),
        "{met}"
    );
    assert!(status(Case::Missed).contains("| **missed** by"));
}
