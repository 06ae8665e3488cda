//! What users of k9s, lazygit and neomutt expect, on the model and the
//! store without a terminal: the default view by role and settings kept
//! per user, reverse sort, `:open` by a short number, Tab completion,
//! filters by field and saved filters, and undo of the last mark or
//! assignment within the conflict rules, audited.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kezek::app::worker::{self, Reply};
use kezek::app::{self, Action, Effect, Model, Screen, View, undo};
use kezek::domain::case::{Actor, Outcome, Status};
use kezek::domain::procedure::Role;
use kezek::i18n::Lang;
use kezek::store::Store;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .with_timezone(&Utc)
}

fn now() -> DateTime<Utc> {
    at("2026-11-20T10:00:00+05:00")
}

fn actor(login: &str, role: Role) -> Actor {
    Actor {
        login: login.into(),
        role,
    }
}

fn seeded() -> (tempfile::TempDir, Store, Model) {
    let dir = tempfile::tempdir().expect("tmp");
    let mut s = Store::open(
        &dir.path().join("k.db"),
        kezek::domain::calendar::Calendar::built_in().expect("calendar"),
        kezek::domain::procedure::Rules::built_in().expect("rules"),
    )
    .expect("store");
    s.add_user("boss", "boss", Role::Supervisor, "Boss")
        .expect("user");
    for (login, name, role) in kezek::demo::STAFF {
        s.add_user("boss", login, *role, name).expect("staff");
    }
    let cases = kezek::demo::generate(&s.cal, &s.rules, 120, 3, now());
    s.insert_cases(&actor("boss", Role::Supervisor), &cases, now(), "test")
        .expect("insert");
    let mut m = Model::new(actor("boss", Role::Supervisor), now());
    m.procedures = s.rules.procedures.iter().map(|p| p.id.clone()).collect();
    m.world = Some(std::sync::Arc::new(app::dialog::World {
        cal: s.cal.clone(),
        rules: s.rules.clone(),
    }));
    m.logins = kezek::demo::STAFF
        .iter()
        .filter(|(_, _, r)| *r != Role::Auditor)
        .map(|(l, _, _)| l.to_string())
        .collect();
    m.set_rows(s.queue_table(&Default::default()).expect("queue"));
    (dir, s, m)
}

fn command(m: &mut Model, line: &str) -> Effect {
    app::update(m, Action::StartCommand);
    for c in line.chars() {
        app::update(m, Action::PromptInput(c));
    }
    app::update(m, Action::PromptRun)
}

fn prompt_text(m: &Model) -> String {
    match &m.prompt {
        Some(app::Prompt::Command(s)) => s.clone(),
        other => panic!("expected the command line, got {other:?}"),
    }
}

fn numbers(m: &Model) -> Vec<String> {
    m.visible
        .iter()
        .map(|&i| m.rows.get(i).expect("row").number().to_string())
        .collect()
}

#[test]
fn an_inspector_opens_on_mine_and_a_supervisor_on_all() {
    let empty = BTreeMap::new();
    let mut inspector = Model::new(actor("li", Role::Inspector), now());
    app::prefs::apply(&mut inspector, &empty);
    assert_eq!(inspector.view, View::Mine);
    let mut boss = Model::new(actor("boss", Role::Supervisor), now());
    app::prefs::apply(&mut boss, &empty);
    assert_eq!(boss.view, View::All);
    let mut auditor = Model::new(actor("audit", Role::Auditor), now());
    app::prefs::apply(&mut auditor, &empty);
    assert_eq!(auditor.view, View::All);
    // A stored view wins over the role's default.
    let stored: BTreeMap<String, String> = [("view".to_string(), "all".to_string())].into();
    app::prefs::apply(&mut inspector, &stored);
    assert_eq!(inspector.view, View::All);
}

#[test]
fn settings_are_kept_per_user_in_the_database_and_come_back() {
    let (_d, mut s, mut m) = seeded();
    app::update(&mut m, Action::NextView);
    app::update(&mut m, Action::NextSort);
    app::update(&mut m, Action::ReverseSort);
    assert_eq!(
        command(&mut m, "filter status=accepted karim"),
        Effect::None,
        "{}",
        m.status
    );
    command(&mut m, "save-filter mine-accepted");
    m.theme = Some("light".into());
    let kept = app::prefs::snapshot(&m);
    for (k, v) in &kept {
        s.put_pref("boss", k, Some(v), now()).expect("kept");
    }
    // Another user's settings are their own.
    s.put_pref("li", "view", Some("unassigned"), now())
        .expect("li's");
    let read = s.prefs("boss").expect("read back");
    assert_eq!(read, kept);
    let mut again = Model::new(actor("boss", Role::Supervisor), now());
    again.procedures = m.procedures.clone();
    again.world = m.world.clone();
    let skipped = app::prefs::apply(&mut again, &read);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(
        (again.view, again.sort, again.reverse),
        (m.view, m.sort, true)
    );
    assert_eq!(again.fields, m.fields);
    assert_eq!(again.filter, "karim");
    assert_eq!(again.theme.as_deref(), Some("light"));
    assert_eq!(
        again.saved_filters.get("mine-accepted").map(String::as_str),
        Some("status=accepted karim")
    );
    assert_eq!(
        s.prefs("li").expect("li").get("view").map(String::as_str),
        Some("unassigned")
    );
    // Dropping a setting removes its row; an over-long value is refused.
    s.put_pref("boss", "theme", None, now()).expect("dropped");
    assert!(!s.prefs("boss").expect("read").contains_key("theme"));
    assert!(
        s.put_pref("boss", "filter", Some(&"x".repeat(5000)), now())
            .is_err()
    );
    // A value from elsewhere that kezek does not understand is left out.
    let odd: BTreeMap<String, String> = [
        ("sort".to_string(), "colour".to_string()),
        ("filter".to_string(), "status=lost".to_string()),
    ]
    .into();
    let skipped = app::prefs::apply(&mut again, &odd);
    assert_eq!(skipped.len(), 2, "{skipped:?}");
}

#[test]
fn reverse_sort_flips_the_order_and_the_header_says_so() {
    let (d, s, mut m) = seeded();
    let forward = numbers(&m);
    let action = app::action_for(
        &m,
        ratatui::crossterm::event::KeyEvent::new(
            ratatui::crossterm::event::KeyCode::Char('S'),
            ratatui::crossterm::event::KeyModifiers::SHIFT,
        ),
    );
    assert_eq!(action, Some(Action::ReverseSort));
    app::update(&mut m, Action::ReverseSort);
    let mut back = numbers(&m);
    back.reverse();
    assert_eq!(back, forward);
    assert!(m.status.contains("reversed"), "{}", m.status);
    let text = draw(&s, &mut m, 120, 40);
    assert!(
        text.lines().next().is_some_and(|l| l.contains("reversed")),
        "{text}"
    );
    // By a column, reversed too.
    app::update(&mut m, Action::NextSort);
    let by_number = numbers(&m);
    let mut sorted = by_number.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(by_number, sorted);
    drop(d);
}

fn draw(s: &Store, m: &mut Model, w: u16, h: u16) -> String {
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("terminal");
    let u = kezek::ui::Ui {
        cal: &s.cal,
        rules: &s.rules,
        theme: kezek::ui::Theme::monochrome(),
    };
    term.draw(|f| kezek::ui::draw(f, m, &u)).expect("draw");
    let buf = term.backend().buffer().clone();
    let mut text = String::new();
    for y in 0..h {
        for x in 0..w {
            text.push_str(buf[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

#[test]
fn open_takes_short_numbers_and_lists_the_candidates_of_an_ambiguous_one() {
    let (_d, s, mut m) = seeded();
    assert_eq!(
        command(&mut m, "open rvp-3"),
        Effect::OpenTyped("rvp-3".into())
    );
    let full = s
        .find_cases("2026-RVP-00003", 5)
        .expect("exact")
        .pop()
        .expect("the demo has RVP 3");
    for typed in ["rvp-3", "RVP3", "rvp 3", "Rvp-00003", &full] {
        assert_eq!(
            worker::find_case(&s, Lang::En, typed),
            Ok(full.clone()),
            "{typed}"
        );
    }
    // Every procedure has a case 3: the bare number is ambiguous, and the
    // candidates are named.
    let why = worker::find_case(&s, Lang::En, "3").expect_err("ambiguous");
    assert!(why.contains(&full), "{why}");
    assert!(
        why.contains("PR-00003") || why.contains("REG-00003"),
        "{why}"
    );
    let why = worker::find_case(&s, Lang::Ru, "rvp-99999").expect_err("none");
    assert!(why.contains("rvp-99999"), "{why}");
    // Not a number at all: no such case, and nothing raw reaches the screen.
    let why = worker::find_case(&s, Lang::En, "x\u{1b}[2J").expect_err("none");
    assert!(!why.contains('\u{1b}'), "{why:?}");
}

#[test]
fn tab_completes_commands_numbers_and_logins_cycling_through_candidates() {
    let (_d, _s, mut m) = seeded();
    app::update(&mut m, Action::StartCommand);
    for c in "op".chars() {
        app::update(&mut m, Action::PromptInput(c));
    }
    app::update(&mut m, Action::PromptComplete);
    assert_eq!(prompt_text(&m), "open ");
    // "rvp-1" may be 1, 10-19, 100-…: Tab shows the first, then the next.
    for c in "rvp-1".chars() {
        app::update(&mut m, Action::PromptInput(c));
    }
    app::update(&mut m, Action::PromptComplete);
    let first = prompt_text(&m);
    assert!(first.starts_with("open 2026-RVP-0001"), "{first}");
    assert!(m.status.starts_with("1/"), "{}", m.status);
    app::update(&mut m, Action::PromptComplete);
    let second = prompt_text(&m);
    assert_ne!(first, second);
    assert!(second.starts_with("open 2026-RVP-"), "{second}");
    assert!(m.status.starts_with("2/"), "{}", m.status);
    // Typing ends the cycle.
    app::update(&mut m, Action::PromptCancel);
    app::update(&mut m, Action::StartCommand);
    for c in "assign l".chars() {
        app::update(&mut m, Action::PromptInput(c));
    }
    app::update(&mut m, Action::PromptComplete);
    assert_eq!(prompt_text(&m), "assign li ");
    // Nothing to complete: said, the line unchanged.
    app::update(&mut m, Action::PromptCancel);
    app::update(&mut m, Action::StartCommand);
    app::update(&mut m, Action::PromptInput('x'));
    app::update(&mut m, Action::PromptComplete);
    assert_eq!(prompt_text(&m), "x");
    assert!(m.status.contains("'x'"), "{}", m.status);
}

#[test]
fn filters_by_inspector_status_and_procedure_combine_with_the_text() {
    let (_d, s, mut m) = seeded();
    let all = m.visible.len();
    assert_eq!(
        command(&mut m, "filter assignee=li status=accepted"),
        Effect::None
    );
    assert!(
        !m.visible.is_empty() && m.visible.len() < all,
        "{}",
        m.status
    );
    for &i in &m.visible {
        let r = m.rows.get(i).expect("row");
        assert_eq!(
            (r.assignee(), r.status()),
            (Some("li"), Some(Status::Accepted))
        );
    }
    let text = draw(&s, &mut m, 120, 40);
    let header = text.lines().next().unwrap_or_default().to_string();
    assert!(
        header.contains("li") && header.contains("accepted"),
        "{header}"
    );
    // The procedure is the view's: the queue is read again.
    assert_eq!(
        command(&mut m, "filter procedure=RVP status=received"),
        Effect::LoadQueue
    );
    assert_eq!(m.procedure.as_deref(), Some("rvp"));
    // A field or a value kezek does not know is an error naming it.
    command(&mut m, "filter colour=red");
    assert!(
        m.status.contains("colour") && m.status.contains("assignee"),
        "{}",
        m.status
    );
    command(&mut m, "filter status=lost");
    assert!(
        m.status.contains("lost") && m.status.contains("accepted"),
        "{}",
        m.status
    );
    // Unchanged by the errors.
    assert_eq!(m.procedure.as_deref(), Some("rvp"));
    // Saved, cleared, picked again by name.
    command(&mut m, "save-filter rvp-new");
    assert!(m.saved_filters.contains_key("rvp-new"), "{}", m.status);
    assert_eq!(command(&mut m, "filter"), Effect::LoadQueue);
    assert!(m.fields.is_empty() && m.procedure.is_none());
    command(&mut m, "filters");
    assert!(m.status.contains("rvp-new"), "{}", m.status);
    assert_eq!(command(&mut m, "filters rvp-new"), Effect::LoadQueue);
    assert_eq!(m.fields.status, Some(Status::Received));
    command(&mut m, "save-filter bad/name");
    assert!(!m.saved_filters.contains_key("bad/name"));
    // F opens the command line on the filters in force.
    app::update(&mut m, Action::FieldFilter);
    assert_eq!(prompt_text(&m), "filter status=received procedure=rvp ");
}

/// An accepted case (checks can be marked) and one of its checks that
/// applies to it.
fn accepted_case(s: &Store) -> (String, String) {
    let rows = s.queue_table(&Default::default()).expect("queue");
    for r in rows.iter() {
        if r.status() != Some(Status::Accepted) {
            continue;
        }
        let loaded = s.case(r.number()).expect("case");
        let c = &loaded.case;
        let Some(v) = s.rules.version(&c.procedure, &c.version) else {
            continue;
        };
        if let Some(k) = v
            .checks
            .iter()
            .find(|k| k.applies_to(c.purpose.as_deref()) && !c.checks.contains_key(&k.id))
        {
            return (r.number().to_string(), k.id.clone());
        }
    }
    panic!("the demo has an accepted case with an unmarked check");
}

fn audit_rows(s: &Store, number: &str) -> usize {
    s.audit_of(number).expect("audit").len()
}

#[test]
fn undo_takes_back_a_mark_as_a_change_of_its_own() {
    let (_d, mut s, mut m) = seeded();
    let me = actor("akhmetova", Role::Supervisor);
    let (number, check) = accepted_case(&s);
    let seen = s.case(&number).expect("case").row_version;
    let rows_before = audit_rows(&s, &number);
    let change = app::Change::RecordCheck {
        number: number.clone(),
        seen,
        check: check.clone(),
        outcome: Outcome::Failed,
        note: "печать".into(),
    };
    let Reply::Acted { ok, undo, .. } = worker::apply(&mut s, &me, Lang::En, change, now(), None)
    else {
        panic!("acted");
    };
    assert!(ok);
    let u = undo.expect("a mark can be taken back");
    m.undo = Some(u.clone());
    // `z` hands it to the runtime; with nothing left it says so.
    assert_eq!(app::update(&mut m, Action::Undo), Effect::Undo(u.clone()));
    assert_eq!(app::update(&mut m, Action::Undo), Effect::None);
    assert!(m.status.contains("nothing to undo"), "{}", m.status);

    let (status, ok, redo) = undo::apply(&mut s, &me, Lang::En, &u, now());
    assert!(ok, "{status}");
    assert!(status.contains("pending"), "{status}");
    let c = s.case(&number).expect("case").case;
    assert_eq!(
        c.checks.get(&check).map(|r| r.outcome),
        Some(Outcome::Pending)
    );
    // Two audit rows: the mark and the undo; nothing deleted.
    assert_eq!(audit_rows(&s, &number), rows_before + 2);
    // Undo again restores the mark with its note.
    let redo = redo.expect("the undo can be taken back");
    let (status, ok, _) = undo::apply(&mut s, &me, Lang::En, &redo, now());
    assert!(ok, "{status}");
    let c = s.case(&number).expect("case").case;
    let r = c.checks.get(&check).expect("marked");
    assert_eq!((r.outcome, r.note.as_str()), (Outcome::Failed, "печать"));
    assert_eq!(audit_rows(&s, &number), rows_before + 3);
}

#[test]
fn undo_is_refused_once_a_colleague_touched_the_same_check() {
    let (_d, mut s, _m) = seeded();
    let me = actor("akhmetova", Role::Supervisor);
    let colleague = actor("boss", Role::Supervisor);
    let (number, check) = accepted_case(&s);
    let seen = s.case(&number).expect("case").row_version;
    let mark = |outcome| app::Change::RecordCheck {
        number: number.clone(),
        seen,
        check: check.clone(),
        outcome,
        note: String::new(),
    };
    let Reply::Acted { undo, .. } =
        worker::apply(&mut s, &me, Lang::En, mark(Outcome::Passed), now(), None)
    else {
        panic!("acted");
    };
    let u = undo.expect("undo");
    // The colleague marks the same check after reading the new version.
    let fresh = s.case(&number).expect("case").row_version;
    let theirs = app::Change::RecordCheck {
        number: number.clone(),
        seen: fresh,
        check: check.clone(),
        outcome: Outcome::Failed,
        note: "seal missing".into(),
    };
    let Reply::Acted { ok, .. } = worker::apply(&mut s, &colleague, Lang::En, theirs, now(), None)
    else {
        panic!("acted");
    };
    assert!(ok);
    let rows = audit_rows(&s, &number);
    let (status, ok, redo) = undo::apply(&mut s, &me, Lang::En, &u, now());
    assert!(!ok);
    assert!(redo.is_none());
    assert!(
        status.contains("not undone") && status.contains("boss"),
        "{status}"
    );
    let c = s.case(&number).expect("case").case;
    assert_eq!(
        c.checks.get(&check).map(|r| r.outcome),
        Some(Outcome::Failed)
    );
    assert_eq!(audit_rows(&s, &number), rows, "nothing written");
}

#[test]
fn undo_takes_back_an_assignment_unless_it_was_reassigned_since() {
    let (_d, mut s, _m) = seeded();
    let me = actor("akhmetova", Role::Supervisor);
    let (number, _) = accepted_case(&s);
    let before = s.case(&number).expect("case").case.assignee;
    let to = if before.as_deref() == Some("li") {
        "ivanov"
    } else {
        "li"
    };
    let assign = app::Change::Assign {
        number: number.clone(),
        seen: None,
        to: to.into(),
    };
    let Reply::Acted { ok, undo, .. } = worker::apply(&mut s, &me, Lang::En, assign, now(), None)
    else {
        panic!("acted");
    };
    assert!(ok);
    let u = undo.expect("undo");
    let (status, ok, _) = undo::apply(&mut s, &me, Lang::En, &u, now());
    assert!(ok, "{status}");
    assert_eq!(s.case(&number).expect("case").case.assignee, before);

    // Assigned again; a colleague reassigns; the undo is refused.
    let assign = app::Change::Assign {
        number: number.clone(),
        seen: None,
        to: to.into(),
    };
    let Reply::Acted { undo, .. } = worker::apply(&mut s, &me, Lang::En, assign, now(), None)
    else {
        panic!("acted");
    };
    let u = undo.expect("undo");
    let theirs = app::Change::Assign {
        number: number.clone(),
        seen: None,
        to: "nurlanov".into(),
    };
    worker::apply(
        &mut s,
        &actor("boss", Role::Supervisor),
        Lang::En,
        theirs,
        now(),
        None,
    );
    let (status, ok, _) = undo::apply(&mut s, &me, Lang::En, &u, now());
    assert!(!ok, "{status}");
    assert_eq!(
        s.case(&number).expect("case").case.assignee.as_deref(),
        Some("nurlanov")
    );
}

#[test]
fn new_keys_are_in_help_and_undo_is_not_offered_to_an_auditor() {
    let (_d, _s, mut m) = seeded();
    let help: Vec<String> = app::help_entries(&m)
        .into_iter()
        .map(|(k, t)| format!("{k} {t}"))
        .collect();
    for want in ["S reverse", "F filter by inspector", "u z undo"] {
        assert!(help.iter().any(|h| h.starts_with(want)), "{want}: {help:?}");
    }
    m.me = actor("audit", Role::Auditor);
    let help = app::help_entries(&m);
    assert!(!help.iter().any(|(_, t)| t.contains("undo your")));
    m.undo = Some(undo::Undo {
        number: "x".into(),
        seen: 1,
        what: undo::What::Assign { to: None },
    });
    assert_eq!(app::update(&mut m, Action::Undo), Effect::None);
    assert!(matches!(m.screen, Screen::Queue));
}

#[test]
fn slash_searches_the_section_on_show_and_n_moves_between_matches() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let (_d, mut s, mut m) = seeded();
    let me = actor("akhmetova", Role::Supervisor);
    let (number, _) = accepted_case(&s);
    for text in [
        "Печать на справке нечитаема",
        "позвонить заявителю",
        "новая печать получена",
    ] {
        let seen = s.case(&number).expect("case").row_version;
        s.act(&me, &number, seen, now(), |c, x, _| {
            kezek::domain::case::add_note(c, x, text)
        })
        .expect("note");
    }
    let opened = worker::open_case(&s, &number, now()).expect("open");
    m.check_ids = opened.check_ids;
    m.screen = Screen::Case(opened.view);
    app::update(&mut m, Action::Section(app::NOTES));
    let key = |c: char| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    let start = app::action_for(&m, key('/')).expect("/ searches in a case");
    assert_eq!(start, Action::StartSearch);
    app::update(&mut m, start);
    for c in "ПЕЧ".chars() {
        let a = app::action_for(&m, key(c)).expect("typing");
        app::update(&mut m, a);
    }
    app::update(&mut m, Action::FilterDone);
    assert!(m.status.contains("1 of 2"), "{}", m.status);
    let current = |m: &Model| match &m.screen {
        Screen::Case(v) => v.search.current,
        _ => None,
    };
    let first = current(&m).expect("a current match");
    let n = app::action_for(&m, key('n')).expect("n");
    assert_eq!(n, Action::NextMatch);
    app::update(&mut m, n);
    let second = current(&m).expect("the next match");
    assert!(second > first);
    assert!(m.status.contains("2 of 2"), "{}", m.status);
    app::update(&mut m, Action::NextMatch);
    assert_eq!(current(&m), Some(first), "wraps to the first");
    app::update(&mut m, Action::PrevMatch);
    assert_eq!(current(&m), Some(second), "N goes back round");
    // The current match is drawn reversed, in every theme.
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).expect("terminal");
    let u = kezek::ui::Ui {
        cal: &s.cal,
        rules: &s.rules,
        theme: kezek::ui::Theme::monochrome(),
    };
    term.draw(|f| kezek::ui::draw(f, &mut m, &u)).expect("draw");
    let buf = term.backend().buffer().clone();
    let mut reversed = String::new();
    for y in 2..38 {
        for x in 0..120 {
            let cell = &buf[(x, y)];
            if cell
                .modifier
                .contains(ratatui::style::Modifier::REVERSED | ratatui::style::Modifier::BOLD)
            {
                reversed.push_str(cell.symbol());
            }
        }
    }
    assert_eq!(reversed.to_lowercase(), "печ", "{reversed:?}");
    // Esc ends the search; in the checklist `n` marks "not applicable" again.
    app::update(&mut m, Action::Back);
    assert_eq!(current(&m), None);
    assert!(
        matches!(m.screen, Screen::Case(_)),
        "Esc ended only the search"
    );
    app::update(&mut m, Action::Section(app::CHECKLIST));
    assert_eq!(
        app::action_for(&m, key('n')),
        Some(Action::Mark(Outcome::NotApplicable))
    );
    // A search in the checklist takes n over until Esc.
    app::update(&mut m, Action::StartSearch);
    app::update(&mut m, Action::FilterInput('a'));
    app::update(&mut m, Action::FilterDone);
    assert_eq!(app::action_for(&m, key('n')), Some(Action::NextMatch));
}

#[test]
fn notices_are_read_in_their_language_written_to_new_files_and_printed() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let (_d, mut s, mut m) = seeded();
    let me = actor("akhmetova", Role::Supervisor);
    let (number, _) = accepted_case(&s);
    let templates = kezek::notice::Templates::built_in().expect("templates");
    let (issued, _) = s
        .issue_notice(
            &me,
            &number,
            kezek::notice::Kind::Acceptance,
            Lang::Kk,
            &templates,
            now(),
        )
        .expect("issued");
    let opened = worker::open_case(&s, &number, now()).expect("open");
    m.screen = Screen::Case(opened.view);
    let key = |c: KeyCode| KeyEvent::new(c, KeyModifiers::NONE);
    let v = app::action_for(&m, key(KeyCode::Char('v'))).expect("v");
    assert_eq!(v, Action::Notices);
    assert_eq!(app::update(&mut m, v), Effect::LoadNotices(number.clone()));
    m.notices = Some(app::notices::NoticeView::new(
        number.clone(),
        s.notices_of(&number).expect("notices"),
    ));
    let text = draw(&s, &mut m, 120, 40);
    assert!(
        text.contains("receipt of acceptance") && text.contains("kk"),
        "{text}"
    );
    // Enter reads it: the stored text, in Kazakh.
    let enter = app::action_for(&m, key(KeyCode::Enter)).expect("key");
    app::update(&mut m, enter);
    let text = draw(&s, &mut m, 120, 40);
    let first = issued
        .text
        .lines()
        .find(|l| !l.trim().is_empty())
        .expect("text");
    assert!(text.contains(first.trim()), "{first}\n{text}");
    // j scrolls; w and p hand the notice to the runtime.
    app::update(&mut m, Action::NoticeKey(key(KeyCode::Char('j'))));
    assert_eq!(m.notices.as_ref().map(|n| n.scroll), Some(1));
    assert_eq!(
        app::update(&mut m, Action::NoticeKey(key(KeyCode::Char('w')))),
        Effect::PrintNotice(issued.id, app::notices::Print::File)
    );
    assert_eq!(
        app::update(&mut m, Action::NoticeKey(key(KeyCode::Char('p')))),
        Effect::PrintNotice(issued.id, app::notices::Print::Lp)
    );
    // Esc: back to the list, then to the case.
    app::update(&mut m, Action::NoticeKey(key(KeyCode::Esc)));
    assert!(m.notices.as_ref().is_some_and(|n| n.reading.is_none()));
    app::update(&mut m, Action::NoticeKey(key(KeyCode::Esc)));
    assert!(m.notices.is_none());
    assert!(matches!(m.screen, Screen::Case(_)));

    // A new file each time: an existing one is never replaced.
    let dir = tempfile::tempdir().expect("dir");
    let said = app::notices::write_file(Lang::En, dir.path(), &issued);
    let name = format!("{number}-acceptance-kk.txt");
    assert!(said.contains(&name), "{said}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(&name)).expect("written"),
        issued.text
    );
    std::fs::write(dir.path().join(&name), "kept").expect("edit");
    let said = app::notices::write_file(Lang::Ru, dir.path(), &issued);
    assert!(said.contains("-2.txt"), "{said}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(&name)).expect("kept"),
        "kept"
    );
    // No lp: said so. A stand-in lp gets the text on its input.
    let said = app::notices::print_lp(Lang::En, None, &issued);
    assert!(said.contains("no printer command"), "{said}");
    let lp = dir.path().join("lp");
    let got = dir.path().join("printed.txt");
    std::fs::write(
        &lp,
        format!(
            "#!/bin/sh\ncat > '{}'\necho \"request id is office-7 ($2)\"\n",
            got.display()
        ),
    )
    .expect("lp");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let said = app::notices::print_lp(Lang::En, Some(&lp), &issued);
    assert!(said.contains("office-7"), "{said}");
    assert_eq!(std::fs::read_to_string(&got).expect("printed"), issued.text);
    let failing = dir.path().join("lp-fails");
    std::fs::write(
        &failing,
        "#!/bin/sh\necho 'lp: no default destination' >&2\nexit 1\n",
    )
    .expect("lp");
    std::fs::set_permissions(&failing, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let said = app::notices::print_lp(Lang::En, Some(&failing), &issued);
    assert!(said.contains("no default destination"), "{said}");
}

#[test]
fn the_mouse_does_nothing_until_on_then_wheel_click_and_double_click() {
    use app::mouse::{Pointer, QUEUE_FIRST_ROW, update};
    let (_d, s, mut m) = seeded();
    m.page = 10;
    assert_eq!(update(&mut m, Pointer::WheelDown, &[]), Effect::None);
    assert_eq!(m.selected, 0, "off by default");
    m.mouse = true;
    update(&mut m, Pointer::WheelDown, &[]);
    assert_eq!(m.selected, 3);
    update(&mut m, Pointer::WheelUp, &[]);
    assert_eq!(m.selected, 0);
    // A click selects the row drawn there, below the window's offset too.
    update(
        &mut m,
        Pointer::Click {
            x: 20,
            y: QUEUE_FIRST_ROW + 4,
        },
        &[],
    );
    assert_eq!(m.selected, 4);
    m.selected = 25;
    update(
        &mut m,
        Pointer::Click {
            x: 20,
            y: QUEUE_FIRST_ROW + 9,
        },
        &[],
    );
    assert_eq!(
        m.selected, 25,
        "the last row of the window is the selected one"
    );
    update(
        &mut m,
        Pointer::Click {
            x: 20,
            y: QUEUE_FIRST_ROW,
        },
        &[],
    );
    assert_eq!(m.selected, 16);
    // The window stayed: the same place is the same row.
    update(
        &mut m,
        Pointer::Click {
            x: 20,
            y: QUEUE_FIRST_ROW + 1,
        },
        &[],
    );
    assert_eq!(m.selected, 17);
    update(
        &mut m,
        Pointer::Click {
            x: 20,
            y: QUEUE_FIRST_ROW,
        },
        &[],
    );
    assert_eq!(m.selected, 16);
    // Column titles and rows past the window are not rows.
    update(&mut m, Pointer::Click { x: 20, y: 1 }, &[]);
    update(&mut m, Pointer::Click { x: 20, y: 30 }, &[]);
    assert_eq!(m.selected, 16);
    let number = m.selected_row().expect("row").number().to_string();
    assert_eq!(
        update(
            &mut m,
            Pointer::DoubleClick {
                x: 20,
                y: QUEUE_FIRST_ROW
            },
            &[]
        ),
        Effect::LoadCase(number.clone())
    );
    // In a case, a click on a tab's label shows that section.
    let opened = worker::open_case(&s, &number, now()).expect("open");
    m.screen = Screen::Case(opened.view);
    let tabs: Vec<String> = " 1:Summary 2:Applicant 3:Documents 4:Checklist "
        .chars()
        .map(|c| c.to_string())
        .collect();
    let at = |label: &str| {
        " 1:Summary 2:Applicant 3:Documents 4:Checklist "
            .find(label)
            .expect("label") as u16
    };
    let section = |m: &Model| match &m.screen {
        Screen::Case(v) => v.section,
        _ => usize::MAX,
    };
    update(
        &mut m,
        Pointer::Click {
            x: at("Checklist") + 3,
            y: 1,
        },
        &tabs,
    );
    assert_eq!(section(&m), app::CHECKLIST);
    update(&mut m, Pointer::Click { x: at("2:"), y: 1 }, &tabs);
    assert_eq!(section(&m), 1);
    // Between two labels: nothing.
    update(&mut m, Pointer::Click { x: at(" 3:"), y: 1 }, &tabs);
    assert_eq!(section(&m), 1);
    // Nothing while a prompt is open.
    app::update(&mut m, Action::StartCommand);
    update(&mut m, Pointer::Click { x: at("2:"), y: 1 }, &tabs);
    update(
        &mut m,
        Pointer::Click {
            x: at("Summary"),
            y: 1,
        },
        &tabs,
    );
    assert_eq!(section(&m), 1);
}
