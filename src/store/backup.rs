//! Backups of an SQLite case database: a consistent copy taken while
//! consoles write (`VACUUM INTO` reads one snapshot), compressed with zstd,
//! named by the office's wall-clock time, put in place atomically, pruned by
//! a retention rule; checked (integrity, audit chain, anchors) and restored
//! into a new path only.
//!
//! A backup must be verifiable and restorable without the live installation,
//! so it carries the database's audit key in a table of its own
//! (`kezek_backup`) that restore removes again. It is therefore as secret as
//! the key: mode 0640, the database's group.
//!
//! A PostgreSQL database is backed up by `pg_dump`; that engine's branch is
//! chosen by the command before anything here runs.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::engine::OptionalExtension as _;
use serde::{Deserialize, Serialize};

use super::{Store, StoreError, db};
use crate::domain::calendar::Calendar;
use crate::domain::msg::Msg;
use crate::domain::procedure::Rules;
use crate::msg;

/// zstd's level 3 (its default): a demo database of 20,000 cases, 95.5 MB,
/// becomes 12.8 MB.
const LEVEL: i32 = 3;
/// The table inside a backup that carries the audit key and where it came from.
const TABLE: &str = "kezek_backup";
/// A backup's file name ends so.
pub const SUFFIX: &str = ".db.zst";

/// The default backup directory: `backups` beside the database.
pub fn default_dir(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("backups")
}

fn io(path: &Path, e: &std::io::Error) -> StoreError {
    StoreError::Io(db::path_error(path, e))
}

/// What a backup run produced.
#[derive(Debug, Clone)]
pub struct Taken {
    pub file: PathBuf,
    pub size: u64,
    pub schema: i64,
    pub head: Option<(i64, String)>,
}

/// `kezek-2026-11-26-023000.db.zst` (Almaty time), with `-TAG` before the
/// suffix for a backup taken for a reason (`-schema-v4`, before a migration).
pub fn file_name(db: &Path, local: NaiveDateTime, tag: Option<&str>) -> String {
    let stem = stem(db);
    let tag = tag.map(|t| format!("-{t}")).unwrap_or_default();
    format!("{stem}-{}{tag}{SUFFIX}", local.format("%Y-%m-%d-%H%M%S"))
}

fn stem(db: &Path) -> String {
    db.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kezek".into())
}

/// The time in a backup's name and whether it has a tag; `None` for a file
/// that is not a backup of `db`.
pub fn parse_name(db: &Path, name: &str) -> Option<(NaiveDateTime, bool)> {
    let rest = name.strip_prefix(&format!("{}-", stem(db)))?;
    let rest = rest.strip_suffix(SUFFIX)?;
    let when = rest.get(..17)?;
    let t = NaiveDateTime::parse_from_str(when, "%Y-%m-%d-%H%M%S").ok()?;
    let tail = &rest[17..];
    if !(tail.is_empty() || tail.starts_with('-')) {
        return None;
    }
    Some((t, !tail.is_empty()))
}

/// The group of an existing path (Unix), to give new files the same.
fn group_of(path: &Path) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| m.gid())
}

/// Set the mode and, where we may, the group (root backs up for the kezek
/// group; an unprivileged user keeps their own group).
fn protect(path: &Path, mode: u32, gid: Option<u32>) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    if let Some(g) = gid {
        let _ = nix::unistd::chown(path, None, Some(nix::unistd::Gid::from_raw(g)));
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| io(path, &e))
}

/// The backup directory, made (0770, the database directory's group) when missing.
fn ensure_dir(dir: &Path, db: &Path) -> Result<(), StoreError> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| io(dir, &e))?;
    protect(dir, 0o770, db.parent().and_then(group_of))
}

/// A read-only connection that never migrates (the pre-migration backup
/// reads the old schema as it is).
fn reader(db: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::Open(db.display().to_string(), e.to_string()))?;
    conn.busy_timeout(db::BUSY_TIMEOUT)?;
    Ok(conn)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Take a backup of the database at `db` into `dir`.
pub fn take(
    db: &Path,
    dir: &Path,
    local_now: NaiveDateTime,
    tag: Option<&str>,
) -> Result<Taken, StoreError> {
    let started = std::time::Instant::now();
    if !db.is_file() {
        return Err(StoreError::NoDatabase(db.display().to_string()));
    }
    ensure_dir(dir, db)?;
    let gid = group_of(db);
    let key = db::read_key(db)?;
    // The snapshot goes to a private directory (0700) of its own.
    let scratch = tempfile::Builder::new()
        .prefix(".kezek-backup-")
        .tempdir_in(dir)
        .map_err(|e| io(dir, &e))?;
    let snap = scratch.path().join("snapshot.sqlite");
    {
        let src = reader(db)?;
        src.execute("VACUUM INTO ?1", [snap.to_string_lossy().as_ref()])
            .map_err(StoreError::from)?;
    }
    let (schema, head) = {
        let copy = Connection::open(&snap)
            .map_err(|e| StoreError::Open(snap.display().to_string(), e.to_string()))?;
        copy.pragma_update(None, "journal_mode", "DELETE")?;
        copy.execute_batch(&format!(
            "CREATE TABLE {TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        ))?;
        let put = |k: &str, v: &str| {
            copy.execute(
                &format!("INSERT INTO {TABLE} (key, value) VALUES (?1, ?2)"),
                [k, v],
            )
        };
        if let Some(k) = &key {
            put("audit_key", &hex(k))?;
        }
        put("source", &db.display().to_string())?;
        put(
            "taken_at",
            &local_now.format("%Y-%m-%dT%H:%M:%S").to_string(),
        )?;
        put("kezek", env!("CARGO_PKG_VERSION"))?;
        let schema: i64 = copy.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let head = chain_head(&copy)?;
        (schema, head)
    };
    // Compress into an exclusive temporary file beside the final name.
    let mut tmp = tempfile::Builder::new()
        .prefix(".kezek-backup-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|e| io(dir, &e))?;
    let tmp_path = tmp.path().to_path_buf();
    {
        let input = std::fs::File::open(&snap).map_err(|e| io(&snap, &e))?;
        let mut enc =
            zstd::stream::Encoder::new(tmp.as_file_mut(), LEVEL).map_err(|e| io(&tmp_path, &e))?;
        std::io::copy(&mut std::io::BufReader::new(input), &mut enc)
            .map_err(|e| io(&tmp_path, &e))?;
        enc.finish().map_err(|e| io(&tmp_path, &e))?;
    }
    tmp.as_file().sync_all().map_err(|e| io(&tmp_path, &e))?;
    protect(&tmp_path, 0o640, gid)?;
    let file = dir.join(file_name(db, local_now, tag));
    tmp.persist_noclobber(&file)
        .map_err(|e| io(&file, &e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    let size = std::fs::metadata(&file).map_err(|e| io(&file, &e))?.len();
    tracing::info!(
        bytes = size,
        schema,
        ms = started.elapsed().as_millis() as u64,
        "backup written"
    );
    Ok(Taken {
        file,
        size,
        schema,
        head,
    })
}

/// The backup `migrate` takes before it changes the schema of a database
/// in use: in the default backup directory, tagged `schema-vN` (N the
/// version found). In the office installation only an administrator
/// migrates (a backup written with an inspector's uid would be theirs).
pub(crate) fn before_migration(db: &Path, found: i64, target: i64) -> Result<PathBuf, StoreError> {
    if crate::privilege::privileged() && !nix::unistd::getuid().is_root() {
        return Err(StoreError::Invalid(msg!(
            "error.backup.migrate-as-admin",
            path = db.display().to_string(),
            found = found,
            supported = target
        )));
    }
    let local = Utc::now()
        .with_timezone(&chrono_tz::Asia::Almaty)
        .naive_local();
    let taken = take(
        db,
        &default_dir(db),
        local,
        Some(&format!("schema-v{found}")),
    )
    .map_err(|e| StoreError::Migration {
        version: found + 1,
        reason: format!(
            "no backup before migrating: {}",
            crate::domain::msg::Localize::msg(&e).text(crate::i18n::Lang::En)
        ),
    })?;
    tracing::warn!(from = found, to = target, "backup taken before migrating");
    Ok(taken.file)
}

fn chain_head(conn: &Connection) -> Result<Option<(i64, String)>, StoreError> {
    Ok(conn
        .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}

/// Decompress a backup to `to` (which must not exist).
fn unpack(file: &Path, to: &mut std::fs::File, to_path: &Path) -> Result<(), StoreError> {
    let input = std::fs::File::open(file).map_err(|e| io(file, &e))?;
    let mut dec = zstd::stream::Decoder::new(input).map_err(|e| io(file, &e))?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = dec.read(&mut buf).map_err(|e| {
            StoreError::Invalid(msg!(
                "error.backup.not-a-backup",
                path = file.display().to_string(),
                detail = e.to_string()
            ))
        })?;
        if n == 0 {
            break;
        }
        to.write_all(&buf[..n]).map_err(|e| io(to_path, &e))?;
    }
    to.sync_all().map_err(|e| io(to_path, &e))
}

/// What `verify` found in a backup.
#[derive(Debug, Clone)]
pub struct Checked {
    pub schema: i64,
    /// `PRAGMA integrity_check`'s lines other than `ok`.
    pub integrity: Vec<String>,
    pub keyed: bool,
    pub audit_rows: i64,
    pub first_break: Option<super::audit::Break>,
    pub head: Option<(i64, String)>,
    /// Anchors that lie within the backup and matched.
    pub anchors_matched: usize,
    /// Anchors newer than the backup's head (made after it was taken).
    pub anchors_later: usize,
    /// Cases in the backup.
    pub cases: i64,
}

impl Checked {
    pub fn sound(&self) -> bool {
        self.integrity.is_empty() && self.first_break.is_none()
    }
}

/// Open an unpacked backup: the key out of it, integrity, schema brought to
/// this kezek's (in the scratch copy only), audit chain and anchors.
fn check_unpacked(
    path: &Path,
    cal: Calendar,
    rules: Rules,
    anchors: &[(i64, String)],
) -> Result<(Checked, Option<Vec<u8>>), StoreError> {
    let conn = Connection::open(path)
        .map_err(|e| StoreError::Open(path.display().to_string(), e.to_string()))?;
    let not_db = |e: rusqlite::Error| {
        StoreError::Invalid(msg!(
            "error.backup.not-a-backup",
            path = path.display().to_string(),
            detail = e.to_string()
        ))
    };
    let integrity: Vec<String> = {
        let mut stmt = conn.prepare("PRAGMA integrity_check").map_err(not_db)?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(not_db)?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(not_db)?
            .into_iter()
            .filter(|l| l != "ok")
            .collect()
    };
    let has_table: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [TABLE],
            |r| r.get::<_, i64>(0),
        )
        .map_err(not_db)?
        > 0;
    if !has_table {
        return Err(StoreError::Invalid(msg!(
            "error.backup.not-a-backup",
            path = path.display().to_string(),
            detail = TABLE
        )));
    }
    let key_hex: Option<String> = conn
        .query_row(
            &format!("SELECT value FROM {TABLE} WHERE key = 'audit_key'"),
            [],
            |r| r.get(0),
        )
        .optional()?;
    let key = match key_hex {
        None => None,
        Some(h) => {
            let b: Option<Vec<u8>> = (h.len() == 64)
                .then(|| {
                    (0..32)
                        .map(|i| u8::from_str_radix(h.get(2 * i..2 * i + 2)?, 16).ok())
                        .collect()
                })
                .flatten();
            Some(b.ok_or_else(|| {
                StoreError::Invalid(msg!(
                    "error.store.bad-key",
                    path = path.display().to_string()
                ))
            })?)
        }
    };
    let schema: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let mut checked = Checked {
        schema,
        integrity,
        keyed: key.is_some(),
        audit_rows: 0,
        first_break: None,
        head: chain_head(&conn)?,
        anchors_matched: 0,
        anchors_later: 0,
        cases: 0,
    };
    if !checked.integrity.is_empty() {
        return Ok((checked, key));
    }
    if schema > db::schema_version() {
        return Err(StoreError::TooNew {
            path: path.display().to_string(),
            found: schema,
            supported: db::schema_version(),
        });
    }
    // An older backup is checked as this kezek would read it after migrating.
    db::migrate_unguarded(&conn, path)?;
    checked.cases = conn.query_row("SELECT count(*) FROM cases", [], |r| r.get(0))?;
    // The key beside the scratch copy, so the store opens it as any other.
    if let Some(k) = &key {
        write_key(&db::key_path(path), &hex(k), None)?;
    }
    let store = Store::with(conn, path, cal, rules)?;
    let v = store.verify_audit()?;
    checked.audit_rows = v.rows;
    checked.first_break = v.first_break;
    if checked.first_break.is_none() {
        let head_seq = checked.head.as_ref().map_or(0, |h| h.0);
        for (seq, hash) in anchors {
            if *seq > head_seq {
                checked.anchors_later += 1;
            } else if store.audit_has(*seq, hash)? {
                checked.anchors_matched += 1;
            } else {
                checked.first_break = Some(super::audit::Break {
                    seq: *seq,
                    reason: Msg::key("error.audit.anchor"),
                });
                break;
            }
        }
    }
    Ok((checked, key))
}

/// Check a backup: decompressed into a private temporary directory, which
/// is removed afterwards.
pub fn verify(
    file: &Path,
    cal: Calendar,
    rules: Rules,
    anchors: &[(i64, String)],
) -> Result<Checked, StoreError> {
    let scratch = tempfile::Builder::new()
        .prefix("kezek-verify-")
        .tempdir()
        .map_err(|e| io(&std::env::temp_dir(), &e))?;
    let path = scratch.path().join("backup.sqlite");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| io(&path, &e))?;
    unpack(file, &mut f, &path)?;
    drop(f);
    Ok(check_unpacked(&path, cal, rules, anchors)?.0)
}

/// Restore a backup into `to`, a path where there is no database (nor a key,
/// nor a write-ahead log): a live database is never overwritten. The file
/// appears at `to` only when complete, with its audit key beside it.
pub fn restore(file: &Path, to: &Path, cal: Calendar, rules: Rules) -> Result<Checked, StoreError> {
    let mut wal = to.as_os_str().to_os_string();
    wal.push("-wal");
    let taken = |p: &Path| std::fs::symlink_metadata(p).is_ok();
    for p in [to.to_path_buf(), db::key_path(to), PathBuf::from(wal)] {
        if taken(&p) {
            return Err(StoreError::Invalid(msg!(
                "error.backup.target-exists",
                path = p.display().to_string()
            )));
        }
    }
    let dir = to
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(StoreError::Io(db::path_error(
            dir,
            &std::io::Error::from(std::io::ErrorKind::NotFound),
        )));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".kezek-restore-")
        .tempfile_in(dir)
        .map_err(|e| io(dir, &e))?;
    let tmp_path = tmp.path().to_path_buf();
    unpack(file, tmp.as_file_mut(), &tmp_path)?;
    // Checked on a scratch copy, so the restored file keeps the backup's schema.
    let checked = verify(file, cal, rules, &[])?;
    let key = {
        let conn = Connection::open(&tmp_path)
            .map_err(|e| StoreError::Open(tmp_path.display().to_string(), e.to_string()))?;
        let key: Option<String> = conn
            .query_row(
                &format!("SELECT value FROM {TABLE} WHERE key = 'audit_key'"),
                [],
                |r| r.get(0),
            )
            .optional()?;
        conn.execute_batch(&format!("DROP TABLE {TABLE}"))?;
        key
    };
    protect(&tmp_path, 0o660, group_of(dir))?;
    if let Some(k) = key {
        write_key(&db::key_path(to), &k, group_of(dir))?;
    }
    if let Err(e) = tmp.persist_noclobber(to) {
        let _ = std::fs::remove_file(db::key_path(to));
        return Err(io(to, &e.error));
    }
    Ok(checked)
}

/// The key file of a restored database (0640, never replacing one).
fn write_key(path: &Path, hex: &str, gid: Option<u32>) -> Result<(), StoreError> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o640)
        .open(path)
        .map_err(|e| io(path, &e))?;
    f.write_all(format!("{hex}\n").as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| io(path, &e))?;
    protect(path, 0o640, gid)
}

/// A backup time's day, ISO week or month, as a comparable key.
type Period = fn(&NaiveDateTime) -> (i32, u32, u32);

/// How many of the newest days, weeks and months keep their newest backup.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keep {
    pub days: u32,
    pub weeks: u32,
    pub months: u32,
}

impl Keep {
    /// `14d,8w,12m` (any of them, in any order).
    pub fn parse(s: &str) -> Option<Keep> {
        let mut k = Keep::default();
        for part in s.split(',').map(str::trim) {
            let (n, unit) = part.split_at(part.len().checked_sub(1)?);
            let n: u32 = n.parse().ok()?;
            match unit {
                "d" => k.days = n,
                "w" => k.weeks = n,
                "m" => k.months = n,
                _ => return None,
            }
        }
        Some(k)
    }

    /// Which of `times` (any order) to keep: the newest backup of each of
    /// the newest `days` days that have one, of `weeks` ISO weeks, of
    /// `months` months; the newest backup of all is always kept.
    pub fn select(&self, times: &[NaiveDateTime]) -> Vec<bool> {
        let mut order: Vec<usize> = (0..times.len()).collect();
        order.sort_by(|&a, &b| times[b].cmp(&times[a]));
        let mut keep = vec![false; times.len()];
        if let Some(&first) = order.first() {
            keep[first] = true;
        }
        let rules: [(u32, Period); 3] = [
            (self.days, |t| (t.year(), t.ordinal(), 0)),
            (self.weeks, |t| {
                let w = t.iso_week();
                (w.year(), w.week(), 1)
            }),
            (self.months, |t| (t.year(), t.month(), 2)),
        ];
        for (n, period) in rules {
            let mut seen: Vec<(i32, u32, u32)> = Vec::new();
            for &i in &order {
                if seen.len() as u32 >= n {
                    break;
                }
                let p = period(&times[i]);
                if !seen.contains(&p) {
                    seen.push(p);
                    keep[i] = true;
                }
            }
        }
        keep
    }
}

/// Remove the backups of `db` in `dir` that `keep` does not keep. Backups
/// taken for a reason (before a migration) are never removed here.
pub fn prune(db: &Path, dir: &Path, keep: &Keep) -> Result<Vec<PathBuf>, StoreError> {
    let mut found: Vec<(PathBuf, NaiveDateTime)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, &e))? {
        let entry = entry.map_err(|e| io(dir, &e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some((t, false)) = parse_name(db, name) {
            found.push((entry.path(), t));
        }
    }
    let times: Vec<NaiveDateTime> = found.iter().map(|f| f.1).collect();
    let mut removed = Vec::new();
    for ((path, _), kept) in found.into_iter().zip(keep.select(&times)) {
        if !kept {
            std::fs::remove_file(&path).map_err(|e| io(&path, &e))?;
            removed.push(path);
        }
    }
    removed.sort();
    Ok(removed)
}

/// A backup run's outcome, kept in the database for the report and the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// When it ran (UTC, RFC 3339).
    pub at: String,
    pub file: Option<String>,
    pub size: Option<u64>,
    /// Whether the written file was read back and found sound.
    pub verified: bool,
    /// What went wrong, in English (for the administrator's eyes).
    pub error: Option<String>,
}

impl Store {
    /// Record a backup run (`meta` keys `backup.last` and, when it
    /// succeeded, `backup.last_good`).
    pub fn record_backup(&mut self, o: &Outcome) -> Result<(), StoreError> {
        let json = serde_json::to_string(o).map_err(|e| StoreError::Sql(e.to_string()))?;
        self.write(|tx, _, _| {
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('backup.last', ?1)",
                [&json],
            )?;
            if o.error.is_none() {
                tx.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('backup.last_good', ?1)",
                    [&json],
                )?;
            }
            Ok(())
        })
    }

    /// The last backup run and the last good one.
    pub fn backup_outcomes(&self) -> Result<(Option<Outcome>, Option<Outcome>), StoreError> {
        let get = |k: &str| -> Result<Option<Outcome>, StoreError> {
            let v: Option<String> = self
                .conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0))
                .optional()?;
            Ok(v.and_then(|v| serde_json::from_str(&v).ok()))
        };
        Ok((get("backup.last")?, get("backup.last_good")?))
    }
}

/// The moment an outcome records, if it parses.
pub fn outcome_time(o: &Outcome) -> Option<DateTime<Utc>> {
    super::parse_ts(&o.at).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
    }

    #[test]
    fn retention_keeps_the_newest_of_each_day_week_and_month() {
        let times = vec![
            t("2026-11-26 02:30"),
            t("2026-11-26 01:00"), // same day as the newest: goes
            t("2026-11-25 02:30"),
            t("2026-11-24 02:30"),
            t("2026-11-16 02:30"), // week 47's newest
            t("2026-11-10 02:30"), // week 46
            t("2026-10-31 02:30"), // October's newest
            t("2026-10-01 02:30"), // October's older: goes
            t("2025-09-01 02:30"), // the third month with a backup
        ];
        let keep = Keep::parse("2d,3w,3m").expect("rule");
        assert_eq!(
            keep,
            Keep {
                days: 2,
                weeks: 3,
                months: 3
            }
        );
        let k = keep.select(&times);
        assert_eq!(
            k,
            vec![true, false, true, false, true, true, true, false, true]
        );
        assert!(Keep::parse("14x").is_none());
        assert!(Keep::parse("").is_none());
        assert!(Keep::parse("d").is_none());
        // Nothing asked for: only the newest survives.
        assert_eq!(
            Keep::default()
                .select(&times)
                .iter()
                .filter(|k| **k)
                .count(),
            1
        );
    }

    #[test]
    fn names_carry_the_time_and_the_tag() {
        let db = Path::new("/var/lib/kezek/kezek.db");
        let n = file_name(db, t("2026-11-26 02:30"), None);
        assert_eq!(n, "kezek-2026-11-26-023000.db.zst");
        assert_eq!(parse_name(db, &n), Some((t("2026-11-26 02:30"), false)));
        let tagged = file_name(db, t("2026-11-26 02:30"), Some("schema-v4"));
        assert_eq!(parse_name(db, &tagged), Some((t("2026-11-26 02:30"), true)));
        assert_eq!(parse_name(db, "other-2026-11-26-023000.db.zst"), None);
        assert_eq!(parse_name(db, "kezek-2026-11-26-0230.db.zst"), None);
    }
}
