//! One phone of the crash test: its account, its merchant, a real core client on its
//! own runtime; pays requests one after the other until told to stop.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cvconnect_core::amount::Amount;
use cvconnect_core::client::{Client, ClientError, HttpError, PaymentOutcome};
use cvconnect_core::crypto::signer::SoftwareSigner;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_e2e::rng::Rng;
use cvconnect_sandbox_client::{http_client, MerchantClient};
use cvconnect_testkit::{type_pin, Phone, World, PIN};

/// Longest a step (create, pay, reconcile) keeps retrying through restarts.
const STEP_DEADLINE: Duration = Duration::from_secs(60);
/// Pause between two tries while the sandbox is down.
const RETRY_PAUSE: Duration = Duration::from_millis(50);

pub struct PhoneSetup {
    index: usize,
    pub email: String,
    merchant_key: String,
    base_url: String,
    data_dir: PathBuf,
    signer: Arc<SoftwareSigner>,
}

/// What the phone was told.
#[derive(Default)]
pub struct PhoneReport {
    /// Requests answered `201`.
    pub created: Vec<String>,
    /// Payments answered `200` (paid), with the amount.
    pub paid: Vec<(String, Amount)>,
    pub create_retries: usize,
}

impl PhoneSetup {
    /// An account, a merchant and an enrolled device (the sandbox is up).
    pub async fn new(world: &World, index: usize, balance: &str) -> anyhow::Result<PhoneSetup> {
        let account = world.account(balance).await?;
        let merchant_key = format!("mk_crash_boutique_{index}");
        world
            .admin
            .create_merchant_with_key(&format!("Boutique {index}"), &merchant_key)
            .await?;
        let phone = world.phone(&account.email).await?;
        Ok(PhoneSetup {
            index,
            email: account.email,
            merchant_key,
            base_url: world.base_url.clone(),
            data_dir: phone.data_dir.clone(),
            signer: phone.signer.clone(),
        })
    }

    pub fn merchant(&self, base_url: &str) -> MerchantClient {
        MerchantClient::new(http_client(), base_url, self.merchant_key.clone())
    }

    /// Runs flows until `stop`, then reconciles what is left open.
    pub fn run(&self, seed: u64, stop: &AtomicBool) -> PhoneReport {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let phone = Phone::reopen(&self.base_url, &self.data_dir, self.signer.clone()).unwrap();
        let client = &phone.client;
        let merchant = self.merchant(&self.base_url);
        let mut rng = Rng::new(seed);
        let mut report = PhoneReport::default();
        let mut n = 0u32;
        while !stop.load(Ordering::SeqCst) {
            n += 1;
            let total = Amount::from_cents(2_000 + rng.below(8_000));
            let amount = match rng.below(2) {
                0 => total,
                _ => Amount::from_cents(1 + rng.below(total.cents() - 1)),
            };
            let order_ref = format!("CRASH-{}-{n}", self.index);
            let key = format!("crash-{}-{n:08}-key", self.index);
            let id = runtime.block_on(create(
                &merchant,
                &self.email,
                total,
                &order_ref,
                &key,
                &mut report,
            ));
            report.created.push(id.clone());
            if let Some(paid) = runtime.block_on(pay(client, &id, amount, total)) {
                report.paid.push((id, paid));
            }
        }
        runtime.block_on(until_done("reconcile", || async {
            client
                .reconcile()
                .await
                .map(|left| assert!(left.iter().all(|r| r.outcome.is_some())))
        }));
        report
    }
}

/// Tries `step` through restarts until it succeeds.
async fn until_done<T, F, Fut>(what: &str, mut step: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ClientError>>,
{
    let started = Instant::now();
    loop {
        match step().await {
            Ok(value) => return value,
            Err(error) if error.is_retryable() && started.elapsed() < STEP_DEADLINE => {
                tokio::time::sleep(RETRY_PAUSE).await;
            }
            Err(error) => panic!("{what}: {error:?}"),
        }
    }
}

/// The merchant's create, retried with the same key after every lost answer.
async fn create(
    merchant: &MerchantClient,
    email: &str,
    total: Amount,
    order_ref: &str,
    key: &str,
    report: &mut PhoneReport,
) -> String {
    let started = Instant::now();
    loop {
        match merchant
            .create_payment_with_key(email, total, Some(order_ref), key)
            .await
        {
            Ok(payment) => return payment.id,
            Err(error)
                if started.elapsed() < STEP_DEADLINE
                    && (error.is_transport() || error.status().is_some_and(|s| s >= 500)) =>
            {
                report.create_retries += 1;
                tokio::time::sleep(RETRY_PAUSE).await;
            }
            Err(error) => panic!("create {order_ref}: {error}"),
        }
    }
}

/// Opens and pays `id`; the amount when the phone was told it was paid.
async fn pay(client: &Client, id: &str, amount: Amount, total: Amount) -> Option<Amount> {
    let started = Instant::now();
    while started.elapsed() < STEP_DEADLINE {
        let session = match client.open_payment(id).await {
            Ok(session) => session,
            Err(ClientError::AlreadyHandled { .. }) => return None,
            Err(error) if error.is_retryable() => {
                tokio::time::sleep(RETRY_PAUSE).await;
                continue;
            }
            Err(error) => panic!("open {id}: {error:?}"),
        };
        if amount != total {
            let cents = amount.cents();
            session
                .set_amount(&format!("{},{:02}", cents / 100, cents % 100))
                .unwrap();
        }
        let Ok(mut keypad) = session.start_pin_entry() else {
            continue;
        };
        type_pin(&mut keypad, PIN).expect("PIN typed");
        match session.confirm_keypad(&mut keypad).await {
            Ok(
                PaymentOutcome::PaidInFull { paid, .. } | PaymentOutcome::PaidInPart { paid, .. },
            ) => {
                assert_eq!(paid, amount, "{id}");
                return Some(paid);
            }
            Ok(other) => panic!("{id}: {other:?}"),
            Err(ClientError::AlreadyHandled { .. }) => return None,
            Err(ClientError::Http(HttpError::Api {
                code: ErrorCode::NonceUsed,
                ..
            })) => {}
            Err(error) if error.is_retryable() => tokio::time::sleep(RETRY_PAUSE).await,
            Err(error) => panic!("confirm {id}: {error:?}"),
        }
    }
    panic!("{id} could not be paid in {STEP_DEADLINE:?}");
}
