//! iOS App Attest attestation objects as `DCAppAttestService.attestKey` returns them,
//! under a test CA standing in for Apple's App Attestation root. [`AppAttestBuilder`]
//! makes a valid production attestation by default; each knob breaks one checked point.
//!
//! Field by field it follows a real object: CBOR `{ fmt: "apple-appattest", attStmt:
//! { x5c: [credCert, intermediate], receipt }, authData }`; credCert's subject is the hex
//! key id under "AAA Certification", its nonce extension 1.2.840.113635.100.8.2 is
//! `SEQUENCE { [1] EXPLICIT OCTET STRING }`; authData is WebAuthn's layout, flags AT, COSE
//! key `{1: 2, 3: -7, -1: 1, -2: x, -3: y}`. Unlike Apple's: the CA's names and keys;
//! credCert is signed ECDSA-SHA384 by the P-384 intermediate (Apple uses ECDSA-SHA256,
//! which rcgen cannot pair with P-384); Apple's extensions 1.2.840.113635.100.8.5 and
//! .8.7 (receipt data, OS version), which the backend does not read, are absent; the
//! receipt is a placeholder, not Apple's PKCS#7.

use std::sync::OnceLock;

use super::{datetime, unix_now};
use ciborium::Value;
use cvconnect_core::protocol::canonical::attestation_client_data;
use cvconnect_sandbox::attestation::{AppAttestEnvironment, ApplePolicy, Evidence};
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384,
};
use ring::digest::{digest, SHA256};

/// The test app's team id.
pub const TEAM_ID: &str = "ABCDE12345";
/// The test app's bundle id.
pub const BUNDLE_ID: &str = "fr.ancv.cvconnect";
/// The placeholder receipt (Apple's is a PKCS#7 signed by its fraud-receipt CA).
const TEST_RECEIPT: &[u8] = b"test receipt: not an Apple PKCS#7 receipt";

/// Apple's nonce extension, 1.2.840.113635.100.8.2.
const NONCE_OID: &[u64] = &[1, 2, 840, 113635, 100, 8, 2];
const DAY: i64 = 24 * 60 * 60;
/// aaguids as App Attest writes them (production: `appattest` and seven zero bytes).
const AAGUID_PRODUCTION: &[u8; 16] = b"appattest\0\0\0\0\0\0\0";
const AAGUID_DEVELOPMENT: &[u8; 16] = b"appattestdevelop";
/// authData flags: attested credential data included (and nothing else, as Apple's).
const FLAG_ATTESTED_CREDENTIAL: u8 = 0x40;

/// A root and intermediate standing in for Apple's App Attestation Root CA and
/// "Apple App Attestation CA 1" (both P-384, as Apple's).
pub struct TestAppleCa {
    root_der: Vec<u8>,
    intermediate_der: Vec<u8>,
    intermediate: Issuer<'static, KeyPair>,
}

impl TestAppleCa {
    fn generate(name: &str) -> TestAppleCa {
        let root_key = p384_key();
        let root_params = ca_params(&format!("{name} App Attestation Root CA"), None);
        let root_der = root_params
            .self_signed(&root_key)
            .expect("test root")
            .der()
            .to_vec();
        let root = Issuer::new(root_params, root_key);
        let key = p384_key();
        let params = ca_params(&format!("{name} App Attestation CA 1"), Some(0));
        let intermediate_der = params
            .signed_by(&key, &root)
            .expect("test CA")
            .der()
            .to_vec();
        TestAppleCa {
            root_der,
            intermediate_der,
            intermediate: Issuer::new(params, key),
        }
    }

    /// The root, DER, to configure as trusted.
    pub fn root_der(&self) -> &[u8] {
        &self.root_der
    }
}

/// The process's test CA, the one [`test_policy`] trusts.
pub fn test_ca() -> &'static TestAppleCa {
    static CA: OnceLock<TestAppleCa> = OnceLock::new();
    CA.get_or_init(|| TestAppleCa::generate("CVConnect Test"))
}

/// A CA that no policy trusts.
fn rogue_ca() -> &'static TestAppleCa {
    static CA: OnceLock<TestAppleCa> = OnceLock::new();
    CA.get_or_init(|| TestAppleCa::generate("Rogue"))
}

/// The App Attest policy of the test app (`ABCDE12345.fr.ancv.cvconnect`, production)
/// trusting [`test_ca`]'s root.
pub fn test_policy() -> ApplePolicy {
    ApplePolicy {
        team_id: TEAM_ID.to_owned(),
        bundle_id: BUNDLE_ID.to_owned(),
        roots: vec![test_ca().root_der.clone()],
        environment: AppAttestEnvironment::Production,
    }
}

/// An attestation as the phone sends it at enrollment.
#[derive(Debug, Clone)]
pub struct AppAttestation {
    /// The key id `generateKey` returned (raw bytes).
    pub key_id: Vec<u8>,
    /// The attestation object (CBOR).
    pub attestation_object: Vec<u8>,
}

impl AppAttestation {
    pub fn evidence(&self) -> Evidence<'_> {
        Evidence::AppleAppAttest {
            key_id: &self.key_id,
            attestation_object: &self.attestation_object,
        }
    }
}

/// Builds one App Attest attestation for `(challenge, device_spki)`.
#[derive(Debug, Clone)]
pub struct AppAttestBuilder {
    challenge: Vec<u8>,
    device_spki: Vec<u8>,
    team_id: String,
    bundle_id: String,
    environment: AppAttestEnvironment,
    now: i64,
    format: String,
    sign_count: u32,
    credential_id: Option<Vec<u8>>,
    key_id: Option<Vec<u8>>,
    defect: Option<Defect>,
}

/// One way to break an attestation beyond the builder's value knobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// authData altered (its RP ID hash's last byte) after Apple certified its nonce.
    TamperedAuthData,
    /// authData cut to this many bytes (the cut data is what Apple certified).
    TruncatedAuthData(usize),
    /// authData's COSE key is another key than the certified one.
    ForeignCoseKey,
    /// Issued by a CA under another root than the policy's.
    RogueRoot,
    /// The credential certificate expired a week before `now`.
    ExpiredCredCert,
}

impl AppAttestBuilder {
    /// A valid production attestation of a fresh App Attest key, whose client data
    /// binds `challenge` and `device_spki`, for the test app, valid now.
    pub fn new(challenge: &[u8], device_spki: &[u8]) -> AppAttestBuilder {
        AppAttestBuilder {
            challenge: challenge.to_vec(),
            device_spki: device_spki.to_vec(),
            team_id: TEAM_ID.to_owned(),
            bundle_id: BUNDLE_ID.to_owned(),
            environment: AppAttestEnvironment::Production,
            now: unix_now(),
            format: "apple-appattest".to_owned(),
            sign_count: 0,
            credential_id: None,
            key_id: None,
            defect: None,
        }
    }

    /// Certificates valid around `now` (Unix seconds) instead of the system's time.
    pub fn at(mut self, now: i64) -> Self {
        self.now = now;
        self
    }

    /// Another app: the RP ID hash is SHA-256 of `team_id.bundle_id`.
    pub fn app(mut self, team_id: &str, bundle_id: &str) -> Self {
        self.team_id = team_id.to_owned();
        self.bundle_id = bundle_id.to_owned();
        self
    }

    /// The environment whose aaguid authData carries.
    pub fn environment(mut self, environment: AppAttestEnvironment) -> Self {
        self.environment = environment;
        self
    }

    /// The statement format (`apple-appattest` by default).
    pub fn format(mut self, format: &str) -> Self {
        self.format = format.to_owned();
        self
    }

    /// A sign counter other than 0 (a key already used for assertions).
    pub fn sign_count(mut self, count: u32) -> Self {
        self.sign_count = count;
        self
    }

    /// authData's credential id, instead of the key id.
    pub fn credential_id(mut self, id: &[u8]) -> Self {
        self.credential_id = Some(id.to_vec());
        self
    }

    /// The key id the phone reports, instead of the attested key's.
    pub fn key_id(mut self, id: &[u8]) -> Self {
        self.key_id = Some(id.to_vec());
        self
    }

    /// Breaks the attestation in one of the ways of [`Defect`].
    pub fn defect(mut self, defect: Defect) -> Self {
        self.defect = Some(defect);
        self
    }

    /// Generates the App Attest key and its attestation.
    pub fn build(&self) -> AppAttestation {
        let key = p256_key();
        let key_id = sha256(key.public_key_raw());
        let foreign = (self.defect == Some(Defect::ForeignCoseKey)).then(p256_key);
        let cose_key_pair = foreign.as_ref().unwrap_or(&key);
        let mut auth_data = self.auth_data(cose_key_pair.public_key_raw(), &key_id);
        if let Some(Defect::TruncatedAuthData(len)) = self.defect {
            auth_data.truncate(len);
        }
        let client_data_hash = sha256(&attestation_client_data(&self.challenge, &self.device_spki));
        let nonce = sha256(&[&auth_data[..], &client_data_hash].concat());
        if self.defect == Some(Defect::TamperedAuthData) {
            auth_data[31] ^= 0x01;
        }
        let ca = match self.defect {
            Some(Defect::RogueRoot) => rogue_ca(),
            _ => test_ca(),
        };
        let cred_cert = self.cred_cert(ca, &key, &key_id, &nonce);
        AppAttestation {
            key_id: self.key_id.clone().unwrap_or(key_id),
            attestation_object: attestation_object(
                &self.format,
                vec![cred_cert, ca.intermediate_der.clone()],
                auth_data,
            ),
        }
    }

    /// rpIdHash ‖ flags ‖ signCount ‖ aaguid ‖ credentialId length ‖ credentialId ‖ COSE_Key.
    fn auth_data(&self, cose_point: &[u8], key_id: &[u8]) -> Vec<u8> {
        let app_id = format!("{}.{}", self.team_id, self.bundle_id);
        let credential_id = self.credential_id.as_deref().unwrap_or(key_id);
        let aaguid = match self.environment {
            AppAttestEnvironment::Production => AAGUID_PRODUCTION,
            AppAttestEnvironment::Development => AAGUID_DEVELOPMENT,
        };
        let id_len = u16::try_from(credential_id.len()).expect("credential id length");
        [
            &sha256(app_id.as_bytes())[..],
            &[FLAG_ATTESTED_CREDENTIAL],
            &self.sign_count.to_be_bytes(),
            aaguid,
            &id_len.to_be_bytes(),
            credential_id,
            &cose_key(cose_point),
        ]
        .concat()
    }

    /// The credential certificate: the App Attest key, named by its key id, with the nonce.
    fn cred_cert(&self, ca: &TestAppleCa, key: &KeyPair, key_id: &[u8], nonce: &[u8]) -> Vec<u8> {
        let mut params = CertificateParams::default();
        params.distinguished_name = apple_name(&hex(key_id));
        params
            .distinguished_name
            .push(DnType::OrganizationalUnitName, "AAA Certification");
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::DataEncipherment,
        ];
        let (start, end) = if self.defect == Some(Defect::ExpiredCredCert) {
            (self.now - 10 * DAY, self.now - 7 * DAY)
        } else {
            (self.now - DAY, self.now + 2 * DAY)
        };
        params.not_before = datetime(start);
        params.not_after = datetime(end);
        params.custom_extensions = vec![CustomExtension::from_oid_content(
            NONCE_OID,
            nonce_extension(nonce),
        )];
        let cert = params
            .signed_by(key, &ca.intermediate)
            .expect("credential certificate");
        cert.der().to_vec()
    }
}

/// The nonce extension's value, as Apple encodes it: `SEQUENCE { [1] EXPLICIT OCTET STRING }`.
pub fn nonce_extension(nonce: &[u8]) -> Vec<u8> {
    yasna::construct_der(|writer| {
        writer.write_sequence(|writer| {
            writer
                .next()
                .write_tagged(yasna::Tag::context(1), |writer| writer.write_bytes(nonce))
        })
    })
}

/// The COSE_Key (RFC 9053, EC2) of an uncompressed P-256 point, keys in App Attest's order.
fn cose_key(point: &[u8]) -> Vec<u8> {
    let (x, y) = point[1..].split_at(32);
    let int = |n: i64| Value::Integer(n.into());
    encode(&Value::Map(vec![
        (int(1), int(2)),
        (int(3), int(-7)),
        (int(-1), int(1)),
        (int(-2), Value::Bytes(x.to_vec())),
        (int(-3), Value::Bytes(y.to_vec())),
    ]))
}

/// The attestation object's CBOR map, in the order `attestKey` writes it.
fn attestation_object(format: &str, x5c: Vec<Vec<u8>>, auth_data: Vec<u8>) -> Vec<u8> {
    let text = |s: &str| Value::Text(s.to_owned());
    let statement = Value::Map(vec![
        (
            text("x5c"),
            Value::Array(x5c.into_iter().map(Value::Bytes).collect()),
        ),
        (text("receipt"), Value::Bytes(TEST_RECEIPT.to_vec())),
    ]);
    encode(&Value::Map(vec![
        (text("fmt"), text(format)),
        (text("attStmt"), statement),
        (text("authData"), Value::Bytes(auth_data)),
    ]))
}

fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).expect("CBOR into a Vec");
    out
}

/// A CA's parameters, with Apple's name layout; `path_len` `None` for the root.
fn ca_params(common_name: &str, path_len: Option<u8>) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = apple_name(common_name);
    params.is_ca = match path_len {
        Some(len) => IsCa::Ca(BasicConstraints::Constrained(len)),
        None => IsCa::Ca(BasicConstraints::Unconstrained),
    };
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.use_authority_key_identifier_extension = path_len.is_some();
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2100, 1, 1);
    params
}

/// `CN=common_name, O=Apple Inc., ST=California`, as Apple's App Attest certificates.
fn apple_name(common_name: &str) -> rcgen::DistinguishedName {
    let mut name = rcgen::DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    name.push(DnType::OrganizationName, "Apple Inc.");
    name.push(DnType::StateOrProvinceName, "California");
    name
}

fn p256_key() -> KeyPair {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("P-256 key")
}

fn p384_key() -> KeyPair {
    KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).expect("P-384 key")
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    digest(&SHA256, bytes).as_ref().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
