//! The checklist section of a case: the checks of the rule version with
//! their marks, what kezek computed for the computed ones, the ground a
//! failed check leads to, and marking with or without a note.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::keymap::{Binding, Cmd};
use super::{Action, CHECKLIST, CaseView, Change, Effect, Model, Prompt, Screen, Sent};
use crate::domain::case::Outcome;
use crate::domain::procedure::RuleVersion;
use crate::domain::text::printable;
use crate::i18n::{Lang, t, tf};
use crate::ui::{Ui, text};

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

/// The mark of a check as recorded (or not applicable to the purpose).
fn mark(c: &crate::domain::case::Case, k: &crate::domain::procedure::Check) -> Outcome {
    let applies = k.applies_to(c.purpose.as_deref());
    match c.checks.get(&k.id).map(|r| r.outcome) {
        Some(Outcome::Pending) | None if !applies => Outcome::NotApplicable,
        Some(o) => o,
        None => Outcome::Pending,
    }
}

fn mark_key(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "mark.passed",
        Outcome::Failed => "mark.failed",
        Outcome::NotApplicable => "mark.not-applicable",
        Outcome::Pending => "mark.open",
    }
}

fn mark_style(o: Outcome, ui: &Ui<'_>) -> Style {
    match o {
        Outcome::Failed => ui.theme.overdue,
        Outcome::Passed => ui.theme.header,
        Outcome::Pending => ui.theme.today,
        Outcome::NotApplicable => ui.theme.dim,
    }
}

/// What kezek computed for a check, when it computes it and the check
/// applies.
fn computed<'a>(
    view: &'a CaseView,
    k: &crate::domain::procedure::Check,
) -> Option<&'a crate::domain::checks::Computation> {
    let applies = k.applies_to(view.loaded.case.purpose.as_deref());
    view.evidence
        .iter()
        .find(|(id, _)| id == &k.id)
        .map(|(_, comp)| comp)
        .filter(|_| applies)
}

/// A recorded pass or fail that kezek's own computation contradicts.
fn disagrees(recorded: Outcome, comp: Option<&crate::domain::checks::Computation>) -> bool {
    matches!(
        (recorded, comp.map(|c| c.outcome)),
        (Outcome::Passed, Some(Outcome::Failed)) | (Outcome::Failed, Some(Outcome::Passed))
    )
}

/// The checklist as text, every check with its details (for the lines of
/// the section outside the list view).
pub(super) fn checklist_lines(
    lang: Lang,
    view: &CaseView,
    version: Option<&RuleVersion>,
    out: &mut Vec<String>,
) {
    let Some(v) = version else { return };
    for (i, k) in v.checks.iter().enumerate() {
        let o = mark(&view.loaded.case, k);
        let cursor = if i == view.cursor { ">" } else { " " };
        let warn = if disagrees(o, computed(view, k)) {
            "!"
        } else {
            " "
        };
        out.push(format!(
            "{cursor}[{:^5}]{warn}{}",
            t(lang, mark_key(o)),
            k.title.get(lang)
        ));
        out.extend(
            detail(lang, view, v, k)
                .into_iter()
                .map(|l| format!("         {l}")),
        );
    }
    if v.checks.is_empty() {
        out.push(t(lang, "checklist.none").to_string());
    }
}

/// What the detail pane says of a check: what kezek computed (and the
/// warning when the recorded mark contradicts it), the ground a failed
/// check leads to and what lifts it, the note.
fn detail(
    lang: Lang,
    view: &CaseView,
    v: &RuleVersion,
    k: &crate::domain::procedure::Check,
) -> Vec<String> {
    let c = &view.loaded.case;
    let tr = |key: &'static str| t(lang, key);
    let mut out = Vec::new();
    let recorded = mark(c, k);
    let comp = computed(view, k);
    if let Some(comp) = comp {
        out.push(format!(
            "{}: {}",
            tf(
                lang,
                "checklist.computed",
                &[("outcome", &tr(super::worker::outcome_key(comp.outcome)))]
            ),
            evidence_summary(lang, comp)
        ));
        if let crate::domain::checks::Evidence::DomesticWorkerQuota { issued, .. } = &comp.evidence
        {
            for r in issued {
                out.push(format!("  {} {}", r.number, r.person));
            }
        }
    }
    if let Some(comp) = comp
        && disagrees(recorded, Some(comp))
    {
        out.push(tf(
            lang,
            "checklist.disagrees",
            &[
                ("recorded", &tr(super::worker::outcome_key(recorded))),
                ("computed", &tr(super::worker::outcome_key(comp.outcome))),
            ],
        ));
    }
    if recorded == Outcome::Failed
        && let Some(g) = &k.ground
    {
        let ground = v.ground(g);
        let title = ground
            .map(|x| x.title.get(lang).to_string())
            .unwrap_or_default();
        let path = if v.hearing {
            tr("checklist.hearing-path")
        } else {
            tr("checklist.ground")
        };
        out.push(format!("{path}: {title}"));
        if let Some(x) = ground {
            out.push(tf(
                lang,
                "checklist.lifted",
                &[("when", &x.lifted_when.get(lang))],
            ));
        }
    }
    if let Some(r) = c.checks.get(&k.id)
        && !r.note.is_empty()
    {
        out.push(format!("{} ({}): {}", tr("checklist.note"), r.by, r.note));
    }
    out
}

/// The checklist section: one line a check (mark coloured by meaning, the
/// cursor's row highlighted, `!` where the recorded mark contradicts what
/// kezek computed), and below it the selected check in full: its title,
/// what kezek computed, the ground and the note, wrapped under themselves.
/// The list scrolls with the cursor; PgDn/PgUp scroll the detail pane.
pub(super) fn draw(f: &mut Frame<'_>, m: &mut Model, ui: &Ui<'_>, area: Rect) {
    let lang = m.lang;
    let Screen::Case(view) = &mut m.screen else {
        return;
    };
    let c = &view.loaded.case;
    let Some(v) = ui.rules.version(&c.procedure, &c.version) else {
        return;
    };
    if v.checks.is_empty() {
        f.render_widget(Paragraph::new(t(lang, "checklist.none")), area);
        return;
    }
    let width = usize::from(area.width.max(1));
    let cursor = view.cursor.min(v.checks.len() - 1);
    let mut rows: Vec<Line<'static>> = Vec::new();
    for (i, k) in v.checks.iter().enumerate() {
        let o = mark(c, k);
        let warn = disagrees(o, computed(view, k));
        let head = format!(
            "{}[{:^5}]",
            if i == cursor { ">" } else { " " },
            t(lang, mark_key(o))
        );
        let title = printable(k.title.get(lang)).into_owned();
        let room = width.saturating_sub(text::width(&head) + 3);
        let mut line = Line::from(vec![
            Span::styled(head, mark_style(o, ui)),
            Span::styled(
                if warn { " ! " } else { "   " }.to_string(),
                ui.theme.overdue,
            ),
            // Padded to the edge: the cursor's highlight is the whole row.
            Span::raw(text::pad(&title, room)),
        ]);
        if i == cursor {
            line = line.patch_style(ui.theme.selected);
        }
        rows.push(line);
    }
    let k = &v.checks[cursor];
    let mut detail_lines: Vec<Line<'static>> = Vec::new();
    let inner_w = width.saturating_sub(2).max(1);
    for l in text::wrap(&printable(k.title.get(lang)), inner_w) {
        detail_lines.push(Line::styled(l, ui.theme.title));
    }
    for d in detail(lang, view, v, k) {
        let d = printable(&d).into_owned();
        let lead = d.len() - d.trim_start().len();
        let style = if disagrees(mark(c, k), computed(view, k))
            && d.starts_with(
                t(lang, "checklist.disagrees")
                    .split('{')
                    .next()
                    .unwrap_or("\u{0}"),
            ) {
            ui.theme.overdue
        } else {
            Style::new()
        };
        for part in text::hang(&d, inner_w, lead + 2) {
            detail_lines.push(Line::styled(part, style));
        }
    }
    // The list keeps at least a few rows; the detail pane takes what it
    // needs of the rest and scrolls when that is not enough.
    let h = usize::from(area.height);
    let list_min = rows.len().min(h / 2).max(3.min(h));
    let detail_h = (detail_lines.len() + 2)
        .min(h.saturating_sub(list_min))
        .max(3.min(h));
    let list_h = rows.len().min(h.saturating_sub(detail_h));
    let [list, pane] = Layout::vertical([
        Constraint::Length(u16::try_from(list_h).unwrap_or(0)),
        Constraint::Fill(1),
    ])
    .areas(area);
    let top = if cursor >= list_h {
        cursor + 1 - list_h
    } else {
        0
    };
    f.render_widget(
        Paragraph::new(rows).scroll((u16::try_from(top).unwrap_or(u16::MAX), 0)),
        list,
    );
    let shown = usize::from(pane.height.saturating_sub(2));
    let last = detail_lines.len().saturating_sub(shown);
    let scroll = usize::from(view.scroll).min(last);
    view.scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
    view.page = shown.saturating_sub(1).max(1);
    let more = if last > 0 {
        format!(
            " {}/{} ",
            (scroll + shown).min(detail_lines.len()),
            detail_lines.len()
        )
    } else {
        String::new()
    };
    f.render_widget(
        Paragraph::new(detail_lines)
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .block(
                Block::bordered()
                    .border_style(ui.theme.dim)
                    .title_bottom(more),
            ),
        pane,
    );
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
            view.scroll = 0;
            Some(Effect::None)
        }
        Action::Up if view.section == CHECKLIST => {
            view.cursor = view.cursor.saturating_sub(1);
            view.scroll = 0;
            Some(Effect::None)
        }
        Action::Bottom if view.section == CHECKLIST => {
            view.cursor = m.check_ids.len().saturating_sub(1);
            view.scroll = 0;
            Some(Effect::None)
        }

        _ => None,
    }
}
