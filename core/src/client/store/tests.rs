use super::schema::MIGRATIONS;
use super::*;

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
    }
    let store = Store::open(dir.path()).unwrap();
    let history = store.history().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].payee_id, "");
    assert_eq!(store.unresolved().unwrap().len(), 1);
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

#[test]
fn seen_pushes_are_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    // Outside a runtime the write runs inline.
    store.mark_push_seen_later("msg_1", "pay_1", 1);
    store.mark_push_seen_later("msg_1", "pay_1", 2);
    let seen: i64 = store
        .with(|c| c.query_row("SELECT received_at FROM seen_push", [], |r| r.get(0)))
        .unwrap();
    assert_eq!(seen, 1, "the first sighting is kept");
}

#[test]
fn an_older_balance_never_replaces_a_newer_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store.save_balance(Amount::from_cents(5_000), 20).unwrap();
    store.save_balance_later(Amount::from_cents(20_000), 10);
    assert_eq!(
        store.cached_balance().unwrap(),
        Some((Amount::from_cents(5_000), 20))
    );
    store.save_balance_later(Amount::from_cents(4_000), 21);
    assert_eq!(
        store.cached_balance().unwrap(),
        Some((Amount::from_cents(4_000), 21))
    );
}
