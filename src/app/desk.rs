//! The supervisor's desk: the unit's totals, the load per inspector, per
//! procedure and per stage as bars, and the queue of decisions waiting for
//! approval.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Action, Effect, Model, Screen};
use crate::domain::text::printable;
use crate::i18n::{Lang, t, tf};
use crate::ui::Ui;

/// The desk's figures (None until the worker has counted them) and the
/// selected case of the approval queue.
#[derive(Debug, Clone, Default)]
pub struct DeskView {
    pub figures: Option<crate::report::DailyFigures>,
    pub cursor: usize,
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
pub(super) fn draw(f: &mut Frame<'_>, lang: Lang, d: &DeskView, ui: &Ui<'_>, area: Rect) {
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

/// A key on the desk: move in the approval queue, open its case, recount.
pub fn update(m: &mut Model, action: Action) -> Effect {
    if let Screen::Desk(desk) = &mut m.screen {
        let last = desk
            .figures
            .as_ref()
            .map(|f| f.approval_queue.len().saturating_sub(1))
            .unwrap_or(0);
        match action {
            Action::Down => desk.cursor = (desk.cursor + 1).min(last),
            Action::Up => desk.cursor = desk.cursor.saturating_sub(1),
            Action::Top => desk.cursor = 0,
            Action::Bottom => desk.cursor = last,
            Action::Open => {
                if let Some(a) = desk
                    .figures
                    .as_ref()
                    .and_then(|f| f.approval_queue.get(desk.cursor))
                {
                    return Effect::LoadCase(a.number.clone());
                }
            }
            Action::Refresh => return Effect::LoadDesk,
            Action::Back | Action::Quit | Action::Desk => {
                m.screen = Screen::Queue;
                return Effect::LoadQueue;
            }
            _ => {}
        }
    }
    Effect::None
}
