//! The journals the rules require: information-system failures (order 992
//! §9-5), the PR case journal (§14, appendix 8), complaints (001 §10).

use super::engine::{OptionalExtension, params};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Store, StoreError, audit, opt_ts_pub, parse_ts, ts};
use crate::domain::case::{self, Actor, ComplaintTo, LateException};
use crate::domain::procedure::Role;

/// One failure of an information system (order 992 §9-5: every incident
/// delaying messages by more than an hour goes into a special journal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incident {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub description: String,
    /// The cases it affected.
    pub cases: Vec<String>,
    /// Of those, the ones accepted late under a failure act, with the act.
    pub failure_acts: Vec<(String, String)>,
    pub recorded_by: String,
}

/// One complaint on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplaintRow {
    pub case: String,
    /// 1-based, as `kezek case answer-complaint` takes it.
    pub n: usize,
    pub registered_at: DateTime<Utc>,
    pub to: ComplaintTo,
    pub due: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub text: String,
}

/// One entry of the PR case journal: the journal's serial number is the
/// case number (§14 (1)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrEntry {
    pub serial: String,
    pub applicant: String,
    pub citizenship: String,
    pub received_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub status: case::Status,
    pub decision: Option<String>,
}

impl Store {
    /// Record an information-system failure; one audit row.
    pub fn add_incident(
        &mut self,
        actor: &Actor,
        started_at: DateTime<Utc>,
        ended_at: Option<DateTime<Utc>>,
        description: &str,
        cases: &[String],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        if actor.role == Role::Auditor {
            return Err(StoreError::Denied(crate::msg!(
                "error.store.auditor-changes",
                login = &actor.login
            )));
        }
        if description.trim().is_empty() {
            return Err(StoreError::Invalid(crate::domain::msg::Msg::key(
                "error.journal.no-description",
            )));
        }
        if ended_at.is_some_and(|e| e < started_at) {
            return Err(StoreError::Invalid(crate::domain::msg::Msg::key(
                "error.journal.ends-before-start",
            )));
        }
        self.write(|tx, _, _| {
            for n in cases {
                let known: Option<i64> = tx
                    .query_row("SELECT 1 FROM cases WHERE number = ?1", [n], |r| r.get(0))
                    .optional()?;
                if known.is_none() {
                    return Err(super::no_case(n));
                }
            }
            let list = serde_json::to_string(cases).unwrap_or_else(|_| "[]".into());
            let id: i64 = tx.query_row(
                "INSERT INTO incidents (started_at, ended_at, description, cases, recorded_by, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                params![
                    ts(started_at),
                    ended_at.map(ts),
                    description,
                    list,
                    actor.login,
                    ts(now)
                ],
                |r| r.get(0),
            )?;
            let detail = serde_json::json!({
                "id": id,
                "started_at": ts(started_at),
                "ended_at": ended_at.map(ts),
                "description": description,
                "cases": cases,
            })
            .to_string();
            audit::append(tx, now, &actor.login, None, "incident.add", None, Some(&detail))?;
            Ok(id)
        })
    }

    /// The incident journal, oldest first.
    pub fn incidents(&self) -> Result<Vec<Incident>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, started_at, ended_at, description, cases, recorded_by FROM incidents ORDER BY started_at, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, start, end, description, cases, by) = row?;
            let cases: Vec<String> = serde_json::from_str(&cases).unwrap_or_default();
            let mut failure_acts = Vec::new();
            for n in &cases {
                let late: Option<Option<String>> = self
                    .conn
                    .query_row(
                        "SELECT late_acceptance FROM cases WHERE number = ?1",
                        [n],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(Some(json)) = late
                    && let Ok(LateException::SystemFailure { act }) = serde_json::from_str(&json)
                {
                    failure_acts.push((n.clone(), act));
                }
            }
            out.push(Incident {
                id,
                started_at: parse_ts(&start)?,
                ended_at: opt_ts_pub(end)?,
                description,
                cases,
                failure_acts,
                recorded_by: by,
            });
        }
        Ok(out)
    }

    /// Every complaint, oldest first, with its review term.
    pub fn complaints_journal(&self) -> Result<Vec<ComplaintRow>, StoreError> {
        let numbers: Vec<String> = self
            .conn
            .prepare("SELECT DISTINCT case_number FROM complaints ORDER BY case_number")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for n in numbers {
            let c = self.case(&n)?.case;
            let Some(v) = self.rules.version(&c.procedure, &c.version) else {
                continue;
            };
            for (i, x) in c.complaints.iter().enumerate() {
                out.push(ComplaintRow {
                    case: c.number.clone(),
                    n: i + 1,
                    registered_at: x.registered_at,
                    to: x.to,
                    due: case::complaint_due(&self.cal, v, x).map(|d| d.due),
                    answered_at: x.answered_at,
                    text: x.text.clone(),
                });
            }
        }
        out.sort_by_key(|r| r.registered_at);
        Ok(out)
    }

    /// The PR case journal (order 992 §14 (1), appendix 8), by case number.
    pub fn pr_journal(&self) -> Result<Vec<PrEntry>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT c.number, p.name, p.citizenship, c.received_at, c.accepted_at, c.status,
                    (SELECT kind || ':' || approval FROM decisions d WHERE d.case_number = c.number ORDER BY d.ord DESC LIMIT 1)
             FROM cases c JOIN persons p ON p.case_number = c.number AND p.ord = 0
             WHERE c.procedure = 'pr' ORDER BY c.number",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (serial, applicant, citizenship, received, accepted, status, decision) = row?;
            out.push(PrEntry {
                serial,
                applicant,
                citizenship,
                received_at: parse_ts(&received)?,
                accepted_at: opt_ts_pub(accepted)?,
                status: super::enum_from(&status)?,
                decision,
            });
        }
        Ok(out)
    }
}

/// One request to another state body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRow {
    pub case: String,
    pub agency: String,
    pub sent_at: DateTime<Utc>,
    pub due: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub note: String,
}

impl Store {
    /// Every request to another state body, oldest first, with its due day.
    pub fn requests_journal(&self) -> Result<Vec<RequestRow>, StoreError> {
        let numbers: Vec<String> = self
            .conn
            .prepare("SELECT DISTINCT case_number FROM requests ORDER BY case_number")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for n in numbers {
            let c = self.case(&n)?.case;
            let v = self.rules.version(&c.procedure, &c.version);
            for r in &c.requests {
                out.push(RequestRow {
                    case: c.number.clone(),
                    agency: r.agency.clone(),
                    sent_at: r.sent_at,
                    due: v
                        .and_then(|v| case::request_due(&self.cal, v, r))
                        .map(|d| d.due),
                    answered_at: r.answered_at,
                    note: r.note.clone(),
                });
            }
        }
        out.sort_by_key(|r| r.sent_at);
        Ok(out)
    }
}

/// One change of residence (order 992 §17-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransferRow {
    pub case: String,
    pub from_unit: String,
    pub applied_at: DateTime<Utc>,
    pub registered_at: Option<DateTime<Utc>>,
    /// Registered on the day of the application.
    pub same_day: bool,
}

impl Store {
    /// Every change of residence, oldest first.
    pub fn transfers_journal(&self) -> Result<Vec<TransferRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT case_number, from_unit, applied_at, registered_at FROM transfers ORDER BY applied_at",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (case, from_unit, applied, registered) = row?;
            let applied_at = parse_ts(&applied)?;
            let registered_at = opt_ts_pub(registered)?;
            let day = |t: DateTime<Utc>| crate::domain::term::local(&self.cal, t).date();
            out.push(TransferRow {
                same_day: registered_at.is_some_and(|r| day(r) == day(applied_at)),
                case,
                from_unit,
                applied_at,
                registered_at,
            });
        }
        Ok(out)
    }
}
