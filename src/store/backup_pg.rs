//! Backups of a PostgreSQL case database: `pg_dump -Fc` (one consistent
//! snapshot, taken while consoles write) into an exclusive temporary file
//! in the backup directory, checked with `pg_restore --list`, renamed into
//! place as `kezek-pg-YYYY-MM-DD-HHMMSS.pgdump` (Almaty time, mode 0640);
//! restored with `pg_restore` into an empty database only.
//!
//! The connection string reaches the tools as their `--dbname` argument:
//! keep a password in `~/.pgpass`, not in `--db`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDateTime;

use super::StoreError;
use crate::msg;

/// A PostgreSQL backup's file name ends so.
pub const SUFFIX: &str = ".pgdump";
/// The stem of PostgreSQL backups' names.
pub const STEM: &str = "kezek-pg";

fn io(path: &Path, e: &std::io::Error) -> StoreError {
    StoreError::Io(super::db::path_error(path, e))
}

/// Run a PostgreSQL tool; a failure says which and its last lines (the
/// connection string, which may hold a password, blanked out).
fn run(tool: &str, args: &[&OsStr], target: &str) -> Result<String, StoreError> {
    let out = Command::new(tool).args(args).output().map_err(|e| {
        StoreError::Invalid(msg!(
            "error.backup.tool",
            tool = tool,
            detail = e.to_string()
        ))
    })?;
    if !out.status.success() {
        let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
        if !target.is_empty() {
            text = text.replace(target, "…");
        }
        let last: Vec<&str> = text.lines().rev().take(3).collect();
        let detail = last.into_iter().rev().collect::<Vec<_>>().join("; ");
        return Err(StoreError::Invalid(msg!(
            "error.backup.tool",
            tool = tool,
            detail = detail
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// What `pg_restore --list` found in an archive: the tables whose data it holds.
pub fn list(file: &Path) -> Result<Vec<String>, StoreError> {
    let text = run("pg_restore", &[OsStr::new("--list"), file.as_os_str()], "")?;
    // `215; 0 16390 TABLE DATA public cases kezek`
    let tables: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with(';') && l.contains(" TABLE DATA "))
        .filter_map(|l| l.split_whitespace().rev().nth(1).map(str::to_string))
        .collect();
    for needed in ["cases", "audit"] {
        if !tables.iter().any(|t| t == needed) {
            return Err(StoreError::Invalid(msg!(
                "error.backup.not-a-backup",
                path = file.display().to_string(),
                detail = format!("no data for the table {needed}")
            )));
        }
    }
    Ok(tables)
}

/// Dump the database `target` into `dir`.
pub fn take(
    target: &str,
    dir: &Path,
    local_now: NaiveDateTime,
) -> Result<(PathBuf, u64, usize), StoreError> {
    if !dir.is_dir() {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, &e))?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o770))
            .map_err(|e| io(dir, &e))?;
    }
    let tmp = tempfile::Builder::new()
        .prefix(".kezek-backup-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|e| io(dir, &e))?;
    let tmp_path = tmp.path().to_path_buf();
    let mut dbname = std::ffi::OsString::from("--dbname=");
    dbname.push(target);
    run(
        "pg_dump",
        &[
            OsStr::new("--format=custom"),
            OsStr::new("--no-owner"),
            OsStr::new("--file"),
            tmp_path.as_os_str(),
            &dbname,
        ],
        target,
    )?;
    let tables = list(&tmp_path)?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp_path, std::fs::Permissions::from_mode(0o640))
            .map_err(|e| io(&tmp_path, &e))?;
    }
    let file = dir.join(format!(
        "{STEM}-{}{SUFFIX}",
        local_now.format("%Y-%m-%d-%H%M%S")
    ));
    tmp.persist_noclobber(&file)
        .map_err(|e| io(&file, &e.error))?;
    let size = std::fs::metadata(&file).map_err(|e| io(&file, &e))?.len();
    tracing::info!(bytes = size, "PostgreSQL backup written");
    Ok((file, size, tables.len()))
}

/// Restore an archive into `target`, an existing database that holds no
/// kezek tables yet (a live database is never written over), in one
/// transaction.
pub fn restore(file: &Path, target: &str) -> Result<(), StoreError> {
    list(file)?;
    if super::db::pg_initialized(target)? {
        return Err(StoreError::Invalid(msg!(
            "error.backup.target-exists",
            path = super::engine::pg::redact(target)
        )));
    }
    let mut dbname = std::ffi::OsString::from("--dbname=");
    dbname.push(target);
    run(
        "pg_restore",
        &[
            OsStr::new("--no-owner"),
            OsStr::new("--exit-on-error"),
            OsStr::new("--single-transaction"),
            &dbname,
            file.as_os_str(),
        ],
        target,
    )?;
    Ok(())
}
