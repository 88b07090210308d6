//! What a piece of database work did, as SQLite itself reports it: the statements run
//! (their SQL text, not their values), the virtual machine steps they took and the rows
//! they changed. The merchant create logs it at debug level so that a test can show
//! that a request for a known account and one for an unknown account do the same work
//! before the answer (issue 15, item 4), without timing anything.

use std::cell::RefCell;

use rusqlite::trace::{TraceEvent, TraceEventCodes};
use rusqlite::{Connection, StatementStatus};

use crate::util::{b64url, sha256};

thread_local! {
    /// The statements of the measurement running on this thread, if any.
    static RECORDING: RefCell<Option<Recording>> = const { RefCell::new(None) };
}

#[derive(Default)]
struct Recording {
    statements: Vec<String>,
    vm_steps: i64,
}

/// The work done by one measured closure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Work {
    /// How many statements ran.
    pub statements: usize,
    /// SHA-256 (base64url, 12 characters) of the statements' SQL texts, in order.
    pub digest: String,
    /// Virtual machine steps of those statements (reads included).
    pub vm_steps: i64,
    /// Rows inserted, updated or deleted.
    pub changes: u64,
}

fn on_trace(event: TraceEvent<'_>) {
    RECORDING.with(|cell| {
        let mut cell = cell.borrow_mut();
        let Some(recording) = cell.as_mut() else {
            return;
        };
        match event {
            TraceEvent::Stmt(_, sql) => recording.statements.push(sql.to_owned()),
            TraceEvent::Profile(stmt, _) => {
                recording.vm_steps += i64::from(stmt.get_status(StatementStatus::VmStep));
            }
            _ => {}
        }
    });
}

/// Lets [`measure`] see the statements of `conn` (done once, when it opens).
pub fn install(conn: &Connection) {
    conn.trace_v2(
        TraceEventCodes::SQLITE_TRACE_STMT | TraceEventCodes::SQLITE_TRACE_PROFILE,
        Some(on_trace),
    );
}

/// Runs `f` and reports the work it made `conn` do on this thread.
pub fn measure<R>(conn: &Connection, f: impl FnOnce() -> R) -> (R, Work) {
    let changes_before = conn.total_changes();
    RECORDING.with(|cell| *cell.borrow_mut() = Some(Recording::default()));
    let out = f();
    let recording = RECORDING
        .with(|cell| cell.borrow_mut().take())
        .unwrap_or_default();
    let digest = sha256(recording.statements.join("\u{1e}").as_bytes());
    let work = Work {
        statements: recording.statements.len(),
        digest: b64url(&digest[..9]),
        vm_steps: recording.vm_steps,
        changes: conn.total_changes().saturating_sub(changes_before),
    };
    (out, work)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_statements_and_changes() {
        let conn = Connection::open_in_memory().unwrap();
        install(&conn);
        conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        let ((), one) = measure(&conn, || {
            conn.execute("INSERT INTO t (x) VALUES (?1)", [1]).unwrap();
        });
        let ((), other) = measure(&conn, || {
            conn.execute("INSERT INTO t (x) VALUES (?1)", [2]).unwrap();
        });
        assert_eq!(one.statements, 1);
        assert_eq!(one.changes, 1);
        assert_eq!(one.digest, other.digest, "same SQL, other values");
        let ((), read) = measure(&conn, || {
            conn.query_row("SELECT COUNT(*) FROM t", [], |r| r.get::<_, i64>(0))
                .unwrap();
        });
        assert_ne!(read.digest, one.digest);
        assert_eq!(read.changes, 0);
        assert!(read.vm_steps > 0);
    }
}
