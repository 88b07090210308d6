//! Enrollment (protocol §5.1): the activation code, the key's proof of possession and,
//! from v1.2, the key's attestation checked against the configured policy (§5.1.1).
//!
//! The attestation is verified before the database transaction (certificate chains are
//! CPU work that should not hold the connection), and applied inside it only after the
//! activation code and the proof passed, so a caller without a valid code learns
//! nothing about attestation. Every refusal of an attestation is the same
//! `attestation_refused`; its precise reason goes to the log.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{
    AttestationEvidence, AttestationStatement, EnrollRequest, EnrollResponse, EnrollmentChallenge,
};

// The verifiers' own bounds on untrusted input, applied before decoding.
use crate::attestation::apple::MAX_OBJECT_LEN;
use crate::attestation::{self, AttestationCheck, Evidence, Policy, MAX_CERT_LEN, MAX_CHAIN_LEN};
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::store::{activation, enrollment};
use crate::util::{b64url, b64url_decode, random_bytes};

pub const MAX_PUSH_TOKEN: usize = 4096;

/// `POST /v1/enrollment-challenges` (v1.2): a single-use challenge, and the policy.
pub async fn challenge(State(state): State<AppState>) -> ApiResult<Response> {
    let policy = state.config.attestation.policy;
    let challenge = random_bytes::<32>();
    let expires_at = state
        .transaction(move |tx, _, now| Ok(enrollment::issue(tx, &challenge, now)?))
        .await?
        .ok_or_else(|| {
            ApiError::rate_limited(60, "Trop de demandes. Veuillez réessayer dans une minute.")
        })?;
    let answer = EnrollmentChallenge {
        challenge: b64url(&challenge),
        expires_at,
        policy,
    };
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `POST /v1/devices`.
pub async fn enroll(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<EnrollRequest>,
) -> ApiResult<Response> {
    if req.activation_code.len() > 64 || req.email.len() > 320 {
        return Err(ApiError::new(ErrorCode::InvalidActivationCode));
    }
    let public_key = b64url_decode(&req.public_key)
        .filter(|k| k.len() <= 512)
        .ok_or_else(|| ApiError::validation("public_key"))?;
    let proof = b64url_decode(&req.proof)
        .filter(|p| p.len() <= 256)
        .ok_or_else(|| ApiError::validation("proof"))?;
    check_name_and_token(&req)?;
    let check = check_attestation(&state, req.attestation.as_ref(), &public_key);
    let device_id = state
        .transaction(move |tx, state, now| {
            let enrollment = activation::Enrollment {
                email: &req.email,
                activation_code: &req.activation_code,
                public_key: &public_key,
                push_token: req.push_token.as_deref(),
                platform: &req.platform,
                proof: &proof,
                name: req.name.as_deref(),
                attestation: &check,
                policy: state.config.attestation.policy,
            };
            let max_failures = state.config.limits.max_activation_failures;
            activation::enroll(tx, &state.secrets, &enrollment, max_failures, now)
        })
        .await??;
    tracing::info!(%device_id, "device enrolled");
    let enrolled = EnrollResponse {
        device_id,
        pin_length: state.config.pin_length,
    };
    Ok((StatusCode::CREATED, Json(enrolled)).into_response())
}

fn check_name_and_token(req: &EnrollRequest) -> ApiResult<()> {
    if req
        .name
        .as_ref()
        .is_some_and(|name| name.chars().count() > 64 || name.chars().any(char::is_control))
    {
        return Err(ApiError::validation("name"));
    }
    if req
        .push_token
        .as_ref()
        .is_some_and(|t| t.is_empty() || t.len() > MAX_PUSH_TOKEN)
    {
        return Err(ApiError::validation("push_token"));
    }
    Ok(())
}

/// Verifies the attestation sent, if the policy looks at it.
fn check_attestation(
    state: &AppState,
    evidence: Option<&AttestationEvidence>,
    public_key: &[u8],
) -> AttestationCheck {
    let config = &state.config.attestation;
    let (Some(evidence), false) = (evidence, config.policy == Policy::Off) else {
        return AttestationCheck::Absent;
    };
    let Some(challenge) = b64url_decode(&evidence.challenge).filter(|c| c.len() <= 64) else {
        tracing::warn!("attestation refused: malformed challenge");
        return AttestationCheck::Checked {
            challenge: Vec::new(),
            verified: None,
        };
    };
    let verified = match decode_statement(&evidence.statement) {
        Some(decoded) => {
            let result = attestation::verify(
                config,
                decoded.evidence(),
                &challenge,
                public_key,
                state.now(),
            );
            result
                .inspect_err(|reason| tracing::warn!(%reason, "attestation refused"))
                .ok()
        }
        None => {
            tracing::warn!("attestation refused: malformed statement");
            None
        }
    };
    AttestationCheck::Checked {
        challenge,
        verified,
    }
}

/// A statement's base64url fields, decoded within bounds.
enum Decoded {
    Android(Vec<Vec<u8>>),
    Apple(Vec<u8>, Vec<u8>),
}

impl Decoded {
    fn evidence(&self) -> Evidence<'_> {
        match self {
            Decoded::Android(chain) => Evidence::AndroidKey { chain },
            Decoded::Apple(key_id, object) => Evidence::AppleAppAttest {
                key_id,
                attestation_object: object,
            },
        }
    }
}

fn decode_statement(statement: &AttestationStatement) -> Option<Decoded> {
    let bounded = |text: &str, max: usize| b64url_decode(text).filter(|b| b.len() <= max);
    match statement {
        AttestationStatement::AndroidKey { certificate_chain } => {
            if certificate_chain.len() > MAX_CHAIN_LEN {
                return None;
            }
            let chain = certificate_chain
                .iter()
                .map(|der| bounded(der, MAX_CERT_LEN))
                .collect::<Option<Vec<_>>>()?;
            Some(Decoded::Android(chain))
        }
        AttestationStatement::AppleAppattest {
            key_id,
            attestation_object,
        } => Some(Decoded::Apple(
            bounded(key_id, 64)?,
            bounded(attestation_object, MAX_OBJECT_LEN)?,
        )),
    }
}
