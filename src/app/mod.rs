//! The console's state and its update function: no drawing, no SQLite.
//!
//! `update(model, action)` changes the model and returns the effect the
//! runtime must carry out (load a case, reload the queue, quit). Keys map to
//! actions through one keymap per screen, which also feeds the hint bar.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use crate::domain::case::{Actor, Outcome};
use crate::domain::procedure::Role;
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
    /// The checklist item under the cursor.
    pub cursor: usize,
    /// The note being written, if the editor is open.
    pub editor: Option<TextArea<'static>>,
    /// What kezek computed for the computed checks, by check id.
    pub evidence: Vec<(String, crate::domain::checks::Computation)>,
}

impl CaseView {
    pub fn new(loaded: Loaded, history: Vec<AuditRow>) -> CaseView {
        CaseView {
            loaded,
            history,
            section: 0,
            scroll: 0,
            cursor: 0,
            editor: None,
            evidence: Vec::new(),
        }
    }
}

/// A change the runtime asks the store to make, based on the version read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    RecordCheck {
        number: String,
        seen: i64,
        check: String,
        outcome: Outcome,
    },
    AddNote {
        number: String,
        seen: i64,
        text: String,
    },
    Assign {
        number: String,
        seen: i64,
        to: String,
    },
}

/// The commands of the `:` line, for completion and help.
pub const COMMANDS: &[(&str, &str)] = &[
    ("open", ":open CASE-NUMBER  open a case"),
    ("assign", ":assign LOGIN  assign the selected or open case"),
    (
        "export",
        ":export csv|json  export the open cases to a file here",
    ),
    ("theme", ":theme dark|light|high-contrast|monochrome"),
    ("q", ":q  quit"),
];

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
    /// Unsaved notes by case number: they survive Esc and reopening.
    pub drafts: HashMap<String, Vec<String>>,
    /// The ids of the open case's checklist items (set by the runtime).
    pub check_ids: Vec<String>,
    /// The `:` command being typed.
    pub command: Option<String>,
    /// The help overlay and its search text.
    pub help: Option<String>,
    /// Cases marked with space for bulk actions.
    pub marked: std::collections::BTreeSet<String>,
    pub sort: Sort,
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
    pub fn label(self) -> &'static str {
        match self {
            Sort::Urgency => "urgency",
            Sort::Number => "case",
            Sort::Applicant => "applicant",
            Sort::Procedure => "procedure",
            Sort::Assignee => "assignee",
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
    /// Mark or unmark the selected row for a bulk action.
    ToggleMark,
    /// Sort by the next column.
    NextSort,
    /// Record the checklist item under the cursor.
    Mark(Outcome),
    /// Open the note editor.
    EditNote,
    /// A key typed into the note editor.
    EditorKey(KeyEvent),
    EditorSave,
    /// Close the editor; the text stays as a draft.
    EditorClose,
    StartCommand,
    CommandInput(char),
    CommandBackspace,
    CommandComplete,
    CommandRun,
    CommandCancel,
    Help,
    HelpInput(char),
    HelpBackspace,
    HelpClose,
}

/// What the runtime must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    None,
    Quit,
    LoadQueue,
    LoadCase(String),
    Act(Change),
    SetTheme(String),
    /// Assign every marked case.
    AssignMany(Vec<String>, String),
    Export(String),
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
            drafts: HashMap::new(),
            check_ids: Vec::new(),
            command: None,
            help: None,
            marked: Default::default(),
            sort: Sort::Urgency,
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
        let rows = &self.rows;
        match self.sort {
            Sort::Urgency => {}
            Sort::Number => self
                .visible
                .sort_by(|&a, &b| rows[a].number.cmp(&rows[b].number)),
            Sort::Applicant => self
                .visible
                .sort_by_cached_key(|&i| fold(&rows[i].applicant)),
            Sort::Procedure => self
                .visible
                .sort_by(|&a, &b| rows[a].procedure.cmp(&rows[b].procedure)),
            Sort::Assignee => self
                .visible
                .sort_by(|&a, &b| rows[a].assignee.cmp(&rows[b].assignee)),
        }
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
    if m.help.is_some() {
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
        return Effect::None;
    }
    if let Some(cmd) = m.command.as_mut() {
        match action {
            Action::CommandInput(c) => cmd.push(c),
            Action::CommandBackspace => {
                cmd.pop();
            }
            Action::CommandComplete => {
                let word = cmd.trim_start().to_string();
                let matches: Vec<&str> = COMMANDS
                    .iter()
                    .map(|(n, _)| *n)
                    .filter(|n| n.starts_with(word.as_str()))
                    .collect();
                match matches.as_slice() {
                    [one] => *cmd = format!("{one} "),
                    [] => m.status = format!("no command starts with '{word}'"),
                    many => m.status = many.join("  "),
                }
            }
            Action::CommandCancel | Action::Back => m.command = None,
            Action::CommandRun => {
                let line = cmd.trim().to_string();
                m.command = None;
                return run_command(m, &line);
            }
            _ => {}
        }
        return Effect::None;
    }
    match action {
        Action::StartCommand => {
            m.command = Some(String::new());
            return Effect::None;
        }
        Action::Help => {
            m.help = Some(String::new());
            return Effect::None;
        }
        _ => {}
    }
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
            Action::EditorKey(k) => {
                if let Some(ed) = view.editor.as_mut() {
                    ed.input(k);
                }
            }
            Action::EditorClose => {
                if let Some(ed) = view.editor.take() {
                    m.drafts
                        .insert(view.loaded.case.number.clone(), ed.lines().to_vec());
                    m.status = "the note is kept as a draft".into();
                }
            }
            Action::EditorSave => {
                if let Some(ed) = view.editor.as_ref() {
                    let text = ed.lines().join("\n");
                    m.drafts
                        .insert(view.loaded.case.number.clone(), ed.lines().to_vec());
                    if text.trim().is_empty() {
                        m.status = "an empty note is not saved".into();
                        return Effect::None;
                    }
                    return Effect::Act(Change::AddNote {
                        number: view.loaded.case.number.clone(),
                        seen: view.loaded.row_version,
                        text,
                    });
                }
            }
            Action::EditNote | Action::Mark(_) if m.me.role == Role::Auditor => {
                m.status = "auditors read cases; they cannot change them".into();
            }
            Action::EditNote => {
                let lines = m
                    .drafts
                    .get(&view.loaded.case.number)
                    .cloned()
                    .unwrap_or_default();
                let mut ed = TextArea::new(lines);
                ed.set_block(
                    ratatui::widgets::Block::bordered()
                        .title(" note: Ctrl-S saves, Esc keeps a draft "),
                );
                view.editor = Some(ed);
                view.section = SECTIONS
                    .iter()
                    .position(|s| *s == "notes")
                    .unwrap_or(view.section);
            }
            Action::Mark(outcome) => {
                if SECTIONS[view.section] != "checklist" {
                    m.status = "marks apply in the checklist section (4)".into();
                    return Effect::None;
                }
                if let Some(check) = m.check_ids.get(view.cursor) {
                    return Effect::Act(Change::RecordCheck {
                        number: view.loaded.case.number.clone(),
                        seen: view.loaded.row_version,
                        check: check.clone(),
                        outcome,
                    });
                }
            }
            Action::Down if SECTIONS[view.section] == "checklist" => {
                view.cursor = (view.cursor + 1).min(m.check_ids.len().saturating_sub(1));
            }
            Action::Up if SECTIONS[view.section] == "checklist" => {
                view.cursor = view.cursor.saturating_sub(1);
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
        Action::ToggleMark => {
            if let Some(n) = m.selected_row().map(|r| r.number.clone())
                && !m.marked.remove(&n)
            {
                m.marked.insert(n);
            }
            m.selected = (m.selected + 1).min(last);
            m.status = format!("{} marked (:assign LOGIN assigns them)", m.marked.len());
        }
        Action::NextSort => {
            m.sort = m.sort.next();
            m.apply_filter();
            m.status = format!("sorted by {}", m.sort.label());
        }
        _ => {}
    }
    Effect::None
}

/// The case a command acts on: the open one, else the selected queue row.
fn target(m: &Model) -> Option<(String, Option<i64>)> {
    match &m.screen {
        Screen::Case(v) => Some((v.loaded.case.number.clone(), Some(v.loaded.row_version))),
        Screen::Queue => m.selected_row().map(|r| (r.number.clone(), None)),
    }
}

fn run_command(m: &mut Model, line: &str) -> Effect {
    let mut words = line.split_whitespace();
    let name = words.next().unwrap_or("");
    let arg = words.next();
    match (name, arg) {
        ("q" | "quit", _) => Effect::Quit,
        ("open", Some(n)) => Effect::LoadCase(n.to_string()),
        ("theme", Some(t)) => Effect::SetTheme(t.to_string()),
        ("export", Some(f @ ("csv" | "json"))) => Effect::Export(f.to_string()),
        ("assign", Some(login)) if !m.marked.is_empty() && matches!(m.screen, Screen::Queue) => {
            Effect::AssignMany(m.marked.iter().cloned().collect(), login.to_string())
        }
        ("assign", Some(login)) => match target(m) {
            Some((number, Some(seen))) => Effect::Act(Change::Assign {
                number,
                seen,
                to: login.to_string(),
            }),
            Some((number, None)) => Effect::Act(Change::Assign {
                number,
                seen: -1,
                to: login.to_string(),
            }),
            None => {
                m.status = "no case selected".into();
                Effect::None
            }
        },
        ("", _) => Effect::None,
        (other, _) => {
            m.status = match COMMANDS.iter().find(|(n, _)| *n == other) {
                Some((_, usage)) => format!("usage: {usage}"),
                None => format!("unknown command ':{other}' (Tab completes, ? lists them)"),
            };
            Effect::None
        }
    }
}

/// One key binding: the keys, what it does, and the action.
#[derive(Debug, Clone)]
pub struct Binding {
    pub keys: &'static str,
    pub help: &'static str,
    pub action: Action,
}

/// The queue screen's keymap (it feeds the hint bar too), most used first.
pub fn queue_keys() -> Vec<Binding> {
    let b = |keys, help, action| Binding { keys, help, action };
    vec![
        b("Enter", "open", Action::Open),
        b("/", "filter", Action::StartFilter),
        b(":", "command", Action::StartCommand),
        b("?", "help", Action::Help),
        b("q", "quit", Action::Quit),
        b("v", "view", Action::NextView),
        b("j/k", "move", Action::Down),
        b("g/G", "ends", Action::Top),
        b("r", "refresh", Action::Refresh),
    ]
}

/// The case screen's keymap; an auditor gets no editing keys.
pub fn case_keys(role: Role) -> Vec<Binding> {
    let mut keys = vec![
        Binding {
            keys: "Tab/1-9",
            help: "section",
            action: Action::NextSection,
        },
        Binding {
            keys: "j/k",
            help: "move",
            action: Action::Down,
        },
    ];
    if role != Role::Auditor {
        keys.push(Binding {
            keys: "p/f/n/u",
            help: "mark",
            action: Action::Mark(Outcome::Passed),
        });
        keys.push(Binding {
            keys: "a",
            help: "note",
            action: Action::EditNote,
        });
    }
    keys.push(Binding {
        keys: "r",
        help: "reload",
        action: Action::Refresh,
    });
    keys.push(Binding {
        keys: "?",
        help: "help",
        action: Action::Help,
    });
    keys.push(Binding {
        keys: "Esc",
        help: "back",
        action: Action::Back,
    });
    keys
}

/// Map a key press to an action on the current screen.
pub fn action_for(m: &Model, key: ratatui::crossterm::event::KeyEvent) -> Option<Action> {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    if m.help.is_some() {
        return match key.code {
            KeyCode::Esc | KeyCode::Enter => Some(Action::HelpClose),
            KeyCode::Backspace => Some(Action::HelpBackspace),
            KeyCode::Char(c) => Some(Action::HelpInput(c)),
            _ => None,
        };
    }
    if m.command.is_some() {
        return match key.code {
            KeyCode::Esc => Some(Action::CommandCancel),
            KeyCode::Enter => Some(Action::CommandRun),
            KeyCode::Tab => Some(Action::CommandComplete),
            KeyCode::Backspace => Some(Action::CommandBackspace),
            KeyCode::Char(c) => Some(Action::CommandInput(c)),
            _ => None,
        };
    }
    if let Screen::Case(view) = &m.screen {
        if view.editor.is_some() {
            return Some(match key.code {
                KeyCode::Esc => Action::EditorClose,
                KeyCode::Char('s') if ctrl => Action::EditorSave,
                _ => Action::EditorKey(key),
            });
        }
        let on_checklist = SECTIONS[view.section] == "checklist";
        match key.code {
            KeyCode::Char('p') if on_checklist => return Some(Action::Mark(Outcome::Passed)),
            KeyCode::Char('f') if on_checklist => return Some(Action::Mark(Outcome::Failed)),
            KeyCode::Char('n') if on_checklist => {
                return Some(Action::Mark(Outcome::NotApplicable));
            }
            KeyCode::Char('u') if on_checklist => return Some(Action::Mark(Outcome::Pending)),
            KeyCode::Char('a') => return Some(Action::EditNote),
            _ => {}
        }
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
        KeyCode::Char(':') => Action::StartCommand,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('v') => Action::NextView,
        KeyCode::Char(' ') => Action::ToggleMark,
        KeyCode::Char('s') | KeyCode::Char('o') => Action::NextSort,
        KeyCode::Char('n') => Action::Down,
        KeyCode::Char('N') => Action::Up,
        KeyCode::Char('r') => Action::Refresh,
        KeyCode::Tab => Action::NextSection,
        KeyCode::BackTab => Action::PrevSection,
        KeyCode::Char(c @ '1'..='9') => Action::Section(c as usize - '1' as usize),
        _ => return None,
    })
}
