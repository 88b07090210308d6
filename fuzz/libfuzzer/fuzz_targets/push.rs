//! cargo-fuzz target `push`: the body and its invariants are
//! `cvconnect_fuzz::push` (`fuzz/src/push.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cvconnect_fuzz::push(data));
