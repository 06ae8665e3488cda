//! `kezek journal …`: the journals the rules require, as text, CSV or JSON.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Subcommand, ValueEnum};
use serde_json::{Value, json};

use super::store_cmds::open_store;
use super::{Failure, Outcome, emit};
use crate::domain::case::ComplaintTo;
use crate::domain::msg::Msg;
use crate::domain::term::{self, local};
use crate::domain::text::printable;
use crate::i18n::{Lang, t};
use crate::msg;
use crate::store::Store;
use crate::store::export::csv_cell;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum JournalFormat {
    #[default]
    Text,
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Information-system failures (order 992 §9-5), with the cases they affected and their failure acts.
    Incidents {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: JournalFormat,
    },
    /// Record an information-system failure that delayed messages by more than an hour.
    AddIncident {
        /// When it started ("YYYY-MM-DD HH:MM" in Almaty time, or RFC 3339).
        #[arg(long, value_name = "INSTANT")]
        start: String,
        /// When it ended.
        #[arg(long, value_name = "INSTANT")]
        end: Option<String>,
        /// What failed and what it delayed.
        #[arg(long, value_name = "TEXT")]
        description: String,
        /// A case it affected (give --case again for another).
        #[arg(long = "case", value_name = "CASE")]
        cases: Vec<String>,
    },
    /// The PR case journal (order 992 §14, appendix 8): the serial number is the case number.
    Pr {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: JournalFormat,
    },
    /// Requests to other state bodies: sent, due, answered.
    Requests {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: JournalFormat,
    },
    /// Changes of residence (order 992 §17-1): the file requested from the previous unit, the registration the same day.
    Transfers {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: JournalFormat,
    },
    /// Complaints with their review terms (001 §10: 5 and 15 working days).
    Complaints {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: JournalFormat,
    },
}

fn when(store: &Store, t: DateTime<Utc>) -> String {
    local(&store.cal, t).format("%Y-%m-%d %H:%M").to_string()
}

fn when_opt(store: &Store, t: Option<DateTime<Utc>>) -> String {
    t.map(|t| when(store, t)).unwrap_or_default()
}

fn rfc(store: &Store, t: Option<DateTime<Utc>>) -> Value {
    t.map(|t| json!(t.with_timezone(&store.cal.zone()).to_rfc3339()))
        .unwrap_or(Value::Null)
}

/// Rows as text (tab-separated, control characters escaped) or CSV.
fn table(format: JournalFormat, head: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| match format {
        JournalFormat::Csv => {
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                csv_cell(&mut out, c);
            }
            out.push_str("\r\n");
        }
        _ => {
            let cells: Vec<String> = cells.iter().map(|c| printable(c).to_string()).collect();
            out.push_str(&cells.join("\t"));
            out.push('\n');
        }
    };
    line(head.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
    out
}

pub fn run(db: Option<PathBuf>, cmd: JournalCommand, lang: Lang) -> Result<Outcome, Failure> {
    let (mut store, _) = open_store(db, lang)?;
    match cmd {
        JournalCommand::AddIncident {
            start,
            end,
            description,
            cases,
        } => {
            let actor = store.current_actor()?;
            let start = term::parse_instant(&store.cal, &start).map_err(Failure)?;
            let end = end
                .map(|e| term::parse_instant(&store.cal, &e).map_err(Failure))
                .transpose()?;
            let id = store.add_incident(&actor, start, end, &description, &cases, Utc::now())?;
            let done = msg!("cli.journal.incident-added", id = id);
            emit(&format!("{}\n", done.text(lang)))?;
        }
        JournalCommand::Incidents { format } => {
            let list = store.incidents()?;
            if format == JournalFormat::Json {
                let v: Vec<Value> = list
                    .iter()
                    .map(|i| {
                        json!({
                            "id": i.id,
                            "started_at": rfc(&store, Some(i.started_at)),
                            "ended_at": rfc(&store, i.ended_at),
                            "minutes": i.ended_at.map(|e| (e - i.started_at).num_minutes()),
                            "description": i.description,
                            "cases": i.cases,
                            "failure_acts": i.failure_acts.iter().map(|(c, a)| json!({"case": c, "act": a})).collect::<Vec<_>>(),
                            "recorded_by": i.recorded_by,
                        })
                    })
                    .collect();
                emit(&format!("{}\n", Value::Array(v)))?;
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|i| {
                        vec![
                            i.id.to_string(),
                            when(&store, i.started_at),
                            when_opt(&store, i.ended_at),
                            i.description.clone(),
                            i.cases.join(" "),
                            i.failure_acts
                                .iter()
                                .map(|(c, a)| format!("{c}: {a}"))
                                .collect::<Vec<_>>()
                                .join("; "),
                        ]
                    })
                    .collect();
                let head = [
                    "id",
                    t(lang, "cli.journal.started"),
                    t(lang, "cli.journal.ended"),
                    t(lang, "cli.journal.description"),
                    t(lang, "cli.journal.cases"),
                    t(lang, "cli.journal.failure-acts"),
                ];
                emit(&table(format, &head, &rows))?;
            }
        }
        JournalCommand::Pr { format } => {
            let list = store.pr_journal()?;
            if format == JournalFormat::Json {
                let v: Vec<Value> = list
                    .iter()
                    .map(|e| {
                        json!({
                            "serial": e.serial,
                            "applicant": e.applicant,
                            "citizenship": e.citizenship,
                            "received_at": rfc(&store, Some(e.received_at)),
                            "accepted_at": rfc(&store, e.accepted_at),
                            "status": e.status,
                            "decision": e.decision,
                        })
                    })
                    .collect();
                emit(&format!("{}\n", Value::Array(v)))?;
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|e| {
                        vec![
                            e.serial.clone(),
                            e.applicant.clone(),
                            e.citizenship.clone(),
                            when(&store, e.received_at),
                            when_opt(&store, e.accepted_at),
                            Msg::key(super::case_cmd::status_key(e.status)).text(lang),
                            e.decision.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                let head = [
                    t(lang, "cli.journal.serial"),
                    t(lang, "cli.journal.applicant"),
                    t(lang, "cli.journal.citizenship"),
                    t(lang, "cli.journal.received"),
                    t(lang, "cli.journal.accepted"),
                    t(lang, "cli.journal.status"),
                    t(lang, "cli.journal.decision"),
                ];
                emit(&table(format, &head, &rows))?;
            }
        }
        JournalCommand::Requests { format } => {
            let list = store.requests_journal()?;
            let now = Utc::now();
            if format == JournalFormat::Json {
                let v: Vec<Value> = list
                    .iter()
                    .map(|r| {
                        json!({
                            "case": r.case,
                            "agency": r.agency,
                            "sent_at": rfc(&store, Some(r.sent_at)),
                            "due": rfc(&store, r.due),
                            "answered_at": rfc(&store, r.answered_at),
                            "overdue": r.answered_at.is_none() && r.due.is_some_and(|d| d < now),
                            "note": r.note,
                        })
                    })
                    .collect();
                emit(&format!("{}\n", Value::Array(v)))?;
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|r| {
                        vec![
                            r.case.clone(),
                            r.agency.clone(),
                            when(&store, r.sent_at),
                            when_opt(&store, r.due),
                            when_opt(&store, r.answered_at),
                            r.note.clone(),
                        ]
                    })
                    .collect();
                let head = [
                    t(lang, "cli.journal.case"),
                    t(lang, "cli.journal.agency"),
                    t(lang, "cli.journal.sent"),
                    t(lang, "cli.journal.due"),
                    t(lang, "cli.journal.answered"),
                    t(lang, "cli.journal.text"),
                ];
                emit(&table(format, &head, &rows))?;
            }
        }
        JournalCommand::Transfers { format } => {
            let list = store.transfers_journal()?;
            if format == JournalFormat::Json {
                let v: Vec<Value> = list
                    .iter()
                    .map(|r| {
                        json!({
                            "case": r.case,
                            "from_unit": r.from_unit,
                            "applied_at": rfc(&store, Some(r.applied_at)),
                            "registered_at": rfc(&store, r.registered_at),
                            "same_day": r.same_day,
                        })
                    })
                    .collect();
                emit(&format!("{}\n", Value::Array(v)))?;
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|r| {
                        vec![
                            r.case.clone(),
                            r.from_unit.clone(),
                            when(&store, r.applied_at),
                            when_opt(&store, r.registered_at),
                        ]
                    })
                    .collect();
                let head = [
                    t(lang, "cli.journal.case"),
                    t(lang, "cli.journal.from-unit"),
                    t(lang, "cli.journal.applied"),
                    t(lang, "cli.journal.registered-at"),
                ];
                emit(&table(format, &head, &rows))?;
            }
        }
        JournalCommand::Complaints { format } => {
            let list = store.complaints_journal()?;
            let now = Utc::now();
            let to = |c: ComplaintTo| match c {
                ComplaintTo::ServiceProvider => "service_provider",
                ComplaintTo::QualityAuthority => "quality_authority",
            };
            if format == JournalFormat::Json {
                let v: Vec<Value> = list
                    .iter()
                    .map(|c| {
                        json!({
                            "case": c.case,
                            "n": c.n,
                            "registered_at": rfc(&store, Some(c.registered_at)),
                            "to": to(c.to),
                            "due": rfc(&store, c.due),
                            "answered_at": rfc(&store, c.answered_at),
                            "overdue": c.answered_at.is_none() && c.due.is_some_and(|d| d < now),
                            "text": c.text,
                        })
                    })
                    .collect();
                emit(&format!("{}\n", Value::Array(v)))?;
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|c| {
                        vec![
                            c.case.clone(),
                            c.n.to_string(),
                            when(&store, c.registered_at),
                            to(c.to).to_string(),
                            when_opt(&store, c.due),
                            when_opt(&store, c.answered_at),
                            c.text.clone(),
                        ]
                    })
                    .collect();
                let head = [
                    t(lang, "cli.journal.case"),
                    "n",
                    t(lang, "cli.journal.registered"),
                    t(lang, "cli.journal.to"),
                    t(lang, "cli.journal.due"),
                    t(lang, "cli.journal.answered"),
                    t(lang, "cli.journal.text"),
                ];
                emit(&table(format, &head, &rows))?;
            }
        }
    }
    Ok(Outcome::Ok)
}
