//! cargo-fuzz target `sealed_pin`: the body and its invariants are
//! `cvconnect_fuzz::sealed_pin` (`fuzz/src/sealed_pin.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cvconnect_fuzz::sealed_pin(data));
