//! Real seeds: a sandbox in this process, driven through a whole payment and its
//! refusals by the typed clients and a [`SoftDevice`] (which enrolls, authenticates and
//! confirms as a phone does), with a [`Recorder`] keeping the answers byte for byte.
//! Each kept answer is named `real_<what>_<status>.json`, and a refusal
//! `real_<code>_<status>.json`; the names are checked against what came.

use std::fmt::Debug;

use anyhow::{anyhow, bail, ensure, Context, Result};
use cvconnect_core::amount::Amount;
use cvconnect_core::crypto::seal::SealedPin;
use cvconnect_core::protocol::canonical::ConfirmationFields;
use cvconnect_core::protocol::wire::MerchantPayment;
use cvconnect_sandbox::{Database, Sandbox, SandboxConfig, Seed};
use cvconnect_sandbox_client::{
    http_client, AdminClient, BeneficiaryClient, ClientResult, MerchantClient, PushNotification,
    Recorder, SoftDevice,
};

use crate::Seeds;

const ADMIN: &str = "corpus-admin";

/// What a real run gives the targets.
pub struct Real {
    /// The answers kept, by seed name (target `responses`).
    pub answers: Seeds,
    /// The push of the first payment (target `push`).
    pub push: PushNotification,
    /// The sealed PIN of a real confirmation, as sent: base64url (target `sealed_pin`).
    pub sealed_pin: String,
    /// The canonical bytes a real confirmation signed (target `canonical`).
    pub confirmation: Vec<u8>,
}

/// Starts a sandbox with the demo seed, runs the payment with its first account (200 €)
/// and its merchant, stops the sandbox.
pub async fn run() -> Result<Real> {
    let seed = Seed::demo();
    let account = seed
        .accounts
        .first()
        .context("no account in the demo seed")?;
    let merchant = seed
        .merchants
        .first()
        .context("no merchant in the demo seed")?;
    let sandbox = Sandbox::start(SandboxConfig {
        admin_token: Some(ADMIN.into()),
        seed: Some(seed.clone()),
        database: Database::Memory,
        ..SandboxConfig::default()
    })
    .await?;
    let run = Run::new(
        sandbox.base_url(),
        &account.email,
        &account.pin,
        &merchant.api_key,
    );
    let result = run.all().await;
    sandbox.shutdown().await;
    result
}

fn eur(plain: &str) -> Amount {
    Amount::from_plain(plain).expect("a wire amount")
}

/// The account, the clients, the recorder they share, and what is kept so far.
struct Run {
    email: String,
    pin: String,
    base: String,
    merchant_key: String,
    recorder: Recorder,
    admin: AdminClient,
    merchant: MerchantClient,
    api: BeneficiaryClient,
    kept: Seeds,
}

impl Run {
    fn new(base: &str, email: &str, pin: &str, merchant_key: &str) -> Run {
        let http = http_client();
        let recorder = Recorder::new();
        Run {
            email: email.to_owned(),
            pin: pin.to_owned(),
            base: base.to_owned(),
            merchant_key: merchant_key.to_owned(),
            admin: AdminClient::new(http.clone(), base, ADMIN),
            merchant: MerchantClient::new(http.clone(), base, merchant_key).recorded_by(&recorder),
            api: BeneficiaryClient::new(http, base).recorded_by(&recorder),
            recorder,
            kept: Seeds::default(),
        }
    }

    /// Keeps the answers recorded since the last call under `names`, in order.
    fn keep(&mut self, names: &[&str]) -> Result<()> {
        let answers = self.recorder.take();
        ensure!(
            answers.len() == names.len(),
            "{} answers for {names:?}",
            answers.len()
        );
        for (name, answer) in names.iter().zip(answers) {
            let status = format!("_{}.json", answer.status);
            ensure!(
                name.ends_with(&status),
                "{name}: HTTP {} from {} {}",
                answer.status,
                answer.method,
                answer.path
            );
            self.kept.add(*name, answer.body);
        }
        Ok(())
    }

    /// The call's answer, kept as `name`.
    fn kept<T>(&mut self, result: ClientResult<T>, name: &str) -> Result<T> {
        let value = result.with_context(|| name.to_owned())?;
        self.keep(&[name])?;
        Ok(value)
    }

    /// The call was refused with the protocol error its `name` says; the answer is kept.
    fn refused<T: Debug>(&mut self, result: ClientResult<T>, name: &str) -> Result<()> {
        let error = match result {
            Err(error) => error,
            Ok(value) => bail!("{name}: accepted: {value:?}"),
        };
        let code = error
            .code_text()
            .ok_or_else(|| anyhow!("{name}: {error}"))?;
        ensure!(
            name.starts_with(&format!("real_{code}_")),
            "{name}: {error}"
        );
        self.keep(&[name])
    }

    /// A payment request of `total` for the account, by the merchant API.
    async fn payment(&self, total: &str, order_ref: &str) -> ClientResult<MerchantPayment> {
        let total = eur(total);
        let merchant = &self.merchant;
        merchant
            .create_payment(&self.email, total, Some(order_ref))
            .await
    }

    /// Answers that are steps of the scenario, not seeds.
    fn forget(&self) {
        self.recorder.take();
    }

    async fn all(mut self) -> Result<Real> {
        let device = self.enroll().await?;
        let payment = self.merchant_refusals().await?;
        let feed = self.admin.push_feed(Some(&device.device_id), 0, 0).await?;
        let push = feed.notifications.into_iter().next();
        let push = push.ok_or_else(|| anyhow!("no push recorded"))?;
        let (sealed_pin, confirmation) = self.confirmations(&device, &payment).await?;
        self.decline_cancel_expire(&device).await?;
        Ok(Real {
            answers: self.kept,
            push,
            sealed_pin,
            confirmation,
        })
    }

    /// Enrollment, token and balance; the same activation code twice, no token.
    async fn enroll(&mut self) -> Result<SoftDevice> {
        let code = self.admin.issue_activation_code(&self.email).await?.code;
        let device =
            SoftDevice::enroll(self.api.clone(), &self.email, &code, Some("fcm:corpus")).await?;
        self.keep(&[
            "real_enroll_201.json",
            "real_challenge_200.json",
            "real_token_200.json",
        ])?;
        let again = SoftDevice::enroll(self.api.clone(), &self.email, &code, None).await;
        self.refused(again, "real_invalid_activation_code_403.json")?;
        self.kept(device.balance().await, "real_balance_200.json")?;
        let unknown_token = self.api.balance("not-a-token").await;
        self.refused(unknown_token, "real_unauthorized_401.json")?;
        Ok(device)
    }

    /// The payment of the scenario (150 €), then three requests the merchant API refuses.
    async fn merchant_refusals(&mut self) -> Result<String> {
        let created = self.payment("150.00", "CMD-1").await;
        let payment = self.kept(created, "real_merchant_payment_201.json")?.id;
        let below = self.payment("10.00", "CMD-2").await;
        self.refused(below, "real_amount_below_minimum_422.json")?;
        let merchant = &self.merchant;
        let bad_account = merchant.create_payment("x", eur("50.00"), None).await;
        self.refused(bad_account, "real_validation_failed_422.json")?;
        let body = self.unknown_field().await?;
        self.kept.add("real_bad_request_400.json", body);
        Ok(payment)
    }

    /// A body with a field the protocol does not know: no typed client can send it,
    /// so this one request is raw.
    async fn unknown_field(&self) -> Result<Vec<u8>> {
        let response = http_client()
            .post(format!("{}/v1/merchant/payment-requests", self.base))
            .bearer_auth(&self.merchant_key)
            .header("content-type", "application/json")
            .body(format!(
                r#"{{"account":"{}","total":"50.00","tip":"1.00"}}"#,
                self.email
            ))
            .send()
            .await?;
        ensure!(response.status() == 400, "HTTP {}", response.status());
        Ok(response.bytes().await?.to_vec())
    }

    /// Reads, then wrong PIN, stale nonce, out of bounds, success, not pending. Returns
    /// the wrong PIN's sealed block and the canonical bytes of the success.
    async fn confirmations(
        &mut self,
        device: &SoftDevice,
        payment: &str,
    ) -> Result<(String, Vec<u8>)> {
        let token = &device.access_token;
        let pending = self.api.payments(token, true).await;
        self.kept(pending, "real_payments_pending_200.json")?;
        let detail = device.payment(payment).await;
        let detail = self.kept(detail, "real_detail_pending_200.json")?;
        let missing = device.payment("pay_unknown").await;
        self.refused(missing, "real_not_found_404.json")?;

        let wrong =
            device.confirm_request(&detail, eur("120.00"), "0000", "idem_corpus_wrong_pin")?;
        let answer = device.confirm(payment, &wrong).await;
        self.refused(answer, "real_authentication_failed_403.json")?;
        let stale =
            device.confirm_request(&detail, eur("120.00"), &self.pin, "idem_corpus_stale_nonce")?;
        let answer = device.confirm(payment, &stale).await;
        self.refused(answer, "real_nonce_used_409.json")?;
        let detail = device.payment(payment).await?;
        let key = "idem_corpus_out_of_bounds";
        let too_much = device.confirm_request(&detail, eur("999.00"), &self.pin, key)?;
        self.forget();
        let answer = device.confirm(payment, &too_much).await;
        self.refused(answer, "real_amount_out_of_bounds_422.json")?;

        let detail = device.payment(payment).await?;
        self.forget();
        let good =
            device.confirm_request(&detail, eur("120.00"), &self.pin, "idem_corpus_success_1")?;
        let hash = SealedPin::from_base64url(&good.sealed_pin)
            .map_err(|e| anyhow!("sealed PIN: {e}"))?
            .sha256();
        let signed = ConfirmationFields::for_payment(&detail, good.amount, &device.device_id, hash);
        let answer = device.confirm(payment, &good).await;
        self.kept(answer, "real_confirm_partially_authorised_200.json")?;
        let after = device.payment(payment).await;
        self.kept(after, "real_detail_partially_authorised_200.json")?;
        let again =
            device.confirm_request(&detail, eur("120.00"), &self.pin, "idem_corpus_success_2")?;
        let answer = device.confirm(payment, &again).await;
        self.refused(answer, "real_payment_not_pending_409.json")?;
        let seen = self.merchant.payment(payment).await;
        self.kept(seen, "real_merchant_payment_partial_200.json")?;
        Ok((wrong.sealed_pin, signed.encode()))
    }

    /// A payment declined by the phone, one cancelled by the merchant, one expired.
    async fn decline_cancel_expire(&mut self, device: &SoftDevice) -> Result<()> {
        let m = self.merchant.clone();
        let declined = self.payment("40.00", "CMD-3").await?;
        self.forget();
        let answer = device.decline(&declined.id).await;
        self.kept(answer, "real_decline_200.json")?;

        let cancelled = self.payment("60.00", "CMD-4").await?;
        m.cancel(&cancelled.id).await?;
        self.forget();
        let seen = m.payment(&cancelled.id).await;
        self.kept(seen, "real_merchant_cancelled_200.json")?;

        let expiring = self.payment("70.00", "CMD-5").await?;
        let detail = device.payment(&expiring.id).await?;
        self.forget();
        // Past the 180 s validity, within the 300 s token lifetime.
        self.admin.advance_clock(200).await?;
        let late =
            device.confirm_request(&detail, eur("70.00"), &self.pin, "idem_corpus_expired_1")?;
        let answer = device.confirm(&expiring.id, &late).await;
        self.refused(answer, "real_payment_expired_410.json")?;
        let seen = m.payment(&expiring.id).await;
        self.kept(seen, "real_merchant_expired_200.json")?;
        Ok(())
    }
}
