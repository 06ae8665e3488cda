//! `kezek calendar list | add | years`.

use chrono::{NaiveDate, SecondsFormat};
use clap::{ArgGroup, Subcommand};
use serde::Serialize;

use super::{Failure, Format, Outcome, emit};
use crate::config;
use crate::domain::calendar::{Calendar, DayKind, weekday_short};
use crate::domain::msg::Msg;
use crate::domain::term::{self, Term};
use crate::domain::text::printable;
use crate::i18n::{self, Lang, t};
use crate::msg;

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Every day of a range: working or not, and why.
    List {
        /// The first day (YYYY-MM-DD).
        #[arg(long, value_parser = super::parse_day, value_name = "DAY")]
        from: NaiveDate,
        /// The last day (YYYY-MM-DD).
        #[arg(long, value_parser = super::parse_day, value_name = "DAY")]
        to: NaiveDate,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The deadline of a term counted from a moment of receipt.
    #[command(group(ArgGroup::new("term").required(true).args(["working_days", "calendar_days"])))]
    Add {
        /// Moment of receipt: RFC 3339 (2026-11-20T17:45:00+05:00) or 'YYYY-MM-DD HH:MM' in Almaty time.
        #[arg(long, value_name = "INSTANT")]
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
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The years the calendar covers and whether each is confirmed.
    Years {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

/// The longest range `list` prints (a hundred years).
const MAX_LIST_DAYS: i64 = 36_525;

#[derive(Serialize)]
struct DayRow {
    date: NaiveDate,
    /// A stable code (`Mon` … `Sun`), not a word.
    weekday: &'static str,
    working: bool,
    kind: &'static str,
    reason: String,
    /// The year's data is an estimate.
    estimate: bool,
}

#[derive(Serialize)]
struct SkippedJson {
    date: NaiveDate,
    reason: String,
}

/// The explanation as JSON: values stay values, sentences are worded.
#[derive(Serialize)]
struct ExplanationJson {
    received: String,
    counts_from: String,
    start_rule: term::StartRule,
    start_reason: String,
    acceptance_day: NaiveDate,
    term: String,
    rule: String,
    counted: Vec<NaiveDate>,
    skipped: Vec<SkippedJson>,
    rolled_from: Option<NaiveDate>,
    due: String,
    estimate: Option<String>,
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
    explanation: Option<ExplanationJson>,
}

#[derive(Serialize)]
struct YearRow {
    year: i32,
    status: &'static str,
    working_days: i64,
    note: Option<String>,
}

pub fn run(cmd: CalendarCommand, lang: Lang) -> Result<Outcome, Failure> {
    let cal = config::load_calendar()?;
    match cmd {
        CalendarCommand::List { from, to, format } => list(&cal, from, to, format, lang),
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
                _ => return Err(Failure(Msg::key("cli.calendar.one-term"))),
            };
            add(&cal, &from, term, explain, format, lang)
        }
        CalendarCommand::Years { format } => years(&cal, format, lang),
    }
}

fn list(
    cal: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
    format: Format,
    lang: Lang,
) -> Result<Outcome, Failure> {
    if from > to {
        return Err(Failure(msg!("cli.from-after-to", from = from, to = to)));
    }
    if (to - from).num_days() >= MAX_LIST_DAYS {
        return Err(Failure(msg!("cli.calendar.too-long", from = from, to = to)));
    }
    let rows: Vec<(DayRow, DayKind)> = cal
        .range(from, to)?
        .map(|(date, kind)| {
            let reason = if kind.is_working() && !matches!(kind, DayKind::WorkingByTransfer { .. })
            {
                String::new()
            } else {
                cal.day_msg(kind).text(lang)
            };
            let row = DayRow {
                date,
                weekday: weekday_short(chrono::Datelike::weekday(&date)),
                working: kind.is_working(),
                kind: kind.code(),
                reason,
                estimate: cal.estimate_note(chrono::Datelike::year(&date)).is_some(),
            };
            (row, kind)
        })
        .collect();
    let out = match format {
        Format::Json => {
            let rows: Vec<&DayRow> = rows.iter().map(|(r, _)| r).collect();
            super::json_out(&rows)?
        }
        Format::Text => {
            let working = t(lang, "cli.calendar.working");
            let off = t(lang, "cli.calendar.off");
            let width = working.chars().count().max(off.chars().count());
            let mark = t(lang, "cli.calendar.estimate-mark");
            let mut s = String::with_capacity(rows.len() * 40);
            for (r, _) in &rows {
                let state = if r.working { working } else { off };
                let mark = if r.estimate { mark } else { "" };
                let line = format!(
                    "{} {state:<width$} {}{mark}",
                    i18n::day(lang, r.date),
                    r.reason
                );
                s.push_str(line.trim_end());
                s.push('\n');
            }
            s
        }
    };
    emit(&out)?;
    Ok(Outcome::Ok)
}

/// The explanation as aligned lines in the language.
fn explanation_text(e: &term::Explanation, lang: Lang) -> String {
    let label = |k: &'static str| t(lang, k);
    let labels = [
        "explain.received",
        "explain.counts-from",
        "explain.acceptance",
        "explain.term",
        "explain.skipped",
        "explain.rolled",
        "explain.due",
        "explain.warning",
    ];
    let width = labels
        .iter()
        .map(|k| label(k).chars().count())
        .max()
        .unwrap_or(0)
        .max(t(lang, "explain.day").chars().count() + 4);
    let mut out = Vec::new();
    let mut line = |k: &str, text: String| out.push(format!("{k:<width$}  {text}"));
    line(label("explain.received"), i18n::local(lang, e.received));
    line(
        label("explain.counts-from"),
        format!(
            "{} ({})",
            i18n::local(lang, e.counts_from),
            e.start_reason.text(lang)
        ),
    );
    line(
        label("explain.acceptance"),
        msg!("explain.not-counted", day = e.acceptance_day).text(lang),
    );
    line(
        label("explain.term"),
        format!("{}: {}", e.term.msg().text(lang), e.rule.text(lang)),
    );
    let n = e.counted.len();
    for (i, day) in e.counted.iter().enumerate() {
        if n <= 12 || i < 5 || i + 5 >= n {
            line(
                &format!("{} {}", label("explain.day"), i + 1),
                i18n::day(lang, *day),
            );
        } else if i == 5 {
            line("", msg!("explain.more", n = n - 10).text(lang));
        }
    }
    for (i, s) in e.skipped.iter().enumerate() {
        let k = if i == 0 { label("explain.skipped") } else { "" };
        line(
            k,
            format!("{}  {}", i18n::day(lang, s.date), s.reason.text(lang)),
        );
    }
    if let Some(from) = e.rolled_from {
        line(
            label("explain.rolled"),
            msg!("explain.rolled-from", day = from).text(lang),
        );
    }
    line(label("explain.due"), e.due.text(lang));
    if let Some(y) = e.estimate {
        line(
            label("explain.warning"),
            msg!("cli.calendar.estimate", year = y).text(lang),
        );
    }
    out.iter()
        .map(|l| l.trim_end().to_string() + "\n")
        .collect()
}

fn add(
    cal: &Calendar,
    from: &str,
    term: Term,
    explain: bool,
    format: Format,
    lang: Lang,
) -> Result<Outcome, Failure> {
    let received = term::parse_instant(cal, from)
        .map_err(|e| Failure(msg!("cli.option", option = "--from", why = e)))?;
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
    let estimate = d
        .estimate
        .map(|y| msg!("cli.calendar.estimate", year = y).text(lang));
    if let Some(e) = &estimate {
        eprintln!("kezek: {e}");
    }
    let out = match format {
        Format::Json => {
            let o = AddOutput {
                due: rfc(d.due),
                due_day: d.due_day,
                term: term.msg().text(lang),
                received: rfc(d.start.received),
                counts_from: rfc(d.start.counts_from),
                acceptance_day: d.start.acceptance_day,
                estimate,
                explanation: explanation.map(|e| ExplanationJson {
                    received: rfc(d.start.received),
                    counts_from: rfc(d.start.counts_from),
                    start_rule: e.start_rule,
                    start_reason: e.start_reason.text(lang),
                    acceptance_day: e.acceptance_day,
                    term: e.term.msg().text(lang),
                    rule: e.rule.text(lang),
                    counted: e.counted.clone(),
                    skipped: e
                        .skipped
                        .iter()
                        .map(|s| SkippedJson {
                            date: s.date,
                            reason: s.reason.text(lang),
                        })
                        .collect(),
                    rolled_from: e.rolled_from,
                    due: e.due.text(lang),
                    estimate: e
                        .estimate
                        .map(|y| msg!("cli.calendar.estimate", year = y).text(lang)),
                }),
            };
            super::json_out(&o)?
        }
        Format::Text => match explanation {
            Some(e) => format!("{}\n{}", rfc(d.due), explanation_text(&e, lang)),
            None => format!("{}\n", rfc(d.due)),
        },
    };
    emit(&out)?;
    Ok(Outcome::Ok)
}

fn years(cal: &Calendar, format: Format, lang: Lang) -> Result<Outcome, Failure> {
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
        let note = cal.estimate_note(year).map(|n| n.get(lang).to_string());
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
        Format::Json => super::json_out(&rows)?,
        Format::Text => {
            let status = |s: &str| {
                if s == "estimate" {
                    t(lang, "cli.calendar.estimated")
                } else {
                    t(lang, "cli.calendar.confirmed")
                }
            };
            let width = rows
                .iter()
                .map(|r| status(r.status).chars().count())
                .max()
                .unwrap_or(0);
            rows.iter()
                .map(|r| {
                    // The note is the calendar file's own text (data), shown as written.
                    let note = r
                        .note
                        .as_deref()
                        .map(|n| format!("  {}", printable(n)))
                        .unwrap_or_default();
                    let line = format!(
                        "{} {:<width$} {}{note}",
                        r.year,
                        status(r.status),
                        msg!("cli.calendar.working-days", n = r.working_days).text(lang)
                    );
                    line.trim_end().to_string() + "\n"
                })
                .collect()
        }
    };
    emit(&out)?;
    Ok(Outcome::Ok)
}
