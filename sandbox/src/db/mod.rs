//! The SQLite database: one connection (WAL, foreign keys) behind a mutex, used from
//! blocking threads; the schema and its migrations.

use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::config::Database;
use crate::error::{ApiError, ApiResult};

mod schema;

pub use schema::SCHEMA_VERSION;

/// The shared connection.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (or creates) the database and brings its schema up to date.
    pub fn open(database: &Database) -> anyhow::Result<Db> {
        let mut conn = match database {
            Database::File(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)?;
                }
                Connection::open(path)?
            }
            Database::Memory => Connection::open_in_memory()?,
        };
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        crate::work::install(&conn);
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` on a blocking thread with the connection locked.
    pub async fn run<F, R>(&self, f: F) -> ApiResult<R>
    where
        F: FnOnce(&mut Connection) -> ApiResult<R> + Send + 'static,
        R: Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| ApiError::internal(format_args!("database task: {e}")))?
    }

    /// Runs `f` inside one `BEGIN IMMEDIATE` transaction, committed when `f` returns
    /// `Ok` (even an `Ok` carrying a protocol error to answer), rolled back on `Err`.
    pub async fn transaction<F, R>(&self, f: F) -> ApiResult<R>
    where
        F: FnOnce(&rusqlite::Transaction<'_>) -> ApiResult<R> + Send + 'static,
        R: Send + 'static,
    {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    /// Synchronous access, for start-up.
    pub fn with_conn<R>(
        &self,
        f: impl FnOnce(&mut Connection) -> anyhow::Result<R>,
    ) -> anyhow::Result<R> {
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let has_table: bool = tx
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
            [],
            |_| Ok(true),
        )
        .optional()?
        .unwrap_or(false);
    let version: i64 = if has_table {
        tx.query_row("SELECT MAX(version) FROM schema_version", [], |r| {
            r.get::<_, Option<i64>>(0)
        })?
        .unwrap_or(0)
    } else {
        0
    };
    if version > SCHEMA_VERSION {
        anyhow::bail!(
            "database schema version {version} is newer than this sandbox ({SCHEMA_VERSION})"
        );
    }
    for (index, migration) in schema::MIGRATIONS.iter().enumerate() {
        let target = index as i64 + 1;
        if version < target {
            tx.execute_batch(migration)?;
            tx.execute("INSERT INTO schema_version (version) VALUES (?1)", [target])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// A value of the `meta` table.
pub fn meta_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
}

pub fn meta_set(conn: &Connection, key: &str, value: &[u8]) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        rusqlite::params![key, value],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let db = Db::open(&Database::File(path.clone())).unwrap();
        db.with_conn(|c| Ok(meta_set(c, "k", b"v")?)).unwrap();
        drop(db);
        let db = Db::open(&Database::File(path)).unwrap();
        let v = db.with_conn(|c| Ok(meta_get(c, "k")?)).unwrap();
        assert_eq!(v.as_deref(), Some(&b"v"[..]));
        let n: i64 = db
            .with_conn(
                |c| Ok(c.query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))?),
            )
            .unwrap();
        assert_eq!(n, SCHEMA_VERSION);
    }

    #[test]
    fn a_version_1_file_is_brought_to_the_current_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
            conn.execute("INSERT INTO schema_version (version) VALUES (1)", [])
                .unwrap();
            conn.execute(
                "INSERT INTO merchants (id, name, api_key_hash, created_at) VALUES ('mer_1', 'M', x'00', 0)",
                [],
            )
            .unwrap();
        }
        let db = Db::open(&Database::File(path)).unwrap();
        let (version, refs): (i64, i64) = db
            .with_conn(|c| {
                Ok((
                    c.query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))?,
                    c.query_row(
                        "SELECT COUNT(*) FROM pragma_table_info('payments') WHERE name = 'account_ref'",
                        [],
                        |r| r.get(0),
                    )?,
                ))
            })
            .unwrap();
        assert_eq!((version, refs), (SCHEMA_VERSION, 1));
        // Version 4 gave the existing merchant its own webhook secret.
        let secret: String = db
            .with_conn(|c| {
                Ok(c.query_row("SELECT webhook_secret FROM merchants", [], |r| r.get(0))?)
            })
            .unwrap();
        assert!(
            secret.starts_with("whsec_") && secret.len() == 54,
            "{secret}"
        );
    }
}
