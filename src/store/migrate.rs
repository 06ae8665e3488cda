//! Moving an office up: an office's SQLite database into its unit on the
//! regional PostgreSQL server, all or nothing.
//!
//! The office's chain is verified with the office's key before anything is
//! written. Its rows are then appended, in order, to the server's chain (one
//! chain per server: the server numbers, links and signs every row under its
//! own key, whatever unit it belongs to; each row carries its unit), with
//! their time, actor, case, action and values unchanged. A last row,
//! `office.migrated`, anchors the office's chain head (its last sequence
//! number and hash) and the range of server rows it became. Before the
//! commit the new rows are checked against the office's one by one and the
//! server's signatures over them are recomputed; any difference, and every
//! refusal of the rights (a case without its audit row...), rolls the whole
//! move back. A second move into a unit that already holds cases is refused.

use std::io::Write;
use std::path::Path;

use rusqlite::types::Value;
use serde::Serialize;

use super::region::{pg_error, server_text};
use super::{Store, StoreError};
use crate::msg;

/// The tables recorded on a case, in an order that satisfies their keys.
const CASE_TABLES: &[&str] = &[
    "persons",
    "documents",
    "stages",
    "check_results",
    "hearing_notices",
    "hearings",
    "decisions",
    "duplicates",
    "complaints",
    "notes",
    "case_touches",
    "requests",
    "transfers",
    "issued_notices",
    "drafts",
];

/// What was moved.
#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    pub unit: String,
    pub users: usize,
    pub cases: i64,
    /// Rows per table recorded on cases.
    pub rows: Vec<(String, i64)>,
    pub incidents: i64,
    pub audit_rows: i64,
    /// The office's chain head: its last sequence number and hash.
    pub office_head: Option<(i64, String)>,
    /// The server's sequence numbers the office's rows became.
    pub first_seq: Option<i64>,
    pub last_seq: Option<i64>,
}

/// One value in PostgreSQL's COPY text format.
fn copy_field(out: &mut Vec<u8>, v: &Value) -> Result<(), StoreError> {
    match v {
        Value::Null => out.extend_from_slice(b"\\N"),
        Value::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Value::Real(f) => out.extend_from_slice(f.to_string().as_bytes()),
        Value::Text(s) => {
            for b in s.bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(b),
                }
            }
        }
        Value::Blob(_) => {
            return Err(StoreError::Sql(
                "a binary value where kezek keeps text".into(),
            ));
        }
    }
    Ok(())
}

/// The columns of `table` on both sides (the server's extra columns, such
/// as `unit`, are set by the server; identity ids are the server's).
fn columns(
    office: &rusqlite::Connection,
    tx: &mut postgres::Transaction<'_>,
    table: &str,
) -> Result<Vec<String>, StoreError> {
    let mut stmt = office.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?;
    let local: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let remote: Vec<String> = tx
        .query(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name = $1",
            &[&table],
        )
        .map_err(pg_error)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(local
        .into_iter()
        .filter(|c| c != "id" && c != "unit" && remote.contains(c))
        .collect())
}

/// COPY the rows `select` gives (columns `cols`, then `extra` values) into `table`.
fn copy_rows(
    office: &rusqlite::Connection,
    tx: &mut postgres::Transaction<'_>,
    table: &str,
    cols: &[String],
    select: &str,
    extra: &[(&str, &str)],
) -> Result<i64, StoreError> {
    let mut names: Vec<String> = cols.iter().map(|c| format!("\"{c}\"")).collect();
    names.extend(extra.iter().map(|(c, _)| format!("\"{c}\"")));
    let mut writer = tx
        .copy_in(&format!("COPY {table} ({}) FROM STDIN", names.join(", ")))
        .map_err(pg_error)?;
    let mut stmt = office.prepare(select)?;
    let mut rows = stmt.query([])?;
    let mut n = 0i64;
    let mut buf = Vec::with_capacity(1 << 16);
    while let Some(r) = rows.next()? {
        for i in 0..cols.len() {
            if i > 0 {
                buf.push(b'\t');
            }
            copy_field(&mut buf, &r.get::<_, Value>(i)?)?;
        }
        for (_, v) in extra {
            buf.push(b'\t');
            copy_field(&mut buf, &Value::Text((*v).to_string()))?;
        }
        buf.push(b'\n');
        n += 1;
        if buf.len() > 1 << 20 {
            writer
                .write_all(&buf)
                .map_err(|e| StoreError::Sql(e.to_string()))?;
            buf.clear();
        }
    }
    writer
        .write_all(&buf)
        .map_err(|e| StoreError::Sql(e.to_string()))?;
    writer.finish().map_err(pg_error)?;
    Ok(n)
}

/// An audit row's carried fields: at, actor, case, action, before, after.
type Carried = (
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

/// Move the office database `office` (opened, its chain verified by the
/// caller's `Store`) into `unit` of the server `pg` (an administrator's
/// connection), creating the unit in `region` when it is new.
pub fn migrate(
    office: &Store,
    office_path: &Path,
    pg: &mut postgres::Client,
    unit: &str,
    region: Option<&str>,
) -> Result<Moved, StoreError> {
    let Some(o) = office.conn.as_sqlite() else {
        return Err(StoreError::Invalid(msg!(
            "error.migrate.not-office",
            path = office_path.display().to_string()
        )));
    };
    if super::region::rights_version(pg)?.is_none() {
        return Err(StoreError::Invalid(msg!("error.region.no-rights")));
    }
    // The office's own chain first: a broken chain is not moved.
    let check = office.verify_audit()?;
    if let Some(b) = check.first_break {
        return Err(StoreError::Invalid(msg!(
            "error.migrate.office-chain",
            path = office_path.display().to_string(),
            seq = b.seq
        )));
    }
    let office_head: Option<(i64, String)> = o
        .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .ok();

    let mut tx = pg.transaction().map_err(pg_error)?;
    // One move at a time into a region's server.
    tx.execute("LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE", &[])
        .map_err(pg_error)?;
    let known: Option<String> = tx
        .query_opt("SELECT region FROM units WHERE name = $1", &[&unit])
        .map_err(pg_error)?
        .map(|r| r.get(0));
    match (known, region) {
        (Some(r), Some(want)) if r != want => {
            return Err(StoreError::Invalid(msg!(
                "error.region.unit-elsewhere",
                unit = unit,
                region = r
            )));
        }
        (Some(_), _) => {}
        (None, Some(want)) => {
            tx.execute(
                "INSERT INTO units (name, region) VALUES ($1, $2)",
                &[&unit, &want],
            )
            .map_err(|e| {
                StoreError::Invalid(msg!(
                    "error.region.bad-unit",
                    unit = unit,
                    detail = server_text(&e)
                ))
            })?;
        }
        (None, None) => {
            return Err(StoreError::Invalid(msg!(
                "error.migrate.need-region",
                unit = unit
            )));
        }
    }
    // A second move is refused: the unit already holds cases.
    let (held, moved_at): (i64, Option<String>) = {
        let r = tx
            .query_one(
                "SELECT (SELECT count(*) FROM cases WHERE unit = $1),
                        (SELECT max(at) FROM audit WHERE unit = $1 AND action = 'office.migrated')",
                &[&unit],
            )
            .map_err(pg_error)?;
        (r.get(0), r.get(1))
    };
    if held > 0 || moved_at.is_some() {
        return Err(StoreError::Invalid(msg!(
            "error.migrate.again",
            unit = unit,
            cases = held,
            at = moved_at.unwrap_or_default()
        )));
    }
    // Case numbers and logins are the server's: none may be taken.
    let numbers: Vec<String> = o
        .prepare("SELECT number FROM cases ORDER BY number")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let taken: Vec<String> = tx
        .query(
            "SELECT number FROM cases WHERE number = ANY ($1) ORDER BY number LIMIT 5",
            &[&numbers],
        )
        .map_err(pg_error)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if !taken.is_empty() {
        return Err(StoreError::Invalid(msg!(
            "error.migrate.numbers-taken",
            numbers = taken.join(", ")
        )));
    }
    let users: Vec<(String, String, String)> = o
        .prepare("SELECT login, name, role FROM users ORDER BY login")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let logins: Vec<String> = users.iter().map(|u| u.0.clone()).collect();
    let taken: Vec<String> = tx
        .query(
            "SELECT login || ' (' || coalesce(unit, region) || ')' FROM users
             WHERE login = ANY ($1) ORDER BY login",
            &[&logins],
        )
        .map_err(pg_error)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if !taken.is_empty() {
        return Err(StoreError::Invalid(msg!(
            "error.migrate.logins-taken",
            logins = taken.join(", ")
        )));
    }

    for (login, name, role) in &users {
        tx.query_one(
            "SELECT kezek_user_add($1, $2, $3, $4)",
            &[login, name, role, &unit],
        )
        .map_err(pg_error)?;
    }
    let cols = columns(o, &mut tx, "cases")?;
    let cases = copy_rows(
        o,
        &mut tx,
        "cases",
        &cols,
        &format!("SELECT {} FROM cases ORDER BY number", quoted(&cols)),
        &[("unit", unit)],
    )?;
    let mut rows = Vec::new();
    for table in CASE_TABLES {
        let cols = columns(o, &mut tx, table)?;
        let order = if *table == "issued_notices" {
            "id"
        } else {
            "rowid"
        };
        let n = copy_rows(
            o,
            &mut tx,
            table,
            &cols,
            &format!("SELECT {} FROM {table} ORDER BY {order}", quoted(&cols)),
            &[],
        )?;
        rows.push(((*table).to_string(), n));
    }
    let cols = columns(o, &mut tx, "incidents")?;
    let incidents = copy_rows(
        o,
        &mut tx,
        "incidents",
        &cols,
        &format!("SELECT {} FROM incidents ORDER BY id", quoted(&cols)),
        &[("unit", unit)],
    )?;
    // What the stored deadlines were computed with (shared by the region's
    // units, which run the same kezek): kept when the server has none.
    let meta: Vec<(String, String)> = o
        .prepare("SELECT key, value FROM meta WHERE key <> 'rights_version' ORDER BY key")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (k, v) in &meta {
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            &[k, v],
        )
        .map_err(pg_error)?;
    }
    // The chain: the office's rows in order, signed again by the server.
    let before_seq: i64 = tx
        .query_one("SELECT coalesce(max(seq), 0) FROM audit", &[])
        .map_err(pg_error)?
        .get(0);
    let audit_cols: Vec<String> = ["at", "actor", "case_number", "action", "before", "after"]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
    let audit_rows = copy_rows(
        o,
        &mut tx,
        "audit",
        &audit_cols,
        "SELECT at, actor, case_number, action, before, after FROM audit ORDER BY seq",
        &[("unit", unit)],
    )?;
    // Carried over exactly: the last `audit_rows` rows of this transaction
    // are the office's rows, in the office's order.
    let carried: Vec<Carried> = o
        .prepare("SELECT at, actor, case_number, action, before, after FROM audit ORDER BY seq")?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let arrived = tx
        .query(
            "SELECT at, actor, case_number, action, before, after FROM (
                SELECT * FROM audit WHERE seq > $1 ORDER BY seq DESC LIMIT $2) t ORDER BY seq",
            &[&before_seq, &audit_rows],
        )
        .map_err(pg_error)?;
    let arrived: Vec<Carried> = arrived
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
        .collect();
    if arrived != carried {
        let at = carried
            .iter()
            .zip(&arrived)
            .position(|(a, b)| a != b)
            .unwrap_or(carried.len().min(arrived.len()));
        return Err(StoreError::Invalid(msg!(
            "error.migrate.differs",
            seq = at as i64 + 1
        )));
    }
    // The server's signatures over every row this move wrote, and their links.
    let bad: Option<i64> = tx
        .query_one(
            "SELECT min(a.seq) FROM audit a LEFT JOIN audit p ON p.seq = a.seq - 1
             WHERE a.seq > $1 AND (a.hash <> kezek_audit_mac(a.seq, a.at, a.actor, a.case_number,
                   a.action, a.before, a.after, a.prev_hash)
                OR a.prev_hash <> coalesce(p.hash, '0000000000000000000000000000000000000000000000000000000000000000'))",
            &[&before_seq],
        )
        .map_err(pg_error)?
        .get(0);
    if let Some(seq) = bad {
        return Err(StoreError::Invalid(msg!(
            "error.migrate.server-chain",
            seq = seq
        )));
    }
    let last_server: i64 = tx
        .query_one("SELECT coalesce(max(seq), 0) FROM audit", &[])
        .map_err(pg_error)?
        .get(0);
    let anchor = serde_json::json!({
        "from": office_path.display().to_string(),
        "unit": unit,
        "office_rows": audit_rows,
        "office_head_seq": office_head.as_ref().map(|h| h.0),
        "office_head_hash": office_head.as_ref().map(|h| h.1.clone()),
        "first_seq": last_server - audit_rows + 1,
        "last_seq": last_server,
        "cases": cases,
    });
    tx.execute(
        "INSERT INTO audit (at, actor, case_number, action, before, after, unit)
         VALUES (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), session_user,
                 NULL, 'office.migrated', NULL, $1, $2)",
        &[&anchor.to_string(), &unit],
    )
    .map_err(pg_error)?;
    // The rights' checks that wait for the commit (every case has its
    // audit row...) run here; a refusal rolls everything back.
    tx.commit().map_err(pg_error)?;
    Ok(Moved {
        unit: unit.to_string(),
        users: users.len(),
        cases,
        rows,
        incidents,
        audit_rows,
        office_head,
        first_seq: (audit_rows > 0).then_some(last_server - audit_rows + 1),
        last_seq: (audit_rows > 0).then_some(last_server),
    })
}

fn quoted(cols: &[String]) -> String {
    cols.iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
