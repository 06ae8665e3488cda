//! The console's state and its update function: no drawing, no SQLite.
//!
//! `update(model, action)` changes the model and returns the effect the
//! runtime must carry out (load a case, reload the queue, quit). Keys map to
//! actions through one keymap per screen, which also feeds the hint bar.

use chrono::{DateTime, Utc};

use crate::domain::case::Actor;
use crate::store::audit::AuditRow;
use crate::store::cases::{Loaded, QueueRow};

/// Which cases the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    All,
    Mine,
    Unassigned,
}

impl View {
    pub fn label(self) -> &'static str {
        match self {
            View::All => "all",
            View::Mine => "mine",
            View::Unassigned => "unassigned",
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

/// The sections of the case screen, in order.
pub const SECTIONS: &[&str] = &[
    "summary",
    "applicant",
    "documents",
    "checklist",
    "timeline",
    "hearing",
    "decision",
    "notes",
    "history",
];

/// An open case.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub loaded: Loaded,
    pub history: Vec<AuditRow>,
    pub section: usize,
    pub scroll: u16,
}

#[derive(Debug, Clone)]
pub enum Screen {
    Queue,
    Case(Box<CaseView>),
}

/// Everything the console shows.
#[derive(Debug, Clone)]
pub struct Model {
    pub me: Actor,
    pub now: DateTime<Utc>,
    pub rows: Vec<QueueRow>,
    /// Indices into `rows` that pass the filter, in queue order.
    pub visible: Vec<usize>,
    pub selected: usize,
    pub filter: String,
    pub filtering: bool,
    pub view: View,
    pub screen: Screen,
    pub status: String,
    /// The number of rows the last drawn table could show (for page moves).
    pub page: usize,
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    Top,
    Bottom,
    PageDown,
    PageUp,
    Open,
    Back,
    Quit,
    StartFilter,
    FilterInput(char),
    FilterBackspace,
    FilterDone,
    FilterCancel,
    NextView,
    Refresh,
    NextSection,
    PrevSection,
    Section(usize),
}

/// What the runtime must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    None,
    Quit,
    LoadQueue,
    LoadCase(String),
}

/// Case-insensitive for Latin and Cyrillic, Kazakh letters included.
pub fn fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

impl Model {
    pub fn new(me: Actor, now: DateTime<Utc>) -> Model {
        Model {
            me,
            now,
            rows: Vec::new(),
            visible: Vec::new(),
            selected: 0,
            filter: String::new(),
            filtering: false,
            view: View::All,
            screen: Screen::Queue,
            status: String::new(),
            page: 10,
        }
    }

    /// Replace the queue's rows, keeping the selection on the same case.
    pub fn set_rows(&mut self, rows: Vec<QueueRow>) {
        let keep = self.selected_row().map(|r| r.number.clone());
        self.rows = rows;
        self.apply_filter();
        if let Some(number) = keep
            && let Some(pos) = self
                .visible
                .iter()
                .position(|&i| self.rows[i].number == number)
        {
            self.selected = pos;
        }
    }

    pub fn selected_row(&self) -> Option<&QueueRow> {
        self.visible
            .get(self.selected)
            .and_then(|&i| self.rows.get(i))
    }

    fn apply_filter(&mut self) {
        let needle = fold(self.filter.trim());
        self.visible = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                needle.is_empty()
                    || fold(&r.applicant).contains(&needle)
                    || fold(&r.number).contains(&needle)
                    || fold(&r.procedure).contains(&needle)
            })
            .map(|(i, _)| i)
            .collect();
        if self.selected >= self.visible.len() {
            self.selected = self.visible.len().saturating_sub(1);
        }
    }

    /// Header counts: overdue, due today, due within 1-3 working days, total.
    pub fn counts(&self, cal: &crate::domain::calendar::Calendar) -> (usize, usize, usize, usize) {
        let today = crate::domain::term::local(cal, self.now).date();
        let mut overdue = 0;
        let mut today_n = 0;
        let mut soon = 0;
        for r in &self.rows {
            let Some(due) = r.next_due else { continue };
            if due < self.now {
                overdue += 1;
                continue;
            }
            let day = crate::domain::term::local(cal, due).date();
            if day == today {
                today_n += 1;
            } else if cal
                .working_days_between(today, day)
                .is_ok_and(|n| (1..=3).contains(&n))
            {
                soon += 1;
            }
        }
        (overdue, today_n, soon, self.rows.len())
    }
}

/// Apply an action.
pub fn update(m: &mut Model, action: Action) -> Effect {
    if let Screen::Case(view) = &mut m.screen {
        let n = SECTIONS.len();
        match action {
            Action::Back => {
                m.screen = Screen::Queue;
                return Effect::LoadQueue;
            }
            Action::Quit => {
                m.screen = Screen::Queue;
                return Effect::LoadQueue;
            }
            Action::NextSection => {
                view.section = (view.section + 1) % n;
                view.scroll = 0;
            }
            Action::PrevSection => {
                view.section = (view.section + n - 1) % n;
                view.scroll = 0;
            }
            Action::Section(i) if i < n => {
                view.section = i;
                view.scroll = 0;
            }
            Action::Down => view.scroll = view.scroll.saturating_add(1),
            Action::Up => view.scroll = view.scroll.saturating_sub(1),
            Action::PageDown => view.scroll = view.scroll.saturating_add(10),
            Action::PageUp => view.scroll = view.scroll.saturating_sub(10),
            Action::Top => view.scroll = 0,
            Action::Refresh => return Effect::LoadCase(view.loaded.case.number.clone()),
            _ => {}
        }
        return Effect::None;
    }
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
                return Effect::LoadCase(r.number.clone());
            }
        }
        Action::Back if !m.filter.is_empty() => {
            m.filter.clear();
            m.apply_filter();
        }
        Action::Quit => return Effect::Quit,
        Action::StartFilter => {
            m.filtering = true;
        }
        Action::NextView => {
            m.view = m.view.next();
            m.selected = 0;
            return Effect::LoadQueue;
        }
        Action::Refresh => return Effect::LoadQueue,
        _ => {}
    }
    Effect::None
}

/// One key binding: the keys, what it does, and the action.
#[derive(Debug, Clone)]
pub struct Binding {
    pub keys: &'static str,
    pub help: &'static str,
    pub action: Action,
}

/// The queue screen's keymap (it feeds the hint bar too).
pub fn queue_keys() -> Vec<Binding> {
    vec![
        Binding {
            keys: "j/k",
            help: "move",
            action: Action::Down,
        },
        Binding {
            keys: "Enter",
            help: "open",
            action: Action::Open,
        },
        Binding {
            keys: "/",
            help: "filter",
            action: Action::StartFilter,
        },
        Binding {
            keys: "v",
            help: "view",
            action: Action::NextView,
        },
        Binding {
            keys: "g/G",
            help: "ends",
            action: Action::Top,
        },
        Binding {
            keys: "r",
            help: "refresh",
            action: Action::Refresh,
        },
        Binding {
            keys: "q",
            help: "quit",
            action: Action::Quit,
        },
    ]
}

/// The case screen's keymap.
pub fn case_keys() -> Vec<Binding> {
    vec![
        Binding {
            keys: "Tab/1-9",
            help: "section",
            action: Action::NextSection,
        },
        Binding {
            keys: "j/k",
            help: "scroll",
            action: Action::Down,
        },
        Binding {
            keys: "r",
            help: "reload",
            action: Action::Refresh,
        },
        Binding {
            keys: "Esc",
            help: "back",
            action: Action::Back,
        },
    ]
}

/// Map a key press to an action on the current screen.
pub fn action_for(m: &Model, key: ratatui::crossterm::event::KeyEvent) -> Option<Action> {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    if m.filtering && matches!(m.screen, Screen::Queue) {
        return match key.code {
            KeyCode::Enter => Some(Action::FilterDone),
            KeyCode::Esc => Some(Action::FilterCancel),
            KeyCode::Backspace => Some(Action::FilterBackspace),
            KeyCode::Up => Some(Action::Up),
            KeyCode::Down => Some(Action::Down),
            KeyCode::Char(c) if !ctrl => Some(Action::FilterInput(c)),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Char('d') if ctrl => Action::PageDown,
        KeyCode::Char('u') if ctrl => Action::PageUp,
        KeyCode::Char('j') | KeyCode::Down => Action::Down,
        KeyCode::Char('k') | KeyCode::Up => Action::Up,
        KeyCode::Char('g') | KeyCode::Home => Action::Top,
        KeyCode::Char('G') | KeyCode::End => Action::Bottom,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::Enter => Action::Open,
        KeyCode::Esc => Action::Back,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char('/') => Action::StartFilter,
        KeyCode::Char('v') => Action::NextView,
        KeyCode::Char('r') => Action::Refresh,
        KeyCode::Tab => Action::NextSection,
        KeyCode::BackTab => Action::PrevSection,
        KeyCode::Char(c @ '1'..='9') => Action::Section(c as usize - '1' as usize),
        _ => return None,
    })
}
