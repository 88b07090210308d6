//! Protocol attacks against the sandbox: each is refused with the protocol's error code
//! and HTTP status, and nothing is debited (ledger entries of the payment and the
//! account's balance are checked after every attempt).
//!
//! The attacker is a [`SoftDevice`] making raw protocol calls: it can build a genuine
//! signed request with `confirm_request` and then change it, sign with the wrong key,
//! replay, or use the wrong token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cvconnect_core::amount::Amount;
use cvconnect_core::crypto::seal::SealedPin;
use cvconnect_core::crypto::signer::DeviceSigner;
use cvconnect_core::protocol::canonical::ConfirmationFields;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{ConfirmResponse, ErrorInfo, PaymentDetail, PaymentStatus};
use cvconnect_e2e::{eur, Harness, TestAccount, PIN};
use cvconnect_sandbox_client::{ClientError, SoftDevice};
use serde_json::Value;

struct Victim {
    h: Harness,
    account: TestAccount,
    device: SoftDevice,
}

async fn victim(balance: &str) -> Victim {
    let h = Harness::start().await;
    let account = h.account(balance).await;
    let device = h.soft_device(&account).await;
    Victim { h, account, device }
}

impl Victim {
    async fn request(&self, total: &str) -> (String, PaymentDetail) {
        let id = self.h.create_payment(&self.account, total).await;
        let detail = self.device.payment(&id).await.unwrap();
        (id, detail)
    }

    /// Nothing was debited for `payment_id`, the balance is `balance` and the merchant
    /// sees `status`.
    async fn assert_untouched(&self, payment_id: &str, balance: &str, status: PaymentStatus) {
        assert_eq!(
            self.h.debits_for(payment_id).await,
            0,
            "ledger of {payment_id}"
        );
        assert_eq!(self.h.balance_of(&self.account).await, eur(balance));
        assert_eq!(self.device.balance().await.unwrap(), eur(balance));
        assert_eq!(self.h.merchant_status(payment_id).await, status);
    }

    /// Resets the wrong-attempt counter, so that every attack starts from three.
    async fn unlock(&self) {
        self.h.unlock(&self.account).await;
    }
}

/// The call failed with `code`, at the HTTP status the protocol gives it.
fn refused<T: std::fmt::Debug>(result: Result<T, ClientError>, code: ErrorCode) -> ErrorInfo {
    let error = result.expect_err("the sandbox must refuse");
    assert_eq!(error.code(), Some(code), "{error}");
    assert_eq!(error.status(), Some(code.http_status()), "{error}");
    let info = error.info().unwrap().clone();
    assert!(!info.message.is_empty());
    info
}

fn key(name: &str) -> String {
    format!("idem_attack_{name}_0001")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amount_changed_after_signing_is_refused() {
    let v = victim("200.00").await;
    let (id, detail) = v.request("150.00").await;

    // Signed for 40.00, sent for 150.00.
    let mut request = v
        .device
        .confirm_request(&detail, eur("40.00"), PIN, &key("amount_up"))
        .unwrap();
    request.amount = eur("150.00");
    let info = refused(
        v.device.confirm(&id, &request).await,
        ErrorCode::AuthenticationFailed,
    );
    assert_eq!(info.attempts_left, Some(2));
    v.assert_untouched(&id, "200.00", PaymentStatus::Pending)
        .await;

    // Signed for 150.00, sent for 40.00.
    let detail = v.device.payment(&id).await.unwrap();
    let mut request = v
        .device
        .confirm_request(&detail, eur("150.00"), PIN, &key("amount_down"))
        .unwrap();
    request.amount = eur("40.00");
    refused(
        v.device.confirm(&id, &request).await,
        ErrorCode::AuthenticationFailed,
    );
    v.assert_untouched(&id, "200.00", PaymentStatus::Pending)
        .await;

    // The same device, honest, pays once: the refusals were about the tampering.
    v.unlock().await;
    let paid = v.device.pay(&id, eur("40.00"), PIN).await.unwrap();
    assert_eq!(paid.balance, eur("160.00"));
    assert_eq!(v.h.debits_for(&id).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payee_changed_before_signing_is_refused() {
    let v = victim("200.00").await;
    let (id, detail) = v.request("150.00").await;
    let pirate =
        v.h.admin()
            .create_merchant("Boutique Pirate")
            .await
            .unwrap();

    // What the device was shown (and signed) is not what the sandbox recorded.
    for (name, payee_id, payee_name) in [
        ("payee_name", detail.payee.id.clone(), pirate.name.clone()),
        (
            "payee_id",
            pirate.merchant_id.clone(),
            detail.payee.name.clone(),
        ),
    ] {
        let mut shown = v.device.payment(&id).await.unwrap();
        shown.payee.id = payee_id;
        shown.payee.name = payee_name;
        let request = v
            .device
            .confirm_request(&shown, eur("150.00"), PIN, &key(name))
            .unwrap();
        refused(
            v.device.confirm(&id, &request).await,
            ErrorCode::AuthenticationFailed,
        );
        v.assert_untouched(&id, "200.00", PaymentStatus::Pending)
            .await;
        v.unlock().await;
    }
    assert_eq!(detail.payee.name, "Boutique Démo");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nonce_changed_after_signing_is_refused() {
    let v = victim("200.00").await;
    let (id, detail) = v.request("100.00").await;
    let (other_id, other) = v.request("100.00").await;

    // Another payment's live nonce, or a made-up one: not this payment's nonce.
    for (name, nonce) in [
        ("other_nonce", other.nonce.clone()),
        ("random_nonce", "A".repeat(43)),
    ] {
        let mut request = v
            .device
            .confirm_request(&detail, eur("100.00"), PIN, &key(name))
            .unwrap();
        request.nonce = nonce;
        refused(v.device.confirm(&id, &request).await, ErrorCode::NonceUsed);
        v.assert_untouched(&id, "200.00", PaymentStatus::Pending)
            .await;
    }
    // Nonce refusals are not PIN attempts.
    assert_eq!(v.device.payment(&id).await.unwrap().attempts_left, 3);

    // Signed over the old nonce, sent with the current one (renewed by a failed try).
    let stale = v
        .device
        .confirm_request(&detail, eur("100.00"), PIN, &key("stale_nonce"))
        .unwrap();
    refused(
        v.device.pay(&id, eur("100.00"), "0000").await,
        ErrorCode::AuthenticationFailed,
    );
    let current = v.device.payment(&id).await.unwrap();
    assert_ne!(current.nonce, detail.nonce);
    let mut request = stale;
    request.nonce = current.nonce;
    let info = refused(
        v.device.confirm(&id, &request).await,
        ErrorCode::AuthenticationFailed,
    );
    assert_eq!(info.attempts_left, Some(1));
    v.assert_untouched(&id, "200.00", PaymentStatus::Pending)
        .await;
    v.assert_untouched(&other_id, "200.00", PaymentStatus::Pending)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expiry_changed_before_signing_is_refused() {
    let v = victim("200.00").await;
    let (id, mut detail) = v.request("100.00").await;
    detail.expires_at += 3_600;
    let request = v
        .device
        .confirm_request(&detail, eur("100.00"), PIN, &key("expiry"))
        .unwrap();
    refused(
        v.device.confirm(&id, &request).await,
        ErrorCode::AuthenticationFailed,
    );
    v.assert_untouched(&id, "200.00", PaymentStatus::Pending)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_by_another_enrolled_device_is_refused() {
    let v = victim("200.00").await;
    let sibling = v.h.soft_device(&v.account).await;
    let stranger_account = v.h.account("200.00").await;
    let stranger = v.h.soft_device(&stranger_account).await;
    let (id, _) = v.request("100.00").await;

    // Another device of the same account, another account's device; each signs with
    // its own key, once naming itself and once naming the victim's device.
    for (name, signer) in [("sibling", &sibling), ("stranger", &stranger)] {
        for claims_victim in [false, true] {
            let detail = v.device.payment(&id).await.unwrap();
            let request = if claims_victim {
                forged_confirm(
                    signer,
                    &v.device.device_id,
                    &detail,
                    &key(&format!("{name}_forged")),
                )
            } else {
                signer
                    .confirm_request(&detail, eur("100.00"), PIN, &key(name))
                    .unwrap()
            };
            // Sent with the victim's token: the sandbox checks the victim's key.
            refused(
                v.device.confirm(&id, &request).await,
                ErrorCode::AuthenticationFailed,
            );
            v.assert_untouched(&id, "200.00", PaymentStatus::Pending)
                .await;
            v.unlock().await;
        }
    }
    assert_eq!(
        v.h.balance_of(&stranger_account).await,
        eur("200.00"),
        "the stranger's account is untouched too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_confirmation_debits_once() {
    let v = victim("200.00").await;
    let (id, detail) = v.request("100.00").await;
    let request = v
        .device
        .confirm_request(&detail, eur("100.00"), PIN, &key("replay"))
        .unwrap();
    let first: ConfirmResponse = v.device.confirm(&id, &request).await.unwrap();

    // Same key: the same answer, no second debit.
    for _ in 0..3 {
        assert_eq!(v.device.confirm(&id, &request).await.unwrap(), first);
    }
    // Same body under a new key: the payment is no longer pending.
    let mut again = request.clone();
    again.idempotency_key = key("replay_new_key");
    let info = refused(
        v.device.confirm(&id, &again).await,
        ErrorCode::PaymentNotPending,
    );
    assert_eq!(info.status, Some(PaymentStatus::Authorised));
    // Same key, another body: a conflict, not a second attempt.
    let mut conflict = request.clone();
    conflict.amount = eur("99.00");
    refused(
        v.device.confirm(&id, &conflict).await,
        ErrorCode::IdempotencyConflict,
    );
    assert_eq!(v.h.debits_for(&id).await, 1);
    assert_eq!(v.h.balance_of(&v.account).await, eur("100.00"));

    // The captured request replayed on another pending payment of the same amount.
    let (other_id, _) = v.request("100.00").await;
    for key in [request.idempotency_key.clone(), key("replay_other")] {
        let mut replay = request.clone();
        replay.idempotency_key = key;
        refused(
            v.device.confirm(&other_id, &replay).await,
            ErrorCode::NonceUsed,
        );
    }
    v.assert_untouched(&other_id, "100.00", PaymentStatus::Pending)
        .await;

    // A refused (wrong PIN) confirmation replayed under its key: the stored refusal,
    // not a second wrong attempt.
    let detail = v.device.payment(&other_id).await.unwrap();
    let wrong = v
        .device
        .confirm_request(&detail, eur("50.00"), "0000", &key("replay_wrong"))
        .unwrap();
    for _ in 0..3 {
        let info = refused(
            v.device.confirm(&other_id, &wrong).await,
            ErrorCode::AuthenticationFailed,
        );
        assert_eq!(info.attempts_left, Some(2));
    }
    assert_eq!(v.device.payment(&other_id).await.unwrap().attempts_left, 2);
    v.assert_untouched(&other_id, "100.00", PaymentStatus::Pending)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmation_after_expiry_is_refused() {
    let v = victim("200.00").await;
    let (id, detail) = v.request("100.00").await;
    let request = v
        .device
        .confirm_request(&detail, eur("100.00"), PIN, &key("expired"))
        .unwrap();
    v.h.advance_clock(181).await;
    refused(
        v.device.confirm(&id, &request).await,
        ErrorCode::PaymentExpired,
    );
    let mut again = request.clone();
    again.idempotency_key = key("expired_new_key");
    refused(
        v.device.confirm(&id, &again).await,
        ErrorCode::PaymentExpired,
    );
    v.assert_untouched(&id, "200.00", PaymentStatus::Expired)
        .await;
    assert_eq!(
        v.device.payment(&id).await.unwrap().status,
        PaymentStatus::Expired
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pin_sealed_for_another_payment_is_refused() {
    let v = victim("200.00").await;
    let (a_id, a) = v.request("60.00").await;
    let (b_id, b) = v.request("60.00").await;
    let for_a = v
        .device
        .confirm_request(&a, eur("60.00"), PIN, &key("seal_for_a"))
        .unwrap();

    // The device's own valid signature over B's fields, with A's sealed PIN inside: the
    // block is bound to A's id and nonce and does not open for B.
    let sealed = SealedPin::from_base64url(&for_a.sealed_pin).unwrap();
    let mut request = v
        .device
        .confirm_request(&b, eur("60.00"), PIN, &key("seal_swap"))
        .unwrap();
    request.sealed_pin = for_a.sealed_pin.clone();
    request.signature = sign_fields(&v.device, &b, eur("60.00"), sealed.sha256());
    let info = refused(
        v.device.confirm(&b_id, &request).await,
        ErrorCode::AuthenticationFailed,
    );
    assert_eq!(info.attempts_left, Some(2));
    // Also with B's own signature left as it was.
    let b = v.device.payment(&b_id).await.unwrap();
    let mut request = v
        .device
        .confirm_request(&b, eur("60.00"), PIN, &key("seal_swap_plain"))
        .unwrap();
    request.sealed_pin = for_a.sealed_pin.clone();
    refused(
        v.device.confirm(&b_id, &request).await,
        ErrorCode::AuthenticationFailed,
    );
    v.assert_untouched(&b_id, "200.00", PaymentStatus::Pending)
        .await;
    v.assert_untouched(&a_id, "200.00", PaymentStatus::Pending)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bearer_token_of_another_device_sees_nothing_and_confirms_nothing() {
    let v = victim("200.00").await;
    let thief_account = v.h.account("200.00").await;
    let thief = v.h.soft_device(&thief_account).await;
    let (id, detail) = v.request("100.00").await;
    // A genuine request of the victim, captured.
    let captured = v
        .device
        .confirm_request(&detail, eur("100.00"), PIN, &key("captured"))
        .unwrap();

    refused(thief.payment(&id).await, ErrorCode::NotFound);
    refused(thief.confirm(&id, &captured).await, ErrorCode::NotFound);
    refused(thief.decline(&id).await, ErrorCode::NotFound);
    let listed = thief
        .api
        .payments(&thief.access_token, false)
        .await
        .unwrap();
    assert!(listed.payments.iter().all(|p| p.payment_id != id));

    v.assert_untouched(&id, "200.00", PaymentStatus::Pending)
        .await;
    let after = v.device.payment(&id).await.unwrap();
    assert_eq!(after.nonce, detail.nonce, "the thief consumed no nonce");
    assert_eq!(after.attempts_left, 3, "nor an attempt");
    assert_eq!(v.h.balance_of(&thief_account).await, eur("200.00"));
    // The captured request still works for its owner, once.
    v.device.confirm(&id, &captured).await.unwrap();
    assert_eq!(v.h.debits_for(&id).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_account_looks_like_a_known_one_to_a_merchant() {
    let h = Harness::start().await;
    let known = h.account("200.00").await;
    let http = h.http();
    let url = |path: &str| format!("{}{path}", h.base_url());
    let call = |method: reqwest::Method, path: String, body: Option<Value>| {
        let mut request = http
            .request(method, url(&path))
            .bearer_auth(cvconnect_e2e::MERCHANT_API_KEY);
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let ledger_before = h.admin().ledger().await.unwrap().entries.len();

    let accounts = [
        known.email.clone(),
        known.number.clone(),
        "personne.inconnue@example.fr".to_owned(),
        "99999999999".to_owned(),
    ];
    let mut answers = Vec::new();
    for account in &accounts {
        let body = serde_json::json!({"account": account, "total": "80.00", "order_ref": "PROBE"});
        let created = call(
            reqwest::Method::POST,
            "/v1/merchant/payment-requests".into(),
            Some(body),
        )
        .await;
        let id = created.1["id"].as_str().unwrap().to_owned();
        let read = call(
            reqwest::Method::GET,
            format!("/v1/merchant/payment-requests/{id}"),
            None,
        )
        .await;
        let cancelled = call(
            reqwest::Method::POST,
            format!("/v1/merchant/payment-requests/{id}/cancel"),
            None,
        )
        .await;
        answers.push([created, read, cancelled]);
    }

    let (reference, others) = answers.split_first().unwrap();
    for (account, answer) in accounts[1..].iter().zip(others) {
        for ((status, body), (ref_status, ref_body)) in answer.iter().zip(reference) {
            assert_eq!(status, ref_status, "{account}");
            assert_eq!(
                shape(body),
                shape(ref_body),
                "{account}: {body} vs {ref_body}"
            );
            for field in ["status", "total", "currency", "paid_amount", "order_ref"] {
                assert_eq!(body[field], ref_body[field], "{account}: {field}");
            }
            let ttl =
                |b: &Value| b["expires_at"].as_i64().unwrap() - b["created_at"].as_i64().unwrap();
            assert_eq!(ttl(body), ttl(ref_body), "{account}");
        }
    }
    assert_eq!(reference[0].0, 201);
    assert_eq!(reference[2].1["status"], "CANCELLED");
    assert_eq!(
        h.admin().ledger().await.unwrap().entries.len(),
        ledger_before
    );
    assert_eq!(h.balance_of(&known).await, eur("200.00"));
}

/// A confirm request for `detail` signed by `signer`'s key but naming `device_id`.
fn forged_confirm(
    signer: &SoftDevice,
    device_id: &str,
    detail: &PaymentDetail,
    idempotency_key: &str,
) -> cvconnect_core::protocol::wire::ConfirmRequest {
    let amount = detail.total;
    let mut request = signer
        .confirm_request(detail, amount, PIN, idempotency_key)
        .unwrap();
    let sealed = SealedPin::from_base64url(&request.sealed_pin).unwrap();
    let fields = ConfirmationFields {
        device_id: device_id.to_owned(),
        ..fields_of(detail, amount, sealed.sha256())
    };
    request.signature = URL_SAFE_NO_PAD.encode(signer.signer.sign(&fields.encode()).unwrap());
    request
}

/// `device`'s signature over `detail`'s fields with a chosen sealed-PIN hash.
fn sign_fields(
    device: &SoftDevice,
    detail: &PaymentDetail,
    amount: Amount,
    sealed_pin_hash: [u8; 32],
) -> String {
    let fields = ConfirmationFields {
        device_id: device.device_id.clone(),
        ..fields_of(detail, amount, sealed_pin_hash)
    };
    URL_SAFE_NO_PAD.encode(device.signer.sign(&fields.encode()).unwrap())
}

fn fields_of(
    detail: &PaymentDetail,
    amount: Amount,
    sealed_pin_hash: [u8; 32],
) -> ConfirmationFields {
    ConfirmationFields {
        payment_id: detail.payment_id.clone(),
        nonce: detail.nonce.clone(),
        payee_id: detail.payee.id.clone(),
        payee_name: detail.payee.name.clone(),
        total: detail.total,
        amount,
        expires_at: detail.expires_at,
        device_id: String::new(),
        sealed_pin_hash,
    }
}

/// The JSON's structure: keys and the type of every value, not the values.
fn shape(value: &Value) -> Value {
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) => "bool".into(),
        Value::Number(_) => "number".into(),
        Value::String(_) => "string".into(),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), shape(value)))
                .collect(),
        ),
    }
}
