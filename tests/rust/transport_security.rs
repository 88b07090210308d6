//! The core's transport against the sandbox's real TLS listener: what goes over the
//! wire, certificate pinning, and what the client leaves on disk and in its logs.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use cvconnect_core::client::{ClientError, EnrolledDevice, HttpError, PaymentOutcome, RequestAuth};
use cvconnect_core::protocol::wire::Platform;
use cvconnect_e2e::scan::{
    contains_bytes, holds_a_live_token, live_token_hashes, pin_forms, private_scalar, stored_bytes,
};
use cvconnect_testkit::{confirm_pin, type_pin, Account, LogCapture, Options, Phone, World};
use tokio::net::{TcpListener, TcpStream};

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

/// The live bearer tokens of `h`'s sandbox (their hashes), after checking that the
/// oracle recognises one: a software device's token, which the test can read.
async fn live_tokens(h: &World, account: &Account) -> anyhow::Result<HashSet<[u8; 32]>> {
    let soft = h.soft_device(&account.email).await?;
    let tokens = live_token_hashes(&h.database_path().expect("an embedded sandbox"));
    assert!(holds_a_live_token(soft.access_token.as_bytes(), &tokens));
    Ok(tokens)
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
    // Without pins the public roots decide, and they do not know a self-signed key.
    let unpinned = h.new_phone_with(|_| {})?;
    let code = h.activation_code(&account.email).await?;
    for (phone, which) in [(&wrong, "pins of other keys"), (&unpinned, "no pin")] {
        let refused = enroll(phone, &account, &code).await;
        assert!(
            matches!(
                refused,
                Err(ClientError::Http(HttpError::CertificateRejected))
            ),
            "{which}: {refused:?}"
        );
    }
    Ok(())
}

/// Forwards one direction of a connection, keeping a copy of every byte.
async fn forward(from: Arc<TcpStream>, to: Arc<TcpStream>, seen: Arc<Mutex<Vec<u8>>>) {
    let mut buffer = vec![0; 16 * 1024];
    loop {
        if from.readable().await.is_err() {
            return;
        }
        let read = match from.try_read(&mut buffer) {
            Ok(0) => return,
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return,
        };
        seen.lock().unwrap().extend_from_slice(&buffer[..read]);
        let mut sent = 0;
        while sent < read {
            if to.writable().await.is_err() {
                return;
            }
            match to.try_write(&buffer[sent..read]) {
                Ok(written) => sent += written,
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => return,
            }
        }
    }
}

/// A TCP relay to `target` on a free loopback port: its address, and every byte that
/// went through it either way (what an observer of the network sees).
async fn recording_relay(target: String) -> anyhow::Result<(String, Arc<Mutex<Vec<u8>>>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?.to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorded = seen.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(&target).await else {
                continue;
            };
            let (client, server) = (Arc::new(client), Arc::new(server));
            tokio::spawn(forward(client.clone(), server.clone(), recorded.clone()));
            tokio::spawn(forward(server, client, recorded.clone()));
        }
    });
    Ok((address, seen))
}

/// What a relay recorded of a phone's traffic, and what must not be readable in it.
struct Recorded {
    wire: Vec<u8>,
    needles: Vec<(&'static str, Vec<u8>)>,
    tokens: HashSet<[u8; 32]>,
}

impl Recorded {
    /// The names of the needles readable on the wire, live bearer tokens included.
    fn readable(&self) -> Vec<&'static str> {
        let mut found: Vec<&'static str> = self
            .needles
            .iter()
            .filter(|(_, needle)| contains_bytes(&self.wire, needle))
            .map(|(what, _)| *what)
            .collect();
        if holds_a_live_token(&self.wire, &self.tokens) {
            found.push("bearer token");
        }
        found
    }
}

/// A phone of `options`' sandbox, authenticating with `auth`, talking through a
/// recording relay (pinned when the sandbox serves TLS): enrollment, a wrong then a
/// right PIN, a decline, the balance.
async fn pay_through_a_relay(options: Options, auth: RequestAuth) -> anyhow::Result<Recorded> {
    let h = World::start(options.pin_length(6)).await?;
    let pin = "582017";
    let account = h.account_with_pin("200.00", pin).await?;
    let (scheme, sandbox) = h.base_url.split_once("://").expect("a URL");
    let (relay, seen) = recording_relay(sandbox.to_owned()).await?;
    let spki_pin = h.spki_pin();
    let phone = h.new_phone_with(|config| {
        config.base_url = format!("{scheme}://{relay}");
        config.spki_pins = spki_pin.into_iter().collect();
        config.request_auth = auth;
    })?;
    let code = h.activation_code(&account.email).await?;
    enroll(&phone, &account, &code).await?;
    let payment_id = h.create_payment(&account.email, "50.00").await?;
    let session = phone.client.open_payment(&payment_id).await?;
    assert!(matches!(
        confirm_pin(&session, "000000").await?,
        PaymentOutcome::WrongPin { .. }
    ));
    assert!(matches!(
        confirm_pin(&session, pin).await?,
        PaymentOutcome::PaidInFull { .. }
    ));
    let declined = h.create_payment(&account.email, "20.00").await?;
    let session = phone.client.open_payment(&declined).await?;
    assert_eq!(session.decline().await?, PaymentOutcome::Declined);
    assert_eq!(phone.client.balance().await?.text, "150,00\u{a0}€");

    let mut needles = pin_forms(pin).to_vec();
    for (what, needle) in [
        ("e-mail", account.email.as_str()),
        ("activation code", code.as_str()),
        ("payment id", payment_id.as_str()),
        ("HTTP", "HTTP/1.1"),
        ("path", "/v1/"),
        ("JSON field", "sealed_pin"),
        ("bearer token field", "access_token"),
        ("request proof", "CVC-Proof"),
    ] {
        needles.push((what, needle.as_bytes().to_vec()));
    }
    let tokens = live_tokens(&h, &account).await?;
    let wire = seen.lock().unwrap().clone();
    assert!(wire.len() > 4_096, "the traffic went through the relay");
    Ok(Recorded {
        wire,
        needles,
        tokens,
    })
}

/// MASVS-NETWORK-1: everything the core sends and receives is encrypted. Through a
/// relay that records the bytes, the TLS traffic holds TLS records and nothing
/// readable: no e-mail, activation code, PIN, payment id, HTTP text or bearer token.
/// The control: the same flow over plain HTTP (allowed on loopback only) shows all of
/// them but the PIN, which is sealed to the backend's key even there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_core_puts_nothing_readable_on_the_wire() -> anyhow::Result<()> {
    let readable_in_plain = ["e-mail", "activation code", "payment id", "HTTP", "path"];
    for (auth, credential) in [
        (
            RequestAuth::DeviceProof,
            &["JSON field", "request proof"][..],
        ),
        (
            RequestAuth::BearerToken,
            &["JSON field", "bearer token field", "bearer token"][..],
        ),
    ] {
        let tls = pay_through_a_relay(Options::default().tls(), auth).await?;
        assert_eq!(tls.wire[..2], [0x16, 0x03], "a TLS handshake record first");
        assert_eq!(tls.readable(), Vec::<&str>::new(), "{auth:?}");

        let plain = pay_through_a_relay(Options::default(), auth).await?;
        let expected: Vec<&str> = readable_in_plain
            .iter()
            .chain(credential)
            .copied()
            .collect();
        assert_eq!(plain.readable(), expected, "{auth:?}");
    }
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

    // The phone's own token is among the live ones: it read its balance just now.
    assert!(phone.client.balance().await.is_ok());
    let tokens = live_tokens(&h, &account).await?;
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
    assert!(
        !holds_a_live_token(&stored, &tokens),
        "a bearer token in the SQLite files"
    );

    let text = logs.text();
    assert!(!text.is_empty(), "logs were captured");
    assert!(!text.contains(pin), "PIN in logs");
    assert!(!text.contains(&account.email), "unmasked e-mail in logs");
    assert!(!text.to_lowercase().contains("bearer "), "token in logs");
    assert!(
        !holds_a_live_token(text.as_bytes(), &tokens),
        "a bearer token in logs"
    );
    Ok(())
}
