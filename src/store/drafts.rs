//! Unsaved work, kept per user and case until it is saved or thrown away:
//! a note being written, a check's note, a half-filled form. A draft is
//! not a record of the case (no audit row): it is the user's own scratch
//! paper, written on every pause in typing so that Esc, a restart, a
//! dropped SSH link or a killed process loses nothing typed.

use super::engine::params;
use chrono::{DateTime, Utc};

use super::{Store, StoreError, ts};

/// One draft: what it is for (`note`, `check-note:ID`, `dialog:KIND`) and
/// its content as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub kind: String,
    pub body: String,
}

impl Store {
    /// The user's drafts on a case.
    pub fn drafts(&self, login: &str, number: &str) -> Result<Vec<Draft>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT kind, body FROM drafts WHERE login = ?1 AND case_number = ?2 ORDER BY kind",
        )?;
        let rows = st
            .query_map(params![login, number], |r| {
                Ok(Draft {
                    kind: r.get(0)?,
                    body: r.get(1)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Cases on which the user has drafts, with how many.
    pub fn draft_cases(&self, login: &str) -> Result<Vec<(String, i64)>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT case_number, count(*) FROM drafts WHERE login = ?1
              GROUP BY case_number ORDER BY case_number",
        )?;
        let rows = st
            .query_map([login], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Keep a draft (`Some`) or drop it (`None`).
    pub fn put_draft(
        &mut self,
        login: &str,
        number: &str,
        kind: &str,
        body: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|tx, _, _| {
            match body {
                Some(b) => tx
                    .prepare_cached(
                        "INSERT INTO drafts (login, case_number, kind, body, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT (login, case_number, kind)
                         DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                    )?
                    .execute(params![login, number, kind, b, ts(now)])?,
                None => tx
                    .prepare_cached(
                        "DELETE FROM drafts WHERE login = ?1 AND case_number = ?2 AND kind = ?3",
                    )?
                    .execute(params![login, number, kind])?,
            };
            Ok(())
        })
    }
}
