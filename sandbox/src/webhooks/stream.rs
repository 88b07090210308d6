//! Server-sent events for the checkout page (`GET /checkout/api/payments/{id}/events`):
//! the events of one payment, as the worker publishes them once committed, so that the
//! page learns the result without polling. The page reads the payment once when the
//! stream opens, for a result that came before.

use std::convert::Infallible;
use std::sync::Arc;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

use super::PublishedEvent;
use crate::state::AppState;

struct Listening {
    events: broadcast::Receiver<Arc<PublishedEvent>>,
    shutdown: watch::Receiver<bool>,
    payment_id: String,
}

/// The stream of `payment_id`'s events (SSE event `payment`, data: the event's JSON);
/// `resync` when events were missed (the page reads the payment again). Ends at
/// shutdown.
pub fn of_payment(
    state: &AppState,
    payment_id: String,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let listening = Listening {
        events: state.events.subscribe(),
        shutdown: state.shutdown.clone(),
        payment_id,
    };
    let stream = futures::stream::unfold(listening, |mut l| async move {
        let event = next_event(&mut l).await?;
        Some((Ok(event), l))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn next_event(l: &mut Listening) -> Option<Event> {
    loop {
        if *l.shutdown.borrow() {
            return None;
        }
        tokio::select! {
            received = l.events.recv() => match received {
                Ok(event) if event.payment_id == l.payment_id => {
                    return Some(Event::default().event("payment").data(event.body.as_str()));
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => return Some(Event::default().event("resync").data("{}")),
                Err(RecvError::Closed) => return None,
            },
            changed = l.shutdown.changed() => {
                if changed.is_err() {
                    return None;
                }
            }
        }
    }
}
