//! cargo-fuzz target `canonical`: the body and its invariants are
//! `cvconnect_fuzz::canonical` (`fuzz/src/canonical.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cvconnect_fuzz::canonical(data));
