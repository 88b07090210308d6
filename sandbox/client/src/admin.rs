//! The sandbox admin routes (protocol §10).

use std::collections::BTreeMap;

use cvconnect_core::amount::Amount;
use cvconnect_core::protocol::wire::{DeviceSummary, RevokeResponse};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{segment, ClientResult, Http, Recorder};

/// `GET /admin/accounts/{account}/devices`: the account's devices, none revoked,
/// with what their attestation proved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminDeviceList {
    pub devices: Vec<DeviceSummary>,
}

/// An account as the admin routes show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminAccount {
    pub account_id: String,
    pub email: String,
    pub account_number: String,
    pub balance: Amount,
    pub pin_length: u8,
    pub failed_attempts: u8,
    pub pin_locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationCode {
    pub code: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMerchant {
    pub merchant_id: String,
    pub name: String,
    pub api_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockState {
    /// Server time after the move (Unix seconds).
    pub now: i64,
    /// Total offset from the wall clock.
    pub offset_secs: i64,
}

/// One recorded push notification, with its FCM v1 message and APNs payload
/// (the JSON `xcrun simctl push <device> fr.ancv.cvconnect payload.json` accepts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushNotification {
    pub seq: i64,
    pub device_id: String,
    pub payment_id: String,
    pub message_id: String,
    pub push_token: Option<String>,
    pub created_at: i64,
    pub title: String,
    pub body: String,
    pub data: BTreeMap<String, String>,
    pub fcm: Value,
    pub apns: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushFeed {
    pub notifications: Vec<PushNotification>,
    /// The `after` to pass next time.
    pub next_after: i64,
    pub last_seq: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub seq: i64,
    pub payment_id: String,
    pub account_id: String,
    pub merchant_id: String,
    pub device_id: String,
    pub amount: Amount,
    pub balance_after: Amount,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub entries: Vec<LedgerEntry>,
    /// The sum of the debits, plain form with two decimals; it may exceed the largest
    /// amount, so it is text.
    pub total: String,
}

impl Ledger {
    /// The total in cents, when it is well formed.
    pub fn total_cents(&self) -> Option<u128> {
        let (euros, cents) = self.total.split_once('.')?;
        let ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !(ok(euros) && ok(cents) && cents.len() == 2) {
            return None;
        }
        Some(euros.parse::<u128>().ok()? * 100 + cents.parse::<u128>().ok()?)
    }
}

/// What an armed fault does to the requests of its route (`POST /admin/faults`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answers late, by the fault's `delay_ms`.
    Delay,
    /// Answers HTTP 500 without doing the work.
    Error,
    /// Does the work, commits it, then drops the connection unanswered.
    DropAfterCommit,
    /// Answers `404 not_found` without doing the work, as a backend older than the
    /// route does: for testing an app's fallback on older backends.
    Missing,
}

/// An armed fault, as `POST /admin/faults` echoes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultView {
    pub route: String,
    pub kind: FaultKind,
    pub delay_ms: u64,
    pub count: u32,
}

/// The sandbox admin routes (protocol §10), with the admin token.
#[derive(Debug, Clone)]
pub struct AdminClient {
    /// Sends the admin token with every call.
    http: Http,
}

impl AdminClient {
    pub fn new(
        http: reqwest::Client,
        base_url: impl Into<String>,
        admin_token: impl Into<String>,
    ) -> Self {
        AdminClient {
            http: Http::new(http, base_url).with_bearer(admin_token),
        }
    }

    /// The same client, keeping every raw answer in `recorder`.
    pub fn recorded_by(self, recorder: &Recorder) -> Self {
        AdminClient {
            http: self.http.recorded_by(recorder),
        }
    }

    /// `POST path` with a JSON body.
    async fn post<T: DeserializeOwned>(&self, path: &str, body: &Value) -> ClientResult<T> {
        self.http.call_json(Method::POST, path, None, body).await
    }

    /// `POST /admin/accounts`.
    pub async fn create_account(
        &self,
        email: &str,
        account_number: &str,
        balance: Amount,
        pin: &str,
    ) -> ClientResult<AdminAccount> {
        let body = json!({"email": email, "account_number": account_number,
                          "balance": balance.to_plain(), "pin": pin});
        self.post("/admin/accounts", &body).await
    }

    /// `GET /admin/accounts/{account}` (id, e-mail or account number).
    pub async fn account(&self, account: &str) -> ClientResult<AdminAccount> {
        let path = format!("/admin/accounts/{}", segment(account));
        self.http.call(Method::GET, &path, None).await
    }

    /// `PUT /admin/accounts/{account}/balance`.
    pub async fn set_balance(&self, account: &str, balance: Amount) -> ClientResult<AdminAccount> {
        let path = format!("/admin/accounts/{}/balance", segment(account));
        let body = json!({"balance": balance.to_plain()});
        self.http.call_json(Method::PUT, &path, None, &body).await
    }

    /// `POST /admin/accounts/{account}/unlock`: resets the wrong-PIN counter and lock.
    pub async fn unlock(&self, account: &str) -> ClientResult<AdminAccount> {
        let path = format!("/admin/accounts/{}/unlock", segment(account));
        self.http.call(Method::POST, &path, None).await
    }

    /// `GET /admin/accounts/{account}/devices`.
    pub async fn devices(&self, account: &str) -> ClientResult<AdminDeviceList> {
        let path = format!("/admin/accounts/{}/devices", segment(account));
        self.http.call(Method::GET, &path, None).await
    }

    /// `POST /admin/devices/{device_id}/revoke`: cuts a device off at once.
    pub async fn revoke_device(&self, device_id: &str) -> ClientResult<RevokeResponse> {
        let path = format!("/admin/devices/{}/revoke", segment(device_id));
        self.http.call(Method::POST, &path, None).await
    }

    /// `POST /admin/activation-codes`.
    pub async fn issue_activation_code(&self, email: &str) -> ClientResult<ActivationCode> {
        let body = json!({"email": email});
        self.post("/admin/activation-codes", &body).await
    }

    /// `POST /admin/merchants` with a random API key.
    pub async fn create_merchant(&self, name: &str) -> ClientResult<NewMerchant> {
        let body = json!({"name": name});
        self.post("/admin/merchants", &body).await
    }

    /// `POST /admin/merchants` with a chosen API key (sandbox extension).
    pub async fn create_merchant_with_key(
        &self,
        name: &str,
        api_key: &str,
    ) -> ClientResult<NewMerchant> {
        let body = json!({"name": name, "api_key": api_key});
        self.post("/admin/merchants", &body).await
    }

    /// `POST /admin/faults`: arms a fault on a route pattern
    /// (e.g. `/v1/payments/{payment_id}/confirm`) for `count` requests.
    pub async fn set_fault(
        &self,
        route: &str,
        kind: FaultKind,
        delay_ms: Option<u64>,
        count: u32,
    ) -> ClientResult<FaultView> {
        let mut body = json!({"route": route, "kind": kind, "count": count});
        if let Some(ms) = delay_ms {
            body["delay_ms"] = json!(ms);
        }
        self.post("/admin/faults", &body).await
    }

    /// `DELETE /admin/faults`.
    pub async fn clear_faults(&self) -> ClientResult<()> {
        self.http
            .send_empty(self.http.request(Method::DELETE, "/admin/faults", None))
            .await
    }

    /// `POST /admin/clock`: moves the server clock forward.
    pub async fn advance_clock(&self, secs: u64) -> ClientResult<ClockState> {
        let body = json!({"advance_secs": secs});
        self.post("/admin/clock", &body).await
    }

    /// `GET /admin/push-feed`: notifications after `after` (a `seq`), for one device
    /// or all, waiting up to `wait_ms` (30 s at most) for the first one.
    pub async fn push_feed(
        &self,
        device_id: Option<&str>,
        after: i64,
        wait_ms: u64,
    ) -> ClientResult<PushFeed> {
        let mut query: Vec<(&str, String)> = vec![
            ("after", after.to_string()),
            ("wait_ms", wait_ms.to_string()),
        ];
        if let Some(device_id) = device_id {
            query.push(("device_id", device_id.to_owned()));
        }
        let request = self.http.request(Method::GET, "/admin/push-feed", None);
        self.http.send(request.query(&query)).await
    }

    /// `GET /admin/ledger`: every debit.
    pub async fn ledger(&self) -> ClientResult<Ledger> {
        self.http.call(Method::GET, "/admin/ledger", None).await
    }
}
