//! Raw answers as the server sent them. The typed clients decode and drop the bytes;
//! a caller that needs the bytes themselves (the fuzz corpus generator keeps real
//! answers as seeds) hands a [`Recorder`] to a client, drives it with the typed calls,
//! then takes what was recorded.

use std::sync::{Arc, Mutex, PoisonError};

use reqwest::Method;

/// One answer: the request it answers, its status and its body, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub method: Method,
    /// The path and query of the request, without the base URL.
    pub path: String,
    pub status: u16,
    pub body: Vec<u8>,
}

/// Keeps every answer of the clients it is given to, in the order they came. Clones
/// share one record. A call that fails before an answer arrives (transport error)
/// records nothing.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    answers: Arc<Mutex<Vec<Answer>>>,
}

impl Recorder {
    pub fn new() -> Recorder {
        Recorder::default()
    }

    pub(crate) fn record(&self, answer: Answer) {
        self.lock().push(answer);
    }

    /// Every answer recorded since the last `take`, oldest first.
    pub fn take(&self) -> Vec<Answer> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Answer>> {
        // A panic while pushing leaves a valid Vec: the record stays usable.
        self.answers.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
