//! Certificate pinning against the sandbox's real TLS listener, and a scan of what the
//! client leaves on disk and in its logs.

use cvconnect_core::client::{ClientError, EnrolledDevice, HttpError, PaymentOutcome};
use cvconnect_core::protocol::wire::Platform;
use cvconnect_e2e::scan::{contains_bytes, pin_forms, private_scalar, stored_bytes};
use cvconnect_testkit::{type_pin, Account, LogCapture, Options, Phone, World};

/// Enrolls `phone` on `account` with `code` through the core, as the app does.
async fn enroll(
    phone: &Phone,
    account: &Account,
    code: &str,
) -> Result<EnrolledDevice, ClientError> {
    phone
        .client
        .enroll(&account.email, code, None, Platform::Other)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_client_talks_only_to_the_pinned_key() -> anyhow::Result<()> {
    let h = World::start(Options::default().tls()).await?;
    let pin = h.spki_pin().expect("TLS sandbox has a pin");
    let account = h.account("200.00").await?;

    let pinned = h
        .phone_with(&account.email, |config| {
            config.spki_pins = vec![pin.clone()]
        })
        .await?;
    assert_eq!(pinned.client.balance().await.unwrap().text, "200,00\u{a0}€");

    let other_key = format!("sha256/{}=", "A".repeat(43));
    let wrong = h.new_phone_with(|config| {
        config.spki_pins = vec![other_key, format!("sha256/{}A=", "B".repeat(42))]
    })?;
    let code = h.activation_code(&account.email).await?;
    let refused = enroll(&wrong, &account, &code).await;
    assert!(
        matches!(
            refused,
            Err(ClientError::Http(HttpError::CertificateRejected))
        ),
        "{refused:?}"
    );

    let unpinned = h.new_phone_with(|_| {})?;
    let refused = enroll(&unpinned, &account, &code).await;
    assert!(
        refused.is_err(),
        "a self-signed certificate is not trusted without a pin"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_pin_token_or_key_on_disk_or_in_logs() -> anyhow::Result<()> {
    let logs = LogCapture::install();
    let h = World::start(Options::default().pin_length(6)).await?;
    let pin = "640531";
    let account = h.account_with_pin("200.00", pin).await?;
    let phone = h.phone(&account.email).await?;

    for attempts in [&["000000", pin][..], &[pin][..]] {
        let payment_id = h.create_payment(&account.email, "50.00").await?;
        let session = phone.client.open_payment(&payment_id).await.unwrap();
        for attempt in attempts {
            let mut keypad = session.start_pin_entry().unwrap();
            type_pin(&mut keypad, attempt)?;
            assert!(!format!("{keypad:?}").contains(pin));
            let outcome = session.confirm_keypad(&mut keypad).await.unwrap();
            let expected_paid = *attempt == pin;
            assert_eq!(
                matches!(outcome, PaymentOutcome::PaidInFull { .. }),
                expected_paid,
                "{outcome:?}"
            );
        }
    }

    let stored = stored_bytes(&phone.data_dir);
    assert!(!stored.is_empty());
    let mut needles = pin_forms(pin).to_vec();
    needles.push(("private key", private_scalar(&phone.signer)));
    needles.push(("bearer token field", b"access_token".to_vec()));
    for (what, needle) in needles {
        assert!(
            !contains_bytes(&stored, &needle),
            "{what} found in the SQLite files"
        );
    }

    let text = logs.text();
    assert!(!text.is_empty(), "logs were captured");
    assert!(!text.contains(pin), "PIN in logs");
    assert!(!text.contains(&account.email), "unmasked e-mail in logs");
    assert!(!text.to_lowercase().contains("bearer "), "token in logs");
    Ok(())
}
