//! Figure 5 in the report: the goal (5 MiB, 4 MiB stretch), the summary row, the
//! section with the biggest crates and sections, and what would take the library under
//! the stretch goal.

use std::fmt::Write as _;

use super::Size;
use crate::report::{mib, verdict, Figure, Row};

/// The goal: the stripped library at most this big.
const BUDGET: u64 = 5 * 1024 * 1024;
/// The stretch goal.
const STRETCH: u64 = 4 * 1024 * 1024;

impl Figure for Size {
    const TITLE: &'static str = "5. Library size";
    const GOAL: &'static str = "≤ 5 MiB";

    const INTRO: &'static str = "## 5. Library size\n\n";

    fn rows(&self) -> Vec<Row> {
        let Some((bytes, _)) = self.stripped else {
            let why = "release-smaller cdylib not built (`cargo xtask bindings`)";
            return vec![Row::not_measured(Self::TITLE, Self::GOAL, why)];
        };
        let status = if bytes <= STRETCH {
            "met (under 4 MiB too)".into()
        } else if bytes <= BUDGET {
            format!("met; 4 MiB stretch missed by {}", mib(bytes - STRETCH))
        } else {
            verdict(bytes as f64, BUDGET as f64, |x| mib(x as u64))
        };
        vec![Row {
            figure: "5. Library size (stripped, x86_64 Linux)".into(),
            result: format!("{} ({bytes} bytes)", mib(bytes)),
            goal: "≤ 5 MiB (4 MiB stretch)".into(),
            status,
        }]
    }

    fn details(&self, out: &mut String) {
        match &self.stripped {
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
        if let Some((bytes, path)) = &self.unstripped {
            let _ = writeln!(
                out,
                "Unstripped (symbols kept): {} ({}).\n",
                mib(*bytes),
                path.display()
            );
        }
        if !self.crates.is_empty() {
            let _ = writeln!(
                out,
                "Biggest contributors by crate: sizes of the symbols in `nm -S --size-sort -C` of the\n\
                 unstripped library ({} in sized symbols; the rest is unwind tables, the dynamic symbol\n\
                 table, string literals and headers). Generic standard-library code is charged to\n\
                 the first other crate named in the symbol (`drop_in_place<reqwest::…>` → reqwest).\n",
                mib(self.symbol_total)
            );
            out.push_str("| Crate | Bytes | Share of symbols |\n|---|---|---|\n");
            for (name, bytes) in self.crates.iter().take(10) {
                let _ = writeln!(
                    out,
                    "| {name} | {} KiB | {:.1} % |",
                    bytes / 1024,
                    *bytes as f64 / self.symbol_total.max(1) as f64 * 100.0
                );
            }
            out.push('\n');
        }
        if !self.sections.is_empty() {
            out.push_str("Sections of the stripped library (`size -A`), biggest first:\n\n| Section | Bytes |\n|---|---|\n");
            for (name, bytes) in self.sections.iter().take(8) {
                let _ = writeln!(out, "| {name} | {} KiB |", bytes / 1024);
            }
            out.push('\n');
        }
        for note in &self.notes {
            let _ = writeln!(out, "Note: {note}\n");
        }
        out.push_str(&under_4_mib(self));
    }
}

/// Levers towards 4 MiB: what to do, the crates it removes or shrinks, and whether
/// those crates would go entirely (counted in the total).
const LEVERS: [(&str, &[&str], bool); 7] = [
    (
        "drop reqwest's `http2` feature (the protocol and the sandbox speak HTTP/1.1; two \
         requests in flight use two pooled connections)",
        &["h2"],
        true,
    ),
    (
        "build the bundled SQLite without the extensions libsqlite3-sys enables by default \
         (FTS3/FTS5, JSON, R-Tree: `LIBSQLITE3_FLAGS`), which the store does not use",
        &["sqlite FTS3/FTS5/JSON/R-Tree (C)"],
        true,
    ),
    (
        "forward `tracing` events with a small hand-written layer instead of \
         tracing-subscriber's registry",
        &["tracing_subscriber", "sharded_slab"],
        true,
    ),
    (
        "replace reqwest by a thin hyper-util client (the core uses JSON requests, a \
         timeout and a pool only)",
        &["reqwest"],
        false,
    ),
    (
        "trim SQLite further with `SQLITE_OMIT_*` options, or link the system SQLite on iOS",
        &["sqlite (C, bundled)"],
        false,
    ),
    (
        "make SPKI pins mandatory in release builds and drop the bundled Mozilla roots \
         (static data in .rodata, not visible as symbols)",
        &[],
        false,
    ),
    (
        "drop `tls12` from rustls if the production backend is TLS 1.3 only (inside rustls)",
        &[],
        false,
    ),
];

/// Markdown: what would take the library under 4 MiB.
fn under_4_mib(s: &Size) -> String {
    let mut out = String::from("### What would take it under 4 MiB\n\n");
    let Some((bytes, _)) = s.stripped else {
        out.push_str("Unknown until the library is built.\n\n");
        return out;
    };
    if bytes <= STRETCH {
        out.push_str("It already is.\n\n");
        return out;
    }
    let needed = bytes - STRETCH;
    out.push_str(&format!(
        "{:.0} KiB must go. Candidates, with what the crates concerned weigh in this build:\n\n",
        needed as f64 / 1024.0
    ));
    let size_of = |name: &str| {
        s.crates
            .iter()
            .find(|(crate_name, _)| crate_name == name)
            .map_or(0, |(_, b)| *b)
    };
    let mut total = 0;
    for (lever, crates, removable) in LEVERS {
        let weight: u64 = crates.iter().map(|c| size_of(c)).sum();
        if removable {
            total += weight;
        }
        if crates.is_empty() {
            out.push_str(&format!("- {lever}: not separable by symbol\n"));
        } else {
            let named: Vec<String> = crates
                .iter()
                .map(|c| format!("{c} {} KiB", size_of(c) / 1024))
                .collect();
            out.push_str(&format!("- {lever}: {}\n", named.join(", ")));
        }
    }
    out.push_str(&format!(
        "\nThe first three remove about {} KiB of symbols outright (a little more of file, with \
         their unwind tables and literals) against {} KiB needed; the rest has to come from \
         the partial levers. `panic = \"abort\"` is not an option: the bindings rely on \
         unwinding to turn a Rust panic into a foreign exception (and .eh_frame / \
         .gcc_except_table are its price).\n\n",
        total / 1024,
        needed / 1024
    ));
    out
}
