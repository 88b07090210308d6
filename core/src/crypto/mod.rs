//! Device-side cryptography: PIN sealing and device signatures.
pub mod seal;
pub mod signer;
