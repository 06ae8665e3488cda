//! The message log (`M`, `:messages`): every status and error line of the
//! session with its Almaty time, newest last, wrapped whole: what the status
//! line had to cut can be read here.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{Action, Effect, Model};
use crate::domain::text::printable;
use crate::i18n::tf;
use crate::ui::{Ui, text};

/// How far the log is scrolled; it opens on the newest message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogView {
    pub scroll: usize,
    /// The lines the last frame could show (for page moves).
    pub page: usize,
}

impl LogView {
    pub fn at_end() -> LogView {
        LogView {
            scroll: usize::MAX,
            page: 1,
        }
    }
}

/// A key in the log: scroll, or close with Esc, q, Enter or M.
pub fn action_for(key: KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | 'M') => Some(Action::Back),
        KeyCode::Down | KeyCode::Char('j') => Some(Action::Down),
        KeyCode::Up | KeyCode::Char('k') => Some(Action::Up),
        KeyCode::PageDown | KeyCode::Char(' ') => Some(Action::PageDown),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::Char('d') if ctrl => Some(Action::PageDown),
        KeyCode::Char('u') if ctrl => Some(Action::PageUp),
        KeyCode::Home | KeyCode::Char('g') => Some(Action::Top),
        KeyCode::End | KeyCode::Char('G') => Some(Action::Bottom),
        _ => None,
    }
}

/// A key while the log is open.
pub fn update(m: &mut Model, action: Action) -> Effect {
    let Some(v) = m.log.as_mut() else {
        return Effect::None;
    };
    let page = v.page.max(1);
    match action {
        Action::Down => v.scroll = v.scroll.saturating_add(1),
        Action::Up => v.scroll = v.scroll.saturating_sub(1),
        Action::PageDown => v.scroll = v.scroll.saturating_add(page),
        Action::PageUp => v.scroll = v.scroll.saturating_sub(page),
        Action::Top => v.scroll = 0,
        Action::Bottom => v.scroll = usize::MAX,
        Action::Back | Action::Quit | Action::Messages => m.log = None,
        _ => {}
    }
    Effect::None
}

/// The log's lines at a width: the time, then the message wrapped under
/// itself.
pub fn lines(m: &Model, cal: &crate::domain::calendar::Calendar, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for (at, said) in &m.messages {
        let when = crate::domain::term::local(cal, *at)
            .format("%d.%m.%Y %H:%M:%S")
            .to_string();
        let row = format!("{when}  {}", printable(said));
        out.extend(text::hang(&row, width, text::width(&when) + 2));
    }
    if out.is_empty() {
        out.push(m.t("messages.none").to_string());
    }
    out
}

pub(super) fn draw(f: &mut Frame<'_>, m: &mut Model, ui: &Ui<'_>, area: Rect) {
    let Some(v) = m.log.clone() else {
        return;
    };
    let rect = Rect {
        x: area.x + 1,
        y: area.y + 1,
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    };
    let inner_w = usize::from(rect.width.saturating_sub(2));
    let rows = usize::from(rect.height.saturating_sub(2));
    let all = lines(m, ui.cal, inner_w);
    let scroll = v.scroll.min(all.len().saturating_sub(rows));
    if let Some(l) = m.log.as_mut() {
        l.scroll = scroll;
        l.page = rows.saturating_sub(1).max(1);
    }
    f.render_widget(ratatui::widgets::Clear, rect);
    let title = tf(m.lang, "messages.title", &[("n", &m.messages.len())]);
    let body: Vec<Line<'_>> = all
        .into_iter()
        .skip(scroll)
        .take(rows)
        .map(Line::from)
        .collect();
    let inner = inner_w.saturating_sub(2);
    f.render_widget(
        Paragraph::new(body).block(
            ratatui::widgets::Block::bordered()
                .title(format!(" {} ", text::cut(&title, inner)))
                .title_bottom(format!(" {} ", text::cut(m.t("messages.keys"), inner)))
                .style(ui.theme.title),
        ),
        rect,
    );
}
