//! Whole flows (enrollment, payments in full and in part, wrong PINs, a decline, lost
//! answers, a caller giving up, expiry, the lock) through the process-wide log sink,
//! which also receives the in-process sandbox's events: no PIN, no token, and e-mails
//! masked.

use cvconnect_core::client::PaymentOutcome;
use cvconnect_e2e::scan::{base64url_runs, holds_a_live_token, live_token_hashes, TOKEN_LEN};
use cvconnect_testkit::{confirm_pin, eur, Fault, LogCapture, Options, World};

use super::{open, pay_or_error, CONFIRM_ROUTE, DETAIL_ROUTE, MARKER_PIN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_flows_log_no_pin_no_token_and_only_masked_emails() -> anyhow::Result<()> {
    // The sink is process-wide and also receives the in-process sandbox's events.
    let logs = LogCapture::install();
    let h = World::start(Options::default().pin_length(6)).await?;
    let account = h.account_with_pin("900.00", MARKER_PIN).await?;
    let phone = h.new_phone_with(|_| {})?;
    let activation_code = h.activation_code(&account.email).await?;
    let enrolled = phone
        .enroll(&account.email, &activation_code, Some("push-logs".into()))
        .await?;
    assert!(enrolled.email_masked.starts_with("b***@"));

    // In full, in part, a wrong PIN then the right one, a decline.
    let session = open(&h, &account, &phone, "60.00").await?;
    assert!(matches!(
        confirm_pin(&session, MARKER_PIN).await?,
        PaymentOutcome::PaidInFull { .. }
    ));
    let session = open(&h, &account, &phone, "60.00").await?;
    session.set_amount("25,50").unwrap();
    assert!(matches!(
        confirm_pin(&session, MARKER_PIN).await?,
        PaymentOutcome::PaidInPart { .. }
    ));
    let session = open(&h, &account, &phone, "40.00").await?;
    assert!(matches!(
        confirm_pin(&session, "000000").await?,
        PaymentOutcome::WrongPin { attempts_left: 2 }
    ));
    assert!(matches!(
        confirm_pin(&session, MARKER_PIN).await?,
        PaymentOutcome::PaidInFull { .. }
    ));
    let session = open(&h, &account, &phone, "40.00").await?;
    assert_eq!(session.decline().await.unwrap(), PaymentOutcome::Declined);

    // Lost answers and a server error: the retry and reconcile paths log too. The first
    // of the three tries pays and every answer is dropped; the core then reads the
    // payment, which fails once and succeeds on the retry: paid in full, with nothing
    // left to reconcile.
    let session = open(&h, &account, &phone, "30.00").await?;
    h.inject_fault(CONFIRM_ROUTE, Fault::DropAfterCommit, 3)
        .await?;
    h.inject_fault(DETAIL_ROUTE, Fault::Error, 1).await?;
    let outcome = pay_or_error(&session, MARKER_PIN).await;
    drop(session);
    h.clear_faults().await?;
    assert!(
        matches!(outcome, Ok(PaymentOutcome::PaidInFull { paid, .. }) if paid == eur("30.00")),
        "{outcome:?}"
    );
    assert_eq!(phone.client.reconcile().await.unwrap(), vec![]);

    // A caller that gives up waiting.
    let session = open(&h, &account, &phone, "30.00").await?;
    h.confirm_then_leave(&session, MARKER_PIN).await?;
    phone.wait_finished(&session.payment_id()).await?;
    drop(session);
    phone.client.reconcile().await.unwrap();

    // A software device on the same account, whose token the test knows.
    let soft = h.soft_device(&account.email).await?;
    let payment_id = h.create_payment(&account.email, "20.00").await?;
    soft.pay(&payment_id, eur("20.00"), MARKER_PIN)
        .await
        .unwrap();

    // Expiry, then three wrong PINs and the lock.
    let session = open(&h, &account, &phone, "30.00").await?;
    h.advance_clock(181).await?;
    assert_eq!(
        confirm_pin(&session, MARKER_PIN).await?,
        PaymentOutcome::Expired
    );
    let session = open(&h, &account, &phone, "30.00").await?;
    for wrong in ["111111", "222222"] {
        assert!(matches!(
            confirm_pin(&session, wrong).await?,
            PaymentOutcome::WrongPin { .. }
        ));
    }
    assert_eq!(
        confirm_pin(&session, "333333").await?,
        PaymentOutcome::Locked
    );
    h.unlock(&account.email).await?;
    assert!(phone.client.balance().await.is_ok());

    let text = logs.text();
    let tokens = live_token_hashes(&h.database_path().expect("an embedded sandbox"));
    assert!(
        text.contains("cvconnect_core::"),
        "core logs captured:\n{text}"
    );
    assert!(
        text.contains("cvconnect_sandbox::"),
        "sandbox logs captured:\n{text}"
    );
    assert!(
        text.contains("b***@example.fr"),
        "e-mails appear masked:\n{text}"
    );
    // The sandbox's admin routes (test tooling, not protocol) carry e-mails in their
    // paths, which its request log prints: see `admin_request_logs_mask_emails`.
    let protocol_lines: String = text
        .lines()
        .filter(|line| !line.contains("path=/admin/"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !protocol_lines.contains(&account.email),
        "full e-mail in the logs:\n{text}"
    );
    for (what, needle) in [
        ("marker PIN", MARKER_PIN),
        ("activation code", activation_code.as_str()),
        ("known bearer token", soft.access_token.as_str()),
    ] {
        assert!(!text.contains(needle), "{what} in the logs:\n{text}");
    }
    let lower = text.to_lowercase();
    for word in ["bearer", "access_token", "authorization"] {
        assert!(!lower.contains(word), "{word:?} in the logs:\n{text}");
    }
    assert!(
        holds_a_live_token(soft.access_token.as_bytes(), &tokens),
        "the token oracle recognises a live token"
    );
    assert!(
        !holds_a_live_token(text.as_bytes(), &tokens),
        "a bearer token issued by the sandbox is in the logs:\n{text}"
    );
    let long_runs = base64url_runs(text.as_bytes(), TOKEN_LEN);
    assert!(
        long_runs.is_empty(),
        "43+ character base64url values (tokens, challenges, signatures, sealed PINs, \
         nonces) in the logs: {:?}",
        long_runs
            .iter()
            .map(|run| String::from_utf8_lossy(run))
            .collect::<Vec<_>>()
    );
    println!(
        "logs: {} lines scanned, {} live token hashes checked",
        text.lines().count(),
        tokens.len()
    );
    Ok(())
}

/// The sandbox's request log prints paths, and `/admin/accounts/{account}/…` paths hold
/// the account's e-mail in full.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_request_logs_mask_emails() -> anyhow::Result<()> {
    let logs = LogCapture::install();
    let h = World::start(Options::default()).await?;
    let email = "admin.path.probe@example.fr";
    h.admin
        .create_account(email, "10000000999", eur("10.00"), "4827")
        .await
        .unwrap();
    h.admin.account(email).await.unwrap();
    h.admin.unlock(email).await.unwrap();
    let text = logs.text();
    assert!(text.contains("path=/admin/accounts/"), "{text}");
    let leaks: Vec<&str> = text.lines().filter(|l| l.contains(email)).collect();
    assert!(leaks.is_empty(), "full e-mail in the logs: {leaks:#?}");
    Ok(())
}
