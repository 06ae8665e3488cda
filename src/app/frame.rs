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
use crate::ui::{MIN_HEIGHT, MIN_WIDTH, Theme, Ui, too_small};

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

fn hint_line(m: &Model, theme: &Theme) -> Line<'static> {
    let ctx = m.context();
    let mut spans = Vec::new();
    for (label, cmds) in hints(ctx, m.me.role) {
        let keys = key_label(m, ctx, cmds);
        if keys.is_empty() {
            continue;
        }
        spans.push(Span::styled(format!(" {keys} "), theme.title));
        spans.push(Span::raw(format!("{} ", m.t(label))));
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
    match &m.screen {
        Screen::Queue => {
            let c = m.counts(ui.cal);
            // Counts are marked as partial until the database has counted
            // the whole view (before its rows have all arrived).
            let more = if m.loading && m.counted.is_none() {
                "…"
            } else {
                ""
            };
            let view = match &m.procedure {
                Some(p) => format!(
                    "{}/{}",
                    m.t(m.view.label_key()),
                    ui.rules
                        .procedure(p)
                        .map(|x| crate::i18n::procedure_code(x, m.lang))
                        .unwrap_or_else(|_| p.clone())
                ),
                None => m.t(m.view.label_key()).to_string(),
            };
            let view = match super::queue::fields_label(m) {
                f if f.is_empty() => view,
                f => format!("{view}/{f}"),
            };
            let header = Line::from(vec![
                Span::styled(" kezek ", ui.theme.title),
                Span::styled(
                    tf(
                        m.lang,
                        "header.overdue",
                        &[("n", &format!("{}{more}", c.overdue))],
                    ),
                    ui.theme.overdue,
                ),
                Span::raw(" · "),
                Span::styled(
                    tf(
                        m.lang,
                        "header.today",
                        &[("n", &format!("{}{more}", c.today))],
                    ),
                    ui.theme.today,
                ),
                Span::raw(format!(
                    " · {} · {} · [{view}|{}] · {}",
                    tf(
                        m.lang,
                        "header.soon",
                        &[("n", &format!("{}{more}", c.soon))]
                    ),
                    tf(
                        m.lang,
                        "header.total",
                        &[("n", &format!("{}{more}", c.total))]
                    ),
                    super::queue::sort_label(m),
                    printable(&m.me.login)
                )),
            ]);
            f.render_widget(Paragraph::new(header), top);
            super::queue::draw(f, m, ui, body);
        }
        Screen::Desk(d) => {
            let as_of = d
                .figures
                .as_ref()
                .map(|f| f.as_of.replace('T', " "))
                .unwrap_or_default();
            let header = Line::from(vec![
                Span::styled(" kezek ", ui.theme.title),
                Span::raw(format!("· {} · {}", m.t("desk.title"), printable(&as_of))),
            ]);
            f.render_widget(Paragraph::new(header), top);
            super::desk::draw(f, m.lang, d, ui, body);
        }
        Screen::Case(view) => {
            let c = &view.loaded.case;
            let proc_name = ui.rules.procedure_name(&c.procedure, m.lang);
            let header = Line::from(vec![
                Span::styled(format!(" {} ", c.number), ui.theme.title),
                Span::raw(format!("· {} · {proc_name}", printable(&c.applicant.name))),
            ]);
            f.render_widget(Paragraph::new(header), top);
            super::case::draw(f, m.lang, view, ui, body);
        }
    }
    f.render_widget(
        Paragraph::new(hint_line(m, &ui.theme)).style(ui.theme.dim),
        keys,
    );
    let status_line = match &m.prompt {
        Some(Prompt::Command(cmd)) => format!(":{}▏", printable(cmd)),
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
    f.render_widget(Paragraph::new(status_line), status);
    if let Some(d) = &m.dialog {
        super::dialog::draw(f, m, d, ui, area);
    }
    if let Some(n) = &m.notices {
        super::notices::draw(f, m, n, ui, area);
    }
    if let Some(search) = &m.help {
        super::help::draw(f, m, search, ui, area);
    }
}
