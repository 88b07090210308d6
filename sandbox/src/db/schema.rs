//! The schema, as the migrations that build it: version N is `MIGRATIONS[N - 1]`
//! applied to version N - 1. Never edit a released migration; add one.

/// Current schema version (table `schema_version`).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) const MIGRATIONS: [&str; 6] = [
    SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4, SCHEMA_V5, SCHEMA_V6,
];

const SCHEMA_V1: &str = r#"
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE accounts (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    account_number  TEXT NOT NULL UNIQUE,
    balance_cents   INTEGER NOT NULL CHECK (balance_cents >= 0),
    pin_hash        BLOB NOT NULL,
    pin_length      INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    pin_locked      INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);
CREATE TABLE merchants (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    api_key_hash BLOB NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL
);
CREATE TABLE activation_codes (
    code_hash  BLOB PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE TABLE devices (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    public_key BLOB NOT NULL,
    push_token TEXT,
    platform   TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX devices_account ON devices(account_id);
CREATE TABLE challenges (
    challenge  TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE tokens (
    token_hash BLOB PRIMARY KEY,
    device_id  TEXT NOT NULL REFERENCES devices(id),
    expires_at INTEGER NOT NULL
);
CREATE TABLE payments (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    account_id      TEXT REFERENCES accounts(id),
    total_cents     INTEGER NOT NULL CHECK (total_cents > 0),
    order_ref       TEXT,
    status          TEXT NOT NULL CHECK (status IN ('PENDING','AUTHORISED','PARTIALLY_AUTHORISED','REFUSED','EXPIRED','CANCELLED')),
    nonce           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    paid_cents      INTEGER CHECK (paid_cents > 0),
    remaining_cents INTEGER CHECK (remaining_cents >= 0),
    updated_at      INTEGER NOT NULL
);
CREATE INDEX payments_account ON payments(account_id);
CREATE TABLE ledger (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id          TEXT NOT NULL UNIQUE REFERENCES payments(id),
    account_id          TEXT NOT NULL REFERENCES accounts(id),
    merchant_id         TEXT NOT NULL REFERENCES merchants(id),
    device_id           TEXT NOT NULL REFERENCES devices(id),
    amount_cents        INTEGER NOT NULL CHECK (amount_cents > 0),
    balance_after_cents INTEGER NOT NULL CHECK (balance_after_cents >= 0),
    created_at          INTEGER NOT NULL
);
CREATE TABLE idempotency (
    payment_id   TEXT NOT NULL REFERENCES payments(id),
    device_id    TEXT NOT NULL REFERENCES devices(id),
    key          TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    http_status  INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (payment_id, device_id, key)
);
CREATE TABLE push_notifications (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id  TEXT NOT NULL REFERENCES devices(id),
    payment_id TEXT NOT NULL REFERENCES payments(id),
    message_id TEXT NOT NULL UNIQUE,
    push_token TEXT,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX push_device ON push_notifications(device_id, seq);
"#;

/// Version 2 (issue 15): the account reference a request was made for (rate limits and
/// the pending cap count by it), the push outbox written with every request, the
/// checkout page's own payments, merchant idempotency keys, wrong activation codes per
/// e-mail. Activation codes are now stored under a keyed hash: the unused codes of
/// version 1 (plain SHA-256) are dropped.
const SCHEMA_V2: &str = r#"
ALTER TABLE payments ADD COLUMN account_ref TEXT;
CREATE INDEX payments_merchant_created ON payments(merchant_id, created_at);
CREATE INDEX payments_ref_status ON payments(account_ref, status, created_at);
CREATE INDEX payments_account_list ON payments(account_id, created_at);
CREATE INDEX challenges_device ON challenges(device_id, expires_at);
CREATE TABLE push_outbox (
    payment_id TEXT PRIMARY KEY REFERENCES payments(id),
    created_at INTEGER NOT NULL
);
CREATE TABLE checkout_payments (
    payment_id   TEXT PRIMARY KEY REFERENCES payments(id),
    session_hash BLOB NOT NULL
);
CREATE TABLE merchant_idempotency (
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    key          TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    http_status  INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, key)
);
CREATE INDEX merchant_idempotency_created ON merchant_idempotency(created_at);
CREATE TABLE enrollment_failures (
    email      TEXT PRIMARY KEY,
    failures   INTEGER NOT NULL CHECK (failures >= 0),
    updated_at INTEGER NOT NULL
);
DELETE FROM activation_codes WHERE used_at IS NULL;
"#;

/// Version 3 (issue 16): the ids of request proofs (protocol v1.1) seen while they are
/// within their time window, so that each serves once.
const SCHEMA_V3: &str = r#"
CREATE TABLE proof_ids (
    device_id  TEXT NOT NULL REFERENCES devices(id),
    proof_id   TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, proof_id)
);
CREATE INDEX proof_ids_expiry ON proof_ids(expires_at);
"#;

/// Version 4 (issue 17, merchant notifications): the merchant's notification URL and
/// webhook secret (existing merchants get a random one), a request's own URL, the
/// outbox of events written with each final status and the log of delivery attempts.
const SCHEMA_V4: &str = r#"
ALTER TABLE merchants ADD COLUMN notification_url TEXT;
ALTER TABLE merchants ADD COLUMN webhook_secret TEXT;
UPDATE merchants SET webhook_secret = 'whsec_' || lower(hex(randomblob(24)));
ALTER TABLE payments ADD COLUMN notification_url TEXT;
CREATE INDEX payments_pending_expiry ON payments(expires_at) WHERE status = 'PENDING';
CREATE TABLE webhook_events (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    payment_id      TEXT NOT NULL REFERENCES payments(id),
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    type            TEXT NOT NULL,
    body            TEXT NOT NULL,
    url             TEXT,
    created_at      INTEGER NOT NULL,
    created_ms      INTEGER NOT NULL,
    next_attempt_ms INTEGER,
    delivered_at_ms INTEGER,
    gave_up         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_events_due ON webhook_events(next_attempt_ms)
    WHERE next_attempt_ms IS NOT NULL;
CREATE INDEX webhook_events_payment ON webhook_events(payment_id, seq);
CREATE TABLE webhook_attempts (
    event_seq   INTEGER NOT NULL REFERENCES webhook_events(seq),
    at_ms       INTEGER NOT NULL,
    http_status INTEGER,
    error       TEXT
);
CREATE INDEX webhook_attempts_event ON webhook_attempts(event_seq, at_ms);
"#;

/// Version 5 (issue 17, devices): the name a user gave a device, its last use, its
/// revocation, and the account's single-use nonce for revocations.
const SCHEMA_V5: &str = r#"
ALTER TABLE devices ADD COLUMN name TEXT;
ALTER TABLE devices ADD COLUMN last_used_at INTEGER;
ALTER TABLE devices ADD COLUMN revoked_at INTEGER;
ALTER TABLE accounts ADD COLUMN device_nonce TEXT;
"#;

/// Version 6 (issue 18, attestation): single-use enrollment challenges, and what a
/// device's attestation proved (both NULL for a device enrolled without one).
const SCHEMA_V6: &str = r#"
CREATE TABLE enrollment_challenges (
    challenge_hash BLOB PRIMARY KEY,
    expires_at     INTEGER NOT NULL,
    used           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX enrollment_challenges_expiry ON enrollment_challenges(expires_at);
ALTER TABLE devices ADD COLUMN attested_platform TEXT;
ALTER TABLE devices ADD COLUMN attested_level TEXT;
"#;
