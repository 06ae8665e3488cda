//! The full-screen console's runtime: terminal, events, refresh.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{self, Event, KeyEventKind};

use crate::app::{self, CaseView, Change, Effect, Model, Screen, View};
use crate::cli::{Failure, Outcome};
use crate::store::Store;
use crate::store::cases::QueueFilter;
use crate::ui::{self, Theme, Ui};

/// How many of the most urgent cases the console keeps in memory.
const QUEUE_WINDOW: u32 = 20_000;

fn load_queue(store: &Store, m: &mut Model) -> Result<(), Failure> {
    let filter = QueueFilter {
        assignee: (m.view == View::Mine).then(|| m.me.login.clone()),
        unassigned: m.view == View::Unassigned,
        procedure: None,
        limit: Some(QUEUE_WINDOW),
    };
    let rows = store.queue(&filter)?;
    m.status = if rows.len() as u32 == QUEUE_WINDOW {
        format!("showing the {QUEUE_WINDOW} most urgent cases")
    } else {
        String::new()
    };
    m.set_rows(rows);
    Ok(())
}

fn load_case(store: &Store, number: &str) -> Result<CaseView, Failure> {
    let mut view = CaseView::new(store.case(number)?, store.audit_of(number)?);
    view.evidence = store.computed_checks(&view.loaded.case, chrono::Utc::now())?;
    Ok(view)
}

/// The checklist ids of a case's rule version, in order.
fn check_ids(store: &Store, view: &CaseView) -> Vec<String> {
    let c = &view.loaded.case;
    store
        .rules
        .procedure(&c.procedure)
        .ok()
        .and_then(|p| p.version(&c.version))
        .map(|v| v.checks.iter().map(|k| k.id.clone()).collect())
        .unwrap_or_default()
}

/// Put a freshly loaded case on screen, keeping where the user was.
fn show_case(store: &Store, m: &mut Model, mut fresh: CaseView) {
    if let Screen::Case(old) = &m.screen
        && old.loaded.case.number == fresh.loaded.case.number
    {
        fresh.section = old.section;
        fresh.cursor = old.cursor;
        fresh.scroll = old.scroll;
    }
    m.check_ids = check_ids(store, &fresh);
    m.screen = Screen::Case(Box::new(fresh));
}

/// Carry out a change; a stale read is refused by the store, named, and
/// the case reloaded, with the user's unsaved text kept as a draft.
fn apply_change(store: &mut Store, m: &mut Model, change: Change) {
    use crate::domain::case as dc;
    use crate::store::StoreError;
    let now = chrono::Utc::now();
    let me = m.me.clone();
    let (number, result) = match change {
        Change::RecordCheck {
            number,
            seen,
            check,
            outcome,
        } => {
            let r = store.act(&me, &number, seen, now, |c, x, _| {
                dc::record_check(c, x, &check, outcome, "")
            });
            (number, r.map(|_| format!("check {check}: {outcome:?}")))
        }
        Change::AddNote { number, seen, text } => {
            let r = store.act(&me, &number, seen, now, |c, x, _| dc::add_note(c, x, &text));
            if r.is_ok() {
                m.drafts.remove(&number);
            }
            (number, r.map(|_| "note saved".to_string()))
        }
        Change::Assign { number, seen, to } => {
            // From the queue the row carries no version: read it now.
            let seen = if seen < 0 {
                match store.case(&number) {
                    Ok(l) => l.row_version,
                    Err(e) => {
                        m.status = format!("not assigned: {e}");
                        return;
                    }
                }
            } else {
                seen
            };
            let r = store.assign(&me, &number, seen, Some(&to), now);
            (number, r.map(|_| format!("assigned to {to}")))
        }
    };
    let editing = matches!(&m.screen, Screen::Case(v) if v.editor.is_some());
    m.status = match result {
        Ok(done) => done,
        Err(StoreError::Stale { by, at, .. }) => format!(
            "not saved: {by} changed this case at {at}; it is reloaded{}",
            if editing {
                " and your text is kept"
            } else {
                ""
            }
        ),
        Err(e) => format!("not saved: {e}"),
    };
    let saved_note = m.status == "note saved";
    if let Ok(mut fresh) = load_case(store, &number) {
        // Keep the editor open with the user's text unless the note was saved.
        if let Screen::Case(old) = &m.screen
            && !saved_note
        {
            fresh.editor = old.editor.clone();
        }
        show_case(store, m, fresh);
    }
}

/// `:assign LOGIN` on the marked cases: each in its own transaction, each
/// with its own audit row; refusals are counted and the first one named.
fn assign_many(store: &mut Store, m: &Model, numbers: &[String], to: &str) -> String {
    let now = chrono::Utc::now();
    let mut done = 0;
    let mut refused: Vec<String> = Vec::new();
    for n in numbers {
        let result = store
            .case(n)
            .and_then(|l| store.assign(&m.me, n, l.row_version, Some(to), now));
        match result {
            Ok(_) => done += 1,
            Err(e) => refused.push(format!("{n}: {e}")),
        }
    }
    match refused.first() {
        None => format!("{done} cases assigned to {to}"),
        Some(first) => format!(
            "{done} assigned to {to}; {} refused, e.g. {first}",
            refused.len()
        ),
    }
}

/// `:export csv|json`: the open cases to a file in the current directory.
fn export_here(store: &Store, format: &str) -> String {
    use crate::store::export::{ExportFilter, ExportFormat, StatusFilter};
    let name = format!(
        "kezek-export-{}.{format}",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    );
    let file = match crate::cli::store_cmds::private_file(std::path::Path::new(&name)) {
        Ok(f) => f,
        Err(e) => return format!("cannot write {name}: {e}"),
    };
    let mut w = std::io::BufWriter::new(file);
    let filter = ExportFilter {
        procedure: None,
        status: StatusFilter::Open,
        from: None,
        to: None,
    };
    let fmt = if format == "json" {
        ExportFormat::Json
    } else {
        ExportFormat::Csv { bom: false }
    };
    match store.export_cases(&mut w, &filter, fmt, false) {
        Ok(n) => format!("{n} open cases written to {name} (IINs masked)"),
        Err(e) => format!("export failed: {e}"),
    }
}

/// A crash log beside the database's data: the path is printed on a panic.
fn install_crash_log() {
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
            eprintln!("kezek crashed; the log is at {}", path.display());
        }
    }));
}

/// Open the console on a database.
pub fn run(db: Option<PathBuf>) -> Result<Outcome, Failure> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(Failure(
            "the console needs a terminal (stdin and stdout are not a TTY); for scripts use kezek queue".into(),
        ));
    }
    let (mut store, _) = crate::cli::store_cmds::open_store(db)?;
    let me = store.current_actor()?;
    let mut m = Model::new(me, chrono::Utc::now());
    load_queue(&store, &mut m)?;
    let theme = Theme::from_env();
    // SIGTERM and SIGHUP (a dropped SSH link) end the loop, which restores the terminal.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(sig, std::sync::Arc::clone(&stop))
            .map_err(|e| Failure(format!("cannot watch signals: {e}")))?;
    }
    let mut terminal =
        ratatui::try_init().map_err(|e| Failure(format!("cannot set up the terminal: {e}")))?;
    install_crash_log();
    tracing::info!("console opened");
    let result = event_loop(&mut terminal, &mut store, &mut m, theme, &stop);
    tracing::info!("console closed");
    ratatui::restore();
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    store: &mut Store,
    m: &mut Model,
    theme: Theme,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<Outcome, Failure> {
    let cal = store.cal.clone();
    let rules = store.rules.clone();
    let mut ui = Ui {
        cal: &cal,
        rules: &rules,
        theme,
    };
    let themes = crate::ui::theme::load_all()?;
    let mut dirty = true;
    let mut last_poll = Instant::now();
    let mut data_version = store.data_version()?;
    loop {
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            tracing::warn!("stopped by a signal");
            return Ok(Outcome::Ok);
        }
        if dirty {
            m.now = chrono::Utc::now();
            terminal
                .draw(|f| ui::draw(f, m, &ui))
                .map_err(|e| Failure(format!("cannot draw: {e}")))?;
            dirty = false;
        }
        // Wait for input, then take every pending event before drawing again,
        // so a held key on a slow link does not queue frames.
        if event::poll(Duration::from_millis(250)).map_err(|e| Failure(e.to_string()))? {
            loop {
                match event::read().map_err(|e| Failure(e.to_string()))? {
                    Event::Key(k) if k.kind == KeyEventKind::Press => {
                        if let Some(action) = app::action_for(m, k) {
                            match app::update(m, action) {
                                Effect::Quit => return Ok(Outcome::Ok),
                                Effect::LoadQueue => load_queue(store, m)?,
                                Effect::LoadCase(n) => match load_case(store, &n) {
                                    Ok(v) => show_case(store, m, v),
                                    Err(e) => m.status = e.0,
                                },
                                Effect::Act(change) => {
                                    let on_queue = matches!(m.screen, Screen::Queue);
                                    apply_change(store, m, change);
                                    if on_queue {
                                        m.screen = Screen::Queue;
                                        load_queue(store, m)?;
                                    }
                                    data_version = store.data_version()?;
                                }
                                Effect::SetTheme(name) => match themes.get(&name) {
                                    Some(t) => {
                                        ui.theme = *t;
                                        m.status = format!("theme {name}");
                                    }
                                    None => {
                                        let names: Vec<&str> =
                                            themes.keys().map(String::as_str).collect();
                                        m.status = format!(
                                            "no theme '{name}' (themes: {})",
                                            names.join(", ")
                                        );
                                    }
                                },
                                Effect::Export(format) => m.status = export_here(store, &format),
                                Effect::AssignMany(numbers, to) => {
                                    m.status = assign_many(store, m, &numbers, &to);
                                    m.marked.clear();
                                    load_queue(store, m)?;
                                    data_version = store.data_version()?;
                                }
                                Effect::None => {}
                            }
                        }
                        dirty = true;
                    }
                    Event::Resize(..) => dirty = true,
                    _ => {}
                }
                if !event::poll(Duration::ZERO).map_err(|e| Failure(e.to_string()))? {
                    break;
                }
            }
        }
        // Changes made in other sessions show within a second.
        if last_poll.elapsed() >= Duration::from_secs(1) {
            last_poll = Instant::now();
            let v = store.data_version()?;
            if v != data_version {
                data_version = v;
                match &m.screen {
                    Screen::Queue => load_queue(store, m)?,
                    Screen::Case(view) => {
                        let number = view.loaded.case.number.clone();
                        let editor = view.editor.clone();
                        let before = view.loaded.row_version;
                        if let Ok(mut fresh) = load_case(store, &number) {
                            if fresh.loaded.row_version != before {
                                m.status = format!(
                                    "case {number} was changed by {} in another session: reloaded",
                                    fresh.loaded.updated_by
                                );
                            }
                            fresh.editor = editor;
                            show_case(store, m, fresh);
                        }
                    }
                }
            }
            // Redraw each second anyway: the clock moves deadlines to "overdue".
            dirty = true;
        }
    }
}
