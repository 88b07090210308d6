//! cargo-fuzz target `attestation`: the body and its invariants are
//! `cvconnect_fuzz::attestation` (`fuzz/src/attestation.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cvconnect_fuzz::attestation(data));
