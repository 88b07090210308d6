//! The one Rust test kit of cvconnect: a [`World`] around a sandbox (started in this
//! process, or a running one joined by URL and admin token), with accounts, phones
//! enrolled through the real core, software devices, pushes, faults and the clock.
//!
//! Why one kit: the end-to-end suites, the bench, the demo and the sandbox's own tests
//! all set up the same world. Written once, a change of the protocol, of the core's
//! API or of the sandbox's admin API is followed in one place, and every caller types
//! a PIN, enrolls a phone and reads a push the same way.
//!
//! Every set-up call returns [`anyhow::Result`]. The messages are French sentences,
//! because the demo shows them to the person running it ([`core_error`] and
//! [`sandbox_message`] say what a core or sandbox error means).
//!
//! What a new suite needs is in this crate's `README.md`.

pub mod attestation;
mod errors;
mod keypad;
mod logs;
mod options;
mod people;
mod phone;
mod wait;
mod world;
mod world_ops;

use cvconnect_core::amount::Amount;

pub use errors::{core_error, sandbox_message};
pub use keypad::{
    confirm_pin, confirm_pin_within, position_of, positions_for, type_digits, type_pin,
};
pub use logs::LogCapture;
pub use options::{Merchant, Options};
pub use people::Account;
pub use phone::{Enrollment, Phone};
pub use wait::{wait_for, CONFIRM_ROUTE, WAIT};
pub use world::{runtime, World};
pub use world_ops::{push_data, wait_push_after, Fault, OpenPayment};

/// PIN of every account the kit creates (unless a test chooses another).
pub const PIN: &str = "4827";

/// The values of the sandbox's demo seed (`sandbox/seed/demo.json`), which a sandbox
/// started with its defaults holds.
pub const DEMO_EMAIL: &str = "camille.martin@example.fr";
/// Account number of [`DEMO_EMAIL`].
pub const DEMO_ACCOUNT_NUMBER: &str = "12345678901";
/// Personal code of [`DEMO_EMAIL`].
pub const DEMO_PIN: &str = "4827";
/// The demo seed's merchant.
pub const DEMO_MERCHANT_NAME: &str = "Boutique Démo";
/// API key of [`DEMO_MERCHANT_NAME`].
pub const DEMO_MERCHANT_KEY: &str = "mk_demo_boutique";

/// An amount literal such as `"150.00"` (panics on a malformed literal: a bug in the
/// caller, like a typo in a constant).
pub fn eur(text: &str) -> Amount {
    Amount::from_plain(text).expect("amount literal")
}
