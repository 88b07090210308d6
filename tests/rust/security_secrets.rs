//! Secrets, tried for real: what the core leaves behind in its process memory, in the
//! logs of whole flows and in its SQLite files.
//!
//! - **Memory.** `pin_memory_probe` (a separate process) enrolls against the sandbox of
//!   the test, enters a marker PIN by pressing key positions on the shuffled keypad,
//!   confirms (or cancels), drops everything and waits; the test reads every readable
//!   region of `/proc/PID/maps` through `/proc/PID/mem` and looks for the PIN as ASCII
//!   digits and as raw digit values. Controls prove the scan works: heap markers the
//!   probe keeps alive are found, and so is the PIN while a keypad still holds it.
//! - **Logs.** The process-wide sink (core and in-process sandbox) over whole flows.
//! - **Storage.** The client's database, WAL and shared-memory file after each scenario.
//!
//! Tokens are never handed out by the client, so they are recognised through the
//! sandbox's own record: it keeps the SHA-256 of every live bearer token, and every
//! 43-character base64url window of the scanned bytes is hashed and looked up there.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use cvconnect_core::client::{ClientError, PaymentOutcome, PaymentSession};
use cvconnect_core::protocol::wire::Platform;
use cvconnect_e2e::{
    contains_bytes, eur, pin_forms, private_scalar, stored_bytes, type_pin, Fault, Harness,
    LogCapture, Phone, TestAccount,
};

/// Six digits with `pin_length = 6`: a chance match in memory is negligible.
const MARKER_PIN: &str = "739146";
const CONFIRM_ROUTE: &str = "/v1/payments/{payment_id}/confirm";
const DETAIL_ROUTE: &str = "/v1/payments/{payment_id}";
/// Length of a sandbox bearer token: 32 random bytes in base64url.
const TOKEN_LEN: usize = 43;

// ---------------------------------------------------------------- memory

/// `/proc/PID/mem` is Linux's.
#[cfg(target_os = "linux")]
mod memory {
    use std::collections::HashSet;
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::fs::FileExt;
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    use cvconnect_e2e::{contains_bytes, eur, pin_forms, stored_bytes, Harness, MERCHANT_API_KEY};
    use memchr::memmem;

    use super::MARKER_PIN;

    #[test]
    fn the_scan_finds_a_pin_the_keypad_still_holds() {
        let report = run_probe("hold");
        assert_eq!(report.outcomes(), ["HOLDING"]);
        report.assert_controls_found();
        assert!(
            report.hits_of("PIN as ASCII digits") > 0,
            "a live keypad's digits must be visible to the scan: {:#?}",
            report.hits
        );
    }

    #[test]
    fn no_pin_in_memory_after_confirmed_payments() {
        let report = run_probe("confirm");
        assert_eq!(
            report.outcomes(),
            ["AUTHORISED", "PARTIALLY_AUTHORISED", "AUTHORISED"]
        );
        report.assert_controls_found();
        report.assert_no_pin();
        // The PIN was right: the sandbox debited 50.00 + 12.34 + 50.00.
        assert_eq!(report.balance_after, eur("387.66"));
    }

    #[test]
    fn no_pin_in_memory_after_cancelled_entries() {
        let report = run_probe("cancel");
        assert_eq!(report.outcomes(), ["DECLINED"]);
        report.assert_controls_found();
        report.assert_no_pin();
        assert_eq!(report.balance_after, eur("500.00"));
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
    fn run_probe(mode: &str) -> ProbeReport {
        let main = tokio::runtime::Runtime::new().unwrap();
        let h = main.block_on(Harness::start_with_pin_length(6));
        let account = main.block_on(h.account_with_pin("500.00", MARKER_PIN));
        let code = main.block_on(h.activation_code(&account));
        let data_dir = tempfile::tempdir().unwrap();
        let letters: String = MARKER_PIN
            .bytes()
            .map(|b| char::from(b - b'0' + b'a'))
            .collect();
        let mut child = Command::new(env!("CARGO_BIN_EXE_pin_memory_probe"))
            .args([
                h.base_url(),
                &account.email,
                &code,
                MERCHANT_API_KEY,
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

        let balance_after = main.block_on(h.balance_of(&account));
        println!(
            "memory probe `{mode}`: {} MiB scanned, {} hits: {hits:?}",
            scanned_bytes >> 20,
            hits.len()
        );
        drop(h);
        ProbeReport {
            lines,
            hits,
            scanned_bytes,
            balance_after,
        }
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
}

// ---------------------------------------------------------------- logs

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_flows_log_no_pin_no_token_and_only_masked_emails() {
    // The sink is process-wide and also receives the in-process sandbox's events.
    let logs = logs();
    let h = Harness::start_with_pin_length(6).await;
    let account = h.account_with_pin("900.00", MARKER_PIN).await;
    let phone = h.unenrolled_phone_with(|_| {});
    let activation_code = h.activation_code(&account).await;
    let enrolled = phone
        .client
        .enroll(
            &account.email,
            &activation_code,
            Some("push-logs".into()),
            Platform::Other,
        )
        .await
        .unwrap();
    assert!(enrolled.email_masked.starts_with("b***@"));

    // In full, in part, a wrong PIN then the right one, a decline.
    let session = open(&h, &account, &phone, "60.00").await;
    assert!(matches!(
        pay(&session, MARKER_PIN).await,
        PaymentOutcome::PaidInFull { .. }
    ));
    let session = open(&h, &account, &phone, "60.00").await;
    session.set_amount("25,50").unwrap();
    assert!(matches!(
        pay(&session, MARKER_PIN).await,
        PaymentOutcome::PaidInPart { .. }
    ));
    let session = open(&h, &account, &phone, "40.00").await;
    assert!(matches!(
        pay(&session, "000000").await,
        PaymentOutcome::WrongPin { attempts_left: 2 }
    ));
    assert!(matches!(
        pay(&session, MARKER_PIN).await,
        PaymentOutcome::PaidInFull { .. }
    ));
    let session = open(&h, &account, &phone, "40.00").await;
    assert_eq!(session.decline().await.unwrap(), PaymentOutcome::Declined);

    // Lost answers and a server error: the retry and reconcile paths log too.
    let session = open(&h, &account, &phone, "30.00").await;
    h.inject_fault(CONFIRM_ROUTE, Fault::DropAfterCommit, 3)
        .await;
    h.inject_fault(DETAIL_ROUTE, Fault::Error, 1).await;
    let outcome = pay_or_error(&session, MARKER_PIN).await;
    drop(session);
    h.admin().clear_faults().await.unwrap();
    phone.client.reconcile().await.unwrap();
    assert!(
        matches!(outcome, Ok(PaymentOutcome::PaidInFull { .. })) || outcome.is_err(),
        "{outcome:?}"
    );

    // A caller that gives up waiting.
    let session = open(&h, &account, &phone, "30.00").await;
    h.inject_fault(CONFIRM_ROUTE, Fault::Delay(Duration::from_millis(300)), 1)
        .await;
    let mut keypad = session.start_pin_entry().unwrap();
    type_pin(&mut keypad, MARKER_PIN);
    let gave_up = tokio::time::timeout(
        Duration::from_millis(50),
        session.confirm_keypad(&mut keypad),
    )
    .await;
    assert!(gave_up.is_err());
    drop(session);
    tokio::time::sleep(Duration::from_millis(500)).await;
    phone.client.reconcile().await.unwrap();

    // A software device on the same account, whose token the test knows.
    let soft = h.soft_device(&account).await;
    let payment_id = h.create_payment(&account, "20.00").await;
    soft.pay(&payment_id, eur("20.00"), MARKER_PIN)
        .await
        .unwrap();

    // Expiry, then three wrong PINs and the lock.
    let session = open(&h, &account, &phone, "30.00").await;
    h.advance_clock(181).await;
    assert_eq!(pay(&session, MARKER_PIN).await, PaymentOutcome::Expired);
    let session = open(&h, &account, &phone, "30.00").await;
    for wrong in ["111111", "222222"] {
        assert!(matches!(
            pay(&session, wrong).await,
            PaymentOutcome::WrongPin { .. }
        ));
    }
    assert_eq!(pay(&session, "333333").await, PaymentOutcome::Locked);
    h.unlock(&account).await;
    assert!(phone.client.balance().await.is_ok());

    let text = logs.text();
    let tokens = live_token_hashes(&h.sandbox_database());
    assert!(
        text.contains("cvconnect_core::"),
        "core logs captured:\n{text}"
    );
    assert!(
        text.contains("cvconnect_sandbox::"),
        "sandbox logs captured:\n{text}"
    );
    assert!(
        text.contains("b***@example.fr"),
        "e-mails appear masked:\n{text}"
    );
    // The sandbox's admin routes (test tooling, not protocol) carry e-mails in their
    // paths, which its request log prints: see `admin_request_logs_mask_emails`.
    let protocol_lines: String = text
        .lines()
        .filter(|line| !line.contains("path=/admin/"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !protocol_lines.contains(&account.email),
        "full e-mail in the logs:\n{text}"
    );
    for (what, needle) in [
        ("marker PIN", MARKER_PIN),
        ("activation code", activation_code.as_str()),
        ("known bearer token", soft.access_token.as_str()),
    ] {
        assert!(!text.contains(needle), "{what} in the logs:\n{text}");
    }
    let lower = text.to_lowercase();
    for word in ["bearer", "access_token", "authorization"] {
        assert!(!lower.contains(word), "{word:?} in the logs:\n{text}");
    }
    assert!(
        holds_a_live_token(soft.access_token.as_bytes(), &tokens),
        "the token oracle recognises a live token"
    );
    assert!(
        !holds_a_live_token(text.as_bytes(), &tokens),
        "a bearer token issued by the sandbox is in the logs:\n{text}"
    );
    let long_runs = base64url_runs(text.as_bytes(), TOKEN_LEN);
    assert!(
        long_runs.is_empty(),
        "43+ character base64url values (tokens, challenges, signatures, sealed PINs, \
         nonces) in the logs: {:?}",
        long_runs
            .iter()
            .map(|run| String::from_utf8_lossy(run))
            .collect::<Vec<_>>()
    );
    println!(
        "logs: {} lines scanned, {} live token hashes checked",
        text.lines().count(),
        tokens.len()
    );
}

/// The sandbox's request log prints paths, and `/admin/accounts/{account}/…` paths hold
/// the account's e-mail in full.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_request_logs_mask_emails() {
    let logs = logs();
    let h = Harness::start().await;
    let email = "admin.path.probe@example.fr";
    h.admin()
        .create_account(email, "10000000999", eur("10.00"), "4827")
        .await
        .unwrap();
    h.admin().account(email).await.unwrap();
    h.admin().unlock(email).await.unwrap();
    let text = logs.text();
    assert!(text.contains("path=/admin/accounts/"), "{text}");
    let leaks: Vec<&str> = text.lines().filter(|l| l.contains(email)).collect();
    assert!(leaks.is_empty(), "full e-mail in the logs: {leaks:#?}");
}

/// One capture for the whole binary: the sink is process-wide.
fn logs() -> Arc<LogCapture> {
    static LOGS: OnceLock<Arc<LogCapture>> = OnceLock::new();
    LOGS.get_or_init(LogCapture::install).clone()
}

// ---------------------------------------------------------------- storage

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_holds_no_pin_key_or_token_after_every_scenario() {
    let h = Harness::start_with_pin_length(6).await;
    let account = h.account_with_pin("900.00", MARKER_PIN).await;
    let phone = h.phone(&account).await;
    let mut scan = StorageScan::new(&h, &phone);
    scan.check("enrollment");

    let session = open(&h, &account, &phone, "50.00").await;
    assert!(matches!(
        pay(&session, MARKER_PIN).await,
        PaymentOutcome::PaidInFull { .. }
    ));
    scan.check("paid in full");

    let session = open(&h, &account, &phone, "80.00").await;
    session.set_amount("30").unwrap();
    assert!(matches!(
        pay(&session, MARKER_PIN).await,
        PaymentOutcome::PaidInPart { .. }
    ));
    scan.check("paid in part");

    let session = open(&h, &account, &phone, "40.00").await;
    assert!(matches!(
        pay(&session, "000000").await,
        PaymentOutcome::WrongPin { .. }
    ));
    scan.check("wrong PIN");
    assert!(matches!(
        pay(&session, MARKER_PIN).await,
        PaymentOutcome::PaidInFull { .. }
    ));
    scan.check("right PIN after a wrong one");

    let session = open(&h, &account, &phone, "40.00").await;
    for wrong in ["111111", "222222"] {
        pay(&session, wrong).await;
    }
    assert_eq!(pay(&session, "333333").await, PaymentOutcome::Locked);
    scan.check("PIN locked");
    h.unlock(&account).await;

    let session = open(&h, &account, &phone, "40.00").await;
    assert_eq!(session.decline().await.unwrap(), PaymentOutcome::Declined);
    scan.check("declined");

    // Cancelled confirmation: scanned while the request is still in flight, then after.
    let session = open(&h, &account, &phone, "40.00").await;
    h.inject_fault(CONFIRM_ROUTE, Fault::Delay(Duration::from_millis(400)), 1)
        .await;
    let mut keypad = session.start_pin_entry().unwrap();
    type_pin(&mut keypad, MARKER_PIN);
    let gave_up = tokio::time::timeout(
        Duration::from_millis(100),
        session.confirm_keypad(&mut keypad),
    )
    .await;
    assert!(gave_up.is_err());
    scan.check("cancelled confirmation, request in flight");
    drop(session);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(phone.client.reconcile().await.unwrap().is_empty());
    scan.check("cancelled confirmation, settled");

    // A lost answer settled from the payment's status.
    let session = open(&h, &account, &phone, "40.00").await;
    h.inject_fault(CONFIRM_ROUTE, Fault::DropAfterCommit, 3)
        .await;
    let _ = pay_or_error(&session, MARKER_PIN).await;
    h.admin().clear_faults().await.unwrap();
    drop(session);
    phone.client.reconcile().await.unwrap();
    scan.check("lost answer, reconciled");

    let session = open(&h, &account, &phone, "40.00").await;
    h.advance_clock(181).await;
    assert_eq!(pay(&session, MARKER_PIN).await, PaymentOutcome::Expired);
    scan.check("expired");

    // The oracle recognises a live token (here one the test holds).
    let soft = h.soft_device(&account).await;
    scan.check("another device enrolled");
    assert!(holds_a_live_token(
        soft.access_token.as_bytes(),
        &scan.tokens
    ));
    println!(
        "storage: {} scenarios scanned, {} token hashes checked, {} bytes at the end",
        scan.scenarios,
        scan.tokens.len(),
        stored_bytes(&phone.data_dir).len()
    );
}

struct StorageScan<'a> {
    h: &'a Harness,
    phone: &'a Phone,
    scalar: Vec<u8>,
    /// Every token hash seen so far: the sandbox deletes expired tokens.
    tokens: HashSet<[u8; 32]>,
    scenarios: usize,
}

impl<'a> StorageScan<'a> {
    fn new(h: &'a Harness, phone: &'a Phone) -> Self {
        StorageScan {
            h,
            phone,
            scalar: private_scalar(&phone.signer),
            tokens: HashSet::new(),
            scenarios: 0,
        }
    }

    fn check(&mut self, scenario: &str) {
        self.scenarios += 1;
        self.tokens
            .extend(live_token_hashes(&self.h.sandbox_database()));
        let stored = stored_bytes(&self.phone.data_dir);
        assert!(!stored.is_empty(), "{scenario}: nothing stored");
        for (what, needle) in pin_forms(MARKER_PIN) {
            assert!(
                !contains_bytes(&stored, &needle),
                "{scenario}: {what} in the SQLite files"
            );
        }
        assert!(
            !contains_bytes(&stored, &self.scalar),
            "{scenario}: the private key scalar in the SQLite files"
        );
        for word in [&b"access_token"[..], b"Bearer", b"bearer"] {
            assert!(
                !contains_bytes(&stored, word),
                "{scenario}: {:?} in the SQLite files",
                String::from_utf8_lossy(word)
            );
        }
        assert!(
            !holds_a_live_token(&stored, &self.tokens),
            "{scenario}: a bearer token in the SQLite files"
        );
    }
}

// ---------------------------------------------------------------- helpers

async fn open(
    h: &Harness,
    account: &TestAccount,
    phone: &Phone,
    total: &str,
) -> Arc<PaymentSession> {
    let payment_id = h.create_payment(account, total).await;
    phone.client.open_payment(&payment_id).await.unwrap()
}

async fn pay(session: &PaymentSession, pin: &str) -> PaymentOutcome {
    pay_or_error(session, pin).await.unwrap()
}

async fn pay_or_error(session: &PaymentSession, pin: &str) -> Result<PaymentOutcome, ClientError> {
    let mut keypad = session.start_pin_entry()?;
    type_pin(&mut keypad, pin);
    session.confirm_keypad(&mut keypad).await
}

/// SHA-256 of every bearer token the sandbox currently knows.
fn live_token_hashes(database: &Path) -> HashSet<[u8; 32]> {
    let conn =
        rusqlite::Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("sandbox database");
    let mut statement = conn.prepare("SELECT token_hash FROM tokens").unwrap();
    let hashes = statement
        .query_map([], |row| row.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|hash| hash.unwrap().try_into().expect("32-byte hash"))
        .collect();
    hashes
}

/// Maximal runs of base64url characters at least `min` long.
fn base64url_runs(bytes: &[u8], min: usize) -> Vec<&[u8]> {
    bytes
        .split(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_'))
        .filter(|run| run.len() >= min)
        .collect()
}

/// Whether any 43-character base64url window of `bytes` is a token the sandbox issued.
fn holds_a_live_token(bytes: &[u8], tokens: &HashSet<[u8; 32]>) -> bool {
    base64url_runs(bytes, TOKEN_LEN).into_iter().any(|run| {
        run.windows(TOKEN_LEN).any(|window| {
            let digest = ring::digest::digest(&ring::digest::SHA256, window);
            tokens.contains(<&[u8; 32]>::try_from(digest.as_ref()).unwrap())
        })
    })
}
