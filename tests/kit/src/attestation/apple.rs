//! iOS App Attest attestation objects (being written).
