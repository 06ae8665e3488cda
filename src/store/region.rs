//! A region on one PostgreSQL server: the regional board (units side by
//! side), the administrator's set-up of the schema and the rights, and the
//! server's own check of the audit chain. Read-only queries here can go to
//! a streaming replica (`--read-db`).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{StoreError, ts};
use crate::domain::msg::Msg;
use crate::msg;

/// Connect to the server at `url` (`postgres://…` or libpq's
/// `host=… dbname=…`). The connection's role is the user.
pub fn connect(url: &str) -> Result<postgres::Client, StoreError> {
    use super::engine::pg;
    let config = pg::config(url)
        .map_err(|e| StoreError::Invalid(msg!("error.region.url", detail = e.to_string())))?;
    let session = if config.get_ssl_mode() == postgres::config::SslMode::Disable {
        config.connect(postgres::NoTls)
    } else {
        let tls = pg::tls().map_err(|e| StoreError::Open(redact(url), e.to_string()))?;
        config.connect(tls)
    };
    session.map_err(|e| StoreError::Open(redact(url), server_text(&e)))
}

/// A URL as it may be shown: without its password.
pub fn redact(url: &str) -> String {
    super::engine::pg::redact(url)
}

/// The server's words for an error (its message, not the driver's wrapper).
pub fn server_text(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => e.to_string(),
    }
}

/// A server error as a store error: a refusal by the rights (SQLSTATE
/// 42501, or a row-level security violation) is `Denied`.
pub fn pg_error(e: postgres::Error) -> StoreError {
    let refused = e.code().is_some_and(|c| {
        *c == postgres::error::SqlState::INSUFFICIENT_PRIVILEGE
            || *c == postgres::error::SqlState::WITH_CHECK_OPTION_VIOLATION
    });
    let text = crate::domain::text::printable(&server_text(&e)).to_string();
    if refused {
        StoreError::Denied(msg!("error.region.refused", detail = text))
    } else {
        StoreError::Sql(text)
    }
}

/// Whether the server's schema has kezek's rights, and which version.
pub fn rights_version(c: &mut postgres::Client) -> Result<Option<String>, StoreError> {
    let has_meta: bool = c
        .query_one("SELECT to_regclass('public.meta') IS NOT NULL", &[])
        .map_err(pg_error)?
        .get(0);
    if !has_meta {
        return Ok(None);
    }
    Ok(
        c.query_opt("SELECT value FROM meta WHERE key = 'rights_version'", &[])
            .map_err(pg_error)?
            .map(|r| r.get(0)),
    )
}

/// The administrator's set-up of a new regional database: kezek's schema
/// (when the server has none) and the rights, in one transaction.
pub fn prepare(c: &mut postgres::Client) -> Result<(), StoreError> {
    use super::engine::pg_schema::{BOOTSTRAP, MIGRATIONS};
    let mut tx = c.transaction().map_err(pg_error)?;
    let has_schema: bool = tx
        .query_one(
            "SELECT to_regclass('public.schema_version') IS NOT NULL",
            &[],
        )
        .map_err(pg_error)?
        .get(0);
    let version: i64 = if has_schema {
        tx.query_one("SELECT version FROM schema_version WHERE id = 1", &[])
            .map_err(pg_error)?
            .get(0)
    } else {
        tx.batch_execute(BOOTSTRAP).map_err(pg_error)?;
        0
    };
    let from = usize::try_from(version).unwrap_or(usize::MAX);
    for m in MIGRATIONS.iter().skip(from) {
        tx.batch_execute(m).map_err(pg_error)?;
    }
    if from < MIGRATIONS.len() {
        let n = MIGRATIONS.len() as i64;
        tx.execute("UPDATE schema_version SET version = $1 WHERE id = 1", &[&n])
            .map_err(pg_error)?;
    }
    tx.batch_execute(super::rights::SQL).map_err(pg_error)?;
    tx.commit().map_err(pg_error)
}

/// Add a unit to a region (the administrator's).
pub fn add_unit(
    c: &mut postgres::Client,
    name: &str,
    region: &str,
    title: &str,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO units (name, region, title) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET title = excluded.title
         WHERE units.region = excluded.region",
        &[&name, &region, &title],
    )
    .map_err(pg_error)?;
    let found: Option<String> = c
        .query_opt("SELECT region FROM units WHERE name = $1", &[&name])
        .map_err(pg_error)?
        .map(|r| r.get(0));
    match found {
        Some(r) if r == region => Ok(()),
        Some(r) => Err(StoreError::Invalid(msg!(
            "error.region.unit-elsewhere",
            unit = name,
            region = r
        ))),
        None => Err(StoreError::Invalid(msg!(
            "error.region.no-unit",
            unit = name
        ))),
    }
}

/// Add a kezek user on the server: a login role in its group role, in a
/// unit (or, for a regional user, a region), with its audit row. The
/// server checks that the caller may (`kezek_user_add`).
pub fn add_user(
    c: &mut postgres::Client,
    login: &str,
    name: &str,
    role: &str,
    unit: Option<&str>,
    region: Option<&str>,
) -> Result<String, StoreError> {
    let row = c
        .query_one(
            "SELECT kezek_user_add($1, $2, $3, $4, $5)",
            &[&login, &name, &role, &unit, &region],
        )
        .map_err(pg_error)?;
    Ok(row.get(0))
}

/// One unit on the regional board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitLoad {
    pub unit: String,
    pub region: String,
    pub title: String,
    /// Open cases (in the queue).
    pub open: i64,
    /// Open cases whose nearest deadline has passed.
    pub overdue: i64,
    /// Decisions waiting for approval.
    pub waiting: i64,
    /// Of those, conclusions that go up to UMS DP (the region approves them).
    pub waiting_region: i64,
}

/// The board of every unit the connection's role may see (a regional role:
/// its region's units), units side by side.
pub fn board(c: &mut postgres::Client, now: DateTime<Utc>) -> Result<Vec<UnitLoad>, StoreError> {
    let now = ts(now);
    let rows = c
        .query(
            "SELECT u.name, u.region, u.title,
                    count(c.number),
                    count(c.number) FILTER (WHERE c.next_due < $1),
                    count(c.number) FILTER (WHERE c.q_approval = 'pending'),
                    count(c.number) FILTER (WHERE c.q_approval = 'pending'
                        AND c.procedure IN (SELECT procedure FROM region_procedures))
             FROM units u
             LEFT JOIN cases c ON c.unit = u.name AND c.queue_due IS NOT NULL
             WHERE u.name = ANY (kezek_my_units())
             GROUP BY u.name, u.region, u.title
             ORDER BY u.region, u.name",
            &[&now],
        )
        .map_err(pg_error)?;
    Ok(rows
        .iter()
        .map(|r| UnitLoad {
            unit: r.get(0),
            region: r.get(1),
            title: r.get(2),
            open: r.get(3),
            overdue: r.get(4),
            waiting: r.get(5),
            waiting_region: r.get(6),
        })
        .collect())
}

/// A decision waiting for the region's approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiting {
    pub unit: String,
    pub number: String,
    pub procedure: String,
    pub decided_by: String,
    pub decided_at: String,
}

/// The conclusions sent up to UMS DP that wait for approval, oldest first.
pub fn waiting_for_region(c: &mut postgres::Client) -> Result<Vec<Waiting>, StoreError> {
    let rows = c
        .query(
            "SELECT c.unit, c.number, c.procedure, d.by_login, d.at
             FROM cases c
             JOIN decisions d ON d.case_number = c.number AND d.approval = 'pending'
             WHERE c.queue_due IS NOT NULL AND c.q_approval = 'pending'
               AND c.procedure IN (SELECT procedure FROM region_procedures)
             ORDER BY d.at, c.number",
            &[],
        )
        .map_err(pg_error)?;
    Ok(rows
        .iter()
        .map(|r| Waiting {
            unit: r.get(0),
            number: r.get(1),
            procedure: r.get(2),
            decided_by: r.get(3),
            decided_at: r.get(4),
        })
        .collect())
}

/// The server's check of the whole audit chain (every unit's rows, which
/// no single unit's role can read): rows checked and the first break.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainCheck {
    pub rows: i64,
    pub first_break: Option<i64>,
    pub reason: Option<String>,
}

pub fn verify_chain(c: &mut postgres::Client) -> Result<ChainCheck, StoreError> {
    let r = c
        .query_one(
            "SELECT rows, first_break, reason FROM kezek_audit_verify()",
            &[],
        )
        .map_err(pg_error)?;
    Ok(ChainCheck {
        rows: r.get(0),
        first_break: r.get(1),
        reason: r.get(2),
    })
}

/// A message for a chain that does not verify.
pub fn chain_break(check: &ChainCheck) -> Msg {
    msg!(
        "error.region.chain",
        seq = check.first_break.unwrap_or(0),
        reason = check.reason.clone().unwrap_or_default()
    )
}

/// Change a user's role on the server (`kezek_user_set_role`: a
/// supervisor of the user's unit, never their own role).
pub fn set_role(c: &mut postgres::Client, login: &str, role: &str) -> Result<(), StoreError> {
    c.query_one("SELECT kezek_user_set_role($1, $2)", &[&login, &role])
        .map_err(pg_error)?;
    Ok(())
}

/// A user as the server lists it: the unit, or the region of a regional user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionUser {
    pub login: String,
    pub name: String,
    pub role: String,
    pub place: String,
}

/// The users the connection's role may see.
pub fn users(c: &mut postgres::Client) -> Result<Vec<RegionUser>, StoreError> {
    Ok(c.query(
        "SELECT login, name, role, coalesce(unit, region, '') FROM users ORDER BY login",
        &[],
    )
    .map_err(pg_error)?
    .iter()
    .map(|r| RegionUser {
        login: r.get(0),
        name: r.get(1),
        role: r.get(2),
        place: r.get(3),
    })
    .collect())
}
