//! The note editor of the case screen: a multi-line text area; Ctrl-S
//! records the note, Esc closes it and keeps the text as a draft that
//! survives reopening the case.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui_textarea::TextArea;

use super::{Action, Change, Effect, Model, NOTES, Screen};
use crate::i18n::t;

/// An editor action on the open case; None for any other action.
pub fn update(m: &mut Model, action: &Action) -> Option<Effect> {
    if !matches!(
        action,
        Action::EditorKey(_) | Action::EditorClose | Action::EditorSave | Action::EditNote
    ) {
        return None;
    }
    let lang = m.lang;
    let Screen::Case(view) = &mut m.screen else {
        return Some(Effect::None);
    };
    match action.clone() {
        Action::EditorKey(k) => {
            if let Some(ed) = view.editor.as_mut() {
                ed.input(k);
            }
        }
        Action::EditorClose => {
            if let Some(ed) = view.editor.take() {
                m.drafts
                    .insert(view.loaded.case.number.clone(), ed.lines().to_vec());
                m.status = t(lang, "status.draft-kept").to_string();
            }
        }
        Action::EditorSave => {
            if let Some(ed) = view.editor.as_ref() {
                let text = ed.lines().join("\n");
                m.drafts
                    .insert(view.loaded.case.number.clone(), ed.lines().to_vec());
                if text.trim().is_empty() {
                    m.status = t(lang, "status.empty-note").to_string();
                    return Some(Effect::None);
                }
                return Some(Effect::Act(Change::AddNote {
                    number: view.loaded.case.number.clone(),
                    seen: view.loaded.row_version,
                    text,
                }));
            }
        }
        Action::EditNote => {
            let lines = m
                .drafts
                .get(&view.loaded.case.number)
                .cloned()
                .unwrap_or_default();
            let mut ed = TextArea::new(lines);
            // A draft goes on where it ended.
            ed.move_cursor(ratatui_textarea::CursorMove::Bottom);
            ed.move_cursor(ratatui_textarea::CursorMove::End);
            ed.set_block(
                ratatui::widgets::Block::bordered().title(format!(" {} ", t(lang, "editor.title"))),
            );
            view.editor = Some(ed);
            view.section = NOTES;
        }
        _ => {}
    }
    Some(Effect::None)
}

/// The section's text above, the editor below.
pub(super) fn draw(
    f: &mut Frame<'_>,
    ed: &TextArea<'static>,
    lines: Vec<Line<'static>>,
    body: Rect,
) {
    let [text, editor] = Layout::vertical([Constraint::Fill(1), Constraint::Length(8)]).areas(body);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
    f.render_widget(ed, editor);
}
