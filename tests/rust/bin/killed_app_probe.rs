//! The app that the killed-app tests kill: it starts again on an enrolled phone's
//! folder with the phone's key, opens a payment and confirms it with the kit's PIN.
//! The test sets `CVCONNECT_TEST_CRASH_AT` (core feature `test-hooks`), so the process
//! aborts at that point of the confirmation, as when the system kills the app.
//!
//! Usage: `killed_app_probe BASE_URL DATA_DIR KEY_FILE PAYMENT_ID`, where `KEY_FILE`
//! holds the device key (PKCS#8 DER). A probe that reaches no crash point prints
//! `OUTCOME <code>` and exits normally, which the tests count as a failure.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use cvconnect_core::crypto::signer::SoftwareSigner;
use cvconnect_testkit::{confirm_pin, Phone, PIN};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base_url, data_dir, key_file, payment_id] = <[String; 4]>::try_from(args)
        .map_err(|args| anyhow::anyhow!("4 arguments expected, got {}", args.len()))?;
    let key = std::fs::read(&key_file).context("device key")?;
    let signer = SoftwareSigner::from_pkcs8(&key).context("device key")?;
    let phone = Phone::reopen(&base_url, &PathBuf::from(data_dir), Arc::new(signer))?;
    let session = phone.client.open_payment(&payment_id).await?;
    let outcome = confirm_pin(&session, PIN).await?;
    println!("OUTCOME {}", outcome.code());
    Ok(())
}
