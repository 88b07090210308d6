//! `cvconnect-ffi`: the uniffi layer of `cvconnect-core`, and nothing more.
//!
//! Every item here converts between the core's types and what uniffi can carry to
//! Kotlin, Swift and Python; the behaviour (payment flow, PIN handling, journal,
//! retries, French texts) is the core's. Files by topic:
//!
//! - [`runtime`]: the one multi-thread tokio runtime every async export runs on;
//! - [`client`], [`session`], [`keypad`]: the objects the apps hold;
//! - [`types`]: records, enums and the `Amount` custom type (a decimal string);
//! - [`errors`]: [`CvError`], the exception/`Error` the apps catch;
//! - [`signer`], [`log`]: the foreign traits the platforms implement;
//! - [`tools`]: pure helpers (amount formatting, canonical bytes, signature check) and
//!   the panic self-test.
//!
//! The PIN never crosses the boundary as digits: the app forwards key *positions* to
//! [`keypad::Keypad`] and hands the keypad object itself to
//! [`session::PaymentSession::confirm`].

uniffi::setup_scaffolding!("cvconnect");

pub mod client;
pub mod errors;
pub mod keypad;
pub mod log;
pub mod runtime;
pub mod session;
pub mod signer;
pub mod tools;
pub mod types;

pub use client::CvClient;
pub use errors::CvError;
pub use keypad::Keypad;
pub use session::PaymentSession;
