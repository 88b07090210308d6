//! Android Key Attestation: the Keystore's certificate chain for the signing key.
//!
//! # What is checked, in order
//!
//! 1. the chain verifies up to one of [`AndroidPolicy::roots`] and every certificate is
//!    valid at `now` ([`super::chain`]);
//! 2. no certificate of the chain is revoked: its serial is not in
//!    [`AndroidPolicy::revoked_serials`] (Google's status list, see
//!    [`revoked_serials_from_status_json`]);
//! 3. the leaf certifies exactly the enrolling key: its SubjectPublicKeyInfo is
//!    byte-equal to the P-256 SPKI the phone enrolls;
//! 4. the leaf's KeyDescription ([`key_description`]) carries the server's challenge;
//! 5. both its security levels (attestation and KeyMint) are TrustedEnvironment or
//!    StrongBox; the lower of the two is the level returned;
//! 6. in `hardwareEnforced`: the purposes are SIGN, optionally with VERIFY (what
//!    `KeyProperties.PURPOSE_SIGN | PURPOSE_VERIFY` gives; nothing else, so the key cannot
//!    also decrypt or agree keys), the algorithm is EC, the curve P-256 and the key size,
//!    when listed, 256;
//! 7. the attestation application id (in `softwareEnforced` per the schema, where the
//!    Keystore puts it; accepted in either list) names the app's package and one of its
//!    signing-certificate digests;
//! 8. the root of trust (`hardwareEnforced`) reports a Verified boot and a locked
//!    bootloader.
//!
//! Only the leaf's KeyDescription counts: some devices also put one in an intermediate
//! (the attestation key's own), which says nothing about the enrolled key and is ignored.

pub mod key_description;

use std::collections::{HashMap, HashSet};

use x509_parser::certificate::X509Certificate;
use x509_parser::der_parser::oid;
use x509_parser::oid_registry::Oid;

use super::chain::{self, ChainError};
use super::{AndroidPolicy, AttestedPlatform, SecurityLevel, Verified};
use key_description::{AuthorizationList, KeyDescription, LEVEL_STRONGBOX};
use key_description::{Malformed, LEVEL_TRUSTED_ENVIRONMENT};

/// The KeyDescription extension's OID.
pub const KEY_DESCRIPTION_OID: Oid<'static> = oid!(1.3.6 .1 .4 .1 .11129 .2 .1 .17);

/// KeyMint's `KeyPurpose` values.
pub const PURPOSE_SIGN: u32 = 2;
pub const PURPOSE_VERIFY: u32 = 3;
/// KeyMint's `Algorithm::EC`.
pub const ALGORITHM_EC: u32 = 3;
/// KeyMint's `EcCurve::P_256`.
pub const EC_CURVE_P256: u32 = 1;
/// `VerifiedBootState::Verified`.
pub const BOOT_VERIFIED: u32 = 0;

/// Why an Android attestation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AndroidError {
    #[error("certificate chain: {0}")]
    Chain(#[from] ChainError),
    #[error("certificate {serial} of the chain is revoked")]
    Revoked { serial: String },
    #[error("the leaf certifies another key than the enrolled one")]
    KeyMismatch,
    #[error("the leaf has no KeyDescription extension")]
    MissingKeyDescription,
    #[error("KeyDescription: {0}")]
    MalformedKeyDescription(#[from] Malformed),
    #[error("the attestation challenge is not the server's")]
    ChallengeMismatch,
    #[error("security levels attestation {attestation}, KeyMint {keymint}: not hardware")]
    SoftwareLevel { attestation: u32, keymint: u32 },
    #[error("key purposes {purposes:?}: not SIGN only")]
    WrongPurpose { purposes: Vec<u32> },
    #[error("key algorithm {algorithm:?}: not EC")]
    WrongAlgorithm { algorithm: Option<u32> },
    #[error("key curve {curve:?}: not P-256")]
    WrongCurve { curve: Option<u32> },
    #[error("key size {size}: not 256")]
    WrongKeySize { size: u32 },
    #[error("no attestation application id")]
    MissingApplicationId,
    #[error("the attestation application id does not name the app's package")]
    WrongPackage,
    #[error("no signing-certificate digest of the app in the attestation application id")]
    WrongSigningDigest,
    #[error("no root of trust in hardwareEnforced")]
    MissingRootOfTrust,
    #[error("verified boot state {state}: not Verified")]
    UnverifiedBoot { state: u32 },
    #[error("the bootloader is unlocked")]
    BootloaderUnlocked,
}

/// Verifies the Keystore chain (DER, leaf first) of the enrolling key `device_spki`.
pub fn verify(
    policy: &AndroidPolicy,
    chain: &[Vec<u8>],
    challenge: &[u8],
    device_spki: &[u8],
    now: i64,
) -> Result<Verified, AndroidError> {
    let verified = chain::verify_chain(chain, &policy.roots, now)?;
    check_not_revoked(verified.certs(), &policy.revoked_serials)?;
    let leaf = verified.leaf();
    if leaf.public_key().raw != device_spki {
        return Err(AndroidError::KeyMismatch);
    }
    let extension = leaf
        .get_extension_unique(&KEY_DESCRIPTION_OID)
        .map_err(|_| Malformed("KeyDescription (repeated extension)"))?
        .ok_or(AndroidError::MissingKeyDescription)?;
    let description = key_description::parse(extension.value)?;
    if description.attestation_challenge != challenge {
        return Err(AndroidError::ChallengeMismatch);
    }
    let level = hardware_level(&description)?;
    check_signing_key(&description.hardware_enforced)?;
    check_application(&description, policy)?;
    check_root_of_trust(&description.hardware_enforced)?;
    Ok(Verified {
        platform: AttestedPlatform::Android,
        level,
    })
}

fn check_not_revoked(
    certs: &[X509Certificate<'_>],
    revoked: &HashSet<String>,
) -> Result<(), AndroidError> {
    let mut serials = certs.iter().flat_map(chain::serial_forms);
    match serials.find(|serial| revoked.contains(serial)) {
        Some(serial) => Err(AndroidError::Revoked { serial }),
        None => Ok(()),
    }
}

/// The lower of the two levels, both of which must be hardware.
fn hardware_level(description: &KeyDescription<'_>) -> Result<SecurityLevel, AndroidError> {
    let attestation = description.attestation_security_level;
    let keymint = description.keymint_security_level;
    let hardware = |level| [LEVEL_TRUSTED_ENVIRONMENT, LEVEL_STRONGBOX].contains(&level);
    if !hardware(attestation) || !hardware(keymint) {
        return Err(AndroidError::SoftwareLevel {
            attestation,
            keymint,
        });
    }
    Ok(if attestation.min(keymint) == LEVEL_STRONGBOX {
        SecurityLevel::StrongBox
    } else {
        SecurityLevel::TrustedEnvironment
    })
}

fn check_signing_key(hardware: &AuthorizationList<'_>) -> Result<(), AndroidError> {
    let purposes = hardware.purpose.clone().unwrap_or_default();
    let allowed = |purpose: &u32| [PURPOSE_SIGN, PURPOSE_VERIFY].contains(purpose);
    if !purposes.contains(&PURPOSE_SIGN) || !purposes.iter().all(allowed) {
        return Err(AndroidError::WrongPurpose { purposes });
    }
    if hardware.algorithm != Some(ALGORITHM_EC) {
        return Err(AndroidError::WrongAlgorithm {
            algorithm: hardware.algorithm,
        });
    }
    if hardware.ec_curve != Some(EC_CURVE_P256) {
        return Err(AndroidError::WrongCurve {
            curve: hardware.ec_curve,
        });
    }
    match hardware.key_size {
        Some(size) if size != 256 => Err(AndroidError::WrongKeySize { size }),
        _ => Ok(()),
    }
}

fn check_application(
    description: &KeyDescription<'_>,
    policy: &AndroidPolicy,
) -> Result<(), AndroidError> {
    let application = description
        .software_enforced
        .attestation_application_id
        .as_ref()
        .or(description
            .hardware_enforced
            .attestation_application_id
            .as_ref())
        .ok_or(AndroidError::MissingApplicationId)?;
    let package = policy.package_name.as_bytes();
    if !application
        .package_infos
        .iter()
        .any(|info| info.package_name == package)
    {
        return Err(AndroidError::WrongPackage);
    }
    let listed = |digest: &&[u8]| {
        policy
            .signing_cert_digests
            .iter()
            .any(|expected| expected.as_slice() == *digest)
    };
    if !application.signature_digests.iter().any(listed) {
        return Err(AndroidError::WrongSigningDigest);
    }
    Ok(())
}

fn check_root_of_trust(hardware: &AuthorizationList<'_>) -> Result<(), AndroidError> {
    let root = hardware
        .root_of_trust
        .as_ref()
        .ok_or(AndroidError::MissingRootOfTrust)?;
    if root.verified_boot_state != BOOT_VERIFIED {
        return Err(AndroidError::UnverifiedBoot {
            state: root.verified_boot_state,
        });
    }
    if !root.device_locked {
        return Err(AndroidError::BootloaderUnlocked);
    }
    Ok(())
}

/// Google's attestation status list is not in its published format.
#[derive(Debug, thiserror::Error)]
#[error("attestation status list: {0}")]
pub struct StatusListError(#[from] serde_json::Error);

/// Google's attestation status list
/// (`https://android.googleapis.com/attestation/status`):
/// `{"entries": {"<serial>": {"status": "REVOKED" | "SUSPENDED", "reason": ...}}}`.
#[derive(serde::Deserialize)]
struct StatusList {
    entries: HashMap<String, StatusEntry>,
}

#[derive(serde::Deserialize)]
struct StatusEntry {
    /// Read to hold the entry to the format; every listed status refuses (a suspended
    /// key is as untrusted as a revoked one until Google lifts the suspension).
    #[allow(dead_code)]
    status: String,
}

/// The serials the status list refuses, in [`AndroidPolicy::revoked_serials`] form
/// (lowercase hex without leading zeros), whatever their status.
pub fn revoked_serials_from_status_json(json: &str) -> Result<HashSet<String>, StatusListError> {
    let list: StatusList = serde_json::from_str(json)?;
    let serials = list.entries.keys();
    Ok(serials
        .map(|serial| chain::canonical_serial(serial))
        .collect())
}
