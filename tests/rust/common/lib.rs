//! What the Rust end-to-end suites share beyond the test kit (`cvconnect-testkit`, which
//! sets up their world): the secret scans of the security suites and the seeded random
//! generator of the randomized suites.

pub mod rng;
pub mod scan;
