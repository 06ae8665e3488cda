//! The audit log: every change, in the same transaction, hash-chained.

use super::engine::{OptionalExtension, Tx, params};
use crate::domain::msg::Msg;
use crate::msg;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Store, StoreError, ts};

/// The hash before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The bytes a row's hash covers. Each field is fed length-first (absent:
/// a marker), so no two different rows give the same input.
#[allow(clippy::too_many_arguments)]
pub fn row_input(
    seq: i64,
    at: &str,
    actor: &str,
    case: Option<&str>,
    action: &str,
    before: Option<&str>,
    after: Option<&str>,
    prev: &str,
) -> Vec<u8> {
    let mut h = Vec::with_capacity(
        128 + before.map_or(0, str::len) + after.map_or(0, str::len) + action.len(),
    );
    let mut field = |v: Option<&str>| match v {
        Some(v) => {
            h.extend((v.len() as u64).to_le_bytes());
            h.extend(v.as_bytes());
        }
        None => h.extend(u64::MAX.to_le_bytes()),
    };
    field(Some(&seq.to_string()));
    field(Some(at));
    field(Some(actor));
    field(case);
    field(Some(action));
    field(before);
    field(after);
    field(Some(prev));
    h
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A row's hash: HMAC-SHA-256 under the audit key when the database has
/// one (whoever lacks the key cannot recompute the chain after an edit),
/// plain SHA-256 for a database made before keys.
pub fn mac_hex(key: Option<&[u8]>, input: &[u8]) -> String {
    use hmac::{KeyInit, Mac};
    match key.map(hmac::Hmac::<Sha256>::new_from_slice) {
        Some(Ok(mut m)) => {
            m.update(input);
            hex(&m.finalize().into_bytes())
        }
        // HMAC takes a key of any length; an error here cannot happen, and
        // would give a hash no row matches rather than an unkeyed one.
        Some(Err(_)) => String::new(),
        None => hex(&Sha256::digest(input)),
    }
}

/// The SQL function the write path hashes rows with: the key stays inside
/// this connection, and transactions need no extra argument.
pub(crate) fn register(
    conn: &rusqlite::Connection,
    key: Option<std::sync::Arc<Vec<u8>>>,
) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "kezek_audit_mac",
        1,
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_DIRECTONLY,
        move |ctx| {
            let input: Vec<u8> = ctx.get(0)?;
            Ok(mac_hex(key.as_deref().map(Vec::as_slice), &input))
        },
    )
}

/// What changed between two JSON objects, as the pair kept in the log:
/// `before = {"diff": 1, "set": {field: old value}, "length": {list: old length}}`,
/// `after = {"diff": 1, "set": {field: new value}, "append": {list: [new items]},
/// "unset": [field]}`. A list that only grew (notes, documents) records its
/// new items alone, so a note on a case with 300,000 documents adds a note.
/// `None` when either side is not a JSON object (kept as given).
pub fn field_diff(before: &str, after: &str) -> Option<(String, String)> {
    use serde_json::{Map, Value};
    let (Ok(Value::Object(b)), Ok(Value::Object(a))) = (
        serde_json::from_str::<Value>(before),
        serde_json::from_str::<Value>(after),
    ) else {
        return None;
    };
    let (mut old, mut new, mut append, mut length) =
        (Map::new(), Map::new(), Map::new(), Map::new());
    let mut unset = Vec::new();
    for (k, av) in &a {
        match (b.get(k), av) {
            (Some(bv), _) if bv == av => {}
            (Some(Value::Array(bl)), Value::Array(al))
                if al.len() > bl.len() && al[..bl.len()] == bl[..] =>
            {
                append.insert(k.clone(), Value::Array(al[bl.len()..].to_vec()));
                length.insert(k.clone(), Value::from(bl.len()));
            }
            (bv, _) => {
                if let Some(bv) = bv {
                    old.insert(k.clone(), bv.clone());
                }
                new.insert(k.clone(), av.clone());
            }
        }
    }
    for (k, bv) in &b {
        if !a.contains_key(k) {
            old.insert(k.clone(), bv.clone());
            unset.push(Value::String(k.clone()));
        }
    }
    let before = serde_json::json!({ "diff": 1, "set": old, "length": length });
    let after = serde_json::json!({ "diff": 1, "set": new, "append": append, "unset": unset });
    Some((before.to_string(), after.to_string()))
}

/// Apply one logged `after` to a record's state: a diff is replayed, a
/// whole record (a creation, or a row written before diffs) replaces it.
pub fn replay(state: &mut serde_json::Value, after: &str) {
    use serde_json::Value;
    let Ok(v) = serde_json::from_str::<Value>(after) else {
        *state = Value::Null;
        return;
    };
    if v.get("diff") != Some(&Value::from(1)) {
        *state = v;
        return;
    }
    let Value::Object(s) = state else {
        return;
    };
    if let Some(Value::Object(set)) = v.get("set") {
        for (k, x) in set {
            s.insert(k.clone(), x.clone());
        }
    }
    if let Some(Value::Object(append)) = v.get("append") {
        for (k, items) in append {
            if let (Some(Value::Array(list)), Value::Array(items)) = (s.get_mut(k), items) {
                list.extend(items.iter().cloned());
            }
        }
    }
    if let Some(Value::Array(unset)) = v.get("unset") {
        for k in unset.iter().filter_map(Value::as_str) {
            s.remove(k);
        }
    }
}

/// A logged row's hashed fields: seq, at, actor, case, action, before, after.
type LoggedRow = (
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

/// Append one row and move the chain head.
#[allow(clippy::too_many_arguments)]
pub fn append(
    tx: &Tx<'_>,
    at: DateTime<Utc>,
    actor: &str,
    case: Option<&str>,
    action: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<(), StoreError> {
    let at = ts(at);
    // A change of a whole record is kept as what changed, not two copies.
    let diff = match (before, after) {
        (Some(b), Some(a)) => field_diff(b, a),
        _ => None,
    };
    let (before, after) = match &diff {
        Some((b, a)) => (Some(b.as_str()), Some(a.as_str())),
        None => (before, after),
    };
    if tx.engine() == super::engine::Engine::Postgres {
        // The server numbers, links and signs the row (see `pg_schema`).
        tx.prepare_cached(
            "INSERT INTO audit (at, actor, case_number, action, before, after)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![at, actor, case, action, before, after])?;
        return Ok(());
    }
    let head: Option<(i64, String)> = tx
        .prepare_cached("SELECT seq, hash FROM audit_head WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = match head {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let input = row_input(seq, &at, actor, case, action, before, after, &prev);
    let hash: String = tx
        .prepare_cached("SELECT kezek_audit_mac(?1)")?
        .query_row([&input], |r| r.get(0))?;
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
        // On PostgreSQL the server recomputes each row's MAC: its key
        // never leaves it.
        let server = self.conn.engine() == super::engine::Engine::Postgres;
        let mut stmt = self.conn.prepare(if server {
            "SELECT seq, at, actor, case_number, action, before, after, prev_hash, hash,
                    kezek_audit_mac(seq, at, actor, case_number, action, before, after, prev_hash)
             FROM audit ORDER BY seq"
        } else {
            "SELECT seq, at, actor, case_number, action, before, after, prev_hash, hash FROM audit ORDER BY seq"
        })?;
        let mut rows = stmt.query([])?;
        let mut expected_seq = 1i64;
        let mut prev = GENESIS.to_string();
        let mut count = 0i64;
        while let Some(r) = rows.next()? {
            count += 1;
            // A value of the wrong type (an edit with sqlite3) is a broken
            // row, named like any other, not a failure of the command.
            let read = (|| -> super::engine::Result<_> {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                ))
            })();
            let Ok((seq, at, actor, case, action, before, after, prev_hash, hash)) = read else {
                return Ok(Verification {
                    rows: count,
                    first_break: Some(Break {
                        seq: expected_seq,
                        reason: Msg::key("error.audit.edited"),
                    }),
                });
            };
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
            let recomputed = if server {
                r.get::<_, Option<String>>(9)?.unwrap_or_default()
            } else {
                mac_hex(
                    self.audit_key.as_deref().map(Vec::as_slice),
                    &row_input(
                        seq,
                        &at,
                        &actor,
                        case.as_deref(),
                        &action,
                        before.as_deref(),
                        after.as_deref(),
                        &prev_hash,
                    ),
                )
            };
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
            first_break: self.verify_state(count)?,
        })
    }

    /// Every case, user and issued notice against the state its last audit
    /// row records: a change made around kezek (an approval, a renamed
    /// applicant, a role, a deleted case, an edited notice or check result)
    /// leaves the row and the log disagreeing. The earliest such row is named.
    fn verify_state(&self, rows: i64) -> Result<Option<Break>, StoreError> {
        use std::collections::HashMap;
        // The database keeps instants to the second; the recorded state may
        // carry the fractions of the moment it was made.
        let digest = |s: &str| -> [u8; 32] { Sha256::digest(whole_seconds(s).as_bytes()).into() };
        // Per case: its last row's number; the state is replayed case by case below.
        let mut cases: HashMap<String, i64> = HashMap::new();
        let mut users: HashMap<String, (i64, serde_json::Value)> = HashMap::new();
        let mut notices: HashMap<i64, (i64, serde_json::Value)> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT seq, case_number, action, after FROM audit ORDER BY seq")?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                let seq: i64 = r.get(0)?;
                let case: Option<String> = r.get(1)?;
                let action: String = r.get(2)?;
                let Some(after) = r.get::<_, Option<String>>(3)? else {
                    continue;
                };
                match (action.as_str(), case) {
                    ("user.add", _) => {
                        let v: serde_json::Value = serde_json::from_str(&after).unwrap_or_default();
                        let login = v["login"].as_str().unwrap_or_default().to_string();
                        users.insert(login, (seq, v));
                    }
                    ("user.role", _) => {
                        let v: serde_json::Value = serde_json::from_str(&after).unwrap_or_default();
                        let login = v["login"].as_str().unwrap_or_default();
                        if let Some((s, u)) = users.get_mut(login) {
                            *s = seq;
                            u["role"] = v["role"].clone();
                        }
                    }
                    ("notice.issue", _) => {
                        let v: serde_json::Value = serde_json::from_str(&after).unwrap_or_default();
                        if let Some(id) = v["notice"].as_i64() {
                            notices.insert(id, (seq, v));
                        }
                    }
                    (_, Some(number)) => {
                        cases.insert(number, seq);
                    }
                    _ => {}
                }
            }
        }
        let mut first: Option<Break> = None;
        let mut found = |seq: i64, reason: Msg| {
            if first.as_ref().is_none_or(|b| seq < b.seq) {
                first = Some(Break { seq, reason });
            }
        };
        // Cases.
        let mut stmt = self
            .conn
            .prepare("SELECT number FROM cases ORDER BY number")?;
        let numbers: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<_, _>>()?;
        drop(stmt);
        let mut history = self.conn.prepare(
            "SELECT after FROM audit WHERE case_number = ?1 AND action <> 'notice.issue'
               AND after IS NOT NULL ORDER BY seq",
        )?;
        for number in numbers {
            let Some(seq) = cases.remove(&number) else {
                found(rows, msg!("error.audit.case-unlogged", number = &number));
                continue;
            };
            let mut state = serde_json::Value::Null;
            let mut q = history.query([&number])?;
            while let Some(r) = q.next()? {
                replay(&mut state, &r.get::<_, String>(0)?);
            }
            let recorded = digest(&state.to_string());
            let now = self
                .case(&number)
                .ok()
                .and_then(|l| serde_json::to_value(&l.case).ok())
                .map(|mut v| {
                    drop_later_empty_fields(&mut v, &state);
                    digest(&v.to_string())
                });
            if now != Some(recorded) {
                found(seq, msg!("error.audit.case-differs", number = &number));
            }
        }
        drop(history);
        for (number, seq) in cases {
            found(seq, msg!("error.audit.case-deleted", number = &number));
        }
        // Users and their roles.
        {
            let mut stmt = self.conn.prepare("SELECT login, name, role FROM users")?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                let login: String = r.get(0)?;
                let name: String = r.get(1)?;
                let role: String = r.get(2)?;
                match users.remove(&login) {
                    None => found(rows, msg!("error.audit.user-unlogged", login = &login)),
                    Some((seq, v)) => {
                        if v["name"].as_str() != Some(name.as_str())
                            || v["role"].as_str() != Some(role.as_str())
                        {
                            found(seq, msg!("error.audit.user-differs", login = &login));
                        }
                    }
                }
            }
        }
        for (login, (seq, _)) in users {
            found(seq, msg!("error.audit.user-deleted", login = &login));
        }
        // Issued notices: the exact text and page, as recorded.
        {
            let mut stmt = self
                .conn
                .prepare("SELECT id, kind, lang, subject, text, html FROM issued_notices")?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                let id: i64 = r.get(0)?;
                let same = |v: &serde_json::Value| -> super::engine::Result<bool> {
                    Ok(v["kind"].as_str() == Some(r.get::<_, String>(1)?.as_str())
                        && v["lang"].as_str() == Some(r.get::<_, String>(2)?.as_str())
                        && v["subject"].as_str() == Some(r.get::<_, String>(3)?.as_str())
                        && v["text_sha256"].as_str()
                            == Some(
                                hex(&Sha256::digest(r.get::<_, String>(4)?.as_bytes())).as_str(),
                            )
                        && v["html_sha256"].as_str()
                            == Some(
                                hex(&Sha256::digest(r.get::<_, String>(5)?.as_bytes())).as_str(),
                            ))
                };
                match notices.remove(&id) {
                    None => found(rows, msg!("error.audit.notice-unlogged", id = id)),
                    Some((seq, v)) => {
                        if !same(&v).unwrap_or(false) {
                            found(seq, msg!("error.audit.notice-differs", id = id));
                        }
                    }
                }
            }
        }
        for (id, (seq, _)) in notices {
            found(seq, msg!("error.audit.notice-deleted", id = id));
        }
        Ok(first)
    }

    /// Key the audit chain of a database made before audit keys: after
    /// checking the plain chain is intact, make the key and rehash every row
    /// with it in one transaction, then log the sealing. The key file is put
    /// in place only after the commit.
    pub fn seal_audit(
        &mut self,
        db: &std::path::Path,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        if self.audit_keyed() {
            return Err(StoreError::Invalid(Msg::key("error.audit.already-keyed")));
        }
        let Some(lite) = self.conn.as_sqlite() else {
            return Err(StoreError::Invalid(Msg::key("error.audit.already-keyed")));
        };
        if let Some(b) = self.verify_audit()?.first_break {
            return Err(StoreError::Invalid(msg!(
                "error.audit.seal-broken",
                row = b.seq,
                reason = b.reason
            )));
        }
        let final_path = super::db::key_path(db);
        let mut pending = final_path.clone().into_os_string();
        pending.push(".new");
        let pending = std::path::PathBuf::from(pending);
        let _ = std::fs::remove_file(&pending);
        super::db::write_new_key(&pending)?;
        let key = super::db::read_key_file(&pending)?
            .ok_or_else(|| StoreError::Invalid(Msg::key("error.audit.already-keyed")))?;
        let shared = std::sync::Arc::new(key.clone());
        register(lite, Some(shared.clone()))?;
        let sealed = (|| -> Result<i64, StoreError> {
            let tx = self.conn.transaction(super::engine::Behavior::Immediate)?;
            let mut stmt = tx.prepare(
                "SELECT seq, at, actor, case_number, action, before, after FROM audit ORDER BY seq",
            )?;
            let rows: Vec<LoggedRow> = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })?
                .collect::<Result<_, _>>()?;
            drop(stmt);
            let mut prev = GENESIS.to_string();
            for (seq, at, who, case, action, before, after) in rows {
                let input = row_input(
                    seq,
                    &at,
                    &who,
                    case.as_deref(),
                    &action,
                    before.as_deref(),
                    after.as_deref(),
                    &prev,
                );
                let hash = mac_hex(Some(&key), &input);
                tx.execute(
                    "UPDATE audit SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
                    super::engine::params![prev, hash, seq],
                )?;
                prev = hash;
            }
            tx.execute("UPDATE audit_head SET hash = ?1 WHERE id = 1", [&prev])?;
            append(&tx, now, actor, None, "audit.seal", None, None)?;
            let seq: i64 =
                tx.query_row("SELECT seq FROM audit_head WHERE id = 1", [], |r| r.get(0))?;
            tx.commit()?;
            Ok(seq)
        })();
        match sealed {
            Ok(seq) => {
                std::fs::rename(&pending, &final_path)
                    .map_err(|e| StoreError::Io(super::db::path_error(&final_path, &e)))?;
                self.audit_key = Some(shared);
                Ok(seq)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&pending);
                if let Some(lite) = self.conn.as_sqlite() {
                    register(lite, None)?;
                }
                Err(e)
            }
        }
    }

    /// The chain head: the last row's number and hash.
    pub fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    /// Whether row `seq` still has `hash`: an anchor kept outside the
    /// database (the daily report) proves the rows up to it were neither
    /// rewritten nor cut off, even by someone who holds the key.
    pub fn audit_has(&self, seq: i64, hash: &str) -> Result<bool, StoreError> {
        let found: Option<String> = self
            .conn
            .query_row("SELECT hash FROM audit WHERE seq = ?1", [seq], |r| r.get(0))
            .optional()?;
        Ok(found.is_some_and(|h| h.eq_ignore_ascii_case(hash)))
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

/// A case field that a later kezek added (a database migrated from an
/// older schema) is absent from the states its older rows record; while it
/// is empty it says nothing those rows did not, so it is left out of the
/// comparison. A filled one still differs.
fn drop_later_empty_fields(now: &mut serde_json::Value, recorded: &serde_json::Value) {
    use serde_json::Value;
    match (now, recorded) {
        (Value::Object(now), Value::Object(recorded)) => {
            now.retain(|k, v| {
                recorded.contains_key(k)
                    || match v {
                        Value::Null => false,
                        Value::Array(a) => !a.is_empty(),
                        Value::Object(o) => !o.is_empty(),
                        Value::String(s) => !s.is_empty(),
                        _ => true,
                    }
            });
            for (k, v) in now.iter_mut() {
                if let Some(r) = recorded.get(k) {
                    drop_later_empty_fields(v, r);
                }
            }
        }
        (Value::Array(now), Value::Array(recorded)) => {
            for (v, r) in now.iter_mut().zip(recorded) {
                drop_later_empty_fields(v, r);
            }
        }
        _ => {}
    }
}

/// `…T10:00:00.123456Z` → `…T10:00:00Z` wherever an RFC 3339 time occurs.
fn whole_seconds(s: &str) -> std::borrow::Cow<'_, str> {
    let b = s.as_bytes();
    let is_time_at = |i: usize| {
        // b[i] is the '.' after `Thh:mm:ss`.
        i >= 9
            && b[i - 9] == b'T'
            && b[i - 6] == b':'
            && b[i - 3] == b':'
            && [1, 2, 4, 5, 7, 8]
                .iter()
                .all(|&k| b[i - 9 + k].is_ascii_digit())
            && b.get(i + 1).is_some_and(u8::is_ascii_digit)
    };
    if !(0..b.len()).any(|i| b[i] == b'.' && is_time_at(i)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'.' && is_time_at(i) {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    // Only ASCII digits and a dot were removed: still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_replayed_on_the_old_record_gives_the_new_one() {
        let pairs = [
            (
                r#"{"a":1,"notes":[1,2],"docs":[1],"gone":"x","same":[5]}"#,
                r#"{"a":2,"notes":[1,2,3,4],"docs":[9],"new":null,"same":[5]}"#,
            ),
            (r#"{"notes":[]}"#, r#"{"notes":[{"t":"n"}]}"#),
            (r#"{"x":{"y":1}}"#, r#"{"x":{"y":2}}"#),
        ];
        for (b, a) in pairs {
            let (db, da) = field_diff(b, a).expect("objects");
            let mut state: serde_json::Value = serde_json::from_str(b).expect("json");
            replay(&mut state, &da);
            let want: serde_json::Value = serde_json::from_str(a).expect("json");
            assert_eq!(state, want, "{b} -> {a} via {da}");
            // Only what changed is kept: an unchanged list is not in either side.
            assert!(
                !db.contains("\"same\"") && !da.contains("\"same\""),
                "{db} {da}"
            );
        }
        let (_, grown) =
            field_diff(r#"{"notes":[1,2,3]}"#, r#"{"notes":[1,2,3,4]}"#).expect("diff");
        assert!(grown.contains(r#""append":{"notes":[4]}"#), "{grown}");
        assert!(field_diff("[1]", "{}").is_none());
    }
}
