//! Attestation evidence for tests (issue 18): certificate chains and attestation objects
//! with the exact structures Android's Keystore and iOS App Attest emit, under test roots
//! that a sandbox is configured to trust. Each builder has knobs to break one field at a
//! time, so every check of the backend has a test that fails without it.

pub mod android;
pub mod apple;
pub mod signer;

/// A Unix time as the certificates' validity dates.
fn datetime(unix: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(unix).expect("a representable time")
}

/// Now, in Unix seconds: the builders' default `now`.
fn unix_now() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(since_epoch.as_secs()).expect("a representable time")
}
