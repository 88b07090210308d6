//! X.509 chain walking shared by both platforms (owned by the Android helper).

/// Why a certificate chain does not verify.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    #[error("not implemented")]
    Unimplemented,
}
