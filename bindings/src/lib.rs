//! `cvconnect-ffi`: the uniffi layer of `cvconnect-core`, and nothing more.
//!
//! Every item here converts between the core's types and what uniffi can carry to
//! Kotlin, Swift and Python; the behaviour (payment flow, PIN handling, journal,
//! retries, French texts) is the core's. Files by topic:
//!
//! - [`runtime`]: the one multi-thread tokio runtime every async export runs on;
//! - [`client`], [`session`], [`keypad`]: the objects the apps hold;
//! - [`config`]: how an app builds its client;
//! - [`types`]: the core's records and enums as they are, and the `Amount` custom type;
//! - [`view`]: the core's values reshaped for the platforms (counts as `Int`);
//! - [`errors`]: [`CvError`], the one exception type the apps catch, panics included;
//! - [`signer`], [`log`]: the foreign traits the platforms implement;
//! - [`tools`]: amount formatting and parsing, the outcome's sentence;
//! - `testing` (feature `testing`, never shipped): exports only test suites need.
//!
//! The names, packages and platform types (BigDecimal, Decimal, decimal.Decimal) are
//! set in `uniffi.toml`. The PIN never crosses the boundary as digits: the app forwards
//! key *positions* to [`keypad::Keypad`] and hands the keypad object itself to
//! [`session::PaymentSession::confirm`].

uniffi::setup_scaffolding!("cvconnect");

pub mod client;
pub mod config;
pub mod errors;
pub mod keypad;
pub mod log;
pub mod runtime;
pub mod session;
pub mod signer;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tools;
pub mod types;
pub mod view;

pub use client::CvClient;
pub use errors::CvError;
pub use keypad::Keypad;
pub use session::PaymentSession;
