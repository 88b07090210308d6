//! The phones of the account (protocol v1.1 §5.9): the list the beneficiary sees, and
//! revoking a lost one from this phone with the PIN, as a payment is confirmed (sealed
//! and signed, counted against the same attempt counter).

use super::error::ClientError;
use super::http::{Request, Retry};
use super::Client;
use crate::crypto::confirmation::sign_revocation;
use crate::keypad::Keypad;
use crate::pin::Pin;
use crate::protocol::errors::ErrorCode;
use crate::protocol::push::is_valid_id;
use crate::protocol::wire::{DeviceList, Platform, RevokeResponse};

crate::shared::shared_type! {
    replay: declare_device_info;
    /// One phone of the account, for the "my devices" screen.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DeviceInfo {
        /// The backend's id for it.
        pub device_id: String,
        /// The name the user chose, or the platform's name in French.
        pub name: String,
        /// Android, iOS or other.
        pub platform: Platform,
        /// When it enrolled, in Unix seconds.
        pub enrolled_at: i64,
        /// When it last reached the backend, if ever.
        pub last_used_at: Option<i64>,
        /// True for this phone (which cannot revoke itself).
        pub current: bool,
        /// Where its key lives, when an attestation proved it at enrollment (v1.2):
        /// `strongbox`, `trusted_environment` or `secure_enclave`; null otherwise.
        pub attested_security_level: Option<String>,
    }
}

crate::shared::shared_type! {
    replay: declare_revocation_outcome;
    /// How a revocation ended.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum RevocationOutcome {
        /// The device is cut off: its requests are refused and no push goes to it.
        Revoked {
            /// When, in Unix seconds (the backend's clock).
            revoked_at: i64,
        },
        /// Wrong PIN; `attempts_left == 1` announces the last attempt.
        WrongPin {
            /// Wrong PINs still allowed before the PIN locks.
            attempts_left: u8,
        },
        /// Too many wrong PINs: the PIN is locked.
        Locked,
    }
}

impl Client {
    /// The account's phones, this one marked `current`.
    pub async fn devices(&self) -> Result<Vec<DeviceInfo>, ClientError> {
        Ok(self
            .device_list()
            .await?
            .devices
            .into_iter()
            .map(info)
            .collect())
    }

    /// A shuffled keypad for the PIN that revokes a phone.
    pub async fn start_revocation_pin_entry(&self) -> Result<Keypad, ClientError> {
        Ok(Keypad::new(self.device_list().await?.pin_length)?)
    }

    /// Revokes the phone `device_id` of this account with the PIN typed on `keypad`
    /// (taken out of it and wiped).
    pub async fn revoke_device_keypad(
        &self,
        device_id: &str,
        keypad: &mut Keypad,
    ) -> Result<RevocationOutcome, ClientError> {
        let pin = keypad.take_pin()?;
        self.revoke_device(device_id, pin).await
    }

    /// Revokes the phone `device_id` of this account with `pin` (sealed, then wiped).
    pub async fn revoke_device(
        &self,
        device_id: &str,
        pin: Pin,
    ) -> Result<RevocationOutcome, ClientError> {
        if !is_valid_id(device_id) {
            return Err(ClientError::Http(super::HttpError::Api {
                code: ErrorCode::NotFound,
                status: ErrorCode::NotFound.http_status(),
                message: ErrorCode::NotFound.message_fr().into(),
                attempts_left: None,
                payment_status: None,
            }));
        }
        let list = self.device_list().await?;
        let me = self.inner.device()?.device_id;
        let request = sign_revocation(&list, device_id, &me, pin, self.inner.signer.as_ref())?;
        let path = format!("/v1/devices/{device_id}/revoke");
        let sent = self
            .inner
            .authed::<RevokeResponse, _>(Request::post(&path, Some(&request), Retry::Never))
            .await;
        match sent {
            Ok(revoked) => {
                tracing::info!("device revoked from this phone");
                Ok(RevocationOutcome::Revoked {
                    revoked_at: revoked.revoked_at,
                })
            }
            Err(ClientError::Http(super::HttpError::Api {
                code: ErrorCode::AuthenticationFailed,
                attempts_left: Some(attempts_left),
                ..
            })) => Ok(RevocationOutcome::WrongPin { attempts_left }),
            Err(ClientError::Http(super::HttpError::Api {
                code: ErrorCode::PinLocked,
                ..
            })) => Ok(RevocationOutcome::Locked),
            Err(error) => Err(error),
        }
    }

    async fn device_list(&self) -> Result<DeviceList, ClientError> {
        self.inner.reconcile_on_start().await;
        let list: DeviceList = self.inner.authed(Request::get("/v1/devices")).await?;
        tracing::debug!(count = list.devices.len(), "devices listed");
        Ok(list)
    }
}

fn info(summary: crate::protocol::wire::DeviceSummary) -> DeviceInfo {
    let fallback = match summary.platform {
        Platform::Android => "Téléphone Android",
        Platform::Ios => "iPhone",
        Platform::Other => "Autre appareil",
    };
    DeviceInfo {
        device_id: summary.device_id,
        name: summary.name.unwrap_or_else(|| fallback.to_owned()),
        platform: summary.platform,
        enrolled_at: summary.enrolled_at,
        last_used_at: summary.last_used_at,
        current: summary.current,
        attested_security_level: summary.attestation.map(|a| a.security_level),
    }
}
