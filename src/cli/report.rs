//! `kezek report daily`: the supervisor's daily report.

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Subcommand;

use super::{Failure, Outcome, emit};
use crate::domain::term;
use crate::domain::text::Lang;
use crate::report::DailyFigures;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ReportFormat {
    #[default]
    Html,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The daily report: workload per inspector, overdue and due-today cases
    /// per procedure and stage, the approval queue, the overdue cases and the
    /// day's decisions. HTML is one self-contained page, ready to print (A4);
    /// JSON carries the same figures for scripts.
    Daily {
        /// The report's day: DD.MM.YYYY or YYYY-MM-DD (default: today in Almaty).
        #[arg(long, value_parser = parse_report_day, value_name = "DAY")]
        date: Option<NaiveDate>,
        /// Write to FILE (replaced if it exists; written through a temporary
        /// file, so a failed run leaves the old report in place). Default: standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: ReportFormat,
        /// Judge overdue as of this moment (RFC 3339; default: now).
        #[arg(long, value_name = "INSTANT")]
        now: Option<String>,
        /// Read from this server instead of --db (a streaming replica of a regional server).
        #[arg(long, value_name = "URL")]
        read_db: Option<String>,
    },
}

/// A day as `DD.MM.YYYY` or `YYYY-MM-DD`.
pub(crate) fn parse_report_day(s: &str) -> Result<NaiveDate, super::help::ArgError> {
    NaiveDate::parse_from_str(s, "%d.%m.%Y")
        .or_else(|_| super::parse_day(s))
        .map_err(|_| {
            super::help::ArgError(crate::msg!(
                "cli.report.bad-day",
                value = s.escape_default().to_string()
            ))
        })
}

/// `lang` is the global `--lang`: the language of the page.
pub fn run(db: Option<PathBuf>, cmd: ReportCommand, lang: Lang) -> Result<Outcome, Failure> {
    let ReportCommand::Daily {
        date,
        out,
        format,
        now,
        read_db,
    } = cmd;
    let db = read_db.map(PathBuf::from).or(db);
    let (store, _) = super::store_cmds::open_store(db, lang)?;
    // Case data is for kezek users only.
    store.current_actor()?;
    let now = super::parse_now(now.as_deref())?;
    let day = date.unwrap_or_else(|| term::local(&store.cal, now).date());
    let figures = DailyFigures::compute(&store, day, now, lang)?;
    let body = match format {
        ReportFormat::Html => crate::report::html(&figures),
        ReportFormat::Json => figures.json(),
    };
    let Some(path) = out else {
        emit(&body)?;
        return Ok(Outcome::Ok);
    };
    let mut f =
        super::store_cmds::private_file(&path).map_err(|e| super::path_failure(&path, &e))?;
    f.write_all(body.as_bytes())
        .and_then(|()| f.commit(true))
        .map_err(|e| super::path_failure(&path, &e))?;
    let done = crate::msg!(
        "cli.report.written",
        day = day.format("%d.%m.%Y").to_string(),
        path = path.display().to_string(),
        queue = figures.totals.in_queue,
        overdue = figures.totals.overdue,
        today = figures.totals.due_today
    );
    eprintln!("kezek: {}", done.text(lang));
    Ok(Outcome::Ok)
}
