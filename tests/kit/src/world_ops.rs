//! What happens in a world once it is set up: the merchant's payment requests, the
//! pushes the phones receive (read from the sandbox's push feed, as FCM or APNs would
//! hand them over), faults armed on routes, the server clock, and the ledger.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use cvconnect_core::amount::Amount;
use cvconnect_core::client::{ClientConfig, PaymentSession};
use cvconnect_core::protocol::wire::{MerchantPayment, PaymentStatus};
use cvconnect_sandbox_client::{AdminClient, FaultKind, PushNotification};

use crate::errors::{core_failed, sandbox_failed};
use crate::people::Account;
use crate::phone::Phone;
use crate::world::World;

/// The order reference of the payment requests the kit creates.
const ORDER_REF: &str = "CMD-TEST";
/// How long [`World::push_for`] waits for a push.
const PUSH_WAIT: Duration = Duration::from_secs(15);
/// The longest single long poll of the push feed.
const POLL_MS: u64 = 5_000;

/// A fault armed on a route for its next requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answers late.
    Delay(Duration),
    /// Answers HTTP 500 without doing the work.
    Error,
    /// Does the work, commits it, then drops the connection unanswered.
    DropAfterCommit,
    /// Answers `404 not_found` without doing the work, as a backend older than the route.
    Missing,
}

/// A payment request on screen: the account, the phone, the payment id and its
/// session.
pub struct OpenPayment {
    pub account: Account,
    pub phone: Phone,
    pub payment_id: String,
    pub session: Arc<PaymentSession>,
}

/// The data map of a push, as the platform hands it to the app.
pub fn push_data(push: &PushNotification) -> HashMap<String, String> {
    push.data.clone().into_iter().collect()
}

impl World {
    /// A payment request of `total` from the world's merchant to `email`; its id.
    pub async fn create_payment(&self, email: &str, total: &str) -> anyhow::Result<String> {
        let created = self
            .merchant()
            .create_payment(email, crate::eur(total), Some(ORDER_REF))
            .await
            .map_err(sandbox_failed(
                "le marchand n'a pas pu créer la demande de paiement",
            ))?;
        Ok(created.id)
    }

    /// The payment request as the merchant sees it.
    pub async fn merchant_payment(&self, payment_id: &str) -> anyhow::Result<MerchantPayment> {
        self.merchant()
            .payment(payment_id)
            .await
            .map_err(sandbox_failed("le marchand n'a pas pu relire la demande"))
    }

    pub async fn merchant_status(&self, payment_id: &str) -> anyhow::Result<PaymentStatus> {
        Ok(self.merchant_payment(payment_id).await?.status)
    }

    /// A new account holding `balance`, an enrolled phone, a payment request of
    /// `total`, opened on the phone.
    pub async fn open_new_payment(
        &self,
        balance: &str,
        total: &str,
    ) -> anyhow::Result<OpenPayment> {
        self.open_new_payment_with(balance, total, |_| {}).await
    }

    /// [`World::open_new_payment`] with the phone's configuration adjusted by `tweak`.
    pub async fn open_new_payment_with(
        &self,
        balance: &str,
        total: &str,
        tweak: impl FnOnce(&mut ClientConfig),
    ) -> anyhow::Result<OpenPayment> {
        let account = self.account(balance).await?;
        let phone = self.phone_with(&account.email, tweak).await?;
        let payment_id = self.create_payment(&account.email, total).await?;
        let session = phone
            .client
            .open_payment(&payment_id)
            .await
            .map_err(core_failed("le téléphone n'a pas pu ouvrir la demande"))?;
        Ok(OpenPayment {
            account,
            phone,
            payment_id,
            session,
        })
    }

    // ------------------------------------------------------------ pushes

    /// The data map of the push of `payment_id` to `phone`, as the platform hands it
    /// over.
    pub async fn push_for(
        &self,
        phone: &Phone,
        payment_id: &str,
    ) -> anyhow::Result<HashMap<String, String>> {
        let device_id = phone.device_id()?;
        let push = self
            .wait_push(&device_id, Some(payment_id), PUSH_WAIT)
            .await?;
        Ok(push_data(&push))
    }

    /// Waits (long poll) for the first push sent to `device_id` for `payment_id` (any
    /// payment when `None`).
    pub async fn wait_push(
        &self,
        device_id: &str,
        payment_id: Option<&str>,
        timeout: Duration,
    ) -> anyhow::Result<PushNotification> {
        wait_push_after(&self.admin, device_id, payment_id, &mut 0, timeout).await
    }

    // ------------------------------------------------------------ faults, clock, ledger

    /// Arms `fault` on `route` (a pattern such as `/v1/payments/{payment_id}/confirm`)
    /// for its next `count` requests.
    pub async fn inject_fault(&self, route: &str, fault: Fault, count: u32) -> anyhow::Result<()> {
        let (kind, delay) = match fault {
            Fault::Delay(delay) => (FaultKind::Delay, Some(delay.as_millis() as u64)),
            Fault::Error => (FaultKind::Error, None),
            Fault::DropAfterCommit => (FaultKind::DropAfterCommit, None),
            Fault::Missing => (FaultKind::Missing, None),
        };
        self.admin
            .set_fault(route, kind, delay, count)
            .await
            .map_err(sandbox_failed(format!(
                "la panne sur {route} n'a pas été armée"
            )))?;
        Ok(())
    }

    /// Disarms every fault.
    pub async fn clear_faults(&self) -> anyhow::Result<()> {
        self.admin
            .clear_faults()
            .await
            .map_err(sandbox_failed("les pannes n'ont pas été levées"))
    }

    /// Moves the sandbox's clock forward by `secs`.
    pub async fn advance_clock(&self, secs: u64) -> anyhow::Result<()> {
        self.admin
            .advance_clock(secs)
            .await
            .map_err(sandbox_failed("l'horloge de la sandbox n'a pas avancé"))?;
        Ok(())
    }

    /// How many ledger debits the sandbox recorded for `payment_id`.
    pub async fn debits_for(&self, payment_id: &str) -> anyhow::Result<usize> {
        let ledger = self
            .admin
            .ledger()
            .await
            .map_err(sandbox_failed("le grand livre est illisible"))?;
        Ok(ledger
            .entries
            .iter()
            .filter(|e| e.payment_id == payment_id)
            .count())
    }

    /// The sandbox's balance of `email`.
    pub async fn balance_of(&self, email: &str) -> anyhow::Result<Amount> {
        let account = self
            .admin
            .account(email)
            .await
            .map_err(sandbox_failed(format!("le compte {email} est illisible")))?;
        Ok(account.balance)
    }

    /// Clears the PIN lock and the wrong-PIN counter of `email`.
    pub async fn unlock(&self, email: &str) -> anyhow::Result<()> {
        self.admin
            .unlock(email)
            .await
            .map_err(sandbox_failed(format!(
                "le compte {email} n'a pas été débloqué"
            )))?;
        Ok(())
    }
}

/// [`World::wait_push`] reading the feed after `*after`, which moves past every push
/// read (a caller that waits for one push after another passes it again). It needs
/// only the admin client, so that a task that does not hold the world (one of the
/// bench's phones) can wait too.
pub async fn wait_push_after(
    admin: &AdminClient,
    device_id: &str,
    payment_id: Option<&str>,
    after: &mut i64,
    timeout: Duration,
) -> anyhow::Result<PushNotification> {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(anyhow!(
                "aucune notification reçue par le téléphone en {} s",
                timeout.as_secs()
            ));
        }
        let wait_ms = (left.as_millis() as u64).min(POLL_MS);
        let feed = admin
            .push_feed(Some(device_id), *after, wait_ms)
            .await
            .map_err(sandbox_failed("flux des notifications illisible"))?;
        let mut found = None;
        for push in feed.notifications {
            *after = (*after).max(push.seq);
            if found.is_none() && payment_id.is_none_or(|id| push.payment_id == id) {
                found = Some(push);
            }
        }
        *after = (*after).max(feed.next_after);
        if let Some(push) = found {
            return Ok(push);
        }
    }
}
