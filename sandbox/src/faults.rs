//! Fault injection per route (admin `POST /admin/faults`): an added delay, an HTTP 500
//! without doing the work, the connection dropped after the work is committed, or the
//! route missing (404), as on an older backend.

use std::sync::Mutex;
use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cvconnect_core::protocol::errors::ErrorCode;
use serde::Serialize;

use crate::error::ApiError;
use crate::state::AppState;

/// What an armed fault does: the admin API's wire type, declared once in the sandbox's
/// client crate.
pub use cvconnect_sandbox_client::FaultKind;

/// An armed fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fault {
    /// The route pattern, as axum matched it (`/v1/payments/{payment_id}/confirm`).
    pub route: String,
    pub kind: FaultKind,
    pub delay_ms: u64,
    /// How many more requests it hits before disarming.
    pub count: u32,
}

#[derive(Debug, Default)]
pub struct Faults(Mutex<Vec<Fault>>);

/// Marks a response whose connection must be dropped instead of answered.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

impl Faults {
    /// Arms a fault; replaces one of the same route and kind.
    pub fn set(&self, fault: Fault) {
        let mut faults = self.0.lock().unwrap_or_else(|p| p.into_inner());
        faults.retain(|f| !(f.route == fault.route && f.kind == fault.kind));
        faults.push(fault);
    }

    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    pub fn list(&self) -> Vec<Fault> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Takes one hit of the first fault armed on `route`.
    pub fn take(&self, route: &str) -> Option<Fault> {
        let mut faults = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let index = faults
            .iter()
            .position(|f| f.route == route && f.count > 0)?;
        let fault = faults[index].clone();
        faults[index].count -= 1;
        if faults[index].count == 0 {
            faults.remove(index);
        }
        Some(fault)
    }
}

/// Route layer applying the armed faults.
pub async fn fault_layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let Some(fault) = route.and_then(|r| state.faults.take(&r)) else {
        return next.run(request).await;
    };
    tracing::info!(route = %fault.route, kind = ?fault.kind, "fault injected");
    match fault.kind {
        FaultKind::Delay => {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
            next.run(request).await
        }
        FaultKind::Error => ApiError::new(ErrorCode::InternalError).into_response(),
        FaultKind::Missing => ApiError::not_found().into_response(),
        FaultKind::DropAfterCommit => {
            let mut response = next.run(request).await;
            response.extensions_mut().insert(DropConnection);
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_disarms() {
        let faults = Faults::default();
        faults.set(Fault {
            route: "/a".into(),
            kind: FaultKind::Error,
            delay_ms: 0,
            count: 2,
        });
        assert!(faults.take("/b").is_none());
        assert!(faults.take("/a").is_some());
        assert!(faults.take("/a").is_some());
        assert!(faults.take("/a").is_none());
        assert!(faults.list().is_empty());
    }
}
