//! cargo-fuzz target `amount`: the body and its invariants are
//! `cvconnect_fuzz::amount` (`fuzz/src/amount.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cvconnect_fuzz::amount(data));
