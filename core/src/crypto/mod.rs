//! Device-side cryptography: PIN sealing, device signatures, and the signed
//! confirmation built from both.
pub mod attestation;
pub mod confirmation;
pub mod seal;
pub mod signer;

pub use attestation::{app_attest_client_data_hash, DeviceAttestation};
pub use confirmation::{sign_confirmation, ConfirmationError};
#[cfg(feature = "backend")]
pub use seal::{open_sealed_pin, PinKeyPair};
pub use seal::{seal_pin, SealError, SealedPin};
pub use signer::{verify_p256, DeviceSigner, SignerError, SoftwareSigner};
