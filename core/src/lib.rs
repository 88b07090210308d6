//! `cvconnect-core`: the Rust core of the Chèque-Vacances Connect beneficiary app.
//!
//! The crate is free of FFI code: the uniffi layer lives in `cvconnect-ffi` and only
//! re-exports what is here. Modules are split by topic:
//!
//! - [`amount`] and [`policy`]: euro amounts as decimals (never floats) and the rules
//!   that bound what a beneficiary may pay in CV Connect.
//! - [`keypad`] and [`pin`]: the shuffled PIN keypad; the PIN itself never leaves the core
//!   as digits and is wiped from memory after use.
//! - [`crypto`]: PIN sealing to the backend key, device signatures.
//! - [`protocol`]: protocol v1 as data: wire types, canonical bytes, push payloads, error codes.
//! - [`client`]: what the apps call: enrollment, balance, payment sessions, the local
//!   store and its confirmation journal.
//! - [`log`]: logs forwarded to a platform sink, with e-mails masked.
#![forbid(unsafe_code)]

pub mod amount;
pub mod client;
pub mod crypto;
pub mod keypad;
pub mod log;
pub mod pin;
pub mod policy;
pub mod protocol;
#[cfg(feature = "test-hooks")]
pub mod test_hooks;

mod shared;
