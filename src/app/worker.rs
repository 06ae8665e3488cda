//! The database worker: a thread that owns the console's connection and
//! runs every store call, so the UI thread never waits on SQLite (a busy
//! lock held by another inspector's save included).
//!
//! Requests arrive on a channel; for queue loads only the newest waiting
//! request runs (filter-as-you-type and view switches make older ones
//! stale). Between requests the worker polls `PRAGMA data_version` once a
//! second and reports changes committed by other sessions.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use chrono::Utc;

use super::{CaseView, Change};
use crate::app::queue::Queue;
use crate::domain::case::Actor;
use crate::i18n::{Lang, say, t, tf};
use crate::store::cases::QueueFilter;
use crate::store::{Store, StoreError};

/// The first screenful is sent before the rest of the queue is read.
pub const FIRST_ROWS: u32 = 200;

#[derive(Debug)]
pub enum Request {
    Queue {
        generation: u64,
        filter: QueueFilter,
    },
    Case {
        number: String,
    },
    /// A change, and the drafts (kinds) it was typed in: they go when it is
    /// saved, before the case is read back.
    Act(Change, Vec<String>),
    /// Keep (`Some`) or drop (`None`) one of the user's drafts.
    Draft {
        number: String,
        kind: String,
        body: Option<String>,
    },
    AssignMany(Vec<String>, String),
    Export(String),
    Desk,
    /// Open a case by a number as typed (`39`, `rvp-39`, the full number).
    Open {
        typed: String,
    },
    /// Take back the user's last mark or assignment.
    Undo(super::undo::Undo),
    /// The notices issued on a case.
    Notices {
        number: String,
    },
    /// Write an issued notice to a file or send it to `lp`.
    PrintNotice(i64, super::notices::Print),
    /// Keep (`Some`) or drop (`None`) some of the user's settings, in one
    /// transaction.
    Prefs(Vec<(String, Option<String>)>),
}

/// A case ready for the screen, with its checklist ids.
#[derive(Debug)]
pub struct Opened {
    pub view: Box<CaseView>,
    pub check_ids: Vec<String>,
    /// The user's drafts on the case, as stored.
    pub drafts: Vec<crate::store::drafts::Draft>,
}

#[derive(Debug)]
pub enum Reply {
    Queue {
        generation: u64,
        rows: Box<Queue>,
        complete: bool,
    },
    /// The view's header counts, ahead of its rows.
    Counts {
        generation: u64,
        minute: i64,
        counts: super::Counts,
    },
    Case(Result<Opened, String>),
    Acted {
        number: String,
        status: String,
        /// The note was saved, with this text: its draft can go.
        saved_note: Option<String>,
        /// The change was recorded (false: refused, its text is given back).
        ok: bool,
        fresh: Option<Opened>,
        /// What `z` would take back now (None: nothing of this change).
        undo: Option<super::undo::Undo>,
    },
    /// The notices issued on a case, oldest first.
    Notices {
        number: String,
        list: Result<Vec<crate::store::notices::IssuedNotice>, String>,
    },
    /// The number typed for `:open` is this case: its `Case` reply follows.
    Resolved {
        typed: String,
        number: String,
    },
    /// A bulk action's summary; the queue should be reloaded.
    Bulk(String),
    Status(String),
    /// Another session committed a change.
    Changed,
    /// Other sessions changed these cases: the view's rows of them, read
    /// again (see `Queue::patched`); a case no longer in the view is gone.
    QueuePatch {
        generation: u64,
        changed: Vec<String>,
        rows: Box<Queue>,
    },
    Desk(Result<Box<crate::report::DailyFigures>, String>),
}

/// Load a case with everything the case screen shows, its computed checks
/// as of `now`.
pub fn open_case(
    store: &Store,
    number: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Opened, StoreError> {
    let mut view = CaseView::new(store.case(number)?, store.audit_of(number)?);
    view.evidence = store.computed_checks(&view.loaded.case, now)?;
    let c = &view.loaded.case;
    let check_ids = store
        .rules
        .version(&c.procedure, &c.version)
        .map(|v| v.checks.iter().map(|k| k.id.clone()).collect())
        .unwrap_or_default();
    Ok(Opened {
        view: Box::new(view),
        check_ids,
        drafts: Vec::new(),
    })
}

/// Count the view in the database and send the header its figures; a
/// failure only means the header waits for the rows.
fn send_counts(
    store: &Store,
    filter: &QueueFilter,
    generation: u64,
    send: &impl Fn(Reply) -> bool,
) -> bool {
    let now = super::now();
    let b = super::CountBounds::at(&store.cal, now);
    let at = |s: Option<i64>| {
        s.and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC)
    };
    let bounds = [
        at(Some(b.now)),
        at(b.tomorrow),
        at(b.soon_from),
        at(b.soon_until),
    ];
    match timed("counts", || store.queue_counts(filter, bounds)) {
        Ok([total, overdue, today, soon]) => send(Reply::Counts {
            generation,
            minute: now.timestamp() / 60,
            counts: super::Counts {
                overdue: overdue as usize,
                today: today as usize,
                soon: soon as usize,
                total: total as usize,
            },
        }),
        Err(e) => {
            tracing::warn!("queue counts: {e}");
            true
        }
    }
}

/// Run a store call and log how long it took (`--log-level debug`), to
/// tell a slow database from a slow screen.
fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = std::time::Instant::now();
    let out = f();
    tracing::debug!("{what}: {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
    out
}

/// [`open_case`] with the user's drafts on it.
pub fn open_for(
    store: &Store,
    login: &str,
    number: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Opened, StoreError> {
    let mut opened = open_case(store, number, now)?;
    opened.drafts = store.drafts(login, number)?;
    Ok(opened)
}

/// Carry out a change and describe the outcome for the status line.
pub fn apply(
    store: &mut Store,
    me: &Actor,
    lang: Lang,
    change: Change,
    now: chrono::DateTime<Utc>,
    templates: Option<&crate::notice::Templates>,
) -> Reply {
    apply_typed(store, me, lang, change, &[], now, templates)
}

/// [`apply`] for a change typed in drafts of the kinds `typed_in`: once the
/// change is saved they go, before the case is read back for the screen.
pub fn apply_typed(
    store: &mut Store,
    me: &Actor,
    lang: Lang,
    change: Change,
    typed_in: &[String],
    now: chrono::DateTime<Utc>,
    templates: Option<&crate::notice::Templates>,
) -> Reply {
    use crate::domain::case as dc;
    let follow_up = documents_after(&change);
    let undo_what = super::undo::before(store, &change);
    let mut made: Option<i64> = None;
    let number = change.number().to_string();
    let mut saved_note = None;
    let result = match change {
        Change::RecordCheck {
            seen,
            check,
            outcome,
            note,
            ..
        } => store
            .act(me, &number, seen, now, |c, x, _| {
                dc::record_check(c, x, &check, outcome, &note)
            })
            .map(|(v, _)| {
                made = Some(v);
                tf(
                    lang,
                    "status.check-recorded",
                    &[
                        ("check", &check),
                        ("outcome", &t(lang, outcome_key(outcome))),
                    ],
                )
            }),
        Change::AddNote { seen, text, .. } => store
            .act(me, &number, seen, now, |c, x, _| dc::add_note(c, x, &text))
            .map(|_| {
                saved_note = Some(text.clone());
                t(lang, "status.note-saved").to_string()
            }),
        Change::Notice { seen, input, .. } => store
            .act(me, &number, seen, now, |c, x, _| {
                dc::send_hearing_notice(c, x, input)
            })
            .map(|_| t(lang, "status.notice-recorded").to_string()),
        Change::Hearing {
            seen,
            held_at,
            position,
            continue_review,
            ..
        } => store
            .act(me, &number, seen, now, |c, x, _| {
                dc::hold_hearing(c, x, held_at, &position, continue_review)
            })
            .map(|_| t(lang, "status.hearing-recorded").to_string()),
        Change::Decide { seen, kind, .. } => store
            .act(me, &number, seen, now, |c, x, _| dc::decide(c, x, kind))
            .map(|_| t(lang, "status.decision-recorded").to_string()),
        Change::RefuseToAccept { seen, .. } => store
            .act(me, &number, seen, now, dc::refuse_to_accept)
            .map(|_| t(lang, "status.decision-recorded").to_string()),
        Change::Annul { seen, grounds, .. } => store
            .act(me, &number, seen, now, |c, x, _| dc::annul(c, x, grounds))
            .map(|_| t(lang, "status.decision-recorded").to_string()),
        Change::Duplicate { seen, reason, .. } => store
            .act(me, &number, seen, now, |c, x, _| {
                dc::issue_duplicate(c, x, reason)
            })
            .map(|_| t(lang, "status.duplicate-recorded").to_string()),
        Change::Approve { seen, .. } => store
            .act(me, &number, seen, now, |c, x, _| dc::approve(c, x))
            .map(|_| t(lang, "status.approved").to_string()),
        Change::Accept { seen, late, .. } => store
            .act(me, &number, seen, now, |c, x, q| {
                dc::accept(c, x, q, late.clone())
            })
            .map(|_| t(lang, "status.accepted").to_string()),
        Change::CompleteStage {
            seen, stage, note, ..
        } => store
            .act(me, &number, seen, now, |c, x, _| {
                let mut events = dc::complete_stage(c, x, &stage, x.now)?;
                if !note.trim().is_empty() {
                    events.extend(dc::add_note(c, x, &note)?);
                }
                Ok(events)
            })
            .map(|_| t(lang, "status.stage-done").to_string()),
        Change::Return { seen, comment, .. } => store
            .act(me, &number, seen, now, |c, x, _| {
                dc::return_decision(c, x, &comment)
            })
            .map(|_| t(lang, "status.returned").to_string()),
        Change::Assign { seen, to, .. } => {
            // From the queue the row carries no version: read it now.
            let seen = match seen {
                Some(v) => Ok(v),
                None => store.case(&number).map(|l| l.row_version),
            };
            seen.and_then(|v| store.assign(me, &number, v, Some(&to), now))
                .map(|v| {
                    made = Some(v);
                    tf(lang, "status.assigned", &[("to", &to)])
                })
        }
    };
    let ok = result.is_ok();
    if ok {
        for kind in typed_in {
            if let Err(e) = store.put_draft(&me.login, &number, kind, None, now) {
                tracing::warn!("draft {kind} of {number} kept after its save: {e}");
            }
        }
    }
    let status = match result {
        Ok(done) => match templates {
            Some(tpl) => issue_documents(store, me, lang, &number, &follow_up, tpl, now)
                .map(|issued| format!("{done} {issued}"))
                .unwrap_or(done),
            None => done,
        },
        // Says who changed what, when, and that nothing was saved.
        Err(e @ StoreError::Stale { .. }) => say(lang, &e),
        Err(e) => tf(lang, "status.not-saved", &[("why", &say(lang, &e))]),
    };
    let undo = match (made, undo_what) {
        (Some(seen), Some(what)) => Some(super::undo::Undo {
            number: number.clone(),
            seen,
            what,
        }),
        _ => None,
    };
    Reply::Acted {
        fresh: open_for(store, &me.login, &number, now).ok(),
        number,
        status,
        saved_note,
        ok,
        undo,
    }
}

/// How many candidates `:open` lists for an ambiguous short number.
const CANDIDATES: usize = 8;

/// `:open TYPED`: the case, or why not (no such case, or the candidates of
/// an ambiguous short number).
pub fn find_case(store: &Store, lang: Lang, typed: &str) -> Result<String, String> {
    let found = store
        .find_cases(typed, CANDIDATES + 1)
        .map_err(|e| say(lang, &e))?;
    match found.as_slice() {
        [] => Err(tf(
            lang,
            "status.no-such-case",
            &[("typed", &crate::domain::text::printable(typed))],
        )),
        [one] => Ok(one.clone()),
        many => {
            let mut list: Vec<&str> = many.iter().take(CANDIDATES).map(String::as_str).collect();
            if many.len() > CANDIDATES {
                list.push("…");
            }
            Err(tf(
                lang,
                "status.ambiguous-case",
                &[
                    ("typed", &crate::domain::text::printable(typed)),
                    ("cases", &list.join(", ")),
                ],
            ))
        }
    }
}

/// The documents a recorded change may produce, in the order they are
/// tried. Those that do not fit the case yet (a refusal notice while the
/// refusal waits for approval) are issued by the change that makes them fit.
fn documents_after(change: &Change) -> Vec<crate::notice::Kind> {
    use crate::notice::Kind;
    match change {
        Change::Notice { .. } => vec![Kind::HearingNotice],
        Change::RefuseToAccept { .. } => vec![Kind::RefusalToAccept],
        Change::Accept { .. } => vec![Kind::Acceptance],
        Change::Decide { .. } => vec![Kind::PrConclusion, Kind::Refusal, Kind::Decision],
        Change::Annul { .. } => vec![Kind::PrConclusion, Kind::Annulment],
        Change::Approve { .. } => vec![Kind::Refusal, Kind::Decision, Kind::Annulment],
        _ => Vec::new(),
    }
}

/// Issue (render and store) the change's documents in Russian and Kazakh;
/// say which were issued, e.g. "Issued: refusal (ru, kk)".
fn issue_documents(
    store: &mut Store,
    me: &Actor,
    lang: Lang,
    number: &str,
    kinds: &[crate::notice::Kind],
    templates: &crate::notice::Templates,
    now: chrono::DateTime<Utc>,
) -> Option<String> {
    let mut issued: Vec<String> = Vec::new();
    for kind in kinds {
        let langs: Vec<&str> = [Lang::Ru, Lang::Kk]
            .into_iter()
            .filter(|l| {
                store
                    .issue_notice(me, number, *kind, *l, templates, now)
                    .is_ok()
            })
            .map(Lang::code)
            .collect();
        if !langs.is_empty() {
            issued.push(format!("{} ({})", kind.id(), langs.join(", ")));
        }
    }
    (!issued.is_empty()).then(|| tf(lang, "status.issued", &[("docs", &issued.join("; "))]))
}

/// The catalogue key of a checklist outcome.
pub fn outcome_key(o: crate::domain::case::Outcome) -> &'static str {
    use crate::domain::case::Outcome;
    match o {
        Outcome::Passed => "outcome.passed",
        Outcome::Failed => "outcome.failed",
        Outcome::NotApplicable => "outcome.not-applicable",
        Outcome::Pending => "outcome.pending",
    }
}

/// `:assign LOGIN` on the marked cases: each in its own transaction, each
/// with its own audit row; refusals are counted and the first one named.
pub fn assign_many(
    store: &mut Store,
    me: &Actor,
    lang: Lang,
    numbers: &[String],
    to: &str,
) -> String {
    let now = super::now();
    let mut done = 0;
    let mut refused: Vec<String> = Vec::new();
    for n in numbers {
        let result = store
            .case(n)
            .and_then(|l| store.assign(me, n, l.row_version, Some(to), now));
        match result {
            Ok(_) => done += 1,
            Err(e) => refused.push(format!("{n}: {e}")),
        }
    }
    match refused.first() {
        None => tf(lang, "status.assigned-many", &[("n", &done), ("to", &to)]),
        Some(first) => tf(
            lang,
            "status.assigned-some",
            &[
                ("n", &done),
                ("to", &to),
                ("refused", &refused.len()),
                ("first", first),
            ],
        ),
    }
}

/// `:export csv|json`: the open cases to a file in the current directory.
pub fn export_here(store: &Store, lang: Lang, format: &str) -> String {
    use crate::store::export::{ExportFilter, ExportFormat, StatusFilter};
    let name = format!(
        "kezek-export-{}.{format}",
        // Named by the office's date, which is the one people look for.
        Utc::now()
            .with_timezone(&store.cal.zone())
            .format("%Y%m%d-%H%M%S")
    );
    // The console ends itself on SIGTERM; the file is removed all the same.
    crate::outfile::leave_exit_to_caller();
    let file = match crate::base::private_file(std::path::Path::new(&name)) {
        Ok(f) => f,
        Err(e) => return tf(lang, "status.cannot-write", &[("file", &name), ("why", &e)]),
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
    let written = store.export_cases(&mut w, &filter, fmt, false);
    let placed = written.as_ref().ok().map(|_| {
        w.into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.commit(false))
    });
    match (written, placed) {
        (Ok(_), Some(Err(e))) => tf(lang, "status.cannot-write", &[("file", &name), ("why", &e)]),
        (Ok(n), _) => tf(lang, "status.exported", &[("n", &n), ("file", &name)]),
        (Err(e), _) => tf(lang, "status.export-failed", &[("why", &e)]),
    }
}

/// Run the worker until the request channel closes. `send` returns false
/// when the UI is gone.
pub fn run(
    mut store: Store,
    me: Actor,
    lang: Lang,
    requests: Receiver<Request>,
    send: impl Fn(Reply) -> bool,
) {
    // Other consoles' changes: announced by PostgreSQL, looked up on SQLite.
    let _ = store.watch();
    let idle = match store.engine() {
        crate::store::engine::Engine::Postgres => Duration::from_millis(250),
        crate::store::engine::Engine::Sqlite => Duration::from_secs(1),
    };
    // Templates as the administrator left them; a broken one is reported
    // and documents are then issued from the command line only.
    let templates = match crate::notice::load() {
        Ok(t) => Some(t),
        Err(e) => {
            if !send(Reply::Status(tf(
                lang,
                "status.templates-broken",
                &[("why", &e)],
            ))) {
                return;
            }
            None
        }
    };
    let mut pending: std::collections::VecDeque<Request> = Default::default();
    // The view last asked for: changed cases are read again in it.
    let mut view: Option<(u64, QueueFilter)> = None;
    loop {
        let req = match pending.pop_front() {
            Some(r) => r,
            None => match requests.recv_timeout(idle) {
                Ok(r) => r,
                Err(RecvTimeoutError::Timeout) => {
                    if let Some(news) = others_changed(&mut store, view.as_ref())
                        && !send(news)
                    {
                        return;
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return,
            },
        };
        // Take everything waiting; of the queue loads only the newest runs.
        pending.extend(requests.try_iter());
        let req = match req {
            Request::Queue { .. } if pending.iter().any(|r| matches!(r, Request::Queue { .. })) => {
                continue;
            }
            r => r,
        };
        // What the request is, for `--log-level debug`: a kind and a case
        // number, never what was typed (a filter or a note may hold a name).
        let (what, case) = match &req {
            Request::Queue { .. } => ("queue", None),
            Request::Case { number } => ("open case", Some(number.clone())),
            Request::Act(change, _) => ("change", Some(change.number().to_string())),
            Request::Draft { number, .. } => ("draft", Some(number.clone())),
            Request::AssignMany(numbers, _) => ("assign many", Some(numbers.len().to_string())),
            Request::Export(_) => ("export", None),
            Request::Desk => ("desk", None),
            Request::Open { .. } => ("open typed number", None),
            Request::Undo(u) => ("undo", Some(u.number.clone())),
            Request::Notices { number } => ("notices", Some(number.clone())),
            Request::PrintNotice(..) => ("print notice", None),
            Request::Prefs(_) => ("settings", None),
        };
        let started = std::time::Instant::now();
        let alive = match req {
            Request::Queue { generation, filter } => {
                view = Some((generation, filter.clone()));
                // A screenful first, then every case of the view.
                let first = QueueFilter {
                    limit: Some(FIRST_ROWS),
                    ..filter.clone()
                };
                match store.queue_table(&first) {
                    Ok(rows) if rows.len() < FIRST_ROWS as usize => send(Reply::Queue {
                        generation,
                        rows: Box::new(rows),
                        complete: true,
                    }),
                    Ok(rows) => {
                        send(Reply::Queue {
                            generation,
                            rows: Box::new(rows),
                            complete: false,
                        }) && send_counts(&store, &filter, generation, &send)
                            && match timed("queue", || store.queue_table(&filter)) {
                                Ok(rows) => send(Reply::Queue {
                                    generation,
                                    rows: Box::new(rows),
                                    complete: true,
                                }),
                                Err(e) => send(Reply::Status(say(lang, &e))),
                            }
                    }
                    Err(e) => send(Reply::Status(say(lang, &e))),
                }
            }
            Request::Case { number } => send(Reply::Case(
                open_for(&store, &me.login, &number, super::now()).map_err(|e| say(lang, &e)),
            )),
            Request::Draft { number, kind, body } => {
                // Typing sends a draft per burst: only the newest of one
                // draft waiting in line is written.
                let newer = pending.iter().any(|r| {
                    matches!(r, Request::Draft { number: n, kind: k, .. } if *n == number && *k == kind)
                });
                if newer {
                    continue;
                }
                match store.put_draft(&me.login, &number, &kind, body.as_deref(), super::now()) {
                    Ok(()) => true,
                    Err(e) => send(Reply::Status(tf(
                        lang,
                        "status.draft-not-kept",
                        &[("why", &say(lang, &e))],
                    ))),
                }
            }
            Request::Act(change, typed_in) => send(apply_typed(
                &mut store,
                &me,
                lang,
                change,
                &typed_in,
                super::now(),
                templates.as_ref(),
            )),
            Request::AssignMany(numbers, to) => send(Reply::Bulk(assign_many(
                &mut store, &me, lang, &numbers, &to,
            ))),
            Request::Export(format) => send(Reply::Status(export_here(&store, lang, &format))),
            Request::Open { typed } => match find_case(&store, lang, &typed) {
                Ok(number) => {
                    send(Reply::Resolved {
                        typed,
                        number: number.clone(),
                    }) && send(Reply::Case(
                        open_for(&store, &me.login, &number, super::now())
                            .map_err(|e| say(lang, &e)),
                    ))
                }
                Err(why) => send(Reply::Case(Err(why))),
            },
            Request::Undo(u) => {
                let now = super::now();
                let (status, ok, undo) = super::undo::apply(&mut store, &me, lang, &u, now);
                send(Reply::Acted {
                    fresh: open_for(&store, &me.login, &u.number, now).ok(),
                    number: u.number,
                    status,
                    saved_note: None,
                    ok,
                    undo,
                })
            }
            Request::Notices { number } => send(Reply::Notices {
                list: store.notices_of(&number).map_err(|e| say(lang, &e)),
                number,
            }),
            Request::PrintNotice(id, to) => {
                let said = match store.issued_notice(id) {
                    Ok(n) => match to {
                        super::notices::Print::File => {
                            super::notices::write_file(lang, std::path::Path::new("."), &n)
                        }
                        super::notices::Print::Lp => {
                            super::notices::print_lp(lang, super::notices::find_lp().as_deref(), &n)
                        }
                    },
                    Err(e) => say(lang, &e),
                };
                send(Reply::Status(said))
            }
            Request::Prefs(changes) => match store.put_prefs(&me.login, &changes, super::now()) {
                Ok(()) => true,
                Err(e) => send(Reply::Status(tf(
                    lang,
                    "status.pref-not-kept",
                    &[("why", &say(lang, &e))],
                ))),
            },
            Request::Desk => {
                let now = super::now();
                let today = crate::domain::term::local(&store.cal, now).date();
                send(Reply::Desk(
                    crate::report::DailyFigures::compute(&store, today, now, lang)
                        .map(Box::new)
                        .map_err(|e| say(lang, &e)),
                ))
            }
        };
        tracing::debug!(
            "worker {what} {}: {:.1} ms ({} waiting)",
            case.as_deref().unwrap_or("-"),
            started.elapsed().as_secs_f64() * 1000.0,
            pending.len()
        );
        if !alive {
            return;
        }
        if let Some(news) = others_changed(&mut store, view.as_ref())
            && !send(news)
        {
            return;
        }
    }
}

/// What other sessions changed since the last look (this session's own
/// commits are not news): the changed cases' rows of the view, or, when
/// more than cases changed, word to read everything again.
fn others_changed(store: &mut Store, view: Option<&(u64, QueueFilter)>) -> Option<Reply> {
    let news = store.changes(Duration::ZERO);
    if matches!(
        news,
        Ok(crate::store::Changes::Cases(_) | crate::store::Changes::Everything)
    ) {
        tracing::debug!("another session committed: the screen refreshes");
    }
    match news {
        Ok(crate::store::Changes::Cases(changed)) => Some(match view {
            Some((generation, filter)) => match store.queue_rows_of(filter, &changed) {
                Ok(rows) => Reply::QueuePatch {
                    generation: *generation,
                    changed,
                    rows: Box::new(rows),
                },
                Err(_) => Reply::Changed,
            },
            None => Reply::Changed,
        }),
        Ok(crate::store::Changes::Everything) => Some(Reply::Changed),
        Ok(crate::store::Changes::Nothing) | Err(_) => None,
    }
}
