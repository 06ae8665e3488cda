//! The queries behind the daily report: aggregates computed in SQLite over
//! the queue's columns, so a report over a million cases reads groups and
//! a few lists, never every case.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, parse_ts, ts};

/// Cases in the queue with the same procedure, rule version, current stage
/// and assignee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadGroup {
    pub procedure: String,
    pub version: String,
    /// Index of the first open stage in the version's stages; `None` when every stage is done.
    pub stage: Option<usize>,
    pub assignee: Option<String>,
    pub open: i64,
    pub overdue: i64,
    pub due_today: i64,
}

/// A decision waiting for a supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRow {
    pub number: String,
    pub procedure: String,
    pub applicant: String,
    pub kind: String,
    pub by: String,
    pub at: DateTime<Utc>,
    pub assignee: Option<String>,
}

/// A case whose nearest deadline has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueRow {
    pub number: String,
    pub procedure: String,
    pub version: String,
    pub applicant: String,
    pub stage: Option<usize>,
    pub due: DateTime<Utc>,
    pub due_what: Option<String>,
    pub unit: Option<String>,
    pub assignee: Option<String>,
}

/// A decision taken in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    pub number: String,
    pub procedure: String,
    pub applicant: String,
    pub kind: String,
    pub by: String,
    pub at: DateTime<Utc>,
    pub approval: String,
    pub approval_by: Option<String>,
}

const STAGE: &str = "c.current_stage";

fn stage(v: Option<i64>) -> Option<usize> {
    v.and_then(|i| usize::try_from(i).ok())
}

impl Store {
    /// The queue grouped by procedure, version, current stage and assignee,
    /// with how many are overdue at `now` and how many fall due in
    /// `[day_start, day_end)` and are not overdue yet.
    pub fn load_groups(
        &self,
        now: DateTime<Utc>,
        day_start: DateTime<Utc>,
        day_end: DateTime<Utc>,
    ) -> Result<Vec<LoadGroup>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT c.procedure, c.version_id, {STAGE} AS stage, c.assignee, count(*),
                    count(CASE WHEN c.next_due IS NOT NULL AND c.next_due < ?1 THEN 1 END),
                    count(CASE WHEN c.next_due IS NOT NULL AND c.next_due >= ?1 AND c.next_due >= ?2 AND c.next_due < ?3 THEN 1 END)
             FROM cases c WHERE c.queue_due IS NOT NULL
             GROUP BY c.procedure, c.version_id, stage, c.assignee"
        ))?;
        let rows = stmt.query_map(
            super::engine::params![ts(now), ts(day_start), ts(day_end)],
            |r| {
                Ok(LoadGroup {
                    procedure: r.get(0)?,
                    version: r.get(1)?,
                    stage: stage(r.get(2)?),
                    assignee: r.get(3)?,
                    open: r.get(4)?,
                    overdue: r.get(5)?,
                    due_today: r.get(6)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Decisions waiting for a supervisor's approval, oldest first.
    pub fn pending_approvals(&self) -> Result<Vec<PendingRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT c.number, c.procedure, p.name, d.kind, d.by_login, d.at, c.assignee
             FROM decisions d
             JOIN cases c ON c.number = d.case_number
             JOIN persons p ON p.case_number = c.number AND p.ord = 0
             WHERE d.approval = 'pending'
             ORDER BY d.at, c.number",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for x in rows {
            let (number, procedure, applicant, kind, by, at, assignee) = x?;
            out.push(PendingRow {
                number,
                procedure,
                applicant,
                kind,
                by,
                at: parse_ts(&at)?,
                assignee,
            });
        }
        Ok(out)
    }

    /// Cases in the queue whose nearest deadline is before `now`, most
    /// overdue first: at most `limit` of them, and how many there are.
    pub fn overdue_cases(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<(Vec<OverdueRow>, i64), StoreError> {
        let now = ts(now);
        // queue_due is next_due for cases with a deadline; '' marks a
        // deadline that could not be computed, which is not "overdue".
        let total: i64 = self.conn.query_row(
            "SELECT count(*) FROM cases WHERE queue_due IS NOT NULL AND queue_due > '' AND queue_due < ?1",
            [&now],
            |r| r.get(0),
        )?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT c.number, c.procedure, c.version_id, p.name, {STAGE}, c.next_due, c.next_due_kind,
                    c.next_due_unit, c.assignee
             FROM cases c JOIN persons p ON p.case_number = c.number AND p.ord = 0
             WHERE c.queue_due IS NOT NULL AND c.queue_due > '' AND c.queue_due < ?1
             ORDER BY c.queue_due, c.queue_since, c.number
             LIMIT ?2"
        ))?;
        let rows = stmt.query_map(super::engine::params![now, limit as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for x in rows {
            let (number, procedure, version, applicant, st, due, what, unit, assignee) = x?;
            let Some(due) = due else { continue };
            out.push(OverdueRow {
                number,
                procedure,
                version,
                applicant,
                stage: stage(st),
                due: parse_ts(&due)?,
                due_what: what,
                unit,
                assignee,
            });
        }
        Ok((out, total))
    }

    /// Decisions taken in `[from, to)`, in time order.
    pub fn decisions_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DecisionRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT c.number, c.procedure, p.name, d.kind, d.by_login, d.at, d.approval, d.approval_by
             FROM decisions d
             JOIN cases c ON c.number = d.case_number
             JOIN persons p ON p.case_number = c.number AND p.ord = 0
             WHERE d.at >= ?1 AND d.at < ?2
             ORDER BY d.at, c.number",
        )?;
        let rows = stmt.query_map(super::engine::params![ts(from), ts(to)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for x in rows {
            let (number, procedure, applicant, kind, by, at, approval, approval_by) = x?;
            out.push(DecisionRow {
                number,
                procedure,
                applicant,
                kind,
                by,
                at: parse_ts(&at)?,
                approval,
                approval_by,
            });
        }
        Ok(out)
    }
}
