//! Secrets, tried for real: what the core leaves behind in its process memory, in the
//! logs of whole flows and in its SQLite files.
//!
//! - **Memory** ([`memory`]). `pin_memory_probe` (a separate process) enrolls against
//!   the sandbox of the test, enters a marker PIN by pressing key positions on the
//!   shuffled keypad, confirms (or cancels), drops everything and waits; the test reads
//!   every readable region of `/proc/PID/maps` through `/proc/PID/mem` and looks for the
//!   PIN as ASCII digits and as raw digit values. Controls prove the scan works: heap
//!   markers the probe keeps alive are found, and so is the PIN while a keypad still
//!   holds it.
//! - **Logs** ([`logs`]). The process-wide sink (core and in-process sandbox) over whole
//!   flows.
//! - **Storage** ([`storage`]). The client's database, WAL and shared-memory file after
//!   each scenario.
//!
//! Tokens are never handed out by the client, so they are recognised through the
//! sandbox's own record (see `cvconnect_e2e::scan`).

#[path = "security_secrets/logs.rs"]
mod logs;
/// `/proc/PID/mem` is Linux's.
#[cfg(target_os = "linux")]
#[path = "security_secrets/memory.rs"]
mod memory;
#[path = "security_secrets/storage.rs"]
mod storage;

use std::sync::Arc;

use cvconnect_core::client::{ClientError, PaymentOutcome, PaymentSession};
use cvconnect_testkit::{type_pin, Account, Phone, World};

/// Six digits with `pin_length = 6`: a chance match in memory is negligible.
const MARKER_PIN: &str = "739146";
const CONFIRM_ROUTE: &str = "/v1/payments/{payment_id}/confirm";
const DETAIL_ROUTE: &str = "/v1/payments/{payment_id}";

/// A new payment request of `total` to `account`, opened on `phone`.
async fn open(
    h: &World,
    account: &Account,
    phone: &Phone,
    total: &str,
) -> anyhow::Result<Arc<PaymentSession>> {
    let payment_id = h.create_payment(&account.email, total).await?;
    Ok(phone.client.open_payment(&payment_id).await.unwrap())
}

/// Types `pin` and confirms; the core's answer, an error included (a lost answer).
async fn pay_or_error(session: &PaymentSession, pin: &str) -> Result<PaymentOutcome, ClientError> {
    let mut keypad = session.start_pin_entry()?;
    type_pin(&mut keypad, pin).expect("the PIN is typed");
    session.confirm_keypad(&mut keypad).await
}
