//! The interactive phone driven through a pseudo-terminal, as a person would use it:
//! a payment started from the checkout page's API, the notification opened, the amount
//! lowered, the PIN typed on the shuffled keypad (the grid read from the screen, one key
//! clicked with the mouse and the others reached with the arrows), the result read
//! back from the checkout API.

use std::io::{ErrorKind, Write as _};
use std::process::Command;
use std::time::{Duration, Instant};

use cvconnect_sandbox::{Database, Sandbox, SandboxConfig, Seed};
use cvconnect_sandbox_client::http_client;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_cvconnect-demo");
const ADMIN_TOKEN: &str = "pty-admin-token";
const EMAIL: &str = "camille.martin@example.fr";
/// The PIN of the demo account in `sandbox/seed/demo.json`.
const PIN: &str = "4827";
const ROWS: u16 = 40;
const COLUMNS: u16 = 100;
const TIMEOUT: Duration = Duration::from_secs(20);

/// The phone in a pseudo-terminal, its output fed to a terminal emulator.
struct Terminal {
    session: expectrl::Session,
    parser: vt100::Parser,
}

impl Terminal {
    fn spawn(args: &[&str]) -> Terminal {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .env("TERM", "xterm-256color")
            .env_remove("RUST_LOG");
        let mut session = expectrl::Session::spawn(command).expect("spawn the phone in a pty");
        session
            .get_process_mut()
            .set_window_size(COLUMNS, ROWS)
            .expect("window size");
        Terminal {
            session,
            parser: vt100::Parser::new(ROWS, COLUMNS, 0),
        }
    }

    fn pump(&mut self) {
        let mut buf = [0u8; 8192];
        loop {
            match self.session.try_read(&mut buf) {
                Ok(0) => break,
                Ok(n) => self.parser.process(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => break,
            }
        }
    }

    fn text(&self) -> String {
        self.parser.screen().contents()
    }

    /// Polls the screen until `ready` holds.
    fn wait(&mut self, what: &str, ready: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            self.pump();
            if ready(self.parser.screen()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for `needle` on screen, whitespace runs (and U+00A0) counting as one space.
    fn wait_text(&mut self, needle: &str) {
        let needle = squash(needle);
        self.wait(&format!("{needle:?}"), move |s| {
            s.contents()
                .lines()
                .any(|line| squash(line).contains(&needle))
        });
    }

    fn send(&mut self, bytes: &str) {
        self.session
            .write_all(bytes.as_bytes())
            .expect("write to the pty");
        self.session.flush().expect("flush the pty");
    }

    /// A left click at a screen cell (SGR mouse encoding, as xterm sends it).
    fn click(&mut self, x: u16, y: u16) {
        self.send(&format!(
            "\x1b[<0;{};{}M\x1b[<0;{};{}m",
            x + 1,
            y + 1,
            x + 1,
            y + 1
        ));
    }
}

fn squash(text: &str) -> String {
    text.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A key of the keypad as read from the screen.
#[derive(Debug, Clone, Copy)]
struct Key {
    row: u16,
    column: u16,
    x: u16,
    y: u16,
}

/// Reads the keypad from the screen: digits standing alone between `│` borders, three
/// per row for positions 0-8, one on the fourth row for position 9.
fn read_keypad(screen: &vt100::Screen) -> [Option<Key>; 10] {
    let mut keys = [None; 10];
    let mut grid_row = 0;
    for y in 0..ROWS {
        let line: Vec<char> = (0..COLUMNS)
            .map(|x| {
                let text = screen.cell(y, x).map(|c| c.contents()).unwrap_or_default();
                text.chars().next().unwrap_or(' ')
            })
            .collect();
        let digits: Vec<(u16, u8)> = (1..line.len() - 1)
            .filter(|&x| line[x].is_ascii_digit() && line[x - 1] == ' ' && line[x + 1] == ' ')
            .filter(|&x| {
                let left = line[..x].iter().rev().find(|c| **c != ' ');
                let right = line[x + 1..].iter().find(|c| **c != ' ');
                left == Some(&'│') && right == Some(&'│')
            })
            .map(|x| (x as u16, line[x] as u8 - b'0'))
            .collect();
        let columns: &[u16] = match digits.len() {
            3 => &[0, 1, 2],
            1 => &[1],
            _ => continue,
        };
        for (&(x, digit), &column) in digits.iter().zip(columns) {
            keys[usize::from(digit)] = Some(Key {
                row: grid_row,
                column,
                x,
                y,
            });
        }
        grid_row += 1;
    }
    keys
}

fn dots(entered: usize) -> String {
    let marks: Vec<&str> = (0..4)
        .map(|i| if i < entered { "●" } else { "○" })
        .collect();
    format!("Code : {}", marks.join(" "))
}

/// Arrow keys from one grid cell to another.
fn arrows(from: (u16, u16), to: (u16, u16)) -> String {
    let mut keys = String::new();
    let vertical = if to.0 > from.0 { "\x1b[B" } else { "\x1b[A" };
    let horizontal = if to.1 > from.1 { "\x1b[C" } else { "\x1b[D" };
    keys.push_str(&vertical.repeat(usize::from(to.0.abs_diff(from.0))));
    keys.push_str(&horizontal.repeat(usize::from(to.1.abs_diff(from.1))));
    keys
}

#[test]
fn a_person_pays_a_checkout_payment_on_the_terminal_phone() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = runtime
        .block_on(Sandbox::start(SandboxConfig {
            port: 0,
            database: Database::File(dir.path().join("sandbox.sqlite3")),
            admin_token: Some(ADMIN_TOKEN.into()),
            seed: Some(Seed::demo()),
            ..SandboxConfig::default()
        }))
        .expect("sandbox starts");
    let base_url = sandbox.base_url().to_owned();
    let http = http_client();

    let mut phone = Terminal::spawn(&["phone", "--url", &base_url, "--admin-token", ADMIN_TOKEN]);
    phone.wait_text("En attente d'une demande de paiement");

    // The merchant's checkout page starts the payment, as its script does.
    let created: Value = runtime.block_on(async {
        let response = http
            .post(format!("{base_url}/checkout/api/payments"))
            .json(&json!({"email": EMAIL, "total": "150.00"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
        response.json().await.unwrap()
    });
    let payment_id = created["id"].as_str().unwrap().to_owned();

    phone.wait_text("Nouvelle notification");
    phone.wait_text("Boutique Démo vous demande 150,00 €");
    phone.send("\r");
    phone.wait_text("Reste à payer par carte 0,00 €");

    // Lower the amount to 100,00 €: 50,00 € are left for the card.
    phone.send("\x1b[B\r");
    phone.wait_text("Montant CV Connect");
    phone.send("100\r");
    phone.wait_text("Reste à payer par carte 50,00 €");
    phone.wait_text("▶ Payer 100,00 €");
    phone.send("\r");
    phone.wait_text("Saisissez votre code personnel");
    phone.wait_text(&dots(0));
    phone.wait("mouse capture", |s| {
        s.mouse_protocol_mode() != vt100::MouseProtocolMode::None
    });
    // The keypad may be drawn over several frames: wait for all ten keys.
    phone.wait("ten keys", |s| read_keypad(s).iter().all(Option::is_some));

    let keys = read_keypad(phone.parser.screen());
    assert!(
        keys.iter().all(Option::is_some),
        "ten keys on screen: {keys:?}\n{}",
        phone.text()
    );
    let keys = keys.map(Option::unwrap);

    // Digit keys of the keyboard are refused.
    phone.send(&PIN[..1]);
    phone.wait_text("Touches chiffres désactivées");
    phone.wait_text(&dots(0));

    // The first digit with a click, the others with the arrows and Enter.
    let mut cursor = (0, 0);
    for (i, digit) in PIN.bytes().map(|b| usize::from(b - b'0')).enumerate() {
        let key = keys[digit];
        if i == 0 {
            phone.click(key.x, key.y);
        } else {
            phone.send(&arrows(cursor, (key.row, key.column)));
            phone.wait(&format!("the cursor on key {digit}"), |s| {
                s.cell(key.y, key.x).is_some_and(|c| c.inverse())
            });
            phone.send("\r");
        }
        cursor = (key.row, key.column);
        phone.wait_text(&dots(i + 1));
    }
    phone.send(&arrows(cursor, (3, 2)));
    phone.send("\r");
    phone.wait_text("Reste à payer : 50,00 € par carte bancaire");

    // The merchant's side, through the checkout page's API.
    let merchant: Value = runtime.block_on(async {
        http.get(format!("{base_url}/checkout/api/payments/{payment_id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(merchant["status"], "PARTIALLY_AUTHORISED", "{merchant}");
    assert_eq!(merchant["paid_amount"], "100.00", "{merchant}");
    assert_eq!(merchant["remaining_amount"], "50.00", "{merchant}");
    let remaining = merchant["remaining_fr"]
        .as_str()
        .unwrap()
        .replace('\u{a0}', " ");
    assert_eq!(
        format!("Reste à payer : {remaining} par carte bancaire"),
        "Reste à payer : 50,00 € par carte bancaire"
    );

    // Back to waiting, then quit.
    phone.send("\r");
    phone.wait_text("En attente d'une demande de paiement");
    phone.send("q");
    let deadline = Instant::now() + TIMEOUT;
    while phone.session.is_alive().unwrap_or(false) {
        phone.pump();
        assert!(Instant::now() < deadline, "the phone did not quit");
        std::thread::sleep(Duration::from_millis(20));
    }
    runtime.block_on(sandbox.shutdown());
}
