use super::schema::MIGRATIONS;
use super::seen_push::SEEN_PUSH_LIMIT;
use super::*;
use crate::protocol::push::PUSH_MAX_AGE_SECS;

#[test]
fn upgrades_a_v1_database_and_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO payment VALUES ('pay_1', 'Boutique', '150.00', 'AUTHORISED', '150.00', '0.00', 7)",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO journal (idempotency_key, payment_id, amount, nonce, created_at)
             VALUES ('k1', 'pay_1', '150.00', 'n', 5)",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO balance_cache VALUES (1, '42.00', 1764547200)",
            [],
        )
        .unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let history = store.history().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].payee_id, "");
    assert_eq!(store.unresolved().unwrap().len(), 1);
    assert_eq!(
        store.cached_balance().unwrap(),
        Some((cents(4_200), DEC_1_MS / 1000)),
        "a reading in seconds is kept, in milliseconds"
    );
    let behind_the_old_reading = store.balance_stamp_at(DEC_1_MS - 1_000);
    store
        .save_balance(cents(4_100), behind_the_old_reading)
        .unwrap();
    assert_eq!(
        store.cached_balance().unwrap().map(|(balance, _)| balance),
        Some(cents(4_100)),
        "stamps after the upgrade exceed the one it converted"
    );
    let conn = store.conn.lock().unwrap();
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, schema_version());
}

#[test]
fn refuses_a_database_from_a_newer_app() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    assert!(Store::open(dir.path()).is_err());
}

#[test]
fn journal_intent_then_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let entry = JournalEntry {
        idempotency_key: "k".into(),
        payment_id: "pay_1".into(),
        amount: Amount::from_cents(12_000),
        nonce: "n".into(),
        created_at: 1,
    };
    store.journal_intent(&entry).unwrap();
    assert_eq!(store.unresolved().unwrap(), vec![entry]);
    store.journal_resolve("k", "AUTHORISED", 2).unwrap();
    assert!(store.unresolved().unwrap().is_empty());
    assert_eq!(
        store.journal_outcome("k").unwrap().as_deref(),
        Some("AUTHORISED")
    );
}

fn open_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

fn first_arrival(store: &Store, message_id: &str, now: i64) -> bool {
    store.remember_push(message_id, "pay_1", now).unwrap()
}

fn seen_push_ids(store: &Store) -> Vec<String> {
    store
        .with(|c| {
            let mut statement = c.prepare("SELECT message_id FROM seen_push ORDER BY rowid")?;
            let ids = statement.query_map([], |r| r.get(0))?;
            ids.collect()
        })
        .unwrap()
}

#[test]
fn a_push_is_new_once_then_a_duplicate_and_keeps_its_first_arrival() {
    let (_dir, store) = open_store();
    assert!(first_arrival(&store, "msg_1", 1));
    assert!(!first_arrival(&store, "msg_1", 2));
    assert!(
        first_arrival(&store, "msg_2", 3),
        "another message id is new"
    );
    let seen: i64 = store
        .with(|c| {
            c.query_row(
                "SELECT received_at FROM seen_push WHERE message_id = 'msg_1'",
                [],
                |r| r.get(0),
            )
        })
        .unwrap();
    assert_eq!(seen, 1, "the first arrival is kept");
}

#[test]
fn a_push_is_remembered_by_the_next_run() {
    let (dir, store) = open_store();
    assert!(first_arrival(&store, "msg_1", 10));
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert!(!first_arrival(&store, "msg_1", 20));
}

#[test]
fn a_push_is_forgotten_once_older_than_a_push_can_live() {
    let (_dir, store) = open_store();
    let start = 1_000_000;
    assert!(first_arrival(&store, "msg_old", start));
    assert!(
        !first_arrival(&store, "msg_old", start + PUSH_MAX_AGE_SECS),
        "still recognised at exactly the longest life of a push"
    );
    assert!(first_arrival(
        &store,
        "msg_other",
        start + PUSH_MAX_AGE_SECS + 1
    ));
    assert_eq!(seen_push_ids(&store), ["msg_other"], "pruned on write");
    assert!(first_arrival(
        &store,
        "msg_old",
        start + PUSH_MAX_AGE_SECS + 2
    ));
}

#[test]
fn at_most_the_latest_pushes_are_kept_whatever_the_clock_says() {
    let (_dir, store) = open_store();
    for n in 0..SEEN_PUSH_LIMIT {
        assert!(first_arrival(&store, &format!("msg_{n}"), 1_000 + n as i64));
    }
    // The clock was set back: the newest arrival has the oldest time, and is kept.
    assert!(first_arrival(&store, "msg_late", 500));
    let ids = seen_push_ids(&store);
    assert_eq!(ids.len(), SEEN_PUSH_LIMIT);
    assert_eq!(
        ids.first().map(String::as_str),
        Some("msg_1"),
        "the first to arrive goes"
    );
    assert_eq!(ids.last().map(String::as_str), Some("msg_late"));
    assert!(!first_arrival(&store, "msg_late", 501));
    assert!(!first_arrival(&store, "msg_1", 1_600));
    assert!(
        first_arrival(&store, "msg_0", 1_600),
        "forgotten, so new again"
    );
}

/// 2026-12-01 00:00:00 UTC, in milliseconds: the clock of the balance tests.
const DEC_1_MS: i64 = 1_764_547_200_000;

fn cents(cents: u64) -> Amount {
    Amount::from_cents(cents)
}

#[test]
fn an_older_balance_never_replaces_a_newer_one() {
    let (_dir, store) = open_store();
    let older = store.balance_stamp_at(DEC_1_MS + 10_000);
    let newer = store.balance_stamp_at(DEC_1_MS + 20_000);
    store.save_balance(cents(5_000), newer).unwrap();
    store.save_balance_later(cents(20_000), older);
    assert_eq!(
        store.cached_balance().unwrap(),
        Some((cents(5_000), DEC_1_MS / 1000 + 20))
    );
    let latest = store.balance_stamp_at(DEC_1_MS + 21_000);
    store.save_balance_later(cents(4_000), latest);
    assert_eq!(
        store.cached_balance().unwrap(),
        Some((cents(4_000), DEC_1_MS / 1000 + 21))
    );
}

/// The race of issue 20: a balance read is sent, then a payment is answered in the same
/// second (here the same millisecond); the payment saves its balance at once, and the
/// read's background write lands after it. Ordered by seconds with `>=`, the balance
/// from before the payment won.
#[test]
fn a_read_sent_before_a_payment_never_replaces_its_balance_even_in_the_same_millisecond() {
    let (_dir, store) = open_store();
    let read_sent = store.balance_stamp_at(DEC_1_MS + 400);
    let payment_answered = store.balance_stamp_at(DEC_1_MS + 400);
    assert!(payment_answered > read_sent);
    store.save_balance(cents(5_000), payment_answered).unwrap();
    store.save_balance_later(cents(20_000), read_sent);
    assert_eq!(
        store.cached_balance().unwrap(),
        Some((cents(5_000), DEC_1_MS / 1000))
    );
}

#[test]
fn balance_stamps_increase_within_a_run_and_across_restarts_whatever_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let last_of_first_run = {
        let store = Store::open(dir.path()).unwrap();
        let first = store.balance_stamp_at(DEC_1_MS);
        let same_millisecond = store.balance_stamp_at(DEC_1_MS);
        let clock_went_back = store.balance_stamp_at(DEC_1_MS - 5_000);
        assert!(first < same_millisecond && same_millisecond < clock_went_back);
        store.save_balance(cents(5_000), clock_went_back).unwrap();
        clock_went_back
    };
    let store = Store::open(dir.path()).unwrap();
    let after_restart = store.balance_stamp_at(DEC_1_MS - 60_000);
    assert!(after_restart > last_of_first_run);
    store.save_balance(cents(4_000), after_restart).unwrap();
    assert_eq!(
        store.cached_balance().unwrap().map(|(balance, _)| balance),
        Some(cents(4_000))
    );
}

fn journal_entry(idempotency_key: &str, created_at: i64) -> JournalEntry {
    JournalEntry {
        idempotency_key: idempotency_key.into(),
        payment_id: "pay_1".into(),
        amount: Amount::from_cents(12_000),
        nonce: "n".into(),
        created_at,
    }
}

/// `reconcile_payment` and `reconcile_all` ask this before settling an entry: one that
/// its own submission answered meanwhile must not be settled again.
#[test]
fn an_entry_is_open_until_its_outcome_is_written() {
    let (_dir, store) = open_store();
    store.journal_intent(&journal_entry("k1", 5)).unwrap();
    assert!(store.journal_is_open("k1").unwrap());
    assert!(!store.journal_is_open("k_never_sent").unwrap());
    store.journal_resolve("k1", "AUTHORISED", 6).unwrap();
    assert!(!store.journal_is_open("k1").unwrap());
}

#[test]
fn a_later_outcome_replaces_an_earlier_one_and_leaves_other_entries_open() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store.journal_intent(&journal_entry("k1", 1)).unwrap();
    store.journal_intent(&journal_entry("k2", 2)).unwrap();
    // Reconcile settles k1 first, then the detached answer arrives, possibly twice;
    // and an outcome for a key never journaled closes nothing. After each, k2 is still
    // open (the in-memory count of open entries must not fall to zero on the way).
    for (key, outcome, now) in [
        ("k1", "NOT_PROCESSED", 3),
        ("k1", "AUTHORISED", 4),
        ("k1", "AUTHORISED", 5),
        ("unknown", "AUTHORISED", 6),
    ] {
        store.journal_resolve(key, outcome, now).unwrap();
        assert_eq!(store.unresolved().unwrap(), vec![journal_entry("k2", 2)]);
    }
    assert_eq!(
        store.journal_outcome("k1").unwrap().as_deref(),
        Some("AUTHORISED")
    );
}

fn record(status: PaymentStatus, updated_at: i64) -> PaymentRecord {
    PaymentRecord {
        payment_id: "pay_1".into(),
        payee_id: "mer_1".into(),
        payee_name: "Boutique".into(),
        total: Amount::from_cents(15_000),
        status,
        paid_amount: (status == PaymentStatus::Authorised).then(|| Amount::from_cents(15_000)),
        remaining_amount: None,
        updated_at,
    }
}

#[test]
fn a_late_pending_copy_never_undoes_a_final_record() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store
        .save_payment(&record(PaymentStatus::Pending, 1))
        .unwrap();
    store
        .save_payment(&record(PaymentStatus::Authorised, 2))
        .unwrap();
    store
        .save_payment(&record(PaymentStatus::Pending, 3))
        .unwrap();
    let history = store.history().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].status, PaymentStatus::Authorised);
    assert_eq!(history[0].paid_amount, Some(Amount::from_cents(15_000)));
}
