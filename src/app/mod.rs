//! The console: one module per screen, each holding that screen's state,
//! its update (what a key does there), its drawing and its keys, the way
//! a component keeps its commands, state and render together:
//!
//! - `queue`: the home screen (view, filter, sort, header counts, table)
//! - `case`: the case screen and its sections; `checklist` and `note`
//!   (the note editor) inside it
//! - `dialog`: the forms of the case screen (hearing notice, hearing,
//!   decision, approval, stage done), one file per form
//! - `desk`: the supervisor's desk
//! - `help`: `?`, from the active keymap
//! - `prompt`: the `:` command line and the note of a checklist mark
//! - `frame`: the header, status line and hint bar around every screen
//!
//! This file holds what they share: the model, the actions and effects,
//! the changes sent to the store, and the dispatch of a key and an action
//! to the screen on top. `update(model, action)` changes the model and
//! returns the effect the runtime must carry out (load a case, reload the
//! queue, quit); no SQLite here (store calls run on the `worker`), and
//! drawing reads the model only.

pub mod case;
pub mod checklist;
pub mod desk;
pub mod dialog;
pub mod drafts;
mod frame;
pub mod help;
pub mod keymap;
pub mod messages;
pub mod mouse;
pub mod note;
pub mod notices;
pub mod prefs;
pub mod prompt;
pub mod queue;
pub mod search;
pub mod undo;
pub mod worker;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::KeyEvent;

use crate::domain::case::{Actor, Outcome};
use crate::domain::procedure::Role;
use crate::i18n::{Lang, t};
use keymap::{Context, Key, Keymap};

pub use case::{CHECKLIST, CaseView, NOTES, SECTIONS, SECTIONS_SHORT, open_pending_dialog};
pub use desk::DeskView;
pub use frame::{Hint, hints};
pub use help::help_entries;
pub use prompt::{COMMANDS, Prompt};
pub use queue::{CountBounds, Counts, DueClass, Sort, View};

pub use crate::domain::text::fold;

/// How far the console's clock runs ahead of (or behind) the real one.
static CLOCK_OFFSET: std::sync::OnceLock<chrono::TimeDelta> = std::sync::OnceLock::new();

/// Set the console's clock once, at start. Debug builds take `KEZEK_NOW`
/// (RFC 3339), as `kezek case` does: the clock starts at that moment and
/// runs on from it, so that tests act on a case on a chosen day and office
/// hour; never with raised privileges. Release builds keep the real time.
pub fn start_clock() -> Result<(), crate::base::Failure> {
    #[cfg(debug_assertions)]
    if let Some(s) = crate::privilege::env_var_os("KEZEK_NOW").and_then(|s| s.into_string().ok())
        && !s.is_empty()
    {
        let start = crate::base::parse_now(Some(&s))?;
        let _ = CLOCK_OFFSET.set(start - Utc::now());
    }
    Ok(())
}

/// The console's clock: the real time unless `start_clock` moved it.
pub fn now() -> DateTime<Utc> {
    Utc::now() + CLOCK_OFFSET.get().copied().unwrap_or_default()
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

#[derive(Debug, Clone)]
pub enum Screen {
    Queue,
    Case(Box<CaseView>),
    /// The supervisor's desk: the unit's figures and the approval queue.
    Desk(Box<DeskView>),
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
    /// The help overlay, its search and scroll.
    pub help: Option<help::HelpView>,
    /// The message log overlay.
    pub log: Option<messages::LogView>,
    /// Every status and error message of the session, with its time.
    pub messages: Vec<(DateTime<Utc>, String)>,
    /// The status text last written to the log.
    logged: String,
    /// The kind of the nearest deadline of cases whose stages are all done,
    /// as the worker computed it, for the queue's STAGE column.
    pub due_kinds: HashMap<String, crate::domain::urgency::DeadlineKind>,
    /// Cases on screen whose deadline kind the queue still needs; the
    /// runtime asks the worker and clears this.
    pub due_wanted: Vec<String>,
    /// Cases already asked about (not asked again until the queue reloads).
    due_asked: std::collections::HashSet<String>,
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
    /// The queue's order runs backwards (`S`).
    pub reverse: bool,
    /// The queue's filters by field (`:filter assignee=… status=…`).
    pub fields: queue::Fields,
    /// The user's saved filters by name (`:save-filter`, `:filters`).
    pub saved_filters: std::collections::BTreeMap<String, String>,
    /// The theme chosen with `:theme` (kept with the user's settings).
    pub theme: Option<String>,
    /// Staff logins, for completing `:assign`.
    pub logins: Vec<String>,
    /// Tab's candidates on the command line, cycled by repeated Tabs.
    pub completion: Option<prompt::Completion>,
    /// The user's last mark or assignment, which `z` (`u` in the queue)
    /// takes back.
    pub undo: Option<undo::Undo>,
    /// The mouse is on (`:mouse on`): wheel and clicks.
    pub mouse: bool,
    /// The notices of the open case (`v`).
    pub notices: Option<notices::NoticeView>,
    /// The first queue row drawn (the table's window).
    pub top: usize,
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
    /// Reverse the queue's order.
    ReverseSort,
    /// Take back the user's last mark or assignment.
    Undo,
    /// Open the command line on `:filter` with the filters in force.
    FieldFilter,
    /// `/` in a case: search the section on show.
    StartSearch,
    /// The next and the previous match of the case's search.
    NextMatch,
    PrevMatch,
    /// The notices issued on the open case.
    Notices,
    /// A key typed while the notices are shown.
    NoticeKey(KeyEvent),
    /// The message log.
    Messages,
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
    /// Open a case by a number as typed (`39`, `rvp-39`, the full number).
    OpenTyped(String),
    /// Take back a mark or an assignment.
    Undo(undo::Undo),
    /// Read the notices issued on a case.
    LoadNotices(String),
    /// Write an issued notice (by id) to a file or send it to `lp`.
    PrintNotice(i64, notices::Print),
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
            log: None,
            messages: Vec::new(),
            logged: String::new(),
            due_kinds: HashMap::new(),
            due_wanted: Vec::new(),
            due_asked: Default::default(),
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
            reverse: false,
            fields: queue::Fields::default(),
            saved_filters: Default::default(),
            theme: None,
            logins: Vec::new(),
            completion: None,
            undo: None,
            mouse: false,
            notices: None,
            top: 0,
        }
    }

    /// A text of the catalogue in the interface language.
    pub fn t(&self, key: &'static str) -> &'static str {
        t(self.lang, key)
    }

    /// The keymap context of the current screen.
    pub fn context(&self) -> Context {
        match &self.screen {
            Screen::Queue | Screen::Desk(_) => Context::Queue,
            Screen::Case(v) if v.section == CHECKLIST => Context::Checklist,
            Screen::Case(_) => Context::Case,
        }
    }

    /// Put the status line in the message log when it says something new.
    pub fn log_status(&mut self) {
        if !self.status.is_empty() && self.status != self.logged {
            self.logged = self.status.clone();
            self.messages.push((self.now, self.status.clone()));
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

/// Apply an action to the screen on top: the help, the prompt, else the
/// screen on show.
pub fn update(m: &mut Model, action: Action) -> Effect {
    // Ctrl-C leaves kezek from anywhere; what was typed stays as drafts.
    if action == Action::Exit {
        return Effect::Quit;
    }
    let effect = dispatch(m, action);
    m.log_status();
    effect
}

fn dispatch(m: &mut Model, action: Action) -> Effect {
    if m.help.is_some() {
        return help::update(m, action);
    }
    if m.log.is_some() {
        return messages::update(m, action);
    }
    if m.prompt.is_some() {
        return prompt::update(m, action);
    }
    if m.notices.is_some() {
        return match action {
            Action::NoticeKey(k) => notices::key(m, k),
            _ => Effect::None,
        };
    }
    match action {
        Action::StartCommand => {
            m.prompt = Some(Prompt::Command(String::new()));
            return Effect::None;
        }
        Action::Help => {
            m.help = Some(help::HelpView::default());
            return Effect::None;
        }
        Action::Messages => {
            m.log_status();
            m.log = Some(messages::LogView::at_end());
            return Effect::None;
        }
        Action::Undo if m.dialog.is_none() => return undo::start(m),
        Action::Notices if m.dialog.is_none() => return notices::start(m),
        _ => {}
    }
    match &m.screen {
        Screen::Case(_) => case::update(m, action),
        Screen::Desk(_) => desk::update(m, action),
        Screen::Queue => queue::update(m, action),
    }
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
    if let Some(h) = &m.help {
        return help::action_for(h, key);
    }
    if m.log.is_some() {
        return messages::action_for(key);
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
    if m.notices.is_some() {
        return Some(Action::NoticeKey(key));
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
    if let Screen::Case(view) = &m.screen
        && view.search.active()
    {
        if view.search.typing {
            return match key.code {
                KeyCode::Enter => Some(Action::FilterDone),
                KeyCode::Esc => Some(Action::FilterCancel),
                KeyCode::Backspace => Some(Action::FilterBackspace),
                KeyCode::Char(c) if !ctrl => Some(Action::FilterInput(c)),
                _ => None,
            };
        }
        // The queue's next/previous keys go between the matches.
        match m.keys.lookup(Context::Queue, Key::of(key)) {
            Some(keymap::Cmd::NextMatch) => return Some(Action::NextMatch),
            Some(keymap::Cmd::PrevMatch) => return Some(Action::PrevMatch),
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
