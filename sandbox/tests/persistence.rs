//! Restart on the same SQLite file, and TLS with the self-signed certificate.

mod common;

use common::*;
use cvconnect_core::crypto::signer::spki_sha256_pin;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::PaymentStatus;
use cvconnect_sandbox_client::{http_client, AdminClient, MerchantClient};

#[tokio::test]
async fn restart_on_the_same_file_keeps_all_state() {
    let world = start().await;
    let mut device = world.device(DEMO_EMAIL).await;
    let paid = world.request("150.00").await;
    device.pay(&paid, eur("150.00"), DEMO_PIN).await.unwrap();
    let pending = world.request("30.00").await;
    let wrong = world.request("20.00").await;
    device.pay(&wrong, eur("20.00"), "0000").await.unwrap_err();
    world.admin.advance_clock(10).await.unwrap();
    let detail_before = device.payment(&pending).await.unwrap();
    let feed_before = world.admin.push_feed(None, 0, 0).await.unwrap();
    let token_before = device.access_token.clone();

    let dir = world.shutdown().await;
    let world = World::start_in(dir, options()).await.unwrap();
    device.api = world.beneficiary();

    // Tokens, accounts, balances, payments, attempts, ledger, push feed, clock.
    assert_eq!(device.access_token, token_before);
    assert_eq!(device.balance().await.unwrap(), eur("50.00"));
    let account = world.admin.account(DEMO_EMAIL).await.unwrap();
    assert_eq!(account.failed_attempts, 1);
    assert_eq!(
        world.merchant().payment(&paid).await.unwrap().status,
        PaymentStatus::Authorised
    );
    let ledger = world.admin.ledger().await.unwrap();
    assert_eq!(ledger.entries.len(), 1);
    assert_eq!(ledger.entries[0].payment_id, paid);
    assert_eq!(
        world.admin.push_feed(None, 0, 0).await.unwrap(),
        feed_before
    );
    let detail = device.payment(&pending).await.unwrap();
    assert_eq!(detail.pin_key, detail_before.pin_key);
    assert_eq!(detail.nonce, detail_before.nonce);
    assert_eq!(detail.attempts_left, 2);
    let clock = world.admin.advance_clock(0).await.unwrap();
    assert_eq!(clock.offset_secs, 10);

    // The device authenticates again and confirms with a DEMO_PIN sealed to the same key.
    device.authenticate().await.unwrap();
    let ok = device.pay(&pending, eur("30.00"), DEMO_PIN).await.unwrap();
    assert_eq!(ok.balance, eur("20.00"));
    assert_eq!(
        world
            .admin
            .account(DEMO_EMAIL)
            .await
            .unwrap()
            .failed_attempts,
        0
    );
    // Seeding again did not duplicate nor reset anything.
    let err = world
        .admin
        .create_account(DEMO_EMAIL, "55555555555", eur("1.00"), "1234")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ValidationFailed));
    world.shutdown().await;
}

#[tokio::test]
async fn tls_serves_the_pinned_self_signed_certificate() {
    let world = World::start(options().tls()).await.unwrap();
    assert!(world.base_url.starts_with("https://127.0.0.1:"));
    let pin = world.spki_pin().unwrap();
    let cert = world.sandbox().unwrap().cert_der().unwrap().to_vec();
    // The pin is the SHA-256 of the certificate's SubjectPublicKeyInfo.
    let spki = spki_of(&cert);
    assert_eq!(spki_sha256_pin(&spki), pin);

    // The world's clients trust the certificate (and only it).
    let created = world.try_request("30.00").await.unwrap();
    assert_eq!(created.status, PaymentStatus::Pending);
    // A client that does not trust the certificate fails.
    let other = MerchantClient::new(http_client(), &world.base_url, DEMO_MERCHANT_KEY);
    assert!(other.payment(&created.id).await.unwrap_err().is_transport());
    let trusting = world.http.clone();
    let dir = world.shutdown().await;

    // The certificate (hence the pin) survives a restart.
    let again = World::start_in(dir, options().tls()).await.unwrap();
    assert_eq!(again.spki_pin().unwrap(), pin);
    let admin = AdminClient::new(trusting, &again.base_url, again.admin_token());
    assert_eq!(admin.ledger().await.unwrap().entries.len(), 0);
    again.shutdown().await;
}

/// Extracts the SubjectPublicKeyInfo from a P-256 certificate by finding the fixed
/// P-256 SPKI prefix (enough for rcgen's certificates).
fn spki_of(cert: &[u8]) -> Vec<u8> {
    const PREFIX: [u8; 4] = [0x30, 0x59, 0x30, 0x13];
    let at = cert
        .windows(PREFIX.len())
        .position(|w| w == PREFIX)
        .expect("P-256 SPKI in the certificate");
    cert[at..at + 91].to_vec()
}
