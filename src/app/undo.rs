//! Taking back the user's own last mark or assignment (`z`; `u` in the
//! queue).
//!
//! The undo is a change of its own: the check's earlier outcome and note
//! (pending when it had none) or the earlier assignee, saved through the
//! store like any other change, with its own audit row; nothing recorded
//! is deleted. It is based on the version the user's change produced, so
//! the store's conflict rule (`case_touches`) refuses it when anyone else
//! has since touched that check or the assignment, and says who and when.
//! The store's role rules apply as to any change (only a supervisor may
//! leave a case unassigned). Taking back an undo restores the change.

use chrono::{DateTime, Utc};

use super::{Effect, Model};
use crate::domain::case::{Actor, Outcome};
use crate::i18n::{Lang, say, t, tf};
use crate::store::{Store, StoreError};

/// What an undo puts back, and on which version of the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undo {
    pub number: String,
    /// The version the change to take back produced.
    pub seen: i64,
    pub what: What,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// The check's earlier outcome and note.
    Check {
        check: String,
        outcome: Outcome,
        note: String,
    },
    /// The earlier assignee (None: unassigned).
    Assign { to: Option<String> },
}

/// `z`: hand the runtime the last change to take back, or say there is
/// none.
pub fn start(m: &mut Model) -> Effect {
    if m.refused_to_auditor() {
        return Effect::None;
    }
    match m.undo.take() {
        Some(u) => Effect::Undo(u),
        None => {
            m.status = m.t("status.nothing-to-undo").to_string();
            Effect::None
        }
    }
}

/// What a change would put back if taken back: read before it is saved.
pub fn before(store: &Store, change: &super::Change) -> Option<What> {
    match change {
        super::Change::RecordCheck { number, check, .. } => {
            let loaded = store.case(number).ok()?;
            let (outcome, note) = match loaded.case.checks.get(check) {
                Some(r) => (r.outcome, r.note.clone()),
                None => (Outcome::Pending, String::new()),
            };
            Some(What::Check {
                check: check.clone(),
                outcome,
                note,
            })
        }
        super::Change::Assign { number, .. } => {
            let loaded = store.case(number).ok()?;
            Some(What::Assign {
                to: loaded.case.assignee,
            })
        }
        _ => None,
    }
}

/// Carry out an undo. Returns the status line, whether it was saved, and
/// the undo of the undo (which restores the change).
pub fn apply(
    store: &mut Store,
    me: &Actor,
    lang: Lang,
    u: &Undo,
    now: DateTime<Utc>,
) -> (String, bool, Option<Undo>) {
    let number = &u.number;
    let again = match &u.what {
        What::Check { check, .. } => before(
            store,
            &super::Change::RecordCheck {
                number: number.clone(),
                seen: u.seen,
                check: check.clone(),
                outcome: Outcome::Pending,
                note: String::new(),
            },
        ),
        What::Assign { to } => before(
            store,
            &super::Change::Assign {
                number: number.clone(),
                seen: Some(u.seen),
                to: to.clone().unwrap_or_default(),
            },
        ),
    };
    let result: Result<(i64, String), StoreError> = match &u.what {
        What::Check {
            check,
            outcome,
            note,
        } => store
            .act(me, number, u.seen, now, |c, x, _| {
                crate::domain::case::record_check(c, x, check, *outcome, note)
            })
            .map(|(v, _)| {
                let said = tf(
                    lang,
                    "status.undone-check",
                    &[
                        ("check", check),
                        ("outcome", &t(lang, super::worker::outcome_key(*outcome))),
                    ],
                );
                (v, said)
            }),
        What::Assign { to } => store
            .assign(me, number, u.seen, to.as_deref(), now)
            .map(|v| {
                let said = match to {
                    Some(who) => tf(lang, "status.undone-assign", &[("to", who)]),
                    None => t(lang, "status.undone-unassign").to_string(),
                };
                (v, said)
            }),
    };
    match result {
        Ok((v, said)) => (
            said,
            true,
            again.map(|what| Undo {
                number: number.clone(),
                seen: v,
                what,
            }),
        ),
        Err(e @ StoreError::Stale { .. }) => (
            tf(lang, "status.undo-refused", &[("why", &say(lang, &e))]),
            false,
            None,
        ),
        Err(e) => (
            tf(lang, "status.undo-refused", &[("why", &say(lang, &e))]),
            false,
            None,
        ),
    }
}
