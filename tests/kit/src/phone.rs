//! A phone: the real core [`Client`] on a data folder of its own, with a software
//! P-256 key standing in for the Keystore or the Secure Enclave. Keeping the key and
//! the folder lets a test stop the app and start it again on the same store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::anyhow;
use cvconnect_core::client::{Client, ClientConfig, EnrolledDevice};
use cvconnect_core::crypto::signer::SoftwareSigner;
use cvconnect_core::protocol::wire::Platform;

use crate::errors::core_failed;

/// A phone running the core.
pub struct Phone {
    pub client: Arc<Client>,
    /// The device key; the same key opens the same store again.
    pub signer: Arc<SoftwareSigner>,
    /// The folder of the client's SQLite store.
    pub data_dir: PathBuf,
}

/// What enrolling a phone gave.
#[derive(Debug, Clone)]
pub struct Enrollment {
    pub device: EnrolledDevice,
    /// The code the admin API issued for it.
    pub activation_code: String,
}

impl Phone {
    /// A new phone: a new key and a client on `data_dir` against `base_url`, its
    /// configuration adjusted by `tweak`.
    pub fn create(
        base_url: &str,
        data_dir: PathBuf,
        tweak: impl FnOnce(&mut ClientConfig),
    ) -> anyhow::Result<Phone> {
        let signer = SoftwareSigner::generate().map_err(|e| anyhow!("clé de l'appareil : {e}"))?;
        Phone::open(base_url, data_dir, Arc::new(signer), tweak)
    }

    /// The app started again: a new client on an existing folder, with the phone's key.
    pub fn reopen(
        base_url: &str,
        data_dir: &Path,
        signer: Arc<SoftwareSigner>,
    ) -> anyhow::Result<Phone> {
        Phone::open(base_url, data_dir.to_path_buf(), signer, |_| {})
    }

    fn open(
        base_url: &str,
        data_dir: PathBuf,
        signer: Arc<SoftwareSigner>,
        tweak: impl FnOnce(&mut ClientConfig),
    ) -> anyhow::Result<Phone> {
        let mut config = ClientConfig::new(base_url, &data_dir);
        tweak(&mut config);
        let client = Client::new(config, signer.clone(), None)
            .map_err(core_failed("le téléphone n'a pas pu démarrer"))?;
        Ok(Phone {
            client: Arc::new(client),
            signer,
            data_dir,
        })
    }

    /// Enrolls through the core with an activation code, as the app's first screen does.
    pub async fn enroll(
        &self,
        email: &str,
        activation_code: &str,
        push_token: Option<String>,
    ) -> anyhow::Result<EnrolledDevice> {
        self.client
            .enroll(email, activation_code, push_token, Platform::Other)
            .await
            .map_err(core_failed("l'activation du téléphone a échoué"))
    }

    /// The device id the core's store holds.
    pub fn device_id(&self) -> anyhow::Result<String> {
        self.client
            .enrolled_device()
            .map_err(core_failed("le téléphone ne relit pas son activation"))?
            .map(|device| device.device_id)
            .ok_or_else(|| anyhow!("le téléphone n'est pas activé"))
    }
}
