//! The sandbox binary as a child process on a fixed port and SQLite file, killed with
//! SIGKILL and started again.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const ADMIN_TOKEN: &str = "crash-admin-token";
/// Longest wait for a started sandbox to print its URL.
const START_DEADLINE: Duration = Duration::from_secs(30);

/// The binary `cargo test --workspace` builds, or `CVCONNECT_SANDBOX_BIN`.
fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("CVCONNECT_SANDBOX_BIN") {
        return PathBuf::from(path);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    target
        .join("debug")
        .join(format!("cvconnect-sandbox{}", std::env::consts::EXE_SUFFIX))
}

pub struct SandboxProcess {
    binary: PathBuf,
    db: PathBuf,
    port: u16,
    base_url: String,
    child: Option<Child>,
}

impl SandboxProcess {
    /// Starts the sandbox on a free loopback port, kept for every restart.
    pub fn start(db: &Path) -> SandboxProcess {
        let binary = binary();
        assert!(
            binary.exists(),
            "{} not found: cargo build -p cvconnect-sandbox",
            binary.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut process = SandboxProcess {
            binary,
            db: db.to_path_buf(),
            port,
            base_url: format!("http://127.0.0.1:{port}"),
            child: None,
        };
        process.restart();
        process
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Starts the process (again) and waits for its URL line: it serves from then on.
    pub fn restart(&mut self) {
        let port = self.port.to_string();
        let mut child = Command::new(&self.binary)
            .args(["--port", &port, "--db"])
            .arg(&self.db)
            .args([
                "--admin-token",
                ADMIN_TOKEN,
                "--no-seed",
                "--merchant-rate",
                "1000000",
            ])
            .args(["--account-rate", "1000000", "--max-pending", "1000000"])
            .args(["--challenge-rate", "1000000"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the sandbox starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(START_DEADLINE).unwrap_or_default();
        assert_eq!(
            line.trim(),
            self.base_url,
            "the sandbox did not come back on its port"
        );
        self.child = Some(child);
    }

    /// SIGKILL, and waits for the process to be gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL");
            child.wait().expect("reaped");
        }
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
