//! Device-side cryptography: PIN sealing and device signatures.
pub mod seal;
pub mod signer;

#[cfg(feature = "backend")]
pub use seal::{open_sealed_pin, PinKeyPair};
pub use seal::{seal_pin, SealError, SealedPin};
pub use signer::{verify_p256, DeviceSigner, SignerError, SoftwareSigner};
