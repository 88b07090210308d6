//! `cvconnect-bench`: measures the core and the sandbox and writes
//! `docs/benchmarks.md`. Benchmarks report, they do not fail: the exit status is
//! non-zero only when the harness itself cannot run.
//!
//! ```text
//! cargo run --release -p cvconnect-bench -- --out docs/benchmarks.md
//!     [--quick] [--phones N] [--load-secs S]
//! ```

mod child;
mod cold_start;
mod crypto_cost;
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
}

/// Iteration counts: full run, or `--quick` while developing.
struct Counts {
    push: usize,
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
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| anyhow!("{arg} needs a value"));
        match arg.as_str() {
            "--out" => options.out = PathBuf::from(value()?),
            "--quick" => options.quick = true,
            "--phones" => options.phones = value()?.parse().context("--phones")?,
            "--load-secs" => options.load_secs = value()?.parse().context("--load-secs")?,
            "-h" | "--help" => {
                println!(
                    "usage: cvconnect-bench [--out docs/benchmarks.md] [--quick] [--phones 50] [--load-secs 10]"
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
            cold: 20,
            crypto: 200,
            keypad: 50,
            memory: 1,
        }
    } else {
        Counts {
            push: 300,
            cold: 200,
            crypto: 2000,
            keypad: 400,
            memory: 5,
        }
    };
    let machine = report::Machine::read(&root);

    step("confirmation cost");
    let crypto = crypto_cost::run(counts.crypto).map_err(|e| format!("{e:#}"));
    step("keypad");
    let keypad = keypad::run(counts.keypad, counts.keypad * 5).map_err(|e| format!("{e:#}"));
    step("library size");
    let size = size::run(&root);

    // The phones' runtime: two workers, like the library's own runtime.
    let rt = runtime("bench-rt", 2)?;
    let fx = rt.block_on(fixture::start())?;

    step("cold start");
    let cold = cold_start::run(&rt, &fx, counts.cold).map_err(|e| format!("{e:#}"));
    step("push to screen");
    let push = push_to_screen::run(&rt, &fx, &root, counts.push).map_err(|e| format!("{e:#}"));
    step("memory");
    let memory = memory::run(&rt, &fx, counts.memory).map_err(|e| format!("{e:#}"));
    step(&format!(
        "sandbox under load ({} phones, {} s)",
        options.phones, options.load_secs
    ));
    let load = load::run(
        &rt,
        &fx,
        options.phones,
        Duration::from_secs(options.load_secs),
    )
    .map_err(|e| format!("{e:#}"));

    let results = Results {
        machine: machine.finish(),
        quick: options.quick,
        phones: options.phones,
        load_secs: options.load_secs,
        push,
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
