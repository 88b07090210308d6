//! What every figure writes with: the summary's [`Row`], the detail table's lines, the
//! verdict against a goal, and the units.

use std::fmt::Write as _;
use std::time::Duration;

use crate::stats::{human, Samples};

/// One line of the summary table.
pub struct Row {
    pub figure: String,
    pub result: String,
    pub goal: String,
    pub status: String,
}

impl Row {
    /// The row of a figure that could not be measured, and why.
    pub fn not_measured(figure: &str, goal: &str, why: &str) -> Row {
        Row {
            figure: figure.into(),
            result: format!("not measured: {why}"),
            goal: goal.into(),
            status: "not measured".into(),
        }
    }
}

/// The header of a section's detail table.
const DETAIL_HEADER: &str =
    "| Operation | Median | p99 | Min | Max | n |\n|---|---|---|---|---|---|\n";

/// A section's detail table, one line per operation that has samples, and a blank line.
pub fn detail_table(out: &mut String, operations: &[(String, &Samples)]) {
    out.push_str(DETAIL_HEADER);
    for (label, samples) in operations {
        line(out, label, samples);
    }
    out.push('\n');
}

/// A line of the detail table, if there are samples.
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

/// "met", or "missed by X (+Y %)".
pub fn verdict(value: f64, goal: f64, unit: impl Fn(f64) -> String) -> String {
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

/// A verdict on durations: the median against the goal.
pub fn duration_verdict(median: Duration, goal: Duration) -> String {
    verdict(median.as_secs_f64(), goal.as_secs_f64(), |seconds| {
        human(Duration::from_secs_f64(seconds.max(0.0)))
    })
}

pub fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-12)
}

pub fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

pub fn mb_kb(kb: u64) -> String {
    format!("{:.1} MiB", kb as f64 / 1024.0)
}
