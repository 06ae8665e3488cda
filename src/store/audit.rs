//! The audit log: every change, in the same transaction, hash-chained.

use crate::domain::msg::Msg;
use crate::msg;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Store, StoreError, ts};

/// The hash before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[allow(clippy::too_many_arguments)]
fn row_hash(
    seq: i64,
    at: &str,
    actor: &str,
    case: Option<&str>,
    action: &str,
    before: Option<&str>,
    after: Option<&str>,
    prev: &str,
) -> String {
    // Each field is fed length-first (absent: a marker), so no two different
    // rows hash the same input.
    let mut h = Sha256::new();
    let mut field = |v: Option<&str>| match v {
        Some(v) => {
            h.update((v.len() as u64).to_le_bytes());
            h.update(v.as_bytes());
        }
        None => h.update(u64::MAX.to_le_bytes()),
    };
    field(Some(&seq.to_string()));
    field(Some(at));
    field(Some(actor));
    field(case);
    field(Some(action));
    field(before);
    field(after);
    field(Some(prev));
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Append one row and move the chain head.
#[allow(clippy::too_many_arguments)]
pub fn append(
    tx: &Transaction<'_>,
    at: DateTime<Utc>,
    actor: &str,
    case: Option<&str>,
    action: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<(), StoreError> {
    let head: Option<(i64, String)> = tx
        .prepare_cached("SELECT seq, hash FROM audit_head WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = match head {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let at = ts(at);
    let hash = row_hash(seq, &at, actor, case, action, before, after, &prev);
    tx.prepare_cached(
        "INSERT INTO audit (seq, at, actor, case_number, action, before, after, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        seq, at, actor, case, action, before, after, prev, hash
    ])?;
    tx.prepare_cached(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )?
    .execute(params![seq, hash])?;
    Ok(())
}

/// One audit row as shown to people.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub case_number: Option<String>,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The first place where the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    pub seq: i64,
    #[serde(skip)]
    pub reason: Msg,
}

/// The result of verifying the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub rows: i64,
    pub first_break: Option<Break>,
}

impl Store {
    /// Walk the whole chain and report the first row that does not fit.
    pub fn verify_audit(&self) -> Result<Verification, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, actor, case_number, action, before, after, prev_hash, hash FROM audit ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        let mut expected_seq = 1i64;
        let mut prev = GENESIS.to_string();
        let mut count = 0i64;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let at: String = r.get(1)?;
            let actor: String = r.get(2)?;
            let case: Option<String> = r.get(3)?;
            let action: String = r.get(4)?;
            let before: Option<String> = r.get(5)?;
            let after: Option<String> = r.get(6)?;
            let prev_hash: String = r.get(7)?;
            let hash: String = r.get(8)?;
            count += 1;
            let fail = |reason: Msg| {
                Ok(Verification {
                    rows: count,
                    first_break: Some(Break { seq, reason }),
                })
            };
            if seq != expected_seq {
                return fail(msg!(
                    "error.audit.missing",
                    from = expected_seq,
                    to = seq - 1
                ));
            }
            if prev_hash != prev {
                return fail(Msg::key("error.audit.link"));
            }
            let recomputed = row_hash(
                seq,
                &at,
                &actor,
                case.as_deref(),
                &action,
                before.as_deref(),
                after.as_deref(),
                &prev_hash,
            );
            if recomputed != hash {
                return fail(Msg::key("error.audit.edited"));
            }
            prev = hash;
            expected_seq += 1;
        }
        let head: Option<(i64, String)> = self
            .conn
            .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let last = expected_seq - 1;
        match head {
            None if last == 0 => {
                let data: i64 = self.conn.query_row(
                    "SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM users)",
                    [],
                    |r| r.get(0),
                )?;
                if data > 0 {
                    return Ok(Verification {
                        rows: 0,
                        first_break: Some(Break {
                            seq: 1,
                            reason: Msg::key("error.audit.emptied"),
                        }),
                    });
                }
            }
            None => {
                return Ok(Verification {
                    rows: count,
                    first_break: Some(Break {
                        seq: last,
                        reason: Msg::key("error.audit.no-head"),
                    }),
                });
            }
            Some((hseq, hhash)) if hseq != last || hhash != prev => {
                return Ok(Verification {
                    rows: count,
                    first_break: Some(Break {
                        seq: last + 1,
                        reason: msg!("error.audit.ends", last = last, head = hseq),
                    }),
                });
            }
            Some(_) => {}
        }
        Ok(Verification {
            rows: count,
            first_break: None,
        })
    }

    /// A case's history, oldest first.
    pub fn audit_of(&self, case: &str) -> Result<Vec<AuditRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, actor, case_number, action, before, after FROM audit WHERE case_number = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([case], |r| {
            Ok(AuditRow {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                case_number: r.get(3)?,
                action: r.get(4)?,
                before: r.get(5)?,
                after: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}
