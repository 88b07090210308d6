//! `cvconnect-bench`: measures the core and the sandbox and writes
//! `docs/benchmarks.md`. Benchmarks report, they do not fail: the exit status is
//! non-zero only when the harness itself cannot run.
//!
//! ```text
//! cargo run --release -p cvconnect-bench -- --out docs/benchmarks.md
//!     [--quick] [--phones N] [--load-secs S] [--only 1,1c]
//! ```

mod child;
mod cold_push;
mod cold_start;
mod crypto_cost;
mod delay_proxy;
mod fixture;
mod foreign;
mod keypad;
mod load;
mod memory;
mod push_to_screen;
mod report;
mod size;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use cvconnect_testkit::runtime;

use crate::report::Results;

struct Options {
    out: PathBuf,
    quick: bool,
    phones: usize,
    load_secs: u64,
    /// The sections to measure (`--only`); empty: all.
    only: Vec<String>,
}

impl Options {
    /// Runs `measure` if section `number` is selected, else says it was skipped.
    fn section<T>(
        &self,
        number: &str,
        name: &str,
        measure: impl FnOnce() -> Result<T>,
    ) -> Result<T, String> {
        if !self.only.is_empty() && !self.only.iter().any(|n| n == number) {
            return Err(format!("skipped (`--only {}`)", self.only.join(",")));
        }
        step(name);
        measure().map_err(|e| format!("{e:#}"))
    }
}

/// Iteration counts: full run, or `--quick` while developing.
struct Counts {
    push: usize,
    cold_push: usize,
    cold: usize,
    crypto: usize,
    keypad: usize,
    memory: usize,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = if args.first().map(String::as_str) == Some(memory::CHILD_COMMAND) {
        memory::child_main(&args[1..])
    } else {
        parse(&args).and_then(run)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("cvconnect-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: &[String]) -> Result<Options> {
    let mut options = Options {
        out: PathBuf::from("docs/benchmarks.md"),
        quick: false,
        phones: 50,
        load_secs: 10,
        only: Vec::new(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| anyhow!("{arg} needs a value"));
        match arg.as_str() {
            "--out" => options.out = PathBuf::from(value()?),
            "--quick" => options.quick = true,
            "--phones" => options.phones = value()?.parse().context("--phones")?,
            "--load-secs" => options.load_secs = value()?.parse().context("--load-secs")?,
            "--only" => options.only = value()?.split(',').map(str::to_owned).collect(),
            "-h" | "--help" => {
                println!(
                    "usage: cvconnect-bench [--out docs/benchmarks.md] [--quick] [--phones 50] [--load-secs 10] [--only 1,1c]"
                );
                std::process::exit(0);
            }
            other => return Err(anyhow!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

/// The workspace root (this package lives in `<root>/bench`).
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

fn step(name: &str) {
    eprintln!("cvconnect-bench: {name} …");
}

fn run(options: Options) -> Result<()> {
    let root = workspace_root();
    let counts = if options.quick {
        Counts {
            push: 30,
            cold_push: 10,
            cold: 20,
            crypto: 200,
            keypad: 50,
            memory: 1,
        }
    } else {
        Counts {
            push: 300,
            cold_push: 40,
            cold: 200,
            crypto: 2000,
            keypad: 400,
            memory: 5,
        }
    };
    let machine = report::Machine::read(&root);

    let crypto = options.section("3", "confirmation cost", || crypto_cost::run(counts.crypto));
    let keypad = options.section("4", "keypad", || {
        keypad::run(counts.keypad, counts.keypad * 5)
    });
    step("library size");
    let size = size::run(&root);

    // The phones' runtime: two workers, like the library's own runtime.
    let rt = runtime("bench-rt", 2)?;
    let fx = rt.block_on(fixture::start())?;

    let cold = options.section("2", "cold start", || cold_start::run(&rt, &fx, counts.cold));
    let push = options.section("1", "push to screen", || {
        push_to_screen::run(&rt, &fx, &root, counts.push)
    });
    let cold_push = options.section("1c", "push to screen, cold, over TLS, RTT 50 ms", || {
        cold_push::run(&rt, counts.cold_push)
    });
    let memory = options.section("6", "memory", || memory::run(&rt, &fx, counts.memory));
    let load_step = format!(
        "sandbox under load ({} phones, {} s)",
        options.phones, options.load_secs
    );
    let load = options.section("7", &load_step, || {
        load::run(
            &rt,
            &fx,
            options.phones,
            Duration::from_secs(options.load_secs),
        )
    });

    let results = Results {
        machine: machine.finish(),
        quick: options.quick,
        phones: options.phones,
        load_secs: options.load_secs,
        push,
        cold_push,
        cold,
        crypto,
        keypad,
        size,
        memory,
        load,
    };
    let markdown = report::render(&results);
    if let Some(parent) = options.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&options.out, &markdown)
        .with_context(|| format!("cannot write {}", options.out.display()))?;
    println!("{}", report::summary_table(&results));
    eprintln!("cvconnect-bench: wrote {}", options.out.display());
    drop(fx);
    drop(rt);
    Ok(())
}
