//! Android Key Attestation chains (being written).
