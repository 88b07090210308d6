//! Protocol attacks against the sandbox: each is refused with the protocol's error code
//! and HTTP status, and nothing is debited (ledger entries of the payment and the
//! account's balance are checked after every attempt).
//!
//! The attacker is a [`SoftDevice`] making raw protocol calls: it can build a genuine
//! signed request with `confirm_request` and then change it, sign with the wrong key,
//! replay, or use the wrong token. The attacks are grouped by what is changed: the
//! signed fields ([`tampering`]), whose key or token it is ([`identity`]), when it is
//! sent ([`replay`]), what a merchant can learn ([`merchant_probe`]), and the request
//! proofs of protocol v1.1 themselves ([`proofs`]).

#[path = "security_attacks/identity.rs"]
mod identity;
#[path = "security_attacks/merchant_probe.rs"]
mod merchant_probe;
#[path = "security_attacks/proofs.rs"]
mod proofs;
#[path = "security_attacks/replay.rs"]
mod replay;
#[path = "security_attacks/tampering.rs"]
mod tampering;

use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{ConfirmRequest, ErrorInfo, PaymentDetail, PaymentStatus};
use cvconnect_sandbox_client::{ClientError, SoftDevice};
use cvconnect_testkit::{eur, Account, Options, World, PIN};

/// An account with a software device on a fresh sandbox: the one attacked.
struct Victim {
    h: World,
    account: Account,
    device: SoftDevice,
}

/// The victim's balance before any attack.
const BALANCE: &str = "200.00";

async fn victim() -> anyhow::Result<Victim> {
    let h = World::start(Options::default()).await?;
    let account = h.account(BALANCE).await?;
    let device = h.soft_device(&account.email).await?;
    Ok(Victim { h, account, device })
}

impl Victim {
    async fn request(&self, total: &str) -> anyhow::Result<(String, PaymentDetail)> {
        let id = self.h.create_payment(&self.account.email, total).await?;
        let detail = self.device.payment(&id).await.unwrap();
        Ok((id, detail))
    }

    /// A genuine confirmation of `amount` for `detail` (the right PIN, the victim's
    /// key), under the idempotency key named `name`.
    fn signed(&self, detail: &PaymentDetail, amount: &str, name: &str) -> ConfirmRequest {
        self.device
            .confirm_request(detail, eur(amount), PIN, &key(name))
            .unwrap()
    }

    /// Sends `request` for `payment_id` with the victim's token: it must be refused
    /// with `code`.
    async fn refuses(
        &self,
        payment_id: &str,
        request: &ConfirmRequest,
        code: ErrorCode,
    ) -> ErrorInfo {
        refused(self.device.confirm(payment_id, request).await, code)
    }

    /// Nothing was debited for `payment_id`, the balance is `balance` and the merchant
    /// sees `status`.
    async fn assert_untouched(
        &self,
        payment_id: &str,
        balance: &str,
        status: PaymentStatus,
    ) -> anyhow::Result<()> {
        assert_eq!(
            self.h.debits_for(payment_id).await?,
            0,
            "ledger of {payment_id}"
        );
        assert_eq!(self.h.balance_of(&self.account.email).await?, eur(balance));
        assert_eq!(self.device.balance().await.unwrap(), eur(balance));
        assert_eq!(self.h.merchant_status(payment_id).await?, status);
        Ok(())
    }

    /// Nothing happened to `payment_id`: no debit, the balance whole, still pending.
    async fn assert_still_pending(&self, payment_id: &str) -> anyhow::Result<()> {
        self.assert_untouched(payment_id, BALANCE, PaymentStatus::Pending)
            .await
    }

    /// Resets the wrong-attempt counter, so that every attack starts from three.
    async fn unlock(&self) -> anyhow::Result<()> {
        self.h.unlock(&self.account.email).await
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
