//! `kezek calendar list | add | years`.

use chrono::{NaiveDate, SecondsFormat};
use clap::{ArgGroup, Subcommand};
use serde::Serialize;

use super::{Failure, Format, Outcome, emit};
use crate::config;
use crate::domain::calendar::{Calendar, weekday_short};
use crate::domain::term::{self, Term};

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Every day of a range: working or not, and why.
    List {
        #[arg(long, value_parser = super::parse_day)]
        from: NaiveDate,
        #[arg(long, value_parser = super::parse_day)]
        to: NaiveDate,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The deadline of a term counted from a moment of receipt.
    #[command(group(ArgGroup::new("term").required(true).args(["working_days", "calendar_days"])))]
    Add {
        /// Moment of receipt: RFC 3339 (2026-11-20T17:45:00+05:00) or 'YYYY-MM-DD HH:MM' in Almaty time.
        #[arg(long)]
        from: String,
        /// A term of N working days (ends 18:30 of the N-th working day after acceptance).
        #[arg(long, value_name = "N")]
        working_days: Option<u32>,
        /// A term of N calendar days (ends 24:00 of acceptance day + N).
        #[arg(long, value_name = "N")]
        calendar_days: Option<u32>,
        /// Calendar-day terms: do not move an end on a day off to the next working day.
        #[arg(long, requires = "calendar_days")]
        no_roll: bool,
        /// Show how the deadline was derived.
        #[arg(long)]
        explain: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The years the calendar covers and whether each is confirmed.
    Years {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

/// The longest range `list` prints (a hundred years).
const MAX_LIST_DAYS: i64 = 36_525;

#[derive(Serialize)]
struct DayRow {
    date: NaiveDate,
    weekday: &'static str,
    working: bool,
    kind: &'static str,
    reason: String,
    /// The year's data is an estimate.
    estimate: bool,
}

#[derive(Serialize)]
struct AddOutput {
    due: String,
    due_day: NaiveDate,
    term: String,
    received: String,
    counts_from: String,
    acceptance_day: NaiveDate,
    estimate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<term::Explanation>,
}

#[derive(Serialize)]
struct YearRow {
    year: i32,
    status: &'static str,
    working_days: i64,
    note: Option<String>,
}

pub fn run(cmd: CalendarCommand) -> Result<Outcome, Failure> {
    let cal = config::load_calendar()?;
    match cmd {
        CalendarCommand::List { from, to, format } => list(&cal, from, to, format),
        CalendarCommand::Add {
            from,
            working_days,
            calendar_days,
            no_roll,
            explain,
            format,
        } => {
            let term = match (working_days, calendar_days) {
                (Some(n), None) => Term::working_days(n),
                (None, Some(n)) if no_roll => Term::calendar_days(n).without_roll(),
                (None, Some(n)) => Term::calendar_days(n),
                _ => {
                    return Err(Failure(
                        "give one of --working-days or --calendar-days".into(),
                    ));
                }
            };
            add(&cal, &from, term, explain, format)
        }
        CalendarCommand::Years { format } => years(&cal, format),
    }
}

fn list(
    cal: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
    format: Format,
) -> Result<Outcome, Failure> {
    if from > to {
        return Err(Failure(format!("--from {from} is after --to {to}")));
    }
    if (to - from).num_days() >= MAX_LIST_DAYS {
        return Err(Failure(format!(
            "the range {from}..{to} is longer than 100 years"
        )));
    }
    let rows: Vec<DayRow> = cal
        .range(from, to)?
        .map(|(date, kind)| DayRow {
            date,
            weekday: weekday_short(chrono::Datelike::weekday(&date)),
            working: kind.is_working(),
            kind: kind.code(),
            reason: cal.describe(date, kind),
            estimate: cal.estimate_note(chrono::Datelike::year(&date)).is_some(),
        })
        .collect();
    let out = match format {
        Format::Json => serde_json::to_string_pretty(&rows)? + "\n",
        Format::Text => {
            let mut s = String::with_capacity(rows.len() * 40);
            for r in &rows {
                let state = if r.working { "working" } else { "off" };
                let mark = if r.estimate { " (estimate)" } else { "" };
                s.push_str(&format!(
                    "{} {} {:<7} {}{mark}\n",
                    r.date, r.weekday, state, r.reason
                ));
            }
            s
        }
    };
    emit(&out)?;
    Ok(Outcome::Ok)
}

fn add(
    cal: &Calendar,
    from: &str,
    term: Term,
    explain: bool,
    format: Format,
) -> Result<Outcome, Failure> {
    let received = term::parse_instant(cal, from).map_err(|e| Failure(format!("--from: {e}")))?;
    let d = term::deadline(cal, received, term)?;
    let zone = cal.zone();
    let rfc = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&zone)
            .to_rfc3339_opts(SecondsFormat::Secs, false)
    };
    let explanation = if explain {
        Some(term::explain(cal, &d)?)
    } else {
        None
    };
    let estimate = d.estimate.and_then(|y| cal.estimate_warning(y));
    if let Some(e) = &estimate {
        eprintln!("kezek: warning: {e}");
    }
    let out = match format {
        Format::Json => {
            let o = AddOutput {
                due: rfc(d.due),
                due_day: d.due_day,
                term: term.to_string(),
                received: rfc(d.start.received),
                counts_from: rfc(d.start.counts_from),
                acceptance_day: d.start.acceptance_day,
                estimate,
                explanation,
            };
            serde_json::to_string_pretty(&o)? + "\n"
        }
        Format::Text => match explanation {
            Some(e) => format!("{}\n{e}\n", rfc(d.due)),
            None => format!("{}\n", rfc(d.due)),
        },
    };
    emit(&out)?;
    Ok(Outcome::Ok)
}

fn years(cal: &Calendar, format: Format) -> Result<Outcome, Failure> {
    let (first, last) = cal.years();
    let mut rows = Vec::new();
    for year in first..=last {
        let (Some(a), Some(b)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            continue;
        };
        let before_year = a.pred_opt().filter(|d| chrono::Datelike::year(d) >= first);
        let working_days = match before_year {
            Some(p) => cal.working_days_between(p, b)?,
            None => cal.working_days_between(a, b)? + i64::from(cal.is_working(a)?),
        };
        let note = cal.estimate_note(year).map(str::to_string);
        rows.push(YearRow {
            year,
            status: if note.is_some() {
                "estimate"
            } else {
                "confirmed"
            },
            working_days,
            note,
        });
    }
    let out = match format {
        Format::Json => serde_json::to_string_pretty(&rows)? + "\n",
        Format::Text => rows
            .iter()
            .map(|r| {
                let note = r
                    .note
                    .as_deref()
                    .map(|n| format!("  {n}"))
                    .unwrap_or_default();
                format!(
                    "{} {:<9} {} working days{note}\n",
                    r.year, r.status, r.working_days
                )
            })
            .collect(),
    };
    emit(&out)?;
    Ok(Outcome::Ok)
}
