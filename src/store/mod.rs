//! Storage on SQLite or PostgreSQL (see [`engine`]): the only code that
//! writes SQL.
//!
//! Every change runs in a `BEGIN IMMEDIATE` transaction (on PostgreSQL: a
//! transaction under the writers' advisory lock) that also appends
//! to the hash-chained audit log; a case row carries a version so that an
//! update based on a stale read is refused instead of overwriting a
//! colleague's work.

pub mod audit;
pub mod backup;
pub mod cases;
pub mod db;
pub mod drafts;
pub mod engine;
pub mod export;
pub mod import;
pub mod journal;
pub mod migrate;
pub mod notices;
pub mod prefs;
pub mod region;
pub mod report;
pub mod rights;
pub mod schema;
pub mod table;
pub mod users;

use std::path::Path;

use engine::Conn;

use crate::domain::calendar::Calendar;
use crate::domain::case::Violation;
use crate::domain::msg::{Localize, Msg};
use crate::domain::procedure::Rules;
use crate::msg;

/// Why a store operation failed, in words for the user.
#[derive(Debug)]
pub enum StoreError {
    /// The database file cannot be opened (path and SQLite's reason).
    Open(String, String),
    /// No database at this path (and none is to be created).
    NoDatabase(String),
    Io(Msg),
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    Migration {
        version: i64,
        reason: String,
    },
    Busy,
    /// SQLite's own report, or a database whose contents kezek cannot read.
    Sql(String),
    NotFound(Msg),
    Denied(Msg),
    /// Someone else changed what this change touches since it was read.
    Stale {
        number: String,
        by: String,
        /// When, on the office's wall clock.
        at: chrono::NaiveDateTime,
        /// What they changed (empty when it is not known).
        what: Vec<Msg>,
    },
    Rule(Violation),
    Invalid(Msg),
}

impl From<Violation> for StoreError {
    fn from(v: Violation) -> Self {
        StoreError::Rule(v)
    }
}

impl Localize for StoreError {
    fn msg(&self) -> Msg {
        match self {
            StoreError::Open(path, detail) => {
                msg!("error.store.open", path = path, detail = detail)
            }
            StoreError::NoDatabase(path) => msg!("error.store.no-db", path = path),
            StoreError::Io(m) | StoreError::NotFound(m) | StoreError::Denied(m) => m.clone(),
            StoreError::Invalid(m) => m.clone(),
            StoreError::TooNew {
                path,
                found,
                supported,
            } => msg!(
                "error.store.too-new",
                path = path,
                found = *found,
                supported = *supported
            ),
            StoreError::Migration { version, reason } => {
                msg!("error.store.migration", version = *version, reason = reason)
            }
            StoreError::Busy => Msg::key("error.store.busy"),
            StoreError::Sql(detail) => msg!("error.store.sql", detail = detail),
            StoreError::Stale {
                number,
                by,
                at,
                what,
            } if what.is_empty() => {
                msg!("error.store.stale", number = number, by = by, at = *at)
            }
            StoreError::Stale {
                number,
                by,
                at,
                what,
            } => msg!(
                "error.store.stale-what",
                number = number,
                by = by,
                at = *at,
                what = what.clone()
            ),
            StoreError::Rule(v) => v.msg(),
        }
    }
}
crate::localized_error!(StoreError);

/// No case with this number.
pub(crate) fn no_case(number: &str) -> StoreError {
    StoreError::NotFound(msg!("error.store.no-case", number = number))
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        engine::Error::from(e).into()
    }
}

impl From<engine::Error> for StoreError {
    fn from(e: engine::Error) -> Self {
        if e.is_busy() {
            return StoreError::Busy;
        }
        StoreError::Sql(e.to_string())
    }
}

/// An open database with the rules that govern its cases.
pub struct Store {
    pub(crate) conn: Conn,
    pub cal: Calendar,
    pub rules: Rules,
    /// The audit key (see `db::key_path`); `None` for a database made
    /// before keys, and on PostgreSQL, where the server signs the chain.
    pub(crate) audit_key: Option<std::sync::Arc<Vec<u8>>>,
    /// What [`Store::changes`] has already reported.
    watch: Option<Watch>,
}

/// Where [`Store::changes`] left off: SQLite's data version and the last
/// audit row seen; on PostgreSQL, listening is enough.
#[derive(Debug, Clone, Copy)]
struct Watch {
    version: i64,
    seq: i64,
}

/// What other sessions changed since the last look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changes {
    Nothing,
    /// These cases (each once, in the order they changed).
    Cases(Vec<String>),
    /// Something beyond single cases (users, a recomputation of many), or
    /// more than is worth naming: read everything again.
    Everything,
}

/// More changed cases than this in one look are "everything".
const MANY_CHANGES: usize = 2000;

impl Store {
    /// Open the database `db` names (a SQLite file, or a PostgreSQL
    /// connection string: see [`engine::target`]), creating it when there
    /// is none (`kezek init`, `kezek demo`, tests and benchmarks). On
    /// PostgreSQL the database itself must exist; its tables are made.
    pub fn open(db: &Path, cal: Calendar, rules: Rules) -> Result<Store, StoreError> {
        match engine::target(db) {
            engine::Target::Sqlite(path) => Store::with(db::create(&path)?, &path, cal, rules),
            engine::Target::Postgres(url) => Store::with_pg(db::connect_pg(&url)?, cal, rules),
        }
    }

    /// Open an existing database; a path with none is an error (every
    /// command but `init` and `demo`, and the console).
    pub fn open_existing(db: &Path, cal: Calendar, rules: Rules) -> Result<Store, StoreError> {
        match engine::target(db) {
            engine::Target::Sqlite(path) => Store::with(db::open(&path)?, &path, cal, rules),
            engine::Target::Postgres(url) => Store::with_pg(db::connect_pg(&url)?, cal, rules),
        }
    }

    fn with(
        conn: rusqlite::Connection,
        path: &Path,
        cal: Calendar,
        rules: Rules,
    ) -> Result<Store, StoreError> {
        let audit_key = db::read_key(path)?.map(std::sync::Arc::new);
        audit::register(&conn, audit_key.clone())?;
        Ok(Store {
            conn: Conn::sqlite(conn),
            cal,
            rules,
            audit_key,
            watch: None,
        })
    }

    fn with_pg(conn: Conn, cal: Calendar, rules: Rules) -> Result<Store, StoreError> {
        Ok(Store {
            conn,
            cal,
            rules,
            audit_key: None,
            watch: None,
        })
    }

    /// Which engine this store runs on.
    pub fn engine(&self) -> engine::Engine {
        self.conn.engine()
    }

    /// Open, and when the calendar or the rules differ from those the stored
    /// deadlines were computed with, recompute them (see
    /// [`Store::recompute_deadlines`]); the second value says what moved.
    pub fn open_and_recompute(
        path: &Path,
        cal: Calendar,
        rules: Rules,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Store, Option<cases::Recomputed>), StoreError> {
        let mut store = Store::open_existing(path, cal, rules)?;
        let moved = store.recompute_if_rules_changed(now)?;
        Ok((store, moved))
    }

    /// When the calendar or the rules differ from those the stored
    /// deadlines were computed with, recompute them; says what moved.
    pub fn recompute_if_rules_changed(
        &mut self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<cases::Recomputed>, StoreError> {
        if self.rules_changed()? && self.may_recompute()? {
            Ok(Some(self.recompute_deadlines(now)?))
        } else {
            Ok(None)
        }
    }

    /// Whether the audit chain is keyed (HMAC) rather than plainly hashed.
    pub fn audit_keyed(&self) -> bool {
        self.audit_key.is_some() || self.conn.engine() == engine::Engine::Postgres
    }

    /// Changes whenever another connection commits: the console polls it.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        match self.conn.as_sqlite() {
            Some(c) => Ok(c.query_row("PRAGMA data_version", [], |r| r.get(0))?),
            // PostgreSQL announces changes instead (see `Store::changes`).
            None => Ok(0),
        }
    }

    /// Start noting what other sessions change (see [`Store::changes`]):
    /// on PostgreSQL, listen for the announcements the server sends when a
    /// case changes; on SQLite, remember the audit chain's head.
    pub fn watch(&mut self) -> Result<(), StoreError> {
        match self.conn.as_pg() {
            Some(pg) => pg.listen(engine::pg_schema::CHANNEL)?,
            None => {
                let seq: i64 =
                    self.conn
                        .query_row("SELECT coalesce(max(seq), 0) FROM audit", [], |r| r.get(0))?;
                self.watch = Some(Watch {
                    version: self.data_version()?,
                    seq,
                });
            }
        }
        Ok(())
    }

    /// The cases other sessions changed since the last call (or since
    /// [`Store::watch`]). On PostgreSQL this waits up to `wait` for the
    /// server's first announcement; on SQLite it looks at once: when the
    /// database's data version moved, the audit rows since the last look
    /// name the cases (every change writes one).
    pub fn changes(&mut self, wait: std::time::Duration) -> Result<Changes, StoreError> {
        let mut numbers: Vec<String> = Vec::new();
        let mut everything = false;
        if let Some(pg) = self.conn.as_pg() {
            numbers = pg.announced(wait)?;
        } else {
            let Some(w) = self.watch else {
                self.watch()?;
                return Ok(Changes::Nothing);
            };
            let version = self.data_version()?;
            if version == w.version {
                return Ok(Changes::Nothing);
            }
            let mut seq = w.seq;
            {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT seq, case_number FROM audit WHERE seq > ?1 ORDER BY seq",
                )?;
                let mut rows = stmt.query([w.seq])?;
                while let Some(r) = rows.next()? {
                    seq = r.get(0)?;
                    match r.get::<_, Option<String>>(1)? {
                        Some(n) => numbers.push(n),
                        None => everything = true,
                    }
                }
            }
            self.watch = Some(Watch { version, seq });
        }
        let mut seen = std::collections::HashSet::new();
        numbers.retain(|n| seen.insert(n.clone()));
        Ok(if everything || numbers.len() > MANY_CHANGES {
            Changes::Everything
        } else if numbers.is_empty() {
            Changes::Nothing
        } else {
            Changes::Cases(numbers)
        })
    }

    /// Run `f` in a `BEGIN IMMEDIATE` transaction: all of it or none of it.
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&engine::Tx<'_>, &Calendar, &Rules) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tx = self.conn.transaction(engine::Behavior::Immediate)?;
        let out = f(&tx, &self.cal, &self.rules)?;
        tx.commit()?;
        Ok(out)
    }
}

/// `2026-11-20T12:45:00Z`: fixed width, so text order is time order.
pub(crate) fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) fn opt_ts_pub(
    s: Option<String>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError> {
    s.as_deref().map(parse_ts).transpose()
}

pub(crate) fn parse_ts(s: &str) -> Result<chrono::DateTime<chrono::Utc>, StoreError> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| StoreError::Sql(format!("bad timestamp in the database: '{s}'")))
}

pub(crate) fn parse_day(s: &str) -> Result<chrono::NaiveDate, StoreError> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StoreError::Sql(format!("bad date in the database: '{s}'")))
}

/// A serde enum as its plain string (`"passed"`).
pub(crate) fn enum_str<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

pub(crate) fn enum_from<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| StoreError::Sql(format!("unknown value in the database: '{s}'")))
}
