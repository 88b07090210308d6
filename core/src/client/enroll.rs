//! Enrollment (protocol.md §5.1): the activation code, the device key's proof of
//! possession and, when the backend wants one (v1.2), the key's attestation.
//!
//! The attestation step costs one request before enrollment, once in a device's life:
//! the backend's single-use challenge, which also tells its policy. A backend of protocol
//! v1 answers `404` and the enrollment goes on without it, as does one whose policy is
//! `off`, or a signer that cannot attest (its backend then decides: `optional` enrolls
//! it as unattested, `required` refuses it with `attestation_required`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::http::{Request, Retry};
use super::store::DeviceRecord;
use super::{mask_email, now_unix, Client, ClientError, EnrolledDevice, HttpError};
use crate::crypto::DeviceAttestation;
use crate::protocol::canonical::enrollment_bytes;
use crate::protocol::errors::ErrorCode;
use crate::protocol::wire::{
    AttestationEvidence, AttestationPolicy, AttestationStatement, EnrollRequest, EnrollResponse,
    EnrollmentChallenge, Platform,
};

const CHALLENGE_PATH: &str = "/v1/enrollment-challenges";

impl Client {
    /// Enrolls this device with the one-time activation code issued for `email`.
    pub async fn enroll(
        &self,
        email: &str,
        activation_code: &str,
        push_token: Option<String>,
        platform: Platform,
    ) -> Result<EnrolledDevice, ClientError> {
        self.enroll_named(email, activation_code, push_token, platform, None)
            .await
    }

    /// [`Client::enroll`], with the name the user chose for this phone, shown in the
    /// account's device list (at most 64 characters).
    pub async fn enroll_named(
        &self,
        email: &str,
        activation_code: &str,
        push_token: Option<String>,
        platform: Platform,
        name: Option<String>,
    ) -> Result<EnrolledDevice, ClientError> {
        if self.inner.store.device()?.is_some() {
            return Err(ClientError::AlreadyEnrolled);
        }
        // Before the public key: an Android signer creates its key for the challenge.
        let attestation = self.attestation().await?;
        let public_key = self.inner.signer.public_key()?;
        let proof =
            self.inner
                .signer
                .sign(&enrollment_bytes(email, activation_code, &public_key))?;
        let request = EnrollRequest {
            email: email.trim().to_owned(),
            activation_code: activation_code.trim().to_owned(),
            public_key: URL_SAFE_NO_PAD.encode(&public_key),
            push_token,
            platform,
            proof: URL_SAFE_NO_PAD.encode(proof),
            name: name.map(|name| name.trim().chars().take(64).collect()),
            attestation,
        };
        let response: EnrollResponse = self
            .inner
            .http
            .send(&Request::post("/v1/devices", Some(&request), Retry::Never))
            .await?;
        let email = email.trim().to_lowercase();
        let record = DeviceRecord {
            device_id: response.device_id.clone(),
            public_key,
            email: email.clone(),
        };
        self.inner.store.save_device(&record, now_unix())?;
        tracing::info!(email = %mask_email(&email), "device enrolled");
        Ok(EnrolledDevice {
            device_id: response.device_id,
            email_masked: mask_email(&email),
        })
    }

    /// The key's attestation for a fresh challenge, when the backend wants one and the
    /// signer can make it.
    async fn attestation(&self) -> Result<Option<AttestationEvidence>, ClientError> {
        let Some(challenge) = self.enrollment_challenge().await? else {
            return Ok(None);
        };
        if challenge.policy == AttestationPolicy::Off {
            return Ok(None);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(&challenge.challenge)
            .ok()
            .filter(|bytes| (16..=64).contains(&bytes.len()))
            .ok_or_else(|| HttpError::Protocol {
                detail: "invalid enrollment challenge".into(),
            })?;
        let attestation = self.inner.signer.attest(&bytes)?;
        Ok(attestation.map(|attestation| AttestationEvidence {
            challenge: challenge.challenge,
            statement: statement(attestation),
        }))
    }

    /// The backend's enrollment challenge; `None` from a backend of protocol v1.
    async fn enrollment_challenge(&self) -> Result<Option<EnrollmentChallenge>, ClientError> {
        let request = Request::<()>::post(CHALLENGE_PATH, None, Retry::Idempotent);
        match self.inner.http.send(&request).await {
            Ok(challenge) => Ok(Some(challenge)),
            Err(HttpError::Api {
                code: ErrorCode::NotFound,
                ..
            }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }
}

fn statement(attestation: DeviceAttestation) -> AttestationStatement {
    match attestation {
        DeviceAttestation::AndroidKey { certificate_chain } => AttestationStatement::AndroidKey {
            certificate_chain: certificate_chain
                .iter()
                .map(|der| URL_SAFE_NO_PAD.encode(der))
                .collect(),
        },
        DeviceAttestation::AppleAppAttest {
            key_id,
            attestation_object,
        } => AttestationStatement::AppleAppattest {
            key_id: URL_SAFE_NO_PAD.encode(key_id),
            attestation_object: URL_SAFE_NO_PAD.encode(attestation_object),
        },
    }
}
