//! Opening the database: location, permissions, pragmas, migrations.

use crate::domain::msg::{Localize, Msg};
#[allow(unused_imports)]
use crate::msg;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::StoreError;
use super::schema::MIGRATIONS;

/// How long a writer waits for another session's transaction before the
/// user is told the database is busy.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The database path: `--db`, else `$KEZEK_DB`, else the user's data
/// directory; in the office installation, the office data directory.
pub fn default_path() -> Option<PathBuf> {
    if crate::privilege::privileged() {
        return crate::privilege::office_db(None).ok();
    }
    if let Some(p) = std::env::var_os("KEZEK_DB") {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("kz", "", "kezek").map(|d| d.data_dir().join("kezek.db"))
}

/// Open the existing database at `path`. A path with no database is an
/// error (a mistyped `--db` must not become an empty database: see
/// [`create`]). Opening writes nothing when the schema is current, so
/// readers never wait for a writer: in WAL mode they read a snapshot.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(_) => {
            return Err(StoreError::Invalid(msg!(
                "error.store.not-a-file",
                path = path.display().to_string()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::NoDatabase(path.display().to_string()));
        }
        Err(e) => return Err(StoreError::Io(path_error(path, &e))),
    }
    connect(path)
}

/// Create a new database at `path` (`kezek init`, `kezek demo`), or open
/// the one already there.
pub fn create(path: &Path) -> Result<Connection, StoreError> {
    if !path.exists() {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Io(path_error(dir, &e)))?;
        }
        // The key first: a new database's audit chain is keyed from its first row.
        create_key(path)?;
        create_private(path)?;
    }
    connect(path)
}

/// The audit key of the database at `path`: `kezek.db` → `kezek.db.audit-key`.
/// Readable by the owner and the office group only (0640): in the office
/// installation no inspector can read it, so none can recompute the chain.
pub fn key_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".audit-key");
    db.with_file_name(name)
}

/// 32 random bytes as hex, in a new file (never replacing one).
fn create_key(db: &Path) -> Result<(), StoreError> {
    write_new_key(&key_path(db))
}

/// A new key file at `path` (0640; an existing one is kept).
pub(crate) fn write_new_key(path: &Path) -> Result<(), StoreError> {
    use std::io::{Read, Write};
    let path = path.to_path_buf();
    let mut key = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut key))
        .map_err(|e| StoreError::Io(path_error(Path::new("/dev/urandom"), &e)))?;
    let text: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o640);
    }
    match opts.open(&path) {
        Ok(mut f) => f
            .write_all(format!("{text}\n").as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| StoreError::Io(path_error(&path, &e))),
        // A key already there (a database re-created beside it) is kept.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Io(path_error(&path, &e))),
    }
}

/// The audit key, if the database has one. A key that is there but cannot
/// be read is an error, never a quiet fall-back to an unkeyed chain.
pub fn read_key(db: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    read_key_file(&key_path(db))
}

pub(crate) fn read_key_file(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    let path = path.to_path_buf();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::Io(path_error(&path, &e))),
    };
    let t = text.trim();
    let bytes: Option<Vec<u8>> = (t.len() == 64)
        .then(|| {
            (0..32)
                .map(|i| u8::from_str_radix(t.get(2 * i..2 * i + 2)?, 16).ok())
                .collect()
        })
        .flatten();
    bytes.map(Some).ok_or_else(|| {
        StoreError::Invalid(msg!(
            "error.store.bad-key",
            path = path.display().to_string()
        ))
    })
}

fn connect(path: &Path) -> Result<Connection, StoreError> {
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::Open(path.display().to_string(), e.to_string()))?;
    conn.busy_handler(Some(busy_wait))?;
    // A database newer than this kezek is refused before anything is written
    // to it (not even its journal mode).
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > schema_version() {
        return Err(StoreError::TooNew {
            path: path.display().to_string(),
            found,
            supported: schema_version(),
        });
    }
    // Changing the journal mode writes: only a new (or foreign) file needs it.
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        conn.pragma_update(None, "journal_mode", "WAL")?;
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // 64 MiB of page cache: large imports and exports stay off the disk's read path.
    conn.pragma_update(None, "cache_size", -65536)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    migrate(&conn, path)?;
    Ok(conn)
}

/// While another session holds the write lock: wait and try again, for up
/// to [`BUSY_TIMEOUT`] in all; each wait is logged (`--log-level debug`), so
/// a console stuck behind a long write shows in the log.
fn busy_wait(attempt: i32) -> bool {
    let step = |n: i32| Duration::from_millis(5 * u64::from((n.max(0) as u32 + 1).min(20)));
    let waited: Duration = (0..attempt).map(step).sum();
    if waited >= BUSY_TIMEOUT {
        tracing::warn!("database busy: gave up after {} ms", waited.as_millis());
        return false;
    }
    if attempt == 0 || attempt % 20 == 0 {
        tracing::debug!(
            "database busy: retry {attempt}, waited {} ms",
            waited.as_millis()
        );
    }
    std::thread::sleep(step(attempt));
    true
}

/// Create an empty file readable and writable by its owner and group only,
/// before SQLite touches it (the WAL and shared-memory files inherit the mode).
fn create_private(path: &Path) -> Result<(), StoreError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o660);
    }
    match opts.open(path) {
        Ok(_) => {
            // The mode above is reduced by the umask: set it, so the group can write.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
                    .map_err(|e| StoreError::Io(path_error(path, &e)))?;
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Io(path_error(path, &e))),
    }
}

/// `path: what went wrong`.
pub(crate) fn path_error(path: &Path, e: &std::io::Error) -> Msg {
    crate::msg!(
        "error.path",
        path = path.display().to_string(),
        detail = e.msg()
    )
}

/// The schema version this binary writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The backup taken before the last migration this process ran, if any
/// (`kezek migrate` names it).
pub static LAST_PRE_MIGRATION_BACKUP: std::sync::Mutex<Option<PathBuf>> =
    std::sync::Mutex::new(None);

fn migrate(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    migrate_with(conn, path, true)
}

/// Migrate without the backup first: for scratch copies (a backup being
/// verified), never for a database anyone works in.
pub(crate) fn migrate_unguarded(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    migrate_with(conn, path, false)
}

/// Bring the schema to this kezek's version: every step in one transaction
/// (a failure leaves the database as it was), after a backup of the
/// database as it was (`<dir>/backups/NAME-…-schema-vN.db.zst`). A database
/// newer than this kezek is refused without a change.
fn migrate_with(conn: &Connection, path: &Path, backup_first: bool) -> Result<(), StoreError> {
    let target = schema_version();
    // A current schema is read without a transaction: no write lock, so an
    // open never waits behind another session's write.
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current == target {
        return Ok(());
    }
    let too_new = |found: i64| StoreError::TooNew {
        path: path.display().to_string(),
        found,
        supported: target,
    };
    if current > target {
        return Err(too_new(current));
    }
    // Read the version inside the write lock: several sessions may open an
    // old database at the same moment, and only one may migrate it.
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let mut version = current;
    let steps = (|| -> Result<(), StoreError> {
        version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version < 0 || version > target {
            return Err(too_new(version));
        }
        if version == target {
            return Ok(());
        }
        if backup_first && version > 0 {
            let file = super::backup::before_migration(path, version, target)?;
            if let Ok(mut last) = LAST_PRE_MIGRATION_BACKUP.lock() {
                *last = Some(file);
            }
        }
        while version < target {
            let from = version;
            version += 1;
            let sql = if from == 4 && has_column(conn, "cases", "q_stage")? {
                // The console's queue columns were main's migration 4 for a
                // while: such a database goes straight to version 5.
                version = 5;
                super::schema::FROM_CONSOLE_V4
            } else {
                MIGRATIONS[from as usize]
            };
            tracing::info!(from, to = version, "schema migration");
            conn.execute_batch(sql)
                .and_then(|()| conn.pragma_update(None, "user_version", version))
                .map_err(|e| StoreError::Migration {
                    version,
                    reason: e.to_string(),
                })?;
        }
        Ok(())
    })();
    match steps {
        Ok(()) => {
            conn.execute_batch("COMMIT")?;
            Ok(())
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

fn has_column(conn: &Connection, table: &str, column: &str) -> Result<bool, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2",
        [table, column],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// Connect to the PostgreSQL database `target` names and bring its schema
/// to this binary's version.
pub fn connect_pg(target: &str) -> Result<super::engine::Conn, StoreError> {
    use super::engine::pg;
    let shown = pg::redact(target);
    let session =
        pg::Pg::connect(target).map_err(|e| StoreError::Open(shown.clone(), e.to_string()))?;
    match pg::migrate(&session, schema_version()) {
        Ok(Ok(())) => Ok(super::engine::Conn::postgres(session)),
        Ok(Err(found)) => Err(StoreError::TooNew {
            path: shown,
            found,
            supported: schema_version(),
        }),
        Err(e) => Err(StoreError::Migration {
            version: schema_version(),
            reason: e.to_string(),
        }),
    }
}

/// Whether the PostgreSQL database `target` names already holds kezek's
/// tables (`kezek init` leaves such a database alone).
pub fn pg_initialized(target: &str) -> Result<bool, StoreError> {
    let shown = super::engine::pg::redact(target);
    let session = super::engine::pg::Pg::connect(target)
        .map_err(|e| StoreError::Open(shown, e.to_string()))?;
    let conn = super::engine::Conn::postgres(session);
    Ok(conn.query_row(
        "SELECT to_regclass('schema_version') IS NOT NULL",
        [],
        |r| r.get::<_, bool>(0),
    )?)
}
