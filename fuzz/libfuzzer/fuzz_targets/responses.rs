//! cargo-fuzz target `responses`: the body and its invariants are
//! `cvconnect_fuzz::responses` (`fuzz/src/responses.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cvconnect_fuzz::responses(data));
