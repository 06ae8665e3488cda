//! Notices issued to applicants, kept with the case word for word: a later
//! change of a template never changes what was handed over.

use crate::domain::msg::Localize;
#[allow(unused_imports)]
use crate::msg;
use std::collections::BTreeMap;

use super::engine::{OptionalExtension, params};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Store, StoreError, audit, cases, enum_from, ts};
use crate::domain::case::Actor;
use crate::domain::procedure::Role;
use crate::domain::text::Lang;
use crate::notice::{self, Issuer, Kind, Templates};

/// A notice as issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedNotice {
    pub id: i64,
    pub case_number: String,
    pub kind: String,
    pub lang: Lang,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub template: String,
    pub template_sha256: String,
    pub issued_at: String,
    pub issued_by: String,
}

const COLUMNS: &str = "id, case_number, kind, lang, subject, text, html, template, template_sha256, issued_at, issued_by";

fn row(r: &super::engine::Row<'_>) -> super::engine::Result<(IssuedNotice, String)> {
    let lang: String = r.get(3)?;
    Ok((
        IssuedNotice {
            id: r.get(0)?,
            case_number: r.get(1)?,
            kind: r.get(2)?,
            lang: Lang::En,
            subject: r.get(4)?,
            text: r.get(5)?,
            html: r.get(6)?,
            template: r.get(7)?,
            template_sha256: r.get(8)?,
            issued_at: r.get(9)?,
            issued_by: r.get(10)?,
        },
        lang,
    ))
}

fn with_lang((mut n, lang): (IssuedNotice, String)) -> Result<IssuedNotice, StoreError> {
    n.lang = enum_from(&lang)?;
    Ok(n)
}

impl Store {
    /// Issue a notice of `kind` in `lang` on a case: render it from the
    /// templates and keep the exact text, with an audit row, in one
    /// transaction. When the same notice (kind, language and subject) was
    /// issued before, the stored one is returned unchanged and `false`
    /// says nothing new was issued.
    pub fn issue_notice(
        &mut self,
        actor: &Actor,
        number: &str,
        kind: Kind,
        lang: Lang,
        templates: &Templates,
        now: DateTime<Utc>,
    ) -> Result<(IssuedNotice, bool), StoreError> {
        if actor.role == Role::Auditor {
            return Err(StoreError::Denied(crate::msg!(
                "error.store.auditor-notices",
                login = &actor.login
            )));
        }
        let staff: BTreeMap<String, String> = self
            .users()?
            .into_iter()
            .map(|u| (u.login, u.name))
            .collect();
        let issuer = Issuer {
            login: actor.login.clone(),
            name: staff
                .get(&actor.login)
                .cloned()
                .unwrap_or_else(|| actor.login.clone()),
        };
        self.write(|tx, cal, rules| {
            let loaded = cases::load(tx, number)?.ok_or_else(|| super::no_case(number))?;
            let c = &loaded.case;
            let procedure = rules
                .procedure(&c.procedure)
                .map_err(|e| StoreError::Invalid(e.msg()))?;
            let version = procedure.version(&c.version).ok_or_else(|| {
                StoreError::Invalid(crate::msg!(
                    "error.store.unknown-version",
                    number = number,
                    version = &c.version
                ))
            })?;
            let subject =
                notice::subject(kind, c, version).map_err(|e| StoreError::Invalid(e.msg()))?;
            let lang_s = notice::lang_id(lang);
            let existing = tx
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM issued_notices
                     WHERE case_number = ?1 AND kind = ?2 AND lang = ?3 AND subject = ?4"
                ))?
                .query_row(params![number, kind.id(), lang_s, subject], row)
                .optional()?;
            if let Some(found) = existing {
                return Ok((with_lang(found)?, false));
            }
            let input = notice::Input {
                case: c,
                procedure,
                version,
                cal,
                issuer: &issuer,
                staff: &staff,
                now,
            };
            let r = notice::render(templates, &input, kind, lang)
                .map_err(|e| StoreError::Invalid(e.msg()))?;
            let issued_at = ts(now);
            let id: i64 = tx.prepare_cached(
                "INSERT INTO issued_notices (case_number, kind, lang, subject, text, html, template,
                    template_sha256, issued_at, issued_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
            )?
            .query_row(params![
                number,
                kind.id(),
                lang_s,
                r.subject,
                r.text,
                r.html,
                r.template,
                r.template_sha256,
                issued_at,
                actor.login
            ], |r| r.get::<_, i64>(0))?;
            // The audit chain carries the text's hash, so an edit of the
            // stored text shows against it.
            let record = serde_json::json!({
                "notice": id,
                "kind": kind.id(),
                "lang": lang_s,
                "subject": r.subject,
                "template": r.template,
                "template_sha256": r.template_sha256,
                "text_sha256": notice::template::sha256_hex(&r.text),
                "html_sha256": notice::template::sha256_hex(&r.html),
            });
            audit::append(
                tx,
                now,
                &actor.login,
                Some(number),
                "notice.issue",
                None,
                Some(&record.to_string()),
            )?;
            Ok((
                IssuedNotice {
                    id,
                    case_number: number.to_string(),
                    kind: kind.id().to_string(),
                    lang,
                    subject: r.subject,
                    text: r.text,
                    html: r.html,
                    template: r.template,
                    template_sha256: r.template_sha256,
                    issued_at,
                    issued_by: actor.login.clone(),
                },
                true,
            ))
        })
    }

    /// The notices issued on a case, oldest first.
    pub fn notices_of(&self, number: &str) -> Result<Vec<IssuedNotice>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM issued_notices WHERE case_number = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map([number], row)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(with_lang(r?)?);
        }
        Ok(out)
    }

    /// One issued notice by its id.
    pub fn issued_notice(&self, id: i64) -> Result<IssuedNotice, StoreError> {
        let found = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM issued_notices WHERE id = ?1"
            ))?
            .query_row([id], row)
            .optional()?;
        match found {
            Some(n) => with_lang(n),
            None => Err(StoreError::NotFound(crate::msg!(
                "error.store.no-notice",
                id = id
            ))),
        }
    }
}
