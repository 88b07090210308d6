//! Races: two devices on one payment, 200 confirmations on one account.

mod common;

use common::*;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::PaymentStatus;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_racing_debit_once() {
    let world = start().await;
    let phone = world.device(DEMO_EMAIL).await;
    let tablet = world.device(DEMO_EMAIL).await;
    for round in 0..5 {
        let id = world.request("40.00").await;
        let a = phone.payment(&id).await.unwrap();
        let b = tablet.payment(&id).await.unwrap();
        assert_eq!(a.nonce, b.nonce);
        let ra = phone
            .confirm_request(
                &a,
                eur("40.00"),
                DEMO_PIN,
                &format!("idem_phone_race_{round:04}"),
            )
            .unwrap();
        let rb = tablet
            .confirm_request(
                &b,
                eur("40.00"),
                DEMO_PIN,
                &format!("idem_tablet_race_{round:04}"),
            )
            .unwrap();
        let (x, y) = tokio::join!(phone.confirm(&id, &ra), tablet.confirm(&id, &rb));
        let (ok, err) = match (x, y) {
            (Ok(ok), Err(err)) | (Err(err), Ok(ok)) => (ok, err),
            other => panic!("exactly one must succeed: {other:?}"),
        };
        assert_eq!(ok.status, PaymentStatus::Authorised);
        assert!(
            matches!(
                err.code(),
                Some(ErrorCode::PaymentNotPending | ErrorCode::NonceUsed)
            ),
            "{err:?}"
        );
    }
    let ledger = world.admin.ledger().await.unwrap();
    assert_eq!(ledger.entries.len(), 5);
    assert_eq!(phone.balance().await.unwrap(), eur("0.00"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_confirmations_keep_the_balance_exact() {
    let world = start().await;
    world
        .admin
        .set_balance(DEMO_EMAIL, eur("150.00"))
        .await
        .unwrap();
    let device = std::sync::Arc::new(world.device(DEMO_EMAIL).await);
    // 200 requests of 20.00 €, each paying 1.00 € in CV Connect: 150 fit the balance.
    let mut requests = Vec::new();
    for i in 0..200 {
        let id = world.request("20.00").await;
        let detail = device.payment(&id).await.unwrap();
        let request = device
            .confirm_request(&detail, eur("1.00"), DEMO_PIN, &format!("idem_bulk_{i:08}"))
            .unwrap();
        requests.push((id, request));
    }
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(id, request)| {
            let device = device.clone();
            tokio::spawn(async move { device.confirm(&id, &request).await })
        })
        .collect();
    let mut paid = 0;
    let mut refused = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(ok) => {
                assert_eq!(ok.status, PaymentStatus::PartiallyAuthorised);
                assert_eq!(ok.remaining_amount, eur("19.00"));
                paid += 1;
            }
            Err(err) => {
                assert_eq!(err.code(), Some(ErrorCode::AmountOutOfBounds), "{err:?}");
                refused += 1;
            }
        }
    }
    assert_eq!((paid, refused), (150, 50));
    assert_eq!(device.balance().await.unwrap(), eur("0.00"));
    let ledger = world.admin.ledger().await.unwrap();
    assert_eq!(ledger.entries.len(), 150);
    assert_eq!(ledger.total, "150.00");
    // Balances after each debit are distinct and never negative.
    let mut after: Vec<u64> = ledger
        .entries
        .iter()
        .map(|e| e.balance_after.cents())
        .collect();
    after.sort_unstable();
    after.dedup();
    assert_eq!(after.len(), 150);
    assert_eq!(after[0], 0);
}
