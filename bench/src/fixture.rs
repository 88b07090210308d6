//! The bench's world: the test kit's [`World`], with the sandbox on a runtime of its own
//! (two workers named `sandbox-rt`, as a separate server process would be), so that
//! the load figure can tell the server's CPU from the phones'. The merchant is created
//! from the bench's runtime, where the phones' clients run.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Result;
use cvconnect_sandbox_client::AdminClient;
use cvconnect_testkit::{push_data, wait_push_after, Options, World};

/// The longest wait for a push: the load figure keeps the two cores busy.
const PUSH_WAIT: Duration = Duration::from_secs(100);

/// Starts the bench's world. Call on the bench's runtime.
pub async fn start() -> Result<World> {
    let options = Options {
        dir_prefix: "cvconnect-bench-".into(),
        ..Options::default()
    };
    World::start(options.own_runtime(2)).await
}

/// Waits for the push of `payment_id` to `device_id`, reading the sandbox's push feed
/// after `*after` (updated), and returns its data as the platform hands it over.
pub async fn wait_push(
    admin: &AdminClient,
    device_id: &str,
    payment_id: &str,
    after: &mut i64,
) -> Result<HashMap<String, String>> {
    let push = wait_push_after(admin, device_id, Some(payment_id), after, PUSH_WAIT).await?;
    Ok(push_data(&push))
}
