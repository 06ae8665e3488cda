//! `kezek backup`, `kezek backup verify`, `kezek restore`, `kezek migrate`.
//!
//! The database is an SQLite file or, where that engine is built in, a
//! PostgreSQL connection string: each command picks its engine's branch
//! first (SQLite: `store::backup`; PostgreSQL: `pg_dump -Fc` / `pg_restore`).
//!
//! Backups hold every case and the audit key, so these commands are for the
//! administrator (root or the office's own account, as the systemd units
//! run them): a setgid kezek started by an inspector refuses them, since any
//! file it wrote would belong to the inspector.

use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::{Args, Subcommand};

use super::{Failure, Outcome, emit};
use crate::domain::msg::{Localize, Msg};
use crate::i18n::Lang;
use crate::msg;
use crate::store::backup::{self, Keep};
use crate::store::db;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    command: Option<BackupCommand>,
    /// Where backups go (default: backups/ beside the database).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Remove older backups but the newest of each of the last days, weeks and months, e.g. 14d,8w,12m.
    #[arg(long, value_name = "RULE", value_parser = parse_keep)]
    keep: Option<Keep>,
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Check a backup: integrity, the audit chain, and anchors from daily reports.
    Verify {
        /// The backup file.
        file: PathBuf,
        /// A chain head kept outside the database (SEQ:HASH, or a file such as a saved daily report).
        #[arg(long, value_name = "ANCHOR")]
        anchor: Vec<String>,
    },
}

fn parse_keep(s: &str) -> Result<Keep, super::help::ArgError> {
    Keep::parse(s).ok_or_else(|| {
        super::help::ArgError(msg!(
            "cli.backup.bad-keep",
            value = s.escape_default().to_string()
        ))
    })
}

/// The engine a database argument names.
enum Engine {
    Sqlite(PathBuf),
    /// `postgres://…` / `postgresql://…`: backed up with `pg_dump -Fc`.
    Postgres,
}

fn engine(db: Option<PathBuf>) -> Result<Engine, Failure> {
    if let Some(s) = db.as_ref().and_then(|p| p.to_str())
        && (s.starts_with("postgres://") || s.starts_with("postgresql://"))
    {
        return Ok(Engine::Postgres);
    }
    let path = db
        .or_else(db::default_path)
        .ok_or_else(|| Failure(Msg::key("cli.no-db")))?;
    Ok(Engine::Sqlite(path))
}

/// The PostgreSQL branch: not in this build.
fn postgres_unavailable() -> Failure {
    Failure(Msg::key("cli.backup.no-postgres"))
}

/// Backups are the administrator's: never through the office group's rights.
fn admin_only() -> Result<(), Failure> {
    if crate::privilege::privileged() && !nix::unistd::getuid().is_root() {
        return Err(Failure(Msg::key("cli.backup.admin-only")));
    }
    Ok(())
}

fn almaty_now() -> chrono::NaiveDateTime {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Almaty)
        .naive_local()
}

pub fn run(db: Option<PathBuf>, args: BackupArgs, lang: Lang) -> Result<Outcome, Failure> {
    admin_only()?;
    match args.command {
        Some(BackupCommand::Verify { file, anchor }) => verify(&file, &anchor, lang),
        None => match engine(db)? {
            Engine::Postgres => Err(postgres_unavailable()),
            Engine::Sqlite(path) => take(path, args.dir, args.keep, lang),
        },
    }
}

fn take(
    path: PathBuf,
    dir: Option<PathBuf>,
    keep: Option<Keep>,
    lang: Lang,
) -> Result<Outcome, Failure> {
    // Opening brings an old schema up to date (with its own backup first)
    // and is where the outcome is recorded.
    let (mut store, path) = super::store_cmds::open_store(Some(path), lang)?;
    let dir = dir.unwrap_or_else(|| backup::default_dir(&path));
    let started = Utc::now();
    let result = backup::take(&path, &dir, almaty_now(), None).and_then(|t| {
        let cal = crate::config::load_calendar()
            .map_err(|e| crate::store::StoreError::Invalid(e.msg()))?;
        let rules =
            crate::config::load_rules().map_err(|e| crate::store::StoreError::Invalid(e.msg()))?;
        let checked = backup::verify(&t.file, cal, rules, &[])?;
        Ok((t, checked))
    });
    let outcome = |file: Option<&Path>, size, error: Option<String>| backup::Outcome {
        at: crate::store::ts(started),
        file: file.map(|f| f.display().to_string()),
        size,
        verified: error.is_none(),
        error,
    };
    match result {
        Ok((t, checked)) if checked.sound() => {
            store.record_backup(&outcome(Some(&t.file), Some(t.size), None))?;
            let head = t
                .head
                .as_ref()
                .map(|(s, h)| format!("{s}:{h}"))
                .unwrap_or_else(|| "-".into());
            let mut out = msg!(
                "cli.backup.written",
                file = t.file.display().to_string(),
                size = t.size,
                schema = t.schema,
                rows = checked.audit_rows,
                cases = checked.cases,
                head = head
            )
            .text(lang)
                + "\n";
            if let Some(keep) = keep {
                for gone in backup::prune(&path, &dir, &keep)? {
                    out.push_str(
                        &(msg!("cli.backup.pruned", file = gone.display().to_string()).text(lang)
                            + "\n"),
                    );
                }
            }
            emit(&out)?;
            Ok(Outcome::Ok)
        }
        Ok((t, checked)) => {
            let why = unsound(&checked).text(Lang::En);
            // Kept for a look, but out of the backups' names: retention and
            // a restore drill never take it for a good one.
            let mut kept = t.file.clone().into_os_string();
            kept.push(".unsound");
            let kept = PathBuf::from(kept);
            let file = match std::fs::rename(&t.file, &kept) {
                Ok(()) => kept,
                Err(_) => t.file.clone(),
            };
            store.record_backup(&outcome(Some(&file), Some(t.size), Some(why)))?;
            Err(Failure(unsound(&checked)))
        }
        Err(e) => {
            let m = e.msg();
            if let Err(r) = store.record_backup(&outcome(None, None, Some(m.text(Lang::En)))) {
                tracing::error!("backup outcome not recorded: {}", r.msg().text(Lang::En));
            }
            Err(Failure(m))
        }
    }
}

fn unsound(c: &backup::Checked) -> Msg {
    if !c.integrity.is_empty() {
        return msg!(
            "cli.backup.corrupt",
            detail = super::one_line(&c.integrity.join("; "))
        );
    }
    match &c.first_break {
        Some(b) => msg!("cli.audit.broken", row = b.seq, reason = b.reason.clone()),
        None => Msg::key("cli.backup.sound"),
    }
}

fn verify(file: &Path, anchor: &[String], lang: Lang) -> Result<Outcome, Failure> {
    let anchors = super::store_cmds::anchors(anchor)?;
    let cal = crate::config::load_calendar()?;
    let rules = crate::config::load_rules()?;
    let c = backup::verify(file, cal, rules, &anchors)?;
    say_checked(file, &c, lang)
}

fn say_checked(file: &Path, c: &backup::Checked, lang: Lang) -> Result<Outcome, Failure> {
    let mut out = String::new();
    if !c.keyed {
        out.push_str(&(Msg::key("cli.audit.unkeyed").text(lang) + "\n"));
    }
    if !c.sound() {
        out.push_str(&(unsound(c).text(lang) + "\n"));
        emit(&out)?;
        return Ok(Outcome::Invalid);
    }
    let head = c
        .head
        .as_ref()
        .map(|(s, h)| format!("{s}:{h}"))
        .unwrap_or_else(|| "-".into());
    out.push_str(
        &(msg!(
            "cli.backup.verified",
            file = file.display().to_string(),
            schema = c.schema,
            cases = c.cases,
            rows = c.audit_rows,
            head = head,
            anchors = c.anchors_matched
        )
        .text(lang)
            + "\n"),
    );
    if c.anchors_later > 0 {
        out.push_str(&(msg!("cli.backup.anchors-later", n = c.anchors_later).text(lang) + "\n"));
    }
    emit(&out)?;
    Ok(Outcome::Ok)
}

/// `kezek restore FILE --to PATH`.
pub fn restore(
    db: Option<PathBuf>,
    file: PathBuf,
    to: PathBuf,
    lang: Lang,
) -> Result<Outcome, Failure> {
    admin_only()?;
    if let Engine::Postgres = engine(db)? {
        return Err(postgres_unavailable());
    }
    let cal = crate::config::load_calendar()?;
    let rules = crate::config::load_rules()?;
    let c = backup::restore(&file, &to, cal, rules)?;
    let restored = msg!("cli.backup.restored", path = to.display().to_string()).text(lang);
    emit(&(restored + "\n"))?;
    say_checked(&file, &c, lang)
}

/// `kezek migrate`: bring the database to this kezek's schema, with a backup first.
pub fn migrate(db: Option<PathBuf>, lang: Lang) -> Result<Outcome, Failure> {
    let Engine::Sqlite(path) = engine(db)? else {
        return Err(postgres_unavailable());
    };
    let (store, path) = super::store_cmds::open_store(Some(path), lang)?;
    drop(store);
    let taken = db::LAST_PRE_MIGRATION_BACKUP
        .lock()
        .ok()
        .and_then(|mut l| l.take());
    let line = match taken {
        Some(file) => msg!(
            "cli.migrate.done",
            path = path.display().to_string(),
            version = db::schema_version(),
            backup = file.display().to_string()
        ),
        None => msg!(
            "cli.migrate.current",
            path = path.display().to_string(),
            version = db::schema_version()
        ),
    };
    emit(&(line.text(lang) + "\n"))?;
    Ok(Outcome::Ok)
}
