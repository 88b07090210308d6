//! Attestation evidence for tests (issue 18): certificate chains and attestation objects
//! with the exact structures Android's Keystore and iOS App Attest emit, under test roots
//! that a sandbox is configured to trust. Each builder has knobs to break one field at a
//! time, so every check of the backend has a test that fails without it.

pub mod android;
pub mod apple;
pub mod signer;
