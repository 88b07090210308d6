//! Key attestation at enrollment (protocol.md §5.1.1, v1.2): the server's single-use
//! challenge and the evidence a phone sends with its enrollment.

use serde::{Deserialize, Serialize};

/// How a backend treats attestations, as told with each enrollment challenge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttestationPolicy {
    /// Attestations are ignored (protocol v1's behaviour, the default).
    #[default]
    Off,
    /// Devices without one enroll as unattested; one that is sent must verify.
    Optional,
    /// Only devices whose attestation verifies enroll.
    Required,
}

/// Answer `201` of `POST /v1/enrollment-challenges`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentChallenge {
    /// base64url of 32 random bytes, single use.
    pub challenge: String,
    /// When the challenge lapses, in Unix seconds (5 minutes after it was issued).
    pub expires_at: i64,
    /// Whether this backend wants an attestation.
    pub policy: AttestationPolicy,
}

/// The attestation of the enrolling key, in `EnrollRequest.attestation`. (Unknown
/// fields are refused by the statement: serde cannot deny them beside `flatten`.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationEvidence {
    /// The challenge of `POST /v1/enrollment-challenges` this evidence was made for.
    pub challenge: String,
    /// What the platform produced.
    #[serde(flatten)]
    pub statement: AttestationStatement,
}

/// The platform's own statement about the key, by format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "kebab-case", deny_unknown_fields)]
pub enum AttestationStatement {
    /// Android Key Attestation: the Keystore's certificate chain of the signing key,
    /// made with the challenge as attestation challenge; base64url DER, leaf first.
    AndroidKey {
        /// base64url DER certificates, leaf first.
        certificate_chain: Vec<String>,
    },
    /// iOS App Attest: the key id and attestation object of an App Attest key whose
    /// client data is `canonical::attestation_client_data(challenge, public_key)`.
    AppleAppattest {
        /// base64url of the key id (SHA-256 of the App Attest public key).
        key_id: String,
        /// base64url of the CBOR attestation object.
        attestation_object: String,
    },
}

/// What a backend recorded of a device's attestation, in the device list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceAttestationSummary {
    /// `android` or `ios`.
    pub platform: String,
    /// `strongbox`, `trusted_environment` or `secure_enclave`.
    pub security_level: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_is_tagged_by_format_beside_the_challenge() {
        let evidence = AttestationEvidence {
            challenge: "c".into(),
            statement: AttestationStatement::AppleAppattest {
                key_id: "k".into(),
                attestation_object: "o".into(),
            },
        };
        let json = serde_json::to_value(&evidence).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"challenge": "c", "format": "apple-appattest",
                               "key_id": "k", "attestation_object": "o"})
        );
        let android: AttestationEvidence = serde_json::from_value(serde_json::json!(
            {"challenge": "c", "format": "android-key", "certificate_chain": ["a", "b"]}
        ))
        .unwrap();
        assert_eq!(
            android.statement,
            AttestationStatement::AndroidKey {
                certificate_chain: vec!["a".into(), "b".into()]
            }
        );
    }

    #[test]
    fn an_unknown_field_or_format_in_an_attestation_is_refused() {
        let extra = serde_json::json!(
            {"challenge": "c", "format": "android-key", "certificate_chain": [], "x": 1}
        );
        assert!(serde_json::from_value::<AttestationEvidence>(extra).is_err());
        let unknown = serde_json::json!({"challenge": "c", "format": "tpm"});
        assert!(serde_json::from_value::<AttestationEvidence>(unknown).is_err());
    }
}
