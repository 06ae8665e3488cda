//! Drawing only: reads the model, never touches SQLite.

pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, TableState, Wrap};

use crate::app::{Binding, CaseView, Model, SECTIONS, Screen, case_keys, queue_keys};
use crate::domain::calendar::Calendar;
use crate::domain::case::{ApprovalState, DecisionKind, Outcome};
use crate::domain::procedure::Rules;
use crate::domain::term::{self, Unit, format_local};
use crate::domain::text::printable;

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

fn hints(bindings: &[Binding], theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for b in bindings {
        spans.push(Span::styled(format!(" {} ", b.keys), theme.title));
        spans.push(Span::raw(format!("{} ", b.help)));
    }
    Line::from(spans)
}

/// Draw the whole screen.
pub fn draw(f: &mut Frame<'_>, m: &mut Model, ui: &Ui<'_>) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "kezek needs at least {MIN_WIDTH}x{MIN_HEIGHT}; this window is {}x{}. Enlarge the window.",
            area.width, area.height
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
            let (overdue, today, soon, total) = m.counts(ui.cal);
            let header = Line::from(vec![
                Span::styled(" kezek ", ui.theme.title),
                Span::styled(format!("overdue {overdue}"), ui.theme.overdue),
                Span::raw(" · "),
                Span::styled(format!("today {today}"), ui.theme.today),
                Span::raw(format!(
                    " · 1-3 wd {soon} · total {total} · [{}/{}] · {}",
                    m.view.label(),
                    m.sort.label(),
                    m.me.login
                )),
            ]);
            f.render_widget(Paragraph::new(header), top);
            draw_queue(f, m, ui, body);
            f.render_widget(
                Paragraph::new(hints(&queue_keys(), &ui.theme)).style(ui.theme.dim),
                keys,
            );
        }
        Screen::Case(view) => {
            let c = &view.loaded.case;
            let header = Line::from(vec![
                Span::styled(format!(" {} ", c.number), ui.theme.title),
                Span::raw(format!(
                    "· {} · {}",
                    printable(&c.applicant.name),
                    c.procedure
                )),
            ]);
            f.render_widget(Paragraph::new(header), top);
            draw_case(f, view, ui, body);
            f.render_widget(
                Paragraph::new(hints(&case_keys(m.me.role), &ui.theme)).style(ui.theme.dim),
                keys,
            );
        }
    }
    let status_line = if let Some(cmd) = &m.command {
        format!(":{}▏", printable(cmd))
    } else if m.filtering {
        format!("/{}▏", printable(&m.filter))
    } else if !m.filter.is_empty() {
        format!(
            "filter: {} ({} shown) · Esc clears · {}",
            printable(&m.filter),
            m.visible.len(),
            m.status
        )
    } else {
        m.status.clone()
    };
    f.render_widget(Paragraph::new(status_line), status);
    if let Some(search) = &m.help {
        draw_help(f, m, search, ui, area);
    }
}

/// `?`: the active keymap and the commands, searchable.
fn draw_help(f: &mut Frame<'_>, m: &Model, search: &str, ui: &Ui<'_>, area: Rect) {
    let bindings = match &m.screen {
        Screen::Queue => queue_keys(),
        Screen::Case(_) => case_keys(m.me.role),
    };
    let needle = crate::app::fold(search);
    let mut lines: Vec<Line<'_>> = Vec::new();
    for b in &bindings {
        let text = format!("{:<12} {}", b.keys, b.help);
        if crate::app::fold(&text).contains(&needle) {
            lines.push(Line::from(text));
        }
    }
    for (_, usage) in crate::app::COMMANDS {
        if crate::app::fold(usage).contains(&needle) {
            lines.push(Line::from(format!(
                "{:<12} {}",
                ":",
                usage.trim_start_matches(':')
            )));
        }
    }
    if lines.is_empty() {
        lines.push(Line::from("nothing matches"));
    }
    let w = area.width.saturating_sub(8).min(76);
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(4));
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    f.render_widget(ratatui::widgets::Clear, rect);
    let title = format!(" help · search: {}▏ · Esc closes ", printable(search));
    f.render_widget(
        Paragraph::new(lines).block(
            ratatui::widgets::Block::bordered()
                .title(title)
                .style(ui.theme.title),
        ),
        rect,
    );
}

fn short_left(
    ui: &Ui<'_>,
    unit: Option<Unit>,
    due: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let unit = unit.unwrap_or(Unit::WorkingDays);
    let day = term::local(ui.cal, due).date();
    match term::time_left(ui.cal, unit, day, due, now) {
        Ok(t) => {
            let u = if unit == Unit::WorkingDays { "wd" } else { "d" };
            match (t.overdue, t.days) {
                (false, 0) => format!("{}h{:02}m", t.minutes / 60, t.minutes % 60),
                (false, d) => format!("{d} {u}"),
                (true, 0) => format!("-{}h{:02}m", t.minutes / 60, t.minutes % 60),
                (true, d) => format!("-{d} {u}"),
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
    let rows: Vec<Row<'_>> = m
        .visible
        .iter()
        .skip(offset)
        .take(height)
        .filter_map(|&i| m.rows.get(i))
        .map(|r| {
            let overdue = r.next_due.is_some_and(|d| d < m.now);
            let due = r
                .next_due
                .map(|d| d.with_timezone(&zone).format("%d.%m %H:%M").to_string())
                .unwrap_or_default();
            let left = r
                .next_due
                .map(|d| short_left(ui, r.next_due_unit, d, m.now))
                .unwrap_or_default();
            let code = ui
                .rules
                .procedure(&r.procedure)
                .map(|p| p.code.clone())
                .unwrap_or_else(|_| r.procedure.clone());
            let row = Row::new(vec![
                match (overdue, m.marked.contains(&r.number)) {
                    (true, true) => "!*".to_string(),
                    (true, false) => "!!".to_string(),
                    (false, true) => " *".to_string(),
                    (false, false) => String::new(),
                },
                r.number.clone(),
                code,
                printable(&r.applicant).into_owned(),
                r.citizenship.clone(),
                r.stage.clone().unwrap_or_else(|| "-".into()),
                due,
                left,
                r.assignee.clone().unwrap_or_else(|| "-".into()),
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
        Constraint::Length(15),
        Constraint::Length(4),
        Constraint::Fill(3),
        Constraint::Length(3),
        Constraint::Fill(2),
        Constraint::Length(11),
        Constraint::Length(7),
        Constraint::Length(8),
    ];
    let header = Row::new(vec![
        "",
        "CASE",
        "PROC",
        "APPLICANT",
        "CIT",
        "STAGE",
        "DEADLINE",
        "LEFT",
        "ASSIGNEE",
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
        let msg = if m.filter.is_empty() {
            "No open cases in this view."
        } else {
            "No case matches the filter."
        };
        let inner = Rect {
            y: area.y + 2,
            height: 1,
            ..area
        };
        f.render_widget(Paragraph::new(msg), inner);
    }
}

fn section_lines(view: &CaseView, ui: &Ui<'_>) -> Vec<Line<'static>> {
    let c = &view.loaded.case;
    let version = ui
        .rules
        .procedure(&c.procedure)
        .ok()
        .and_then(|p| p.version(&c.version));
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut push = |s: String| out.push(Line::from(printable(&s).into_owned()));
    match SECTIONS[view.section] {
        "summary" => {
            push(format!("Procedure   {} ({})", c.procedure, c.version));
            if let Some(v) = version {
                push(format!("Rules       {}", v.label()));
            }
            push(format!("Status      {:?}", c.status));
            push(format!(
                "Received    {}",
                format_local(ui.cal, c.received_at)
            ));
            if let Some(a) = c.accepted_at {
                push(format!("Accepted    {}", format_local(ui.cal, a)));
            }
            push(format!(
                "Purpose     {}",
                c.purpose.clone().unwrap_or_else(|| "-".into())
            ));
            push(format!(
                "Assignee    {}",
                c.assignee.clone().unwrap_or_else(|| "-".into())
            ));
            push(format!(
                "Version     {} (changed by {} at {})",
                view.loaded.row_version, view.loaded.updated_by, view.loaded.updated_at
            ));
            if let Some(v) = version
                && let Ok(list) = crate::domain::urgency::open_deadlines(c, v, ui.cal)
            {
                push(String::new());
                push("Open deadlines".into());
                for d in list {
                    push(format!("  {}", d.explanation));
                }
            }
        }
        "applicant" => {
            let p = &c.applicant;
            push(format!("Applicant   {}  ({})", p.name, p.citizenship));
            push(format!("Document    {}", p.key));
            push(format!(
                "IIN         {}",
                p.iin.clone().unwrap_or_else(|| "-".into())
            ));
            if let Some(h) = &c.host {
                push(format!("Host        {}  {}", h.name, h.id_number));
            }
            if let Some(e) = c.entry_date {
                push(format!("Entry       {}", term::format_day(e)));
            }
            for m in &c.family {
                push(format!(
                    "Family      {}  {}",
                    m.name,
                    m.iin.clone().unwrap_or_default()
                ));
            }
        }
        "documents" => {
            for d in &c.documents {
                let until = d
                    .valid_until
                    .map(|x| x.format("%d.%m.%Y").to_string())
                    .unwrap_or_default();
                push(format!("{:<26} {:<16} {until}", d.kind, d.number));
            }
            if c.documents.is_empty() {
                push("No documents recorded.".into());
            }
        }
        "checklist" => {
            if let Some(v) = version {
                for (i, k) in v.checks.iter().enumerate() {
                    let applies = k.applies_to(c.purpose.as_deref());
                    let mark = match c.checks.get(&k.id).map(|r| r.outcome) {
                        Some(Outcome::Passed) => "[passed]",
                        Some(Outcome::Failed) => "[FAILED]",
                        Some(Outcome::NotApplicable) => "[n/a]   ",
                        Some(Outcome::Pending) | None if !applies => "[n/a]   ",
                        Some(Outcome::Pending) | None => "[ ]     ",
                    };
                    let cursor = if i == view.cursor { ">" } else { " " };
                    push(format!("{cursor}{mark} {}", k.title.en));
                    if applies
                        && let Some((_, comp)) = view.evidence.iter().find(|(id, _)| id == &k.id)
                    {
                        push(format!(
                            "          kezek: {:?}, {}",
                            comp.outcome, comp.summary
                        ));
                        if let crate::domain::checks::Evidence::DomesticWorkerQuota {
                            issued, ..
                        } = &comp.evidence
                        {
                            for r in issued {
                                push(format!("            {} {}", r.number, r.person));
                            }
                        }
                    }
                    let failed = c
                        .checks
                        .get(&k.id)
                        .is_some_and(|r| r.outcome == Outcome::Failed);
                    if failed && let Some(g) = &k.ground {
                        let title = v.ground(g).map(|x| x.title.en.clone()).unwrap_or_default();
                        let path = if v.hearing {
                            "a refusal on it needs a hearing notice first (hearing path)"
                        } else {
                            "a ground for refusal"
                        };
                        push(format!("          ground: {title}: {path}"));
                    }
                    if let Some(r) = c.checks.get(&k.id)
                        && !r.note.is_empty()
                    {
                        push(format!("         note ({}): {}", r.by, r.note));
                    }
                }
            }
        }
        "timeline" => {
            if let Some(v) = version
                && let Ok(plan) = crate::domain::urgency::stage_plan(c, v, ui.cal)
            {
                for (p, s) in plan.iter().zip(&v.stages) {
                    let done = p
                        .completed_at
                        .map(|t| format!("done {}", format_local(ui.cal, t)))
                        .unwrap_or_else(|| "open".into());
                    push(format!(
                        "{:<24} {} from {} → due {}  ({done})",
                        s.id,
                        s.term.term(),
                        term::format_day(p.from_day),
                        format_local(ui.cal, p.due)
                    ));
                }
                if plan.is_empty() {
                    push("Not accepted yet: no timeline.".into());
                }
            }
        }
        "hearing" => {
            for n in &c.notices {
                push(format!(
                    "Notice sent {} ({:?}); hearing {} at {}; grounds: {}",
                    format_local(ui.cal, n.sent_at),
                    n.channel,
                    format_local(ui.cal, n.hearing_at),
                    n.place,
                    n.grounds.join(", ")
                ));
            }
            for h in &c.hearings {
                push(format!(
                    "Hearing held {}: {}",
                    format_local(ui.cal, h.held_at),
                    h.applicant_position
                ));
            }
            if c.notices.is_empty() {
                push("No hearing notice.".into());
            }
        }
        "decision" => {
            for d in &c.decisions {
                let kind = match &d.kind {
                    DecisionKind::Issue => "issue".to_string(),
                    DecisionKind::Refuse { grounds } => format!("refuse ({})", grounds.join(", ")),
                    DecisionKind::Annul { grounds } => format!("annul ({})", grounds.join(", ")),
                };
                let approval = match &d.approval {
                    ApprovalState::NotRequired => "no approval needed".to_string(),
                    ApprovalState::Pending => "waits for approval".to_string(),
                    ApprovalState::Approved { by, .. } => format!("approved by {by}"),
                    ApprovalState::Returned { by, comment, .. } => {
                        format!("returned by {by}: {comment}")
                    }
                };
                push(format!(
                    "{} by {} at {}: {approval}",
                    kind,
                    d.by,
                    format_local(ui.cal, d.at)
                ));
            }
            if c.decisions.is_empty() {
                push("No decision yet.".into());
            }
        }
        "notes" => {
            for n in &c.notes {
                push(format!("{} {}:", format_local(ui.cal, n.at), n.by));
                for l in n.text.lines() {
                    push(format!("  {l}"));
                }
            }
            if c.notes.is_empty() {
                push("No notes.".into());
            }
        }
        _ => {
            for r in &view.history {
                push(format!(
                    "{:>6} {} {:<10} {}",
                    r.seq, r.at, r.actor, r.action
                ));
            }
        }
    }
    out
}

fn draw_case(f: &mut Frame<'_>, view: &CaseView, ui: &Ui<'_>, area: Rect) {
    let [tabs, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let mut spans = Vec::new();
    let narrow = area.width < 110;
    for (i, s) in SECTIONS.iter().enumerate() {
        let name: String = if narrow {
            s.chars().take(5).collect()
        } else {
            (*s).to_string()
        };
        let label = format!(" {}:{name} ", i + 1);
        if i == view.section {
            spans.push(Span::styled(label, ui.theme.selected));
        } else {
            spans.push(Span::raw(label));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), tabs);
    let lines = section_lines(view, ui);
    match &view.editor {
        Some(ed) => {
            let [text, editor] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(8)]).areas(body);
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
            f.render_widget(ed, editor);
        }
        None => f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((view.scroll, 0)),
            body,
        ),
    }
}
