//! Request proofs (protocol v1.1) under attack: a genuine confirmation carried by a
//! proof that is replayed, made for another request, out of its time window, or signed
//! by another device's key is refused `401 unauthorized` before the confirmation is
//! looked at: nothing is debited, no PIN attempt is counted, the nonce is not spent.

use cvconnect_core::protocol::proof::PROOF_WINDOW_SECS;
use cvconnect_core::protocol::wire::{ConfirmRequest, PaymentDetail};
use cvconnect_sandbox_client::{prove, RawAnswer, WireRequest};

use super::{key, victim, Victim};

const UNAUTHORIZED: u16 = 401;

impl Victim {
    /// The sandbox's clock, as its answers tell it.
    async fn server_now(&self) -> anyhow::Result<i64> {
        Ok(self.h.admin.advance_clock(0).await?.now)
    }

    /// A pending payment of `total` and the genuine confirmation of all of it (right
    /// PIN, victim's key), as the request that carries it.
    async fn confirmation(
        &self,
        total: &str,
        name: &str,
    ) -> anyhow::Result<(String, PaymentDetail, ConfirmRequest, WireRequest)> {
        let (id, detail) = self.request(total).await?;
        let confirm = self.signed(&detail, total, name);
        let wire = WireRequest::post_json(&format!("/v1/payments/{id}/confirm"), &confirm);
        Ok((id, detail, confirm, wire))
    }

    /// Sends `wire` under `proof` and asserts the refusal, then that the payment is
    /// untouched: no debit, its nonce and the attempt counter as they were.
    async fn refused_and_untouched(
        &self,
        wire: &WireRequest,
        proof: &cvconnect_core::protocol::proof::RequestProof,
        confirm: &ConfirmRequest,
        detail: &PaymentDetail,
    ) -> anyhow::Result<RawAnswer> {
        let answer = self
            .device
            .api
            .send_proven(wire, proof, Some(&confirm.idempotency_key))
            .await?;
        assert_eq!(answer.status, UNAUTHORIZED, "{answer:?}");
        let body: serde_json::Value = serde_json::from_slice(&answer.body)?;
        assert_eq!(body["error"]["code"], "unauthorized");
        self.assert_still_pending(&detail.payment_id).await?;
        let now = self.device.payment(&detail.payment_id).await.unwrap();
        assert_eq!(now.nonce, detail.nonce, "the nonce was not spent");
        assert_eq!(
            now.attempts_left, detail.attempts_left,
            "no attempt counted"
        );
        Ok(answer)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_genuine_proof_pays_once_and_its_replay_is_refused() -> anyhow::Result<()> {
    let v = victim().await?;
    let (id, _, confirm, wire) = v.confirmation("100.00", "proof_genuine").await?;
    let proof = v.device.prove(&wire, v.server_now().await?)?;
    let key = Some(confirm.idempotency_key.as_str());

    let paid = v.device.api.send_proven(&wire, &proof, key).await?;
    assert_eq!(paid.status, 200, "{paid:?}");
    let replayed = v.device.api.send_proven(&wire, &proof, key).await?;
    assert_eq!(replayed.status, UNAUTHORIZED, "{replayed:?}");
    assert_eq!(v.h.debits_for(&id).await?, 1);

    // A read's proof replayed: refused as well.
    let read = WireRequest::get("/v1/balance");
    let proof = v.device.prove(&read, v.server_now().await?)?;
    assert_eq!(
        v.device.api.send_proven(&read, &proof, None).await?.status,
        200
    );
    let again = v.device.api.send_proven(&read, &proof, None).await?;
    assert_eq!(again.status, UNAUTHORIZED);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proof_for_another_method_target_or_body_is_refused() -> anyhow::Result<()> {
    let v = victim().await?;
    let (id, detail, confirm, wire) = v.confirmation("100.00", "proof_retarget").await?;
    let now = v.server_now().await?;

    let read_of_it = WireRequest::get(&format!("/v1/payments/{id}"));
    let mut other_body = confirm.clone();
    other_body.idempotency_key = key("proof_other_body");
    let other_body = WireRequest::post_json(&wire.target, &other_body);
    let (_, _, _, other_payment) = v.confirmation("100.00", "proof_other_payment").await?;
    let mut other_method = wire.clone();
    other_method.method = reqwest::Method::PUT;
    for signed_for in [read_of_it, other_body, other_payment, other_method] {
        let proof = v.device.prove(&signed_for, now)?;
        v.refused_and_untouched(&wire, &proof, &confirm, &detail)
            .await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proof_out_of_its_window_is_refused_and_the_answer_gives_the_time() -> anyhow::Result<()>
{
    let v = victim().await?;
    let (_, detail, confirm, wire) = v.confirmation("100.00", "proof_stale").await?;
    let now = v.server_now().await?;
    for timestamp in [now - PROOF_WINDOW_SECS - 5, now + PROOF_WINDOW_SECS + 5] {
        let proof = v.device.prove(&wire, timestamp)?;
        let answer = v
            .refused_and_untouched(&wire, &proof, &confirm, &detail)
            .await?;
        let told = answer
            .server_time
            .expect("the answer gives the server's time");
        assert!((told - now).abs() <= 5, "server time {told}, clock {now}");
    }
    // A proof made just before the sandbox's clock moved past its window.
    v.h.admin
        .advance_clock(PROOF_WINDOW_SECS.unsigned_abs() + 10)
        .await?;
    let proof = v.device.prove(&wire, now)?;
    v.refused_and_untouched(&wire, &proof, &confirm, &detail)
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proof_signed_by_another_devices_key_is_refused() -> anyhow::Result<()> {
    let v = victim().await?;
    let (_, detail, confirm, wire) = v.confirmation("100.00", "proof_other_key").await?;
    let now = v.server_now().await?;
    // Another phone of the same account, and a key never enrolled, claim the victim's id.
    let sibling = v.h.soft_device(&v.account.email).await?;
    let stranger = cvconnect_core::crypto::signer::SoftwareSigner::generate()?;
    for signer in [&sibling.signer, &stranger] {
        let proof = prove(signer, &v.device.device_id, &wire, now)?;
        v.refused_and_untouched(&wire, &proof, &confirm, &detail)
            .await?;
    }
    // An unknown device id, with a key of its own.
    let proof = prove(&stranger, "dev_nobody", &wire, now)?;
    v.refused_and_untouched(&wire, &proof, &confirm, &detail)
        .await?;
    Ok(())
}
