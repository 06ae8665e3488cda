//! The checklist section of a case: the checks of the rule version with
//! their marks, what kezek computed for the computed ones, the ground a
//! failed check leads to, and marking with or without a note.

use chrono::NaiveDate;

use super::keymap::{Binding, Cmd};
use super::{Action, CHECKLIST, CaseView, Change, Effect, Model, Prompt, Screen, Sent};
use crate::domain::case::Outcome;
use crate::domain::procedure::RuleVersion;
use crate::i18n::{Lang, t, tf};

/// The built-in keys of the checklist (over those of the case screen); `keys.toml` overrides them.
pub const KEYS: &[Binding] = &[
    (Cmd::Passed, &["p"]),
    (Cmd::Failed, &["f"]),
    (Cmd::NotApplicable, &["n"]),
    (Cmd::Pending, &["u"]),
    (Cmd::PassedNote, &["P"]),
    (Cmd::FailedNote, &["F"]),
    (Cmd::NotApplicableNote, &["N"]),
    (Cmd::PendingNote, &["U"]),
];

pub(super) fn record_mark(m: &mut Model, outcome: Outcome, note: &str) -> Effect {
    let Screen::Case(view) = &m.screen else {
        return Effect::None;
    };
    if view.section != CHECKLIST {
        m.status = m.t("status.marks-in-checklist").to_string();
        return Effect::None;
    }
    match m.check_ids.get(view.cursor) {
        Some(check) => {
            let number = view.loaded.case.number.clone();
            let change = Change::RecordCheck {
                number: number.clone(),
                seen: view.loaded.row_version,
                check: check.clone(),
                outcome,
                note: note.to_string(),
            };
            if !note.is_empty() {
                m.check_note_drafts.remove(&(number, check.clone()));
                m.sent = Some(Sent {
                    dialog: None,
                    check_note: Some((
                        view.loaded.case.number.clone(),
                        check.clone(),
                        outcome,
                        note.to_string(),
                    )),
                });
            }
            Effect::Act(change)
        }
        None => Effect::None,
    }
}

/// What kezek computed, in the interface language, from the structured
/// evidence (the domain's own summary is English, for logs and scripts).
fn evidence_summary(lang: Lang, comp: &crate::domain::checks::Computation) -> String {
    use crate::domain::checks::Evidence;
    let day = |d: NaiveDate| d.format("%d.%m.%Y").to_string();
    match &comp.evidence {
        Evidence::Iin { findings } => {
            let bad: Vec<&crate::domain::checks::IdFinding> =
                findings.iter().filter(|f| f.error.is_some()).collect();
            if bad.is_empty() {
                tf(lang, "checks.ids-ok", &[("n", &findings.len())])
            } else {
                let mut s = tf(
                    lang,
                    "checks.ids-bad",
                    &[("bad", &bad.len()), ("n", &findings.len())],
                );
                for f in bad {
                    s.push_str(&format!(
                        "; {}: {}",
                        f.input.as_deref().unwrap_or("-"),
                        f.error.as_deref().unwrap_or_default()
                    ));
                }
                s
            }
        }
        Evidence::DomesticWorkerQuota {
            employer,
            issued,
            limit,
            limit_label,
        } => {
            let Some(e) = employer else {
                return t(lang, "checks.no-employer").to_string();
            };
            let limit = if limit_label.contains("UNCONFIRMED") {
                format!("{limit} ({})", t(lang, "checks.unconfirmed"))
            } else {
                limit.to_string()
            };
            tf(
                lang,
                "checks.quota",
                &[
                    ("employer", e),
                    ("n", &issued.len()),
                    ("with", &(issued.len() + 1)),
                    ("limit", &limit),
                ],
            )
        }
        Evidence::PendingPr { pending } => match pending {
            Some(p) => tf(lang, "checks.pending-pr", &[("case", &p.number)]),
            None => t(lang, "checks.no-pending-pr").to_string(),
        },
        Evidence::Stay {
            last_day,
            days_left,
            ..
        } => match (last_day, days_left) {
            (Some(l), Some(d)) if *d >= 0 => {
                tf(lang, "checks.stay-ok", &[("day", &day(*l)), ("n", d)])
            }
            (Some(l), Some(d)) => tf(lang, "checks.stay-over", &[("day", &day(*l)), ("n", &-d)]),
            _ => t(lang, "checks.no-entry").to_string(),
        },
    }
}

pub(super) fn checklist_lines(
    lang: Lang,
    view: &CaseView,
    version: Option<&RuleVersion>,
    out: &mut Vec<String>,
) {
    let c = &view.loaded.case;
    let Some(v) = version else { return };
    let tr = |k: &'static str| t(lang, k);
    for (i, k) in v.checks.iter().enumerate() {
        let applies = k.applies_to(c.purpose.as_deref());
        let mark = match c.checks.get(&k.id).map(|r| r.outcome) {
            Some(Outcome::Passed) => tr("mark.passed"),
            Some(Outcome::Failed) => tr("mark.failed"),
            Some(Outcome::NotApplicable) => tr("mark.not-applicable"),
            Some(Outcome::Pending) | None if !applies => tr("mark.not-applicable"),
            Some(Outcome::Pending) | None => tr("mark.open"),
        };
        let cursor = if i == view.cursor { ">" } else { " " };
        out.push(format!("{cursor}[{mark:^5}] {}", k.title.get(lang)));
        if applies && let Some((_, comp)) = view.evidence.iter().find(|(id, _)| id == &k.id) {
            out.push(format!(
                "         {}: {}",
                tf(
                    lang,
                    "checklist.computed",
                    &[(
                        "outcome",
                        &tr(crate::app::worker::outcome_key(comp.outcome))
                    )]
                ),
                evidence_summary(lang, comp)
            ));
            if let crate::domain::checks::Evidence::DomesticWorkerQuota { issued, .. } =
                &comp.evidence
            {
                for r in issued {
                    out.push(format!("           {} {}", r.number, r.person));
                }
            }
        }
        let failed = c
            .checks
            .get(&k.id)
            .is_some_and(|r| r.outcome == Outcome::Failed);
        if failed && let Some(g) = &k.ground {
            let ground = v.ground(g);
            let title = ground
                .map(|x| x.title.get(lang).to_string())
                .unwrap_or_default();
            let path = if v.hearing {
                tr("checklist.hearing-path")
            } else {
                tr("checklist.ground")
            };
            out.push(format!("         {path}: {title}"));
            if let Some(x) = ground {
                out.push(format!(
                    "         {}",
                    tf(
                        lang,
                        "checklist.lifted",
                        &[("when", &x.lifted_when.get(lang))]
                    )
                ));
            }
        }
        if let Some(r) = c.checks.get(&k.id)
            && !r.note.is_empty()
        {
            out.push(format!(
                "         {} ({}): {}",
                tr("checklist.note"),
                r.by,
                r.note
            ));
        }
    }
    if v.checks.is_empty() {
        out.push(tr("checklist.none").to_string());
    }
}

/// A checklist action on the open case (marks, moving the cursor on the
/// checklist); None for any other action.
pub fn update(m: &mut Model, action: &Action) -> Option<Effect> {
    let lang = m.lang;
    let Screen::Case(view) = &mut m.screen else {
        return None;
    };
    match action.clone() {
        Action::Mark(outcome) => Some(record_mark(m, outcome, "")),
        Action::MarkWithNote(outcome) => {
            if view.section != CHECKLIST {
                m.status = t(lang, "status.marks-in-checklist").to_string();
                return Some(Effect::None);
            }
            let text = m
                .check_ids
                .get(view.cursor)
                .and_then(|check| {
                    m.check_note_drafts
                        .remove(&(view.loaded.case.number.clone(), check.clone()))
                })
                .map(|(_, text)| text)
                .unwrap_or_default();
            m.prompt = Some(Prompt::CheckNote { outcome, text });
            Some(Effect::None)
        }
        Action::Down if view.section == CHECKLIST => {
            view.cursor = (view.cursor + 1).min(m.check_ids.len().saturating_sub(1));
            Some(Effect::None)
        }
        Action::Up if view.section == CHECKLIST => {
            view.cursor = view.cursor.saturating_sub(1);
            Some(Effect::None)
        }
        _ => None,
    }
}
