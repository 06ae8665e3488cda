//! The daily report: the figures a supervisor starts the day with, computed
//! once ([`DailyFigures::compute`]) and shown as a printable HTML page
//! ([`html`]), as JSON for scripts, or on the console's supervisor desk.
//!
//! "In the queue" are the cases the queue lists: open ones, and decided
//! ones with a deadline still running (a notification, an exit term).
//! A case is overdue when its nearest deadline is before `now`; it is due
//! on the report's day when that deadline falls on the day (Almaty time)
//! and has not passed yet.

mod html;

use crate::domain::msg::Localize;
#[allow(unused_imports)]
use crate::msg;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

pub use html::html;

use crate::domain::term::{self, Unit};
use crate::domain::text::Lang;
use crate::store::{Store, StoreError};

/// The most overdue cases listed by name; the total is always given.
pub const OVERDUE_LIST_LIMIT: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub in_queue: i64,
    pub overdue: i64,
    pub due_today: i64,
    pub unassigned: i64,
    pub awaiting_approval: i64,
    pub decided_today: i64,
}

/// Counts of one row of a breakdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Load {
    pub open: i64,
    pub overdue: i64,
    pub due_today: i64,
}

impl Load {
    fn add(&mut self, open: i64, overdue: i64, due_today: i64) {
        self.open += open;
        self.overdue += overdue;
        self.due_today += due_today;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectorLoad {
    /// `null` for cases nobody is assigned to.
    pub login: Option<String>,
    pub name: String,
    #[serde(flatten)]
    pub load: Load,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcedureLoad {
    pub procedure: String,
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub load: Load,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageLoad {
    pub procedure: String,
    pub code: String,
    /// The stage id; `null` when every stage of the case is done.
    pub stage: Option<String>,
    pub title: String,
    #[serde(flatten)]
    pub load: Load,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    pub number: String,
    pub procedure: String,
    pub applicant: String,
    /// `issue`, `refuse`, `annul`.
    pub decision: String,
    pub decided_by: String,
    pub decided_at: String,
    /// Working days since the decision day.
    pub waiting_days: i64,
    pub assignee: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueCase {
    pub number: String,
    pub applicant: String,
    pub procedure: String,
    pub stage: Option<String>,
    pub stage_title: Option<String>,
    /// The deadline, RFC 3339 in Almaty time.
    pub deadline: String,
    /// What the deadline is and how it was computed.
    pub deadline_what: Option<String>,
    /// `overdue 2 working days`, `overdue 1h05m`.
    pub late: String,
    /// Whole days late, in `late_unit`; 0 on the day the deadline passed.
    pub late_days: i64,
    /// `working_days` or `calendar_days`: how the term is counted.
    pub late_unit: Unit,
    /// Minutes late when the deadline passed today (`late_days` is 0).
    pub late_minutes: i64,
    pub assignee: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionTaken {
    pub number: String,
    pub procedure: String,
    pub applicant: String,
    pub decision: String,
    pub by: String,
    pub at: String,
    /// `not_required`, `pending`, `approved`, `returned`.
    pub approval: String,
    pub approved_by: Option<String>,
}

/// Everything the daily report shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DailyFigures {
    /// The report's day, `YYYY-MM-DD`.
    pub date: String,
    /// The moment the figures are for, RFC 3339 in Almaty time.
    pub as_of: String,
    pub totals: Totals,
    pub inspectors: Vec<InspectorLoad>,
    pub procedures: Vec<ProcedureLoad>,
    pub stages: Vec<StageLoad>,
    pub approval_queue: Vec<Approval>,
    pub overdue_cases: Vec<OverdueCase>,
    /// All overdue cases; `overdue_cases` lists the first [`OVERDUE_LIST_LIMIT`].
    pub overdue_cases_total: i64,
    pub decisions: Vec<DecisionTaken>,
    /// From the journals: answers of state bodies and complaints overdue at
    /// `as_of`, and the information-system failures of the day.
    pub journals: Journals,
    /// The audit chain's head when the report was made (`SEQ:HASH`): kept
    /// outside the database (printed, filed), it lets `kezek audit verify
    /// --anchor` prove later that the log still holds that row unchanged.
    pub audit_head: Option<String>,
    /// The nightly backup: the last good one, and whether it is overdue or
    /// the last run failed.
    pub backup: BackupFigure,
    #[serde(skip)]
    pub lang: Lang,
}

/// How old a good backup may be before the report and the desk call it
/// missing: a nightly backup and two hours' slack.
pub const BACKUP_STALE_HOURS: i64 = 26;

/// The backup line of the report and the desk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BackupFigure {
    /// When the last good backup was taken (RFC 3339, Almaty time), its
    /// file and size.
    pub last_good_at: Option<String>,
    pub last_good_file: Option<String>,
    pub last_good_size: Option<u64>,
    /// No good backup, or the last one is older than [`BACKUP_STALE_HOURS`].
    pub missing: bool,
    /// The last run failed (when, and what went wrong).
    pub failed_at: Option<String>,
    pub error: Option<String>,
}

impl BackupFigure {
    /// From the outcomes the store recorded, as seen at `now`.
    pub fn from_outcomes(
        store: &Store,
        last: Option<crate::store::backup::Outcome>,
        good: Option<crate::store::backup::Outcome>,
        now: DateTime<Utc>,
    ) -> BackupFigure {
        use crate::store::backup::outcome_time;
        let good_at = good.as_ref().and_then(outcome_time);
        let mut f = BackupFigure {
            last_good_at: good_at.map(|t| rfc(store, t)),
            last_good_file: good.as_ref().and_then(|g| g.file.clone()),
            last_good_size: good.as_ref().and_then(|g| g.size),
            missing: good_at.is_none_or(|t| now - t > chrono::Duration::hours(BACKUP_STALE_HOURS)),
            failed_at: None,
            error: None,
        };
        if let Some(l) = last.filter(|l| l.error.is_some()) {
            f.failed_at = outcome_time(&l).map(|t| rfc(store, t));
            f.error = l.error;
        }
        f
    }

    /// The one line the desk shows.
    /// (Texts from the database are made printable here.)
    pub fn line(&self) -> crate::domain::msg::Msg {
        let shown = |at: &str| {
            DateTime::parse_from_rfc3339(at)
                .map(|t| t.format("%d.%m.%Y %H:%M").to_string())
                .unwrap_or_else(|_| crate::domain::text::printable(at).to_string())
        };
        let good = match &self.last_good_at {
            None => crate::domain::msg::Msg::key("report.backup.none"),
            Some(at) if self.missing => msg!("report.backup.old", at = shown(at)),
            Some(at) => msg!(
                "report.backup.ok",
                at = shown(at),
                file = crate::domain::text::printable(
                    &self
                        .last_good_file
                        .as_deref()
                        .map(file_name)
                        .unwrap_or_default()
                )
                .to_string()
            ),
        };
        match (&self.failed_at, &self.error) {
            (Some(at), Some(err)) => msg!(
                "report.backup.failed",
                at = shown(at),
                error = crate::domain::text::printable(err).to_string(),
                good = good
            ),
            _ => good,
        }
    }
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The journals' part of the daily report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Journals {
    pub requests_overdue: Vec<JournalItem>,
    pub complaints_overdue: Vec<JournalItem>,
    pub incidents: Vec<IncidentItem>,
}

/// An overdue answer or complaint: the case, what (the body's id, or the
/// complaint's number) and when it was due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalItem {
    pub number: String,
    pub what: String,
    pub due: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentItem {
    pub id: i64,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub description: String,
    pub cases: Vec<String>,
}

fn rfc(store: &Store, t: DateTime<Utc>) -> String {
    t.with_timezone(&store.cal.zone())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

impl DailyFigures {
    /// The figures for `day` as seen at `now`; names of procedures and
    /// stages in `lang`.
    pub fn compute(
        store: &Store,
        day: NaiveDate,
        now: DateTime<Utc>,
        lang: Lang,
    ) -> Result<DailyFigures, StoreError> {
        let cal = &store.cal;
        let start = term::at_local(cal, day, chrono::NaiveTime::MIN)
            .map_err(|e| StoreError::Invalid(e.msg()))?;
        let next = day.succ_opt().ok_or_else(|| {
            StoreError::Invalid(crate::msg!("error.store.no-day-after", day = day))
        })?;
        let end = term::at_local(cal, next, chrono::NaiveTime::MIN)
            .map_err(|e| StoreError::Invalid(e.msg()))?;
        let names: BTreeMap<String, String> = store
            .users()?
            .into_iter()
            .map(|u| (u.login, u.name))
            .collect();
        let stage_of = |procedure: &str, version: &str, i: Option<usize>| {
            let p = store.rules.procedure(procedure).ok()?;
            let s = p.version(version)?.stages.get(i?)?;
            Some((s.id.clone(), s.title.get(lang).to_string()))
        };

        let mut totals = Totals {
            in_queue: 0,
            overdue: 0,
            due_today: 0,
            unassigned: 0,
            awaiting_approval: 0,
            decided_today: 0,
        };
        let mut by_inspector: BTreeMap<Option<String>, Load> = BTreeMap::new();
        let mut by_procedure: BTreeMap<String, Load> = BTreeMap::new();
        // (procedure, stage position, stage id) keeps stages in their order.
        let mut by_stage: BTreeMap<(String, usize, Option<String>), (String, Load)> =
            BTreeMap::new();
        for g in store.load_groups(now, start, end)? {
            totals.in_queue += g.open;
            totals.overdue += g.overdue;
            totals.due_today += g.due_today;
            if g.assignee.is_none() {
                totals.unassigned += g.open;
            }
            by_inspector
                .entry(g.assignee.clone())
                .or_default()
                .add(g.open, g.overdue, g.due_today);
            by_procedure.entry(g.procedure.clone()).or_default().add(
                g.open,
                g.overdue,
                g.due_today,
            );
            let (id, title) = match stage_of(&g.procedure, &g.version, g.stage) {
                Some((id, title)) => (Some(id), title),
                None => (None, done_label(lang).to_string()),
            };
            let pos = g.stage.unwrap_or(usize::MAX);
            by_stage
                .entry((g.procedure.clone(), pos, id))
                .or_insert_with(|| (title, Load::default()))
                .1
                .add(g.open, g.overdue, g.due_today);
        }
        let mut inspectors: Vec<InspectorLoad> = by_inspector
            .into_iter()
            .map(|(login, load)| InspectorLoad {
                name: match &login {
                    Some(l) => names.get(l).cloned().unwrap_or_else(|| l.clone()),
                    None => unassigned_label(lang).to_string(),
                },
                login,
                load,
            })
            .collect();
        // The heaviest first; the unassigned last.
        inspectors.sort_by(|a, b| {
            (a.login.is_none(), -a.load.overdue, -a.load.open, &a.login).cmp(&(
                b.login.is_none(),
                -b.load.overdue,
                -b.load.open,
                &b.login,
            ))
        });
        let proc_meta = |id: &str| {
            store
                .rules
                .procedure(id)
                .map(|p| {
                    (
                        crate::i18n::procedure_code(p, lang),
                        p.name.get(lang).to_string(),
                    )
                })
                .unwrap_or_else(|_| (id.to_uppercase(), id.to_string()))
        };
        // Procedures in the order of the rules.
        let order: Vec<String> = store
            .rules
            .procedures
            .iter()
            .map(|p| p.id.clone())
            .collect();
        let rank = |id: &str| order.iter().position(|x| x == id).unwrap_or(usize::MAX);
        let mut procedures: Vec<ProcedureLoad> = by_procedure
            .into_iter()
            .map(|(procedure, load)| {
                let (code, name) = proc_meta(&procedure);
                ProcedureLoad {
                    procedure,
                    code,
                    name,
                    load,
                }
            })
            .collect();
        procedures.sort_by_key(|p| rank(&p.procedure));
        let mut stages: Vec<StageLoad> = by_stage
            .into_iter()
            .map(|((procedure, _, stage), (title, load))| {
                let (code, _) = proc_meta(&procedure);
                StageLoad {
                    procedure,
                    code,
                    stage,
                    title,
                    load,
                }
            })
            .collect();
        stages.sort_by_key(|s| rank(&s.procedure));

        let today = term::local(cal, now).date();
        let approval_queue: Vec<Approval> = store
            .pending_approvals()?
            .into_iter()
            .map(|r| {
                let decided_day = term::local(cal, r.at).date();
                Approval {
                    waiting_days: cal
                        .working_days_between(decided_day, today)
                        .unwrap_or_default()
                        .max(0),
                    number: r.number,
                    procedure: r.procedure,
                    applicant: r.applicant,
                    decision: r.kind,
                    decided_by: r.by,
                    decided_at: rfc(store, r.at),
                    assignee: r.assignee,
                }
            })
            .collect();
        totals.awaiting_approval = approval_queue.len() as i64;

        let (rows, overdue_cases_total) = store.overdue_cases(now, OVERDUE_LIST_LIMIT)?;
        let overdue_cases = rows
            .into_iter()
            .map(|r| {
                let unit = match r.unit.as_deref() {
                    Some("calendar_days") => Unit::CalendarDays,
                    _ => Unit::WorkingDays,
                };
                let due_day = term::local(cal, r.due).date();
                let (late, late_days, late_minutes) =
                    match term::time_left(cal, unit, due_day, r.due, now) {
                        Ok(t) => (t.msg().text(lang), t.days, t.minutes),
                        Err(e) => (e.msg().text(lang), 0, 0),
                    };
                let st = stage_of(&r.procedure, &r.version, r.stage);
                OverdueCase {
                    number: r.number,
                    applicant: r.applicant,
                    procedure: r.procedure,
                    stage: st.as_ref().map(|s| s.0.clone()),
                    stage_title: st.map(|s| s.1),
                    deadline: rfc(store, r.due),
                    deadline_what: r.due_what,
                    late,
                    late_days,
                    late_unit: unit,
                    late_minutes,
                    assignee: r.assignee,
                }
            })
            .collect();

        let decisions: Vec<DecisionTaken> = store
            .decisions_between(start, end)?
            .into_iter()
            .map(|r| DecisionTaken {
                number: r.number,
                procedure: r.procedure,
                applicant: r.applicant,
                decision: r.kind,
                by: r.by,
                at: rfc(store, r.at),
                approval: r.approval,
                approved_by: r.approval_by,
            })
            .collect();
        totals.decided_today = decisions.len() as i64;

        let mut journals = Journals::default();
        for r in store.requests_journal()? {
            if let Some(due) = r.due.filter(|d| r.answered_at.is_none() && *d < now) {
                journals.requests_overdue.push(JournalItem {
                    number: r.case,
                    what: r.agency,
                    due: rfc(store, due),
                });
            }
        }
        for c in store.complaints_journal()? {
            if let Some(due) = c.due.filter(|d| c.answered_at.is_none() && *d < now) {
                journals.complaints_overdue.push(JournalItem {
                    number: c.case,
                    what: c.n.to_string(),
                    due: rfc(store, due),
                });
            }
        }
        for i in store.incidents()? {
            // Those that overlap the day.
            if i.started_at < end && i.ended_at.is_none_or(|e| e >= start) {
                journals.incidents.push(IncidentItem {
                    id: i.id,
                    started_at: rfc(store, i.started_at),
                    ended_at: i.ended_at.map(|e| rfc(store, e)),
                    description: i.description,
                    cases: i.cases,
                });
            }
        }
        let audit_head = store
            .audit_head()?
            .map(|(seq, hash)| format!("{seq}:{hash}"));
        let (last, good) = store.backup_outcomes()?;
        let backup = BackupFigure::from_outcomes(store, last, good, now);
        Ok(DailyFigures {
            journals,
            audit_head,
            backup,
            date: day.to_string(),
            as_of: rfc(store, now),
            totals,
            inspectors,
            procedures,
            stages,
            approval_queue,
            overdue_cases,
            overdue_cases_total,
            decisions,
            lang,
        })
    }

    /// The figures as pretty JSON (the format is documented in README.md).
    pub fn json(&self) -> String {
        let text = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        crate::domain::text::json_safe(text) + "\n"
    }
}

fn unassigned_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Kk => "(бекітілмеген)",
        Lang::Ru => "(не назначены)",
        Lang::En => "(unassigned)",
    }
}

fn done_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Kk => "барлық кезеңдер аяқталды",
        Lang::Ru => "все этапы завершены",
        Lang::En => "all stages done",
    }
}
