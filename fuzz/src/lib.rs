//! Fuzz target bodies of `cvconnect-core` and of the sandbox's attestation verifiers, one
//! function per target, each in its own module (`src/<target>.rs`) with the helpers only
//! it uses.
//!
//! Each function takes arbitrary bytes and asserts the target's invariants: it never
//! panics on any input, and what it accepts round-trips. The same functions run in two
//! places:
//!
//! - `fuzz/libfuzzer/fuzz_targets/*.rs` (cargo-fuzz, libFuzzer, nightly) call them on generated
//!   inputs: `fuzz/run.sh <target> [seconds]`;
//! - `tests/corpus.rs` replays every file of `fuzz/corpus/<target>/` through them, so
//!   `cargo test --workspace` (and `cargo xtask test`) keeps every seed and every
//!   minimised crash as a regression test.
//!
//! | target | code under test |
//! | --- | --- |
//! | `push` | `protocol::push::{parse_push_json, parse_push}` |
//! | `responses` | every server response the core decodes (`protocol::wire`), and the core's status/body decoding (`client::decode_response`, the core's own `client::http::decode`) |
//! | `amount` | `Amount::{from_plain, parse_user, to_plain, format_fr}` |
//! | `canonical` | `protocol::canonical`: `decode_fields`, `ConfirmationFields::{encode, decode}` |
//! | `sealed_pin` | `crypto::seal::open_sealed_pin` as the sandbox calls it, `SealedPin::from_base64url`, `seal_pin` |
//! | `attestation` | the sandbox's key-attestation verifiers: `cvconnect_sandbox::attestation::{verify, android::verify, apple::verify, android::key_description::parse}` |

mod amount;
mod attestation;
mod canonical;
mod push;
mod responses;
mod sealed_pin;

pub use amount::{amount, is_wire_amount};
pub use attestation::{
    attestation, attestation_vector, encode_android, encode_apple, encode_key_description,
    AttestationInput, AttestationVector,
};
pub use canonical::{canonical, confirmation_fields_from_bytes};
pub use push::{push, push_map_from_bytes};
pub use responses::responses;
pub use sealed_pin::{seal_key, sealed_pin, SEAL_NONCE, SEAL_PAYMENT_ID, SEAL_WRONG_NONCE};

/// A fuzz target body.
pub type Target = fn(&[u8]);

/// Every target, by the name of its `fuzz/libfuzzer/fuzz_targets/<name>.rs` and
/// `fuzz/corpus/<name>/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("push", push),
    ("responses", responses),
    ("amount", amount),
    ("canonical", canonical),
    ("sealed_pin", sealed_pin),
    ("attestation", attestation),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}
