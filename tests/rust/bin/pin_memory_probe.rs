//! Memory probe of the `security_secrets` suite: a real client that enrolls against a
//! sandbox, enters a PIN through the shuffled keypad by pressing key positions, confirms
//! or cancels, ends the session and drops everything, then prints `READY` and waits on
//! stdin while the test reads this process's memory.
//!
//! Freed memory is never reused nor overwritten here ([`KeepFreedMemory`]): a buffer the
//! core forgot to wipe keeps the digits where it left them, as it could in an app whose
//! allocator does not happen to scribble over small freed blocks (glibc's does, which
//! hid missing wiping from this scan before).
//!
//! The PIN is handed over as letters (`a` = 0 … `j` = 9) so that the probe's arguments
//! hold it in none of the forms the scan looks for; only the keypad turns positions into
//! digits.
//!
//! Usage: `pin_memory_probe BASE_URL EMAIL ACTIVATION_CODE MERCHANT_KEY PIN_LETTERS MODE
//! DATA_DIR SKIP` with MODE `confirm` or `cancel`, and SKIP `none` or the kind of PIN
//! buffer whose wiping the core must skip (`keypad-digits`, `pin`, `seal-plaintext`:
//! the negative controls, see `cvconnect_core::test_hooks::wiping`).
//!
//! Output lines: `CONTROL <text>` and `CONTROL_VALUES <hex>` (markers kept alive on the
//! heap, to prove the scan reads it), `OUTCOME <code>` per payment, then `READY`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::io::{BufRead, Write};
use std::sync::Arc;
use std::time::Duration;

use cvconnect_core::amount::Amount;
use cvconnect_core::client::{Client, PaymentSession};
use cvconnect_core::keypad::Keypad;
use cvconnect_core::test_hooks::wiping::{skip_wiping_of, PinBufferKind};
use cvconnect_sandbox_client::{http_client, MerchantClient};
use cvconnect_testkit::{type_digits, Phone};

/// The system allocator, except that nothing is ever freed: a freed block keeps its
/// bytes as the program left them, so unwiped digits stay findable. `realloc` is the
/// trait's own: it allocates anew, copies and deallocates the old block, which
/// `dealloc` leaves intact too. The probe lives for seconds; what it leaks is small.
struct KeepFreedMemory;

// SAFETY: every block comes from `System` with the caller's layout, and none is ever
// handed out twice since none is ever given back.
unsafe impl GlobalAlloc for KeepFreedMemory {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, _block: *mut u8, _layout: Layout) {}
}

#[global_allocator]
static KEEP_FREED_MEMORY: KeepFreedMemory = KeepFreedMemory;

struct Args {
    base_url: String,
    email: String,
    activation_code: String,
    merchant_key: String,
    pin_letters: Vec<u8>,
    mode: String,
    data_dir: String,
    skip: Option<PinBufferKind>,
}

fn parse_args() -> Args {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base_url, email, activation_code, merchant_key, pin_letters, mode, data_dir, skip] =
        <[String; 8]>::try_from(args).unwrap_or_else(|args| {
            eprintln!("pin_memory_probe: 8 arguments expected, got {}", args.len());
            std::process::exit(2)
        });
    let skip = match skip.as_str() {
        "none" => None,
        name => Some(PinBufferKind::from_name(name).unwrap_or_else(|| {
            eprintln!("pin_memory_probe: no PIN buffer named {name:?}");
            std::process::exit(2)
        })),
    };
    Args {
        base_url,
        email,
        activation_code,
        merchant_key,
        pin_letters: pin_letters.into_bytes(),
        mode,
        data_dir,
        skip,
    }
}

/// Presses the keys showing the digits `letters` stand for, as a person would: each
/// digit is worked out as its key is looked for, never stored.
fn press_letters(keypad: &mut Keypad, letters: &[u8]) {
    type_digits(
        keypad,
        letters.iter().map(|letter| letter.wrapping_sub(b'a')),
    )
    .expect("every digit is on a key");
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").expect("stdout");
    out.flush().expect("stdout");
}

async fn open(client: &Client, merchant: &MerchantClient, email: &str) -> Arc<PaymentSession> {
    let id = merchant
        .create_payment(email, Amount::from_cents(5_000), Some("MEM-PROBE"))
        .await
        .expect("payment request")
        .id;
    client.open_payment(&id).await.expect("open payment")
}

async fn run(args: &Args) {
    let phone = Phone::create(&args.base_url, args.data_dir.clone().into(), |_| {}).expect("phone");
    phone
        .enroll(&args.email, &args.activation_code, None)
        .await
        .expect("enrollment");
    let client = &phone.client;
    let merchant = MerchantClient::new(http_client(), &args.base_url, &args.merchant_key);
    match args.mode.as_str() {
        "confirm" => {
            // In full, on the thread that drives the runtime.
            let session = open(client, &merchant, &args.email).await;
            let mut keypad = session.start_pin_entry().expect("keypad");
            press_letters(&mut keypad, &args.pin_letters);
            let outcome = session.confirm_keypad(&mut keypad).await.expect("confirm");
            say(&format!("OUTCOME {}", outcome.code()));
            drop(keypad);
            // In part, with an amount typed by hand, on a runtime worker thread (as the
            // bindings run calls).
            let session = open(client, &merchant, &args.email).await;
            session.set_amount("12,34").expect("amount");
            let letters = args.pin_letters.clone();
            let outcome = tokio::spawn(async move {
                let mut keypad = session.start_pin_entry().expect("keypad");
                press_letters(&mut keypad, &letters);
                session.confirm_keypad(&mut keypad).await
            })
            .await
            .expect("task")
            .expect("confirm");
            say(&format!("OUTCOME {}", outcome.code()));
            // The caller gives up waiting: the detached submission finishes on its own.
            let session = open(client, &merchant, &args.email).await;
            let mut keypad = session.start_pin_entry().expect("keypad");
            press_letters(&mut keypad, &args.pin_letters);
            let _gave_up =
                tokio::time::timeout(Duration::ZERO, session.confirm_keypad(&mut keypad)).await;
            drop(keypad);
            let status = phone
                .wait_finished(&session.payment_id())
                .await
                .expect("the detached confirmation records its outcome");
            say(&format!("OUTCOME {}", status.as_str()));
        }
        "cancel" => {
            let session = open(client, &merchant, &args.email).await;
            // Typed in full, then cleared ("C" key), then the keypad closed.
            let mut keypad = session.start_pin_entry().expect("keypad");
            press_letters(&mut keypad, &args.pin_letters);
            keypad.clear();
            drop(keypad);
            // Typed in full, then the screen left without clearing.
            let mut keypad = session.start_pin_entry().expect("keypad");
            press_letters(&mut keypad, &args.pin_letters);
            drop(keypad);
            // Typed in full, "Valider" tapped, and the confirmation abandoned before it ran.
            let mut keypad = session.start_pin_entry().expect("keypad");
            press_letters(&mut keypad, &args.pin_letters);
            let confirmation = session.confirm_keypad(&mut keypad);
            drop(confirmation);
            drop(keypad);
            // The digits of the last but one entry erased one by one.
            let mut keypad = session.start_pin_entry().expect("keypad");
            press_letters(&mut keypad, &args.pin_letters);
            for _ in 0..args.pin_letters.len() {
                keypad.erase();
            }
            drop(keypad);
            let outcome = session.decline().await.expect("decline");
            say(&format!("OUTCOME {}", outcome.code()));
        }
        other => {
            eprintln!("pin_memory_probe: unknown mode {other:?}");
            std::process::exit(2)
        }
    }
    drop(merchant);
    drop(phone);
}

fn main() {
    let args = parse_args();
    if let Some(kind) = args.skip {
        skip_wiping_of(kind);
    }
    let pid = std::process::id();
    // Markers built at run time on the heap and kept alive to the end.
    let control_text = format!("cvc-memory-control-{pid}-marker");
    let control_values: Vec<u8> = format!("{:012}", 100_000_000_007u64 + u64::from(pid) * 7_919)
        .bytes()
        .map(|b| b - b'0')
        .collect();
    say(&format!("CONTROL {control_text}"));
    say(&format!(
        "CONTROL_VALUES {}",
        control_values
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    ));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(&args));
    runtime.shutdown_timeout(Duration::from_secs(5));
    drop(args);

    say("READY");
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    black_box(&control_text);
    black_box(&control_values);
}
