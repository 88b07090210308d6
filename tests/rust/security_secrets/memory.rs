//! The PIN in the memory of a process that used the keypad: the `pin_memory_probe`
//! child pays (or cancels, or holds a keypad), then waits while this test reads every
//! readable mapping of it through `/proc/PID/mem`.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::FileExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use cvconnect_e2e::scan::{contains_bytes, pin_forms, stored_bytes};
use cvconnect_testkit::{eur, Options, World};
use memchr::memmem;

use super::MARKER_PIN;

#[test]
fn the_scan_finds_a_pin_the_keypad_still_holds() -> anyhow::Result<()> {
    let report = run_probe("hold")?;
    assert_eq!(report.outcomes(), ["HOLDING"]);
    report.assert_controls_found();
    assert!(
        report.hits_of("PIN as ASCII digits") > 0,
        "a live keypad's digits must be visible to the scan: {:#?}",
        report.hits
    );
    Ok(())
}

#[test]
fn no_pin_in_memory_after_confirmed_payments() -> anyhow::Result<()> {
    let report = run_probe("confirm")?;
    assert_eq!(
        report.outcomes(),
        ["AUTHORISED", "PARTIALLY_AUTHORISED", "AUTHORISED"]
    );
    report.assert_controls_found();
    report.assert_no_pin();
    // The PIN was right: the sandbox debited 50.00 + 12.34 + 50.00.
    assert_eq!(report.balance_after, eur("387.66"));
    Ok(())
}

#[test]
fn no_pin_in_memory_after_cancelled_entries() -> anyhow::Result<()> {
    let report = run_probe("cancel")?;
    assert_eq!(report.outcomes(), ["DECLINED"]);
    report.assert_controls_found();
    report.assert_no_pin();
    assert_eq!(report.balance_after, eur("500.00"));
    Ok(())
}

struct Hit {
    needle: String,
    region: String,
    address: u64,
    context: Vec<u8>,
}

impl std::fmt::Debug for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at {:#x} in {} (context {:02x?})",
            self.needle, self.address, self.region, self.context
        )
    }
}

struct ProbeReport {
    lines: Vec<String>,
    hits: Vec<Hit>,
    scanned_bytes: u64,
    balance_after: cvconnect_core::amount::Amount,
}

impl ProbeReport {
    fn outcomes(&self) -> Vec<&str> {
        self.lines
            .iter()
            .filter_map(|line| line.strip_prefix("OUTCOME "))
            .collect()
    }

    fn hits_of(&self, needle: &str) -> usize {
        self.hits.iter().filter(|hit| hit.needle == needle).count()
    }

    fn assert_controls_found(&self) {
        assert!(self.scanned_bytes > 1 << 20, "{} bytes", self.scanned_bytes);
        for control in ["control text", "control values"] {
            assert!(
                self.hits.iter().any(|hit| hit.needle == control
                    && !hit.region.starts_with('/')
                    && hit.region != "[stack]"),
                "the scan must find the {control} on the heap: {:#?}",
                self.hits
            );
        }
    }

    fn assert_no_pin(&self) {
        let found: Vec<&Hit> = self
            .hits
            .iter()
            .filter(|hit| hit.needle.starts_with("PIN"))
            .collect();
        assert!(
            found.is_empty(),
            "PIN found in the probe's memory after the session ended: {found:#?}"
        );
    }
}

/// Runs the probe in `mode` against a fresh sandbox and scans its memory once it is
/// ready.
fn run_probe(mode: &str) -> anyhow::Result<ProbeReport> {
    let main = tokio::runtime::Runtime::new().unwrap();
    let (h, account, code) = main.block_on(async {
        let h = World::start(Options::default().pin_length(6)).await?;
        let account = h.account_with_pin("500.00", MARKER_PIN).await?;
        let code = h.activation_code(&account.email).await?;
        anyhow::Ok((h, account, code))
    })?;
    let data_dir = tempfile::tempdir().unwrap();
    let letters: String = MARKER_PIN
        .bytes()
        .map(|b| char::from(b - b'0' + b'a'))
        .collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pin_memory_probe"))
        .args([
            &h.base_url,
            &account.email,
            &code,
            h.merchant_key(),
            &letters,
            mode,
            data_dir.path().to_str().unwrap(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("probe starts");
    let pid = child.id();
    let (done, watchdog) = mpsc::channel::<()>();
    let guard = std::thread::spawn(move || {
        if watchdog.recv_timeout(Duration::from_secs(120)).is_err() {
            eprintln!("pin_memory_probe {pid} did not finish in time: killing it");
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
    });

    let mut lines = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.expect("probe output");
        let ready = line == "READY";
        lines.push(line);
        if ready {
            break;
        }
    }
    assert_eq!(
        lines.last().map(String::as_str),
        Some("READY"),
        "the probe stopped early: {lines:?}"
    );

    let control = lines
        .iter()
        .find_map(|l| l.strip_prefix("CONTROL "))
        .expect("control marker")
        .as_bytes()
        .to_vec();
    let control_values: Vec<u8> = lines
        .iter()
        .find_map(|l| l.strip_prefix("CONTROL_VALUES "))
        .expect("control values")
        .as_bytes()
        .chunks(2)
        .map(|hex| u8::from_str_radix(std::str::from_utf8(hex).unwrap(), 16).unwrap())
        .collect();
    let mut needles = vec![
        ("control text".to_owned(), control),
        ("control values".to_owned(), control_values),
    ];
    needles.extend(
        pin_forms(MARKER_PIN)
            .into_iter()
            .map(|(name, bytes)| (name.to_owned(), bytes)),
    );
    let (hits, scanned_bytes) = scan_memory(pid, &needles);

    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(b"\n");
    drop(stdin);
    let status = child.wait().expect("probe exit");
    let _ = done.send(());
    guard.join().unwrap();
    assert!(status.success(), "probe exit status {status}");

    // What the probe left on disk, while we are at it.
    let stored = stored_bytes(data_dir.path());
    assert!(!stored.is_empty());
    for (what, needle) in pin_forms(MARKER_PIN) {
        assert!(
            !contains_bytes(&stored, &needle),
            "{what} in the probe's SQLite files"
        );
    }

    let balance_after = main.block_on(h.balance_of(&account.email))?;
    println!(
        "memory probe `{mode}`: {} MiB scanned, {} hits: {hits:?}",
        scanned_bytes >> 20,
        hits.len()
    );
    drop(h);
    Ok(ProbeReport {
        lines,
        hits,
        scanned_bytes,
        balance_after,
    })
}

/// Reads every readable mapping of process `pid` and reports where each needle occurs.
fn scan_memory(pid: u32, needles: &[(String, Vec<u8>)]) -> (Vec<Hit>, u64) {
    const CHUNK: usize = 4 << 20;
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("maps");
    let mem = std::fs::File::open(format!("/proc/{pid}/mem"))
        .expect("/proc/PID/mem of a child process is readable by its parent");
    let finders: Vec<memmem::Finder<'_>> = needles
        .iter()
        .map(|(_, needle)| memmem::Finder::new(needle))
        .collect();
    let overlap = needles.iter().map(|(_, n)| n.len()).max().unwrap_or(1) - 1;
    let mut seen = HashSet::new();
    let mut hits = Vec::new();
    let mut scanned = 0u64;
    let mut buffer = vec![0u8; CHUNK];
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
            continue;
        };
        let region = fields.nth(3).unwrap_or("[anonymous]").to_owned();
        if !perms.starts_with('r') || region.starts_with("[vvar") || region == "[vsyscall]" {
            continue;
        }
        let (start, end) = range.split_once('-').expect("address range");
        let start = u64::from_str_radix(start, 16).unwrap();
        let end = u64::from_str_radix(end, 16).unwrap();
        let mut offset = start;
        while offset < end {
            let want = usize::try_from(end - offset).unwrap_or(CHUNK).min(CHUNK);
            let read = match mem.read_at(&mut buffer[..want], offset) {
                Ok(read) if read > 0 => read,
                _ => break,
            };
            let bytes = &buffer[..read];
            scanned += read as u64;
            for (finder, (name, needle)) in finders.iter().zip(needles) {
                for position in finder.find_iter(bytes) {
                    let address = offset + position as u64;
                    if seen.insert((name.clone(), address)) {
                        let from = position.saturating_sub(16);
                        let to = (position + needle.len() + 16).min(read);
                        hits.push(Hit {
                            needle: name.clone(),
                            region: region.clone(),
                            address,
                            context: bytes[from..to].to_vec(),
                        });
                    }
                }
            }
            if offset + read as u64 >= end || read <= overlap {
                break;
            }
            offset += (read - overlap) as u64;
        }
    }
    (hits, scanned)
}
