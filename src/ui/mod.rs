//! Drawing only: reads the model, never touches SQLite. Every word comes
//! from the message catalogue in the model's language; every text that
//! came from data goes through `printable`.

pub mod theme;

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, TableState, Wrap};

use crate::app::keymap::Context;
use crate::app::{CaseView, Model, Prompt, SECTIONS, SECTIONS_SHORT, Screen, help_entries, hints};
use crate::domain::calendar::{Calendar, DayKind};
use crate::domain::case::{ApprovalState, DecisionKind, NoticeChannel, Outcome, Status};
use crate::domain::procedure::{RuleVersion, Rules};
use crate::domain::term::{self, Unit};
use crate::domain::text::printable;
use crate::i18n::{Lang, t, tf};

/// The smallest usable terminal.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Styles by meaning. The monochrome theme uses modifiers only, so it works
/// under NO_COLOR and on terminals without colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    pub header: Style,
    pub overdue: Style,
    pub today: Style,
    pub selected: Style,
    pub dim: Style,
    pub title: Style,
}

impl Theme {
    /// A built-in theme by name (`dark`, `light`, `high-contrast`, `monochrome`).
    pub fn built_in(name: &str) -> Option<Theme> {
        theme::BUILT_IN.iter().find_map(|(file, text)| {
            theme::parse(crate::domain::rules_error::Source { name: file, text })
                .ok()
                .filter(|(n, _)| n == name)
                .map(|(_, t)| t)
        })
    }

    /// Modifiers only: what NO_COLOR and colourless terminals get.
    pub fn monochrome() -> Theme {
        Theme::built_in("monochrome").unwrap_or(Theme {
            header: Style::new().add_modifier(Modifier::BOLD),
            overdue: Style::new().add_modifier(Modifier::BOLD),
            today: Style::new().add_modifier(Modifier::UNDERLINED),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            dim: Style::new(),
            title: Style::new().add_modifier(Modifier::BOLD),
        })
    }

    pub fn dark() -> Theme {
        Theme::built_in("dark").unwrap_or_else(Theme::monochrome)
    }

    /// Monochrome when NO_COLOR is set or TERM has no colours.
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let term = std::env::var("TERM").unwrap_or_default();
        if no_color || term == "dumb" || term.is_empty() {
            Theme::monochrome()
        } else {
            Theme::dark()
        }
    }
}

/// What drawing needs besides the model.
pub struct Ui<'a> {
    pub cal: &'a Calendar,
    pub rules: &'a Rules,
    pub theme: Theme,
}

/// `Пн 23.11.2026`: the short weekday in the language and the day.
pub fn day_label(lang: Lang, day: NaiveDate) -> String {
    crate::i18n::day(lang, day)
}

/// `23.11.2026 18:30` in the calendar's zone.
pub fn instant_label(cal: &Calendar, at: chrono::DateTime<chrono::Utc>) -> String {
    term::local(cal, at).format("%d.%m.%Y %H:%M").to_string()
}

/// Why a day is or is not a working day, in the language.
pub fn day_reason(cal: &Calendar, lang: Lang, kind: DayKind) -> String {
    cal.day_msg(kind).text(lang)
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

/// Whether a window is below the smallest size the console can be used in.
pub fn too_small(width: u16, height: u16) -> bool {
    width < MIN_WIDTH || height < MIN_HEIGHT
}

/// Draw the whole screen.
pub fn draw(f: &mut Frame<'_>, m: &mut Model, ui: &Ui<'_>) {
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
                    m.t(m.sort.label_key()),
                    printable(&m.me.login)
                )),
            ]);
            f.render_widget(Paragraph::new(header), top);
            draw_queue(f, m, ui, body);
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
            draw_desk(f, m.lang, d, ui, body);
        }
        Screen::Case(view) => {
            let c = &view.loaded.case;
            let proc_name = ui.rules.procedure_name(&c.procedure, m.lang);
            let header = Line::from(vec![
                Span::styled(format!(" {} ", c.number), ui.theme.title),
                Span::raw(format!("· {} · {proc_name}", printable(&c.applicant.name))),
            ]);
            f.render_widget(Paragraph::new(header), top);
            draw_case(f, m.lang, view, ui, body);
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
        draw_dialog(f, m, d, ui, area);
    }
    if let Some(search) = &m.help {
        draw_help(f, m, search, ui, area);
    }
}

/// Split text into lines of at most `width` characters at spaces (a word
/// longer than the width is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let head: String = line.chars().take(width).collect();
            line = line.chars().skip(width).collect();
            out.push(head);
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// One bar of a chart: overdue part, due-today part, the rest of the open.
fn bar(load: &crate::report::Load, max: i64, width: usize, ui: &Ui<'_>) -> Vec<Span<'static>> {
    let scale = |n: i64| {
        if max <= 0 {
            0
        } else {
            ((n.max(0) as f64 / max as f64) * width as f64).ceil() as usize
        }
    };
    let over = scale(load.overdue);
    let today = scale(load.due_today).min(width.saturating_sub(over));
    let rest = scale(load.open)
        .saturating_sub(over + today)
        .min(width.saturating_sub(over + today));
    vec![
        Span::styled("█".repeat(over), ui.theme.overdue),
        Span::styled("▓".repeat(today), ui.theme.today),
        Span::styled("░".repeat(rest), ui.theme.dim),
    ]
}

/// The supervisor's desk: totals, load per inspector and per procedure as
/// bars (overdue █, due today ▓, other open ░), then the approval queue.
fn draw_desk(f: &mut Frame<'_>, lang: Lang, d: &crate::app::DeskView, ui: &Ui<'_>, area: Rect) {
    let Some(fig) = &d.figures else {
        f.render_widget(Paragraph::new(t(lang, "desk.counting")), area);
        return;
    };
    let safe = |s: &str| printable(s).into_owned();
    let tot = &fig.totals;
    let mut lines: Vec<Line<'static>> = vec![
        Line::from(tf(
            lang,
            "desk.totals",
            &[
                ("queue", &tot.in_queue),
                ("overdue", &tot.overdue),
                ("today", &tot.due_today),
                ("unassigned", &tot.unassigned),
                ("approval", &tot.awaiting_approval),
                ("decided", &tot.decided_today),
            ],
        )),
        Line::styled(t(lang, "desk.legend").to_string(), ui.theme.dim),
        // The nightly backup: a failed or overdue one stands out.
        Line::styled(
            fig.backup.line().text(lang),
            if fig.backup.missing || fig.backup.error.is_some() {
                ui.theme.overdue
            } else {
                ui.theme.dim
            },
        ),
        Line::from(""),
    ];
    let name_w = (usize::from(area.width) * 3 / 10).clamp(18, 34);
    let bar_w = usize::from(area.width)
        .saturating_sub(name_w + 24)
        .clamp(10, 60);
    let head = |key: &'static str| {
        Line::styled(
            format!(
                "{:<name_w$} {:>6} {:>6} {:>6}",
                t(lang, key),
                t(lang, "desk.open"),
                t(lang, "desk.overdue"),
                t(lang, "desk.today")
            ),
            ui.theme.header,
        )
    };
    let row = |name: &str, load: &crate::report::Load, max: i64| {
        let short: String = name.chars().take(name_w).collect();
        let mut spans = vec![Span::raw(format!(
            "{short:<name_w$} {:>6} {:>6} {:>6} ",
            load.open, load.overdue, load.due_today
        ))];
        spans.extend(bar(load, max, bar_w, ui));
        Line::from(spans)
    };
    lines.push(head("desk.inspectors"));
    let max = fig
        .inspectors
        .iter()
        .map(|i| i.load.open)
        .max()
        .unwrap_or(0);
    for i in &fig.inspectors {
        let name = match &i.login {
            Some(l) => safe(&format!("{} ({l})", i.name)),
            None => t(lang, "desk.unassigned").to_string(),
        };
        lines.push(row(&name, &i.load, max));
    }
    lines.push(Line::from(""));
    lines.push(head("desk.procedures"));
    let max = fig
        .procedures
        .iter()
        .map(|p| p.load.open)
        .max()
        .unwrap_or(0);
    for p in &fig.procedures {
        lines.push(row(&safe(&format!("{} {}", p.code, p.name)), &p.load, max));
    }
    let approvals_h = (fig.approval_queue.len().max(1) + 2) as u16;
    let room = area
        .height
        .saturating_sub(lines.len() as u16 + approvals_h + 1);
    if room > 3 {
        lines.push(Line::from(""));
        lines.push(head("desk.stages"));
        let mut stages: Vec<&crate::report::StageLoad> = fig
            .stages
            .iter()
            .filter(|s| s.load.overdue + s.load.due_today > 0)
            .collect();
        stages.sort_by_key(|s| std::cmp::Reverse((s.load.overdue, s.load.due_today)));
        let max = stages.iter().map(|s| s.load.open).max().unwrap_or(0);
        for s in stages.iter().take(usize::from(room) - 2) {
            lines.push(row(&safe(&format!("{} {}", s.code, s.title)), &s.load, max));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        tf(lang, "desk.approvals", &[("n", &fig.approval_queue.len())]),
        ui.theme.header,
    ));
    if fig.approval_queue.is_empty() {
        lines.push(Line::from(t(lang, "desk.no-approvals")));
    }
    let top = lines.len();
    for (i, a) in fig.approval_queue.iter().enumerate() {
        let kind = match a.decision.as_str() {
            "issue" => t(lang, "dialog.kind.issue"),
            "refuse" => t(lang, "dialog.kind.refuse"),
            "annul" => t(lang, "dialog.kind.annul"),
            other => other,
        };
        let when: String = a.decided_at.replace('T', " ").chars().take(16).collect();
        let applicant: String = a.applicant.chars().take(22).collect();
        let text = safe(&format!(
            "{:<16} {applicant:<22} {kind:<12} {} · {when}",
            a.number, a.decided_by
        ));
        lines.push(if i == d.cursor {
            Line::styled(text, ui.theme.selected)
        } else {
            Line::from(text)
        });
    }
    // Keep the selected approval in sight.
    let h = usize::from(area.height);
    let want = top + d.cursor + 1;
    let scroll = want.saturating_sub(h);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(scroll).unwrap_or(0), 0)),
        area,
    );
}

/// A dialog over the case: proposals, the form (or the confirmation), and
/// the error that stops it, if any.
fn draw_dialog(
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
    let title = format!(" {} · {} ", t(lang, d.title_key(case)), d.number);
    let block = ratatui::widgets::Block::bordered()
        .title(title)
        .title_bottom(format!(
            " {} ",
            t(
                lang,
                if d.confirm.is_some() {
                    "dialog.keys-confirm"
                } else {
                    "dialog.keys"
                }
            )
        ));
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
            for part in l.lines() {
                let indent = part.len() - part.trim_start().len();
                wrapped(&mut lines, part.trim_start(), indent, Style::new());
            }
        }
        f.render_widget(Paragraph::new(lines), inner);
        return;
    }
    lines.push(Line::from(""));
    let mut area_at: Option<(usize, &ratatui_textarea::TextArea<'static>)> = None;
    for (i, field) in d.fields.iter().enumerate() {
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

/// `?`: the active keymap and the commands, searchable.
fn draw_help(f: &mut Frame<'_>, m: &Model, search: &str, ui: &Ui<'_>, area: Rect) {
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

fn short_left(
    lang: Lang,
    ui: &Ui<'_>,
    unit: Option<Unit>,
    due: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let unit = unit.unwrap_or(Unit::WorkingDays);
    let day = term::local(ui.cal, due).date();
    match term::time_left(ui.cal, unit, day, due, now) {
        Ok(x) => {
            let u = if unit == Unit::WorkingDays {
                t(lang, "unit.wd")
            } else {
                t(lang, "unit.d")
            };
            let sign = if x.overdue { "-" } else { "" };
            if x.days == 0 {
                format!("{sign}{}:{:02}", x.minutes / 60, x.minutes % 60)
            } else {
                format!("{sign}{} {u}", x.days)
            }
        }
        Err(_) => "?".into(),
    }
}

fn draw_queue(f: &mut Frame<'_>, m: &mut Model, ui: &Ui<'_>, area: Rect) {
    // Only the visible window is formatted: the queue may hold many rows.
    let height = area.height.saturating_sub(1) as usize;
    m.page = height.max(1);
    let offset = if m.selected >= height {
        m.selected + 1 - height
    } else {
        0
    };
    let zone = ui.cal.zone();
    let lang = m.lang;
    // The procedure column is as wide as the language's longest code; the
    // applicant and the stage share the rest, and a cut shows as `…`.
    let code_w = ui
        .rules
        .procedures
        .iter()
        .map(|p| crate::i18n::procedure_code(p, lang).chars().count())
        .chain([m.t("col.procedure").chars().count()])
        .max()
        .unwrap_or(4) as u16;
    // The case column fits the longest number on screen (imported numbers
    // may be longer than kezek's own), within limits; a longer one is cut
    // with `…`.
    let number_w = m
        .visible
        .iter()
        .skip(offset)
        .take(height)
        .filter_map(|&i| m.rows.get(i))
        .map(|r| r.number().chars().count())
        .chain([m.t("col.case").chars().count()])
        .max()
        .unwrap_or(15)
        .clamp(15, 24) as u16;
    let fixed = 2 + number_w + code_w + 3 + 11 + 6 + 8 + 8;
    let fill = usize::from(area.width.saturating_sub(fixed) / 2);
    let rows: Vec<Row<'_>> = m
        .visible
        .iter()
        .skip(offset)
        .take(height)
        .filter_map(|&i| m.rows.get(i))
        .map(|r| {
            let next_due = r.next_due();
            let overdue = next_due.is_some_and(|d| d < m.now);
            let due = next_due
                .map(|d| d.with_timezone(&zone).format("%d.%m %H:%M").to_string())
                .unwrap_or_default();
            let left = next_due
                .map(|d| short_left(lang, ui, r.next_due_unit(), d, m.now))
                .unwrap_or_default();
            let procedure = ui.rules.procedure(r.procedure()).ok();
            let code = procedure
                .map(|p| crate::i18n::procedure_code(p, lang))
                .unwrap_or_else(|| r.procedure().to_string());
            // "3/6 Title": the stage's place survives a narrow column.
            let stage = r
                .stage()
                .map(|s| {
                    procedure
                        .and_then(|p| p.stage_place(s))
                        .map(|(i, n, st)| format!("{i}/{n} {}", st.title.get(lang)))
                        .unwrap_or_else(|| s.to_string())
                })
                .unwrap_or_else(|| "-".into());
            // A supervisor's answer is what the inspector needs to see first.
            let stage = match r.approval() {
                Some("pending") => format!("⧗ {}", t(lang, "queue.awaiting-approval")),
                Some("returned") => format!("↩ {}", t(lang, "queue.returned")),
                _ => stage,
            };
            let row = Row::new(vec![
                match (overdue, m.marked.contains(r.number())) {
                    (true, true) => "!*".to_string(),
                    (true, false) => "!!".to_string(),
                    (false, true) => " *".to_string(),
                    (false, false) => String::new(),
                },
                crate::i18n::fit(&printable(r.number()), usize::from(number_w)),
                code,
                if r.unreadable() {
                    m.t("queue.unreadable").to_string()
                } else {
                    crate::i18n::fit(&printable(r.applicant()), fill)
                },
                printable(r.citizenship()).into_owned(),
                crate::i18n::fit(&printable(&stage), fill),
                due,
                left,
                printable(r.assignee().unwrap_or("-")).into_owned(),
            ]);
            if overdue {
                row.style(ui.theme.overdue)
            } else {
                row
            }
        })
        .collect();
    let widths = [
        Constraint::Length(2),
        Constraint::Length(number_w),
        Constraint::Length(code_w),
        Constraint::Fill(1),
        Constraint::Length(3),
        Constraint::Fill(1),
        Constraint::Length(11),
        Constraint::Length(6),
        Constraint::Length(8),
    ];
    let header = Row::new(vec![
        "",
        m.t("col.case"),
        m.t("col.procedure"),
        m.t("col.applicant"),
        m.t("col.citizenship"),
        m.t("col.stage"),
        m.t("col.deadline"),
        m.t("col.left"),
        m.t("col.assignee"),
    ])
    .style(ui.theme.header);
    let mut state = TableState::default();
    if !m.visible.is_empty() {
        state.select(Some(m.selected - offset));
    }
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(ui.theme.selected);
    f.render_stateful_widget(table, area, &mut state);
    if m.visible.is_empty() {
        let msg = if m.loading {
            m.t("queue.loading")
        } else if m.filter.is_empty() {
            m.t("queue.empty")
        } else {
            m.t("queue.no-match")
        };
        let inner = Rect {
            y: area.y + 2,
            height: 1,
            ..area
        };
        f.render_widget(Paragraph::new(msg), inner);
    }
}

/// Label/value lines with the labels padded to the longest one.
struct Pairs {
    rows: Vec<(String, String)>,
}

impl Pairs {
    fn new() -> Pairs {
        Pairs { rows: Vec::new() }
    }

    fn add(&mut self, label: &str, value: impl Into<String>) {
        self.rows.push((label.to_string(), value.into()));
    }

    fn lines(self) -> Vec<String> {
        let w = self
            .rows
            .iter()
            .map(|(l, _)| l.chars().count())
            .max()
            .unwrap_or(0);
        self.rows
            .into_iter()
            .map(|(l, v)| format!("{l:<w$}  {v}"))
            .collect()
    }
}

fn status_key(s: Status) -> &'static str {
    match s {
        Status::Received => "case-status.received",
        Status::Accepted => "case-status.accepted",
        Status::RefusedToAccept => "case-status.refused-to-accept",
        Status::Decided => "case-status.decided",
        Status::Archived => "case-status.archived",
    }
}

fn channel_key(c: NoticeChannel) -> &'static str {
    match c {
        NoticeChannel::InPerson => "channel.in-person",
        NoticeChannel::Post => "channel.post",
        NoticeChannel::Electronic => "channel.electronic",
    }
}

fn ground_titles(v: Option<&RuleVersion>, lang: Lang, ids: &[String]) -> String {
    ids.iter()
        .map(|g| {
            v.and_then(|v| v.ground(g))
                .map(|x| x.title.get(lang).to_string())
                .unwrap_or_else(|| g.clone())
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn section_lines(lang: Lang, view: &CaseView, ui: &Ui<'_>) -> Vec<Line<'static>> {
    let c = &view.loaded.case;
    let tr = |k: &'static str| t(lang, k);
    let version = ui.rules.version(&c.procedure, &c.version);
    let mut out: Vec<String> = Vec::new();
    match SECTIONS[view.section] {
        "section.summary" => {
            let mut p = Pairs::new();
            p.add(
                tr("field.procedure"),
                ui.rules.procedure_name(&c.procedure, lang),
            );
            if let Some(v) = version {
                p.add(
                    tr("field.rules"),
                    format!(
                        "{} ({} {})",
                        v.act.get(lang),
                        tr("field.rules-from"),
                        v.effective_from.format("%d.%m.%Y")
                    ),
                );
            }
            p.add(tr("field.status"), tr(status_key(c.status)));
            p.add(tr("field.received"), instant_label(ui.cal, c.received_at));
            if let Some(a) = c.accepted_at {
                p.add(tr("field.accepted"), instant_label(ui.cal, a));
            }
            let purpose = c
                .purpose
                .as_deref()
                .map(|id| {
                    version
                        .and_then(|v| v.purposes.iter().find(|x| x.id == id))
                        .map(|x| x.title.get(lang).to_string())
                        .unwrap_or_else(|| id.to_string())
                })
                .unwrap_or_else(|| "-".into());
            p.add(tr("field.purpose"), purpose);
            p.add(
                tr("field.assignee"),
                c.assignee.clone().unwrap_or_else(|| "-".into()),
            );
            p.add(
                tr("field.version"),
                tf(
                    lang,
                    "field.version-value",
                    &[
                        ("n", &view.loaded.row_version),
                        ("by", &view.loaded.updated_by),
                        (
                            "at",
                            &chrono::DateTime::parse_from_rfc3339(&view.loaded.updated_at)
                                .map(|x| instant_label(ui.cal, x.with_timezone(&chrono::Utc)))
                                .unwrap_or_else(|_| view.loaded.updated_at.clone()),
                        ),
                    ],
                ),
            );
            out.extend(p.lines());
            if let Some(v) = version
                && let Ok(list) = crate::domain::urgency::open_deadlines(c, v, ui.cal)
                && !list.is_empty()
            {
                out.push(String::new());
                out.push(tr("summary.deadlines").to_string());
                for d in list {
                    out.push(format!(
                        "  {}  {}",
                        instant_label(ui.cal, d.due),
                        deadline_kind(lang, v, &d.kind)
                    ));
                }
            }
            // The PR term is kezek's own sum of the stage terms: say when
            // the projected stages end after it.
            if let Some(v) = version
                && let Ok(Some((end, due))) = crate::domain::urgency::plan_overrun(c, v, ui.cal)
            {
                out.push(String::new());
                out.push(tf(
                    lang,
                    "summary.plan-overrun",
                    &[
                        ("end", &end.format("%d.%m.%Y")),
                        ("due", &due.format("%d.%m.%Y")),
                    ],
                ));
            }
        }
        "section.applicant" => {
            let a = &c.applicant;
            let mut p = Pairs::new();
            p.add(
                tr("field.applicant"),
                format!("{} ({})", a.name, a.citizenship),
            );
            p.add(tr("field.document"), a.key.clone());
            p.add(tr("field.iin"), a.iin.clone().unwrap_or_else(|| "-".into()));
            if let Some(b) = a.birth_date {
                p.add(tr("field.born"), b.format("%d.%m.%Y").to_string());
            }
            if let Some(h) = &c.host {
                p.add(tr("field.host"), format!("{}  {}", h.name, h.id_number));
            }
            if let Some(e) = c.entry_date {
                p.add(tr("field.entry"), day_label(lang, e));
            }
            if let Some(last) =
                version.and_then(|v| crate::domain::case::lawful_stay_last_day(c, v))
            {
                p.add(tr("field.stay-until"), day_label(lang, last));
            }
            for f in &c.family {
                p.add(
                    tr("field.family"),
                    format!("{}  {}", f.name, f.iin.clone().unwrap_or_default()),
                );
            }
            out.extend(p.lines());
        }
        "section.documents" => {
            for d in &c.documents {
                let title = version
                    .and_then(|v| v.documents.iter().find(|x| x.id == d.kind))
                    .map(|x| x.title.get(lang).to_string())
                    .unwrap_or_else(|| d.kind.clone());
                let until = d
                    .valid_until
                    .map(|x| {
                        tf(
                            lang,
                            "documents.valid-until",
                            &[("day", &x.format("%d.%m.%Y"))],
                        )
                    })
                    .unwrap_or_default();
                out.push(title);
                out.push(format!("    {}  {until}", d.number));
            }
            if c.documents.is_empty() {
                out.push(tr("documents.none").to_string());
            }
        }
        "section.checklist" => checklist_lines(lang, view, version, &mut out),
        "section.timeline" => {
            if let Some(v) = version
                && let Ok(plan) = crate::domain::urgency::stage_plan(c, v, ui.cal)
            {
                for (p, s) in plan.iter().zip(&v.stages) {
                    let done = p
                        .completed_at
                        .map(|x| tf(lang, "timeline.done", &[("at", &instant_label(ui.cal, x))]))
                        .unwrap_or_else(|| tr("timeline.open").to_string());
                    out.push(format!("{} ({done})", s.title.get(lang)));
                    out.push(format!(
                        "    {}",
                        tf(
                            lang,
                            "timeline.plan",
                            &[
                                ("term", &term_label(lang, s.term.term())),
                                ("from", &day_label(lang, p.from_day)),
                                ("due", &instant_label(ui.cal, p.due)),
                            ]
                        )
                    ));
                    if view.explain && p.completed_at.is_none() {
                        explain_days(lang, ui.cal, p.from_day, p.due_day, s.term.term(), &mut out);
                    }
                }
                if plan.is_empty() {
                    out.push(tr("timeline.not-accepted").to_string());
                } else if !view.explain {
                    out.push(String::new());
                    out.push(tr("timeline.explain-hint").to_string());
                }
            }
        }
        "section.hearing" => {
            for n in &c.notices {
                let mut p = Pairs::new();
                p.add(tr("hearing.notice-sent"), instant_label(ui.cal, n.sent_at));
                p.add(tr("hearing.channel"), tr(channel_key(n.channel)));
                p.add(tr("hearing.at"), instant_label(ui.cal, n.hearing_at));
                p.add(tr("hearing.place"), n.place.clone());
                p.add(
                    tr("hearing.grounds"),
                    ground_titles(version, lang, &n.grounds),
                );
                out.extend(p.lines());
                out.push(String::new());
            }
            for h in &c.hearings {
                out.push(tf(
                    lang,
                    "hearing.held",
                    &[("at", &instant_label(ui.cal, h.held_at))],
                ));
                for l in h.applicant_position.lines() {
                    out.push(format!("    {l}"));
                }
                out.push(
                    if h.continue_review {
                        tr("hearing.continues")
                    } else {
                        tr("hearing.stops")
                    }
                    .to_string(),
                );
            }
            if c.notices.is_empty() {
                out.push(tr("hearing.none").to_string());
            }
        }
        "section.decision" => {
            for d in &c.decisions {
                let kind = match &d.kind {
                    DecisionKind::Issue => tr("decision.issue").to_string(),
                    DecisionKind::Refuse { grounds } => tf(
                        lang,
                        "decision.refuse",
                        &[("grounds", &ground_titles(version, lang, grounds))],
                    ),
                    DecisionKind::Annul { grounds } => tf(
                        lang,
                        "decision.annul",
                        &[("grounds", &ground_titles(version, lang, grounds))],
                    ),
                };
                let approval = match &d.approval {
                    ApprovalState::NotRequired => tr("approval.not-required").to_string(),
                    ApprovalState::Pending => tr("approval.pending").to_string(),
                    ApprovalState::Approved { by, at } => tf(
                        lang,
                        "approval.approved",
                        &[("by", by), ("at", &instant_label(ui.cal, *at))],
                    ),
                    ApprovalState::Returned { by, comment, .. } => tf(
                        lang,
                        "approval.returned",
                        &[("by", by), ("comment", comment)],
                    ),
                };
                out.push(kind);
                out.push(format!(
                    "    {}",
                    tf(
                        lang,
                        "decision.by",
                        &[("by", &d.by), ("at", &instant_label(ui.cal, d.at))]
                    )
                ));
                out.push(format!("    {approval}"));
            }
            if c.decisions.is_empty() {
                out.push(tr("decision.none").to_string());
            }
        }
        "section.notes" => {
            for n in &c.notes {
                out.push(format!("{} {}:", instant_label(ui.cal, n.at), n.by));
                for l in n.text.lines() {
                    out.push(format!("  {l}"));
                }
            }
            if c.notes.is_empty() {
                out.push(tr("notes.none").to_string());
            }
        }
        _ => {
            for r in &view.history {
                out.push(format!(
                    "{:>6} {} {:<10} {}",
                    r.seq, r.at, r.actor, r.action
                ));
            }
        }
    }
    out.into_iter()
        .map(|s| Line::from(printable(&s).into_owned()))
        .collect()
}

fn term_label(lang: Lang, term: term::Term) -> String {
    let key = match term.unit {
        Unit::WorkingDays => "term.working-days",
        Unit::CalendarDays => "term.calendar-days",
    };
    tf(lang, key, &[("n", &term.count)])
}

fn deadline_kind(
    lang: Lang,
    v: &RuleVersion,
    kind: &crate::domain::urgency::DeadlineKind,
) -> String {
    use crate::domain::urgency::DeadlineKind as K;
    match kind {
        K::Stage(id) => v
            .stage(id)
            .map(|s| s.title.get(lang).to_string())
            .unwrap_or_else(|| id.clone()),
        K::Service => t(lang, "deadline.service").to_string(),
        K::HearingNotice => t(lang, "deadline.hearing-notice").to_string(),
        K::Hearing => t(lang, "deadline.hearing").to_string(),
        K::Stay => t(lang, "deadline.stay").to_string(),
        K::HostNotification => t(lang, "deadline.host-notification").to_string(),
        K::Birthday16 => t(lang, "deadline.birthday16").to_string(),
        K::Complaint(_) => t(lang, "deadline.complaint").to_string(),
        K::ExitAfterAnnulment => t(lang, "deadline.exit").to_string(),
        K::ResultToStateCorporation => t(lang, "deadline.result-to-state-corporation").to_string(),
        K::Answer(agency) => crate::i18n::tf(lang, "deadline.answer", &[("agency", agency)]),
        K::Registration => t(lang, "deadline.registration").to_string(),
    }
}

/// Every day from the day after `from` to `due`: counted or skipped, and
/// why. A calendar-day term counts every day; when its last day is a day
/// off, the days it rolls over are listed as such.
fn explain_days(
    lang: Lang,
    cal: &Calendar,
    from: NaiveDate,
    due: NaiveDate,
    term: term::Term,
    out: &mut Vec<String>,
) {
    out.push(format!(
        "      {}",
        tf(
            lang,
            "timeline.counts-from",
            &[("day", &day_label(lang, from))]
        )
    ));
    let mut n = 0;
    let mut d = from;
    let mut rolled = false;
    while d < due {
        let Some(next) = d.succ_opt() else { break };
        d = next;
        let kind = match cal.kind(d) {
            Ok(k) => k,
            Err(e) => {
                out.push(format!("        ?  {}  {e}", day_label(lang, d)));
                continue;
            }
        };
        let counts = match term.unit {
            Unit::WorkingDays => kind.is_working(),
            Unit::CalendarDays => n < term.count,
        };
        if !counts && term.unit == Unit::CalendarDays && !rolled {
            out.push(format!("      {}", t(lang, "timeline.rolled")));
            rolled = true;
        }
        let number = if counts {
            n += 1;
            format!("{n:>3}")
        } else {
            "  -".to_string()
        };
        out.push(format!(
            "      {number}  {}  {}",
            day_label(lang, d),
            day_reason(cal, lang, kind)
        ));
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

fn checklist_lines(
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

fn draw_case(f: &mut Frame<'_>, lang: Lang, view: &CaseView, ui: &Ui<'_>, area: Rect) {
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
    f.render_widget(Paragraph::new(Line::from(spans)), tabs);
    let lines = section_lines(lang, view, ui);
    match &view.editor {
        Some(ed) => {
            let [text, editor] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(8)]).areas(body);
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
            f.render_widget(ed, editor);
        }
        None => {
            // On the checklist the cursor's item stays in sight.
            let mut scroll = view.scroll;
            if view.section == crate::app::CHECKLIST {
                let w = usize::from(body.width.max(1));
                let mut row = 0usize;
                for l in &lines {
                    if l.spans.first().is_some_and(|s| s.content.starts_with('>')) {
                        break;
                    }
                    row += l.width().max(1).div_ceil(w);
                }
                let h = usize::from(body.height);
                if row + 4 > h + usize::from(scroll) {
                    scroll = u16::try_from(row.saturating_sub(h / 3)).unwrap_or(u16::MAX);
                }
            }
            f.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .scroll((scroll, 0)),
                body,
            )
        }
    }
}
