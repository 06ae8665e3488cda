//! `?`: the active keymap of the screen and the `:` commands, searchable.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::keymap::Context;
use super::{Action, Effect, Model, fold};
use crate::domain::procedure::Role;
use crate::domain::text::printable;
use crate::i18n::tf;
use crate::ui::{Ui, text};

/// Every binding of the current screen for the help: keys and help text.
/// An auditor's help lists no editing commands.
pub fn help_entries(m: &Model) -> Vec<(String, &'static str)> {
    let mut ctxs = vec![m.context()];
    if ctxs[0] == Context::Checklist {
        ctxs.push(Context::Case);
    }
    let mut out = Vec::new();
    for ctx in ctxs {
        for (cmd, keys) in m.keys.bindings(ctx) {
            if keys.is_empty() || (m.me.role == Role::Auditor && cmd.edits()) {
                continue;
            }
            let label: Vec<String> = keys.iter().map(|k| k.label()).collect();
            out.push((label.join(" "), m.t(cmd.help_key())));
        }
    }
    out
}

/// The help overlay: its search, whether keys type into the search, and
/// how far it is scrolled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpView {
    pub search: String,
    pub searching: bool,
    pub scroll: usize,
    /// The lines the last frame could show (for page moves).
    pub page: usize,
}

/// A key in the help: fixed keys, as in every text-entry mode. `/` starts
/// a search (any other letter does too), Enter ends it, Esc clears it;
/// j/k, arrows, PgUp/PgDn, Ctrl-d/Ctrl-u, g/G and Home/End scroll.
pub fn action_for(h: &HelpView, key: KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let scroll = match key.code {
        KeyCode::Down => Some(Action::Down),
        KeyCode::Up => Some(Action::Up),
        KeyCode::PageDown => Some(Action::PageDown),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::Home => Some(Action::Top),
        KeyCode::End => Some(Action::Bottom),
        KeyCode::Char('d') if ctrl => Some(Action::PageDown),
        KeyCode::Char('u') if ctrl => Some(Action::PageUp),
        _ => None,
    };
    if scroll.is_some() {
        return scroll;
    }
    if h.searching {
        return match key.code {
            KeyCode::Esc => Some(Action::FilterCancel),
            KeyCode::Enter => Some(Action::FilterDone),
            KeyCode::Backspace => Some(Action::HelpBackspace),
            KeyCode::Char(c) if !ctrl => Some(Action::HelpInput(c)),
            _ => None,
        };
    }
    match key.code {
        KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | '?') => Some(Action::HelpClose),
        KeyCode::Char('/') => Some(Action::StartFilter),
        KeyCode::Char('j') => Some(Action::Down),
        KeyCode::Char('k') => Some(Action::Up),
        KeyCode::Char(' ') => Some(Action::PageDown),
        KeyCode::Char('g') => Some(Action::Top),
        KeyCode::Char('G') => Some(Action::Bottom),
        KeyCode::Backspace => Some(Action::HelpBackspace),
        KeyCode::Char(c) if !ctrl => Some(Action::HelpInput(c)),
        _ => None,
    }
}

/// A key while the help is open.
pub fn update(m: &mut Model, action: Action) -> Effect {
    let Some(h) = m.help.as_mut() else {
        return Effect::None;
    };
    let page = h.page.max(1);
    match action {
        Action::HelpInput(c) => {
            h.searching = true;
            h.search.push(c);
            h.scroll = 0;
        }
        Action::HelpBackspace => {
            h.search.pop();
            h.scroll = 0;
        }
        Action::StartFilter => h.searching = true,
        Action::FilterDone => h.searching = false,
        Action::FilterCancel => {
            h.searching = false;
            h.search.clear();
            h.scroll = 0;
        }
        Action::Down => h.scroll = h.scroll.saturating_add(1),
        Action::Up => h.scroll = h.scroll.saturating_sub(1),
        Action::PageDown => h.scroll = h.scroll.saturating_add(page),
        Action::PageUp => h.scroll = h.scroll.saturating_sub(page),
        Action::Top => h.scroll = 0,
        Action::Bottom => h.scroll = usize::MAX,
        Action::HelpClose | Action::Back | Action::Quit => m.help = None,
        _ => {}
    }
    Effect::None
}

/// The help's lines at a width: every binding of the screen, then the
/// commands, those that match the search; a long text wraps under itself.
pub fn lines(m: &Model, search: &str, width: usize) -> Vec<String> {
    let needle = fold(search);
    let entries = help_entries(m);
    let keys_w = entries
        .iter()
        .map(|(k, _)| text::width(k))
        .max()
        .unwrap_or(8)
        .clamp(8, 24);
    let mut rows: Vec<(String, String)> = entries
        .into_iter()
        .map(|(k, h)| (k, h.to_string()))
        .collect();
    for (_, usage) in super::COMMANDS {
        rows.push((":".to_string(), m.t(usage).to_string()));
    }
    let mut out = Vec::new();
    for (keys, help) in rows {
        let row = format!("{}  {help}", text::pad(&keys, keys_w));
        if fold(&row).contains(&needle) {
            out.extend(text::hang(&row, width, keys_w + 2));
        }
    }
    if out.is_empty() {
        out.push(m.t("help.nothing").to_string());
    }
    out
}

/// `?`: the active keymap and the commands, searchable and scrolled.
pub(super) fn draw(f: &mut Frame<'_>, m: &mut Model, ui: &Ui<'_>, area: Rect) {
    let Some(h) = m.help.clone() else {
        return;
    };
    let w = area.width.saturating_sub(8).min(100);
    let inner_w = usize::from(w.saturating_sub(2));
    let all = lines(m, &h.search, inner_w);
    let height = (all.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rows = usize::from(height.saturating_sub(2));
    let last = all.len().saturating_sub(rows);
    let scroll = h.scroll.min(last);
    if let Some(v) = m.help.as_mut() {
        v.scroll = scroll;
        v.page = rows.saturating_sub(1).max(1);
    }
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - height) / 2,
        width: w,
        height,
    };
    f.render_widget(ratatui::widgets::Clear, rect);
    let cursor = if h.searching { "▏" } else { "" };
    let title = tf(
        m.lang,
        "help.title",
        &[("search", &format!("{}{cursor}", printable(&h.search)))],
    );
    let shown = if all.len() > rows {
        tf(
            m.lang,
            "help.position",
            &[
                ("from", &(scroll + 1)),
                ("to", &(scroll + rows).min(all.len())),
                ("n", &all.len()),
            ],
        )
    } else {
        String::new()
    };
    let bottom = format!("{} {shown}", m.t("help.keys"));
    let body: Vec<Line<'_>> = all
        .into_iter()
        .skip(scroll)
        .take(rows)
        .map(|l| Line::from(printable(&l).into_owned()))
        .collect();
    let inner = usize::from(w.saturating_sub(4));
    f.render_widget(
        Paragraph::new(body).block(
            ratatui::widgets::Block::bordered()
                .title(format!(" {} ", text::cut(&title, inner)))
                .title_bottom(format!(" {} ", text::cut(bottom.trim(), inner)))
                .style(ui.theme.title),
        ),
        rect,
    );
}
