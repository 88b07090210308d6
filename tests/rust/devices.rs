//! The account's phones (protocol v1.1 §5.9): the list, and a lost phone revoked from
//! another with the PIN, or by an administrator. A revoked phone is cut off at once:
//! every route refuses it with a typed error, nothing it sends debits, no push goes to
//! it, and the phone wipes what it knew and starts over.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cvconnect_core::client::{ClientError, PaymentOutcome, RequestAuth, RevocationOutcome};
use cvconnect_core::crypto::signer::DeviceSigner as _;
use cvconnect_core::protocol::canonical::auth_bytes;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{PaymentStatus, Platform, TokenRequest};
use cvconnect_sandbox_client::WireRequest;
use cvconnect_testkit::{confirm_pin, type_pin, Options, Phone, World, PIN};

/// Types `pin` and revokes `target` from `phone`.
async fn revoke(phone: &Phone, target: &Phone, pin: &str) -> anyhow::Result<RevocationOutcome> {
    let mut keypad = phone.client.start_revocation_pin_entry().await?;
    type_pin(&mut keypad, pin)?;
    let target_id = target.device_id()?;
    Ok(phone
        .client
        .revoke_device_keypad(&target_id, &mut keypad)
        .await?)
}

/// The phone's next call is told it is revoked, and its store was wiped.
async fn assert_cut_off(phone: &Phone) {
    let refused = phone.client.balance().await;
    assert!(
        matches!(refused, Err(ClientError::DeviceRevoked)),
        "{refused:?}"
    );
    assert_wiped(phone).await;
}

/// The phone's store no longer knows the account: it starts over as a new phone.
async fn assert_wiped(phone: &Phone) {
    assert!(!phone.client.is_enrolled().unwrap(), "the store was wiped");
    assert!(phone.client.history().unwrap().is_empty());
    let again = phone.client.balance().await;
    assert!(matches!(again, Err(ClientError::NotEnrolled)), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_shows_every_phone_and_marks_this_one() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let (account, first) = h.account_with_phone("100.00").await?;
    let second = h.phone(&account.email).await?;
    second.client.balance().await?;

    let listed = first.client.devices().await?;
    let ids: Vec<_> = listed.iter().map(|d| d.device_id.clone()).collect();
    assert_eq!(ids, [first.device_id()?, second.device_id()?]);
    assert_eq!(
        listed.iter().map(|d| d.current).collect::<Vec<_>>(),
        [true, false]
    );
    for device in &listed {
        assert_eq!(device.platform, Platform::Other);
        assert_eq!(device.name, "Autre appareil");
        assert!(device.last_used_at.is_some_and(|t| t >= device.enrolled_at));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_phone_is_cut_off_pays_nothing_and_gets_no_push() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let (account, kept) = h.account_with_phone("200.00").await?;
    let lost = h.phone(&account.email).await?;
    let lost_id = lost.device_id()?;
    // The thief has the payment screen open, PIN typed, when the owner revokes.
    let payment_id = h.create_payment(&account.email, "50.00").await?;
    let session = lost.client.open_payment(&payment_id).await?;

    let outcome = revoke(&kept, &lost, PIN).await?;
    assert!(
        matches!(outcome, RevocationOutcome::Revoked { .. }),
        "{outcome:?}"
    );

    let confirmed = confirm_pin(&session, PIN).await;
    assert!(
        matches!(confirmed, Err(ref e) if matches!(e.downcast_ref(), Some(ClientError::DeviceRevoked))),
        "{confirmed:?}"
    );
    assert_eq!(h.debits_for(&payment_id).await?, 0);
    assert_wiped(&lost).await;

    let listed = kept.client.devices().await?;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0].current);

    // A new request reaches the kept phone, and not the revoked one.
    let next = h.create_payment(&account.email, "30.00").await?;
    h.push_for(&kept, &next).await?;
    let feed = h.admin.push_feed(Some(&lost_id), 0, 0).await?;
    assert!(
        feed.notifications.iter().all(|n| n.payment_id != next),
        "{feed:?}"
    );
    // The kept phone still pays.
    let session = kept.client.open_payment(&next).await?;
    let paid = confirm_pin(&session, PIN).await?;
    assert!(
        matches!(paid, PaymentOutcome::PaidInFull { .. }),
        "{paid:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_pin_on_revoke_counts_against_the_one_counter() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let (account, kept) = h.account_with_phone("200.00").await?;
    let other = h.phone(&account.email).await?;

    let outcome = revoke(&kept, &other, "0000").await?;
    assert_eq!(outcome, RevocationOutcome::WrongPin { attempts_left: 2 });
    let payment_id = h.create_payment(&account.email, "50.00").await?;
    let session = kept.client.open_payment(&payment_id).await?;
    assert_eq!(
        session.view().attempts_left,
        2,
        "the payment sees the same counter"
    );
    assert_eq!(
        confirm_pin(&session, "0000").await?,
        PaymentOutcome::WrongPin { attempts_left: 1 }
    );
    assert_eq!(
        revoke(&kept, &other, "0000").await?,
        RevocationOutcome::Locked
    );
    assert!(h.admin.account(&account.email).await?.pin_locked);
    // Nothing was revoked: the other phone still works.
    other.client.balance().await?;
    assert_eq!(kept.client.devices().await?.len(), 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_revokes_a_phone_of_either_protocol_version() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let (account, proofs) = h.account_with_phone("100.00").await?;
    let tokens = h
        .phone_with(&account.email, |c| {
            c.request_auth = RequestAuth::BearerToken
        })
        .await?;
    tokens.client.balance().await?;
    for phone in [&proofs, &tokens] {
        h.admin.revoke_device(&phone.device_id()?).await?;
        assert_cut_off(phone).await;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_cannot_revoke_itself_or_a_phone_of_another_account() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let (_, phone) = h.account_with_phone("100.00").await?;
    let (_, stranger) = h.account_with_phone("100.00").await?;
    for target in [&phone, &stranger] {
        let refused = revoke(&phone, target, PIN).await;
        assert!(refused.is_err(), "{refused:?}");
    }
    phone.client.balance().await?;
    stranger.client.balance().await?;
    Ok(())
}

/// Every route of the beneficiary API, each with a genuine proof of the revoked
/// device: all `401 device_revoked`, and the payment it had open stays untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_refuses_a_revoked_device() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let account = h.account("200.00").await?;
    let device = h.soft_device(&account.email).await?;
    let payment_id = h.create_payment(&account.email, "50.00").await?;
    let detail = device.payment(&payment_id).await.unwrap();
    let confirm = device
        .confirm_request(&detail, detail.total, PIN, "idem_revoked_0001")
        .unwrap();
    h.admin.revoke_device(&device.device_id).await?;

    let payment = format!("/v1/payments/{payment_id}");
    let routes = [
        WireRequest::get("/v1/balance"),
        WireRequest::get("/v1/payments?status=pending"),
        WireRequest::get(&payment),
        WireRequest::get("/v1/devices"),
        WireRequest::post_json(&format!("{payment}/confirm"), &confirm),
        WireRequest::post_json(&format!("{payment}/decline"), &serde_json::json!({})),
        WireRequest::post_json("/v1/devices/dev_other/revoke", &serde_json::json!({})),
        WireRequest {
            method: reqwest::Method::PUT,
            ..WireRequest::post_json(
                "/v1/devices/me/push-token",
                &serde_json::json!({"push_token": "fcm:stolen"}),
            )
        },
    ];
    let now = h.admin.advance_clock(0).await?.now;
    for route in &routes {
        let proof = device.prove(route, now)?;
        let answer = device
            .api
            .send_proven(route, &proof, Some("idem_revoked_0001"))
            .await?;
        let body: serde_json::Value = serde_json::from_slice(&answer.body)?;
        assert_eq!(
            (answer.status, body["error"]["code"].as_str()),
            (401, Some("device_revoked")),
            "{} {}",
            route.method,
            route.target
        );
    }
    assert_eq!(h.debits_for(&payment_id).await?, 0);
    assert_eq!(
        h.merchant_status(&payment_id).await?,
        PaymentStatus::Pending
    );
    // Its bearer token went with it; a new one is refused by name.
    assert!(device.balance().await.is_err());
    let challenge = device.api.challenge(&device.device_id).await?;
    let signed = auth_bytes(&device.device_id, &challenge.challenge);
    let token = device
        .api
        .token(&TokenRequest {
            device_id: device.device_id.clone(),
            challenge: challenge.challenge,
            signature: URL_SAFE_NO_PAD.encode(device.signer.sign(&signed)?),
        })
        .await;
    let code = token.expect_err("no token for a revoked device").code();
    assert_eq!(code, Some(ErrorCode::DeviceRevoked));
    Ok(())
}
