//! Push de-duplication by `message_id` (issue 20, item 2), with the real client against
//! a real sandbox: a copy of a push is recognised when it arrives after its payment
//! screen was closed and after the app restarted, not only while a session is open; a
//! tap always opens the payment; a new message for the same payment is not a copy.

use std::collections::HashMap;

use cvconnect_core::client::{ClientError, PushReceipt};
use cvconnect_core::protocol::push::MESSAGE_ID_KEY;
use cvconnect_testkit::{Options, Phone, World};

/// A phone enrolled on a new account, and the push of the payment the merchant then
/// asked that account for.
struct Pushed {
    world: World,
    phone: Phone,
    payment_id: String,
    push: HashMap<String, String>,
}

async fn a_pushed_payment() -> anyhow::Result<Pushed> {
    let world = World::start(Options::default()).await?;
    let (account, phone) = world.account_with_phone("200.00").await?;
    let payment_id = world.create_payment(&account.email, "150.00").await?;
    let push = world.push_for(&phone, &payment_id).await?;
    Ok(Pushed {
        world,
        phone,
        payment_id,
        push,
    })
}

fn receipt(payment_id: &str, duplicate: bool) -> PushReceipt {
    PushReceipt {
        payment_id: payment_id.to_owned(),
        duplicate,
    }
}

/// The push as received, with another message id.
fn with_message_id(push: &HashMap<String, String>, message_id: &str) -> HashMap<String, String> {
    let mut other = push.clone();
    other.insert(MESSAGE_ID_KEY.to_owned(), message_id.to_owned());
    other
}

/// A tap on the notification opens the payment of the push.
async fn tap_opens(phone: &Phone, push: &HashMap<String, String>, payment_id: &str) {
    let session = phone.client.open_from_push(push).await.unwrap();
    assert_eq!(session.view().payment_id, payment_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_arriving_after_the_payment_screen_closed_is_dropped() -> anyhow::Result<()> {
    let p = a_pushed_payment().await?;
    let client = &p.phone.client;
    assert_eq!(client.receive_push(&p.push)?, receipt(&p.payment_id, false));
    drop(client.open_from_push(&p.push).await?);

    assert_eq!(client.receive_push(&p.push)?, receipt(&p.payment_id, true));
    tap_opens(&p.phone, &p.push, &p.payment_id).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_arriving_after_a_restart_is_dropped() -> anyhow::Result<()> {
    let Pushed {
        world,
        phone,
        payment_id,
        push,
    } = a_pushed_payment().await?;
    assert_eq!(
        phone.client.receive_push(&push)?,
        receipt(&payment_id, false)
    );
    let (signer, data_dir) = (phone.signer.clone(), phone.data_dir.clone());
    drop(phone); // the app stopped: its key and folder stay

    let restarted = world.reopen_phone(&data_dir, signer)?;
    assert_eq!(
        restarted.client.receive_push(&push)?,
        receipt(&payment_id, true)
    );
    tap_opens(&restarted, &push, &payment_id).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_tapped_first_is_a_copy_when_it_arrives_again() -> anyhow::Result<()> {
    let p = a_pushed_payment().await?;
    // iOS shows a push received in the background without the app: the tap is the
    // first the core hears of it.
    tap_opens(&p.phone, &p.push, &p.payment_id).await;
    assert_eq!(
        p.phone.client.receive_push(&p.push)?,
        receipt(&p.payment_id, true)
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_message_for_the_same_payment_is_not_a_copy() -> anyhow::Result<()> {
    let p = a_pushed_payment().await?;
    let reminder = with_message_id(&p.push, "msg_reminder");
    let client = &p.phone.client;
    assert_eq!(client.receive_push(&p.push)?, receipt(&p.payment_id, false));
    assert_eq!(
        client.receive_push(&reminder)?,
        receipt(&p.payment_id, false)
    );
    assert_eq!(
        client.receive_push(&reminder)?,
        receipt(&p.payment_id, true)
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_push_is_an_error_and_is_not_recorded() -> anyhow::Result<()> {
    let p = a_pushed_payment().await?;
    let mut refused = p.push.clone();
    refused.insert("type".to_owned(), "transfer".to_owned());
    assert!(matches!(
        p.phone.client.receive_push(&refused),
        Err(ClientError::Push(_))
    ));
    assert_eq!(
        p.phone.client.receive_push(&p.push)?,
        receipt(&p.payment_id, false),
        "the refused push left no record of its message id"
    );
    Ok(())
}
