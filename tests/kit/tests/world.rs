//! The kit's worlds besides the suites' default one: a sandbox joined by URL and token
//! (the demo's `phone --url`), and one serving from a runtime of its own (the bench).
//! The embedded world of `Options::default()` is what the suites of `tests/rust` run on.

use std::time::Duration;

use cvconnect_core::client::PaymentOutcome;
use cvconnect_sandbox::Seed;
use cvconnect_testkit::{confirm_pin, push_data, Options, World, DEMO_EMAIL, DEMO_PIN, PIN};

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
