//! Each user's console settings (`prefs`, migration 7): the view, the
//! sort, the filters, the theme and the saved filters, by login. Like a
//! draft, a setting is not a record of a case (no audit row); it is kept in
//! the database so that it follows the user from one terminal to the next
//! and is never a file the user could point elsewhere.
//!
//! Also the look-up of a case by a short number (`39`, `rvp-39`, `RVP39`),
//! which the console's `:open` uses.

use std::collections::BTreeMap;

use super::engine::OptionalExtension as _;
use super::engine::params;
use chrono::{DateTime, Utc};

use super::{Store, StoreError, ts};

/// The longest setting kept (a saved filter is a line the user typed).
pub const MAX_VALUE: usize = 2000;

impl Store {
    /// The user's settings, by key.
    pub fn prefs(&self, login: &str) -> Result<BTreeMap<String, String>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT key, value FROM prefs WHERE login = ?1 ORDER BY key")?;
        let rows = st
            .query_map([login], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Keep a setting (`Some`) or drop it (`None`).
    pub fn put_pref(
        &mut self,
        login: &str,
        key: &str,
        value: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.put_prefs(login, &[(key.to_string(), value.map(str::to_string))], now)
    }

    /// Keep or drop several settings in one transaction: all or none.
    pub fn put_prefs(
        &mut self,
        login: &str,
        changes: &[(String, Option<String>)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if let Some((key, _)) = changes
            .iter()
            .find(|(k, v)| k.len() > MAX_VALUE || v.as_ref().is_some_and(|v| v.len() > MAX_VALUE))
        {
            return Err(StoreError::Invalid(crate::msg!(
                "error.store.pref-too-long",
                key = crate::domain::text::printable(key)
                    .chars()
                    .take(40)
                    .collect::<String>(),
                max = MAX_VALUE
            )));
        }
        self.write(|tx, _, _| {
            for (key, value) in changes {
                match value {
                    Some(v) => tx
                        .prepare_cached(
                            "INSERT INTO prefs (login, key, value, updated_at) VALUES (?1, ?2, ?3, ?4)
                             ON CONFLICT (login, key)
                             DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                        )?
                        .execute(params![login, key, v, ts(now)])?,
                    None => tx
                        .prepare_cached("DELETE FROM prefs WHERE login = ?1 AND key = ?2")?
                        .execute(params![login, key])?,
                };
            }
            Ok(())
        })
    }

    /// The cases a number typed by a person may mean: the exact number, or
    /// a short form (`39`, `rvp-39`, `RVP39`, `2026-rvp-39`) matched on
    /// the number's parts. Newest first; at most `limit`.
    pub fn find_cases(&self, typed: &str, limit: usize) -> Result<Vec<String>, StoreError> {
        let typed = typed.trim();
        let exact: Option<String> = self
            .conn
            .prepare_cached("SELECT number FROM cases WHERE number = ?1")?
            .query_row([typed], |r| r.get(0))
            .optional()?;
        if let Some(n) = exact {
            return Ok(vec![n]);
        }
        let Some(short) = Short::parse(typed) else {
            return Ok(Vec::new());
        };
        // Numbers that end in the sequence's digits; the parts are compared
        // exactly below (so 139 does not match 39).
        let mut st = self.conn.prepare_cached(
            "SELECT number FROM cases WHERE number LIKE ?1 ESCAPE '\\' ORDER BY received_at DESC, number DESC",
        )?;
        let pattern = format!("%{}", short.seq);
        let mut out = Vec::new();
        let mut rows = st.query([pattern])?;
        while let Some(r) = rows.next()? {
            let n: String = r.get(0)?;
            if short.matches(&n) {
                out.push(n);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }
}

/// A case number as a person types it: optional year, optional procedure
/// code, and the sequence number (without its leading zeros).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Short {
    pub year: Option<String>,
    pub code: Option<String>,
    pub seq: String,
}

impl Short {
    /// `39`, `00039`, `rvp-39`, `RVP39`, `rvp 39`, `2026-RVP-39`; None for
    /// anything else.
    pub fn parse(typed: &str) -> Option<Short> {
        let s: String = typed
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '_' | '/'))
            .flat_map(char::to_uppercase)
            .collect();
        let (year, rest) = match s.get(..4) {
            Some(y)
                if s.len() > 4 && y.chars().all(|c| c.is_ascii_digit()) && {
                    s[4..].starts_with(|c: char| c.is_ascii_alphabetic())
                } =>
            {
                (Some(y.to_string()), &s[4..])
            }
            _ => (None, s.as_str()),
        };
        let split = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (code, digits) = rest.split_at(split);
        if digits.is_empty()
            || !digits.chars().all(|c| c.is_ascii_digit())
            || !code.chars().all(|c| c.is_ascii_alphabetic())
        {
            return None;
        }
        let seq = digits.trim_start_matches('0');
        Some(Short {
            year,
            code: (!code.is_empty()).then(|| code.to_string()),
            seq: if seq.is_empty() { "0" } else { seq }.to_string(),
        })
    }

    /// Whether a stored number (`2026-RVP-00039`) has these parts.
    pub fn matches(&self, number: &str) -> bool {
        let parts: Vec<&str> = number.split('-').collect();
        let Some(last) = parts.last() else {
            return false;
        };
        if !last.chars().all(|c| c.is_ascii_digit()) {
            return false;
        }
        let seq = last.trim_start_matches('0');
        if (if seq.is_empty() { "0" } else { seq }) != self.seq {
            return false;
        }
        let head = &parts[..parts.len() - 1];
        let code_ok = self.code.as_ref().is_none_or(|c| {
            head.iter()
                .any(|p| p.eq_ignore_ascii_case(c) && !p.chars().all(|x| x.is_ascii_digit()))
        });
        let year_ok = self
            .year
            .as_ref()
            .is_none_or(|y| head.first().is_some_and(|p| p == y));
        code_ok && year_ok
    }
}

#[cfg(test)]
mod tests {
    use super::Short;

    #[test]
    fn short_numbers_parse_and_match_on_their_parts() {
        let n = "2026-RVP-00039";
        for typed in ["39", "0039", "rvp-39", "RVP39", "rvp 39", "2026-rvp-39", n] {
            let s = Short::parse(typed).unwrap_or_else(|| panic!("{typed} parses"));
            assert!(s.matches(n), "{typed} matches {n}");
        }
        for typed in ["139", "3", "pr-39", "2025-rvp-39"] {
            let s = Short::parse(typed).unwrap_or_else(|| panic!("{typed} parses"));
            assert!(!s.matches(n), "{typed} must not match {n}");
        }
        for bad in ["", "rvp", "39rvp", "r!p39"] {
            assert_eq!(Short::parse(bad), None, "{bad}");
        }
    }
}
