//! The kit's worlds work as its README says: embedded, joined by URL, and on a runtime
//! of their own.

use std::time::Duration;

use cvconnect_core::client::PaymentOutcome;
use cvconnect_core::protocol::wire::PaymentStatus;
use cvconnect_sandbox::Seed;
use cvconnect_testkit::{
    confirm_pin, eur, push_data, Fault, Options, World, DEMO_EMAIL, DEMO_PIN, PIN,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_in_full_through_the_kit() -> anyhow::Result<()> {
    let world = World::start(Options::default()).await?;
    let account = world.account("200.00").await?;
    let phone = world.phone(&account.email).await?;
    let payment_id = world.create_payment(&account.email, "150.00").await?;
    let push = world.push_for(&phone, &payment_id).await?;
    let session = phone.client.open_from_push(&push).await?;
    assert_eq!(session.view().payee_name, "Boutique Démo");
    assert_eq!(
        confirm_pin(&session, PIN).await?,
        PaymentOutcome::PaidInFull {
            paid: eur("150.00"),
            balance: eur("50.00")
        }
    );
    assert_eq!(world.debits_for(&payment_id).await?, 1);
    assert_eq!(world.balance_of(&account.email).await?, eur("50.00"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_and_the_clock_reach_the_sandbox() -> anyhow::Result<()> {
    let world = World::start(Options::default()).await?;
    let opened = world.open_new_payment("200.00", "150.00").await?;
    world
        .inject_fault("/v1/payments/{payment_id}/confirm", Fault::Error, 1)
        .await?;
    world.clear_faults().await?;
    world.advance_clock(181).await?;
    assert_eq!(
        confirm_pin(&opened.session, PIN).await?,
        PaymentOutcome::Expired
    );
    assert_eq!(
        world.merchant_status(&opened.payment_id).await?,
        PaymentStatus::Expired
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_sandbox_is_joined_by_url_and_token() -> anyhow::Result<()> {
    let running = World::start(Options::demo(Seed::demo().accounts)).await?;
    let earlier = running.account("10.00").await?;
    let joined = World::connect(&format!("{}/", running.base_url), running.admin_token()).await?;
    assert_eq!(joined.base_url, running.base_url);
    assert!(joined.sandbox().is_none() && joined.database_path().is_none());

    let (phone, enrollment) = joined.enroll_phone(DEMO_EMAIL).await?;
    assert_eq!(enrollment.device.email_masked, "c***@example.fr");
    let payment_id = joined.create_payment(DEMO_EMAIL, "30.00").await?;
    let push = joined
        .wait_push(&enrollment.device.device_id, None, Duration::from_secs(15))
        .await?;
    assert_eq!(push.payment_id, payment_id);
    let session = phone.client.open_from_push(&push_data(&push)).await?;
    assert!(matches!(
        confirm_pin(&session, DEMO_PIN).await?,
        PaymentOutcome::PaidInFull { .. }
    ));
    // Accounts of a joined world do not collide with those made before it.
    let mine = joined.account("10.00").await?;
    assert_ne!(mine.email, earlier.email);
    Ok(())
}

#[test]
fn a_sandbox_on_a_runtime_of_its_own_serves_another_runtime() -> anyhow::Result<()> {
    let phones = cvconnect_testkit::runtime("phones", 1)?;
    let world = phones.block_on(World::start(Options::default().own_runtime(1)))?;
    let paid = phones.block_on(async {
        let opened = world.open_new_payment("80.00", "20.00").await?;
        confirm_pin(&opened.session, PIN).await
    })?;
    assert!(matches!(paid, PaymentOutcome::PaidInFull { .. }));
    let sandbox_threads = std::fs::read_dir("/proc/self/task")?
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|name| name.starts_with("sandbox-rt"))
        })
        .count();
    assert!(sandbox_threads >= 1, "the server runs on its own threads");
    drop(world);
    Ok(())
}
