//! The case screen: its sections (summary, applicant, documents,
//! checklist, timeline, hearing, decision, notes, history), moving between
//! them and scrolling; the section texts are in `sections`, the checklist's
//! marks in `super::checklist`, the note editor in `super::note`.

mod sections;

pub(crate) use sections::deadline_label;

use ratatui_textarea::TextArea;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Hint;
use super::keymap::{Binding, Cmd};
use super::{Action, Effect, Model, Screen, dialog, drafts};
use crate::domain::text::printable;
use crate::i18n::{Lang, t};
use crate::store::audit::AuditRow;
use crate::store::cases::Loaded;
use crate::ui::{Ui, text};

/// The built-in keys of the case screen (the checklist adds its own, consulted first); `keys.toml` overrides them.
pub const KEYS: &[Binding] = &[
    (Cmd::NextSection, &["Tab"]),
    (Cmd::PrevSection, &["Shift-Tab"]),
    (Cmd::Section(1), &["1"]),
    (Cmd::Section(2), &["2"]),
    (Cmd::Section(3), &["3"]),
    (Cmd::Section(4), &["4"]),
    (Cmd::Section(5), &["5"]),
    (Cmd::Section(6), &["6"]),
    (Cmd::Section(7), &["7"]),
    (Cmd::Section(8), &["8"]),
    (Cmd::Section(9), &["9"]),
    (Cmd::Down, &["j", "Down"]),
    (Cmd::Up, &["k", "Up"]),
    (Cmd::Top, &["g", "Home"]),
    (Cmd::Bottom, &["G", "End"]),
    (Cmd::PageDown, &["Ctrl-d", "PgDn"]),
    (Cmd::PageUp, &["Ctrl-u", "PgUp"]),
    (Cmd::Note, &["a"]),
    (Cmd::Explain, &["e"]),
    (Cmd::Hearing, &["h"]),
    (Cmd::Decide, &["d"]),
    (Cmd::Approve, &["A"]),
    (Cmd::StageDone, &["s"]),
    (Cmd::Command, &[":"]),
    (Cmd::Refresh, &["r"]),
    (Cmd::Help, &["?"]),
    (Cmd::Messages, &["M"]),
    (Cmd::Back, &["Esc", "q"]),
    (Cmd::Search, &["/"]),
    (Cmd::Undo, &["z"]),
    (Cmd::Notices, &["v"]),
];

/// The first hints of the case screen (the frame adds the editing ones).
pub const HINTS: &[Hint] = &[
    ("hint.section", &[Cmd::NextSection]),
    ("hint.move", &[Cmd::Down, Cmd::Up]),
];

/// The sections of the case screen, in order, by catalogue key.
pub const SECTIONS: &[&str] = &[
    "section.summary",
    "section.applicant",
    "section.documents",
    "section.checklist",
    "section.timeline",
    "section.hearing",
    "section.decision",
    "section.notes",
    "section.history",
];

/// Deliberate abbreviations of the section names for narrow tab bars.
pub const SECTIONS_SHORT: &[&str] = &[
    "section-short.summary",
    "section-short.applicant",
    "section-short.documents",
    "section-short.checklist",
    "section-short.timeline",
    "section-short.hearing",
    "section-short.decision",
    "section-short.notes",
    "section-short.history",
];

/// The index of the checklist and the notes sections.
pub const CHECKLIST: usize = 3;
pub const NOTES: usize = 7;

/// An open case.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub loaded: Loaded,
    pub history: Vec<AuditRow>,
    pub section: usize,
    pub scroll: u16,
    /// The checklist item under the cursor.
    pub cursor: usize,
    /// The note being written, if the editor is open.
    pub editor: Option<TextArea<'static>>,
    /// What kezek computed for the computed checks, by check id.
    pub evidence: Vec<(String, crate::domain::checks::Computation)>,
    /// Show each open deadline's day-by-day explanation.
    pub explain: bool,
    /// `/` in the section on show.
    pub search: super::search::Search,
    /// The lines the last frame could show (for page moves).
    pub page: usize,
}

impl CaseView {
    pub fn new(loaded: Loaded, history: Vec<AuditRow>) -> CaseView {
        CaseView {
            loaded,
            history,
            section: 0,
            scroll: 0,
            cursor: 0,
            editor: None,
            evidence: Vec::new(),
            explain: false,
            search: Default::default(),
            page: 10,
        }
    }
}

/// The lines of the section on show, as drawn (before search marks).
pub fn section_text(lang: Lang, view: &CaseView, ui: &Ui<'_>) -> Vec<Line<'static>> {
    sections::section_lines(lang, view, ui, crate::app::now())
}

/// Open the dialog asked for before the case was loaded, once it is on screen.
pub fn open_pending_dialog(m: &mut Model) {
    let on_screen = match (&m.pending_dialog, &m.screen) {
        (Some((n, _)), Screen::Case(v)) => v.loaded.case.number == *n,
        _ => false,
    };
    if on_screen && let Some((_, kind)) = m.pending_dialog.take() {
        update(m, Action::StartDialog(kind));
    }
}

fn page(lines: usize) -> u16 {
    u16::try_from(lines.max(1)).unwrap_or(u16::MAX)
}

/// A key on the case screen.
pub fn update(m: &mut Model, action: Action) -> Effect {
    let edits = matches!(
        action,
        Action::EditNote
            | Action::Mark(_)
            | Action::MarkWithNote(_)
            | Action::EditorSave
            | Action::StartDialog(_)
    );
    if edits && m.refused_to_auditor() {
        return Effect::None;
    }
    match action {
        Action::DialogKey(k) => {
            let world = m.world.clone();
            return match dialog::key(m, world.as_deref(), k) {
                Some(change) => Effect::Act(change),
                None => Effect::None,
            };
        }
        Action::StartDialog(kind) => {
            let Screen::Case(view) = &m.screen else {
                return Effect::None;
            };
            let key = (view.loaded.case.number.clone(), kind);
            let seen = view.loaded.row_version;
            if let Some(mut d) = m.dialog_drafts.remove(&key) {
                // A draft typed before a reload is checked again on submit.
                d.seen = seen;
                d.confirm = None;
                m.dialog = Some(d);
                return Effect::None;
            }
            let opened = match m.world.as_deref() {
                Some(w) => dialog::Dialog::open(m, w, kind),
                None => Err(m.t("dialog.no-rules").to_string()),
            };
            match opened {
                Ok(mut d) => {
                    if let Some(body) = m.stored_dialogs.remove(&key) {
                        drafts::restore_dialog(&mut d, &body);
                    }
                    m.dialog = Some(d);
                }
                Err(e) => m.status = e,
            }
            return Effect::None;
        }
        _ => {}
    }
    if let Some(effect) = super::search::update(m, &action) {
        return effect;
    }
    if let Some(effect) = super::note::update(m, &action) {
        return effect;
    }
    if let Some(effect) = super::checklist::update(m, &action) {
        return effect;
    }
    let n = SECTIONS.len();
    let Screen::Case(view) = &mut m.screen else {
        return Effect::None;
    };
    match action {
        Action::Back | Action::Quit => {
            m.screen = Screen::Queue;
            // The queue is read again only when something changed meanwhile.
            if std::mem::take(&mut m.queue_stale) {
                return Effect::LoadQueue;
            }
            return Effect::None;
        }
        Action::NextSection => {
            view.section = (view.section + 1) % n;
            view.scroll = 0;
        }
        Action::PrevSection => {
            view.section = (view.section + n - 1) % n;
            view.scroll = 0;
        }
        Action::Section(i) if i < n => {
            view.section = i;
            view.scroll = 0;
        }
        Action::ToggleExplain => view.explain = !view.explain,
        Action::Down => view.scroll = view.scroll.saturating_add(1),
        Action::Up => view.scroll = view.scroll.saturating_sub(1),
        Action::PageDown => view.scroll = view.scroll.saturating_add(page(view.page)),
        Action::PageUp => view.scroll = view.scroll.saturating_sub(page(view.page)),
        // The drawing stops the scroll at the last line.
        Action::Bottom => view.scroll = u16::MAX,
        Action::Top => {
            view.scroll = 0;
            view.cursor = 0;
        }
        Action::Refresh => return Effect::LoadCase(view.loaded.case.number.clone()),
        _ => {}
    }
    Effect::None
}

/// The case's header: number, applicant and procedure. When it does not
/// fit, the applicant's name is cut with `…` (the summary shows it whole)
/// and then the procedure's name goes.
pub(super) fn header(lang: Lang, view: &CaseView, ui: &Ui<'_>, width: usize) -> Line<'static> {
    let c = &view.loaded.case;
    let number = format!(" {} ", printable(&c.number));
    let name = printable(&c.applicant.name).into_owned();
    let proc_name = format!(" · {}", ui.rules.procedure_name(&c.procedure, lang));
    let fixed = text::width(&number) + 2;
    // The name whole and the procedure cut when both fit at all; else the
    // name cut and no procedure.
    let (name, rest) = if fixed + text::width(&name) + 8 <= width {
        (name, proc_name)
    } else {
        (text::cut(&name, width.saturating_sub(fixed)), String::new())
    };
    text::cut_line(
        Line::from(vec![
            Span::styled(number, ui.theme.title),
            Span::raw(format!("· {name}{rest}")),
        ]),
        width,
    )
}

/// Lines wrapped to `width` cells, each continuation indented under its
/// text (two cells past the line's own indentation).
pub(super) fn wrap_lines(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for l in lines {
        if l.width() <= width {
            out.push(l);
            continue;
        }
        let style = l.spans.first().map(|s| s.style).unwrap_or_default();
        let line_style = l.style;
        let all: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
        let lead_bytes = all.len() - all.trim_start().len();
        // A late line's `!! ` mark is part of its indentation.
        let lead = text::width(&all[..lead_bytes]) + if all.starts_with("!! ") { 3 } else { 0 };
        // "Label  value" and "date  what": continuation lines go under the
        // value; anything else two cells past its own indentation.
        let value_at = all
            .trim_start()
            .find("  ")
            .map(|i| lead_bytes + i)
            .and_then(|i| {
                let rest = all.get(i..)?;
                let gap = rest.len() - rest.trim_start().len();
                let col = text::width(all.get(..i + gap)?);
                (col <= 24 && gap < rest.len()).then_some(col)
            });
        let indent = value_at.unwrap_or(lead + 2).min(width / 2);
        for part in text::hang(&all, width, indent) {
            out.push(Line::styled(part, style).patch_style(line_style));
        }
    }
    out
}

pub(super) fn draw(f: &mut Frame<'_>, m: &mut Model, ui: &Ui<'_>, area: Rect) {
    let lang = m.lang;
    let Screen::Case(view) = &m.screen else {
        return;
    };
    let [tabs, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    // Full section names when they fit, else the catalogue's deliberate
    // abbreviations, else numbers; the current section keeps its full name.
    let width = |short: bool| -> usize {
        SECTIONS
            .iter()
            .zip(SECTIONS_SHORT)
            .enumerate()
            .map(|(i, (full, abbr))| {
                let name = if short && i != view.section {
                    abbr
                } else {
                    full
                };
                t(lang, name).chars().count() + 3
            })
            .sum::<usize>()
            + 1
    };
    let short = width(false) > area.width as usize;
    let numbers = short && width(true) > area.width as usize;
    let mut spans = vec![Span::raw(" ")];
    for (i, (full, abbr)) in SECTIONS.iter().zip(SECTIONS_SHORT).enumerate() {
        let label = if i == view.section || !short {
            format!("{}:{} ", i + 1, t(lang, full))
        } else if numbers {
            format!("{} ", i + 1)
        } else {
            format!("{}:{} ", i + 1, t(lang, abbr))
        };
        if i == view.section {
            spans.push(Span::styled(label, ui.theme.selected));
        } else {
            spans.push(Span::raw(label));
        }
    }
    f.render_widget(
        Paragraph::new(text::cut_line(Line::from(spans), usize::from(tabs.width))),
        tabs,
    );
    if view.section == CHECKLIST && view.editor.is_none() {
        super::checklist::draw(f, m, ui, body);
        return;
    }
    let lines =
        super::search::highlight(sections::section_lines(lang, view, ui, m.now), &view.search);
    match &view.editor {
        Some(ed) => super::note::draw(f, ed, lines, body),
        None => {
            let lines = wrap_lines(lines, usize::from(body.width.max(1)));
            let h = usize::from(body.height);
            let last = lines.len().saturating_sub(h);
            let mut scroll = usize::from(view.scroll).min(last);
            if let Some(at) =
                super::search::scroll_to(&lines, &view.search, body.width, body.height)
            {
                scroll = usize::from(at).min(last);
            }
            if let Screen::Case(v) = &mut m.screen {
                v.scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
                v.page = h.saturating_sub(1).max(1);
            }
            f.render_widget(
                Paragraph::new(lines).scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
                body,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_under_their_value_in_any_script() {
        let lines = vec![
            Line::from(
                "!! 18.11.2026 18:30  Көрсетілетін қызметті алушы туралы мәліметтерді енгізу",
            ),
            Line::from("Заявитель  Каримова Дилноза Абдуллаевна из Ташкента, Узбекистан"),
        ];
        let out: Vec<String> = wrap_lines(lines, 40)
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        for l in &out {
            assert!(text::width(l) <= 40, "{l}");
        }
        // Under the value, at most half the width in.
        assert!(out[1].starts_with(&" ".repeat(20)), "{out:?}");
        assert!(out.iter().any(|l| l.starts_with("Заявитель  ")));
        let second = out
            .iter()
            .skip_while(|l| !l.starts_with("Заявитель"))
            .nth(1);
        assert!(
            second.is_some_and(|l| l.starts_with(&" ".repeat(11))),
            "{out:?}"
        );
    }
}
