//! The fault matrix's counters, and the violations it found (each asserted to be none).

use std::collections::BTreeMap;
use std::sync::Mutex;

/// What the client can get wrong, as the matrix checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Violation {
    /// Before settling, what the phone was told differs from the sandbox.
    Belief,
    /// Before settling or after, the phone's history differs from the sandbox.
    Record,
    /// The phone was told a final outcome that its history does not hold.
    OutcomeNotKept,
    /// A confirmation met `nonce_used` with no earlier confirmation gone out of sight.
    NonceUsed,
    /// The phone found its own payment "already handled" with no earlier confirmation
    /// gone out of sight: it lost track of a payment it made.
    OwnPaymentHandled,
    /// The right PIN was answered as a wrong one.
    RightPinRefused,
    /// The PIN locked before the third wrong PIN.
    UnexpectedLock,
    /// The phone was told twice that one payment was paid.
    TwoSuccesses,
    /// A reconcile said a confirmation never took effect, and that confirmation debited.
    NotProcessedThenDebited,
    /// The sandbox received a confirmation that the phone's journal does not hold.
    NotJournaled,
    /// The confirmation that debited is not journaled as paid, or for another amount.
    JournalWrong,
    /// A journal entry is still open once every phone reconciled.
    JournalOpen,
}

/// How many violation details are kept for the failure message.
const DETAILS: usize = 20;

#[derive(Default)]
pub(super) struct Stats {
    counts: Mutex<BTreeMap<String, u64>>,
    violations: Mutex<BTreeMap<Violation, (u64, Vec<String>)>>,
}

impl Stats {
    pub(super) fn add(&self, key: impl Into<String>) {
        *self.counts.lock().unwrap().entry(key.into()).or_default() += 1;
    }

    pub(super) fn get(&self, key: &str) -> u64 {
        self.counts.lock().unwrap().get(key).copied().unwrap_or(0)
    }

    pub(super) fn violation(&self, kind: Violation, detail: String) {
        let mut violations = self.violations.lock().unwrap();
        let (count, details) = violations.entry(kind).or_default();
        *count += 1;
        if details.len() < DETAILS {
            details.push(detail);
        }
    }

    pub(super) fn violations(&self, kind: Violation) -> u64 {
        self.violations
            .lock()
            .unwrap()
            .get(&kind)
            .map_or(0, |(count, _)| *count)
    }

    pub(super) fn print(&self) {
        for (key, count) in self.counts.lock().unwrap().iter() {
            println!("  {key}: {count}");
        }
    }

    /// Every violation found, with its first details; empty when there is none.
    pub(super) fn violation_report(&self) -> String {
        let mut report = String::new();
        for (kind, (count, details)) in self.violations.lock().unwrap().iter() {
            report.push_str(&format!("{kind:?}: {count}\n"));
            for detail in details {
                report.push_str(&format!("  {detail}\n"));
            }
        }
        report
    }
}
