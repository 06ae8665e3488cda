//! The frame around every screen: the header, the status line, the hint
//! bar, and which screen draws the body; overlays (dialog, help) on top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::keymap::{self, Cmd, Context};
use super::{Model, Prompt, Screen};
use crate::domain::procedure::Role;
use crate::domain::text::printable;
use crate::i18n::tf;
use crate::ui::{MIN_HEIGHT, MIN_WIDTH, Theme, Ui, text, too_small};

/// A line of the hint bar: the catalogue key of its label and the commands
/// whose first keys it shows.
pub type Hint = (&'static str, &'static [keymap::Cmd]);

/// The hint bar of a context, most used first; keys come from the keymap.
pub fn hints(ctx: Context, role: Role) -> Vec<Hint> {
    let mut out: Vec<Hint> = match ctx {
        Context::Queue => super::queue::HINTS.to_vec(),
        Context::Case | Context::Checklist => super::case::HINTS.to_vec(),
    };
    if ctx == Context::Checklist && role != Role::Auditor {
        out.push((
            "hint.marks",
            &[Cmd::Passed, Cmd::Failed, Cmd::NotApplicable, Cmd::Pending],
        ));
        out.push(("hint.with-note", &[Cmd::PassedNote]));
    }
    if ctx != Context::Queue {
        if role != Role::Auditor {
            out.push(("hint.note", &[Cmd::Note]));
            out.push(("hint.hearing", &[Cmd::Hearing]));
            out.push(("hint.decide", &[Cmd::Decide]));
        }
        if role == Role::Supervisor {
            out.push(("hint.approve", &[Cmd::Approve]));
        }
        out.push(("hint.help", &[Cmd::Help]));
        out.push(("hint.back", &[Cmd::Back]));
    }
    out.push(("hint.messages", &[Cmd::Messages]));
    out
}

fn key_label(m: &Model, ctx: Context, cmds: &[crate::app::keymap::Cmd]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in cmds {
        let in_ctx = m.keys.keys_of(ctx, *c);
        let keys = if in_ctx.is_empty() && ctx == Context::Checklist {
            m.keys.keys_of(Context::Case, *c)
        } else {
            in_ctx
        };
        if let Some(k) = keys.first() {
            parts.push(k.label());
        }
    }
    parts.join("/")
}

/// The hint bar: whole hints while they fit, then `…` (`?` lists them all).
fn hint_line(m: &Model, theme: &Theme, width: usize) -> Line<'static> {
    let ctx = m.context();
    let mut spans = Vec::new();
    let mut used = 0;
    for (label, cmds) in hints(ctx, m.me.role) {
        let keys = key_label(m, ctx, cmds);
        if keys.is_empty() {
            continue;
        }
        let key = format!(" {keys} ");
        let what = format!("{} ", m.t(label));
        let w = text::width(&key) + text::width(&what);
        if used + w + 2 > width {
            spans.push(Span::raw(text::ELLIPSIS));
            break;
        }
        used += w;
        spans.push(Span::styled(key, theme.title));
        spans.push(Span::raw(what));
    }
    Line::from(spans)
}

impl crate::ui::Draw for Model {
    fn draw(&mut self, f: &mut Frame<'_>, ui: &Ui<'_>) {
        draw(f, self, ui);
    }
}

/// Draw the whole screen.
fn draw(f: &mut Frame<'_>, m: &mut Model, ui: &Ui<'_>) {
    let area = f.area();
    if too_small(area.width, area.height) {
        let msg = tf(
            m.lang,
            "screen.too-small",
            &[
                ("min", &format!("{MIN_WIDTH}x{MIN_HEIGHT}")),
                ("size", &format!("{}x{}", area.width, area.height)),
            ],
        );
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let [top, body, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    m.log_status();
    let width = usize::from(area.width);
    let header = match &m.screen {
        Screen::Queue => super::queue::header(m, ui, width),
        Screen::Desk(d) => super::desk::header(m.lang, d, ui, width),
        Screen::Case(view) => super::case::header(m.lang, view, ui, width),
    };
    f.render_widget(Paragraph::new(header), top);
    match &m.screen {
        Screen::Queue => super::queue::draw(f, m, ui, body),
        Screen::Desk(_) => super::desk::draw(f, m, ui, body),
        Screen::Case(_) => super::case::draw(f, m, ui, body),
    }
    f.render_widget(
        Paragraph::new(hint_line(m, &ui.theme, width)).style(ui.theme.dim),
        keys,
    );
    let status_line = match &m.prompt {
        Some(Prompt::Command(cmd)) => text::tail(&format!(":{}▏", printable(cmd)), width),
        Some(Prompt::CheckNote { outcome, text }) => format!(
            "{}: {}▏",
            tf(
                m.lang,
                "prompt.check-note",
                &[("outcome", &m.t(crate::app::worker::outcome_key(*outcome)))]
            ),
            printable(text)
        ),
        None if m.filtering => format!("/{}▏", printable(&m.filter)),
        None if !m.filter.is_empty() && matches!(m.screen, Screen::Queue) => tf(
            m.lang,
            "status.filter",
            &[
                ("filter", &printable(&m.filter)),
                ("n", &m.visible.len()),
                ("status", &printable(&m.status)),
            ],
        ),
        None => printable(&m.status).into_owned(),
    };
    // What is typed shows its end (where the cursor is); a message that
    // does not fit is cut with `…` and can be read whole in the log.
    let status_line = if m.prompt.is_some() || m.filtering {
        text::tail(&status_line, width)
    } else {
        text::cut(&status_line, width)
    };
    f.render_widget(Paragraph::new(status_line), status);
    if let Some(d) = &m.dialog {
        super::dialog::draw(f, m, d, ui, area);
    }
    if let Some(n) = &m.notices {
        super::notices::draw(f, m, n, ui, area);
    }
    if m.log.is_some() {
        super::messages::draw(f, m, ui, area);
    }
    if m.help.is_some() {
        super::help::draw(f, m, ui, area);
    }
}
