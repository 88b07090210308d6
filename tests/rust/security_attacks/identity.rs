//! Someone else's key or token: another device's signature (naming itself or the
//! victim's device), a PIN sealed for another payment, a stolen bearer token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cvconnect_core::amount::Amount;
use cvconnect_core::crypto::seal::SealedPin;
use cvconnect_core::crypto::signer::DeviceSigner;
use cvconnect_core::protocol::canonical::ConfirmationFields;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{ConfirmRequest, PaymentDetail};
use cvconnect_sandbox_client::SoftDevice;
use cvconnect_testkit::{eur, PIN};

use super::{key, refused, victim};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_by_another_enrolled_device_is_refused() -> anyhow::Result<()> {
    let v = victim().await?;
    let sibling = v.h.soft_device(&v.account.email).await?;
    let stranger_account = v.h.account("200.00").await?;
    let stranger = v.h.soft_device(&stranger_account.email).await?;
    let (id, _) = v.request("100.00").await?;

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
            v.refuses(&id, &request, ErrorCode::AuthenticationFailed)
                .await;
            v.assert_still_pending(&id).await?;
            v.unlock().await?;
        }
    }
    assert_eq!(
        v.h.balance_of(&stranger_account.email).await?,
        eur("200.00"),
        "the stranger's account is untouched too"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pin_sealed_for_another_payment_is_refused() -> anyhow::Result<()> {
    let v = victim().await?;
    let (a_id, a) = v.request("60.00").await?;
    let (b_id, b) = v.request("60.00").await?;
    let for_a = v.signed(&a, "60.00", "seal_for_a");

    // The device's own valid signature over B's fields, with A's sealed PIN inside: the
    // block is bound to A's id and nonce and does not open for B.
    let sealed = SealedPin::from_base64url(&for_a.sealed_pin).unwrap();
    let mut request = v.signed(&b, "60.00", "seal_swap");
    request.sealed_pin = for_a.sealed_pin.clone();
    request.signature = sign_as(
        &v.device,
        &v.device.device_id,
        &b,
        eur("60.00"),
        sealed.sha256(),
    );
    let info = v
        .refuses(&b_id, &request, ErrorCode::AuthenticationFailed)
        .await;
    assert_eq!(info.attempts_left, Some(2));
    // Also with B's own signature left as it was.
    let b = v.device.payment(&b_id).await.unwrap();
    let mut request = v.signed(&b, "60.00", "seal_swap_plain");
    request.sealed_pin = for_a.sealed_pin.clone();
    v.refuses(&b_id, &request, ErrorCode::AuthenticationFailed)
        .await;
    v.assert_still_pending(&b_id).await?;
    v.assert_still_pending(&a_id).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bearer_token_of_another_device_sees_nothing_and_confirms_nothing() -> anyhow::Result<()>
{
    let v = victim().await?;
    let thief_account = v.h.account("200.00").await?;
    let thief = v.h.soft_device(&thief_account.email).await?;
    let (id, detail) = v.request("100.00").await?;
    // A genuine request of the victim, captured.
    let captured = v.signed(&detail, "100.00", "captured");

    refused(thief.payment(&id).await, ErrorCode::NotFound);
    refused(thief.confirm(&id, &captured).await, ErrorCode::NotFound);
    refused(thief.decline(&id).await, ErrorCode::NotFound);
    let listed = thief
        .api
        .payments(&thief.access_token, false)
        .await
        .unwrap();
    assert!(listed.payments.iter().all(|p| p.payment_id != id));

    v.assert_still_pending(&id).await?;
    let after = v.device.payment(&id).await.unwrap();
    assert_eq!(after.nonce, detail.nonce, "the thief consumed no nonce");
    assert_eq!(after.attempts_left, 3, "nor an attempt");
    assert_eq!(v.h.balance_of(&thief_account.email).await?, eur("200.00"));
    // The captured request still works for its owner, once.
    v.device.confirm(&id, &captured).await.unwrap();
    assert_eq!(v.h.debits_for(&id).await?, 1);
    Ok(())
}

/// A confirm request for `detail` signed by `signer`'s key but naming `device_id`.
fn forged_confirm(
    signer: &SoftDevice,
    device_id: &str,
    detail: &PaymentDetail,
    idempotency_key: &str,
) -> ConfirmRequest {
    let amount = detail.total;
    let mut request = signer
        .confirm_request(detail, amount, PIN, idempotency_key)
        .unwrap();
    let sealed = SealedPin::from_base64url(&request.sealed_pin).unwrap();
    request.signature = sign_as(signer, device_id, detail, amount, sealed.sha256());
    request
}

/// `signer`'s signature over `detail`'s fields as `device_id`, with a chosen
/// sealed-PIN hash.
fn sign_as(
    signer: &SoftDevice,
    device_id: &str,
    detail: &PaymentDetail,
    amount: Amount,
    sealed_pin_hash: [u8; 32],
) -> String {
    let fields = ConfirmationFields::for_payment(detail, amount, device_id, sealed_pin_hash);
    URL_SAFE_NO_PAD.encode(signer.signer.sign(&fields.encode()).unwrap())
}
