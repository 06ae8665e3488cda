//! Cases: load, create, change through domain transitions, and the queue.

use std::collections::HashMap;

use super::engine::{Conn, OptionalExtension, params};
use crate::domain::msg::{Localize, Msg};
#[allow(unused_imports)]
use crate::msg;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{Store, StoreError, audit, enum_from, enum_str, parse_day, parse_ts, ts};
use crate::domain::calendar::Calendar;
use crate::domain::case::{
    self, Actor, ApprovalState, Case, CaseQueries, CaseRef, CheckResult, Complaint, Ctx, Decision,
    DecisionKind, Document, Event, Hearing, HearingNotice, Note, Person, Violation,
};
use crate::domain::procedure::{Role, RuleVersion, Rules};
use crate::domain::urgency;

/// A case as read, with the version an update must match.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub case: Case,
    pub row_version: i64,
    pub updated_by: String,
    pub updated_at: String,
}

fn opt_day(s: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    s.as_deref().map(parse_day).transpose()
}

fn opt_ts(s: Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    s.as_deref().map(parse_ts).transpose()
}

fn json_list(s: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(s).map_err(|_| StoreError::Sql(format!("bad list in the database: '{s}'")))
}

/// Case-insensitive search key for Cyrillic (Kazakh letters included) and Latin.
pub fn search_key(name: &str) -> String {
    name.chars().flat_map(char::to_lowercase).collect()
}

pub(crate) fn load(conn: &Conn, number: &str) -> Result<Option<Loaded>, StoreError> {
    type Row = (
        String,
        String,
        Option<String>,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = conn
        .query_row(
            "SELECT procedure, version_id, purpose, channel, status, received_at, accepted_at, acceptance_day,
                    entry_date, late_acceptance, refusal_to_accept, host_name, host_id, assignee,
                    row_version, updated_by, updated_at, stay_until, arrival_date
             FROM cases WHERE number = ?1",
            [number],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                    r.get(12)?,
                    r.get(13)?,
                    r.get(14)?,
                    r.get(15)?,
                    r.get(16)?,
                    r.get(17)?,
                    r.get(18)?,
                ))
            },
        )
        .optional()?;
    let Some(r) = row else { return Ok(None) };
    let mut people = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT person_key, name, iin, birth_date, citizenship FROM persons WHERE case_number = ?1 ORDER BY ord",
        )?;
        let rows = stmt.query_map([number], |x| {
            Ok((
                x.get::<_, String>(0)?,
                x.get::<_, String>(1)?,
                x.get::<_, Option<String>>(2)?,
                x.get::<_, Option<String>>(3)?,
                x.get::<_, String>(4)?,
            ))
        })?;
        for p in rows {
            let (key, name, iin, birth, citizenship) = p?;
            people.push(Person {
                key,
                name,
                iin,
                birth_date: opt_day(birth)?,
                citizenship,
            });
        }
    }
    if people.is_empty() {
        return Err(StoreError::Sql(format!(
            "case {number} has no applicant row"
        )));
    }
    let applicant = people.remove(0);
    let mut c = Case {
        number: number.to_string(),
        procedure: r.0,
        version: r.1,
        purpose: r.2,
        channel: enum_from(&r.3)?,
        received_at: parse_ts(&r.5)?,
        accepted_at: opt_ts(r.6)?,
        acceptance_day: opt_day(r.7)?,
        status: enum_from(&r.4)?,
        applicant,
        host: match (r.11, r.12) {
            (Some(name), Some(id_number)) => Some(case::Party { name, id_number }),
            _ => None,
        },
        family: people,
        documents: Vec::new(),
        entry_date: opt_day(r.8)?,
        stay_until: opt_day(r.17.clone())?,
        arrival_date: opt_day(r.18.clone())?,
        late_acceptance: r
            .9
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| StoreError::Sql(format!("late_acceptance: {e}")))?,
        refusal_to_accept: json_list(&r.10)?,
        stages: Vec::new(),
        checks: Default::default(),
        notices: Vec::new(),
        hearings: Vec::new(),
        decisions: Vec::new(),
        duplicates: Vec::new(),
        complaints: Vec::new(),
        requests: Vec::new(),
        transfers: Vec::new(),
        notes: Vec::new(),
        assignee: r.13,
    };
    let mut stmt = conn.prepare_cached(
        "SELECT kind, number, valid_until FROM documents WHERE case_number = ?1 ORDER BY ord",
    )?;
    for d in stmt.query_map([number], |x| {
        Ok((
            x.get::<_, String>(0)?,
            x.get::<_, String>(1)?,
            x.get::<_, Option<String>>(2)?,
        ))
    })? {
        let (kind, num, valid) = d?;
        c.documents.push(Document {
            kind,
            number: num,
            valid_until: opt_day(valid)?,
        });
    }
    let mut stmt =
        conn.prepare("SELECT completed_at FROM stages WHERE case_number = ?1 ORDER BY ord")?;
    for s in stmt.query_map([number], |x| x.get::<_, Option<String>>(0))? {
        c.stages.push(opt_ts(s?)?);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT check_id, outcome, by_login, at, note FROM check_results WHERE case_number = ?1",
    )?;
    for x in stmt.query_map([number], |x| {
        Ok((
            x.get::<_, String>(0)?,
            x.get::<_, String>(1)?,
            x.get::<_, String>(2)?,
            x.get::<_, String>(3)?,
            x.get::<_, String>(4)?,
        ))
    })? {
        let (id, outcome, by, at, note) = x?;
        c.checks.insert(
            id,
            CheckResult {
                outcome: enum_from(&outcome)?,
                by,
                at: parse_ts(&at)?,
                note,
            },
        );
    }
    let mut stmt = conn.prepare_cached(
        "SELECT sent_at, channel, hearing_at, place, planned_decision, grounds FROM hearing_notices WHERE case_number = ?1 ORDER BY ord",
    )?;
    for x in stmt.query_map([number], |x| {
        Ok((
            x.get::<_, String>(0)?,
            x.get::<_, String>(1)?,
            x.get::<_, String>(2)?,
            x.get::<_, String>(3)?,
            x.get::<_, String>(4)?,
            x.get::<_, String>(5)?,
        ))
    })? {
        let (sent, channel, hearing, place, planned, grounds) = x?;
        c.notices.push(HearingNotice {
            sent_at: parse_ts(&sent)?,
            channel: enum_from(&channel)?,
            hearing_at: parse_ts(&hearing)?,
            place,
            planned_decision: parse_day(&planned)?,
            grounds: json_list(&grounds)?,
        });
    }
    let mut stmt = conn.prepare_cached("SELECT held_at, applicant_position, continue_review FROM hearings WHERE case_number = ?1 ORDER BY ord")?;
    for x in stmt.query_map([number], |x| {
        Ok((
            x.get::<_, String>(0)?,
            x.get::<_, String>(1)?,
            x.get::<_, bool>(2)?,
        ))
    })? {
        let (held, position, cont) = x?;
        c.hearings.push(Hearing {
            held_at: parse_ts(&held)?,
            applicant_position: position,
            continue_review: cont,
        });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT kind, grounds, by_login, at, approval, approval_by, approval_at, approval_comment, reason
         FROM decisions WHERE case_number = ?1 ORDER BY ord",
    )?;
    type DecRow = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
    );
    for x in stmt.query_map([number], |x| -> super::engine::Result<DecRow> {
        Ok((
            x.get(0)?,
            x.get(1)?,
            x.get(2)?,
            x.get(3)?,
            x.get(4)?,
            x.get(5)?,
            x.get(6)?,
            x.get(7)?,
            x.get(8)?,
        ))
    })? {
        let (kind, grounds, by, at, approval, a_by, a_at, a_comment, reason) = x?;
        let grounds = json_list(&grounds)?;
        let kind = match kind.as_str() {
            "issue" => DecisionKind::Issue,
            "refuse" => DecisionKind::Refuse { grounds },
            "annul" => DecisionKind::Annul { grounds },
            other => return Err(StoreError::Sql(format!("unknown decision kind '{other}'"))),
        };
        let approval = match approval.as_str() {
            "not_required" => ApprovalState::NotRequired,
            "pending" => ApprovalState::Pending,
            "approved" => ApprovalState::Approved {
                by: a_by.unwrap_or_default(),
                at: parse_ts(a_at.as_deref().unwrap_or_default())?,
            },
            "returned" => ApprovalState::Returned {
                by: a_by.unwrap_or_default(),
                at: parse_ts(a_at.as_deref().unwrap_or_default())?,
                comment: a_comment.unwrap_or_default(),
            },
            other => return Err(StoreError::Sql(format!("unknown approval state '{other}'"))),
        };
        c.decisions.push(Decision {
            kind,
            by,
            at: parse_ts(&at)?,
            approval,
            reason,
        });
    }
    let mut stmt =
        conn.prepare("SELECT at, reason FROM duplicates WHERE case_number = ?1 ORDER BY ord")?;
    for x in stmt.query_map([number], |x| {
        Ok((x.get::<_, String>(0)?, x.get::<_, String>(1)?))
    })? {
        let (at, reason) = x?;
        c.duplicates.push((parse_ts(&at)?, enum_from(&reason)?));
    }
    let mut stmt = conn.prepare_cached("SELECT registered_at, to_whom, text, answered_at FROM complaints WHERE case_number = ?1 ORDER BY ord")?;
    for x in stmt.query_map([number], |x| {
        Ok((
            x.get::<_, String>(0)?,
            x.get::<_, String>(1)?,
            x.get::<_, String>(2)?,
            x.get::<_, Option<String>>(3)?,
        ))
    })? {
        let (reg, to, text, answered) = x?;
        c.complaints.push(Complaint {
            registered_at: parse_ts(&reg)?,
            to: enum_from(&to)?,
            text,
            answered_at: opt_ts(answered)?,
        });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT agency, sent_at, answered_at, note FROM requests WHERE case_number = ?1 ORDER BY ord",
    )?;
    for x in stmt.query_map([number], |x| {
        Ok((
            x.get::<_, String>(0)?,
            x.get::<_, String>(1)?,
            x.get::<_, Option<String>>(2)?,
            x.get::<_, String>(3)?,
        ))
    })? {
        let (agency, sent, answered, note) = x?;
        c.requests.push(case::AgencyRequest {
            agency,
            sent_at: parse_ts(&sent)?,
            answered_at: opt_ts(answered)?,
            note,
        });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT from_unit, applied_at, registered_at FROM transfers WHERE case_number = ?1 ORDER BY ord",
    )?;
    for x in stmt.query_map([number], |x| {
        Ok((
            x.get::<_, String>(0)?,
            x.get::<_, String>(1)?,
            x.get::<_, Option<String>>(2)?,
        ))
    })? {
        let (from_unit, applied, registered) = x?;
        c.transfers.push(case::Transfer {
            from_unit,
            applied_at: parse_ts(&applied)?,
            registered_at: opt_ts(registered)?,
        });
    }
    let mut stmt =
        conn.prepare("SELECT by_login, at, text FROM notes WHERE case_number = ?1 ORDER BY ord")?;
    for x in stmt.query_map([number], |x| {
        Ok((
            x.get::<_, String>(0)?,
            x.get::<_, String>(1)?,
            x.get::<_, String>(2)?,
        ))
    })? {
        let (by, at, text) = x?;
        c.notes.push(Note {
            by,
            at: parse_ts(&at)?,
            text,
        });
    }
    let (row_version, updated_by, updated_at) = (r.14, r.15, r.16);
    Ok(Some(Loaded {
        case: c,
        row_version,
        updated_by,
        updated_at,
    }))
}

fn decision_parts(d: &Decision) -> (&'static str, Vec<String>) {
    match &d.kind {
        DecisionKind::Issue => ("issue", Vec::new()),
        DecisionKind::Refuse { grounds } => ("refuse", grounds.clone()),
        DecisionKind::Annul { grounds } => ("annul", grounds.clone()),
    }
}

/// `2026-11-20T12:45:00Z` as [`ts`] writes it, read without a general
/// parser (the queue reads half a million of them); anything else is None.
fn fast_ts(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let day = NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)?;
    let at = day.and_hms_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?)?;
    Some(at.and_utc())
}

/// How an approval state is stored.
fn approval_id(a: &ApprovalState) -> &'static str {
    match a {
        ApprovalState::NotRequired => "not_required",
        ApprovalState::Pending => "pending",
        ApprovalState::Approved { .. } => "approved",
        ApprovalState::Returned { .. } => "returned",
    }
}

/// Write every child row of a case (after deleting the old ones of an existing case).
fn write_children(conn: &Conn, c: &Case, existing: bool) -> Result<(), StoreError> {
    for table in [
        "persons",
        "documents",
        "stages",
        "check_results",
        "hearing_notices",
        "hearings",
        "decisions",
        "duplicates",
        "complaints",
        "requests",
        "transfers",
        "notes",
    ] {
        if !existing {
            break;
        }
        conn.prepare_cached(&format!("DELETE FROM {table} WHERE case_number = ?1"))?
            .execute([&c.number])?;
    }
    let n = &c.number;
    let mut ins = conn.prepare_cached(
        "INSERT INTO persons (case_number, ord, person_key, name, iin, birth_date, citizenship) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, p) in std::iter::once(&c.applicant).chain(&c.family).enumerate() {
        ins.execute(params![
            n,
            i as i64,
            p.key,
            p.name,
            p.iin,
            p.birth_date.map(|d| d.to_string()),
            p.citizenship
        ])?;
    }
    let mut ins = conn.prepare_cached("INSERT INTO documents (case_number, ord, kind, number, valid_until) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for (i, d) in c.documents.iter().enumerate() {
        ins.execute(params![
            n,
            i as i64,
            d.kind,
            d.number,
            d.valid_until.map(|x| x.to_string())
        ])?;
    }
    let mut ins = conn.prepare_cached(
        "INSERT INTO stages (case_number, ord, completed_at) VALUES (?1, ?2, ?3)",
    )?;
    for (i, s) in c.stages.iter().enumerate() {
        ins.execute(params![n, i as i64, s.map(ts)])?;
    }
    let mut ins = conn.prepare_cached(
        "INSERT INTO check_results (case_number, check_id, outcome, by_login, at, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (id, r) in &c.checks {
        ins.execute(params![n, id, enum_str(&r.outcome), r.by, ts(r.at), r.note])?;
    }
    let mut ins = conn.prepare_cached(
        "INSERT INTO hearing_notices (case_number, ord, sent_at, channel, hearing_at, place, planned_decision, grounds)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (i, x) in c.notices.iter().enumerate() {
        ins.execute(params![
            n,
            i as i64,
            ts(x.sent_at),
            enum_str(&x.channel),
            ts(x.hearing_at),
            x.place,
            x.planned_decision.to_string(),
            serde_json::to_string(&x.grounds).unwrap_or_else(|_| "[]".into())
        ])?;
    }
    let mut ins = conn.prepare_cached(
        "INSERT INTO hearings (case_number, ord, held_at, applicant_position, continue_review) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, h) in c.hearings.iter().enumerate() {
        ins.execute(params![
            n,
            i as i64,
            ts(h.held_at),
            h.applicant_position,
            h.continue_review
        ])?;
    }
    let mut ins = conn.prepare_cached(
        "INSERT INTO decisions (case_number, ord, kind, grounds, by_login, at, approval, approval_by, approval_at, approval_comment, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for (i, d) in c.decisions.iter().enumerate() {
        let (kind, grounds) = decision_parts(d);
        let state = approval_id(&d.approval);
        let (by, at, comment) = match &d.approval {
            ApprovalState::NotRequired | ApprovalState::Pending => (None, None, None),
            ApprovalState::Approved { by, at } => (Some(by.clone()), Some(ts(*at)), None),
            ApprovalState::Returned { by, at, comment } => {
                (Some(by.clone()), Some(ts(*at)), Some(comment.clone()))
            }
        };
        ins.execute(params![
            n,
            i as i64,
            kind,
            serde_json::to_string(&grounds).unwrap_or_else(|_| "[]".into()),
            d.by,
            ts(d.at),
            state,
            by,
            at,
            comment,
            d.reason
        ])?;
    }
    let mut ins = conn.prepare_cached(
        "INSERT INTO duplicates (case_number, ord, at, reason) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, (at, reason)) in c.duplicates.iter().enumerate() {
        ins.execute(params![n, i as i64, ts(*at), enum_str(reason)])?;
    }
    let mut ins = conn.prepare_cached(
        "INSERT INTO complaints (case_number, ord, registered_at, to_whom, text, answered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, x) in c.complaints.iter().enumerate() {
        ins.execute(params![
            n,
            i as i64,
            ts(x.registered_at),
            enum_str(&x.to),
            x.text,
            x.answered_at.map(ts)
        ])?;
    }
    let mut ins = conn.prepare_cached(
        "INSERT INTO transfers (case_number, ord, from_unit, applied_at, registered_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, t) in c.transfers.iter().enumerate() {
        ins.execute(params![
            n,
            i as i64,
            t.from_unit,
            ts(t.applied_at),
            t.registered_at.map(ts)
        ])?;
    }
    let mut ins = conn.prepare_cached(
        "INSERT INTO requests (case_number, ord, agency, sent_at, answered_at, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, r) in c.requests.iter().enumerate() {
        ins.execute(params![
            n,
            i as i64,
            r.agency,
            ts(r.sent_at),
            r.answered_at.map(ts),
            r.note
        ])?;
    }
    let mut ins = conn.prepare_cached(
        "INSERT INTO notes (case_number, ord, by_login, at, text) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, x) in c.notes.iter().enumerate() {
        ins.execute(params![n, i as i64, x.by, ts(x.at), x.text])?;
    }
    Ok(())
}

/// The nearest open deadline, kept on the case row for the queue.
fn next_due(
    c: &Case,
    version: &RuleVersion,
    cal: &Calendar,
) -> (Option<String>, Option<String>, Option<String>) {
    match urgency::open_deadlines(c, version, cal) {
        Ok(list) => match urgency::nearest(&list) {
            Some(d) => (
                Some(ts(d.due)),
                Some(d.explanation.clone()),
                Some(enum_str(&d.unit)),
            ),
            None => (None, None, None),
        },
        Err(e) => (None, Some(format!("deadline not computed: {e}")), None),
    }
}

fn version_of<'r>(rules: &'r Rules, c: &Case) -> Result<&'r RuleVersion, StoreError> {
    rules
        .procedure(&c.procedure)
        .map_err(|e| StoreError::Invalid(e.msg()))?
        .version(&c.version)
        .ok_or_else(|| {
            StoreError::Invalid(crate::msg!(
                "error.store.unknown-version",
                number = &c.number,
                version = &c.version
            ))
        })
}

/// Insert or update the case row and its children.
fn write_case(
    conn: &Conn,
    cal: &Calendar,
    rules: &Rules,
    c: &Case,
    by: &str,
    now: DateTime<Utc>,
    expected: Option<i64>,
) -> Result<i64, StoreError> {
    let version = version_of(rules, c)?;
    let (due, due_kind, due_unit) = next_due(c, version, cal);
    let late = c
        .late_acceptance
        .as_ref()
        .map(|l| serde_json::to_string(l).unwrap_or_default());
    let refusal = serde_json::to_string(&c.refusal_to_accept).unwrap_or_else(|_| "[]".into());
    let (host_name, host_id) = match &c.host {
        Some(h) => (Some(h.name.clone()), Some(h.id_number.clone())),
        None => (None, None),
    };
    // One list of values for both statements: ?1..?21 name the same columns.
    let channel = enum_str(&c.channel);
    let status = enum_str(&c.status);
    let received = ts(c.received_at);
    let accepted = c.accepted_at.map(ts);
    let acceptance_day = c.acceptance_day.map(|d| d.to_string());
    let entry = c.entry_date.map(|d| d.to_string());
    let key = search_key(&c.applicant.name);
    let updated = ts(now);
    let values: [&dyn super::engine::ToSql; 21] = [
        &c.number,
        &c.procedure,
        &c.version,
        &c.purpose,
        &channel,
        &status,
        &received,
        &accepted,
        &acceptance_day,
        &entry,
        &late,
        &refusal,
        &host_name,
        &host_id,
        &c.assignee,
        &due,
        &due_kind,
        &key,
        &updated,
        &by,
        &due_unit,
    ];
    let new_version = match expected {
        None => {
            conn.prepare_cached(
                "INSERT INTO cases (number, procedure, version_id, purpose, channel, status, received_at, accepted_at,
                    acceptance_day, entry_date, late_acceptance, refusal_to_accept, host_name, host_id, assignee,
                    next_due, next_due_kind, search_key, updated_at, updated_by, next_due_unit, row_version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, 1)",
            )?
            .execute(super::engine::params_from_iter(values))?;
            1
        }
        Some(v) => {
            let mut with_version: Vec<&dyn super::engine::ToSql> = values.to_vec();
            with_version.push(&v);
            let changed = conn
                .prepare_cached(
                    "UPDATE cases SET procedure = ?2, version_id = ?3, purpose = ?4, channel = ?5, status = ?6,
                    received_at = ?7, accepted_at = ?8, acceptance_day = ?9, entry_date = ?10, late_acceptance = ?11,
                    refusal_to_accept = ?12, host_name = ?13, host_id = ?14, assignee = ?15, next_due = ?16,
                    next_due_kind = ?17, search_key = ?18, updated_at = ?19, updated_by = ?20, next_due_unit = ?21,
                    row_version = row_version + 1
                 WHERE number = ?1 AND row_version = ?22",
                )?
                .execute(super::engine::params_from_iter(with_version))?;
            if changed == 0 {
                return Err(stale(conn, cal, &c.number)?);
            }
            v + 1
        }
    };
    // The queue's index: every case not archived or refused at intake (a
    // decided case stays while something is still due after the decision).
    let in_queue = matches!(
        c.status,
        case::Status::Received | case::Status::Accepted | case::Status::Decided
    );
    // No deadline sorts last ('~'); a deadline that could not be computed
    // sorts first (''), so the inspector sees it rather than loses it.
    let queue_due = in_queue.then(|| match (&due, &due_kind) {
        (Some(d), _) => d.clone(),
        (None, Some(k)) if k.starts_with("deadline not computed") => String::new(),
        (None, _) => "~".to_string(),
    });
    // The stage to work on now: the first one neither done nor closed by
    // the decision, nor waiting for a decision in effect.
    let current_stage = (0..version.stages.len())
        .find(|&i| case::stage_state(c, version, i) == case::StageState::Open)
        .map(|i| i as i64);
    conn.prepare_cached(
        "UPDATE cases SET queue_due = ?2, queue_since = ?3, stay_until = ?4, arrival_date = ?5,
                current_stage = ?6, q_applicant = ?7, q_citizenship = ?8, q_approval = ?9
          WHERE number = ?1",
    )?
    .execute(params![
        c.number,
        queue_due,
        ts(c.accepted_at.unwrap_or(c.received_at)),
        c.stay_until.map(|d| d.to_string()),
        c.arrival_date.map(|d| d.to_string()),
        current_stage,
        c.applicant.name,
        c.applicant.citizenship,
        c.decisions.last().map(|d| approval_id(&d.approval)),
    ])?;
    write_children(conn, c, expected.is_some())?;
    Ok(new_version)
}

fn stale(conn: &Conn, cal: &Calendar, number: &str) -> Result<StoreError, StoreError> {
    let who: Option<(String, String)> = conn
        .query_row(
            "SELECT updated_by, updated_at FROM cases WHERE number = ?1",
            [number],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match who {
        Some((by, at)) => StoreError::Stale {
            number: number.to_string(),
            by,
            at: crate::domain::term::local(cal, parse_ts(&at)?),
            what: Vec::new(),
        },
        None => super::no_case(number),
    })
}

/// The parts of a case a change touches, from its events: what another
/// change must not have touched in between for it to apply on top.
fn touched(events: &[Event]) -> Vec<String> {
    let mut parts: Vec<String> = events
        .iter()
        // The archive follows from what the change did: it touches nothing of its own.
        .filter(|e| !matches!(e, Event::Archived { .. }))
        .map(|e| match e {
            Event::Archived { .. } => "unknown".to_string(),
            Event::Accepted { .. } | Event::RefusedToAccept { .. } => "intake".to_string(),
            Event::StageCompleted { stage, .. } => format!("stage:{stage}"),
            Event::CheckRecorded { check, .. } => format!("check:{check}"),
            Event::HearingNoticeSent(_) | Event::HearingHeld(_) => "hearing".to_string(),
            Event::Decided(_)
            | Event::DecisionApproved { .. }
            | Event::DecisionReturned { .. }
            | Event::DuplicateIssued { .. } => "decision".to_string(),
            Event::ComplaintRegistered(_) | Event::ComplaintAnswered { .. } => {
                "complaint".to_string()
            }
            Event::NoteAdded(_) => "note".to_string(),
            Event::RequestSent(r) => format!("request:{}", r.agency),
            Event::RequestAnswered { .. } => "request".to_string(),
            Event::ResidenceChanged(_) | Event::ResidenceRegistered { .. } => {
                "residence".to_string()
            }
        })
        .collect();
    parts.sort();
    parts.dedup();
    parts
}

/// Whether a change touching `mine` must be refused after another one
/// touched `theirs`. Notes never conflict (they are added, never edited);
/// the same check, stage, hearing step, decision, intake or assignment
/// does; a decision also rests on the checklist and the hearing, so a
/// colleague's mark or hearing in between makes it one to read again.
fn conflicts(mine: &[String], theirs: &[String]) -> bool {
    mine.iter().any(|m| {
        m != "note"
            && theirs.iter().any(|t| {
                t == m
                    || t == "unknown"
                    || (m == "decision" && (t == "hearing" || t.starts_with("check:")))
                    || (m == "hearing" && t == "decision")
            })
    })
}

fn record_touch(
    tx: &Conn,
    number: &str,
    version: i64,
    actor: &str,
    now: DateTime<Utc>,
    parts: &[String],
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO case_touches (case_number, row_version, actor, at, parts)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (case_number, row_version) DO UPDATE
         SET actor = excluded.actor, at = excluded.at, parts = excluded.parts",
    )?
    .execute(params![number, version, actor, ts(now), parts.join(" ")])?;
    Ok(())
}

/// A change someone else saved after a version was read.
struct Touch {
    by: String,
    at: chrono::NaiveDateTime,
    parts: Vec<String>,
    what: Vec<Msg>,
}

impl Touch {
    fn into_stale(self, number: &str) -> StoreError {
        StoreError::Stale {
            number: number.to_string(),
            by: self.by,
            at: self.at,
            what: self.what,
        }
    }
}

/// Changes saved by others after `seen`, newest first. A version with no
/// record (saved before kezek kept them) counts as touching everything.
fn touches_since(
    tx: &Conn,
    cal: &Calendar,
    version: &RuleVersion,
    number: &str,
    seen: i64,
    me: &str,
) -> Result<Vec<Touch>, StoreError> {
    let current: i64 = tx
        .prepare_cached("SELECT row_version FROM cases WHERE number = ?1")?
        .query_row([number], |r| r.get(0))?;
    let mut st = tx.prepare_cached(
        "SELECT row_version, actor, at, parts FROM case_touches
          WHERE case_number = ?1 AND row_version > ?2 ORDER BY row_version DESC",
    )?;
    let rows: Vec<(i64, String, String, String)> = st
        .query_map(params![number, seen], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    if (rows.len() as i64) < current - seen {
        // Some versions in between are not described: treat as touching all.
        if let StoreError::Stale { by, at, .. } = stale(tx, cal, number)?
            && by != me
        {
            out.push(Touch {
                by,
                at,
                parts: vec!["unknown".to_string()],
                what: Vec::new(),
            });
        }
    }
    for (_, by, at, parts) in rows {
        if by == me {
            continue;
        }
        let parts: Vec<String> = parts.split_whitespace().map(str::to_string).collect();
        let what = parts.iter().map(|p| part_msg(version, p)).collect();
        out.push(Touch {
            by,
            at: crate::domain::term::local(cal, parse_ts(&at)?),
            parts,
            what,
        });
    }
    Ok(out)
}

/// A touched part in words: "the check “…”", "the decision".
fn part_msg(version: &RuleVersion, part: &str) -> Msg {
    if let Some(id) = part.strip_prefix("check:") {
        return match version.checks.iter().find(|c| c.id == id) {
            Some(c) => crate::msg!("conflict.check", name = &c.title),
            None => crate::msg!("conflict.check-id", id = id),
        };
    }
    if let Some(id) = part.strip_prefix("stage:") {
        return match version.stages.iter().find(|s| s.id == id) {
            Some(s) => crate::msg!("conflict.stage", name = &s.title),
            None => crate::msg!("conflict.stage-id", id = id),
        };
    }
    Msg::key(match part {
        "hearing" => "conflict.hearing",
        "decision" => "conflict.decision",
        "assign" => "conflict.assign",
        "intake" => "conflict.intake",
        "complaint" => "conflict.complaint",
        "note" => "conflict.note",
        _ => "conflict.unknown",
    })
}

fn case_json(c: &Case) -> String {
    serde_json::to_string(c).unwrap_or_default()
}

fn may_write(actor: &Actor) -> Result<(), StoreError> {
    if actor.role == Role::Auditor {
        return Err(StoreError::Denied(crate::msg!(
            "error.store.auditor-changes",
            login = &actor.login
        )));
    }
    Ok(())
}

/// The store's answers to the domain's questions about other cases.
struct SqlQueries<'a> {
    conn: &'a Conn,
    /// The calendar's zone: stored instants are UTC, days are local.
    zone: chrono_tz::Tz,
}

impl SqlQueries<'_> {
    fn refs(&self, sql: &str, args: &[&dyn super::engine::ToSql]) -> Vec<CaseRef> {
        let run = || -> super::engine::Result<Vec<CaseRef>> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map(args, |r| {
                Ok(CaseRef {
                    number: r.get(0)?,
                    person: r.get(1)?,
                    valid_until: r
                        .get::<_, Option<String>>(2)?
                        .and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()),
                })
            })?;
            rows.collect()
        };
        match run() {
            Ok(v) => v,
            Err(e) => {
                tracing::error!("case query failed: {e}");
                Vec::new()
            }
        }
    }
}

const LATEST_DECISION: &str = "d.ord = (SELECT max(ord) FROM decisions WHERE case_number = c.number) AND d.approval IN ('not_required', 'approved')";

impl CaseQueries for SqlQueries<'_> {
    fn household_rvps_of_employer(
        &self,
        employer: &str,
        day: NaiveDate,
        except: &str,
    ) -> Vec<CaseRef> {
        let day = day.to_string();
        self.refs(
            &format!(
                "SELECT c.number, p.name, doc.valid_until
                 FROM cases c
                 JOIN decisions d ON d.case_number = c.number
                 JOIN persons p ON p.case_number = c.number AND p.ord = 0
                 LEFT JOIN documents doc ON doc.case_number = c.number AND doc.kind = 'employment_contract'
                 WHERE c.procedure = 'rvp' AND c.purpose = 'domestic_work' AND c.host_id = ?1 AND c.number <> ?2
                   AND d.kind = 'issue' AND {LATEST_DECISION}
                   AND (doc.valid_until IS NULL OR doc.valid_until >= ?3)
                 ORDER BY c.number"
            ),
            &[&employer, &except, &day],
        )
    }

    fn pending_pr_of(&self, person_key: &str, except: &str) -> Option<CaseRef> {
        self.refs(
            "SELECT c.number, p.name, NULL FROM cases c JOIN persons p ON p.case_number = c.number AND p.ord = 0
             WHERE c.procedure = 'pr' AND c.status IN ('received', 'accepted') AND p.person_key = ?1 AND c.number <> ?2
             ORDER BY c.received_at LIMIT 1",
            &[&person_key, &except],
        )
        .into_iter()
        .next()
    }

    fn last_pr_refusal_or_annulment(&self, person_key: &str) -> Option<(String, NaiveDate)> {
        // The block runs from the issue of the motivated conclusion (order 992
        // §22): its day is the local (Almaty) day of the stored UTC instant.
        let sql = format!(
            "SELECT c.number, d.at FROM cases c
             JOIN persons p ON p.case_number = c.number AND p.ord = 0
             JOIN decisions d ON d.case_number = c.number
             WHERE c.procedure = 'pr' AND p.person_key = ?1 AND d.kind IN ('refuse', 'annul') AND {LATEST_DECISION}
             ORDER BY d.at DESC LIMIT 1"
        );
        let found = self.conn.prepare_cached(&sql).and_then(|mut st| {
            st.query_row([person_key], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
        });
        match found {
            Ok((number, at)) => chrono::DateTime::parse_from_rfc3339(&at)
                .ok()
                .map(|t| (number, t.with_timezone(&self.zone).date_naive())),
            Err(super::engine::Error::NoRows) => None,
            Err(e) => {
                tracing::error!("case query failed: {e}");
                None
            }
        }
    }
}

impl Store {
    /// Read a case.
    pub fn case(&self, number: &str) -> Result<Loaded, StoreError> {
        load(&self.conn, number)?.ok_or_else(|| super::no_case(number))
    }

    /// Record a newly received application.
    pub fn create_case(
        &mut self,
        actor: &Actor,
        c: &Case,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        may_write(actor)?;
        self.write(|tx, cal, rules| {
            let exists: i64 = tx
                .prepare_cached("SELECT count(*) FROM cases WHERE number = ?1")?
                .query_row([&c.number], |r| r.get(0))?;
            if exists > 0 {
                return Err(StoreError::Invalid(crate::msg!(
                    "error.store.case-exists",
                    number = &c.number
                )));
            }
            write_case(tx, cal, rules, c, &actor.login, now, None)?;
            audit::append(
                tx,
                now,
                &actor.login,
                Some(&c.number),
                "case.create",
                None,
                Some(&case_json(c)),
            )?;
            Ok(())
        })
    }

    /// Apply a domain transition to a case read at `seen_version`; refused
    /// when someone changed the case since. Returns the new version.
    pub fn act<F>(
        &mut self,
        actor: &Actor,
        number: &str,
        seen_version: i64,
        now: DateTime<Utc>,
        transition: F,
    ) -> Result<(i64, Vec<Event>), StoreError>
    where
        F: FnOnce(&Case, &Ctx<'_>, &dyn CaseQueries) -> Result<Vec<Event>, Violation>,
    {
        may_write(actor)?;
        self.write(|tx, cal, rules| {
            let loaded = load(tx, number)?.ok_or_else(|| super::no_case(number))?;
            let version = version_of(rules, &loaded.case)?;
            let ctx = Ctx {
                cal,
                version,
                actor,
                now,
            };
            let queries = SqlQueries {
                conn: tx,
                zone: cal.zone(),
            };
            // The transition runs on the case as it is now; when others
            // saved since it was read, it is refused only if they touched
            // what it changes (or when it no longer fits the case).
            let mut events = match transition(&loaded.case, &ctx, &queries) {
                Ok(events) => events,
                Err(v) if loaded.row_version != seen_version => {
                    let since =
                        touches_since(tx, cal, version, number, seen_version, &actor.login)?;
                    return Err(match since.into_iter().next() {
                        Some(t) => t.into_stale(number),
                        None => StoreError::Rule(v),
                    });
                }
                Err(v) => return Err(v.into()),
            };
            let parts = touched(&events);
            if loaded.row_version != seen_version {
                let since = touches_since(tx, cal, version, number, seen_version, &actor.login)?;
                if let Some(t) = since.into_iter().find(|t| conflicts(&parts, &t.parts)) {
                    return Err(t.into_stale(number));
                }
            }
            let mut after = loaded.case.clone();
            case::apply_all(&mut after, version, &events);
            // Nothing left to do after the decision: the same change archives the case.
            if let Some(archived) = case::settle(&after, version, now) {
                case::apply(&mut after, version, &archived);
                events.push(archived);
            }
            let new_version = write_case(
                tx,
                cal,
                rules,
                &after,
                &actor.login,
                now,
                Some(loaded.row_version),
            )?;
            record_touch(tx, number, new_version, &actor.login, now, &parts)?;
            let action: Vec<String> = events
                .iter()
                .map(|e| match serde_json::to_value(e) {
                    Ok(v) => v["event"].as_str().unwrap_or("change").to_string(),
                    Err(_) => "change".to_string(),
                })
                .collect();
            audit::append(
                tx,
                now,
                &actor.login,
                Some(number),
                &action.join(","),
                Some(&case_json(&loaded.case)),
                Some(&case_json(&after)),
            )?;
            Ok((new_version, events))
        })
    }

    /// Assign cases to an inspector (supervisor, or an inspector taking an unassigned case).
    pub fn assign(
        &mut self,
        actor: &Actor,
        number: &str,
        seen_version: i64,
        to: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        may_write(actor)?;
        let supervisor = actor.role == Role::Supervisor;
        self.write(|tx, cal, rules| {
            let loaded = load(tx, number)?.ok_or_else(|| super::no_case(number))?;
            let parts = vec!["assign".to_string()];
            if loaded.row_version != seen_version {
                let version = version_of(rules, &loaded.case)?;
                let since = touches_since(tx, cal, version, number, seen_version, &actor.login)?;
                if let Some(t) = since.into_iter().find(|t| conflicts(&parts, &t.parts)) {
                    return Err(t.into_stale(number));
                }
            }
            let taking_free = loaded.case.assignee.is_none() && to == Some(actor.login.as_str());
            if !supervisor && !taking_free {
                return Err(StoreError::Denied(Msg::key("error.store.reassign")));
            }
            if let Some(login) = to {
                let known: i64 = tx.query_row(
                    "SELECT count(*) FROM users WHERE login = ?1 AND role <> 'auditor'",
                    [login],
                    |r| r.get(0),
                )?;
                if known == 0 {
                    return Err(StoreError::Invalid(crate::msg!(
                        "error.store.not-staff",
                        login = login
                    )));
                }
            }
            let mut after = loaded.case.clone();
            after.assignee = to.map(str::to_string);
            let v = write_case(
                tx,
                cal,
                rules,
                &after,
                &actor.login,
                now,
                Some(loaded.row_version),
            )?;
            record_touch(tx, number, v, &actor.login, now, &parts)?;
            audit::append(
                tx,
                now,
                &actor.login,
                Some(number),
                "assign",
                Some(&case_json(&loaded.case)),
                Some(&case_json(&after)),
            )?;
            Ok(v)
        })
    }

    /// Open cases in urgency order.
    /// How many cases of the filter there are, and how many of them are due
    /// before `bounds[0]` (overdue), in `[bounds[0], bounds[1])` (today), and
    /// in `[bounds[2], bounds[3])` (soon): one pass over the covering index,
    /// so the console's header is complete before its rows are.
    pub fn queue_counts(
        &self,
        filter: &QueueFilter,
        bounds: [DateTime<Utc>; 4],
    ) -> Result<[i64; 4], StoreError> {
        let mut sql = String::from(
            "SELECT count(*),
                    count(CASE WHEN c.next_due < ?1 THEN 1 END),
                    count(CASE WHEN c.next_due >= ?1 AND c.next_due < ?2 THEN 1 END),
                    count(CASE WHEN c.next_due >= ?2 AND c.next_due >= ?3 AND c.next_due < ?4 THEN 1 END)
             FROM cases c INDEXED BY cases_queue_all
             WHERE c.queue_due IS NOT NULL",
        );
        let mut args: Vec<String> = bounds.iter().map(|b| ts(*b)).collect();
        filter.narrow(&mut sql, &mut args);
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(super::engine::params_from_iter(args.iter()), |r| {
                Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?])
            })?)
    }

    /// The queue as the console holds it: every case of the filter, read
    /// in one ordered pass over the covering queue index, straight into
    /// compact columns (no row is allocated on its own).
    pub fn queue_table(
        &self,
        filter: &QueueFilter,
    ) -> Result<crate::store::table::Queue, StoreError> {
        self.queue_table_of(filter, None)
    }

    /// The queue rows of the cases `numbers` that are in the view, in
    /// queue order: what [`crate::store::table::Queue::patched`] takes
    /// after other sessions changed them.
    pub fn queue_rows_of(
        &self,
        filter: &QueueFilter,
        numbers: &[String],
    ) -> Result<crate::store::table::Queue, StoreError> {
        self.queue_table_of(filter, Some(numbers))
    }

    fn queue_table_of(
        &self,
        filter: &QueueFilter,
        numbers: Option<&[String]>,
    ) -> Result<crate::store::table::Queue, StoreError> {
        let mut sql = String::from(
            "SELECT c.number, c.procedure, c.version_id, c.q_applicant, c.q_citizenship, c.current_stage,
                    c.q_approval, c.assignee, c.next_due, c.next_due_unit, c.status,
                    c.queue_due, c.queue_since
             FROM cases c INDEXED BY cases_queue_all
             WHERE c.queue_due IS NOT NULL",
        );
        let mut args: Vec<String> = Vec::new();
        filter.narrow(&mut sql, &mut args);
        if let Some(numbers) = numbers {
            let first = args.len() + 1;
            args.extend(numbers.iter().cloned());
            let marks: Vec<String> = (first..=args.len()).map(|i| format!("?{i}")).collect();
            if marks.is_empty() {
                sql.push_str(" AND 0 = 1");
            } else {
                sql.push_str(&format!(" AND c.number IN ({})", marks.join(", ")));
            }
        }
        sql.push_str(" ORDER BY c.queue_due, c.queue_since, c.number");
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(super::engine::params_from_iter(args.iter()))?;
        let mut q =
            crate::store::table::Queue::with_capacity(filter.limit.unwrap_or(1024) as usize);
        // Stage ids by procedure, version and place, looked up once each.
        let mut stages: HashMap<String, HashMap<String, Vec<Option<String>>>> = HashMap::new();
        let mut sql_time = std::time::Duration::ZERO;
        let mut push_time = std::time::Duration::ZERO;
        let mut t_row = std::time::Instant::now();
        while let Some(r) = rows.next()? {
            // A value that is not what kezek writes marks the case
            // unreadable instead of failing the whole queue.
            let bad = std::cell::Cell::new(false);
            let text = |i: usize| -> Option<&str> {
                match r.get_ref(i) {
                    Ok(super::engine::ValueRef::Null) => None,
                    Ok(v) => v.as_str().map_err(|_| bad.set(true)).ok(),
                    Err(_) => {
                        bad.set(true);
                        None
                    }
                }
            };
            let number = text(0).unwrap_or_default();
            let procedure = text(1).unwrap_or_default();
            let version = text(2).unwrap_or_default();
            let place: Option<i64> = r.get(5).unwrap_or_else(|_| {
                bad.set(true);
                None
            });
            let stage = match place {
                Some(i) => {
                    if !stages
                        .get(procedure)
                        .is_some_and(|v| v.contains_key(version))
                    {
                        let ids = self
                            .rules
                            .procedure(procedure)
                            .ok()
                            .and_then(|p| p.version(version))
                            .map(|v| v.stages.iter().map(|s| Some(s.id.clone())).collect())
                            .unwrap_or_default();
                        stages
                            .entry(procedure.to_string())
                            .or_default()
                            .insert(version.to_string(), ids);
                    }
                    stages
                        .get(procedure)
                        .and_then(|v| v.get(version))
                        .and_then(|ids| usize::try_from(i).ok().and_then(|i| ids.get(i)))
                        .and_then(Option::as_deref)
                }
                None => None,
            };
            let next_due = text(8).and_then(|d| {
                let t = fast_ts(d).or_else(|| parse_ts(d).ok());
                if t.is_none() {
                    bad.set(true);
                }
                t
            });
            let unit = match text(9) {
                Some("working_days") => Some(crate::domain::term::Unit::WorkingDays),
                Some("calendar_days") => Some(crate::domain::term::Unit::CalendarDays),
                None => None,
                Some(_) => {
                    bad.set(true);
                    None
                }
            };
            let applicant = text(3).unwrap_or_default();
            let citizenship = text(4).unwrap_or_default();
            let assignee = text(7);
            let approval = text(6);
            sql_time += t_row.elapsed();
            let t_push = std::time::Instant::now();
            q.push(crate::store::table::RowIn {
                number,
                procedure,
                applicant,
                citizenship,
                stage,
                next_due,
                next_due_unit: unit,
                assignee,
                approval,
                status: text(10).unwrap_or_default(),
                unreadable: bad.get(),
                order: (
                    match text(11) {
                        Some("") => 0,
                        Some("~") => 2,
                        _ => 1,
                    },
                    text(12).and_then(|t| fast_ts(t).or_else(|| parse_ts(t).ok())),
                ),
            });
            push_time += t_push.elapsed();
            t_row = std::time::Instant::now();
        }
        tracing::debug!(
            "queue table: {} rows, reading {:.0} ms, columns {:.0} ms",
            q.len(),
            sql_time.as_secs_f64() * 1000.0,
            push_time.as_secs_f64() * 1000.0
        );
        q.shrink_to_fit();
        Ok(q)
    }

    pub fn queue(&self, filter: &QueueFilter) -> Result<Vec<QueueRow>, StoreError> {
        let mut sql = String::from(
            "SELECT c.number, c.procedure, c.version_id, p.name, p.citizenship, c.status, c.next_due, c.next_due_kind,
                    c.assignee, c.received_at, c.accepted_at, c.next_due_unit,
                    c.current_stage,
                    (SELECT approval FROM decisions d WHERE d.case_number = c.number ORDER BY d.ord DESC LIMIT 1)
             FROM cases c JOIN persons p ON p.case_number = c.number AND p.ord = 0
             WHERE c.queue_due IS NOT NULL",
        );
        let mut args: Vec<String> = Vec::new();
        filter.narrow(&mut sql, &mut args);
        sql.push_str(" ORDER BY c.queue_due, c.queue_since, c.number");
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(super::engine::params_from_iter(args.iter()), |r| {
            // The number first, whatever else in the row cannot be read.
            let number = match r.get_ref(0)? {
                super::engine::ValueRef::Text(t) => String::from_utf8_lossy(t).to_string(),
                other => format!("{other:?}"),
            };
            let fields = (|| {
                Ok::<_, super::engine::Error>((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, String>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, Option<String>>(11)?,
                    r.get::<_, Option<i64>>(12)?,
                    r.get::<_, Option<String>>(13)?,
                ))
            })();
            Ok((number, fields))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (number, fields) = row?;
            // A value kezek cannot read (edited behind its back, or written by
            // a newer version) shows as one unreadable row, never hides the queue.
            match fields
                .map_err(StoreError::from)
                .and_then(|f| self.queue_row(f))
            {
                Ok(q) => out.push(q),
                Err(e) => out.push(QueueRow::unreadable(number, e)),
            }
        }
        Ok(out)
    }

    #[allow(clippy::type_complexity)]
    fn queue_row(
        &self,
        (
            number,
            procedure,
            version_id,
            applicant,
            citizenship,
            status,
            due,
            due_what,
            assignee,
            received,
            accepted,
            unit,
            stage,
            approval,
        ): (
            String,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<String>,
        ),
    ) -> Result<QueueRow, StoreError> {
        let stage = stage.and_then(|i| {
            self.rules
                .procedure(&procedure)
                .ok()
                .and_then(|p| p.version(&version_id))
                .and_then(|v| v.stages.get(i as usize))
                .map(|s| s.id.clone())
        });
        Ok(QueueRow {
            number,
            procedure,
            applicant,
            citizenship,
            status: enum_from(&status)?,
            stage,
            next_due: opt_ts(due)?,
            next_due_what: due_what,
            next_due_unit: unit.as_deref().map(enum_from).transpose()?,
            assignee,
            received_at: parse_ts(&received)?,
            accepted_at: opt_ts(accepted)?,
            approval,
            unreadable: None,
        })
    }

    /// Counts for the queue header and scripts.
    pub fn case_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))?)
    }
}

/// Which open cases to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub assignee: Option<String>,
    pub unassigned: bool,
    pub procedure: Option<String>,
    pub limit: Option<u32>,
}

impl QueueFilter {
    /// Add the filter's conditions on `cases c` to a query's WHERE clause,
    /// its values numbered after those already in `args`.
    fn narrow(&self, sql: &mut String, args: &mut Vec<String>) {
        if let Some(a) = &self.assignee {
            args.push(a.clone());
            sql.push_str(&format!(" AND c.assignee = ?{}", args.len()));
        }
        if self.unassigned {
            sql.push_str(" AND c.assignee IS NULL");
        }
        if let Some(p) = &self.procedure {
            args.push(p.clone());
            sql.push_str(&format!(" AND c.procedure = ?{}", args.len()));
        }
    }
}

/// One row of the queue.
#[derive(Debug, Clone, Serialize)]
pub struct QueueRow {
    pub number: String,
    pub procedure: String,
    pub applicant: String,
    pub citizenship: String,
    pub status: case::Status,
    pub stage: Option<String>,
    pub next_due: Option<DateTime<Utc>>,
    pub next_due_what: Option<String>,
    pub next_due_unit: Option<crate::domain::term::Unit>,
    pub assignee: Option<String>,
    pub received_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// The latest decision's approval state (`pending`, `returned`, ...),
    /// so the inspector sees a supervisor's answer in the queue.
    pub approval: Option<String>,
    /// The row holds a value kezek cannot read: why (the rest is empty).
    pub unreadable: Option<String>,
}

impl QueueRow {
    /// A case whose stored row cannot be read: shown by its number, first in
    /// the queue (it has no deadline kezek can trust), never dropped.
    fn unreadable(number: String, why: StoreError) -> QueueRow {
        use crate::domain::msg::Localize;
        QueueRow {
            number,
            procedure: String::new(),
            applicant: String::new(),
            citizenship: String::new(),
            status: case::Status::Received,
            stage: None,
            next_due: None,
            next_due_what: None,
            next_due_unit: None,
            assignee: None,
            received_at: DateTime::<Utc>::UNIX_EPOCH,
            accepted_at: None,
            approval: None,
            unreadable: Some(why.msg().text(crate::i18n::Lang::En)),
        }
    }
}

impl Store {
    /// Insert many new cases in one transaction: all or nothing. Cases whose
    /// number already exists are skipped (a re-import creates no duplicates).
    /// Returns (inserted, skipped).
    pub fn insert_cases(
        &mut self,
        actor: &Actor,
        cases: &[Case],
        now: DateTime<Utc>,
        action: &str,
    ) -> Result<(usize, usize), StoreError> {
        may_write(actor)?;
        self.write(|tx, cal, rules| {
            let mut inserted = 0;
            let mut skipped = 0;
            for c in cases {
                let exists: i64 = tx
                    .prepare_cached("SELECT count(*) FROM cases WHERE number = ?1")?
                    .query_row([&c.number], |r| r.get(0))?;
                if exists > 0 {
                    skipped += 1;
                    continue;
                }
                write_case(tx, cal, rules, c, &actor.login, now, None)?;
                audit::append(
                    tx,
                    now,
                    &actor.login,
                    Some(&c.number),
                    action,
                    None,
                    Some(&case_json(c)),
                )?;
                inserted += 1;
            }
            Ok((inserted, skipped))
        })
    }
}

impl Store {
    /// The computed checks of a case with their evidence, as of `now`.
    pub fn computed_checks(
        &self,
        c: &Case,
        now: DateTime<Utc>,
    ) -> Result<Vec<(String, crate::domain::checks::Computation)>, StoreError> {
        let version = version_of(&self.rules, c)?;
        let queries = SqlQueries {
            conn: &self.conn,
            zone: self.cal.zone(),
        };
        Ok(version
            .checks
            .iter()
            .filter_map(|k| {
                crate::domain::checks::compute(k, c, version, &self.cal, &queries, now)
                    .map(|r| (k.id.clone(), r))
            })
            .collect())
    }
}

/// A deadline that a new calendar or rule file moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moved {
    pub number: String,
    pub old: Option<DateTime<Utc>>,
    pub new: Option<DateTime<Utc>>,
    /// How the new deadline is computed.
    pub why: Option<String>,
}

/// What a recomputation found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recomputed {
    /// Cases whose deadlines were recomputed (every case still in the queue).
    pub cases: usize,
    pub moved: Vec<Moved>,
}

/// The calendar and the rules as the stored deadlines see them: every
/// day's working status in the covered years, the office hours, and the
/// procedure rules.
fn fingerprint(cal: &Calendar, rules: &Rules) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let (first, last) = cal.years();
    for y in first..=last {
        let mut day = NaiveDate::from_ymd_opt(y, 1, 1);
        while let Some(d) = day.filter(|d| chrono::Datelike::year(d) == y) {
            h.update([u8::from(cal.is_working(d).unwrap_or(false))]);
            day = d.succ_opt();
        }
    }
    h.update(format!("{:?}", cal.office()).as_bytes());
    for p in &rules.procedures {
        h.update(serde_json::to_string(p).unwrap_or_default().as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// Whether the calendar or the rules differ from those the stored
    /// deadlines were computed with. A database with no cases has nothing
    /// to recompute: it just takes note of them.
    pub fn rules_changed(&mut self) -> Result<bool, StoreError> {
        let now = fingerprint(&self.cal, &self.rules);
        let stored: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'deadline_fingerprint'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if stored.as_deref() == Some(now.as_str()) {
            return Ok(false);
        }
        if stored.is_none() && self.case_count()? == 0 {
            self.write(|tx, _, _| {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('deadline_fingerprint', ?1)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [&now],
                )?;
                Ok(())
            })?;
            return Ok(false);
        }
        Ok(true)
    }

    /// Recompute the stored deadline of every case still in the queue, in
    /// one transaction, with one audit row listing what moved; the
    /// fingerprint of the calendar and rules is stored with them.
    pub fn recompute_deadlines(&mut self, now: DateTime<Utc>) -> Result<Recomputed, StoreError> {
        let print = fingerprint(&self.cal, &self.rules);
        // On a server with kezek's rights every audit row is in the name of
        // the connection's own role; elsewhere the recomputation is kezek's.
        let by = self.server_login()?.unwrap_or_else(|| "kezek".to_string());
        let by = by.as_str();
        self.write(|tx, cal, rules| {
            let numbers: Vec<String> = tx
                .prepare("SELECT number FROM cases WHERE status IN ('received', 'accepted', 'decided') ORDER BY number")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut moved = Vec::new();
            for number in &numbers {
                let Some(loaded) = load(tx, number)? else {
                    continue;
                };
                let c = &loaded.case;
                let version = version_of(rules, c)?;
                let old: Option<String> = tx.query_row(
                    "SELECT next_due FROM cases WHERE number = ?1",
                    [number],
                    |r| r.get(0),
                )?;
                // A case decided under the old rules with nothing left to do
                // (a stage its decision settles) goes to the archive now.
                let mut after = c.clone();
                let archived = case::settle(&after, version, now);
                if let Some(e) = &archived {
                    case::apply(&mut after, version, e);
                }
                let (due, kind, _) = next_due(&after, version, cal);
                if due == old && archived.is_none() {
                    continue;
                }
                let v = write_case(
                    tx,
                    cal,
                    rules,
                    &after,
                    by,
                    now,
                    Some(loaded.row_version),
                )?;
                // A moved deadline touches nothing a person edits: no
                // console's save conflicts with it.
                record_touch(tx, number, v, by, now, &[])?;
                // The archive is a change of the case: its own audit row.
                if archived.is_some() {
                    audit::append(
                        tx,
                        now,
                        by,
                        Some(number),
                        "archived",
                        Some(&case_json(c)),
                        Some(&case_json(&after)),
                    )?;
                }
                moved.push(Moved {
                    number: number.clone(),
                    old: opt_ts(old)?,
                    new: if archived.is_some() { None } else { opt_ts(due)? },
                    why: if archived.is_some() {
                        Some("archived: nothing remains after the decision".to_string())
                    } else {
                        kind
                    },
                });
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('deadline_fingerprint', ?1)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [&print],
            )?;
            if !moved.is_empty() {
                let detail = serde_json::to_string(&moved).unwrap_or_default();
                audit::append(
                    tx,
                    now,
                    by,
                    None,
                    "deadlines.recompute",
                    None,
                    Some(&detail),
                )?;
            }
            Ok(Recomputed {
                cases: numbers.len(),
                moved,
            })
        })
    }
}
