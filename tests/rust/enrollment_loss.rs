//! A phone whose local database lost its enrollment says so, instead of starting as a
//! new phone; and a damaged store is an error, never "not enrolled".

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cvconnect_core::client::{ClientError, DATABASE_FILE};
use cvconnect_core::crypto::signer::SoftwareSigner;
use cvconnect_core::protocol::wire::Platform;
use cvconnect_testkit::{eur, Account, Options, Phone, World};

/// A world, an account and a phone enrolled on it, with the device id it stored.
struct Enrolled {
    world: World,
    account: Account,
    phone: Phone,
    device_id: String,
}

async fn enrolled(balance: &str) -> anyhow::Result<Enrolled> {
    let world = World::start(Options::default()).await?;
    let (account, phone) = world.account_with_phone(balance).await?;
    let device = phone.client.enrolled_device().unwrap().expect("enrolled");
    Ok(Enrolled {
        world,
        account,
        phone,
        device_id: device.device_id,
    })
}

fn assert_lost(phone: &Phone, device_id: &str) {
    match phone.client.enrolled_device() {
        Err(ClientError::EnrollmentLost { device_id: lost }) => assert_eq!(lost, device_id),
        other => panic!("expected EnrollmentLost, got {other:?}"),
    }
    assert!(matches!(
        phone.client.is_enrolled(),
        Err(ClientError::EnrollmentLost { .. })
    ));
}

/// Stops the app: the client is dropped; its key and folder stay.
fn stop(phone: Phone) -> (Arc<SoftwareSigner>, PathBuf) {
    let Phone {
        client,
        signer,
        data_dir,
    } = phone;
    drop(client);
    (signer, data_dir)
}

fn remove_wal(data_dir: &Path) {
    for suffix in ["-wal", "-shm"] {
        let _ = fs::remove_file(data_dir.join(format!("{DATABASE_FILE}{suffix}")));
    }
}

#[tokio::test]
async fn a_truncated_database_is_reported_as_a_lost_enrollment_and_re_enrolls_with_the_same_key(
) -> anyhow::Result<()> {
    let Enrolled {
        world,
        account,
        phone,
        device_id,
    } = enrolled("200.00").await?;
    let (signer, data_dir) = stop(phone);
    OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(data_dir.join(DATABASE_FILE))
        .unwrap();
    remove_wal(&data_dir);

    let phone = world.reopen_phone(&data_dir, signer)?;
    assert_lost(&phone, &device_id);
    assert!(matches!(
        phone.client.balance().await,
        Err(ClientError::EnrollmentLost { .. })
    ));

    let code = world.activation_code(&account.email).await?;
    let again = phone
        .client
        .enroll(&account.email, &code, None, Platform::Other)
        .await
        .expect("re-enrollment with the key the phone still has");
    assert_ne!(again.device_id, device_id);
    assert!(phone.client.is_enrolled().unwrap());
    let balance = phone
        .client
        .balance()
        .await
        .expect("the same key authenticates");
    assert_eq!(balance.amount, eur("200.00"));
    Ok(())
}

#[tokio::test]
async fn a_lost_wal_holding_the_enrollment_is_reported() -> anyhow::Result<()> {
    let Enrolled {
        world,
        phone,
        device_id,
        ..
    } = enrolled("50.00").await?;
    // The enrollment sits in the WAL (no checkpoint yet): a copy of the folder without
    // it is what a phone finds after losing the WAL.
    let copy = phone.data_dir.with_extension("copy");
    fs::create_dir_all(&copy).unwrap();
    for entry in fs::read_dir(&phone.data_dir).unwrap().flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().ends_with("-wal") && !name.to_string_lossy().ends_with("-shm") {
            fs::copy(entry.path(), copy.join(&name)).unwrap();
        }
    }
    let reopened = world.reopen_phone(&copy, phone.signer.clone())?;
    assert_lost(&reopened, &device_id);
    Ok(())
}

#[tokio::test]
async fn a_damaged_device_table_is_an_error_not_a_new_phone() -> anyhow::Result<()> {
    let Enrolled { world, phone, .. } = enrolled("50.00").await?;
    let (signer, data_dir) = stop(phone);
    let conn = rusqlite::Connection::open(data_dir.join(DATABASE_FILE)).unwrap();
    conn.execute_batch("DROP TABLE device").unwrap();
    drop(conn);

    let phone = world.reopen_phone(&data_dir, signer)?;
    assert!(matches!(
        phone.client.is_enrolled(),
        Err(ClientError::Store(_))
    ));
    assert!(matches!(
        phone.client.enrolled_device(),
        Err(ClientError::Store(_))
    ));
    Ok(())
}

#[tokio::test]
async fn a_new_phone_is_simply_not_enrolled() -> anyhow::Result<()> {
    let world = World::start(Options::default()).await?;
    let phone = world.new_phone_with(|_| {})?;
    assert!(!phone.client.is_enrolled().unwrap());
    assert!(phone.client.enrolled_device().unwrap().is_none());
    Ok(())
}
