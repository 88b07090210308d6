//! The PIN in the memory of a process that used the keypad: the `pin_memory_probe`
//! child pays (or cancels), then waits while this test reads every readable mapping of
//! it through `/proc/PID/mem`.
//!
//! The probe never frees memory, so whatever the core leaves unwiped stays where it was
//! left. Negative controls prove that the scan would see it: the same run with the
//! wiping of one kind of PIN buffer skipped (core feature `test-hooks`) must leave the
//! PIN for the scan to find, and each control asserts that the scan finds it. The clean
//! runs assert that it finds nothing; heap markers the probe keeps alive prove that
//! each scan read the heap.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::FileExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use cvconnect_core::test_hooks::wiping::PinBufferKind;
use cvconnect_e2e::scan::{
    contains_bytes, in_seal_plaintext, pin_forms, stored_bytes, PIN_ASCII, PIN_SEAL_PLAINTEXT,
    SEAL_HEADER_LEN,
};
use cvconnect_testkit::{eur, Options, World};
use memchr::memmem;

use super::MARKER_PIN;

#[test]
fn no_pin_in_memory_after_confirmed_payments() -> anyhow::Result<()> {
    run_probe(Mode::Confirm, None)?.assert_no_pin();
    Ok(())
}

#[test]
fn no_pin_in_memory_after_cancelled_entries() -> anyhow::Result<()> {
    run_probe(Mode::Cancel, None)?.assert_no_pin();
    Ok(())
}

#[test]
fn the_scan_finds_keypad_digits_left_unwiped() -> anyhow::Result<()> {
    // Confirming moves the digits out of the keypad: only cancelled entries stay there.
    let report = run_probe(Mode::Cancel, Some(PinBufferKind::KeypadDigits))?;
    report.assert_pin_found(None, Mode::Cancel);
    Ok(())
}

#[test]
fn the_scan_finds_a_pin_left_unwiped() -> anyhow::Result<()> {
    let report = run_probe(Mode::Confirm, Some(PinBufferKind::Pin))?;
    report.assert_pin_found(None, Mode::Confirm);
    Ok(())
}

#[test]
fn the_scan_finds_a_seal_plaintext_left_unwiped() -> anyhow::Result<()> {
    let report = run_probe(Mode::Confirm, Some(PinBufferKind::SealPlaintext))?;
    report.assert_pin_found(Some(PIN_SEAL_PLAINTEXT), Mode::Confirm);
    Ok(())
}

/// What the probe does with the PIN (see `pin_memory_probe`).
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Three payments confirmed: in full, in part on a worker thread, and one whose
    /// caller gives up waiting.
    Confirm,
    /// Four entries abandoned (cleared, left, confirmation dropped, erased), then the
    /// payment declined.
    Cancel,
}

impl Mode {
    fn arg(self) -> &'static str {
        match self {
            Mode::Confirm => "confirm",
            Mode::Cancel => "cancel",
        }
    }

    /// How many times the PIN is typed in full.
    fn entries(self) -> usize {
        match self {
            Mode::Confirm => 3,
            Mode::Cancel => 4,
        }
    }

    fn outcomes(self) -> &'static [&'static str] {
        match self {
            Mode::Confirm => &["AUTHORISED", "PARTIALLY_AUTHORISED", "AUTHORISED"],
            Mode::Cancel => &["DECLINED"],
        }
    }

    /// The balance of 500.00 after the run: the PIN is right, so confirmed payments
    /// debit 50.00 + 12.34 + 50.00.
    fn balance_after(self) -> &'static str {
        match self {
            Mode::Confirm => "387.66",
            Mode::Cancel => "500.00",
        }
    }
}

struct Hit {
    /// The needle found, or [`PIN_SEAL_PLAINTEXT`] for ASCII digits in a seal's block.
    form: String,
    region: String,
    address: u64,
    context: Vec<u8>,
}

impl Hit {
    fn on_heap(&self) -> bool {
        !self.region.starts_with('/') && self.region != "[stack]"
    }

    fn of_pin(&self) -> bool {
        self.form.starts_with("PIN")
    }
}

impl std::fmt::Debug for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at {:#x} in {} (context {:02x?})",
            self.form, self.address, self.region, self.context
        )
    }
}

/// What one run of the probe left in its memory; its outcomes, heap controls and
/// files are checked by [`run_probe`].
struct ProbeReport {
    hits: Vec<Hit>,
}

impl ProbeReport {
    fn assert_no_pin(&self) {
        let found: Vec<&Hit> = self.hits.iter().filter(|hit| hit.of_pin()).collect();
        assert!(
            found.is_empty(),
            "PIN found in the probe's memory after the session ended: {found:#?}"
        );
    }

    /// A negative control: the PIN (in `form`, or in any form) is on the heap, once
    /// at least for each entry of `mode` (each leaves its own buffer).
    fn assert_pin_found(&self, form: Option<&str>, mode: Mode) {
        let found = self
            .hits
            .iter()
            .filter(|hit| hit.of_pin() && hit.on_heap())
            .filter(|hit| form.is_none_or(|form| hit.form == form))
            .count();
        assert!(
            found >= mode.entries(),
            "with that wiping skipped, the scan must find the PIN ({}) on the heap once per \
             entry ({} in {mode:?}): {:#?}",
            form.unwrap_or("any form"),
            mode.entries(),
            self.hits
        );
    }
}

/// Runs the probe in `mode` (the wiping of `skip` skipped) against a fresh sandbox,
/// scans its memory once it is ready, and checks what every run must show: the
/// outcomes and balance of `mode`, the heap markers found, no PIN in its files.
fn run_probe(mode: Mode, skip: Option<PinBufferKind>) -> anyhow::Result<ProbeReport> {
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
            h.base_url.as_str(),
            &account.email,
            &code,
            h.merchant_key(),
            &letters,
            mode.arg(),
            data_dir.path().to_str().unwrap(),
            skip.map_or("none", PinBufferKind::name),
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

    let lines = lines_until_ready(child.stdout.take().unwrap());
    let (hits, scanned_bytes) = scan_memory(pid, &needles(&lines));

    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(b"\n");
    drop(stdin);
    let status = child.wait().expect("probe exit");
    let _ = done.send(());
    guard.join().unwrap();
    assert!(status.success(), "probe exit status {status}");
    let mut per_form = BTreeMap::<&str, usize>::new();
    for hit in &hits {
        *per_form.entry(hit.form.as_str()).or_default() += 1;
    }
    println!(
        "memory probe `{}`, wiping of {} skipped: {} MiB scanned, hits {per_form:?}",
        mode.arg(),
        skip.map_or("nothing", PinBufferKind::name),
        scanned_bytes >> 20,
    );

    let outcomes: Vec<&str> = lines
        .iter()
        .filter_map(|line| line.strip_prefix("OUTCOME "))
        .collect();
    assert_eq!(outcomes, mode.outcomes());
    assert_eq!(
        main.block_on(h.balance_of(&account.email))?,
        eur(mode.balance_after())
    );
    assert!(scanned_bytes > 1 << 20, "{scanned_bytes} bytes");
    for control in ["control text", "control values"] {
        assert!(
            hits.iter().any(|hit| hit.form == control && hit.on_heap()),
            "the scan must find the {control} on the heap: {hits:#?}"
        );
    }
    // What the probe left on disk, while we are at it.
    let stored = stored_bytes(data_dir.path());
    assert!(!stored.is_empty());
    for (what, needle) in pin_forms(MARKER_PIN) {
        assert!(
            !contains_bytes(&stored, &needle),
            "{what} in the probe's SQLite files"
        );
    }
    Ok(ProbeReport { hits })
}

/// The probe's output lines up to `READY`.
fn lines_until_ready(stdout: impl std::io::Read) -> Vec<String> {
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("probe output");
        let ready = line == "READY";
        lines.push(line);
        if ready {
            return lines;
        }
    }
    panic!("the probe stopped early: {lines:?}")
}

/// What the scan looks for: the heap markers the probe announced, and the PIN's forms.
fn needles(lines: &[String]) -> Vec<(String, Vec<u8>)> {
    let announced = |prefix: &str| {
        lines
            .iter()
            .find_map(|line| line.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line: {lines:?}"))
    };
    let control_values: Vec<u8> = announced("CONTROL_VALUES ")
        .as_bytes()
        .chunks(2)
        .map(|hex| u8::from_str_radix(std::str::from_utf8(hex).unwrap(), 16).unwrap())
        .collect();
    let mut needles = vec![
        (
            "control text".to_owned(),
            announced("CONTROL ").as_bytes().to_vec(),
        ),
        ("control values".to_owned(), control_values),
    ];
    needles.extend(
        pin_forms(MARKER_PIN)
            .into_iter()
            .map(|(name, bytes)| (name.to_owned(), bytes)),
    );
    needles
}

/// Reads every readable mapping of process `pid` and reports where each needle occurs
/// (ASCII digits of the PIN in a seal's block as [`PIN_SEAL_PLAINTEXT`]), and how many
/// bytes it read.
fn scan_memory(pid: u32, needles: &[(String, Vec<u8>)]) -> (Vec<Hit>, u64) {
    const CHUNK: usize = 4 << 20;
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("maps");
    let mem = std::fs::File::open(format!("/proc/{pid}/mem"))
        .expect("/proc/PID/mem of a child process is readable by its parent");
    let finders: Vec<memmem::Finder<'_>> = needles
        .iter()
        .map(|(_, needle)| memmem::Finder::new(needle))
        .collect();
    // Chunks overlap by a needle and a seal header, so that no hit is cut in two and
    // every hit sees the bytes before it that tell a seal's block.
    let overlap = needles.iter().map(|(_, n)| n.len()).max().unwrap_or(1) - 1 + SEAL_HEADER_LEN;
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
                    let form = if name == PIN_ASCII && in_seal_plaintext(bytes, position) {
                        PIN_SEAL_PLAINTEXT
                    } else {
                        name
                    };
                    if seen.insert((name.clone(), address)) {
                        let from = position.saturating_sub(SEAL_HEADER_LEN);
                        let to = (position + needle.len() + 16).min(read);
                        hits.push(Hit {
                            form: form.to_owned(),
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
