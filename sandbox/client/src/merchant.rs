//! The merchant API (protocol §8).

use cvconnect_core::amount::Amount;
use cvconnect_core::protocol::wire::MerchantPayment;
use reqwest::Method;
use serde_json::json;

use super::{segment, ClientResult, Http, Recorder};

/// The merchant API (protocol §8) with one API key.
#[derive(Debug, Clone)]
pub struct MerchantClient {
    /// Sends the API key with every call.
    http: Http,
}

impl MerchantClient {
    pub fn new(
        http: reqwest::Client,
        base_url: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Self {
        MerchantClient {
            http: Http::new(http, base_url).with_bearer(api_key),
        }
    }

    /// The same client, keeping every raw answer in `recorder`.
    pub fn recorded_by(self, recorder: &Recorder) -> Self {
        MerchantClient {
            http: self.http.recorded_by(recorder),
        }
    }

    /// `POST /v1/merchant/payment-requests`.
    pub async fn create_payment(
        &self,
        account: &str,
        total: Amount,
        order_ref: Option<&str>,
    ) -> ClientResult<MerchantPayment> {
        self.create(account, total, order_ref, None).await
    }

    /// `POST /v1/merchant/payment-requests` with an `Idempotency-Key`: a retry with the
    /// same key and body gets the first answer, and creates nothing.
    pub async fn create_payment_with_key(
        &self,
        account: &str,
        total: Amount,
        order_ref: Option<&str>,
        idempotency_key: &str,
    ) -> ClientResult<MerchantPayment> {
        self.create(account, total, order_ref, Some(idempotency_key))
            .await
    }

    async fn create(
        &self,
        account: &str,
        total: Amount,
        order_ref: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> ClientResult<MerchantPayment> {
        let mut body = json!({"account": account, "total": total.to_plain()});
        if let Some(order_ref) = order_ref {
            body["order_ref"] = json!(order_ref);
        }
        let mut request = self
            .http
            .request(Method::POST, "/v1/merchant/payment-requests", None)
            .json(&body);
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        self.http.send(request).await
    }

    /// `GET /v1/merchant/payment-requests/{id}`.
    pub async fn payment(&self, id: &str) -> ClientResult<MerchantPayment> {
        let path = format!("/v1/merchant/payment-requests/{}", segment(id));
        self.http.call(Method::GET, &path, None).await
    }

    /// `POST /v1/merchant/payment-requests/{id}/cancel`.
    pub async fn cancel(&self, id: &str) -> ClientResult<MerchantPayment> {
        let path = format!("/v1/merchant/payment-requests/{}/cancel", segment(id));
        self.http.call(Method::POST, &path, None).await
    }
}
