//! Device authentication, invisible to callers.
//!
//! A bearer token is obtained by signing a server challenge with the device key, kept
//! in memory only (zeroized on drop, never on disk), and renewed shortly before it
//! expires or when the backend says it is no longer valid. One token fetch at a time:
//! concurrent calls wait for it instead of each signing a challenge.

use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;
use zeroize::Zeroizing;

use super::error::{ClientError, HttpError};
use super::http::{Http, Request, Retry};
use crate::crypto::signer::DeviceSigner;
use crate::protocol::canonical::auth_bytes;
use crate::protocol::errors::ErrorCode;
use crate::protocol::wire::{ChallengeRequest, ChallengeResponse, TokenRequest, TokenResponse};

/// Renew this long before the backend's expiry, so a token never expires in flight.
const RENEWAL_MARGIN: Duration = Duration::from_secs(15);

struct CachedToken {
    value: Zeroizing<String>,
    renew_after: Instant,
}

#[derive(Default)]
pub(crate) struct Auth {
    token: tokio::sync::Mutex<Option<CachedToken>>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Auth(<token redacted>)")
    }
}

impl Auth {
    pub async fn bearer(
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
