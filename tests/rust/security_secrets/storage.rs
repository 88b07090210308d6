//! The client's SQLite files (database, WAL, shared memory) scanned after every
//! scenario, a confirmation still in flight included: no PIN in any form, no private
//! key, no bearer token.

use std::collections::HashSet;

use cvconnect_core::client::PaymentOutcome;
use cvconnect_e2e::scan::{
    contains_bytes, holds_a_live_token, live_token_hashes, pin_forms, private_scalar, stored_bytes,
};
use cvconnect_testkit::{confirm_pin, Fault, Options, Phone, World};

use super::{open, pay_or_error, CONFIRM_ROUTE, MARKER_PIN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_holds_no_pin_key_or_token_after_every_scenario() -> anyhow::Result<()> {
    let h = World::start(Options::default().pin_length(6)).await?;
    let account = h.account_with_pin("900.00", MARKER_PIN).await?;
    let phone = h.phone(&account.email).await?;
    let mut scan = StorageScan::new(&h, &phone);
    scan.check("enrollment");

    let session = open(&h, &account, &phone, "50.00").await?;
    assert!(matches!(
        confirm_pin(&session, MARKER_PIN).await?,
        PaymentOutcome::PaidInFull { .. }
    ));
    scan.check("paid in full");

    let session = open(&h, &account, &phone, "80.00").await?;
    session.set_amount("30").unwrap();
    assert!(matches!(
        confirm_pin(&session, MARKER_PIN).await?,
        PaymentOutcome::PaidInPart { .. }
    ));
    scan.check("paid in part");

    let session = open(&h, &account, &phone, "40.00").await?;
    assert!(matches!(
        confirm_pin(&session, "000000").await?,
        PaymentOutcome::WrongPin { .. }
    ));
    scan.check("wrong PIN");
    assert!(matches!(
        confirm_pin(&session, MARKER_PIN).await?,
        PaymentOutcome::PaidInFull { .. }
    ));
    scan.check("right PIN after a wrong one");

    let session = open(&h, &account, &phone, "40.00").await?;
    for wrong in ["111111", "222222"] {
        confirm_pin(&session, wrong).await?;
    }
    assert_eq!(
        confirm_pin(&session, "333333").await?,
        PaymentOutcome::Locked
    );
    scan.check("PIN locked");
    h.unlock(&account.email).await?;

    let session = open(&h, &account, &phone, "40.00").await?;
    assert_eq!(session.decline().await.unwrap(), PaymentOutcome::Declined);
    scan.check("declined");

    // Cancelled confirmation: scanned while the request is still in flight, then after.
    let session = open(&h, &account, &phone, "40.00").await?;
    h.confirm_then_leave(&session, MARKER_PIN).await?;
    scan.check("cancelled confirmation, request in flight");
    phone.wait_finished(&session.payment_id()).await?;
    drop(session);
    assert!(phone.client.reconcile().await.unwrap().is_empty());
    scan.check("cancelled confirmation, settled");

    // A lost answer settled from the payment's status.
    let session = open(&h, &account, &phone, "40.00").await?;
    h.inject_fault(CONFIRM_ROUTE, Fault::DropAfterCommit, 3)
        .await?;
    let _ = pay_or_error(&session, MARKER_PIN).await;
    h.clear_faults().await?;
    drop(session);
    phone.client.reconcile().await.unwrap();
    scan.check("lost answer, reconciled");

    let session = open(&h, &account, &phone, "40.00").await?;
    h.advance_clock(181).await?;
    assert_eq!(
        confirm_pin(&session, MARKER_PIN).await?,
        PaymentOutcome::Expired
    );
    scan.check("expired");

    // The oracle recognises a live token (here one the test holds).
    let soft = h.soft_device(&account.email).await?;
    scan.check("another device enrolled");
    assert!(holds_a_live_token(
        soft.access_token.as_bytes(),
        &scan.tokens
    ));
    println!(
        "storage: {} scenarios scanned, {} token hashes checked, {} bytes at the end",
        scan.scenarios,
        scan.tokens.len(),
        stored_bytes(&phone.data_dir).len()
    );
    Ok(())
}

struct StorageScan<'a> {
    h: &'a World,
    phone: &'a Phone,
    scalar: Vec<u8>,
    /// Every token hash seen so far: the sandbox deletes expired tokens.
    tokens: HashSet<[u8; 32]>,
    scenarios: usize,
}

impl<'a> StorageScan<'a> {
    fn new(h: &'a World, phone: &'a Phone) -> Self {
        StorageScan {
            h,
            phone,
            scalar: private_scalar(&phone.signer),
            tokens: HashSet::new(),
            scenarios: 0,
        }
    }

    fn check(&mut self, scenario: &str) {
        self.scenarios += 1;
        self.tokens.extend(live_token_hashes(
            &self.h.database_path().expect("an embedded sandbox"),
        ));
        let stored = stored_bytes(&self.phone.data_dir);
        assert!(!stored.is_empty(), "{scenario}: nothing stored");
        for (what, needle) in pin_forms(MARKER_PIN) {
            assert!(
                !contains_bytes(&stored, &needle),
                "{scenario}: {what} in the SQLite files"
            );
        }
        assert!(
            !contains_bytes(&stored, &self.scalar),
            "{scenario}: the private key scalar in the SQLite files"
        );
        for word in [&b"access_token"[..], b"Bearer", b"bearer"] {
            assert!(
                !contains_bytes(&stored, word),
                "{scenario}: {:?} in the SQLite files",
                String::from_utf8_lossy(word)
            );
        }
        assert!(
            !holds_a_live_token(&stored, &self.tokens),
            "{scenario}: a bearer token in the SQLite files"
        );
    }
}
