//! Android Key Attestation chains, built as the Keystore returns them for a key generated
//! with `setAttestationChallenge`, under a test root standing in for Google's hardware
//! attestation roots.
//!
//! The chain is `[leaf, intermediate, root]`, leaf first, the root included (as
//! `KeyStore.getCertificateChain` returns it). Field by field, as a real device emits it:
//!
//! - leaf: serial 1, `CN=Android Keystore Key`, valid from 1970-01-01 to 2048-01-01
//!   (KeyGenParameterSpec's default certificate dates), keyUsage digitalSignature, the
//!   enrolled P-256 key, signed ECDSA-SHA256 by the intermediate's P-256 attestation key;
//! - its KeyDescription (1.3.6.1.4.1.11129.2.1.17): see [`key_description`];
//! - intermediate: the attestation key's certificate, `title=StrongBox` or `title=TEE`
//!   with a random 16-byte serial, valid a few weeks around now (as a remotely provisioned
//!   attestation key), a CA.
//!
//! What differs from a real chain: the root's name and key (P-384, like Google's ECDSA
//! root; it signs with ECDSA-SHA384, as rcgen pairs the algorithm with the key), one
//! intermediate instead of Google's two or three, and the leaf subject (KeyMint writes the
//! app's `setCertificateSubject`, `CN=fake` by default, old Keymaster devices `CN=Android
//! Keystore Key`). The software-level knob keeps the test root, where a real software
//! attestation chains to Google's separate software root.
//!
//! [`AndroidChainBuilder`] makes a valid StrongBox attestation by default; each knob breaks
//! one point the backend checks.

pub mod key_description;
mod remote_key;

use std::sync::OnceLock;

use super::{datetime, unix_now};
use cvconnect_sandbox::attestation::{AndroidPolicy, Evidence};
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PublicKeyData, SerialNumber, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384,
};
use ring::rand::{SecureRandom, SystemRandom};
use time::OffsetDateTime;

pub use key_description::{
    KeyDescriptionSpec, ALGORITHM_EC, ALGORITHM_RSA, BOOT_UNVERIFIED, BOOT_VERIFIED,
    LEVEL_SOFTWARE, LEVEL_STRONGBOX, LEVEL_TRUSTED_ENVIRONMENT, PURPOSE_AGREE_KEY, PURPOSE_SIGN,
    PURPOSE_VERIFY,
};
use remote_key::RemoteP256Key;

/// The test app's package name.
pub const PACKAGE_NAME: &str = "fr.ancv.cvconnect";
/// SHA-256 of the test app's signing certificate (here of the text "cvconnect test APK
/// signing certificate": the backend compares digests, never the certificate).
pub const SIGNING_CERT_DIGEST: [u8; 32] = [
    0x3a, 0xdb, 0xe3, 0x42, 0xd1, 0x65, 0x2a, 0x77, 0x6a, 0x1a, 0x04, 0xdf, 0x49, 0x9b, 0x0b, 0x3f,
    0x9f, 0xfe, 0x49, 0x89, 0xa1, 0x9b, 0x7f, 0xfe, 0xe2, 0xea, 0xcd, 0xa3, 0x46, 0x3f, 0x7b, 0x25,
];

const KEY_DESCRIPTION_OID: &[u64] = &[1, 3, 6, 1, 4, 1, 11129, 2, 1, 17];
/// The leaf's serial, as the Keystore writes it (`setCertificateSerialNumber`'s default).
const LEAF_SERIAL: &[u8] = &[1];
const ROOT_SERIAL: &[u8] = &[0x01, 0x00];
const ROOT_NAME: &str = "CVConnect Test Key Attestation Root";
const DAY: i64 = 24 * 60 * 60;

/// A root standing in for Google's hardware attestation root.
pub struct TestAndroidRoot {
    der: Vec<u8>,
    issuer: Issuer<'static, KeyPair>,
}

impl TestAndroidRoot {
    fn generate(name: &str) -> TestAndroidRoot {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).expect("P-384 key");
        let (start, end) = (
            rcgen::date_time_ymd(2020, 1, 1),
            rcgen::date_time_ymd(2100, 1, 1),
        );
        let params = ca_params((DnType::CommonName, name), ROOT_SERIAL, start, end);
        let der = params.self_signed(&key).expect("test root").der().to_vec();
        TestAndroidRoot {
            der,
            issuer: Issuer::new(params, key),
        }
    }

    /// The root, DER, to configure as trusted.
    pub fn der(&self) -> &[u8] {
        &self.der
    }
}

/// The process's test root, the one [`test_policy`] trusts.
pub fn test_root() -> &'static TestAndroidRoot {
    root(false)
}

/// The test root, or with `rogue` a root that no policy trusts. Both have the same name:
/// names prove nothing, keys do.
fn root(rogue: bool) -> &'static TestAndroidRoot {
    static ROOTS: OnceLock<[TestAndroidRoot; 2]> = OnceLock::new();
    let roots = ROOTS.get_or_init(|| [(); 2].map(|()| TestAndroidRoot::generate(ROOT_NAME)));
    &roots[usize::from(rogue)]
}

/// The Android policy of the test app (`fr.ancv.cvconnect`, [`SIGNING_CERT_DIGEST`]),
/// trusting [`test_root`], nothing revoked.
pub fn test_policy() -> AndroidPolicy {
    AndroidPolicy {
        package_name: PACKAGE_NAME.to_owned(),
        signing_cert_digests: vec![SIGNING_CERT_DIGEST],
        roots: vec![test_root().der.clone()],
        revoked_serials: Default::default(),
    }
}

/// A fresh P-256 key's SubjectPublicKeyInfo, DER: a device key to attest.
pub fn fresh_device_spki() -> Vec<u8> {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
        .expect("P-256 key")
        .subject_public_key_info()
}

/// Google's attestation status list (`android.googleapis.com/attestation/status`) listing
/// `revoked` serials as REVOKED and `suspended` ones as SUSPENDED.
pub fn status_list_json(revoked: &[&str], suspended: &[&str]) -> String {
    let entry = |serial: &&str, status: &str, reason: &str| {
        format!(r#""{serial}": {{"status": "{status}", "reason": "{reason}"}}"#)
    };
    let entries: Vec<String> = revoked
        .iter()
        .map(|serial| entry(serial, "REVOKED", "KEY_COMPROMISE"))
        .chain(
            suspended
                .iter()
                .map(|s| entry(s, "SUSPENDED", "SOFTWARE_FLAW")),
        )
        .collect();
    format!(r#"{{"entries": {{{}}}}}"#, entries.join(", "))
}

/// A chain as the phone sends it at enrollment.
#[derive(Debug, Clone)]
pub struct AndroidAttestation {
    /// DER certificates, leaf first, root last.
    pub chain: Vec<Vec<u8>>,
    /// Their serials, leaf first, as Google's status list writes them.
    pub serials: Vec<String>,
}

impl AndroidAttestation {
    pub fn evidence(&self) -> Evidence<'_> {
        Evidence::AndroidKey { chain: &self.chain }
    }

    /// The intermediate's serial (the attestation key, what Google revokes).
    pub fn intermediate_serial(&self) -> &str {
        &self.serials[1]
    }
}

/// Builds one Key Attestation chain for `(device_spki, challenge)`.
#[derive(Debug, Clone)]
pub struct AndroidChainBuilder {
    certified_spki: Vec<u8>,
    description: KeyDescriptionSpec,
    now: i64,
    expired: bool,
    rogue_root: bool,
    raw_key_description: Option<Option<Vec<u8>>>,
}

impl AndroidChainBuilder {
    /// A valid StrongBox attestation of `device_spki` (P-256 SPKI DER) with `challenge`,
    /// for the test app, on a locked phone with a verified boot, valid now.
    pub fn new(device_spki: &[u8], challenge: &[u8]) -> AndroidChainBuilder {
        let now = unix_now();
        AndroidChainBuilder {
            certified_spki: device_spki.to_vec(),
            description: KeyDescriptionSpec {
                challenge: challenge.to_vec(),
                levels: (LEVEL_STRONGBOX, LEVEL_STRONGBOX),
                package: PACKAGE_NAME.to_owned(),
                signing_digest: SIGNING_CERT_DIGEST.to_vec(),
                purposes: vec![PURPOSE_SIGN],
                algorithm: ALGORITHM_EC,
                device_locked: true,
                boot_state: BOOT_VERIFIED,
                created_ms: now.saturating_mul(1000),
            },
            now,
            expired: false,
            rogue_root: false,
            raw_key_description: None,
        }
    }

    /// A key in the TEE (TrustedEnvironment) instead of StrongBox.
    pub fn tee(self) -> Self {
        self.levels(LEVEL_TRUSTED_ENVIRONMENT, LEVEL_TRUSTED_ENVIRONMENT)
    }

    /// A Software attestation of a software key (the Keystore's fallback).
    pub fn software(self) -> Self {
        self.levels(LEVEL_SOFTWARE, LEVEL_SOFTWARE)
    }

    /// attestationSecurityLevel and keyMintSecurityLevel.
    pub fn levels(mut self, attestation: u32, keymint: u32) -> Self {
        self.description.levels = (attestation, keymint);
        self
    }

    /// Another attestation challenge than the server's.
    pub fn challenge(mut self, challenge: &[u8]) -> Self {
        self.description.challenge = challenge.to_vec();
        self
    }

    /// The leaf certifies `spki` instead of the enrolled key.
    pub fn certified_key(mut self, spki: &[u8]) -> Self {
        self.certified_spki = spki.to_vec();
        self
    }

    /// Another package name in the attestation application id.
    pub fn package(mut self, name: &str) -> Self {
        self.description.package = name.to_owned();
        self
    }

    /// Another signing-certificate digest in the attestation application id.
    pub fn signing_digest(mut self, digest: &[u8]) -> Self {
        self.description.signing_digest = digest.to_vec();
        self
    }

    /// The key's purposes (hardwareEnforced [1]).
    pub fn purposes(mut self, purposes: &[u32]) -> Self {
        self.description.purposes = purposes.to_vec();
        self
    }

    /// The key's algorithm (hardwareEnforced [2]).
    pub fn algorithm(mut self, algorithm: u32) -> Self {
        self.description.algorithm = algorithm;
        self
    }

    /// An unlocked bootloader (deviceLocked FALSE), the boot state still Verified.
    pub fn unlocked_bootloader(mut self) -> Self {
        self.description.device_locked = false;
        self
    }

    /// A boot not Verified (Unverified: an unlocked phone's orange state).
    pub fn unverified_boot(mut self) -> Self {
        self.description.boot_state = BOOT_UNVERIFIED;
        self
    }

    /// Certificates valid around `now` (Unix seconds) instead of the system's time.
    pub fn at(mut self, now: i64) -> Self {
        self.now = now;
        self.description.created_ms = now.saturating_mul(1000);
        self
    }

    /// An attestation key whose certificate (the intermediate) expired a week ago.
    pub fn expired(mut self) -> Self {
        self.expired = true;
        self
    }

    /// Under another root than the policy's.
    pub fn rogue_root(mut self) -> Self {
        self.rogue_root = true;
        self
    }

    /// The leaf carries `der` as its KeyDescription, or none with `None`.
    pub fn raw_key_description(mut self, der: Option<Vec<u8>>) -> Self {
        self.raw_key_description = Some(der);
        self
    }

    /// Signs the chain.
    pub fn build(&self) -> AndroidAttestation {
        let root = root(self.rogue_root);
        let intermediate_serial = random_serial();
        let (intermediate_der, intermediate) = self.intermediate(root, &intermediate_serial);
        let leaf = self.leaf(&intermediate);
        AndroidAttestation {
            chain: vec![leaf, intermediate_der, root.der.clone()],
            serials: [LEAF_SERIAL, &intermediate_serial, ROOT_SERIAL]
                .map(serial_hex)
                .to_vec(),
        }
    }

    /// The KeyDescription's DER as the leaf carries it by default.
    pub fn key_description(&self) -> Vec<u8> {
        self.description.der()
    }

    fn intermediate(
        &self,
        root: &TestAndroidRoot,
        serial: &[u8],
    ) -> (Vec<u8>, Issuer<'static, KeyPair>) {
        let title = if self.description.levels.0 == LEVEL_STRONGBOX {
            "StrongBox"
        } else {
            "TEE"
        };
        let (start, end) = if self.expired {
            (self.now - 30 * DAY, self.now - 7 * DAY)
        } else {
            (self.now - 7 * DAY, self.now + 30 * DAY)
        };
        let title_type = DnType::CustomDnType(vec![2, 5, 4, 12]);
        let params = ca_params((title_type, title), serial, datetime(start), datetime(end));
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("P-256 key");
        let cert = params.signed_by(&key, &root.issuer).expect("intermediate");
        (cert.der().to_vec(), Issuer::new(params, key))
    }

    fn leaf(&self, intermediate: &Issuer<'static, KeyPair>) -> Vec<u8> {
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, "Android Keystore Key");
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.serial_number = Some(SerialNumber::from_slice(LEAF_SERIAL));
        params.not_before = rcgen::date_time_ymd(1970, 1, 1);
        params.not_after = rcgen::date_time_ymd(2048, 1, 1);
        let description = match &self.raw_key_description {
            Some(raw) => raw.clone(),
            None => Some(self.description.der()),
        };
        params.custom_extensions = description
            .map(|der| CustomExtension::from_oid_content(KEY_DESCRIPTION_OID, der))
            .into_iter()
            .collect();
        let key = RemoteP256Key::from_spki(&self.certified_spki);
        let cert = params.signed_by(&key, intermediate).expect("leaf");
        cert.der().to_vec()
    }
}

/// A CA's parameters: its one-attribute name, serial and validity.
fn ca_params(
    name: (DnType, &str),
    serial: &[u8],
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(name.0, name.1);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    params.serial_number = Some(SerialNumber::from_slice(serial));
    params.not_before = not_before;
    params.not_after = not_after;
    params
}

/// 16 random bytes, the first in 0x01..=0x7f: a positive serial without leading zeros.
fn random_serial() -> Vec<u8> {
    let mut serial = vec![0u8; 16];
    SystemRandom::new().fill(&mut serial).expect("random");
    serial[0] = (serial[0] & 0x7f).max(1);
    serial
}

/// A serial's bytes as Google's status list writes them: lowercase hex, no leading zeros.
fn serial_hex(bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    hex.trim_start_matches('0').to_owned()
}
