//! The checks once every flow is settled: each payment against the sandbox, and the
//! phone's answers, history and journal against what the sandbox did.
//!
//! That no payment is debited twice is also a `UNIQUE` constraint of the sandbox's
//! ledger (`sandbox/src/db/schema.rs`): the ledger could not show a second debit even if the
//! client sent one. The constraint stays as a second line of defence, and the checks
//! here do not rely on it: they look at what the client itself could get wrong (how
//! many times it told a payment paid, whether it journaled every confirmation before
//! sending it, and whether its journal settled the one that debited as paid).

use std::collections::HashMap;

use cvconnect_core::amount::Amount;
use cvconnect_core::protocol::wire::{MerchantPayment, PaymentStatus};
use cvconnect_sandbox_client::LedgerEntry;
use cvconnect_testkit::World;
use tokio::runtime::Runtime;

use super::belief::{Belief, FlowRecord};
use super::stats::{Stats, Violation};
use super::stores::{journal, AnsweredKey, JournalRow};
use super::worker::Worker;

/// What the sandbox holds once every flow is settled.
pub(super) struct Sandbox<'a> {
    pub(super) h: &'a World,
    pub(super) main: &'a Runtime,
    pub(super) debits: HashMap<&'a str, Vec<&'a LedgerEntry>>,
    pub(super) keys: HashMap<String, Vec<AnsweredKey>>,
}

/// What one phone's checks counted.
#[derive(Default)]
pub(super) struct Counted {
    pub(super) flows: usize,
    pub(super) history_checked: usize,
    pub(super) history_missing: usize,
}

/// Checks every flow of one phone, after it reconciled.
pub(super) fn check_phone(
    worker: &Worker<'_>,
    records: &[FlowRecord],
    sandbox: &Sandbox<'_>,
    stats: &Stats,
    counted: &mut Counted,
) {
    let history: HashMap<String, _> = worker
        .client()
        .history()
        .unwrap()
        .into_iter()
        .map(|record| (record.payment_id.clone(), record))
        .collect();
    let journal = journal(&worker.phone().data_dir);
    for record in records {
        let truth = sandbox
            .main
            .block_on(sandbox.h.merchant_payment(&record.payment_id))
            .unwrap();
        let debit = sandbox_debit(record, &truth, sandbox);
        let context = || {
            format!(
                "phone {}: {}; sandbox {truth:?}; debit {debit:?}",
                worker.index,
                record.summary()
            )
        };
        check_told(record, &truth, debit, stats, &context);
        match history.get(&record.payment_id) {
            Some(stored) => {
                counted.history_checked += 1;
                if stored.status != truth.status || stored.paid_amount != truth.paid_amount {
                    stats.violation(
                        Violation::Record,
                        format!("{}; stored {stored:?}", context()),
                    );
                }
            }
            None => counted.history_missing += 1,
        }
        let rows = journal
            .get(&record.payment_id)
            .map_or(&[][..], Vec::as_slice);
        let keys = sandbox
            .keys
            .get(&record.payment_id)
            .map_or(&[][..], Vec::as_slice);
        check_journal(rows, keys, &truth, debit, stats, &context);
        counted.flows += 1;
    }
}

/// The payment's one ledger debit, if it was paid: the sandbox's own invariants.
fn sandbox_debit<'a>(
    record: &FlowRecord,
    truth: &MerchantPayment,
    sandbox: &Sandbox<'a>,
) -> Option<&'a LedgerEntry> {
    let entries = sandbox
        .debits
        .get(record.payment_id.as_str())
        .cloned()
        .unwrap_or_default();
    let context = || {
        format!(
            "{}; sandbox {truth:?}; ledger {entries:?}",
            record.summary()
        )
    };
    assert!(truth.status.is_final(), "{}", context());
    assert_eq!(
        entries.len(),
        usize::from(is_paid(truth.status)),
        "{}",
        context()
    );
    let debit = entries.first().copied();
    if let Some(debit) = debit {
        assert_eq!(Some(debit.amount), truth.paid_amount, "{}", context());
    }
    debit
}

fn is_paid(status: PaymentStatus) -> bool {
    matches!(
        status,
        PaymentStatus::Authorised | PaymentStatus::PartiallyAuthorised
    )
}

/// What the phone was told in the end, settling included, and what it was told it
/// paid, against the sandbox.
fn check_told(
    record: &FlowRecord,
    truth: &MerchantPayment,
    debit: Option<&LedgerEntry>,
    stats: &Stats,
    context: &dyn Fn() -> String,
) {
    let agrees = match record.belief() {
        Belief::Final(status, paid) => {
            status == truth.status && paid.is_none_or(|paid| Some(paid) == truth.paid_amount)
        }
        Belief::Pending | Belief::Unknown => false,
    };
    let told_paid_right = record
        .told_paid()
        .is_none_or(|paid| debit.is_some_and(|debit| debit.amount == paid));
    if !agrees || !told_paid_right {
        stats.violation(Violation::Belief, context());
    }
}

/// The phone's journal of the payment against the confirmations the sandbox answered.
fn check_journal(
    rows: &[JournalRow],
    keys: &[AnsweredKey],
    truth: &MerchantPayment,
    debit: Option<&LedgerEntry>,
    stats: &Stats,
    context: &dyn Fn() -> String,
) {
    let row_of = |key: &str| rows.iter().find(|row| row.key == key);
    if rows.iter().any(|row| row.outcome.is_none()) {
        stats.violation(
            Violation::JournalOpen,
            format!("{}; journal {rows:?}", context()),
        );
    }
    for answered in keys {
        if row_of(&answered.key).is_none() {
            stats.violation(
                Violation::NotJournaled,
                format!("{}; key {answered:?} not in journal {rows:?}", context()),
            );
        }
    }
    let debiting: Vec<&AnsweredKey> = keys.iter().filter(|k| k.http_status == 200).collect();
    assert_eq!(
        debiting.len(),
        usize::from(debit.is_some()),
        "{}",
        context()
    );
    let (Some(debit), Some(answered)) = (debit, debiting.first()) else {
        return;
    };
    let Some(row) = row_of(&answered.key) else {
        return;
    };
    let settled_as_paid = row.outcome.as_deref() == Some(truth.status.as_str());
    if row.outcome.as_deref() == Some("NOT_PROCESSED") {
        stats.violation(
            Violation::NotProcessedThenDebited,
            format!("{}; journal {rows:?}", context()),
        );
    } else if !settled_as_paid || row.amount != debit.amount {
        stats.violation(
            Violation::JournalWrong,
            format!("{}; journal {rows:?}", context()),
        );
    }
}

/// What every phone was debited, as the ledger says.
pub(super) fn debited(ledger: &[LedgerEntry], account_id: &str) -> Amount {
    ledger
        .iter()
        .filter(|e| e.account_id == account_id)
        .try_fold(Amount::ZERO, |sum, e| sum.checked_add(e.amount))
        .unwrap()
}
