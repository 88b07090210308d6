//! Certificate pinning against the sandbox's real TLS listener, and a scan of what the
//! client leaves on disk and in its logs.

use cvconnect_core::client::{ClientError, HttpError, PaymentOutcome, DATABASE_FILE};
use cvconnect_e2e::{type_pin, Harness, LogCapture};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_client_talks_only_to_the_pinned_key() {
    let h = Harness::start_tls().await;
    let pin = h.spki_pin().expect("TLS sandbox has a pin");
    let account = h.account("200.00").await;

    let pinned = h
        .phone_with(&account, |config| config.spki_pins = vec![pin.clone()])
        .await;
    assert_eq!(pinned.client.balance().await.unwrap().text, "200,00\u{a0}€");

    let other_key = format!("sha256/{}=", "A".repeat(43));
    let wrong = h.unenrolled_phone_with(|config| {
        config.spki_pins = vec![other_key, format!("sha256/{}A=", "B".repeat(42))]
    });
    let code = h.activation_code(&account).await;
    let refused = wrong
        .client
        .enroll(
            &account.email,
            &code,
            None,
            cvconnect_core::protocol::wire::Platform::Other,
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(ClientError::Http(HttpError::CertificateRejected))
        ),
        "{refused:?}"
    );

    let unpinned = h.unenrolled_phone_with(|_| {});
    let refused = unpinned
        .client
        .enroll(
            &account.email,
            &code,
            None,
            cvconnect_core::protocol::wire::Platform::Other,
        )
        .await;
    assert!(
        refused.is_err(),
        "a self-signed certificate is not trusted without a pin"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_pin_token_or_key_on_disk_or_in_logs() {
    let logs = LogCapture::install();
    let h = Harness::start_with_pin_length(6).await;
    let pin = "640531";
    let account = h.account_with_pin("200.00", pin).await;
    let phone = h.phone(&account).await;

    for attempts in [&["000000", pin][..], &[pin][..]] {
        let payment_id = h.create_payment(&account, "50.00").await;
        let session = phone.client.open_payment(&payment_id).await.unwrap();
        for attempt in attempts {
            let mut keypad = session.start_pin_entry().unwrap();
            type_pin(&mut keypad, attempt);
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

    let mut stored = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        if let Ok(bytes) = std::fs::read(phone.data_dir.join(format!("{DATABASE_FILE}{suffix}"))) {
            stored.extend_from_slice(&bytes);
        }
    }
    assert!(!stored.is_empty());
    let digits: Vec<u8> = pin.bytes().map(|b| b - b'0').collect();
    let private_key = phone.signer.pkcs8_der().to_vec();
    assert_eq!(
        private_key[34..36],
        [0x04, 0x20],
        "OCTET STRING of the 32-byte scalar"
    );
    for (what, needle) in [
        ("PIN as text", pin.as_bytes().to_vec()),
        ("PIN as digit values", digits),
        // ring's P-256 PKCS#8 holds the private scalar at bytes 36..68.
        ("private key", private_key[36..68].to_vec()),
        ("bearer token field", b"access_token".to_vec()),
    ] {
        assert!(
            !contains(&stored, &needle),
            "{what} found in the SQLite files"
        );
    }

    let text = logs.text();
    assert!(!text.is_empty(), "logs were captured");
    assert!(!text.contains(pin), "PIN in logs");
    assert!(!text.contains(&account.email), "unmasked e-mail in logs");
    assert!(!text.to_lowercase().contains("bearer "), "token in logs");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}
