//! The machine a run measured on, for the report's first table: CPU, cores, memory,
//! kernel, toolchain, commit, and the load average at the start and at the end.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

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

    /// The section `## Machine`: this table, and where the sandbox and the clients ran.
    pub fn section(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "## Machine\n\n\
         | | |\n|---|---|\n\
         | Date | {} |\n| Commit | {} |\n| CPU | {} |\n| Cores (nproc) | {} |\n| RAM | {} |\n\
         | Kernel | Linux {} |\n| Toolchain | {} |\n| Build | {} |\n\
         | Load average (1/5/15 min) | {} at start, {} at the end |\n",
            self.date,
            self.commit,
            self.cpu,
            self.nproc,
            self.ram,
            self.kernel,
            self.rustc,
            self.profile,
            self.load_start,
            self.load_end
        );
        out.push_str(
        "The sandbox runs in the same process on a tokio runtime of its own (2 workers, thread\n\
         name `sandbox-rt`), over plain HTTP on 127.0.0.1 with its SQLite file in a temporary\n\
         folder; the clients run on a second 2-worker runtime (`bench-rt`, the size of the\n\
         library's own runtime). Both share the machine's cores with anything else running:\n\
         see the load average above.\n\n",
    );
    }
}
