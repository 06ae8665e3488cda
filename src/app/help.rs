//! `?`: the active keymap of the screen and the `:` commands, searchable.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::keymap::Context;
use super::{Action, Effect, Model};
use crate::domain::procedure::Role;
use crate::domain::text::printable;
use crate::i18n::tf;
use crate::ui::Ui;

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

/// `?`: the active keymap and the commands, searchable.
pub(super) fn draw(f: &mut Frame<'_>, m: &Model, search: &str, ui: &Ui<'_>, area: Rect) {
    let needle = crate::app::fold(search);
    let mut lines: Vec<Line<'_>> = Vec::new();
    let entries = help_entries(m);
    let width = entries
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    for (keys, help) in entries {
        let text = format!("{keys:<width$}  {help}");
        if crate::app::fold(&text).contains(&needle) {
            lines.push(Line::from(text));
        }
    }
    for (_, usage) in crate::app::COMMANDS {
        let usage = m.t(usage);
        if crate::app::fold(usage).contains(&needle) {
            lines.push(Line::from(format!("{:<width$}  {usage}", ":")));
        }
    }
    if lines.is_empty() {
        lines.push(Line::from(m.t("help.nothing")));
    }
    let w = area.width.saturating_sub(8).min(90);
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    f.render_widget(ratatui::widgets::Clear, rect);
    let title = tf(m.lang, "help.title", &[("search", &printable(search))]);
    f.render_widget(
        Paragraph::new(lines).block(
            ratatui::widgets::Block::bordered()
                .title(format!(" {title} "))
                .style(ui.theme.title),
        ),
        rect,
    );
}

/// A key while the help is open: type to search, Esc closes.
pub fn update(m: &mut Model, action: Action) -> Effect {
    match action {
        Action::HelpInput(c) => {
            if let Some(h) = m.help.as_mut() {
                h.push(c);
            }
        }
        Action::HelpBackspace => {
            if let Some(h) = m.help.as_mut() {
                h.pop();
            }
        }
        Action::HelpClose | Action::Back | Action::Quit => m.help = None,
        _ => {}
    }
    Effect::None
}
