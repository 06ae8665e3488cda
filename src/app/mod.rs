//! The console's state and its update function: no drawing, no SQLite.
//!
//! `update(model, action)` changes the model and returns the effect the
//! runtime must carry out (load a case, reload the queue, quit). Keys map to
//! actions through the keymap (`keymap.rs`), which also feeds the hint bar
//! and the help. Store calls run on the worker (`worker.rs`).

pub mod dialog;
pub mod drafts;
pub mod keymap;
pub use crate::store::table as queue;
pub mod worker;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use crate::domain::case::{Actor, Outcome};
use crate::domain::procedure::Role;
use crate::i18n::{Lang, t, tf};
use crate::store::audit::AuditRow;
use crate::store::cases::Loaded;
use keymap::{Context, Key, Keymap};

pub use crate::domain::text::fold;

/// How far the console's clock runs ahead of (or behind) the real one.
static CLOCK_OFFSET: std::sync::OnceLock<chrono::TimeDelta> = std::sync::OnceLock::new();

/// Set the console's clock once, at start. Debug builds take `KEZEK_NOW`
/// (RFC 3339), as `kezek case` does: the clock starts at that moment and
/// runs on from it, so that tests act on a case on a chosen day and office
/// hour; never with raised privileges. Release builds keep the real time.
pub fn start_clock() -> Result<(), crate::cli::Failure> {
    #[cfg(debug_assertions)]
    if let Some(s) = crate::privilege::env_var_os("KEZEK_NOW").and_then(|s| s.into_string().ok())
        && !s.is_empty()
    {
        let start = crate::cli::parse_now(Some(&s))?;
        let _ = CLOCK_OFFSET.set(start - Utc::now());
    }
    Ok(())
}

/// The console's clock: the real time unless `start_clock` moved it.
pub fn now() -> DateTime<Utc> {
    Utc::now() + CLOCK_OFFSET.get().copied().unwrap_or_default()
}

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

/// The sections of the case screen, in order, by catalogue key.
pub const SECTIONS: &[&str] = &[
    "section.summary",
    "section.applicant",
    "section.documents",
    "section.checklist",
    "section.timeline",
    "section.hearing",
    "section.decision",
    "section.notes",
    "section.history",
];

/// Deliberate abbreviations of the section names for narrow tab bars.
pub const SECTIONS_SHORT: &[&str] = &[
    "section-short.summary",
    "section-short.applicant",
    "section-short.documents",
    "section-short.checklist",
    "section-short.timeline",
    "section-short.hearing",
    "section-short.decision",
    "section-short.notes",
    "section-short.history",
];

/// The index of the checklist and the notes sections.
pub const CHECKLIST: usize = 3;
pub const NOTES: usize = 7;

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
    /// Show each open deadline's day-by-day explanation.
    pub explain: bool,
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
            explain: false,
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
        note: String,
    },
    AddNote {
        number: String,
        seen: i64,
        text: String,
    },
    Assign {
        number: String,
        /// The version read, or None from the queue (the worker reads it).
        seen: Option<i64>,
        to: String,
    },
    Notice {
        number: String,
        seen: i64,
        input: crate::domain::case::NoticeInput,
    },
    Hearing {
        number: String,
        seen: i64,
        held_at: DateTime<Utc>,
        position: String,
        continue_review: bool,
    },
    Decide {
        number: String,
        seen: i64,
        kind: crate::domain::case::DecisionKind,
    },
    RefuseToAccept {
        number: String,
        seen: i64,
    },
    Annul {
        number: String,
        seen: i64,
        grounds: Vec<String>,
    },
    Duplicate {
        number: String,
        seen: i64,
        reason: crate::domain::case::DuplicateReason,
    },
    Approve {
        number: String,
        seen: i64,
    },
    Return {
        number: String,
        seen: i64,
        comment: String,
    },
    Accept {
        number: String,
        seen: i64,
        late: Option<crate::domain::case::LateException>,
    },
    CompleteStage {
        number: String,
        seen: i64,
        stage: String,
        note: String,
    },
}

impl Change {
    pub fn number(&self) -> &str {
        match self {
            Change::RecordCheck { number, .. }
            | Change::AddNote { number, .. }
            | Change::Assign { number, .. }
            | Change::Notice { number, .. }
            | Change::Hearing { number, .. }
            | Change::Decide { number, .. }
            | Change::RefuseToAccept { number, .. }
            | Change::Annul { number, .. }
            | Change::Duplicate { number, .. }
            | Change::Approve { number, .. }
            | Change::Return { number, .. }
            | Change::Accept { number, .. }
            | Change::CompleteStage { number, .. } => number,
        }
    }
}

/// The commands of the `:` line: name and the catalogue key of its usage.
pub const COMMANDS: &[(&str, &str)] = &[
    ("open", "usage.open"),
    ("assign", "usage.assign"),
    ("export", "usage.export"),
    ("theme", "usage.theme"),
    ("q", "usage.quit"),
];

#[derive(Debug, Clone)]
pub enum Screen {
    Queue,
    Case(Box<CaseView>),
    /// The supervisor's desk: the unit's figures and the approval queue.
    Desk(Box<DeskView>),
}

/// The desk's figures (None until the worker has counted them) and the
/// selected case of the approval queue.
#[derive(Debug, Clone, Default)]
pub struct DeskView {
    pub figures: Option<crate::report::DailyFigures>,
    pub cursor: usize,
}

/// A one-line prompt at the bottom: the `:` command line, or the note of a
/// checklist mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    Command(String),
    CheckNote { outcome: Outcome, text: String },
}

impl Prompt {
    fn text_mut(&mut self) -> &mut String {
        match self {
            Prompt::Command(s) | Prompt::CheckNote { text: s, .. } => s,
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

/// Everything the console shows.
#[derive(Debug, Clone)]
pub struct Model {
    pub me: Actor,
    pub lang: Lang,
    pub keys: Arc<Keymap>,
    pub now: DateTime<Utc>,
    /// Every case of the view, in urgency order.
    pub rows: queue::Queue,
    /// The matches (row indices, ascending) of each filter typed so far,
    /// with the folded needles they were found for: a filter that extends
    /// the last one looks only at its rows, and Backspace finds the shorter
    /// filter's matches here instead of searching again.
    matched: Vec<(String, String, Vec<u32>)>,
    /// Row orders by column, computed when first asked for.
    orders: HashMap<queue::SortKey, Vec<u32>>,
    /// Indices into `rows` that pass the filter, in the chosen order.
    pub visible: Vec<usize>,
    pub selected: usize,
    pub filter: String,
    pub filtering: bool,
    pub view: View,
    /// Only this procedure's cases (None: every procedure).
    pub procedure: Option<String>,
    /// The procedures `P` cycles through (set by the runtime from the rules).
    pub procedures: Vec<String>,
    pub screen: Screen,
    pub status: String,
    /// The number of rows the last drawn table could show (for page moves).
    pub page: usize,
    /// Unsaved notes by case number: they survive Esc and reopening.
    pub drafts: HashMap<String, Vec<String>>,
    /// The ids of the open case's checklist items (set by the runtime).
    pub check_ids: Vec<String>,
    pub prompt: Option<Prompt>,
    /// The help overlay and its search text.
    pub help: Option<String>,
    /// Cases marked with space for bulk actions.
    pub marked: std::collections::BTreeSet<String>,
    pub sort: Sort,
    /// The queue is still loading beyond its first screen.
    pub loading: bool,
    /// Header counts and the minute they were counted for.
    counts: Option<(i64, Counts)>,
    /// Counts the database gave for the whole view while its rows are
    /// still loading: the header is complete before the table is.
    pub counted: Option<(i64, Counts)>,
    /// The open dialog of the case screen.
    pub dialog: Option<dialog::Dialog>,
    /// Dialogs closed with Esc, by case and kind: reopening restores them.
    pub dialog_drafts: HashMap<(String, DialogKind), dialog::Dialog>,
    /// Forms read back from the database, opened when the user asks.
    pub stored_dialogs: HashMap<(String, DialogKind), serde_json::Value>,
    /// A dialog to open once this case is on screen (accepting from the queue).
    pub pending_dialog: Option<(String, DialogKind)>,
    /// Notes typed for a check mark and not recorded, by case and check.
    pub check_note_drafts: HashMap<(String, String), (Outcome, String)>,
    /// A change was saved while the queue was not on screen: read it again
    /// when it comes back.
    pub queue_stale: bool,
    /// Where the change just handed to the runtime came from, so that a
    /// refusal can give the form or text back exactly as it was.
    pub sent: Option<Sent>,
    /// Calendar and rules for the dialogs' proposals and checks.
    pub world: Option<Arc<dialog::World>>,
}

/// The origin of a change on its way to the store.
#[derive(Debug, Clone, Default)]
pub struct Sent {
    pub dialog: Option<Box<dialog::Dialog>>,
    /// A check mark's note: (case, check, outcome, text).
    pub check_note: Option<(String, String, Outcome, String)>,
}

impl Sent {
    /// The drafts (case, kind) this change was typed in.
    pub fn drafts(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(d) = &self.dialog {
            out.push((d.number.clone(), format!("dialog:{}", d.kind.id())));
        }
        if let Some((number, check, _, _)) = &self.check_note {
            out.push((number.clone(), format!("check-note:{check}")));
        }
        out
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

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Ctrl-C: leave kezek from any screen.
    Exit,
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
    NextProcedure,
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
    /// Record it with a note typed on the prompt line.
    MarkWithNote(Outcome),
    /// Open the note editor.
    EditNote,
    /// A key typed into the note editor.
    EditorKey(KeyEvent),
    EditorSave,
    /// Close the editor; the text stays as a draft.
    EditorClose,
    StartCommand,
    PromptInput(char),
    PromptBackspace,
    PromptComplete,
    PromptRun,
    PromptCancel,
    Help,
    HelpInput(char),
    HelpBackspace,
    HelpClose,
    /// Show or hide the deadlines' explanations on the timeline.
    ToggleExplain,
    /// Open a decision, hearing or approval dialog.
    StartDialog(DialogKind),
    /// From the queue: open the selected received case at its acceptance.
    AcceptSelected,
    /// A key typed into the open dialog.
    DialogKey(KeyEvent),
    /// The supervisor's desk.
    Desk,
}

/// The dialogs of the case screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DialogKind {
    Decide,
    Hearing,
    Approve,
    /// Complete the current stage.
    Stage,
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
    /// Count the supervisor's desk.
    LoadDesk,
}

impl Model {
    pub fn new(me: Actor, now: DateTime<Utc>) -> Model {
        Model {
            me,
            lang: Lang::En,
            keys: Arc::new(Keymap::built_in()),
            now,
            rows: queue::Queue::default(),
            matched: Vec::new(),
            orders: HashMap::new(),
            visible: Vec::new(),
            selected: 0,
            filter: String::new(),
            filtering: false,
            view: View::All,
            procedure: None,
            procedures: Vec::new(),
            screen: Screen::Queue,
            status: String::new(),
            page: 10,
            drafts: HashMap::new(),
            check_ids: Vec::new(),
            prompt: None,
            help: None,
            marked: Default::default(),
            sort: Sort::Urgency,
            loading: false,
            counts: None,
            counted: None,
            dialog: None,
            dialog_drafts: HashMap::new(),
            stored_dialogs: HashMap::new(),
            pending_dialog: None,
            check_note_drafts: HashMap::new(),
            sent: None,
            queue_stale: false,
            world: None,
        }
    }

    /// A text of the catalogue in the interface language.
    pub fn t(&self, key: &'static str) -> &'static str {
        t(self.lang, key)
    }

    /// Replace the queue's rows, keeping the selection on the same case.
    pub fn set_rows(&mut self, rows: queue::Queue) {
        let keep = self.selected_row().map(|r| r.number().to_string());
        self.rows = rows;
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

    pub fn selected_row(&self) -> Option<queue::Row<'_>> {
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
            Sort::Number => Some(queue::SortKey::Number),
            Sort::Applicant => Some(queue::SortKey::Applicant),
            Sort::Procedure => Some(queue::SortKey::Procedure),
            Sort::Assignee => Some(queue::SortKey::Assignee),
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
        if self.selected >= self.visible.len() {
            self.selected = self.visible.len().saturating_sub(1);
        }
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

    /// The keymap context of the current screen.
    pub fn context(&self) -> Context {
        match &self.screen {
            Screen::Queue | Screen::Desk(_) => Context::Queue,
            Screen::Case(v) if v.section == CHECKLIST => Context::Checklist,
            Screen::Case(_) => Context::Case,
        }
    }

    fn refused_to_auditor(&mut self) -> bool {
        if self.me.role == Role::Auditor {
            self.status = self.t("status.auditor").to_string();
            return true;
        }
        false
    }
}

/// Apply an action.
pub fn update(m: &mut Model, action: Action) -> Effect {
    // Ctrl-C leaves kezek from anywhere; what was typed stays as drafts.
    if action == Action::Exit {
        return Effect::Quit;
    }
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
    if m.prompt.is_some() {
        return update_prompt(m, action);
    }
    match action {
        Action::StartCommand => {
            m.prompt = Some(Prompt::Command(String::new()));
            return Effect::None;
        }
        Action::Help => {
            m.help = Some(String::new());
            return Effect::None;
        }
        _ => {}
    }
    if matches!(m.screen, Screen::Case(_)) {
        return update_case(m, action);
    }
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
        Action::NextSort => {
            m.sort = m.sort.next();
            m.apply_filter();
            m.status = tf(m.lang, "status.sorted", &[("by", &m.t(m.sort.label_key()))]);
        }
        _ => {}
    }
    Effect::None
}

fn update_prompt(m: &mut Model, action: Action) -> Effect {
    let Some(prompt) = m.prompt.as_mut() else {
        return Effect::None;
    };
    match action {
        Action::PromptInput(c) => prompt.text_mut().push(c),
        Action::PromptBackspace => {
            prompt.text_mut().pop();
        }
        Action::PromptComplete => {
            if let Prompt::Command(cmd) = prompt {
                let word = cmd.trim_start().to_string();
                let matches: Vec<&str> = COMMANDS
                    .iter()
                    .map(|(n, _)| *n)
                    .filter(|n| n.starts_with(word.as_str()))
                    .collect();
                match matches.as_slice() {
                    [one] => *cmd = format!("{one} "),
                    [] => m.status = tf(m.lang, "status.no-command-starts", &[("word", &word)]),
                    many => m.status = many.join("  "),
                }
            }
        }
        Action::PromptCancel | Action::Back => {
            if let Some(Prompt::CheckNote { outcome, text }) = m.prompt.take()
                && !text.trim().is_empty()
                && let Screen::Case(view) = &m.screen
                && let Some(check) = m.check_ids.get(view.cursor)
            {
                m.check_note_drafts.insert(
                    (view.loaded.case.number.clone(), check.clone()),
                    (outcome, text),
                );
                m.status = m.t("status.draft-kept").to_string();
            }
        }
        Action::PromptRun => {
            let Some(prompt) = m.prompt.take() else {
                return Effect::None;
            };
            return match prompt {
                Prompt::Command(line) => run_command(m, line.trim()),
                Prompt::CheckNote { outcome, text } => record_mark(m, outcome, text.trim()),
            };
        }
        _ => {}
    }
    Effect::None
}

fn record_mark(m: &mut Model, outcome: Outcome, note: &str) -> Effect {
    let Screen::Case(view) = &m.screen else {
        return Effect::None;
    };
    if view.section != CHECKLIST {
        m.status = m.t("status.marks-in-checklist").to_string();
        return Effect::None;
    }
    match m.check_ids.get(view.cursor) {
        Some(check) => {
            let number = view.loaded.case.number.clone();
            let change = Change::RecordCheck {
                number: number.clone(),
                seen: view.loaded.row_version,
                check: check.clone(),
                outcome,
                note: note.to_string(),
            };
            if !note.is_empty() {
                m.check_note_drafts.remove(&(number, check.clone()));
                m.sent = Some(Sent {
                    dialog: None,
                    check_note: Some((
                        view.loaded.case.number.clone(),
                        check.clone(),
                        outcome,
                        note.to_string(),
                    )),
                });
            }
            Effect::Act(change)
        }
        None => Effect::None,
    }
}

/// Open the dialog asked for before the case was loaded, once it is on screen.
pub fn open_pending_dialog(m: &mut Model) {
    let on_screen = match (&m.pending_dialog, &m.screen) {
        (Some((n, _)), Screen::Case(v)) => v.loaded.case.number == *n,
        _ => false,
    };
    if on_screen && let Some((_, kind)) = m.pending_dialog.take() {
        update_case(m, Action::StartDialog(kind));
    }
}

fn update_case(m: &mut Model, action: Action) -> Effect {
    let edits = matches!(
        action,
        Action::EditNote
            | Action::Mark(_)
            | Action::MarkWithNote(_)
            | Action::EditorSave
            | Action::StartDialog(_)
    );
    if edits && m.refused_to_auditor() {
        return Effect::None;
    }
    match action {
        Action::DialogKey(k) => {
            let world = m.world.clone();
            return match dialog::key(m, world.as_deref(), k) {
                Some(change) => Effect::Act(change),
                None => Effect::None,
            };
        }
        Action::StartDialog(kind) => {
            let Screen::Case(view) = &m.screen else {
                return Effect::None;
            };
            let key = (view.loaded.case.number.clone(), kind);
            let seen = view.loaded.row_version;
            if let Some(mut d) = m.dialog_drafts.remove(&key) {
                // A draft typed before a reload is checked again on submit.
                d.seen = seen;
                d.confirm = None;
                m.dialog = Some(d);
                return Effect::None;
            }
            let opened = match m.world.as_deref() {
                Some(w) => dialog::Dialog::open(m, w, kind),
                None => Err(m.t("dialog.no-rules").to_string()),
            };
            match opened {
                Ok(mut d) => {
                    if let Some(body) = m.stored_dialogs.remove(&key) {
                        drafts::restore_dialog(&mut d, &body);
                    }
                    m.dialog = Some(d);
                }
                Err(e) => m.status = e,
            }
            return Effect::None;
        }
        _ => {}
    }
    let n = SECTIONS.len();
    let lang = m.lang;
    let Screen::Case(view) = &mut m.screen else {
        return Effect::None;
    };
    match action {
        Action::Back | Action::Quit => {
            m.screen = Screen::Queue;
            // The queue is read again only when something changed meanwhile.
            if std::mem::take(&mut m.queue_stale) {
                return Effect::LoadQueue;
            }
            return Effect::None;
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
        Action::ToggleExplain => view.explain = !view.explain,
        Action::EditorKey(k) => {
            if let Some(ed) = view.editor.as_mut() {
                ed.input(k);
            }
        }
        Action::EditorClose => {
            if let Some(ed) = view.editor.take() {
                m.drafts
                    .insert(view.loaded.case.number.clone(), ed.lines().to_vec());
                m.status = t(lang, "status.draft-kept").to_string();
            }
        }
        Action::EditorSave => {
            if let Some(ed) = view.editor.as_ref() {
                let text = ed.lines().join("\n");
                m.drafts
                    .insert(view.loaded.case.number.clone(), ed.lines().to_vec());
                if text.trim().is_empty() {
                    m.status = t(lang, "status.empty-note").to_string();
                    return Effect::None;
                }
                return Effect::Act(Change::AddNote {
                    number: view.loaded.case.number.clone(),
                    seen: view.loaded.row_version,
                    text,
                });
            }
        }
        Action::EditNote => {
            let lines = m
                .drafts
                .get(&view.loaded.case.number)
                .cloned()
                .unwrap_or_default();
            let mut ed = TextArea::new(lines);
            // A draft goes on where it ended.
            ed.move_cursor(ratatui_textarea::CursorMove::Bottom);
            ed.move_cursor(ratatui_textarea::CursorMove::End);
            ed.set_block(
                ratatui::widgets::Block::bordered().title(format!(" {} ", t(lang, "editor.title"))),
            );
            view.editor = Some(ed);
            view.section = NOTES;
        }
        Action::Mark(outcome) => return record_mark(m, outcome, ""),
        Action::MarkWithNote(outcome) => {
            if view.section != CHECKLIST {
                m.status = t(lang, "status.marks-in-checklist").to_string();
                return Effect::None;
            }
            let text = m
                .check_ids
                .get(view.cursor)
                .and_then(|check| {
                    m.check_note_drafts
                        .remove(&(view.loaded.case.number.clone(), check.clone()))
                })
                .map(|(_, text)| text)
                .unwrap_or_default();
            m.prompt = Some(Prompt::CheckNote { outcome, text });
        }
        Action::Down if view.section == CHECKLIST => {
            view.cursor = (view.cursor + 1).min(m.check_ids.len().saturating_sub(1));
        }
        Action::Up if view.section == CHECKLIST => {
            view.cursor = view.cursor.saturating_sub(1);
        }
        Action::Down => view.scroll = view.scroll.saturating_add(1),
        Action::Up => view.scroll = view.scroll.saturating_sub(1),
        Action::PageDown => view.scroll = view.scroll.saturating_add(10),
        Action::PageUp => view.scroll = view.scroll.saturating_sub(10),
        Action::Top => {
            view.scroll = 0;
            view.cursor = 0;
        }
        Action::Refresh => return Effect::LoadCase(view.loaded.case.number.clone()),
        _ => {}
    }
    Effect::None
}

/// The case a command acts on: the open one, else the selected queue row.
fn target(m: &Model) -> Option<(String, Option<i64>)> {
    match &m.screen {
        Screen::Case(v) => Some((v.loaded.case.number.clone(), Some(v.loaded.row_version))),
        Screen::Queue => m.selected_row().map(|r| (r.number().to_string(), None)),
        Screen::Desk(d) => d
            .figures
            .as_ref()
            .and_then(|f| f.approval_queue.get(d.cursor))
            .map(|a| (a.number.clone(), None)),
    }
}

fn run_command(m: &mut Model, line: &str) -> Effect {
    let mut words = line.split_whitespace();
    let name = words.next().unwrap_or("");
    let arg = words.next();
    let edits = matches!(name, "assign");
    if edits && m.refused_to_auditor() {
        return Effect::None;
    }
    match (name, arg) {
        ("q" | "quit", _) => Effect::Quit,
        ("open", Some(n)) => Effect::LoadCase(n.to_string()),
        ("theme", Some(t)) => Effect::SetTheme(t.to_string()),
        ("export", Some(f @ ("csv" | "json"))) => Effect::Export(f.to_string()),
        ("assign", Some(login)) if !m.marked.is_empty() && matches!(m.screen, Screen::Queue) => {
            Effect::AssignMany(m.marked.iter().cloned().collect(), login.to_string())
        }
        ("assign", Some(login)) => match target(m) {
            Some((number, seen)) => Effect::Act(Change::Assign {
                number,
                seen,
                to: login.to_string(),
            }),
            None => {
                m.status = m.t("status.no-case-selected").to_string();
                Effect::None
            }
        },
        ("", _) => Effect::None,
        (other, _) => {
            m.status = match COMMANDS.iter().find(|(n, _)| *n == other) {
                Some((_, usage)) => tf(m.lang, "status.usage", &[("usage", &m.t(usage))]),
                None => tf(m.lang, "status.unknown-command", &[("name", &other)]),
            };
            Effect::None
        }
    }
}

/// A line of the hint bar: the catalogue key of its label and the commands
/// whose first keys it shows.
pub type Hint = (&'static str, &'static [keymap::Cmd]);

/// The hint bar of a context, most used first; keys come from the keymap.
pub fn hints(ctx: Context, role: Role) -> Vec<Hint> {
    use keymap::Cmd;
    let mut out: Vec<Hint> = match ctx {
        Context::Queue => vec![
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
        ],
        Context::Case | Context::Checklist => vec![
            ("hint.section", &[Cmd::NextSection]),
            ("hint.move", &[Cmd::Down, Cmd::Up]),
        ],
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

/// Esc followed at once by a letter arrives as one read, which the
/// terminal parser takes for Alt and the letter (over SSH a quick typist
/// produces it all the time). Unless the keymap binds that Alt key here,
/// it is given back as the two keys the person typed.
pub fn split_alt(m: &Model, key: KeyEvent) -> Option<[KeyEvent; 2]> {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    // The note editor and a form's text area have Alt keys of their own
    // (word moves and deletes).
    let text_area = matches!(&m.screen, Screen::Case(v) if v.editor.is_some())
        || m.dialog.as_ref().is_some_and(|d| {
            d.confirm.is_none()
                && matches!(
                    d.fields.get(d.focus).map(|f| &f.input),
                    Some(dialog::Input::Area(_))
                )
        });
    if text_area {
        return None;
    }
    let KeyCode::Char(c) = key.code else {
        return None;
    };
    let alt_only =
        key.modifiers.contains(KeyModifiers::ALT) && !key.modifiers.contains(KeyModifiers::CONTROL);
    if !alt_only || m.keys.lookup(m.context(), Key::of(key)).is_some() {
        return None;
    }
    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    let rest = key.modifiers.difference(KeyModifiers::ALT);
    Some([esc, KeyEvent::new(KeyCode::Char(c), rest)])
}

/// Map a key press to an action on the current screen.
pub fn action_for(m: &Model, key: KeyEvent) -> Option<Action> {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return Some(Action::Exit);
    }
    if m.help.is_some() {
        return match key.code {
            KeyCode::Esc | KeyCode::Enter => Some(Action::HelpClose),
            KeyCode::Backspace => Some(Action::HelpBackspace),
            KeyCode::Char(c) if !ctrl => Some(Action::HelpInput(c)),
            _ => None,
        };
    }
    if m.prompt.is_some() {
        return match key.code {
            KeyCode::Esc => Some(Action::PromptCancel),
            KeyCode::Enter => Some(Action::PromptRun),
            KeyCode::Tab => Some(Action::PromptComplete),
            KeyCode::Backspace => Some(Action::PromptBackspace),
            KeyCode::Char(c) if !ctrl => Some(Action::PromptInput(c)),
            _ => None,
        };
    }
    if m.dialog.is_some() {
        return Some(Action::DialogKey(key));
    }
    if let Screen::Case(view) = &m.screen
        && view.editor.is_some()
    {
        return Some(match key.code {
            KeyCode::Esc => Action::EditorClose,
            KeyCode::Char('s') if ctrl => Action::EditorSave,
            _ => Action::EditorKey(key),
        });
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
    let k = Key::of(key);
    let cmd = match m.context() {
        Context::Checklist => m
            .keys
            .lookup(Context::Checklist, k)
            .or_else(|| m.keys.lookup(Context::Case, k)),
        ctx => m.keys.lookup(ctx, k),
    };
    cmd.map(|c| c.action())
}
