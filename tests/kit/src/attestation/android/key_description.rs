//! The KeyDescription extension's DER, written with yasna field by field as a KeyMint 3
//! device writes it (source.android.com/docs/security/features/keystore/attestation#schema):
//! attestation and KeyMint version 300, an empty uniqueId; `softwareEnforced` holds
//! creationDateTime [701] and attestationApplicationId [709] (one package with version
//! code 1, one signing digest); `hardwareEnforced` holds purpose [1], algorithm [2],
//! keySize [3] 256, digest [5] {SHA-2 256}, ecCurve [10] P-256, noAuthRequired [503],
//! origin [702] GENERATED, rootOfTrust [704] (32-byte boot key, deviceLocked,
//! verifiedBootState, 32-byte boot hash), osVersion [705], osPatchLevel [706],
//! vendorPatchLevel [718] and bootPatchLevel [719], in ascending tag order, every tag
//! EXPLICIT. The entries the backend does not check are there so that skipping them is
//! tested.

use yasna::{DERWriter, DERWriterSeq, Tag};

/// SecurityLevel values.
pub const LEVEL_SOFTWARE: u32 = 0;
pub const LEVEL_TRUSTED_ENVIRONMENT: u32 = 1;
pub const LEVEL_STRONGBOX: u32 = 2;
/// KeyPurpose values.
pub const PURPOSE_SIGN: u32 = 2;
pub const PURPOSE_VERIFY: u32 = 3;
pub const PURPOSE_AGREE_KEY: u32 = 6;
/// Algorithm values.
pub const ALGORITHM_RSA: u32 = 1;
pub const ALGORITHM_EC: u32 = 3;
/// VerifiedBootState values.
pub const BOOT_VERIFIED: u32 = 0;
pub const BOOT_UNVERIFIED: u32 = 2;

const VERSION_KEYMINT_3: u32 = 300;
const EC_CURVE_P256: u32 = 1;
const DIGEST_SHA_2_256: u32 = 4;
const ORIGIN_GENERATED: u32 = 0;

/// What a KeyDescription states, field by field.
#[derive(Debug, Clone)]
pub struct KeyDescriptionSpec {
    pub challenge: Vec<u8>,
    /// attestationSecurityLevel and keyMintSecurityLevel.
    pub levels: (u32, u32),
    pub package: String,
    pub signing_digest: Vec<u8>,
    pub purposes: Vec<u32>,
    pub algorithm: u32,
    pub device_locked: bool,
    pub boot_state: u32,
    /// creationDateTime, milliseconds since the epoch.
    pub created_ms: i64,
}

impl KeyDescriptionSpec {
    /// The extension's value (the DER inside its OCTET STRING).
    pub fn der(&self) -> Vec<u8> {
        yasna::construct_der(|writer| {
            writer.write_sequence(|seq| {
                seq.next().write_u32(VERSION_KEYMINT_3);
                seq.next().write_enum(self.levels.0.into());
                seq.next().write_u32(VERSION_KEYMINT_3);
                seq.next().write_enum(self.levels.1.into());
                seq.next().write_bytes(&self.challenge);
                seq.next().write_bytes(&[]); // uniqueId
                seq.next()
                    .write_sequence(|list| self.software_enforced(list));
                seq.next()
                    .write_sequence(|list| self.hardware_enforced(list));
            })
        })
    }

    fn software_enforced(&self, list: &mut DERWriterSeq<'_>) {
        entry(list, 701, |w| w.write_i64(self.created_ms));
        entry(list, 709, |w| w.write_bytes(&self.application_id()));
    }

    fn hardware_enforced(&self, list: &mut DERWriterSeq<'_>) {
        entry(list, 1, |w| integer_set(w, &self.purposes));
        entry(list, 2, |w| w.write_u32(self.algorithm));
        entry(list, 3, |w| w.write_u32(256));
        entry(list, 5, |w| integer_set(w, &[DIGEST_SHA_2_256]));
        entry(list, 10, |w| w.write_u32(EC_CURVE_P256));
        entry(list, 503, |w| w.write_null()); // noAuthRequired
        entry(list, 702, |w| w.write_u32(ORIGIN_GENERATED));
        entry(list, 704, |w| self.root_of_trust(w));
        entry(list, 705, |w| w.write_u32(150_000)); // osVersion 15.0.0
        entry(list, 706, |w| w.write_u32(202_511)); // osPatchLevel
        entry(list, 718, |w| w.write_u32(20_251_105)); // vendorPatchLevel
        entry(list, 719, |w| w.write_u32(20_251_105)); // bootPatchLevel
    }

    fn root_of_trust(&self, writer: DERWriter<'_>) {
        writer.write_sequence(|seq| {
            seq.next().write_bytes(&[0x5a; 32]); // verifiedBootKey
            seq.next().write_bool(self.device_locked);
            seq.next().write_enum(self.boot_state.into());
            seq.next().write_bytes(&[0xb0; 32]); // verifiedBootHash
        })
    }

    /// `AttestationApplicationId`'s DER, which [709]'s OCTET STRING wraps.
    fn application_id(&self) -> Vec<u8> {
        yasna::construct_der(|writer| {
            writer.write_sequence(|seq| {
                seq.next().write_set_of(|set| {
                    set.next().write_sequence(|info| {
                        info.next().write_bytes(self.package.as_bytes());
                        info.next().write_u32(1); // versionCode
                    })
                });
                let digest = &self.signing_digest;
                seq.next()
                    .write_set_of(|set| set.next().write_bytes(digest));
            })
        })
    }
}

/// `[tag] EXPLICIT value`, an AuthorizationList entry.
fn entry(list: &mut DERWriterSeq<'_>, tag: u64, value: impl FnOnce(DERWriter<'_>)) {
    list.next().write_tagged(Tag::context(tag), value);
}

fn integer_set(writer: DERWriter<'_>, values: &[u32]) {
    writer.write_set_of(|set| {
        for value in values {
            set.next().write_u32(*value);
        }
    })
}
