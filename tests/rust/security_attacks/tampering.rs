//! A genuine signed confirmation changed before or after signing (amount, payee,
//! nonce, expiry): the signature no longer matches what the sandbox recorded.

use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_testkit::{eur, PIN};

use super::{refused, victim};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amount_changed_after_signing_is_refused() -> anyhow::Result<()> {
    let v = victim().await?;
    let (id, detail) = v.request("150.00").await?;

    // Signed for 40.00, sent for 150.00.
    let mut request = v.signed(&detail, "40.00", "amount_up");
    request.amount = eur("150.00");
    let info = v
        .refuses(&id, &request, ErrorCode::AuthenticationFailed)
        .await;
    assert_eq!(info.attempts_left, Some(2));
    v.assert_still_pending(&id).await?;

    // Signed for 150.00, sent for 40.00.
    let detail = v.device.payment(&id).await.unwrap();
    let mut request = v.signed(&detail, "150.00", "amount_down");
    request.amount = eur("40.00");
    v.refuses(&id, &request, ErrorCode::AuthenticationFailed)
        .await;
    v.assert_still_pending(&id).await?;

    // The same device, honest, pays once: the refusals were about the tampering.
    v.unlock().await?;
    let paid = v.device.pay(&id, eur("40.00"), PIN).await.unwrap();
    assert_eq!(paid.balance, eur("160.00"));
    assert_eq!(v.h.debits_for(&id).await?, 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payee_changed_before_signing_is_refused() -> anyhow::Result<()> {
    let v = victim().await?;
    let (id, detail) = v.request("150.00").await?;
    let pirate = v.h.admin.create_merchant("Boutique Pirate").await.unwrap();

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
        let request = v.signed(&shown, "150.00", name);
        v.refuses(&id, &request, ErrorCode::AuthenticationFailed)
            .await;
        v.assert_still_pending(&id).await?;
        v.unlock().await?;
    }
    assert_eq!(detail.payee.name, "Boutique Démo");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nonce_changed_after_signing_is_refused() -> anyhow::Result<()> {
    let v = victim().await?;
    let (id, detail) = v.request("100.00").await?;
    let (other_id, other) = v.request("100.00").await?;

    // Another payment's live nonce, or a made-up one: not this payment's nonce.
    for (name, nonce) in [
        ("other_nonce", other.nonce.clone()),
        ("random_nonce", "A".repeat(43)),
    ] {
        let mut request = v.signed(&detail, "100.00", name);
        request.nonce = nonce;
        v.refuses(&id, &request, ErrorCode::NonceUsed).await;
        v.assert_still_pending(&id).await?;
    }
    // Nonce refusals are not PIN attempts.
    assert_eq!(v.device.payment(&id).await.unwrap().attempts_left, 3);

    // Signed over the old nonce, sent with the current one (renewed by a failed try).
    let stale = v.signed(&detail, "100.00", "stale_nonce");
    refused(
        v.device.pay(&id, eur("100.00"), "0000").await,
        ErrorCode::AuthenticationFailed,
    );
    let current = v.device.payment(&id).await.unwrap();
    assert_ne!(current.nonce, detail.nonce);
    let mut request = stale;
    request.nonce = current.nonce;
    let info = v
        .refuses(&id, &request, ErrorCode::AuthenticationFailed)
        .await;
    assert_eq!(info.attempts_left, Some(1));
    v.assert_still_pending(&id).await?;
    v.assert_still_pending(&other_id).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expiry_changed_before_signing_is_refused() -> anyhow::Result<()> {
    let v = victim().await?;
    let (id, mut detail) = v.request("100.00").await?;
    detail.expires_at += 3_600;
    let request = v.signed(&detail, "100.00", "expiry");
    v.refuses(&id, &request, ErrorCode::AuthenticationFailed)
        .await;
    v.assert_still_pending(&id).await?;
    Ok(())
}
