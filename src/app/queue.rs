//! The queue (home screen): every open case of the view, most urgent
//! first; its filter, sort, view and procedure, the header's counts, and
//! its table, of which only the visible window is formatted.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row as Cells, Table, TableState};

pub use crate::store::table::*;

use super::Hint;
use super::keymap::{Binding, Cmd};
use super::{Action, DialogKind, Effect, Model, Screen, fold};
use crate::domain::procedure::Role;
use crate::domain::term::{self, Unit};
use crate::domain::text::printable;
use crate::i18n::{Lang, t, tf};
use crate::ui::{Ui, text};

/// The built-in keys of the queue; `keys.toml` overrides them.
pub const KEYS: &[Binding] = &[
    (Cmd::Open, &["Enter"]),
    (Cmd::Filter, &["/"]),
    (Cmd::Command, &[":"]),
    (Cmd::Help, &["?"]),
    (Cmd::Messages, &["M"]),
    (Cmd::Quit, &["q"]),
    (Cmd::View, &["v"]),
    (Cmd::Procedure, &["P"]),
    (Cmd::Down, &["j", "Down"]),
    (Cmd::Up, &["k", "Up"]),
    (Cmd::Top, &["g", "Home"]),
    (Cmd::Bottom, &["G", "End"]),
    (Cmd::PageDown, &["Ctrl-d", "PgDn"]),
    (Cmd::PageUp, &["Ctrl-u", "PgUp"]),
    (Cmd::NextMatch, &["n"]),
    (Cmd::PrevMatch, &["N"]),
    (Cmd::Sort, &["s", "o"]),
    (Cmd::Mark, &["Space"]),
    (Cmd::Desk, &["D"]),
    (Cmd::Accept, &["a"]),
    (Cmd::Refresh, &["r"]),
    (Cmd::Back, &["Esc"]),
    (Cmd::ReverseSort, &["S"]),
    (Cmd::FieldFilter, &["F"]),
    (Cmd::Undo, &["u", "z"]),
];

/// The hint bar of the queue, most used first.
pub const HINTS: &[Hint] = &[
    ("hint.open", &[Cmd::Open]),
    ("hint.filter", &[Cmd::Filter]),
    ("hint.command", &[Cmd::Command]),
    ("hint.help", &[Cmd::Help]),
    ("hint.quit", &[Cmd::Quit]),
    ("hint.view", &[Cmd::View]),
    ("hint.procedure", &[Cmd::Procedure]),
    ("hint.desk", &[Cmd::Desk]),
    ("hint.move", &[Cmd::Down, Cmd::Up]),
    ("hint.mark", &[Cmd::Mark]),
    ("hint.sort", &[Cmd::Sort]),
];

/// Which cases the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    All,
    Mine,
    Unassigned,
}

impl View {
    /// The catalogue key of the view's name.
    pub fn label_key(self) -> &'static str {
        match self {
            View::All => "view.all",
            View::Mine => "view.mine",
            View::Unassigned => "view.unassigned",
        }
    }

    fn next(self) -> View {
        match self {
            View::All => View::Mine,
            View::Mine => View::Unassigned,
            View::Unassigned => View::All,
        }
    }
}

/// Header counts of the loaded queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub overdue: usize,
    pub today: usize,
    pub soon: usize,
    pub total: usize,
}

/// The instants that split deadlines into the header's counts: now, the
/// end of today, and the first and the last day that are one to three
/// working days away (seconds since 1970).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountBounds {
    pub now: i64,
    pub tomorrow: Option<i64>,
    pub soon_from: Option<i64>,
    pub soon_until: Option<i64>,
}

/// Which count a deadline falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueClass {
    Overdue,
    Today,
    Soon,
}

impl CountBounds {
    pub fn at(cal: &crate::domain::calendar::Calendar, now: DateTime<Utc>) -> CountBounds {
        use crate::domain::term;
        let today = term::local(cal, now).date();
        let midnight = |d: chrono::NaiveDate| {
            term::at_local(cal, d, chrono::NaiveTime::MIN)
                .map(|t| t.timestamp())
                .ok()
        };
        CountBounds {
            now: now.timestamp(),
            tomorrow: today.succ_opt().and_then(midnight),
            soon_from: cal.add_working_days(today, 1).ok().and_then(midnight),
            soon_until: cal
                .add_working_days(today, 3)
                .ok()
                .and_then(|d| d.succ_opt())
                .and_then(midnight),
        }
    }

    /// The count of a deadline (seconds since 1970, `i64::MIN` for none).
    pub fn class(&self, due: i64) -> Option<DueClass> {
        if due == i64::MIN {
            None
        } else if due < self.now {
            Some(DueClass::Overdue)
        } else if self.tomorrow.is_some_and(|t| due < t) {
            Some(DueClass::Today)
        } else if self.soon_from.is_some_and(|a| due >= a)
            && self.soon_until.is_some_and(|b| due < b)
        {
            Some(DueClass::Soon)
        } else {
            None
        }
    }
}

/// The order of the queue: urgency (the default) or a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Urgency,
    Number,
    Applicant,
    Procedure,
    Assignee,
}

impl Sort {
    pub fn label_key(self) -> &'static str {
        match self {
            Sort::Urgency => "sort.urgency",
            Sort::Number => "sort.case",
            Sort::Applicant => "sort.applicant",
            Sort::Procedure => "sort.procedure",
            Sort::Assignee => "sort.assignee",
        }
    }

    fn next(self) -> Sort {
        match self {
            Sort::Urgency => Sort::Number,
            Sort::Number => Sort::Applicant,
            Sort::Applicant => Sort::Procedure,
            Sort::Procedure => Sort::Assignee,
            Sort::Assignee => Sort::Urgency,
        }
    }
}
impl Model {
    /// Replace the queue's rows, keeping the selection on the same case.
    pub fn set_rows(&mut self, rows: crate::store::table::Queue) {
        let keep = self.selected_row().map(|r| r.number().to_string());
        self.rows = rows;
        // What is due may have changed with the rows: ask again.
        self.due_kinds.clear();
        self.due_asked.clear();
        self.matched.clear();
        self.orders.clear();
        self.counts = None;
        self.apply_filter();
        if let Some(number) = keep
            && let Some(pos) = self
                .visible
                .iter()
                .position(|&i| self.rows.get(i).is_some_and(|r| r.number() == number))
        {
            self.selected = pos;
        }
    }

    pub fn selected_row(&self) -> Option<crate::store::table::Row<'_>> {
        self.visible
            .get(self.selected)
            .and_then(|&i| self.rows.get(i))
    }

    fn apply_filter(&mut self) {
        let needle = fold(self.filter.trim());
        let latin = crate::domain::text::translit(&needle);
        // Drop the remembered filters this one does not extend.
        while self
            .matched
            .last()
            .is_some_and(|(n, l, _)| !(needle.contains(n.as_str()) && latin.contains(l.as_str())))
        {
            self.matched.pop();
        }
        let rows: Option<&[u32]> = if needle.is_empty() {
            self.matched.clear();
            None
        } else {
            let known = self
                .matched
                .last()
                .is_some_and(|(n, l, _)| *n == needle && *l == latin);
            if !known {
                let within = self.matched.last().map(|(_, _, rows)| rows.as_slice());
                let found = self.rows.matching(&[&needle, &latin], within);
                self.matched.push((needle.clone(), latin.clone(), found));
            }
            self.matched.last().map(|(_, _, rows)| rows.as_slice())
        };
        let key = match self.sort {
            Sort::Urgency => None,
            Sort::Number => Some(crate::store::table::SortKey::Number),
            Sort::Applicant => Some(crate::store::table::SortKey::Applicant),
            Sort::Procedure => Some(crate::store::table::SortKey::Procedure),
            Sort::Assignee => Some(crate::store::table::SortKey::Assignee),
        };
        self.visible = match (key, rows) {
            (None, None) => (0..self.rows.len()).collect(),
            (None, Some(rows)) => rows.iter().map(|&i| i as usize).collect(),
            (Some(k), rows) => {
                let hit: Option<Vec<bool>> = rows.map(|rows| {
                    let mut hit = vec![false; self.rows.len()];
                    for &i in rows {
                        hit[i as usize] = true;
                    }
                    hit
                });
                let all = &self.rows;
                let order = self.orders.entry(k).or_insert_with(|| all.order_by(k));
                order
                    .iter()
                    .map(|&i| i as usize)
                    .filter(|&i| hit.as_ref().is_none_or(|h| h[i]))
                    .collect()
            }
        };
        if !self.fields.is_empty() {
            let (rows, fields) = (&self.rows, &self.fields);
            self.visible
                .retain(|&i| rows.get(i).is_some_and(|r| fields.admits(&r)));
        }
        if self.reverse {
            self.visible.reverse();
        }
        if self.selected >= self.visible.len() {
            self.selected = self.visible.len().saturating_sub(1);
        }
    }

    /// Filter and order again (after a change of filters or order made
    /// outside the queue's keys: a saved filter, the user's settings).
    pub fn refilter(&mut self) {
        self.apply_filter();
    }

    /// Header counts: overdue, due today, due within 1-3 working days, total.
    /// Counted once per minute of the clock, not on every frame.
    pub fn counts(&mut self, cal: &crate::domain::calendar::Calendar) -> Counts {
        let minute = self.now.timestamp() / 60;
        if self.loading
            && let Some((_, c)) = self.counted
        {
            return c;
        }
        if let Some((at, c)) = self.counts
            && at == minute
        {
            return c;
        }
        let bounds = CountBounds::at(cal, self.now);
        let mut c = Counts {
            total: self.rows.len(),
            ..Counts::default()
        };
        for due in self.rows.dues() {
            match bounds.class(due) {
                Some(DueClass::Overdue) => c.overdue += 1,
                Some(DueClass::Today) => c.today += 1,
                Some(DueClass::Soon) => c.soon += 1,
                None => {}
            }
        }
        self.counts = Some((minute, c));
        c
    }
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
            // On the day itself: hours with their unit (never `13:50`,
            // which reads like a clock time), minutes in the last hour.
            if x.days == 0 && x.minutes >= 60 {
                format!("{sign}{} {}", x.minutes / 60, t(lang, "unit.h"))
            } else if x.days == 0 {
                format!("{sign}{} {}", x.minutes, t(lang, "unit.min"))
            } else {
                format!("{sign}{} {u}", x.days)
            }
        }
        Err(_) => "?".into(),
    }
}

/// The width of the LEFT column: `-12 жк`, `-13 сағ`.
const LEFT_W: u16 = 7;

pub(super) fn draw(f: &mut Frame<'_>, m: &mut Model, ui: &Ui<'_>, area: Rect) {
    // Only the visible window is formatted: the queue may hold many rows.
    let height = area.height.saturating_sub(1) as usize;
    m.page = height.max(1);
    // The window stays where it was while the selection is in it (a click
    // on a row must not move the rows under the pointer).
    let offset = window(m.top, m.selected, height);
    m.top = offset;
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
    let fixed = 2 + number_w + code_w + 3 + 11 + LEFT_W + 8 + 8;
    let fill = usize::from(area.width.saturating_sub(fixed) / 2);
    let mut wanted: Vec<String> = Vec::new();
    let rows: Vec<Cells<'_>> = m
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
                // Every stage is done and something else is due: what it
                // is (the service term, a hearing notice) once the worker
                // has said, else as the desk and the daily report call it.
                .unwrap_or_else(|| match m.due_kinds.get(r.number()) {
                    Some(kind) => super::case::deadline_label(
                        lang,
                        |id| {
                            procedure
                                .and_then(|p| p.stage_place(id))
                                .map(|(_, _, st)| st.title.get(lang).to_string())
                        },
                        kind,
                    ),
                    None => {
                        if next_due.is_some() && !m.due_asked.contains(r.number()) {
                            wanted.push(r.number().to_string());
                        }
                        t(lang, "queue.stages-done").to_string()
                    }
                });
            // A supervisor's answer is what the inspector needs to see first.
            let stage = match r.approval() {
                Some("pending") => format!("» {}", t(lang, "queue.awaiting-approval")),
                Some("returned") => format!("↩ {}", t(lang, "queue.returned")),
                _ => stage,
            };
            let row = Cells::new(vec![
                match (overdue, m.marked.contains(r.number())) {
                    (true, true) => "!*".to_string(),
                    (true, false) => "!!".to_string(),
                    (false, true) => " *".to_string(),
                    (false, false) => String::new(),
                },
                text::cut(&printable(r.number()), usize::from(number_w)),
                code,
                if r.unreadable() {
                    m.t("queue.unreadable").to_string()
                } else {
                    text::cut(&printable(r.applicant()), fill)
                },
                text::cut(&printable(r.citizenship()), 3),
                text::cut(&printable(&stage), fill),
                due,
                left,
                text::cut(&printable(r.assignee().unwrap_or("-")), 8),
            ]);
            if overdue {
                row.style(ui.theme.overdue)
            } else {
                row
            }
        })
        .collect();
    for n in &wanted {
        m.due_asked.insert(n.clone());
    }
    m.due_wanted.extend(wanted);
    let widths = [
        Constraint::Length(2),
        Constraint::Length(number_w),
        Constraint::Length(code_w),
        // Exactly the width the cells were cut to: the table never cuts
        // one again without a mark.
        Constraint::Length(u16::try_from(fill).unwrap_or(u16::MAX)),
        Constraint::Length(3),
        Constraint::Length(u16::try_from(fill).unwrap_or(u16::MAX)),
        Constraint::Length(11),
        Constraint::Length(LEFT_W),
        Constraint::Length(8),
    ];
    let header = Cells::new(vec![
        String::new(),
        text::cut(m.t("col.case"), usize::from(number_w)),
        text::cut(m.t("col.procedure"), usize::from(code_w)),
        text::cut(m.t("col.applicant"), fill),
        text::cut(m.t("col.citizenship"), 3),
        text::cut(m.t("col.stage"), fill),
        text::cut(m.t("col.deadline"), 11),
        text::cut(m.t("col.left"), usize::from(LEFT_W)),
        text::cut(m.t("col.assignee"), 8),
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

/// The first row of the queue's window: the last one, moved only as far
/// as needed to show the selected row.
pub fn window(top: usize, selected: usize, height: usize) -> usize {
    let height = height.max(1);
    if selected < top {
        selected
    } else if selected >= top + height {
        selected + 1 - height
    } else {
        top
    }
}

/// The queue's header in `width` cells. When it does not fit, the least
/// needed parts go first (due soon, the sort, the total, the name), so the
/// overdue and today counts, the view and the login stay; what is still too
/// long is cut with `…` before the login.
pub(super) fn header(m: &mut Model, ui: &Ui<'_>, width: usize) -> Line<'static> {
    let c = m.counts(ui.cal);
    // Counts are marked as partial until the database has counted the whole
    // view (before its rows have all arrived).
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
    let n = |key: &'static str, v: usize| tf(m.lang, key, &[("n", &format!("{v}{more}"))]);
    let title = Span::styled(" kezek ", ui.theme.title);
    let overdue = Span::styled(n("header.overdue", c.overdue), ui.theme.overdue);
    let today = Span::styled(n("header.today", c.today), ui.theme.today);
    let soon = n("header.soon", c.soon);
    let total = n("header.total", c.total);
    let view = match fields_label(m) {
        f if f.is_empty() => view,
        f => format!("{view}/{f}"),
    };
    let sorted = format!("[{view}|{}]", sort_label(m));
    let plain = format!("[{view}]");
    let login = format!(" · {}", printable(&m.me.login));
    let sep = || Span::raw(" · ");
    let variants: Vec<Vec<Span<'static>>> = vec![
        vec![
            title.clone(),
            overdue.clone(),
            sep(),
            today.clone(),
            sep(),
            Span::raw(soon.clone()),
            sep(),
            Span::raw(total.clone()),
            sep(),
            Span::raw(sorted.clone()),
        ],
        vec![
            title.clone(),
            overdue.clone(),
            sep(),
            today.clone(),
            sep(),
            Span::raw(total.clone()),
            sep(),
            Span::raw(sorted),
        ],
        vec![
            title.clone(),
            overdue.clone(),
            sep(),
            today.clone(),
            sep(),
            Span::raw(total),
            sep(),
            Span::raw(plain.clone()),
        ],
        vec![
            title,
            overdue.clone(),
            sep(),
            today.clone(),
            sep(),
            Span::raw(plain.clone()),
        ],
        vec![
            Span::raw(" "),
            overdue,
            sep(),
            today,
            sep(),
            Span::raw(plain),
        ],
    ];
    let room = width.saturating_sub(text::width(&login));
    let mut chosen = None;
    for v in &variants {
        let line = Line::from(v.clone());
        if line.width() <= room {
            chosen = Some(line);
            break;
        }
    }
    let last = variants.last().cloned().unwrap_or_default();
    let mut line = chosen.unwrap_or_else(|| text::cut_line(Line::from(last), room));
    // The login is the last part and is never dropped; a login wider than
    // the whole line is cut itself.
    line.spans.push(Span::raw(text::cut(
        &login,
        width.saturating_sub(line.width()),
    )));
    line
}

/// A key on the queue: move, filter, open, mark, sort, change the view.
pub fn update(m: &mut Model, action: Action) -> Effect {
    if m.filtering {
        match action {
            Action::FilterInput(c) => {
                m.filter.push(c);
                m.selected = 0;
                m.apply_filter();
            }
            Action::FilterBackspace => {
                m.filter.pop();
                m.apply_filter();
            }
            Action::FilterDone | Action::Open => m.filtering = false,
            Action::FilterCancel | Action::Back => {
                m.filtering = false;
                m.filter.clear();
                m.apply_filter();
            }
            Action::Up | Action::Down => {
                m.filtering = false;
                return update(m, action);
            }
            _ => {}
        }
        return Effect::None;
    }
    let last = m.visible.len().saturating_sub(1);
    match action {
        Action::Up => m.selected = m.selected.saturating_sub(1),
        Action::Down => m.selected = (m.selected + 1).min(last),
        Action::Top => m.selected = 0,
        Action::Bottom => m.selected = last,
        Action::PageDown => m.selected = (m.selected + m.page.max(1)).min(last),
        Action::PageUp => m.selected = m.selected.saturating_sub(m.page.max(1)),
        Action::Open => {
            if let Some(r) = m.selected_row() {
                return Effect::LoadCase(r.number().to_string());
            }
        }
        Action::AcceptSelected => {
            if m.refused_to_auditor() {
                return Effect::None;
            }
            match m.selected_row() {
                Some(r) if r.status() == Some(crate::domain::case::Status::Received) => {
                    let number = r.number().to_string();
                    m.pending_dialog = Some((number.clone(), DialogKind::Decide));
                    return Effect::LoadCase(number);
                }
                Some(_) => m.status = m.t("status.not-received").to_string(),
                None => {}
            }
        }
        Action::Back if !m.filter.is_empty() => {
            m.filter.clear();
            m.apply_filter();
        }
        Action::Back if !m.marked.is_empty() => {
            m.marked.clear();
            m.status = m.t("status.marks-cleared").to_string();
        }
        Action::Quit => return Effect::Quit,
        Action::StartFilter => m.filtering = true,
        Action::NextView => {
            m.view = m.view.next();
            m.selected = 0;
            return Effect::LoadQueue;
        }
        Action::NextProcedure => {
            m.procedure = match &m.procedure {
                None => m.procedures.first().cloned(),
                Some(p) => m
                    .procedures
                    .iter()
                    .position(|x| x == p)
                    .and_then(|i| m.procedures.get(i + 1))
                    .cloned(),
            };
            m.selected = 0;
            return Effect::LoadQueue;
        }
        Action::Refresh => return Effect::LoadQueue,
        Action::Desk => {
            if m.me.role == Role::Inspector {
                m.status = m.t("status.desk-supervisors").to_string();
                return Effect::None;
            }
            m.screen = Screen::Desk(Box::default());
            return Effect::LoadDesk;
        }
        Action::ToggleMark => {
            if let Some(n) = m.selected_row().map(|r| r.number().to_string())
                && !m.marked.remove(&n)
            {
                m.marked.insert(n);
            }
            m.selected = (m.selected + 1).min(last);
            m.status = tf(m.lang, "status.marked", &[("n", &m.marked.len())]);
        }
        Action::ReverseSort => {
            m.reverse = !m.reverse;
            m.apply_filter();
            m.status = tf(m.lang, "status.sorted", &[("by", &sort_label(m))]);
        }
        Action::FieldFilter => {
            let now = filter_line(m);
            let line = if now.is_empty() {
                "filter ".to_string()
            } else {
                format!("filter {now} ")
            };
            m.prompt = Some(super::Prompt::Command(line));
        }
        Action::NextSort => {
            m.sort = m.sort.next();
            m.apply_filter();
            m.status = tf(m.lang, "status.sorted", &[("by", &sort_label(m))]);
        }
        _ => {}
    }
    Effect::None
}

/// Filters by field, over the text filter: an assignee (`-` for none) and
/// a status. The procedure is the view's own (`P`, `procedure=`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// `Some("")`: unassigned cases only.
    pub assignee: Option<String>,
    pub status: Option<crate::domain::case::Status>,
}

impl Fields {
    pub fn is_empty(&self) -> bool {
        self.assignee.is_none() && self.status.is_none()
    }

    fn admits(&self, r: &crate::store::table::Row<'_>) -> bool {
        let who = match self.assignee.as_deref() {
            None => true,
            Some("") => r.assignee().is_none(),
            Some(a) => r.assignee() == Some(a),
        };
        who && self.status.is_none_or(|s| r.status() == Some(s))
    }
}

/// The statuses a queue case can have, by the name `status=` takes.
pub const STATUSES: &[(&str, crate::domain::case::Status)] = &[
    ("received", crate::domain::case::Status::Received),
    ("accepted", crate::domain::case::Status::Accepted),
    ("decided", crate::domain::case::Status::Decided),
];

/// The field names `:filter` takes.
pub const FILTER_FIELDS: &[&str] = &["assignee", "status", "procedure"];

/// What `:filter` asked for: fields, the procedure and the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterLine {
    pub fields: Fields,
    pub procedure: Option<String>,
    pub text: String,
}

/// Read `assignee=li status=accepted procedure=rvp words…`: fields by
/// name, the procedure by its id or its code in any language, the rest as
/// the text filter. An unknown field or value is an error that names it
/// and what is allowed.
pub fn parse_filter(m: &Model, line: &str) -> Result<FilterLine, String> {
    let mut out = FilterLine {
        fields: Fields::default(),
        procedure: None,
        text: String::new(),
    };
    let mut words = Vec::new();
    for word in line.split_whitespace() {
        let Some((key, value)) = word.split_once('=') else {
            words.push(word);
            continue;
        };
        let value = value.trim();
        match key.to_lowercase().as_str() {
            "assignee" | "inspector" => {
                out.fields.assignee = Some(match value {
                    "-" | "none" => String::new(),
                    "me" => m.me.login.clone(),
                    v => v.to_string(),
                });
            }
            "status" => {
                let v = value.to_lowercase();
                match STATUSES.iter().find(|(n, _)| *n == v) {
                    Some((_, s)) => out.fields.status = Some(*s),
                    None => {
                        let names: Vec<&str> = STATUSES.iter().map(|(n, _)| *n).collect();
                        return Err(tf(
                            m.lang,
                            "status.filter-bad-value",
                            &[
                                ("field", &"status"),
                                ("value", &crate::domain::text::printable(value)),
                                ("allowed", &names.join(", ")),
                            ],
                        ));
                    }
                }
            }
            "procedure" => match find_procedure(m, value) {
                Some(id) => out.procedure = Some(id),
                None => {
                    return Err(tf(
                        m.lang,
                        "status.filter-bad-value",
                        &[
                            ("field", &"procedure"),
                            ("value", &crate::domain::text::printable(value)),
                            ("allowed", &procedure_codes(m).join(", ")),
                        ],
                    ));
                }
            },
            other => {
                return Err(tf(
                    m.lang,
                    "status.filter-bad-field",
                    &[
                        ("field", &crate::domain::text::printable(other)),
                        ("allowed", &FILTER_FIELDS.join(", ")),
                    ],
                ));
            }
        }
    }
    out.text = words.join(" ");
    Ok(out)
}

/// A procedure by its id or its code in any language, case-insensitive.
fn find_procedure(m: &Model, typed: &str) -> Option<String> {
    let typed = fold(typed);
    let world = m.world.as_ref();
    m.procedures
        .iter()
        .find(|id| {
            fold(id) == typed
                || world
                    .and_then(|w| w.rules.procedure(id).ok())
                    .is_some_and(|p| {
                        [Lang::Kk, Lang::Ru, Lang::En]
                            .iter()
                            .any(|l| fold(&crate::i18n::procedure_code(p, *l)) == typed)
                    })
        })
        .cloned()
}

/// The procedures' codes in the interface language, for error messages.
fn procedure_codes(m: &Model) -> Vec<String> {
    m.procedures
        .iter()
        .map(|id| {
            m.world
                .as_ref()
                .and_then(|w| w.rules.procedure(id).ok())
                .map(|p| crate::i18n::procedure_code(p, m.lang))
                .unwrap_or_else(|| id.clone())
        })
        .collect()
}

/// Put a `:filter` line in force (fields, text and procedure). Returns
/// whether the procedure changed (the queue must then be read again).
pub fn set_filter(m: &mut Model, f: FilterLine) -> bool {
    let reload = f.procedure != m.procedure;
    m.fields = f.fields;
    m.filter = f.text;
    m.procedure = f.procedure;
    m.filtering = false;
    m.selected = 0;
    m.apply_filter();
    reload
}

/// The filters in force as a `:filter` line (what `F` starts from and
/// what `:save-filter` keeps).
pub fn filter_line(m: &Model) -> String {
    let mut parts: Vec<String> = Vec::new();
    match m.fields.assignee.as_deref() {
        Some("") => parts.push("assignee=-".into()),
        Some(a) => parts.push(format!("assignee={a}")),
        None => {}
    }
    if let Some(s) = m.fields.status
        && let Some((n, _)) = STATUSES.iter().find(|(_, x)| *x == s)
    {
        parts.push(format!("status={n}"));
    }
    if let Some(p) = &m.procedure {
        parts.push(format!("procedure={p}"));
    }
    if !m.filter.trim().is_empty() {
        parts.push(m.filter.trim().to_string());
    }
    parts.join(" ")
}

/// The sort as the header says it: the column, and whether reversed.
pub fn sort_label(m: &Model) -> String {
    let by = m.t(m.sort.label_key());
    if m.reverse {
        tf(m.lang, "sort.reversed", &[("by", &by)])
    } else {
        by.to_string()
    }
}

/// The field filters as the header says them (`li·accepted`), empty when
/// there are none.
pub fn fields_label(m: &Model) -> String {
    let mut parts: Vec<String> = Vec::new();
    match m.fields.assignee.as_deref() {
        Some("") => parts.push(m.t("view.unassigned").to_string()),
        Some(a) => parts.push(printable(a).into_owned()),
        None => {}
    }
    if let Some(s) = m.fields.status
        && let Some((n, _)) = STATUSES.iter().find(|(_, x)| *x == s)
    {
        parts.push(m.t(status_key(n)).to_string());
    }
    parts.join("·")
}

fn status_key(name: &str) -> &'static str {
    match name {
        "received" => "filter-status.received",
        "accepted" => "filter-status.accepted",
        _ => "filter-status.decided",
    }
}
