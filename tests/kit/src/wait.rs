//! Waiting on events instead of sleeping. A test that must let something happen first
//! (the sandbox holding a request, a detached confirmation recording its outcome)
//! polls for that event until it holds, or fails after [`WAIT`].
//!
//! Why: a sleep guesses how long the event takes, so it flakes on a loaded machine and
//! cannot tell which path ran. A deadline is no timing assertion: it only bounds how
//! long a broken build hangs, and no healthy run comes near it.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use anyhow::anyhow;
use cvconnect_core::client::PaymentSession;
use cvconnect_core::protocol::wire::PaymentStatus;
use cvconnect_sandbox_client::FaultView;
use tokio::time::Instant;

use crate::errors::core_failed;
use crate::keypad::confirm_pin;
use crate::phone::Phone;
use crate::world::World;
use crate::world_ops::Fault;

/// How long a wait lasts before it fails.
pub const WAIT: Duration = Duration::from_secs(30);
/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(20);
/// The route pattern of a confirmation, for faults.
pub const CONFIRM_ROUTE: &str = "/v1/payments/{payment_id}/confirm";
/// How long the sandbox holds a confirmation that the user leaves: far longer than the
/// few milliseconds the test needs to give up once the sandbox holds it.
const HELD: Duration = Duration::from_secs(2);

/// Polls `probe` until it gives `Some`, and returns that; fails after [`WAIT`] with a
/// sentence naming `what` was awaited.
pub async fn wait_for<T, F, Fut>(what: &str, mut probe: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Option<T>>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(found) = probe().await? {
            return Ok(found);
        }
        if Instant::now() >= deadline {
            return Err(anyhow!(
                "{what} : toujours pas au bout de {} s",
                WAIT.as_secs()
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

impl World {
    /// Waits until every fault armed on `route` has met its requests: the last request
    /// it took is then inside the sandbox (held there, for [`Fault::Delay`]).
    pub async fn faults_played(&self, route: &str) -> anyhow::Result<()> {
        wait_for(&format!("les pannes armées sur {route}"), || async {
            let armed = self.armed_faults().await?;
            Ok(armed.iter().all(|f| f.route != route).then_some(()))
        })
        .await
    }

    /// The faults still armed (`GET /admin/faults`).
    pub async fn armed_faults(&self) -> anyhow::Result<Vec<FaultView>> {
        let unreadable = |e: reqwest::Error| anyhow!("pannes armées illisibles : {e}");
        let mut listed: HashMap<String, Vec<FaultView>> = self
            .http
            .get(self.url("/admin/faults"))
            .bearer_auth(self.admin_token())
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(unreadable)?
            .json()
            .await
            .map_err(unreadable)?;
        Ok(listed.remove("faults").unwrap_or_default())
    }

    /// The user types `pin`, taps "Valider" and leaves the screen while the sandbox
    /// holds the request: the caller gives up once the request is inside the sandbox,
    /// so the core's submission carries on detached. Fails if an answer came first.
    pub async fn confirm_then_leave(
        &self,
        session: &PaymentSession,
        pin: &str,
    ) -> anyhow::Result<()> {
        self.inject_fault(CONFIRM_ROUTE, Fault::Delay(HELD), 1)
            .await?;
        tokio::select! {
            answered = confirm_pin(session, pin) => Err(anyhow!(
                "la confirmation a répondu avant que l'utilisateur ne parte : {answered:?}"
            )),
            held = self.faults_played(CONFIRM_ROUTE) => held,
        }
    }
}

impl Phone {
    /// Waits until the phone's own history shows `payment_id` finished (a detached
    /// confirmation recorded its outcome); its status there.
    pub async fn wait_finished(&self, payment_id: &str) -> anyhow::Result<PaymentStatus> {
        wait_for(
            &format!("le paiement {payment_id} dans l'historique"),
            || async {
                let history = self
                    .client
                    .history()
                    .map_err(core_failed("l'historique est illisible"))?;
                Ok(history
                    .into_iter()
                    .find(|record| record.payment_id == payment_id)
                    .map(|record| record.status))
            },
        )
        .await
    }
}
