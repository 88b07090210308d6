//! The people of a world: accounts made through the admin API, phones enrolled
//! through the core with an activation code, and software devices for raw protocol
//! calls.

use std::path::Path;
use std::sync::Arc;

use cvconnect_core::client::ClientConfig;
use cvconnect_core::crypto::signer::SoftwareSigner;
use cvconnect_sandbox_client::SoftDevice;

use crate::errors::sandbox_failed;
use crate::phone::{Enrollment, Phone};
use crate::world::World;
use crate::PIN;

/// An account the kit created.
#[derive(Debug, Clone)]
pub struct Account {
    pub email: String,
    pub number: String,
    pub pin: String,
}

impl World {
    /// A new account holding `balance`, with the kit's [`PIN`].
    pub async fn account(&self, balance: &str) -> anyhow::Result<Account> {
        self.account_with_pin(balance, PIN).await
    }

    /// A new account holding `balance`, with `pin`.
    pub async fn account_with_pin(&self, balance: &str, pin: &str) -> anyhow::Result<Account> {
        let n = self.next();
        let account = Account {
            email: format!("beneficiaire.{n}@example.fr"),
            number: format!("{}", 10_000_000_000u64 + u64::from(n)),
            pin: pin.to_owned(),
        };
        self.admin
            .create_account(&account.email, &account.number, crate::eur(balance), pin)
            .await
            .map_err(sandbox_failed(format!(
                "le compte {} n'a pas été créé",
                account.email
            )))?;
        Ok(account)
    }

    /// A new activation code for `email` (it replaces an unused one).
    pub async fn activation_code(&self, email: &str) -> anyhow::Result<String> {
        let code = self
            .admin
            .issue_activation_code(email)
            .await
            .map_err(sandbox_failed(format!(
                "l'administration n'a pas émis de code d'activation pour {email}"
            )))?;
        Ok(code.code)
    }

    /// A new phone, not enrolled, its configuration adjusted by `tweak`.
    pub fn new_phone_with(&self, tweak: impl FnOnce(&mut ClientConfig)) -> anyhow::Result<Phone> {
        Phone::create(&self.base_url, self.new_dir("phone"), tweak)
    }

    /// The app started again on an existing folder, with the phone's key.
    pub fn reopen_phone(
        &self,
        data_dir: &Path,
        signer: Arc<SoftwareSigner>,
    ) -> anyhow::Result<Phone> {
        Phone::reopen(&self.base_url, data_dir, signer)
    }

    /// A new phone enrolled on `email`, and what its enrollment gave.
    pub async fn enroll_phone(&self, email: &str) -> anyhow::Result<(Phone, Enrollment)> {
        self.enroll_phone_with(email, |_| {}).await
    }

    /// [`World::enroll_phone`] with the phone's configuration adjusted by `tweak`.
    pub async fn enroll_phone_with(
        &self,
        email: &str,
        tweak: impl FnOnce(&mut ClientConfig),
    ) -> anyhow::Result<(Phone, Enrollment)> {
        let activation_code = self.activation_code(email).await?;
        let phone = self.new_phone_with(tweak)?;
        let push_token = format!("push-{}", self.next());
        let device = phone
            .enroll(email, &activation_code, Some(push_token))
            .await?;
        let enrollment = Enrollment {
            device,
            activation_code,
        };
        Ok((phone, enrollment))
    }

    /// A new phone enrolled on `email`.
    pub async fn phone(&self, email: &str) -> anyhow::Result<Phone> {
        self.phone_with(email, |_| {}).await
    }

    /// A new phone enrolled on `email`, its configuration adjusted by `tweak`.
    pub async fn phone_with(
        &self,
        email: &str,
        tweak: impl FnOnce(&mut ClientConfig),
    ) -> anyhow::Result<Phone> {
        Ok(self.enroll_phone_with(email, tweak).await?.0)
    }

    /// A new account holding `balance` (the kit's [`PIN`]) and a phone enrolled on it:
    /// the usual beneficiary of a test.
    pub async fn account_with_phone(&self, balance: &str) -> anyhow::Result<(Account, Phone)> {
        let account = self.account(balance).await?;
        let phone = self.phone(&account.email).await?;
        Ok((account, phone))
    }

    /// A software device (raw protocol calls, its token readable) enrolled on `email`
    /// and authenticated.
    pub async fn soft_device(&self, email: &str) -> anyhow::Result<SoftDevice> {
        let code = self.activation_code(email).await?;
        let push_token = format!("push-soft-{}", self.next());
        SoftDevice::enroll(self.beneficiary(), email, &code, Some(&push_token))
            .await
            .map_err(sandbox_failed(format!(
                "l'appareil logiciel de {email} n'a pas été activé"
            )))
    }
}
