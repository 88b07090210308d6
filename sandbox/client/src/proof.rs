//! Requests authenticated by request proofs (protocol v1.1, §5.2), made by hand, for
//! tests that must send a genuine proof, then replay, re-date or re-target it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cvconnect_core::crypto::signer::{DeviceSigner, SoftwareSigner};
use cvconnect_core::protocol::proof::{body_sha256, RequestProof, SERVER_TIME_HEADER};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;

use crate::beneficiary::{BeneficiaryClient, SoftDevice};
use crate::{ClientError, ClientResult};

/// One request as it goes on the wire: what a proof covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireRequest {
    pub method: Method,
    /// Path and query.
    pub target: String,
    /// Empty for a request without a body.
    pub body: Vec<u8>,
}

impl WireRequest {
    pub fn get(target: &str) -> WireRequest {
        WireRequest {
            method: Method::GET,
            target: target.to_owned(),
            body: Vec::new(),
        }
    }

    pub fn post_json(target: &str, body: &impl serde::Serialize) -> WireRequest {
        WireRequest {
            method: Method::POST,
            target: target.to_owned(),
            body: serde_json::to_vec(body).expect("a JSON body"),
        }
    }
}

/// What the sandbox answered, raw.
#[derive(Debug, Clone)]
pub struct RawAnswer {
    pub status: u16,
    /// The sandbox's clock (`CVC-Server-Time`), when it said.
    pub server_time: Option<i64>,
    pub body: Vec<u8>,
}

/// A proof of `request` claiming to come from `device_id`, signed by `signer`, dated
/// `timestamp`, with a fresh random id.
pub fn prove(
    signer: &SoftwareSigner,
    device_id: &str,
    request: &WireRequest,
    timestamp: i64,
) -> ClientResult<RequestProof> {
    let mut proof = RequestProof {
        device_id: device_id.to_owned(),
        timestamp,
        proof_id: crate::util::new_id(""),
        signature: String::new(),
    };
    let bytes = proof.signed_bytes(
        request.method.as_str(),
        &request.target,
        &body_sha256(&request.body),
    );
    let signature = signer
        .sign(&bytes)
        .map_err(|e| ClientError::Local(e.to_string()))?;
    proof.signature = URL_SAFE_NO_PAD.encode(signature);
    Ok(proof)
}

impl SoftDevice {
    /// A genuine proof of `request` by this device, dated `timestamp`.
    pub fn prove(&self, request: &WireRequest, timestamp: i64) -> ClientResult<RequestProof> {
        prove(&self.signer, &self.device_id, request, timestamp)
    }
}

impl BeneficiaryClient {
    /// Sends `request` with `proof` as its `Authorization`, and an `Idempotency-Key`
    /// when given; the answer as it came.
    pub async fn send_proven(
        &self,
        request: &WireRequest,
        proof: &RequestProof,
        idempotency_key: Option<&str>,
    ) -> ClientResult<RawAnswer> {
        let mut builder = self
            .http
            .request(request.method.clone(), &request.target, None)
            .header(AUTHORIZATION, proof.header_value());
        if !request.body.is_empty() {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(request.body.clone());
        }
        if let Some(key) = idempotency_key {
            builder = builder.header("Idempotency-Key", key);
        }
        let response = builder.send().await?;
        let status = response.status().as_u16();
        let server_time = response
            .headers()
            .get(SERVER_TIME_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let body = response.bytes().await?.to_vec();
        Ok(RawAnswer {
            status,
            server_time,
            body,
        })
    }
}
