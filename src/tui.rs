//! The full-screen console's runtime: terminal, events, the worker's
//! replies, signals, and when to draw.
//!
//! One task on a current-thread tokio runtime waits on four things at once:
//! terminal input, replies from the database worker, a one-second clock
//! tick, and SIGTERM/SIGHUP (a dropped SSH link). A burst of input is taken
//! whole before the next frame, and every frame is wrapped in the
//! synchronized-update escapes so a slow link never shows a half-drawn one.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use ratatui::crossterm::event::{Event, EventStream, KeyEventKind};
use ratatui::crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::app::worker::{self, Opened, Reply, Request};
use crate::app::{self, Effect, Model, Screen, View};
use crate::base::{Failure, Outcome};
use crate::domain::msg::{Localize, Msg};
use crate::i18n::{Lang, tf};
use crate::msg;
use crate::store::cases::QueueFilter;
use crate::ui::{self, Theme, Ui};

/// The UI side of the worker: requests out, and the generation of the
/// newest queue request (older answers are dropped).
pub struct Link {
    tx: std::sync::mpsc::Sender<Request>,
    generation: u64,
    /// The case the user asked to open, until it arrives.
    want: Option<String>,
    /// Where each change sent to the worker came from, oldest first: the
    /// worker answers them in order.
    in_flight: std::collections::VecDeque<app::Sent>,
    /// The drafts as last handed to the worker for storing.
    stored: std::collections::BTreeMap<app::drafts::DraftKey, String>,
    /// The view last asked for, and the view whose whole queue is shown.
    asked: QueueFilter,
    shown: Option<QueueFilter>,
    /// When the queue was last asked for, and a later reload that waits.
    queue_read_at: std::time::Instant,
    refresh_at: Option<std::time::Instant>,
    /// The user's settings as last handed to the worker for storing.
    prefs: std::collections::BTreeMap<String, String>,
}

/// Other sessions' saves reload the whole queue at most this often.
const QUEUE_REFRESH: Duration = Duration::from_secs(5);

impl Link {
    fn send(&self, req: Request) {
        // The worker only stops when this side is dropped.
        let _ = self.tx.send(req);
    }

    /// Hand the worker every draft that changed since the last call.
    pub fn sync_drafts(&mut self, m: &Model) {
        let mut now = app::drafts::snapshot(m);
        // What is on its way to the store stays a draft until it is saved
        // (the worker drops it then) or comes back refused.
        for sent in &self.in_flight {
            for (key, body) in app::drafts::of_sent(sent) {
                now.entry(key).or_insert(body);
            }
        }
        for (key, body) in &now {
            if self.stored.get(key) != Some(body) {
                self.send(Request::Draft {
                    number: key.0.clone(),
                    kind: key.1.clone(),
                    body: Some(body.clone()),
                });
            }
        }
        for key in self.stored.keys() {
            if !now.contains_key(key) {
                self.send(Request::Draft {
                    number: key.0.clone(),
                    kind: key.1.clone(),
                    body: None,
                });
            }
        }
        self.stored = now;
    }

    /// Hand the worker every setting that changed since the last call.
    pub fn sync_prefs(&mut self, m: &Model) {
        let now = app::prefs::snapshot(m);
        if now == self.prefs {
            return;
        }
        let mut changes: Vec<(String, Option<String>)> = now
            .iter()
            .filter(|(k, v)| self.prefs.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), Some(v.clone())))
            .collect();
        changes.extend(
            self.prefs
                .keys()
                .filter(|k| !now.contains_key(*k))
                .map(|k| (k.clone(), None)),
        );
        self.send(Request::Prefs(changes));
        self.prefs = now;
    }

    fn load_queue(&mut self, m: &Model) {
        self.asked = queue_filter(m);
        self.queue_read_at = std::time::Instant::now();
        self.refresh_at = None;
        self.generation += 1;
        self.send(Request::Queue {
            generation: self.generation,
            filter: queue_filter(m),
        });
    }
}

/// The store filter of the model's view.
pub fn queue_filter(m: &Model) -> QueueFilter {
    QueueFilter {
        assignee: (m.view == View::Mine).then(|| m.me.login.clone()),
        unassigned: m.view == View::Unassigned,
        procedure: m.procedure.clone(),
        limit: None,
    }
}

/// Put a freshly loaded case on screen, keeping where the user was; its
/// stored drafts join those in memory.
pub fn show_case(m: &mut Model, link: &mut Link, opened: Opened) {
    let number = opened.view.loaded.case.number.clone();
    for d in &opened.drafts {
        link.stored
            .insert((number.clone(), d.kind.clone()), d.body.clone());
    }
    app::drafts::adopt(m, &number, opened.drafts);
    let mut fresh = opened.view;
    if let Screen::Case(old) = &m.screen
        && old.loaded.case.number == fresh.loaded.case.number
    {
        fresh.section = old.section;
        fresh.cursor = old.cursor.min(opened.check_ids.len().saturating_sub(1));
        fresh.scroll = old.scroll;
        fresh.explain = old.explain;
        fresh.editor = old.editor.clone();
        fresh.search = old.search.clone();
    }
    m.check_ids = opened.check_ids;
    m.screen = Screen::Case(fresh);
    app::open_pending_dialog(m);
}

/// Apply a worker's reply to the model. Returns true when it changed
/// something on screen.
pub fn on_reply(m: &mut Model, link: &mut Link, reply: Reply) -> bool {
    match reply {
        Reply::Queue {
            generation,
            rows,
            complete,
        } => {
            if generation != link.generation {
                return false;
            }
            // A reload of the view on screen keeps the whole queue until
            // the whole new one is there: its first screenful would move
            // the selection to another case.
            let reload = !complete && !m.loading && link.shown == Some(link.asked.clone());
            m.counted = None;
            if reload {
                return false;
            }
            m.set_rows(*rows);
            m.loading = !complete;
            if complete {
                link.shown = Some(link.asked.clone());
            }
        }
        Reply::Counts {
            generation,
            minute,
            counts,
        } => {
            if generation != link.generation {
                return false;
            }
            m.counted = Some((minute, counts));
        }
        Reply::Case(Ok(opened)) => {
            let number = opened.view.loaded.case.number.clone();
            let on_screen = match &m.screen {
                Screen::Case(v) if v.loaded.case.number == number => Some(v.loaded.row_version),
                _ => None,
            };
            if link.want.as_deref() == Some(number.as_str()) {
                link.want = None;
                show_case(m, link, opened);
            } else if let Some(before) = on_screen {
                // A reload: say so when someone else changed the case.
                let l = &opened.view.loaded;
                if l.row_version != before && l.updated_by != m.me.login {
                    m.status = tf(
                        m.lang,
                        "status.changed-elsewhere",
                        &[("case", &number), ("by", &l.updated_by)],
                    );
                }
                show_case(m, link, opened);
            } else {
                // An answer the user no longer waits for.
                return false;
            }
        }
        Reply::Case(Err(e)) => m.status = e,
        Reply::Acted {
            number,
            status,
            saved_note,
            ok,
            fresh,
            undo,
        } => {
            let sent = link.in_flight.pop_front().unwrap_or_default();
            if ok && undo.is_some() {
                m.undo = undo;
            }
            let here = matches!(&m.screen, Screen::Case(v) if v.loaded.case.number == number);
            if here && let Some(opened) = fresh {
                show_case(m, link, opened);
            }
            if let Some(saved) = saved_note {
                note_saved(m, &number, &saved);
            }
            if !ok {
                give_back(m, sent, &status);
            }
            m.status = status;
            if matches!(m.screen, Screen::Queue) {
                link.load_queue(m);
            } else {
                m.queue_stale = true;
            }
        }
        Reply::Bulk(status) => {
            m.status = status;
            m.marked.clear();
            link.load_queue(m);
        }
        Reply::Status(s) => m.status = s,
        Reply::Notices { number, list } => {
            let here = matches!(&m.screen, Screen::Case(v) if v.loaded.case.number == number);
            match list {
                Ok(list) if here => m.notices = Some(app::notices::NoticeView::new(number, list)),
                Ok(_) => return false,
                Err(e) => m.status = e,
            }
        }
        Reply::Resolved { typed, number } => {
            if link.want.as_deref() == Some(typed.as_str()) {
                link.want = Some(number);
            }
            return false;
        }
        Reply::Desk(result) => match (&mut m.screen, result) {
            (Screen::Desk(d), Ok(f)) => {
                d.cursor = d.cursor.min(f.approval_queue.len().saturating_sub(1));
                d.figures = Some(*f);
            }
            (Screen::Desk(_), Err(e)) => m.status = e,
            _ => return false,
        },
        Reply::QueuePatch {
            generation,
            changed,
            rows,
        } => {
            // The queue held is the whole view asked for: only the changed
            // cases' rows are replaced. Otherwise it is read again later.
            let whole = generation == link.generation
                && !m.loading
                && link.shown == Some(link.asked.clone());
            if whole {
                let patched = m.rows.patched(&changed, &rows);
                m.set_rows(patched);
                m.counted = None;
            } else {
                m.queue_stale = true;
            }
            match &m.screen {
                Screen::Queue if whole => {}
                Screen::Queue => {
                    let due = link.queue_read_at + QUEUE_REFRESH;
                    if std::time::Instant::now() >= due {
                        link.load_queue(m);
                    } else {
                        link.refresh_at = Some(due);
                    }
                }
                Screen::Desk(_) => link.send(Request::Desk),
                Screen::Case(v) => {
                    let number = v.loaded.case.number.clone();
                    if changed.contains(&number) {
                        link.send(Request::Case { number });
                    }
                }
            }
        }
        Reply::Changed => match &m.screen {
            // Reading every case again costs most on the largest queues:
            // at most once per QUEUE_REFRESH, the rest waits for the next.
            Screen::Queue => {
                let due = link.queue_read_at + QUEUE_REFRESH;
                if std::time::Instant::now() >= due {
                    link.load_queue(m);
                } else {
                    link.refresh_at = Some(due);
                }
            }
            Screen::Desk(_) => {
                m.queue_stale = true;
                link.send(Request::Desk);
            }
            Screen::Case(v) => {
                m.queue_stale = true;
                let number = v.loaded.case.number.clone();
                link.send(Request::Case { number });
            }
        },
    }
    true
}

/// Sleep until `at` (forever when None: the branch is then switched off).
async fn sleep_until(at: Option<std::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await,
        None => std::future::pending().await,
    }
}

/// A note was saved: its draft goes, and the editor closes unless more was
/// typed while the save was on its way (that text stays in the editor).
fn note_saved(m: &mut Model, number: &str, saved: &str) {
    let rest = |text: &str| -> Option<Vec<String>> {
        let more = text.strip_prefix(saved).unwrap_or(text).trim_start();
        (!more.trim().is_empty()).then(|| more.lines().map(str::to_string).collect())
    };
    match &mut m.screen {
        Screen::Case(v) if v.loaded.case.number == number && v.editor.is_some() => {
            let text = v
                .editor
                .as_ref()
                .map(|e| e.lines().join("\n"))
                .unwrap_or_default();
            match rest(&text) {
                Some(lines) => {
                    let mut ed = ratatui_textarea::TextArea::new(lines.clone());
                    if let Some(b) = v.editor.as_ref().and_then(|e| e.block().cloned()) {
                        ed.set_block(b);
                    }
                    ed.move_cursor(ratatui_textarea::CursorMove::Bottom);
                    ed.move_cursor(ratatui_textarea::CursorMove::End);
                    v.editor = Some(ed);
                    m.drafts.insert(number.to_string(), lines);
                }
                None => {
                    v.editor = None;
                    m.drafts.remove(number);
                }
            }
        }
        _ => {
            let left = m.drafts.get(number).and_then(|l| rest(&l.join("\n")));
            match left {
                Some(lines) => m.drafts.insert(number.to_string(), lines),
                None => m.drafts.remove(number),
            };
        }
    }
}

/// A refused change's form or text, back where the user typed it.
fn give_back(m: &mut Model, sent: app::Sent, why: &str) {
    if let Some(d) = sent.dialog {
        let world = m.world.clone();
        app::dialog::resume(m, world.as_deref(), *d, why.to_string());
    }
    if let Some((number, check, outcome, text)) = sent.check_note {
        // Back on the prompt when that check of that case is under the
        // cursor; otherwise kept as the check's draft on its own case.
        let here = match &m.screen {
            Screen::Case(v) => {
                v.loaded.case.number == number && m.check_ids.get(v.cursor) == Some(&check)
            }
            _ => false,
        };
        if here && m.prompt.is_none() && m.dialog.is_none() {
            m.prompt = Some(app::Prompt::CheckNote { outcome, text });
        } else {
            m.check_note_drafts.insert((number, check), (outcome, text));
        }
    }
}

/// Carry out an update's effect. Returns false to quit.
fn on_effect(
    m: &mut Model,
    link: &mut Link,
    ui: &mut Ui<'_>,
    themes: &std::collections::BTreeMap<String, Theme>,
    effect: Effect,
) -> bool {
    match effect {
        Effect::Quit => return false,
        Effect::LoadQueue => {
            link.want = None;
            link.load_queue(m);
        }
        Effect::LoadCase(number) => {
            link.want = Some(number.clone());
            link.send(Request::Case { number });
        }
        Effect::Act(change) => {
            let sent = m.sent.take().unwrap_or_default();
            let mut typed_in: Vec<String> = sent
                .drafts()
                .into_iter()
                .filter(|(n, _)| n == change.number())
                .map(|(_, kind)| kind)
                .collect();
            if matches!(change, app::Change::AddNote { .. }) {
                typed_in.push("note".to_string());
            }
            link.in_flight.push_back(sent);
            link.send(Request::Act(change, typed_in));
        }
        Effect::AssignMany(numbers, to) => link.send(Request::AssignMany(numbers, to)),
        Effect::Export(format) => link.send(Request::Export(format)),
        Effect::LoadDesk => link.send(Request::Desk),
        Effect::LoadNotices(number) => link.send(Request::Notices { number }),
        Effect::PrintNotice(id, to) => link.send(Request::PrintNotice(id, to)),
        Effect::OpenTyped(typed) => {
            link.want = Some(typed.clone());
            link.send(Request::Open { typed });
        }
        Effect::Undo(u) => {
            // Its reply is an `Acted` like any change's.
            link.in_flight.push_back(app::Sent::default());
            link.send(Request::Undo(u));
        }
        Effect::SetTheme(name) => match themes.get(&name) {
            Some(t) => {
                ui.theme = *t;
                m.status = tf(m.lang, "status.theme", &[("name", &name)]);
                m.theme = Some(name);
            }
            None => {
                let names: Vec<&str> = themes.keys().map(String::as_str).collect();
                m.status = tf(
                    m.lang,
                    "status.no-theme",
                    &[("name", &name), ("themes", &names.join(", "))],
                );
            }
        },
        Effect::None => {}
    }
    true
}

/// A crash log beside the database's data: the path is printed on a panic.
fn install_crash_log(lang: Lang) {
    let dir = directories::ProjectDirs::from("kz", "", "kezek")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(std::env::temp_dir);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Restore the terminal first (ratatui's hook), then write the log.
        previous(info);
        let path = dir.join(format!(
            "kezek-crash-{}.log",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ));
        let _ = std::fs::create_dir_all(&dir);
        let text = format!("{info}\n\n{}\n", std::backtrace::Backtrace::force_capture());
        if std::fs::write(&path, text).is_ok() {
            let said = msg!("error.crashed", path = path.display().to_string());
            eprintln!("kezek: {}", said.text(lang));
        }
    }));
}

/// Open the console on a database.
pub fn run(db: Option<PathBuf>, lang: Lang) -> Result<Outcome, Failure> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(Failure(Msg::key("error.no-tty")));
    }
    app::start_clock()?;
    let (store, _) = crate::base::open_store(db, lang)?;
    let me = store.current_actor()?;
    let mut m = Model::new(me.clone(), app::now());
    m.lang = lang;
    let (keys, problem) = app::keymap::load(lang);
    m.keys = Arc::new(keys);
    if let Some(p) = problem {
        tracing::warn!("{p}");
        m.status = tf(lang, "status.keys-ignored", &[("why", &p)]);
    }
    m.procedures = store
        .rules
        .procedures
        .iter()
        .map(|p| p.id.clone())
        .collect();
    let cal = store.cal.clone();
    let rules = store.rules.clone();
    m.world = Some(Arc::new(app::dialog::World {
        cal: cal.clone(),
        rules: rules.clone(),
    }));
    let themes = crate::ui::theme::load_all()?;
    // The user's settings (view, sort, filters, theme), else the role's
    // default view; logins for completing `:assign`.
    let stored_prefs = match store.prefs(&me.login) {
        Ok(p) => p,
        Err(e) => {
            m.status = tf(lang, "status.prefs-unread", &[("why", &e.msg())]);
            Default::default()
        }
    };
    let skipped = app::prefs::apply(&mut m, &stored_prefs);
    if !skipped.is_empty() {
        m.status = tf(
            lang,
            "status.prefs-skipped",
            &[("what", &crate::domain::text::printable(&skipped.join(", ")))],
        );
    }
    m.logins = store
        .users()
        .map(|u| {
            u.into_iter()
                .filter(|u| u.role != crate::domain::procedure::Role::Auditor)
                .map(|u| u.login)
                .collect()
        })
        .unwrap_or_default();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(msg!("error.runtime", detail = e.msg())))?;
    let (req_tx, req_rx) = std::sync::mpsc::channel();
    let (rep_tx, mut rep_rx) = tokio::sync::mpsc::unbounded_channel();
    let worker = std::thread::Builder::new()
        .name("kezek-db".into())
        .spawn(move || worker::run(store, me, lang, req_rx, |r| rep_tx.send(r).is_ok()))
        .map_err(|e| Failure(msg!("error.worker-start", detail = e.msg())))?;
    let mut link = Link {
        tx: req_tx,
        generation: 0,
        want: None,
        in_flight: Default::default(),
        stored: Default::default(),
        queue_read_at: std::time::Instant::now(),
        refresh_at: None,
        asked: QueueFilter::default(),
        shown: None,
        // What the settings read amount to: only a change is written.
        prefs: app::prefs::snapshot(&m),
    };
    link.load_queue(&m);

    let caps = crate::termcaps::TermEnv::from_process();
    let mut terminal = open_terminal(&caps)
        .map_err(|e| Failure(msg!("error.terminal-setup", detail = e.msg())))?;
    install_crash_log(lang);
    tracing::info!("console opened");
    let mut ui = Ui {
        cal: &cal,
        rules: &rules,
        theme: if caps.depth() == crate::termcaps::Depth::Mono {
            Theme::monochrome()
        } else {
            Theme::from_env()
        },
    };
    // A theme kept from an earlier session, unless the terminal has no
    // colours (or it is gone from the theme files: then it is dropped).
    if let Some(name) = m.theme.clone() {
        match themes.get(&name) {
            Some(t) if caps.depth() != crate::termcaps::Depth::Mono => ui.theme = *t,
            Some(_) => {}
            None => m.theme = None,
        }
    }
    let result = runtime.block_on(event_loop(
        &mut terminal,
        &mut m,
        &mut link,
        &mut ui,
        &themes,
        &mut rep_rx,
    ));
    tracing::info!("console closed");
    // Whatever was typed and not saved is stored before the worker stops.
    link.sync_drafts(&m);
    link.sync_prefs(&m);
    let kept: std::collections::BTreeSet<String> =
        link.stored.keys().map(|(n, _)| n.clone()).collect();
    if m.mouse {
        let _ = set_mouse(false);
    }
    ratatui::restore();
    // The replies are still taken until the worker has stored every draft
    // it was handed: a reply it cannot send would stop it early.
    drop(link);
    let _ = worker.join();
    drop(rep_rx);
    if !kept.is_empty() {
        let list: Vec<String> = kept.into_iter().collect();
        let said = msg!("status.drafts-on-exit", cases = list.join(", "));
        // After a dropped link there is no terminal to tell: not an error.
        let _ = writeln!(std::io::stderr(), "kezek: {}", said.text(lang));
    }
    result
}

/// The console's terminal: output adapted to what the terminal can show.
type Term =
    ratatui::Terminal<ratatui::backend::CrosstermBackend<crate::termcaps::Adapt<std::io::Stdout>>>;

/// Raw mode and the alternate screen, restored on a panic as on exit.
fn open_terminal(caps: &crate::termcaps::TermEnv) -> std::io::Result<Term> {
    use ratatui::crossterm::{execute, terminal};
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Mouse reports off (harmless when they were never on).
        let _ = execute!(
            std::io::stdout(),
            ratatui::crossterm::event::DisableMouseCapture
        );
        ratatui::restore();
        hook(info);
    }));
    terminal::enable_raw_mode()?;
    execute!(std::io::stdout(), terminal::EnterAlternateScreen)?;
    let out = crate::termcaps::Adapt::new(std::io::stdout(), caps.depth(), caps.ascii_only());
    ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(out))
}

/// Draw one frame inside synchronized-update escapes.
/// Returns whether the window is too small to use (keys are then ignored).
/// The case screen's tab row is kept in `tabs` for mouse clicks.
fn frame(
    terminal: &mut Term,
    m: &mut Model,
    ui: &Ui<'_>,
    tabs: &mut Vec<String>,
) -> std::io::Result<bool> {
    m.now = app::now();
    ratatui::crossterm::queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    let done = terminal.draw(|f| ui::draw(f, m, ui))?;
    let small = ui::too_small(done.area.width, done.area.height);
    tabs.clear();
    if m.mouse && matches!(m.screen, Screen::Case(_)) && done.area.height > app::mouse::TABS_ROW {
        let y = app::mouse::TABS_ROW;
        tabs.extend((0..done.area.width).map(|x| done.buffer[(x, y)].symbol().to_string()));
    }
    ratatui::crossterm::queue!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    terminal.backend_mut().flush()?;
    Ok(small)
}

enum KeyOutcome {
    Handled,
    Quit,
}

/// Ctrl-Z: give the terminal back to the shell (cooked mode, the main
/// screen, the cursor, no mouse reports) and stop as any program does on
/// SIGTSTP; on SIGCONT (`fg`) take the terminal again and draw it whole.
/// A process the shell cannot resume (an orphaned process group ignores
/// SIGTSTP) simply carries on.
fn suspend(terminal: &mut Term, mouse: bool) -> std::io::Result<()> {
    use ratatui::crossterm::{cursor, event, execute, terminal as ct};
    let mut out = std::io::stdout();
    if mouse {
        execute!(out, event::DisableMouseCapture)?;
    }
    execute!(out, ct::LeaveAlternateScreen, cursor::Show)?;
    ct::disable_raw_mode()?;
    let stopped = nix::sys::signal::raise(nix::sys::signal::Signal::SIGTSTP);
    ct::enable_raw_mode()?;
    execute!(out, ct::EnterAlternateScreen)?;
    if mouse {
        execute!(out, event::EnableMouseCapture)?;
    }
    redraw_whole(terminal)?;
    stopped.map_err(std::io::Error::from)
}

/// Clear the screen and forget what was drawn, so the next frame is drawn
/// whole (without asking the terminal where its cursor is: the event
/// stream owns the input).
fn redraw_whole(terminal: &mut Term) -> std::io::Result<()> {
    let size = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

/// Turn the terminal's mouse reports on or off.
fn set_mouse(on: bool) -> std::io::Result<()> {
    use ratatui::crossterm::{event, execute};
    if on {
        execute!(std::io::stdout(), event::EnableMouseCapture)
    } else {
        execute!(std::io::stdout(), event::DisableMouseCapture)
    }
}

/// A mouse report as the console's pointer event; two presses on one row
/// within this long are a double click.
const DOUBLE_CLICK: Duration = Duration::from_millis(500);

fn pointer(
    ev: ratatui::crossterm::event::MouseEvent,
    last_click: &mut Option<(u16, std::time::Instant)>,
) -> Option<app::mouse::Pointer> {
    use app::mouse::Pointer;
    use ratatui::crossterm::event::{MouseButton, MouseEventKind};
    match ev.kind {
        MouseEventKind::ScrollUp => Some(Pointer::WheelUp),
        MouseEventKind::ScrollDown => Some(Pointer::WheelDown),
        MouseEventKind::Down(MouseButton::Left) => {
            let now = std::time::Instant::now();
            let double = last_click
                .is_some_and(|(row, at)| row == ev.row && now.duration_since(at) < DOUBLE_CLICK);
            *last_click = if double { None } else { Some((ev.row, now)) };
            Some(if double {
                Pointer::DoubleClick {
                    x: ev.column,
                    y: ev.row,
                }
            } else {
                Pointer::Click {
                    x: ev.column,
                    y: ev.row,
                }
            })
        }
        _ => None,
    }
}

/// One key press, in the order typed. While the window is too small to
/// show what a key would do, only Ctrl-C (quit, drafts kept) is taken.
fn on_key(
    m: &mut Model,
    link: &mut Link,
    ui: &mut Ui<'_>,
    themes: &std::collections::BTreeMap<String, Theme>,
    k: ratatui::crossterm::event::KeyEvent,
    small: bool,
) -> KeyOutcome {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    let ctrl_c = k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c');
    if small && !ctrl_c {
        return KeyOutcome::Handled;
    }
    if let Some([esc, key]) = app::split_alt(m, k) {
        return match on_key(m, link, ui, themes, esc, small) {
            KeyOutcome::Quit => KeyOutcome::Quit,
            KeyOutcome::Handled => on_key(m, link, ui, themes, key, small),
        };
    }
    if let Some(action) = app::action_for(m, k) {
        let effect = app::update(m, action);
        if !on_effect(m, link, ui, themes, effect) {
            return KeyOutcome::Quit;
        }
    }
    KeyOutcome::Handled
}

async fn event_loop(
    terminal: &mut Term,
    m: &mut Model,
    link: &mut Link,
    ui: &mut Ui<'_>,
    themes: &std::collections::BTreeMap<String, Theme>,
    replies: &mut UnboundedReceiver<Reply>,
) -> Result<Outcome, Failure> {
    let io = |e: std::io::Error| Failure(msg!("error.terminal", detail = e.msg()));
    let sig = |e: std::io::Error| Failure(msg!("error.signals", detail = e.msg()));
    let mut term = signal(SignalKind::terminate()).map_err(sig)?;
    let mut hup = signal(SignalKind::hangup()).map_err(sig)?;
    let mut events = EventStream::new();
    // The clock moves deadlines to "overdue" and "today": redraw each second.
    // Tests switch it off to prove that no key waits for it.
    let ticking = std::env::var_os("KEZEK_NO_TICK").is_none();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut cont = signal(SignalKind::from_raw(nix::libc::SIGCONT)).map_err(sig)?;
    let mut dirty = true;
    let mut small = false;
    let mut tabs: Vec<String> = Vec::new();
    let mut mouse_on = false;
    let mut last_click = None;
    loop {
        if m.mouse != mouse_on {
            set_mouse(m.mouse).map_err(io)?;
            mouse_on = m.mouse;
        }
        if dirty {
            small = frame(terminal, m, ui, &mut tabs).map_err(io)?;
            dirty = false;
        }
        tokio::select! {
            ev = events.next() => {
                let Some(ev) = ev else { return Ok(Outcome::Ok) };
                let mut ev = ev.map_err(io)?;
                // Take the whole burst before drawing again, so a held key
                // on a slow link does not queue frames. `poll!` polls with
                // this task's own waker: when the stream has nothing ready,
                // the next key wakes the task at once.
                loop {
                    match ev {
                        Event::Key(k)
                            if k.kind == KeyEventKind::Press
                                && k.code == ratatui::crossterm::event::KeyCode::Char('z')
                                && k.modifiers.contains(
                                    ratatui::crossterm::event::KeyModifiers::CONTROL,
                                ) =>
                        {
                            // What was typed is stored before stopping.
                            link.sync_drafts(m);
                            link.sync_prefs(m);
                            if let Err(e) = suspend(terminal, mouse_on) {
                                tracing::warn!("suspend: {e}");
                            }
                            dirty = true;
                        }
                        Event::Mouse(me) if !small => {
                            if let Some(p) = pointer(me, &mut last_click) {
                                let effect = app::mouse::update(m, p, &tabs);
                                if !on_effect(m, link, ui, themes, effect) {
                                    return Ok(Outcome::Ok);
                                }
                                dirty = true;
                            }
                        }
                        Event::Key(k) if k.kind == KeyEventKind::Press => {
                            match on_key(m, link, ui, themes, k, small) {
                                KeyOutcome::Quit => return Ok(Outcome::Ok),
                                KeyOutcome::Handled => dirty = true,
                            }
                        }
                        Event::Resize(w, h) => {
                            small = ui::too_small(w, h);
                            dirty = true;
                        }
                        _ => {}
                    }
                    match futures::poll!(events.next()) {
                        std::task::Poll::Ready(Some(next)) => ev = next.map_err(io)?,
                        _ => break,
                    }
                }
                link.sync_drafts(m);
                link.sync_prefs(m);
            }
            reply = replies.recv() => {
                let Some(reply) = reply else {
                    return Err(Failure(Msg::key("error.worker-stopped")));
                };
                dirty |= on_reply(m, link, reply);
                while let Ok(r) = replies.try_recv() {
                    dirty |= on_reply(m, link, r);
                }
                link.sync_drafts(m);
            }
            _ = tick.tick(), if ticking => dirty = true,
            _ = cont.recv() => {
                // Continued after a stop from outside (kill -STOP, or the
                // shell's own job control): the screen may hold anything.
                redraw_whole(terminal).map_err(io)?;
                dirty = true;
            }
            _ = sleep_until(link.refresh_at), if link.refresh_at.is_some() => {
                link.refresh_at = None;
                if matches!(m.screen, Screen::Queue) {
                    link.load_queue(m);
                } else {
                    m.queue_stale = true;
                }
            }
            _ = term.recv() => {
                tracing::warn!("stopped by SIGTERM");
                return Ok(Outcome::Ok);
            }
            _ = hup.recv() => {
                tracing::warn!("stopped by SIGHUP");
                return Ok(Outcome::Ok);
            }
        }
    }
}
