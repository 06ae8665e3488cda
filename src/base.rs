//! What the console's runtime, its database worker and the command line
//! share, below all three: opening the store with its calendar and rules
//! (and recomputing deadlines after a new decree), private output files, the
//! clock given on the command line, and the failure a command or the console
//! ends with. Imports flow one way: `cli` → `tui` → `app` → `base`.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::config;
use crate::domain::msg::{Localize, Msg};
use crate::domain::term;
use crate::domain::text::printable;
use crate::i18n::Lang;
use crate::msg;
use crate::store::{Store, db};

/// What a command reports back to `run`.
pub enum Outcome {
    Ok,
    /// A check found invalid input (exit 1).
    Invalid,
    /// Unusable input, already reported on stderr (exit 2).
    Unusable,
}

/// An error that ends a command with one line on stderr and exit code 2,
/// worded in the interface language when it is printed.
#[derive(Debug)]
pub struct Failure(pub Msg);

impl<E: Localize> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.msg())
    }
}

/// A file that cannot be written or read: its path and why.
pub(crate) fn path_failure(path: &std::path::Path, e: &std::io::Error) -> Failure {
    Failure(crate::store::db::path_error(path, e))
}

/// `--now` as an RFC 3339 instant (for reproducible runs); default now.
pub(crate) fn parse_now(now: Option<&str>) -> Result<chrono::DateTime<chrono::Utc>, Failure> {
    match now {
        None => Ok(chrono::Utc::now()),
        Some(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|_| Failure(msg!("cli.bad-now", value = s.escape_default().to_string()))),
    }
}

/// Open the existing database named by `--db`, `KEZEK_DB` or the default
/// location. A path with no database is an error: only `kezek init` and
/// `kezek demo` create one.
///
/// When the calendar or the rules differ from those the stored deadlines
/// were computed with (a new decree or rule file was installed), every
/// deadline in the queue is recomputed in one transaction first, and what
/// moved is said on stderr: each case, by how much, and how the new
/// deadline is computed.
pub fn open_store(db_path: Option<PathBuf>, lang: Lang) -> Result<(Store, PathBuf), Failure> {
    open_with(db_path, lang, Store::open_existing)
}

/// Open the database, creating it when there is none (`init`, `demo`).
/// In the office installation only root makes databases in the data
/// directory: an inspector's own database there would make them its supervisor.
pub(crate) fn create_store(
    db_path: Option<PathBuf>,
    lang: Lang,
) -> Result<(Store, PathBuf), Failure> {
    if crate::privilege::privileged() && !nix::unistd::getuid().is_root() {
        return Err(Failure(msg!(
            "cli.office-root-only",
            dir = crate::privilege::OFFICE_DATA_DIR
        )));
    }
    open_with(db_path, lang, Store::open)
}

fn open_with(
    db_path: Option<PathBuf>,
    lang: Lang,
    open: fn(
        &std::path::Path,
        crate::domain::calendar::Calendar,
        crate::domain::procedure::Rules,
    ) -> Result<Store, crate::store::StoreError>,
) -> Result<(Store, PathBuf), Failure> {
    let path = office_path(db_path)?
        .or_else(db::default_path)
        .ok_or_else(|| Failure(Msg::key("cli.no-db")))?;
    let cal = config::load_calendar()?;
    let rules = config::load_rules()?;
    let mut store = open(&path, cal, rules)?;
    // Said only when a deadline moved: a rule file with new wording moves none.
    if let Some(r) = store
        .recompute_if_rules_changed(Utc::now())?
        .filter(|r| !r.moved.is_empty())
    {
        say_recomputed(&store, &r, lang);
    }
    Ok((store, path))
}

/// With raised privileges `--db` may only name a database in the office
/// data directory: otherwise the office group's rights would open any file.
pub(crate) fn office_path(asked: Option<PathBuf>) -> Result<Option<PathBuf>, Failure> {
    if !crate::privilege::privileged() {
        return Ok(asked);
    }
    crate::privilege::office_db(asked.as_deref())
        .map(Some)
        .map_err(|p| {
            Failure(msg!(
                "cli.office-db",
                path = p.display().to_string(),
                dir = crate::privilege::OFFICE_DATA_DIR
            ))
        })
}

fn say_recomputed(store: &Store, r: &crate::store::cases::Recomputed, lang: Lang) {
    let done = msg!("cli.recompute.done", cases = r.cases, moved = r.moved.len());
    eprintln!("kezek: {}", done.text(lang));
    let day = |t: DateTime<Utc>| term::local(&store.cal, t);
    for m in &r.moved {
        let (old, new) = (m.old.map(day), m.new.map(day));
        let line = match (old, new) {
            (Some(o), Some(n)) => msg!(
                "cli.recompute.moved",
                case = printable(&m.number).to_string(),
                old = o,
                new = n,
                days = (n.date() - o.date()).num_days(),
                why = m.why.clone().unwrap_or_default()
            ),
            (None, Some(n)) => msg!(
                "cli.recompute.new",
                case = printable(&m.number).to_string(),
                new = n,
                why = m.why.clone().unwrap_or_default()
            ),
            (_, None) => msg!(
                "cli.recompute.none",
                case = printable(&m.number).to_string()
            ),
        };
        eprintln!("kezek: {}", line.text(lang));
    }
}

/// An output file readable by its owner only (exports may hold personal
/// data), written through an exclusive temporary file beside it and put in
/// place by `OutFile::commit`.
pub(crate) fn private_file(path: &std::path::Path) -> std::io::Result<crate::outfile::OutFile> {
    crate::outfile::OutFile::create(path)
}
