//! Device authentication, invisible to callers.
//!
//! By default (protocol v1.1) every request carries a proof signed by the device key
//! over that request (`protocol::proof`): no round trip before the first request,
//! which is what a push opened on a cold phone waits for, and nothing a thief of the
//! traffic could reuse. The proof is dated in the server's time as the last answer
//! told it; a proof refused as stale is made again once, in the time that answer gave.
//!
//! For v1 backends ([`RequestAuth::BearerToken`]), a bearer token is obtained by
//! signing a server challenge with the device key, kept in memory only (zeroized on
//! drop, never on disk), and renewed shortly before it expires or when the backend
//! says it is no longer valid. One token fetch at a time: concurrent calls wait for it
//! instead of each signing a challenge.

use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;
use zeroize::Zeroizing;

use super::config::RequestAuth;
use super::error::{ClientError, HttpError};
use super::http::{Http, Outgoing, Request, Retry};
use crate::crypto::signer::{DeviceSigner, SignerError};
use crate::protocol::canonical::auth_bytes;
use crate::protocol::errors::ErrorCode;
use crate::protocol::proof::{body_sha256, RequestProof};
use crate::protocol::wire::{ChallengeRequest, ChallengeResponse, TokenRequest, TokenResponse};

/// Renew this long before the backend's expiry, so a token never expires in flight.
const RENEWAL_MARGIN: Duration = Duration::from_secs(15);

struct CachedToken {
    value: Zeroizing<String>,
    renew_after: Instant,
}

pub(crate) struct Auth {
    mode: RequestAuth,
    token: tokio::sync::Mutex<Option<CachedToken>>,
}

/// What the requests of one attempt are authenticated with.
pub(crate) enum Credential {
    /// A proof signed for each request (v1.1).
    Proof,
    /// A bearer token (v1).
    Bearer(Zeroizing<String>),
}

impl Credential {
    /// The `Authorization` header for `outgoing`, sent by `device_id`.
    pub fn authorization(
        &self,
        http: &Http,
        signer: &dyn DeviceSigner,
        device_id: &str,
        outgoing: &Outgoing<'_>,
    ) -> Result<Option<Zeroizing<String>>, ClientError> {
        let header = match self {
            Credential::Bearer(token) => format!("Bearer {}", token.as_str()),
            Credential::Proof => {
                sign_proof(signer, device_id, http.server_now(), outgoing)?.header_value()
            }
        };
        Ok(Some(Zeroizing::new(header)))
    }
}

/// A proof of `outgoing` by `device_id`, dated `timestamp`, with a fresh id.
fn sign_proof(
    signer: &dyn DeviceSigner,
    device_id: &str,
    timestamp: i64,
    outgoing: &Outgoing<'_>,
) -> Result<RequestProof, ClientError> {
    let mut id = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut id).map_err(|_| {
        SignerError::Failed {
            reason: "system random unavailable".into(),
        }
    })?;
    let mut proof = RequestProof {
        device_id: device_id.to_owned(),
        timestamp,
        proof_id: URL_SAFE_NO_PAD.encode(id),
        signature: String::new(),
    };
    let bytes = proof.signed_bytes(
        outgoing.method.as_str(),
        outgoing.target,
        &body_sha256(outgoing.body),
    );
    proof.signature = URL_SAFE_NO_PAD.encode(signer.sign(&bytes)?);
    Ok(proof)
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Auth(<token redacted>)")
    }
}

impl Auth {
    pub fn new(mode: RequestAuth) -> Auth {
        Auth {
            mode,
            token: tokio::sync::Mutex::new(None),
        }
    }

    /// What to authenticate the next attempt with; for v1, fetches a token first if
    /// the cached one is missing or about to expire.
    pub async fn credential(
        &self,
        http: &Http,
        signer: &dyn DeviceSigner,
        device_id: &str,
    ) -> Result<Credential, ClientError> {
        match self.mode {
            RequestAuth::DeviceProof => Ok(Credential::Proof),
            RequestAuth::BearerToken => Ok(Credential::Bearer(
                self.bearer(http, signer, device_id).await?,
            )),
        }
    }

    /// Whether requests carry proofs (v1.1) rather than bearer tokens.
    pub fn uses_proofs(&self) -> bool {
        self.mode == RequestAuth::DeviceProof
    }

    async fn bearer(
        &self,
        http: &Http,
        signer: &dyn DeviceSigner,
        device_id: &str,
    ) -> Result<Zeroizing<String>, ClientError> {
        let mut slot = self.token.lock().await;
        if let Some(token) = slot.as_ref().filter(|t| Instant::now() < t.renew_after) {
            return Ok(token.value.clone());
        }
        let fresh = fetch_token(http, signer, device_id).await?;
        let value = fresh.value.clone();
        *slot = Some(fresh);
        Ok(value)
    }

    pub async fn invalidate(&self) {
        *self.token.lock().await = None;
    }
}

async fn fetch_token(
    http: &Http,
    signer: &dyn DeviceSigner,
    device_id: &str,
) -> Result<CachedToken, ClientError> {
    let challenge_request = ChallengeRequest {
        device_id: device_id.to_owned(),
    };
    let challenge: ChallengeResponse = post(
        http,
        "/v1/auth/challenge",
        &challenge_request,
        Retry::Idempotent,
    )
    .await?;
    let signature = signer.sign(&auth_bytes(device_id, &challenge.challenge))?;
    let token_request = TokenRequest {
        device_id: device_id.to_owned(),
        challenge: challenge.challenge,
        signature: URL_SAFE_NO_PAD.encode(signature),
    };
    let token: TokenResponse = post(http, "/v1/auth/token", &token_request, Retry::Never).await?;
    let lifetime = Duration::from_secs(token.expires_in).saturating_sub(RENEWAL_MARGIN);
    tracing::debug!(lifetime_secs = lifetime.as_secs(), "device authenticated");
    Ok(CachedToken {
        value: Zeroizing::new(token.access_token),
        renew_after: Instant::now() + lifetime,
    })
}

/// One step of authentication; a refused challenge or device, at either step, is
/// [`ClientError::Unauthorized`].
async fn post<T: DeserializeOwned, B: Serialize>(
    http: &Http,
    path: &str,
    body: &B,
    retry: Retry,
) -> Result<T, ClientError> {
    let request = Request::post(path, Some(body), retry);
    http.send(&request).await.map_err(refused_as_unauthorized)
}

fn refused_as_unauthorized(error: HttpError) -> ClientError {
    match error {
        HttpError::Api {
            code: ErrorCode::InvalidChallenge | ErrorCode::Unauthorized,
            ..
        } => ClientError::Unauthorized,
        other => other.into(),
    }
}
