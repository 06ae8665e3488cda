//! Every screen of the console at 80x24 and 120x40 in Kazakh, Russian and
//! English (snapshots in `tests/snapshots/screens__*`), and what the
//! screens promise: nothing cut without `…`, whatever is cut readable whole
//! (the message log, the case screen), the help scrolls to every line at
//! 80x24, the desk never selects a row that is off screen, the checklist
//! flags a mark that contradicts kezek's computation, lateness is marked,
//! and the forms show what they record.

use std::sync::Arc;

use kezek::app::{self, Action, DialogKind, Model, Screen};
use kezek::domain::case::{Actor, ApprovalState, Outcome, Status};
use kezek::domain::procedure::Role;
use kezek::i18n::{Lang, t, tf};
use kezek::store::Store;
use kezek::ui::{self, Theme, Ui};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[path = "support/demo_store.rs"]
mod demo_store;
use demo_store::{demo, now};

fn model(s: &Store, lang: Lang, login: &str, role: Role) -> Model {
    let mut m = Model::new(
        Actor {
            login: login.into(),
            role,
        },
        now(),
    );
    m.lang = lang;
    m.world = Some(Arc::new(app::dialog::World {
        cal: s.cal.clone(),
        rules: s.rules.clone(),
    }));
    m.set_rows(s.queue_table(&Default::default()).expect("queue"));
    m
}

/// Open a case the way the worker does, with the clock fixed.
fn open(s: &Store, m: &mut Model, number: &str) {
    let opened = app::worker::open_case(s, number, now()).expect("case");
    m.check_ids = opened.check_ids;
    m.screen = Screen::Case(opened.view);
}

/// The first case of the queue that passes `pick`.
fn find(s: &Store, pick: impl Fn(&kezek::domain::case::Case) -> bool) -> String {
    s.queue(&Default::default())
        .expect("queue")
        .into_iter()
        .map(|r| r.number)
        .find(|n| pick(&s.case(n).expect("case").case))
        .expect("a case the demo has")
}

fn screen(s: &Store, m: &mut Model, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    let u = Ui {
        cal: &s.cal,
        rules: &s.rules,
        theme: Theme::monochrome(),
    };
    term.draw(|f| ui::draw(f, m, &u)).expect("draw");
    let buf = term.backend().buffer();
    let mut text = String::new();
    for y in 0..h {
        let mut line = String::new();
        for x in 0..w {
            line.push_str(buf[(x, y)].symbol());
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// The cells of the screen with the selection's style (reversed in the
/// monochrome theme), by row.
fn selected_rows(s: &Store, m: &mut Model, w: u16, h: u16) -> Vec<u16> {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    let u = Ui {
        cal: &s.cal,
        rules: &s.rules,
        theme: Theme::monochrome(),
    };
    term.draw(|f| ui::draw(f, m, &u)).expect("draw");
    let buf = term.backend().buffer();
    (0..h)
        .filter(|&y| {
            (0..w).all(|x| {
                buf[(x, y)]
                    .modifier
                    .contains(ratatui::style::Modifier::REVERSED)
            })
        })
        .collect()
}

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const LANGS: [Lang; 3] = [Lang::Kk, Lang::Ru, Lang::En];

fn snap(name: &str, text: &str) {
    insta::assert_snapshot!(name, text);
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn dialog_key(m: &mut Model, code: KeyCode) {
    app::update(m, Action::DialogKey(key(code)));
}

/// A case waiting for its hearing: a hearing notice sent through the
/// dialog on an accepted exit case (the demo has none waiting).
fn with_notice(s: &mut Store, not: &str) -> String {
    let candidates: Vec<String> = s
        .queue(&Default::default())
        .expect("queue")
        .into_iter()
        .map(|r| r.number)
        .filter(|n| {
            let c = s.case(n).expect("case").case;
            c.status == Status::Accepted
                && c.procedure == "exit"
                && c.decisions.is_empty()
                && c.notices.is_empty()
                && c.number != not
        })
        .collect();
    for number in candidates {
        let mut m = model(s, Lang::En, "boss", Role::Supervisor);
        open(s, &mut m, &number);
        app::update(&mut m, Action::StartDialog(DialogKind::Hearing));
        if m.dialog.is_none() {
            continue;
        }
        // The first ground and a place, then the form's Enter and the
        // confirmation's Enter; a case whose window has passed is skipped.
        dialog_key(&mut m, KeyCode::Char(' '));
        if let Some(d) = m.dialog.as_mut()
            && let Some(f) = d.fields.iter_mut().find(|f| f.label == "dialog.place")
        {
            f.input = kezek::app::dialog::Input::Text("room 12".into());
        }
        dialog_key(&mut m, KeyCode::Enter);
        if m.dialog.as_ref().is_none_or(|d| d.confirm.is_none()) {
            continue;
        }
        let change = match app::update(&mut m, Action::DialogKey(key(KeyCode::Enter))) {
            app::Effect::Act(c) => c,
            other => panic!("expected a change, got {other:?}"),
        };
        let boss = Actor {
            login: "boss".into(),
            role: Role::Supervisor,
        };
        match app::worker::apply(s, &boss, Lang::En, change, now(), None) {
            app::worker::Reply::Acted { ok: true, .. } => return number,
            other => panic!("the notice was not recorded: {other:?}"),
        }
    }
    panic!("no exit case in the demo can take a hearing notice now")
}

#[test]
fn every_screen_in_every_language_at_both_sizes() {
    let (_d, mut s) = demo();
    let accepted = find(&s, |c| {
        c.status == Status::Accepted
            && c.procedure == "exit"
            && c.decisions.is_empty()
            && c.notices.is_empty()
    });
    let awaiting = with_notice(&mut s, &accepted);
    let pending = find(&s, |c| {
        c.decision()
            .is_some_and(|d| d.approval == ApprovalState::Pending)
    });
    for lang in LANGS {
        let code = lang.code();
        for (w, h) in SIZES {
            let size = format!("{w}x{h}");
            let mut m = model(&s, lang, "ivanov", Role::Inspector);
            snap(&format!("{code}_queue_{size}"), &screen(&s, &mut m, w, h));

            app::update(&mut m, Action::Help);
            snap(&format!("{code}_help_{size}"), &screen(&s, &mut m, w, h));
            app::update(&mut m, Action::Bottom);
            snap(
                &format!("{code}_help_end_{size}"),
                &screen(&s, &mut m, w, h),
            );
            app::update(&mut m, Action::HelpClose);

            // A message longer than the line: cut with `…`, whole in the log.
            m.status = long_status(lang);
            snap(
                &format!("{code}_status_cut_{size}"),
                &screen(&s, &mut m, w, h),
            );
            app::update(&mut m, Action::Messages);
            snap(
                &format!("{code}_messages_{size}"),
                &screen(&s, &mut m, w, h),
            );
            app::update(&mut m, Action::Back);
            m.status.clear();

            open(&s, &mut m, &accepted);
            snap(
                &format!("{code}_case_summary_{size}"),
                &screen(&s, &mut m, w, h),
            );
            app::update(&mut m, Action::Section(3));
            snap(
                &format!("{code}_checklist_{size}"),
                &screen(&s, &mut m, w, h),
            );
            app::update(&mut m, Action::Section(4));
            snap(
                &format!("{code}_timeline_{size}"),
                &screen(&s, &mut m, w, h),
            );
            for (kind, name) in [
                (DialogKind::Decide, "decide"),
                (DialogKind::Hearing, "notice"),
                (DialogKind::Stage, "stage"),
            ] {
                app::update(&mut m, Action::StartDialog(kind));
                assert!(m.dialog.is_some(), "{name}: {}", m.status);
                snap(
                    &format!("{code}_dialog_{name}_{size}"),
                    &screen(&s, &mut m, w, h),
                );
                dialog_key(&mut m, KeyCode::Esc);
                m.dialog_drafts.clear();
            }

            open(&s, &mut m, &awaiting);
            app::update(&mut m, Action::StartDialog(DialogKind::Hearing));
            assert!(m.dialog.is_some(), "hearing: {}", m.status);
            snap(
                &format!("{code}_dialog_hearing_{size}"),
                &screen(&s, &mut m, w, h),
            );
            dialog_key(&mut m, KeyCode::Esc);

            let mut boss = model(&s, lang, "akhmetova", Role::Supervisor);
            open(&s, &mut boss, &pending);
            app::update(&mut boss, Action::StartDialog(DialogKind::Approve));
            assert!(boss.dialog.is_some(), "approve: {}", boss.status);
            snap(
                &format!("{code}_dialog_approve_{size}"),
                &screen(&s, &mut boss, w, h),
            );

            let mut boss = model(&s, lang, "akhmetova", Role::Supervisor);
            desk(&s, &mut boss, lang);
            snap(&format!("{code}_desk_{size}"), &screen(&s, &mut boss, w, h));
        }
    }
}

/// A status line no 80- or 120-column line holds.
fn long_status(lang: Lang) -> String {
    tf(
        lang,
        "status.check-recorded",
        &[
            (
                "check",
                &"A pending application for a permanent residence permit (PR) of the same person, filed with another unit of the migration service before this one",
            ),
            ("outcome", &t(lang, "outcome.passed")),
        ],
    )
}

fn desk(s: &Store, m: &mut Model, lang: Lang) {
    assert_eq!(app::update(m, Action::Desk), app::Effect::LoadDesk);
    let today = kezek::domain::term::local(&s.cal, now()).date();
    let figures = kezek::report::DailyFigures::compute(s, today, now(), lang).expect("figures");
    if let Screen::Desk(d) = &mut m.screen {
        d.figures = Some(figures);
    }
}

#[test]
fn a_cut_status_line_ends_in_an_ellipsis_and_the_log_has_it_whole() {
    let (_d, s) = demo();
    let mut m = model(&s, Lang::En, "ivanov", Role::Inspector);
    let said = long_status(Lang::En);
    m.status = said.clone();
    let text = screen(&s, &mut m, 80, 24);
    let status = text.lines().nth(22).expect("status line");
    assert!(status.ends_with('…'), "{status}");
    assert!(said.starts_with(status.trim_end_matches('…')), "{status}");
    // The log lists it with its Almaty time, wrapped whole.
    app::update(&mut m, Action::Messages);
    let text = screen(&s, &mut m, 80, 24);
    assert!(text.contains("20.11.2026 10:00:00"), "{text}");
    let lines = kezek::app::messages::lines(&m, &s.cal, 76);
    for l in &lines {
        assert!(text.contains(l.trim_end()), "{l}: {text}");
    }
    let whole = lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
    assert_eq!(whole, format!("20.11.2026 10:00:00  {said}"));
    app::update(&mut m, Action::Back);
    assert!(m.log.is_none());
    // A message said twice in a row is logged once; a new one is added.
    m.status = "second".into();
    app::update(&mut m, Action::Refresh);
    app::update(&mut m, Action::Refresh);
    assert_eq!(m.messages.len(), 2);
    // `:messages` opens it too.
    app::update(&mut m, Action::StartCommand);
    for c in "messages".chars() {
        app::update(&mut m, Action::PromptInput(c));
    }
    app::update(&mut m, Action::PromptRun);
    assert!(m.log.is_some());
}

#[test]
fn the_header_keeps_the_login_and_the_case_title_is_whole_on_the_summary() {
    let (_d, s) = demo();
    for lang in LANGS {
        let mut m = model(&s, lang, "nurlanov.almaty", Role::Inspector);
        m.procedure = Some("border_zone".into());
        let text = screen(&s, &mut m, 80, 24);
        let header = text.lines().next().expect("header");
        assert!(header.ends_with("· nurlanov.almaty"), "{header}");
        // Whatever the header dropped is not cut mid-word without a mark.
        assert!(kezek::ui::text::width(header) <= 80, "{header}");
        // A case with a long name: the header cuts it with `…`, the summary
        // has it whole.
        let number = find(&s, |c| c.applicant.name.chars().count() > 14);
        open(&s, &mut m, &number);
        let name = match &m.screen {
            Screen::Case(v) => v.loaded.case.applicant.name.clone(),
            _ => unreachable!(),
        };
        let text = screen(&s, &mut m, 80, 24);
        let flat: String = text.lines().skip(2).collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&name), "{lang:?}: {text}");
        for l in text.lines() {
            assert!(kezek::ui::text::width(l) <= 80, "{l}");
        }
    }
}

#[test]
fn help_scrolls_to_every_line_at_80x24_and_searches() {
    let (_d, s) = demo();
    for lang in LANGS {
        let mut m = model(&s, lang, "boss", Role::Supervisor);
        app::update(&mut m, Action::Help);
        let width = 80usize.saturating_sub(8).min(100) - 2;
        let all = kezek::app::help::lines(&m, "", width);
        let mut seen = String::new();
        for _ in 0..all.len() {
            seen.push_str(&screen(&s, &mut m, 80, 24));
            app::update(&mut m, Action::Down);
        }
        for l in &all {
            let l = kezek::domain::text::printable(l.trim_end()).into_owned();
            assert!(seen.contains(&l), "{lang:?}: never shown: {l}\n{seen}");
        }
        // The `:` commands below the fold included.
        for usage in ["usage.open", "usage.assign", "usage.export", "usage.theme"] {
            let u = t(lang, usage);
            let head: String = u.chars().take(20).collect();
            assert!(seen.contains(&head), "{lang:?}: {u}");
        }
        // `/` searches; Esc clears the search, then closes.
        let keys = |m: &mut Model, k: KeyEvent| {
            if let Some(a) = app::action_for(m, k) {
                app::update(m, a);
            }
        };
        keys(&mut m, key(KeyCode::Char('g')));
        keys(&mut m, key(KeyCode::Char('/')));
        for c in ":th".chars() {
            keys(&mut m, key(KeyCode::Char(c)));
        }
        let text = screen(&s, &mut m, 80, 24);
        assert!(text.contains(":theme"), "{text}");
        let found = kezek::app::help::lines(&m, ":th", width);
        assert!(found.len() < all.len() / 4, "{found:?}");
        keys(&mut m, key(KeyCode::Esc));
        assert!(m.help.as_ref().is_some_and(|h| h.search.is_empty()));
        keys(&mut m, key(KeyCode::Esc));
        assert!(m.help.is_none());
    }
}

#[test]
fn the_desk_at_80x24_selects_only_what_it_shows_and_shows_late_stages() {
    let (_d, s) = demo();
    for lang in LANGS {
        let mut m = model(&s, lang, "akhmetova", Role::Supervisor);
        desk(&s, &mut m, lang);
        let text = screen(&s, &mut m, 80, 24);
        assert!(
            text.contains(t(lang, "desk.stages").split(' ').next().unwrap_or("")),
            "{text}"
        );
        // Dates are Almaty dd.mm.yyyy, never ISO.
        assert!(text.contains("20.11.2026 10:00"), "{text}");
        assert!(!text.contains("2026-11-"), "{text}");
        let n = match &m.screen {
            Screen::Desk(d) => d.figures.as_ref().map(|f| f.approval_queue.len()),
            _ => None,
        }
        .unwrap_or(0);
        assert!(n > 1);
        for action in [Action::Bottom, Action::Top, Action::Bottom, Action::Up] {
            app::update(&mut m, action);
            let rows = selected_rows(&s, &mut m, 80, 24);
            assert_eq!(rows.len(), 1, "{lang:?}: one selected row on screen");
            assert!((1..22).contains(&rows[0]), "{lang:?}: {rows:?}");
        }
        // Paging the selection out of sight lets it go: Enter opens nothing.
        for _ in 0..5 {
            app::update(&mut m, Action::PageDown);
            screen(&s, &mut m, 80, 24);
        }
        if selected_rows(&s, &mut m, 80, 24).is_empty() {
            assert_eq!(app::update(&mut m, Action::Open), app::Effect::None);
            assert_eq!(m.status, t(lang, "desk.select"));
        }
    }
}

#[test]
fn the_checklist_flags_a_mark_that_contradicts_kezek_and_keeps_the_detail() {
    let (_d, s) = demo();
    let mut m = model(&s, Lang::En, "ivanov", Role::Inspector);
    let number = find(&s, |c| c.status == Status::Accepted);
    open(&s, &mut m, &number);
    // Make kezek's computation disagree with the recorded mark of one check.
    let at = if let Screen::Case(v) = &mut m.screen {
        let (id, comp) = v.evidence.first_mut().expect("a computed check");
        comp.outcome = Outcome::Failed;
        let id = id.clone();
        v.loaded.case.checks.insert(
            id.clone(),
            kezek::domain::case::CheckResult {
                outcome: Outcome::Passed,
                by: "ivanov".into(),
                at: now(),
                note: "seen in the register".into(),
            },
        );
        m.check_ids
            .iter()
            .position(|c| *c == id)
            .expect("on the list")
    } else {
        unreachable!()
    };
    app::update(&mut m, Action::Section(3));
    for _ in 0..at {
        app::update(&mut m, Action::Down);
    }
    let text = screen(&s, &mut m, 80, 24);
    let row = text
        .lines()
        .find(|l| l.starts_with('>'))
        .expect("the cursor row");
    assert!(row.contains(" ! "), "{row}");
    assert!(text.contains("but kezek computed"), "{text}");
    assert!(text.contains("seen in the register"), "{text}");
    // The cursor row is highlighted, not only marked with `>`.
    assert_eq!(selected_rows(&s, &mut m, 80, 24).len(), 1);
    // G goes to the last check; in other sections to the last line.
    app::update(&mut m, Action::Bottom);
    if let Screen::Case(v) = &m.screen {
        assert_eq!(v.cursor, m.check_ids.len() - 1);
    }
    app::update(&mut m, Action::Section(8));
    app::update(&mut m, Action::Bottom);
    let text = screen(&s, &mut m, 80, 24);
    let last = match &m.screen {
        Screen::Case(v) => v.history.last().map(|r| r.action.clone()),
        _ => None,
    }
    .expect("history");
    assert!(text.contains(&last), "{text}");
}

#[test]
fn lateness_is_marked_and_time_left_never_reads_like_a_clock() {
    let (_d, s) = demo();
    let mut m = model(&s, Lang::Ru, "ivanov", Role::Inspector);
    let text = screen(&s, &mut m, 120, 40);
    // LEFT follows DEADLINE (`17.11 18:30`); it is never `13:50`.
    let clock_after_deadline = regex_like(&text);
    assert!(clock_after_deadline.is_empty(), "{clock_after_deadline:?}");
    // The header and the rows use one abbreviation of working days.
    assert!(text.contains("1-3 рд"), "{text}");
    assert!(!text.contains("р.д."), "{text}");
    // The summary lists open deadlines by date, overdue ones marked.
    let number = find(&s, |c| {
        c.status == Status::Accepted
            && s.rules
                .version(&c.procedure, &c.version)
                .and_then(|v| kezek::domain::urgency::open_deadlines(c, v, &s.cal).ok())
                .is_some_and(|l| l.len() > 1 && l.iter().any(|d| d.due < now()))
    });
    open(&s, &mut m, &number);
    let text = screen(&s, &mut m, 120, 40);
    let days: Vec<chrono::NaiveDate> = text
        .lines()
        .skip_while(|l| !l.contains(t(Lang::Ru, "summary.deadlines")))
        .skip(1)
        .filter_map(|l| {
            let l = l.trim_start_matches("!!").trim_start();
            chrono::NaiveDate::parse_from_str(l.get(..10)?, "%d.%m.%Y").ok()
        })
        .collect();
    assert!(days.len() > 1, "{text}");
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "{days:?}");
    assert!(text.lines().any(|l| l.starts_with("!! ")), "{text}");
}

/// Rows whose LEFT cell reads like a clock (`-1:30`, `13:50`).
fn regex_like(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            cells.windows(3).any(|w| {
                w[0].len() == 5
                    && w[0].as_bytes().get(2) == Some(&b'.')
                    && w[1].len() == 5
                    && w[1].as_bytes().get(2) == Some(&b':')
                    && w[2].trim_start_matches('-').contains(':')
            })
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn forms_show_what_they_record() {
    let (_d, s) = demo();
    // An ordinary decision has no "duplicate because of".
    let mut m = model(&s, Lang::En, "ivanov", Role::Inspector);
    let accepted = find(&s, |c| {
        c.status == Status::Accepted && c.decisions.is_empty()
    });
    open(&s, &mut m, &accepted);
    app::update(&mut m, Action::StartDialog(DialogKind::Decide));
    let text = screen(&s, &mut m, 120, 40);
    assert!(text.contains(t(Lang::En, "dialog.decision")), "{text}");
    assert!(
        !text.contains(t(Lang::En, "dialog.duplicate-reason")),
        "{text}"
    );
    dialog_key(&mut m, KeyCode::Esc);

    // The approval dialog shows the decision, its grounds, who and when.
    let pending = find(&s, |c| {
        c.decision().is_some_and(|d| {
            d.approval == ApprovalState::Pending
                && matches!(d.kind, kezek::domain::case::DecisionKind::Refuse { .. })
        })
    });
    let mut boss = model(&s, Lang::En, "akhmetova", Role::Supervisor);
    open(&s, &mut boss, &pending);
    app::update(&mut boss, Action::StartDialog(DialogKind::Approve));
    let text = screen(&s, &mut boss, 120, 40);
    let (by, grounds) = match &boss.screen {
        Screen::Case(v) => {
            let c = &v.loaded.case;
            let d = c.decision().expect("decision");
            let v = s.rules.version(&c.procedure, &c.version).expect("version");
            let g = match &d.kind {
                kezek::domain::case::DecisionKind::Refuse { grounds } => grounds
                    .iter()
                    .filter_map(|g| v.ground(g))
                    .map(|g| g.title.get(Lang::En).to_string())
                    .collect::<Vec<_>>(),
                _ => Vec::new(),
            };
            (d.by.clone(), g)
        }
        _ => unreachable!(),
    };
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(&format!("by {by}")), "{text}");
    assert!(!grounds.is_empty());
    for g in grounds {
        let head: String = g.split_whitespace().take(4).collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&head), "{head}: {text}");
    }
}

/// Order 002 §17 (the PR and RVP rules): "Заслушивание проводится не
/// позднее 2 рабочих дней со дня уведомления" — the notice names the time
/// and place of the hearing so that the applicant can state a position
/// there. Recording a hearing as held before that time is allowed (the
/// domain only bounds the window) but warned about on the confirmation.
#[test]
fn a_hearing_recorded_before_its_scheduled_time_is_warned_about() {
    let (_d, mut s) = demo();
    let number = with_notice(&mut s, "");
    let mut m = model(&s, Lang::En, "boss", Role::Supervisor);
    open(&s, &mut m, &number);
    let (sent, scheduled) = match &m.screen {
        Screen::Case(v) => {
            let n = v.loaded.case.notices.last().expect("notice");
            (n.sent_at, n.hearing_at)
        }
        _ => unreachable!(),
    };
    // The clock at the scheduled time, so that the domain's window allows
    // any time between the notice and now.
    m.now = scheduled + chrono::TimeDelta::minutes(30);
    app::update(&mut m, Action::StartDialog(DialogKind::Hearing));
    let early = kezek::domain::term::local(&s.cal, sent + chrono::TimeDelta::minutes(90))
        .format("%d.%m.%Y %H:%M")
        .to_string();
    if let Some(d) = m.dialog.as_mut()
        && let kezek::app::dialog::Input::Text(t) = &mut d.fields[0].input
    {
        *t = early;
    }
    dialog_key(&mut m, KeyCode::Enter);
    let d = m.dialog.as_ref().expect("dialog");
    assert!(d.error.is_none(), "{:?}", d.error);
    let page = &d.confirm.as_ref().expect("confirmation").0;
    assert!(
        page.iter()
            .any(|l| l.starts_with("!! The notice set the hearing for")),
        "{page:?}"
    );
    // At the scheduled time: no warning.
    let on_time = kezek::domain::term::local(&s.cal, scheduled)
        .format("%d.%m.%Y %H:%M")
        .to_string();
    dialog_key(&mut m, KeyCode::Esc);
    if let Some(d) = m.dialog.as_mut()
        && let kezek::app::dialog::Input::Text(t) = &mut d.fields[0].input
    {
        *t = on_time;
    }
    dialog_key(&mut m, KeyCode::Enter);
    let d = m.dialog.as_ref().expect("dialog");
    let page = &d.confirm.as_ref().expect("confirmation").0;
    assert!(!page.iter().any(|l| l.starts_with("!!")), "{page:?}");
}

#[test]
fn the_queue_names_what_is_due_when_every_stage_is_done() {
    let (_d, s) = demo();
    let mut m = model(&s, Lang::En, "ivanov", Role::Inspector);
    let done = t(Lang::En, "queue.stages-done");
    let text = screen(&s, &mut m, 120, 40);
    assert!(text.contains(done), "{text}");
    // The screen asked what those rows are waiting for; the worker's answer
    // names it (the service term, a hearing notice, ...).
    assert!(!m.due_wanted.is_empty());
    let wanted = std::mem::take(&mut m.due_wanted);
    let kinds = s.due_kinds(&wanted).expect("kinds");
    assert!(!kinds.is_empty());
    m.due_kinds.extend(kinds);
    let text = screen(&s, &mut m, 120, 40);
    assert!(!text.contains(done), "{text}");
    assert!(
        text.contains(t(Lang::En, "deadline.service"))
            || text.contains(t(Lang::En, "deadline.hearing-notice")),
        "{text}"
    );
    // Asked once: the next frame asks for nothing more.
    assert!(m.due_wanted.is_empty());
}
