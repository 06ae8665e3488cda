//! The case screen's dialogs: hearing notice, hearing, decision, approval.
//!
//! A dialog is a form. On Ctrl-S (or Enter outside a multi-line field) it is
//! checked by running the domain's own transition on the case as loaded, a
//! pure function, so the dialog refuses exactly what the store would refuse
//! and says why (a date outside the window names the allowed range). A form
//! that passes shows a confirmation of what will be recorded and which
//! documents follow; Enter records it, Esc goes back to the form. Esc on the
//! form closes it and keeps what was typed as a draft.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;

use super::{Change, DialogKind, Model, Screen};
use crate::ui::Ui;

mod approval;
mod decision;
mod hearing;
mod notice;
mod stage;
use crate::domain::calendar::Calendar;
use crate::domain::case::{
    self as dc, ApprovalState, Case, Ctx, DecisionKind, DuplicateReason, NoticeChannel,
    NoticeInput, Outcome, Status,
};
use crate::domain::procedure::{Approval, Role, RuleVersion, Rules};
use crate::domain::term;
use crate::domain::text::printable;
use crate::i18n::{Lang, say, t, tf};
use crate::ui::text::wrap;

/// The calendar and rules a dialog needs to propose and check dates.
#[derive(Debug)]
pub struct World {
    pub cal: Calendar,
    pub rules: Rules,
}

#[derive(Debug, Clone)]
pub enum Input {
    Text(String),
    Area(Box<TextArea<'static>>),
    /// One of several: (value, label).
    Choice(Vec<(String, String)>, usize),
    /// Any of several: (value, label, detail), which are on, and the cursor.
    Multi(Vec<(String, String, String)>, Vec<bool>, usize),
}

#[derive(Debug, Clone)]
pub struct Field {
    /// The catalogue key of the label.
    pub label: &'static str,
    pub input: Input,
}

#[derive(Debug, Clone)]
pub struct Dialog {
    pub kind: DialogKind,
    pub number: String,
    pub seen: i64,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Proposals and windows computed from the rules, shown above the form.
    pub info: Vec<String>,
    pub error: Option<String>,
    /// The confirmation page: what will be recorded, and the change.
    pub confirm: Option<(Vec<String>, Change)>,
}

/// Give back a form whose change the store refused, exactly as it was
/// typed, on the case as it is now: with the reason above it and, when it
/// still passes the domain's checks on the fresh case, at its
/// confirmation page, so one Enter submits it again.
pub fn resume(m: &mut Model, world: Option<&World>, mut d: Dialog, why: String) {
    if let Screen::Case(view) = &m.screen
        && view.loaded.case.number == d.number
        && m.dialog.is_none()
    {
        d.seen = view.loaded.row_version;
        d.confirm = None;
        if let Some(w) = world
            && let Ok(page) = d.check(m, w)
        {
            d.confirm = Some(page);
        }
        d.error = Some(why);
        m.dialog = Some(d);
    } else {
        m.dialog_drafts.insert((d.number.clone(), d.kind), d);
    }
}

/// `dd.mm.yyyy HH:MM` in the calendar's zone (also `yyyy-mm-dd HH:MM`).
pub fn parse_local(cal: &Calendar, lang: Lang, text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(n) = NaiveDateTime::parse_from_str(text, "%d.%m.%Y %H:%M") {
        return term::at_local(cal, n.date(), n.time()).map_err(|e| say(lang, &e));
    }
    term::parse_instant(cal, text).map_err(|e| e.text(lang))
}

/// `dd.mm.yyyy` (also `yyyy-mm-dd`).
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%d.%m.%Y")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .ok()
}

fn local(cal: &Calendar, at: DateTime<Utc>) -> String {
    term::local(cal, at).format("%d.%m.%Y %H:%M").to_string()
}

fn text(s: impl Into<String>) -> Input {
    Input::Text(s.into())
}

fn area(lines: Vec<String>) -> Input {
    let mut a = TextArea::new(lines);
    a.set_block(ratatui::widgets::Block::bordered());
    Input::Area(Box::new(a))
}

fn yes_no(lang: Lang, yes_first: bool) -> Input {
    let yes = ("yes".to_string(), t(lang, "dialog.yes").to_string());
    let no = ("no".to_string(), t(lang, "dialog.no").to_string());
    Input::Choice(vec![yes, no], if yes_first { 0 } else { 1 })
}

/// The refusal grounds of the version, those of failed checks first and on.
fn grounds_input(lang: Lang, v: &RuleVersion, c: &Case) -> Input {
    let failed: Vec<&str> = v
        .checks
        .iter()
        .filter(|k| {
            c.checks
                .get(&k.id)
                .is_some_and(|r| r.outcome == Outcome::Failed)
        })
        .filter_map(|k| k.ground.as_deref())
        .collect();
    let mut options = Vec::new();
    let mut on = Vec::new();
    for g in &v.grounds {
        options.push((
            g.id.clone(),
            g.title.get(lang).to_string(),
            tf(
                lang,
                "checklist.lifted",
                &[("when", &g.lifted_when.get(lang))],
            ),
        ));
        on.push(failed.contains(&g.id.as_str()));
    }
    Input::Multi(options, on, 0)
}

/// What a form reads to propose and check: the case on screen, its rule
/// version, the calendar and the domain's context for a dry run.
pub(super) struct Form<'a> {
    pub lang: Lang,
    pub m: &'a Model,
    pub c: &'a Case,
    pub v: &'a RuleVersion,
    pub cal: &'a Calendar,
    pub ctx: Ctx<'a>,
    /// The case's version as read.
    pub seen: i64,
}

impl<'a> Form<'a> {
    fn of(m: &'a Model, world: &'a World) -> Result<Form<'a>, String> {
        let lang = m.lang;
        let Screen::Case(view) = &m.screen else {
            return Err(t(lang, "dialog.no-case").into());
        };
        let c = &view.loaded.case;
        let v = world
            .rules
            .version(&c.procedure, &c.version)
            .ok_or_else(|| t(lang, "dialog.no-rules").to_string())?;
        let cal = &world.cal;
        Ok(Form {
            lang,
            m,
            c,
            v,
            cal,
            ctx: Ctx {
                cal,
                version: v,
                actor: &m.me,
                now: m.now,
            },
            seen: view.loaded.row_version,
        })
    }

    /// A field's error: its label and why.
    pub fn bad(&self, label: &'static str, e: String) -> String {
        format!("{}: {e}", t(self.lang, label))
    }

    /// The chosen grounds with what lifts each, for the confirmation.
    pub fn grounds_text(&self, ids: &[String]) -> Vec<String> {
        ids.iter()
            .filter_map(|g| self.v.ground(g))
            .map(|g| {
                format!(
                    "  • {}\n    {}",
                    g.title.get(self.lang),
                    tf(
                        self.lang,
                        "checklist.lifted",
                        &[("when", &g.lifted_when.get(self.lang))]
                    )
                )
            })
            .collect()
    }
}

impl Dialog {
    /// Open a dialog for the case on screen, with proposals from the rules.
    pub fn open(m: &Model, world: &World, kind: DialogKind) -> Result<Dialog, String> {
        let form = Form::of(m, world)?;
        let c = form.c;
        let mut info = Vec::new();
        let fields = match kind {
            DialogKind::Hearing if !awaiting_hearing(c) => notice::fields(&form, &mut info)?,
            DialogKind::Hearing => hearing::fields(&form, &mut info)?,
            DialogKind::Decide => decision::fields(&form, &mut info)?,
            DialogKind::Stage => stage::fields(&form, &mut info)?,
            DialogKind::Approve => approval::fields(&form, &mut info)?,
        };
        Ok(Dialog {
            kind,
            number: c.number.clone(),
            seen: form.seen,
            fields,
            focus: 0,
            info,
            error: None,
            confirm: None,
        })
    }

    pub(super) fn value(&self, i: usize) -> String {
        match self.fields.get(i).map(|f| &f.input) {
            Some(Input::Text(s)) => s.clone(),
            Some(Input::Area(a)) => a.lines().join("\n"),
            Some(Input::Choice(o, at)) => o.get(*at).map(|x| x.0.clone()).unwrap_or_default(),
            _ => String::new(),
        }
    }

    pub(super) fn chosen(&self, i: usize) -> Vec<String> {
        match self.fields.get(i).map(|f| &f.input) {
            Some(Input::Multi(o, on, _)) => o
                .iter()
                .zip(on)
                .filter(|(_, on)| **on)
                .map(|(x, _)| x.0.clone())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Build the change from the form and dry-run it through the domain.
    fn check(&self, m: &Model, world: &World) -> Result<(Vec<String>, Change), String> {
        let form = Form::of(m, world)?;
        let c = form.c;
        let mut lines = Vec::new();
        let change = match self.kind {
            DialogKind::Hearing if !awaiting_hearing(c) => notice::check(self, &form, &mut lines)?,
            DialogKind::Hearing => hearing::check(self, &form, &mut lines)?,
            DialogKind::Decide => decision::check(self, &form, &mut lines)?,
            DialogKind::Stage => stage::check(self, &form, &mut lines)?,
            DialogKind::Approve => approval::check(self, &form, &mut lines)?,
        };
        Ok((lines, change))
    }

    /// A field the form does not show now: the reason for a duplicate,
    /// unless the decision is a duplicate.
    pub fn hidden(&self, i: usize) -> bool {
        self.kind == DialogKind::Decide
            && self
                .fields
                .get(i)
                .is_some_and(|f| f.label == "dialog.duplicate-reason")
            && self.value(0) != "duplicate"
    }

    /// Move the focus by one shown field, forward or back.
    fn step(&mut self, forward: bool) {
        let n = self.fields.len().max(1);
        for _ in 0..n {
            self.focus = if forward {
                (self.focus + 1) % n
            } else {
                (self.focus + n - 1) % n
            };
            if !self.hidden(self.focus) {
                break;
            }
        }
    }

    pub(super) fn field_label(&self, i: usize) -> String {
        match self.fields.get(i).map(|f| &f.input) {
            Some(Input::Choice(o, at)) => o.get(*at).map(|x| x.1.clone()).unwrap_or_default(),
            _ => self.value(i),
        }
    }

    /// The catalogue key of the dialog's title.
    pub fn title_key(&self, case: Option<&Case>) -> &'static str {
        match self.kind {
            DialogKind::Hearing if case.is_some_and(awaiting_hearing) => "dialog.title.hearing",
            DialogKind::Hearing => "dialog.title.notice",
            DialogKind::Decide => "dialog.title.decide",
            DialogKind::Approve => "dialog.title.approve",
            DialogKind::Stage => "dialog.title.stage",
        }
    }
}

/// The console's dry run of an acceptance knows no other cases: the store
/// checks the re-application block again when the change is applied.
struct NoOtherCases;

impl dc::CaseQueries for NoOtherCases {
    fn household_rvps_of_employer(&self, _: &str, _: NaiveDate, _: &str) -> Vec<dc::CaseRef> {
        Vec::new()
    }
    fn pending_pr_of(&self, _: &str, _: &str) -> Option<dc::CaseRef> {
        None
    }
    fn last_pr_refusal_or_annulment(&self, _: &str) -> Option<(String, NaiveDate)> {
        None
    }
}

/// A notice was sent and its hearing is not recorded yet.
pub fn awaiting_hearing(c: &Case) -> bool {
    c.notices.len() > c.hearings.len()
}

/// What a key does in an open dialog. Returns the change to record when
/// the user confirms.
pub fn key(m: &mut Model, world: Option<&World>, k: KeyEvent) -> Option<Change> {
    let lang = m.lang;
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let mut close = false;
    let mut submit = false;
    let mut record = None;
    {
        let d = m.dialog.as_mut()?;
        if let Some((_, change)) = &d.confirm {
            match k.code {
                KeyCode::Enter | KeyCode::Char('y') => {
                    record = Some(change.clone());
                    close = true;
                }
                KeyCode::Esc | KeyCode::Char('n') => d.confirm = None,
                _ => {}
            }
        } else {
            let in_area = matches!(
                d.fields.get(d.focus).map(|f| &f.input),
                Some(Input::Area(_))
            );
            match (k.code, d.fields.get_mut(d.focus).map(|f| &mut f.input)) {
                (KeyCode::Esc, _) => close = true,
                (KeyCode::Char('s'), _) if ctrl => submit = true,
                (KeyCode::Enter, _) if !in_area => submit = true,
                (KeyCode::Tab, _) => d.step(true),
                (KeyCode::BackTab, _) => d.step(false),
                (_, Some(Input::Area(a))) => {
                    a.input(k);
                }
                (KeyCode::Backspace, Some(Input::Text(s))) => {
                    s.pop();
                }
                (KeyCode::Char(c), Some(Input::Text(s))) if !ctrl => s.push(c),
                (KeyCode::Left, Some(Input::Choice(o, at))) => {
                    *at = (*at + o.len() - 1) % o.len().max(1)
                }
                (KeyCode::Right | KeyCode::Char(' '), Some(Input::Choice(o, at))) => {
                    *at = (*at + 1) % o.len().max(1)
                }
                (KeyCode::Up, Some(Input::Multi(_, _, cur))) => *cur = cur.saturating_sub(1),
                (KeyCode::Down, Some(Input::Multi(o, _, cur))) => {
                    *cur = (*cur + 1).min(o.len().saturating_sub(1))
                }
                (KeyCode::Char(' '), Some(Input::Multi(_, on, cur))) => {
                    if let Some(x) = on.get_mut(*cur) {
                        *x = !*x;
                    }
                }
                (KeyCode::Down, _) => d.step(true),
                (KeyCode::Up, _) => d.step(false),
                _ => {}
            }
        }
    }
    if submit {
        let outcome = match (m.dialog.as_ref(), world) {
            (Some(d), Some(w)) => d.check(m, w),
            _ => Err(t(lang, "dialog.no-rules").into()),
        };
        if let Some(d) = m.dialog.as_mut() {
            match outcome {
                Ok(page) => {
                    d.error = None;
                    d.confirm = Some(page);
                }
                Err(e) => d.error = Some(e),
            }
        }
    }
    if close && let Some(d) = m.dialog.take() {
        if record.is_none() {
            m.status = t(lang, "status.dialog-kept").to_string();
        }
        // The form stays as a draft unless it was recorded; a recorded
        // one rides with its change until the store has saved it.
        m.dialog_drafts.remove(&(d.number.clone(), d.kind));
        if record.is_none() {
            m.dialog_drafts.insert((d.number.clone(), d.kind), d);
        } else {
            m.sent = Some(super::Sent {
                dialog: Some(Box::new(d)),
                check_note: None,
            });
        }
    }
    record
}

/// A dialog over the case: proposals, the form (or the confirmation), and
/// the error that stops it, if any.
pub(super) fn draw(
    f: &mut Frame<'_>,
    m: &Model,
    d: &crate::app::dialog::Dialog,
    ui: &Ui<'_>,
    area: Rect,
) {
    use crate::app::dialog::Input;
    let lang = m.lang;
    let case = match &m.screen {
        Screen::Case(v) => Some(&v.loaded.case),
        _ => None,
    };
    let rect = Rect {
        x: area.x + 2,
        y: area.y + 1,
        width: area.width.saturating_sub(4),
        height: area.height.saturating_sub(2),
    };
    f.render_widget(ratatui::widgets::Clear, rect);
    let edge = usize::from(rect.width.saturating_sub(4));
    let title = format!(
        " {} ",
        crate::ui::text::cut(
            &format!("{} · {}", t(lang, d.title_key(case)), d.number),
            edge
        )
    );
    let keys = t(
        lang,
        if d.confirm.is_some() {
            "dialog.keys-confirm"
        } else {
            "dialog.keys"
        },
    );
    let block = ratatui::widgets::Block::bordered()
        .title(title)
        .title_bottom(format!(" {} ", crate::ui::text::cut(keys, edge)));
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let safe = |s: &str| printable(s).into_owned();
    // Lines are wrapped here, not by the paragraph, so that a multi-line
    // field's editor can be placed on the row its label reserves.
    let width = usize::from(inner.width.max(20));
    let wrapped = |lines: &mut Vec<Line<'static>>, text: &str, indent: usize, style: Style| {
        for l in wrap(&safe(text), width.saturating_sub(indent).max(10)) {
            lines.push(Line::styled(format!("{:indent$}{l}", ""), style));
        }
    };
    for i in &d.info {
        wrapped(&mut lines, i, 0, ui.theme.dim);
    }
    if let Some(e) = &d.error {
        wrapped(&mut lines, e, 0, ui.theme.overdue);
    }
    if let Some((page, _)) = &d.confirm {
        lines.push(Line::styled(
            t(lang, "dialog.will-record").to_string(),
            ui.theme.title,
        ));
        for l in page {
            // A warning on the confirmation page stands out.
            let style = if l.starts_with("!!") {
                ui.theme.overdue
            } else {
                Style::new()
            };
            for part in l.lines() {
                let indent = part.len() - part.trim_start().len();
                wrapped(&mut lines, part.trim_start(), indent, style);
            }
        }
        let lines: Vec<Line<'static>> = lines
            .into_iter()
            .map(|l| crate::ui::text::cut_line(l, usize::from(inner.width)))
            .collect();
        f.render_widget(Paragraph::new(lines), inner);
        return;
    }
    lines.push(Line::from(""));
    let mut area_at: Option<(usize, &ratatui_textarea::TextArea<'static>)> = None;
    for (i, field) in d.fields.iter().enumerate() {
        if d.hidden(i) {
            continue;
        }
        let focused = i == d.focus;
        let label = format!(
            "{}{}",
            if focused { "> " } else { "  " },
            t(lang, field.label)
        );
        let style = if focused {
            ui.theme.title
        } else {
            Style::new()
        };
        match &field.input {
            Input::Text(s) => lines.push(Line::from(vec![
                Span::styled(format!("{label}: "), style),
                Span::raw(format!("{}{}", safe(s), if focused { "▏" } else { "" })),
            ])),
            Input::Choice(o, at) => {
                let mut spans = vec![Span::styled(format!("{label}: "), style)];
                for (j, (_, l)) in o.iter().enumerate() {
                    let text = format!(" {} ", safe(l));
                    spans.push(if j == *at {
                        Span::styled(text, ui.theme.selected)
                    } else {
                        Span::raw(text)
                    });
                }
                lines.push(Line::from(spans));
            }
            Input::Multi(o, on, cur) => {
                lines.push(Line::styled(format!("{label}:"), style));
                for (j, ((_, l, detail), on)) in o.iter().zip(on).enumerate() {
                    let mark = if *on { "[x]" } else { "[ ]" };
                    let here = focused && j == *cur;
                    let style = if here {
                        ui.theme.selected
                    } else {
                        Style::new()
                    };
                    let text = wrap(&safe(l), width.saturating_sub(8).max(10));
                    for (k, part) in text.iter().enumerate() {
                        let lead = if k == 0 {
                            format!("    {mark} ")
                        } else {
                            " ".repeat(8)
                        };
                        lines.push(Line::styled(format!("{lead}{part}"), style));
                    }
                    if here {
                        wrapped(&mut lines, detail, 8, ui.theme.dim);
                    }
                }
            }
            Input::Area(a) => {
                lines.push(Line::styled(format!("{label}:"), style));
                area_at = Some((lines.len(), a));
                for _ in 0..5 {
                    lines.push(Line::from(""));
                }
            }
        }
    }
    // Keep the focused field in sight on small screens.
    let focus_line = lines
        .iter()
        .position(|l| l.spans.first().is_some_and(|s| s.content.starts_with('>')))
        .unwrap_or(0);
    let h = usize::from(inner.height);
    let scroll = focus_line.saturating_sub(h.saturating_sub(8));
    // Nothing runs past the frame without a mark.
    let lines: Vec<Line<'static>> = lines
        .into_iter()
        .map(|l| crate::ui::text::cut_line(l, usize::from(inner.width)))
        .collect();
    f.render_widget(
        Paragraph::new(lines).scroll((u16::try_from(scroll).unwrap_or(0), 0)),
        inner,
    );
    if let Some((at, a)) = area_at
        && at >= scroll
        && at - scroll + 5 <= h
    {
        let r = Rect {
            x: inner.x + 4,
            y: inner.y + u16::try_from(at - scroll).unwrap_or(0),
            width: inner.width.saturating_sub(6),
            height: 5,
        };
        f.render_widget(a, r);
    }
}
