//! Target `attestation`: the sandbox's key-attestation verifiers
//! (`cvconnect_sandbox::attestation`), which parse what a phone sends at enrollment
//! before anything in it is trusted: Android Keystore certificate chains (DER, with the
//! KeyDescription extension) and App Attest attestation objects (CBOR).
//!
//! The policy, challenge, device key and time are those of the `attestation_evidence`
//! vector of `docs/protocol-vectors.json` (compiled in, so the cargo-fuzz binary needs no
//! file at run time): the vector's evidence, encoded by [`encode_android`] and
//! [`encode_apple`], is a seed that verifies, and its mutations reach every check.

use std::collections::HashSet;
use std::sync::OnceLock;

use cvconnect_sandbox::attestation::android::key_description::{
    self, MAX_CHALLENGE_LEN, MAX_OCTETS_LEN, MAX_SET_LEN,
};
use cvconnect_sandbox::attestation::android::AndroidError;
use cvconnect_sandbox::attestation::apple::{AppleError, MAX_OBJECT_LEN};
use cvconnect_sandbox::attestation::{
    verify, AndroidPolicy, AppAttestEnvironment, ApplePolicy, AttestationConfig, AttestationError,
    ChainError, Evidence, Policy, Verified,
};
use serde_json::Value;

/// First input byte modulo 3: which parser the rest goes to.
const SELECT_ANDROID: u8 = 0;
const SELECT_APPLE: u8 = 1;
const SELECT_KEY_DESCRIPTION: u8 = 2;

/// What one fuzz input stands for.
#[derive(Debug, PartialEq, Eq)]
pub enum AttestationInput<'a> {
    /// An Android chain, leaf first.
    Android(Vec<&'a [u8]>),
    /// An App Attest key id and attestation object.
    Apple { key_id: &'a [u8], object: &'a [u8] },
    /// The value of a KeyDescription extension, parsed alone: behind the chain's
    /// signatures, a mutated KeyDescription would otherwise never reach its parser.
    KeyDescription(&'a [u8]),
}

impl<'a> AttestationInput<'a> {
    /// Byte 0 modulo 3 selects the kind; the rest is
    /// - Android: certificates, each a big-endian `u16` length then its bytes (a length
    ///   past the end takes what is left, so a truncated input is a truncated chain);
    /// - Apple: a `u8` key id length, the key id, then the attestation object (the rest);
    /// - KeyDescription: the extension value.
    ///
    /// The empty input is the empty Android chain.
    pub fn decode(data: &'a [u8]) -> Self {
        let (selector, rest) = data.split_first().map_or((0, data), |(s, r)| (*s, r));
        match selector % 3 {
            SELECT_ANDROID => AttestationInput::Android(split_prefixed(rest)),
            SELECT_APPLE => {
                let (length, rest) = rest.split_first().map_or((0, rest), |(l, r)| (*l, r));
                let (key_id, object) = rest.split_at(rest.len().min(usize::from(length)));
                AttestationInput::Apple { key_id, object }
            }
            _ => AttestationInput::KeyDescription(rest),
        }
    }
}

fn split_prefixed(mut rest: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    while !rest.is_empty() {
        let length = match rest {
            [high, low, tail @ ..] => {
                rest = tail;
                usize::from(u16::from_be_bytes([*high, *low]))
            }
            _ => std::mem::take(&mut rest).len(),
        };
        let (part, tail) = rest.split_at(rest.len().min(length));
        parts.push(part);
        rest = tail;
    }
    parts
}

/// The input [`AttestationInput::decode`] reads as the Android chain `chain`.
pub fn encode_android(chain: &[impl AsRef<[u8]>]) -> Vec<u8> {
    let mut out = vec![SELECT_ANDROID];
    for der in chain {
        let der = der.as_ref();
        let length = u16::try_from(der.len()).expect("a certificate under 64 KiB");
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(der);
    }
    out
}

/// The input [`AttestationInput::decode`] reads as this App Attest key id and object.
pub fn encode_apple(key_id: &[u8], object: &[u8]) -> Vec<u8> {
    let length = u8::try_from(key_id.len()).expect("a key id under 256 bytes");
    [&[SELECT_APPLE, length][..], key_id, object].concat()
}

/// The input [`AttestationInput::decode`] reads as this KeyDescription value.
pub fn encode_key_description(der: &[u8]) -> Vec<u8> {
    [&[SELECT_KEY_DESCRIPTION][..], der].concat()
}

/// The `attestation_evidence` vector, decoded, and the sandbox settings it verifies with.
pub struct AttestationVector {
    pub config: AttestationConfig,
    /// Android: the Keystore chain, leaf first, ending with its root.
    pub chain: Vec<Vec<u8>>,
    /// App Attest: the key id and the attestation object.
    pub key_id: Vec<u8>,
    pub object: Vec<u8>,
    pub challenge: Vec<u8>,
    pub device_spki: Vec<u8>,
    /// Unix seconds at which both verify.
    pub now: i64,
}

impl AttestationVector {
    /// What the sandbox's enrollment answers for `evidence`.
    pub fn verify(&self, evidence: Evidence<'_>) -> Result<Verified, AttestationError> {
        self.verify_for(evidence, &self.challenge, &self.device_spki)
    }

    fn verify_for(
        &self,
        evidence: Evidence<'_>,
        challenge: &[u8],
        spki: &[u8],
    ) -> Result<Verified, AttestationError> {
        verify(&self.config, evidence, challenge, spki, self.now)
    }
}

/// The vector, read once from the copy of `docs/protocol-vectors.json` compiled in.
pub fn attestation_vector() -> &'static AttestationVector {
    static VECTOR: OnceLock<AttestationVector> = OnceLock::new();
    VECTOR.get_or_init(|| {
        let all: Value = serde_json::from_str(include_str!("../../docs/protocol-vectors.json"))
            .expect("docs/protocol-vectors.json");
        read_vector(&all["attestation_evidence"])
    })
}

fn read_vector(vector: &Value) -> AttestationVector {
    let (vector, android, apple) = (
        Fields(vector),
        Fields(&vector["android_key"]),
        Fields(&vector["apple_appattest"]),
    );
    assert_eq!(apple.text("environment"), "production");
    let digest = android.hex("signing_cert_digest_hex");
    let config = AttestationConfig {
        policy: Policy::Required,
        android: Some(AndroidPolicy {
            package_name: android.text("package_name").into(),
            signing_cert_digests: vec![digest.try_into().expect("a SHA-256 digest")],
            roots: vec![android.hex("root_der_hex")],
            revoked_serials: HashSet::new(),
        }),
        apple: Some(ApplePolicy {
            team_id: apple.text("team_id").into(),
            bundle_id: apple.text("bundle_id").into(),
            roots: vec![apple.hex("root_der_hex")],
            environment: AppAttestEnvironment::Production,
        }),
    };
    let chain = android.0["certificate_chain_hex"]
        .as_array()
        .expect("chain");
    AttestationVector {
        config,
        chain: chain
            .iter()
            .map(|der| unhex(der.as_str().expect("hex")))
            .collect(),
        key_id: apple.hex("key_id_hex"),
        object: apple.hex("attestation_object_hex"),
        challenge: vector.hex("challenge_hex"),
        device_spki: vector.hex("public_key_spki_hex"),
        now: vector.0["verify_at"].as_i64().expect("verify_at"),
    }
}

/// One object of the vector, read field by field (a missing field is a broken vector).
struct Fields<'a>(&'a Value);

impl<'a> Fields<'a> {
    fn text(&self, key: &str) -> &'a str {
        let text = self.0[key].as_str();
        text.unwrap_or_else(|| panic!("vector field {key}"))
    }

    fn hex(&self, key: &str) -> Vec<u8> {
        unhex(self.text(key))
    }
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Key attestation as the sandbox verifies it at enrollment (`attestation::verify`,
/// which calls `android::verify` or `apple::verify`), and the KeyDescription parser.
///
/// Invariants: no panic, and a typed refusal for every input that is not evidence:
/// - an empty chain is `Empty` and an oversized App Attest object `TooLarge`, before
///   anything is parsed; a refusal that names a certificate names one of the chain;
/// - accepted evidence is bound to what it attests: the same evidence is refused for
///   another challenge and for another device key, and it verifies the same way twice;
/// - a parsed KeyDescription holds no field beyond the parser's documented bounds.
///
/// Work stays bounded by the verifiers' own limits (chain length, certificate and object
/// size, CBOR depth), which the seeds exceed.
pub fn attestation(data: &[u8]) {
    let vector = attestation_vector();
    match AttestationInput::decode(data) {
        AttestationInput::Android(parts) => {
            let chain: Vec<Vec<u8>> = parts.iter().map(|der| der.to_vec()).collect();
            let result = vector.verify(Evidence::AndroidKey { chain: &chain });
            check_android(&chain, &result);
            check_binding(vector, Evidence::AndroidKey { chain: &chain }, &result);
        }
        AttestationInput::Apple { key_id, object } => {
            let evidence = Evidence::AppleAppAttest {
                key_id,
                attestation_object: object,
            };
            let result = vector.verify(evidence);
            if object.len() > MAX_OBJECT_LEN {
                assert!(matches!(
                    result,
                    Err(AttestationError::Apple(AppleError::TooLarge))
                ));
            }
            check_binding(vector, evidence, &result);
        }
        AttestationInput::KeyDescription(der) => check_key_description(der),
    }
}

fn check_android(chain: &[Vec<u8>], result: &Result<Verified, AttestationError>) {
    let Err(AttestationError::Android(AndroidError::Chain(error))) = result else {
        assert!(!chain.is_empty(), "{result:?}");
        return;
    };
    let index = match *error {
        ChainError::Empty => return assert!(chain.is_empty()),
        ChainError::TooLong { len } => return assert_eq!(len, chain.len()),
        ChainError::TooLarge { index }
        | ChainError::Malformed { index }
        | ChainError::BadSignature { index }
        | ChainError::NotCa { index }
        | ChainError::Expired { index }
        | ChainError::NotYetValid { index } => index,
        ChainError::MalformedRoot { .. } => panic!("the vector's root is refused: {error}"),
        ChainError::UntrustedRoot => return,
    };
    assert!(index < chain.len(), "{error} in a chain of {}", chain.len());
}

/// Accepted evidence is the evidence of this challenge and this key, and nothing else.
fn check_binding(
    vector: &AttestationVector,
    evidence: Evidence<'_>,
    result: &Result<Verified, AttestationError>,
) {
    let Ok(verified) = result else { return };
    let mut challenge = vector.challenge.clone();
    challenge[0] ^= 1;
    let mut spki = vector.device_spki.clone();
    *spki.last_mut().expect("a key") ^= 1;
    for (challenge, spki) in [
        (&challenge, &vector.device_spki),
        (&vector.challenge, &spki),
    ] {
        let other = vector.verify_for(evidence, challenge, spki);
        assert!(other.is_err(), "accepted for another challenge or key");
    }
    assert_eq!(vector.verify(evidence).ok().as_ref(), Some(verified));
}

fn check_key_description(der: &[u8]) {
    let Ok(description) = key_description::parse(der) else {
        return;
    };
    assert!(description.attestation_challenge.len() <= MAX_CHALLENGE_LEN);
    assert!(description.unique_id.len() <= MAX_OCTETS_LEN);
    for list in [
        &description.software_enforced,
        &description.hardware_enforced,
    ] {
        let purposes = list.purpose.as_ref().map_or(0, Vec::len);
        assert!(purposes <= MAX_SET_LEN, "{purposes} purposes");
        let mut octets = Vec::new();
        if let Some(root) = &list.root_of_trust {
            octets.push(root.verified_boot_key);
            octets.extend(root.verified_boot_hash);
        }
        if let Some(application) = &list.attestation_application_id {
            assert!(application.package_infos.len() <= MAX_SET_LEN);
            assert!(application.signature_digests.len() <= MAX_SET_LEN);
            octets.extend(application.package_infos.iter().map(|p| p.package_name));
            octets.extend(&application.signature_digests);
        }
        assert!(octets.iter().all(|o| o.len() <= MAX_OCTETS_LEN));
    }
}
