//! The smallest payable amount, 0,01 €, is accepted by a confirmation: the lower bound
//! is inclusive. flow.rs checks the amounts just outside the bounds (0,00 € and one
//! cent above the balance) and exactly the balance; mutation testing showed that no
//! test paid the smallest amount inside them (docs/testing.md, "Mutation testing").

mod common;

use common::*;
use cvconnect_core::protocol::wire::PaymentStatus;

#[tokio::test]
async fn one_cent_is_payable() {
    let (_world, device, id) = start_paying("20.00").await;
    let paid = device.pay(&id, eur("0.01"), DEMO_PIN).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::PartiallyAuthorised);
    assert_eq!(paid.paid_amount, eur("0.01"));
    assert_eq!(paid.remaining_amount, eur("19.99"));
    assert_eq!(paid.balance, eur("199.99"));
}
