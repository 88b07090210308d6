//! Issue 15, items 3 and 8: limits on new payment requests (per merchant, per account
//! reference, pending per account reference), paginated lists, and bounded guessing of
//! activation codes and challenges, stored under a keyed hash.

mod common;

use common::*;
use cvconnect_sandbox_client::ClientError;
use ring::hmac;
use rusqlite::OptionalExtension;

/// Code and `Retry-After` of a refused create (raw HTTP, to read the header).
async fn create_raw(world: &World, account: &str) -> (u16, String, Option<u64>) {
    let response = world
        .http
        .post(world.url("/v1/merchant/payment-requests"))
        .bearer_auth(DEMO_MERCHANT_KEY)
        .json(&serde_json::json!({"account": account, "total": "25.00"}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    let body: serde_json::Value = response.json().await.unwrap();
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or("created")
        .to_owned();
    (status, code, retry)
}

/// Statuses of `n` creates for `account`.
async fn statuses(world: &World, account: &str, n: usize) -> Vec<(u16, String, Option<u64>)> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(create_raw(world, account).await);
    }
    out
}

fn rate_limited(
    retry: std::ops::RangeInclusive<u64>,
) -> impl Fn(&(u16, String, Option<u64>)) -> bool {
    move |(status, code, after)| {
        *status == 429 && code == "rate_limited" && after.is_some_and(|a| retry.contains(&a))
    }
}

#[tokio::test]
async fn an_account_gets_a_bounded_number_of_requests_per_minute() {
    let world = start_limited(|limits| limits.account_requests_per_min = 3).await;
    let device = world.device(DEMO_EMAIL).await;
    for account in [
        DEMO_EMAIL,
        DEMO_ACCOUNT_NUMBER,
        "inconnu@example.fr",
        "99999999999",
    ] {
        let answers = statuses(&world, account, 4).await;
        assert!(
            answers[..3].iter().all(|a| a.0 == 201),
            "{account}: {answers:?}"
        );
        assert!(rate_limited(1..=60)(&answers[3]), "{account}: {answers:?}");
    }
    // The beneficiary got the accepted requests only (3 by e-mail, 3 by number).
    let feed = world.pushes(Some(&device.device_id), 0).await;
    assert_eq!(feed.notifications.len(), 6);
    // A minute later the account can be asked again.
    world.admin.advance_clock(61).await.unwrap();
    assert_eq!(create_raw(&world, DEMO_EMAIL).await.0, 201);
}

#[tokio::test]
async fn a_merchant_gets_a_bounded_number_of_requests_per_minute() {
    let world = start_limited(|limits| limits.merchant_requests_per_min = 5).await;
    for i in 0..5 {
        let account = format!("client.{i}@example.fr");
        assert_eq!(create_raw(&world, &account).await.0, 201);
    }
    let refused = create_raw(&world, "client.6@example.fr").await;
    assert!(rate_limited(1..=60)(&refused), "{refused:?}");
    // Another merchant is not held back.
    let other = world.admin.create_merchant("Autre boutique").await.unwrap();
    world
        .merchant_with_key(&other.api_key)
        .create_payment(DEMO_EMAIL, eur("30.00"), None)
        .await
        .unwrap();
    let error = world.try_request("30.00").await.unwrap_err();
    assert_eq!(error.code_text(), Some("rate_limited"));
}

#[tokio::test]
async fn pending_requests_per_account_are_capped_until_one_is_handled_or_expires() {
    let world = start_limited(|limits| limits.max_pending_per_account = 4).await;
    let device = world.device(DEMO_EMAIL).await;
    let ids = world.requests(4, "30.00").await;
    let refused = create_raw(&world, DEMO_EMAIL).await;
    assert!(rate_limited(1..=180)(&refused), "{refused:?}");
    // An unknown account is capped the same way.
    let unknown = statuses(&world, "personne@example.fr", 5).await;
    assert!(unknown[..4].iter().all(|a| a.0 == 201) && rate_limited(1..=180)(&unknown[4]));
    device.decline(&ids[0]).await.unwrap();
    assert_eq!(create_raw(&world, DEMO_EMAIL).await.0, 201);
    assert_eq!(create_raw(&world, DEMO_EMAIL).await.0, 429);
    world.admin.advance_clock(181).await.unwrap();
    assert_eq!(create_raw(&world, DEMO_EMAIL).await.0, 201);
}

#[tokio::test]
async fn lists_are_read_page_by_page() {
    let world = start().await;
    let device = world.device(DEMO_EMAIL).await;
    let created = world.requests(7, "30.00").await;
    device.decline(&created[0]).await.unwrap();
    for (pending_only, expected) in [(true, 6usize), (false, 7)] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = device
                .api
                .payments_page(
                    &device.access_token,
                    pending_only,
                    Some(3),
                    cursor.as_deref(),
                )
                .await
                .unwrap();
            assert!(page.payments.len() <= 3);
            pages += 1;
            seen.extend(page.payments.into_iter().map(|p| p.payment_id));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(pages, expected.div_ceil(3), "pending_only {pending_only}");
        let mut newest_first: Vec<String> = created.iter().rev().cloned().collect();
        if pending_only {
            newest_first.retain(|id| *id != created[0]);
        }
        assert_eq!(seen, newest_first, "pending_only {pending_only}");
    }
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("cursor=zzz", "cursor"),
        ("cursor=c1.AAAA", "cursor"),
    ] {
        let path = format!("/v1/payments?{query}");
        let (status, body) = raw(
            &world,
            reqwest::Method::GET,
            &path,
            Some(&device.access_token),
            None,
        )
        .await;
        assert_eq!(status, 422, "{query}");
        assert_eq!(body["error"]["field"], field, "{query}");
    }
}

fn is_invalid_code(result: &Result<impl std::fmt::Debug, ClientError>) -> bool {
    matches!(result, Err(e) if e.code_text() == Some("invalid_activation_code"))
}

#[tokio::test]
async fn wrong_activation_codes_burn_the_codes_of_the_e_mail() {
    let world = start_limited(|limits| limits.max_activation_failures = 3).await;
    let code = world.activation_code(DEMO_EMAIL).await.unwrap();
    for email in [DEMO_EMAIL, "personne@example.fr"] {
        for _ in 0..3 {
            let wrong = world.enroll(email, "AAAA-AAAA").await;
            assert!(is_invalid_code(&wrong), "{wrong:?}");
        }
    }
    let right = world.enroll(DEMO_EMAIL, &code).await;
    assert!(
        is_invalid_code(&right),
        "the right code after 3 wrong ones: {right:?}"
    );
    // A new code from the administrator starts afresh.
    world.device(DEMO_EMAIL).await;
}

#[tokio::test]
async fn activation_codes_are_stored_under_a_keyed_hash() {
    let world = start().await;
    let code = world.activation_code(DEMO_EMAIL).await.unwrap();
    let conn = rusqlite::Connection::open(world.database_path().unwrap()).unwrap();
    let stored: Vec<Vec<u8>> = conn
        .prepare("SELECT code_hash FROM activation_codes")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key: Vec<u8> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'secret.activation_code_key'",
            [],
            |r| r.get(0),
        )
        .optional()
        .unwrap()
        .expect("a server key for the codes");
    let plain = ring::digest::digest(&ring::digest::SHA256, code.as_bytes());
    let keyed = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), code.as_bytes());
    assert!(
        !stored.iter().any(|h| h.as_slice() == plain.as_ref()),
        "unkeyed SHA-256 stored"
    );
    assert!(stored.iter().any(|h| h.as_slice() == keyed.as_ref()));
}

#[tokio::test]
async fn challenges_per_device_id_are_bounded() {
    let world = start_limited(|limits| limits.challenges_per_min = 3).await;
    let device = world.device(DEMO_EMAIL).await; // its enrollment used one challenge
    let api = world.beneficiary();
    for id in [device.device_id.as_str(), "dev_unknown_device"] {
        let used = usize::from(id == device.device_id);
        for _ in used..3 {
            api.challenge(id).await.unwrap();
        }
        let error = api.challenge(id).await.unwrap_err();
        assert_eq!(
            (error.status(), error.code_text()),
            (Some(429), Some("rate_limited")),
            "{id}"
        );
    }
    world.admin.advance_clock(61).await.unwrap();
    api.challenge(&device.device_id).await.unwrap();
}
