//! The beneficiary API (protocol §5) and a software device that uses it.

use cvconnect_core::amount::Amount;
use cvconnect_core::crypto::confirmation::sign_confirmation;
use cvconnect_core::crypto::signer::{DeviceSigner, SoftwareSigner};
use cvconnect_core::pin::Pin;
use cvconnect_core::protocol::canonical::{auth_bytes, enrollment_bytes};
use cvconnect_core::protocol::wire::{
    AbandonRequest, AbandonResponse, BalanceResponse, ChallengeRequest, ChallengeResponse,
    ConfirmRequest, ConfirmResponse, DeclineResponse, EnrollRequest, EnrollResponse,
    EnrollmentChallenge, PaymentDetail, PaymentList, Platform, PushTokenRequest, TokenRequest,
    TokenResponse,
};
use reqwest::Method;

use super::{segment, ClientError, ClientResult, Http, Recorder};
use crate::util::{b64url, new_id};

/// The beneficiary API (protocol §5), one call per route, no state.
#[derive(Debug, Clone)]
pub struct BeneficiaryClient {
    pub(crate) http: Http,
}

impl BeneficiaryClient {
    pub fn new(http: reqwest::Client, base_url: impl Into<String>) -> Self {
        BeneficiaryClient {
            http: Http::new(http, base_url),
        }
    }

    /// The same client, keeping every raw answer in `recorder`.
    pub fn recorded_by(self, recorder: &Recorder) -> Self {
        BeneficiaryClient {
            http: self.http.recorded_by(recorder),
        }
    }

    pub async fn enroll(&self, request: &EnrollRequest) -> ClientResult<EnrollResponse> {
        self.http
            .call_json(Method::POST, "/v1/devices", None, request)
            .await
    }

    /// `POST /v1/enrollment-challenges` (v1.2).
    pub async fn enrollment_challenge(&self) -> ClientResult<EnrollmentChallenge> {
        self.http
            .call(Method::POST, "/v1/enrollment-challenges", None)
            .await
    }

    pub async fn challenge(&self, device_id: &str) -> ClientResult<ChallengeResponse> {
        let body = ChallengeRequest {
            device_id: device_id.to_owned(),
        };
        self.http
            .call_json(Method::POST, "/v1/auth/challenge", None, &body)
            .await
    }

    pub async fn token(&self, request: &TokenRequest) -> ClientResult<TokenResponse> {
        self.http
            .call_json(Method::POST, "/v1/auth/token", None, request)
            .await
    }

    pub async fn set_push_token(&self, token: &str, push_token: &str) -> ClientResult<()> {
        let body = PushTokenRequest {
            push_token: push_token.to_owned(),
        };
        let path = "/v1/devices/me/push-token";
        let request = self.http.request(Method::PUT, path, Some(token));
        self.http.send_empty(request.json(&body)).await
    }

    pub async fn balance(&self, token: &str) -> ClientResult<BalanceResponse> {
        self.http
            .call(Method::GET, "/v1/balance", Some(token))
            .await
    }

    /// `GET /v1/payments[?status=pending]`: the first page, of the server's default size.
    pub async fn payments(&self, token: &str, pending_only: bool) -> ClientResult<PaymentList> {
        self.payments_page(token, pending_only, None, None).await
    }

    /// `GET /v1/payments` with `limit` and `cursor` (protocol §5.5).
    pub async fn payments_page(
        &self,
        token: &str,
        pending_only: bool,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> ClientResult<PaymentList> {
        let mut query: Vec<(&str, String)> = Vec::new();
        if pending_only {
            query.push(("status", "pending".into()));
        }
        if let Some(limit) = limit {
            query.push(("limit", limit.to_string()));
        }
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor.to_owned()));
        }
        let request = self.http.request(Method::GET, "/v1/payments", Some(token));
        self.http.send(request.query(&query)).await
    }

    pub async fn payment(&self, token: &str, payment_id: &str) -> ClientResult<PaymentDetail> {
        let path = format!("/v1/payments/{}", segment(payment_id));
        self.http.call(Method::GET, &path, Some(token)).await
    }

    /// `POST /v1/payments/{id}/confirm`, with the `Idempotency-Key` header set from the body.
    pub async fn confirm(
        &self,
        token: &str,
        payment_id: &str,
        request: &ConfirmRequest,
    ) -> ClientResult<ConfirmResponse> {
        let path = format!("/v1/payments/{}/confirm", segment(payment_id));
        let builder = self
            .http
            .request(Method::POST, &path, Some(token))
            .header("Idempotency-Key", &request.idempotency_key)
            .json(request);
        self.http.send(builder).await
    }

    pub async fn decline(&self, token: &str, payment_id: &str) -> ClientResult<DeclineResponse> {
        let path = format!("/v1/payments/{}/decline", segment(payment_id));
        self.http.call(Method::POST, &path, Some(token)).await
    }

    /// `POST /v1/payments/{id}/abandon` (v1.3): fences the confirmation sent under `key`.
    pub async fn abandon(
        &self,
        token: &str,
        payment_id: &str,
        key: &str,
    ) -> ClientResult<AbandonResponse> {
        let path = format!("/v1/payments/{}/abandon", segment(payment_id));
        let body = AbandonRequest {
            idempotency_key: key.to_owned(),
        };
        let builder = self
            .http
            .request(Method::POST, &path, Some(token))
            .json(&body);
        self.http.send(builder).await
    }
}

/// A software beneficiary device: a P-256 key in memory, its device id and token.
pub struct SoftDevice {
    pub api: BeneficiaryClient,
    pub signer: SoftwareSigner,
    pub device_id: String,
    pub access_token: String,
    pub pin_length: u8,
}

impl std::fmt::Debug for SoftDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftDevice")
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

fn local(e: impl std::fmt::Display) -> ClientError {
    ClientError::Local(e.to_string())
}

impl SoftDevice {
    /// Generates a key, enrolls with `activation_code` and authenticates.
    pub async fn enroll(
        api: BeneficiaryClient,
        email: &str,
        activation_code: &str,
        push_token: Option<&str>,
    ) -> ClientResult<SoftDevice> {
        let signer = SoftwareSigner::generate().map_err(local)?;
        let public_key = signer.public_key().map_err(local)?;
        let proof = signer
            .sign(&enrollment_bytes(email, activation_code, &public_key))
            .map_err(local)?;
        let enrolled = api
            .enroll(&EnrollRequest {
                email: email.to_owned(),
                activation_code: activation_code.to_owned(),
                public_key: b64url(&public_key),
                push_token: push_token.map(str::to_owned),
                platform: Platform::Other,
                proof: b64url(&proof),
                name: None,
                attestation: None,
            })
            .await?;
        let mut device = SoftDevice {
            api,
            signer,
            device_id: enrolled.device_id,
            access_token: String::new(),
            pin_length: enrolled.pin_length,
        };
        device.authenticate().await?;
        Ok(device)
    }

    /// Challenge, signature, new bearer token.
    pub async fn authenticate(&mut self) -> ClientResult<()> {
        let challenge = self.api.challenge(&self.device_id).await?;
        let signature = self
            .signer
            .sign(&auth_bytes(&self.device_id, &challenge.challenge))
            .map_err(local)?;
        let token = self
            .api
            .token(&TokenRequest {
                device_id: self.device_id.clone(),
                challenge: challenge.challenge,
                signature: b64url(&signature),
            })
            .await?;
        self.access_token = token.access_token;
        Ok(())
    }

    pub async fn balance(&self) -> ClientResult<Amount> {
        Ok(self.api.balance(&self.access_token).await?.balance)
    }

    pub async fn payment(&self, payment_id: &str) -> ClientResult<PaymentDetail> {
        self.api.payment(&self.access_token, payment_id).await
    }

    /// Builds a signed confirm request for `detail` (its current nonce), paying `amount`
    /// with `pin`, under `idempotency_key`.
    pub fn confirm_request(
        &self,
        detail: &PaymentDetail,
        amount: Amount,
        pin: &str,
        idempotency_key: &str,
    ) -> ClientResult<ConfirmRequest> {
        let pin = Pin::from_digits(pin).ok_or_else(|| local("PIN must be digits"))?;
        sign_confirmation(
            detail,
            amount,
            &self.device_id,
            pin,
            &self.signer,
            idempotency_key.to_owned(),
        )
        .map_err(local)
    }

    /// Reads the payment, then confirms it with a fresh idempotency key.
    pub async fn pay(
        &self,
        payment_id: &str,
        amount: Amount,
        pin: &str,
    ) -> ClientResult<ConfirmResponse> {
        let detail = self.payment(payment_id).await?;
        let key = new_id("idem_");
        let request = self.confirm_request(&detail, amount, pin, &key)?;
        self.api
            .confirm(&self.access_token, payment_id, &request)
            .await
    }

    pub async fn confirm(
        &self,
        payment_id: &str,
        request: &ConfirmRequest,
    ) -> ClientResult<ConfirmResponse> {
        self.api
            .confirm(&self.access_token, payment_id, request)
            .await
    }

    pub async fn decline(&self, payment_id: &str) -> ClientResult<DeclineResponse> {
        self.api.decline(&self.access_token, payment_id).await
    }

    pub async fn abandon(&self, payment_id: &str, key: &str) -> ClientResult<AbandonResponse> {
        self.api.abandon(&self.access_token, payment_id, key).await
    }
}
