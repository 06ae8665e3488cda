//! The supervisor's desk: the unit's totals, the load per inspector, per
//! procedure and per stage as bars, and the queue of decisions waiting for
//! approval.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Action, Effect, Model, Screen};
use crate::domain::text::printable;
use crate::i18n::{Lang, t, tf};
use crate::ui::{Ui, instant_label, text};

/// The desk's figures (None until the worker has counted them), the
/// selected case of the approval queue (None when it was scrolled out of
/// sight: Enter never opens a case that is not on screen) and how far the
/// page is scrolled.
#[derive(Debug, Clone)]
pub struct DeskView {
    pub figures: Option<crate::report::DailyFigures>,
    pub cursor: Option<usize>,
    pub scroll: usize,
    /// The lines the last frame could show (for page moves).
    pub page: usize,
    /// The selection moved: the next frame scrolls to it.
    pub follow: bool,
}

impl Default for DeskView {
    fn default() -> DeskView {
        DeskView {
            figures: None,
            cursor: Some(0),
            scroll: 0,
            page: 10,
            follow: true,
        }
    }
}

/// `23.11.2026 18:30` in Almaty from an RFC 3339 text; the text itself when
/// it is not one.
fn when(ui: &Ui<'_>, rfc: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc)
        .map(|x| instant_label(ui.cal, x.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|_| printable(rfc).into_owned())
}

/// The desk's header: what it is and the moment its figures are for.
pub(super) fn header(lang: Lang, d: &DeskView, ui: &Ui<'_>, width: usize) -> Line<'static> {
    let as_of = d
        .figures
        .as_ref()
        .map(|f| when(ui, &f.as_of))
        .unwrap_or_default();
    text::cut_line(
        Line::from(vec![
            Span::styled(" kezek ", ui.theme.title),
            Span::raw(format!("· {} · {as_of}", t(lang, "desk.title"))),
        ]),
        width,
    )
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

/// The supervisor's desk, one page: totals, the approval queue (first: it
/// is what a supervisor acts on), the stages with overdue or due work, then
/// the load per inspector and per procedure as bars (overdue █, due today
/// ▓, other open ░). The page scrolls; the selected approval stays in sight.
pub(super) fn draw(f: &mut Frame<'_>, m: &mut Model, ui: &Ui<'_>, area: Rect) {
    let lang = m.lang;
    let Screen::Desk(d) = &mut m.screen else {
        return;
    };
    let Some(fig) = &d.figures else {
        f.render_widget(Paragraph::new(t(lang, "desk.counting")), area);
        return;
    };
    let width = usize::from(area.width);
    let safe = |s: &str| printable(s).into_owned();
    let tot = &fig.totals;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let totals = tf(
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
    );
    for l in text::wrap(&totals, width) {
        lines.push(Line::from(l));
    }
    lines.push(Line::styled(
        text::cut(t(lang, "desk.legend"), width),
        ui.theme.dim,
    ));
    // The nightly backup: a failed or overdue one stands out.
    lines.push(Line::styled(
        text::cut(&fig.backup.line().text(lang), width),
        if fig.backup.missing || fig.backup.error.is_some() {
            ui.theme.overdue
        } else {
            ui.theme.dim
        },
    ));
    lines.push(Line::from(""));
    // The approval queue.
    lines.push(Line::styled(
        text::cut(
            &tf(lang, "desk.approvals", &[("n", &fig.approval_queue.len())]),
            width,
        ),
        ui.theme.header,
    ));
    if fig.approval_queue.is_empty() {
        lines.push(Line::from(t(lang, "desk.no-approvals")));
    }
    let first_approval = lines.len();
    let when_w = 16;
    let by_w = fig
        .approval_queue
        .iter()
        .map(|a| text::width(&a.decided_by))
        .max()
        .unwrap_or(6)
        .clamp(6, 12);
    let kind_w = 12;
    let number_w = fig
        .approval_queue
        .iter()
        .map(|a| text::width(&a.number))
        .max()
        .unwrap_or(15)
        .clamp(15, 24);
    let applicant_w = width
        .saturating_sub(number_w + kind_w + by_w + when_w + 5)
        .clamp(8, 40);
    for (i, a) in fig.approval_queue.iter().enumerate() {
        let kind = match a.decision.as_str() {
            "issue" => t(lang, "dialog.kind.issue"),
            "refuse" => t(lang, "dialog.kind.refuse"),
            "annul" => t(lang, "dialog.kind.annul"),
            other => other,
        };
        let row = format!(
            "{} {} {} {} {}",
            text::pad(&safe(&a.number), number_w),
            text::pad(&safe(&a.applicant), applicant_w),
            text::pad(kind, kind_w),
            text::pad(&safe(&a.decided_by), by_w),
            when(ui, &a.decided_at)
        );
        let row = text::pad(&row, width);
        lines.push(if d.cursor == Some(i) {
            Line::styled(row, ui.theme.selected)
        } else {
            Line::from(row)
        });
    }
    let name_w = (width * 3 / 10).clamp(18, 34);
    let bar_w = width.saturating_sub(name_w + 24).clamp(10, 60);
    let head = |key: &'static str| {
        Line::styled(
            text::cut(
                &format!(
                    "{} {:>6} {:>6} {:>6}",
                    text::pad(t(lang, key), name_w),
                    t(lang, "desk.open"),
                    t(lang, "desk.overdue"),
                    t(lang, "desk.today")
                ),
                width,
            ),
            ui.theme.header,
        )
    };
    let row = |name: &str, load: &crate::report::Load, max: i64| {
        let mut spans = vec![Span::raw(format!(
            "{} {:>6} {:>6} {:>6} ",
            text::pad(name, name_w),
            load.open,
            load.overdue,
            load.due_today
        ))];
        spans.extend(bar(load, max, bar_w, ui));
        text::cut_line(Line::from(spans), width)
    };
    // Stages with overdue or due work, worst first.
    let mut stages: Vec<&crate::report::StageLoad> = fig
        .stages
        .iter()
        .filter(|s| s.load.overdue + s.load.due_today > 0)
        .collect();
    stages.sort_by_key(|s| std::cmp::Reverse((s.load.overdue, s.load.due_today)));
    if !stages.is_empty() {
        lines.push(Line::from(""));
        lines.push(head("desk.stages"));
        let max = stages.iter().map(|s| s.load.open).max().unwrap_or(0);
        for s in stages {
            lines.push(row(&safe(&format!("{} {}", s.code, s.title)), &s.load, max));
        }
    }
    lines.push(Line::from(""));
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
    // The page scrolls; a selection moved by the keys pulls it along, and
    // one scrolled out of sight is let go.
    let h = usize::from(area.height);
    let last = lines.len().saturating_sub(h);
    let mut scroll = d.scroll.min(last);
    if let Some(c) = d.cursor {
        let at = first_approval + c;
        if d.follow {
            if at < scroll {
                scroll = at.saturating_sub(1);
            } else if at >= scroll + h {
                scroll = at + 1 - h;
            }
        } else if at < scroll || at >= scroll + h {
            d.cursor = None;
            if let Some(l) = lines.get_mut(at) {
                l.style = ratatui::style::Style::new();
                for s in &mut l.spans {
                    s.style = ratatui::style::Style::new();
                }
            }
        }
    }
    d.follow = false;
    d.scroll = scroll;
    d.page = h.saturating_sub(1).max(1);
    f.render_widget(
        Paragraph::new(lines).scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        area,
    );
}

/// A key on the desk: move in the approval queue (the page follows), page
/// through the desk, open the selected case, recount.
pub fn update(m: &mut Model, action: Action) -> Effect {
    let Screen::Desk(desk) = &mut m.screen else {
        return Effect::None;
    };
    let n = desk
        .figures
        .as_ref()
        .map(|f| f.approval_queue.len())
        .unwrap_or(0);
    let last = n.saturating_sub(1);
    let page = desk.page.max(1);
    let select = |d: &mut DeskView, to: usize| {
        if n > 0 {
            d.cursor = Some(to.min(last));
            d.follow = true;
        }
    };
    match action {
        Action::Down => {
            let to = desk.cursor.map(|c| c + 1).unwrap_or(0);
            select(desk, to);
        }
        Action::Up => {
            let to = desk.cursor.map(|c| c.saturating_sub(1)).unwrap_or(0);
            select(desk, to);
        }
        Action::Top => {
            desk.scroll = 0;
            select(desk, 0);
        }
        Action::Bottom => select(desk, last),
        Action::PageDown => desk.scroll = desk.scroll.saturating_add(page),
        Action::PageUp => desk.scroll = desk.scroll.saturating_sub(page),
        Action::Open => match desk
            .cursor
            .and_then(|c| desk.figures.as_ref().and_then(|f| f.approval_queue.get(c)))
        {
            Some(a) => return Effect::LoadCase(a.number.clone()),
            None => m.status = m.t("desk.select").to_string(),
        },
        Action::Refresh => return Effect::LoadDesk,
        Action::Back | Action::Quit | Action::Desk => {
            m.screen = Screen::Queue;
            return Effect::LoadQueue;
        }
        _ => {}
    }
    Effect::None
}
