//! The console without a terminal: update() on the model, and screens drawn
//! into a test backend at 80x24 and 120x40.

use chrono::{DateTime, Utc};
use kezek::app::{self, Action, Effect, Model, Screen};
use kezek::domain::case::Actor;
use kezek::domain::procedure::Role;
use kezek::store::Store;
use kezek::ui::{self, Theme, Ui};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;

#[path = "support/engines.rs"]
#[macro_use]
mod engines;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .with_timezone(&Utc)
}

fn seeded(t: &engines::TestDb) -> ((), Store, Model) {
    let mut s = Store::open(
        t.path(),
        kezek::domain::calendar::Calendar::built_in().expect("calendar"),
        kezek::domain::procedure::Rules::built_in().expect("rules"),
    )
    .expect("store");
    s.add_user("boss", "boss", Role::Supervisor, "Boss")
        .expect("user");
    for (login, name, role) in kezek::demo::STAFF {
        s.add_user("boss", login, *role, name).expect("staff");
    }
    let now = at("2026-11-20T10:00:00+05:00");
    let mut cases = kezek::demo::generate(&s.cal, &s.rules, 120, 3, now);
    // A name with an escape sequence must never reach the terminal raw.
    cases[0].applicant.name = "Evil\u{1b}[2JName".into();
    s.insert_cases(
        &Actor {
            login: "boss".into(),
            role: Role::Supervisor,
        },
        &cases,
        now,
        "test",
    )
    .expect("insert");
    let mut m = Model::new(
        Actor {
            login: "boss".into(),
            role: Role::Supervisor,
        },
        now,
    );
    m.set_rows(s.queue_table(&Default::default()).expect("queue"));
    ((), s, m)
}

fn render(
    store: &Store,
    m: &mut Model,
    w: u16,
    h: u16,
    theme: Theme,
) -> (String, ratatui::buffer::Buffer) {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    let u = Ui {
        cal: &store.cal,
        rules: &store.rules,
        theme,
    };
    term.draw(|f| ui::draw(f, m, &u)).expect("draw");
    let buf = term.backend().buffer().clone();
    let mut text = String::new();
    for y in 0..h {
        for x in 0..w {
            text.push_str(buf[(x, y)].symbol());
        }
        text.push('\n');
    }
    (text, buf)
}

both_engines! {
    fn queue_screen_at_80x24_and_120x40(t) {
        let (_d, s, mut m) = seeded(t);
        for (w, h) in [(80, 24), (120, 40)] {
            let (text, buf) = render(&s, &mut m, w, h, Theme::monochrome());
            let lines: Vec<&str> = text.lines().collect();
            assert!(lines[0].contains("overdue"), "{text}");
            assert!(
                lines[1].contains("CASE") && lines[1].contains("DEADLINE"),
                "{text}"
            );
            // The most urgent row is overdue: marked with !! and bold even without colour.
            assert!(lines[2].starts_with("!!"), "{text}");
            assert!(buf[(0, 2)].modifier.contains(Modifier::BOLD));
            assert!(lines[h as usize - 1].contains("q quit"), "{text}");
            assert!(!text.contains('\u{1b}'), "no raw escape in the screen");
        }
    }
}

both_engines! {
    fn too_small_windows_ask_to_be_enlarged(t) {
        let (_d, s, mut m) = seeded(t);
        let (text, _) = render(&s, &mut m, 79, 24, Theme::dark());
        assert!(text.contains("Enlarge the window"), "{text}");
        let (text, _) = render(&s, &mut m, 80, 23, Theme::dark());
        assert!(text.contains("Enlarge the window"), "{text}");
        // Absurd sizes do not panic.
        let _ = render(&s, &mut m, 1, 1, Theme::dark());
    }
}

both_engines! {
    fn filter_narrows_on_every_key_for_cyrillic_and_latin(t) {
        let (_d, _s, mut m) = seeded(t);
        let all = m.visible.len();
        app::update(&mut m, Action::StartFilter);
        for c in "КАРИМ".chars() {
            app::update(&mut m, Action::FilterInput(c));
        }
        assert!(m.visible.len() < all);
        assert!(!m.visible.is_empty(), "Karimova in Cyrillic is in the demo");
        // Cyrillic or its Latin spelling: "КАРИМ" finds Каримова and Karimov.
        let translit = |s: &str| kezek::domain::text::translit(&app::fold(s));
        assert!(m.visible.iter().all(|&i| {
            let name = m.rows.get(i).expect("row").applicant();
            app::fold(name).contains("карим") || translit(name).contains("karim")
        }));
        assert!(m.visible.iter().any(|&i| {
            m.rows
                .get(i)
                .expect("row")
                .applicant()
                .starts_with("Karimov")
        }));
        assert!(m.visible.iter().any(|&i| {
            m.rows
                .get(i)
                .expect("row")
                .applicant()
                .starts_with("Каримова")
        }));
        app::update(&mut m, Action::FilterCancel);
        app::update(&mut m, Action::StartFilter);
        for c in "nurlan".chars() {
            app::update(&mut m, Action::FilterInput(c));
        }
        assert!(
            m.visible
                .iter()
                .any(|&i| m.rows.get(i).expect("row").applicant().contains("Нурлан")),
            "a Latin spelling finds the Cyrillic name"
        );
        app::update(&mut m, Action::FilterCancel);
        assert_eq!(m.visible.len(), all);
        assert_eq!(app::fold("ӘСЕЛ ҚАСЫМОВА ҒҰҮҢӨҺІ"), "әсел қасымова ғұүңөһі");
    }
}

both_engines! {
    fn an_escape_sequence_in_a_name_is_shown_escaped(t) {
        let (_d, s, mut m) = seeded(t);
        app::update(&mut m, Action::StartFilter);
        for c in "evil".chars() {
            app::update(&mut m, Action::FilterInput(c));
        }
        assert_eq!(m.visible.len(), 1);
        let (text, _) = render(&s, &mut m, 120, 40, Theme::monochrome());
        assert!(text.contains("Evil\\u{1b}[2JName"), "{text}");
    }
}

both_engines! {
    fn open_a_case_walk_its_sections_and_go_back(t) {
        let (_d, s, mut m) = seeded(t);
        let Effect::LoadCase(number) = app::update(&mut m, Action::Open) else {
            panic!("Enter opens the selected case");
        };
        let view = app::CaseView::new(
            s.case(&number).expect("case"),
            s.audit_of(&number).expect("history"),
        );
        m.screen = Screen::Case(Box::new(view));
        for i in 0..app::SECTIONS.len() {
            app::update(&mut m, Action::Section(i));
            let (text, _) = render(&s, &mut m, 80, 24, Theme::dark());
            assert!(text.contains(&number), "{text}");
        }
        app::update(&mut m, Action::Section(4));
        let (text, _) = render(&s, &mut m, 120, 40, Theme::dark());
        assert!(
            text.contains("due"),
            "the timeline shows planned dates: {text}"
        );
        // Back to the queue: read again only when something changed meanwhile.
        assert_eq!(app::update(&mut m, Action::Back), Effect::None);
        assert!(matches!(m.screen, Screen::Queue));
        assert_eq!(
            app::update(&mut m, Action::Open),
            Effect::LoadCase(number.clone())
        );
        m.screen = Screen::Case(Box::new(app::CaseView::new(
            s.case(&number).expect("case"),
            Vec::new(),
        )));
        m.queue_stale = true;
        assert_eq!(app::update(&mut m, Action::Back), Effect::LoadQueue);
        assert!(!m.queue_stale);
        assert_eq!(app::update(&mut m, Action::Quit), Effect::Quit);
    }
}

both_engines! {
    fn keys_map_to_actions_and_monochrome_has_no_colours(t) {
        use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let (_d, _s, mut m) = seeded(t);
        let key = |c: KeyCode| KeyEvent::new(c, KeyModifiers::NONE);
        assert_eq!(
            app::action_for(&m, key(KeyCode::Char('j'))),
            Some(Action::Down)
        );
        assert_eq!(
            app::action_for(&m, key(KeyCode::Char('q'))),
            Some(Action::Quit)
        );
        assert_eq!(
            app::action_for(&m, KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Action::PageDown)
        );
        app::update(&mut m, Action::StartFilter);
        assert_eq!(
            app::action_for(&m, key(KeyCode::Char('q'))),
            Some(Action::FilterInput('q'))
        );
        let t = Theme::monochrome();
        for style in [t.header, t.overdue, t.today, t.selected, t.dim, t.title] {
            assert_eq!(style.fg, None);
            assert_eq!(style.bg, None);
        }
    }
}

fn open_first(s: &Store, m: &mut Model) -> String {
    let Effect::LoadCase(number) = app::update(m, Action::Open) else {
        panic!("Enter opens the selected case");
    };
    let loaded = s.case(&number).expect("case");
    let v = s
        .rules
        .procedure(&loaded.case.procedure)
        .expect("procedure")
        .version(&loaded.case.version)
        .expect("version");
    m.check_ids = v.checks.iter().map(|k| k.id.clone()).collect();
    m.screen = Screen::Case(Box::new(app::CaseView::new(loaded, Vec::new())));
    number
}

both_engines! {
    fn marking_a_check_asks_the_store_with_the_version_read(t) {
        use kezek::domain::case::Outcome;
        use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let (_d, s, mut m) = seeded(t);
        let number = open_first(&s, &mut m);
        let seen = s.case(&number).expect("case").row_version;
        let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        // Outside the checklist, p is not a mark.
        assert_ne!(
            app::action_for(&m, key('p')),
            Some(Action::Mark(Outcome::Passed))
        );
        app::update(&mut m, Action::Section(3));
        app::update(&mut m, Action::Down);
        let action = app::action_for(&m, key('f')).expect("f marks failed");
        match app::update(&mut m, action) {
            Effect::Act(app::Change::RecordCheck {
                number: n,
                seen: v,
                check,
                outcome,
                note,
            }) => {
                assert_eq!((n, v, outcome), (number, seen, Outcome::Failed));
                assert_eq!(check, m.check_ids[1]);
                assert_eq!(note, "");
            }
            other => panic!("expected a change, got {other:?}"),
        }
        // F marks failed with a note typed on the prompt line; Esc cancels it.
        let shifted = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT);
        let action = app::action_for(&m, shifted('F')).expect("F asks for a note");
        assert_eq!(action, Action::MarkWithNote(Outcome::Failed));
        assert_eq!(app::update(&mut m, action), Effect::None);
        for c in "печать нечитаема".chars() {
            let a = app::action_for(&m, key(c)).expect("typing");
            app::update(&mut m, a);
        }
        match app::update(&mut m, Action::PromptRun) {
            Effect::Act(app::Change::RecordCheck { note, outcome, .. }) => {
                assert_eq!(
                    (note.as_str(), outcome),
                    ("печать нечитаема", Outcome::Failed)
                );
            }
            other => panic!("expected a change with a note, got {other:?}"),
        }
        assert_eq!(m.prompt, None);
    }
}

both_engines! {
    fn an_auditor_gets_no_editing_keys_and_no_changes(t) {
        use kezek::domain::case::Outcome;
        let (_d, s, mut m) = seeded(t);
        m.me = Actor {
            login: "audit".into(),
            role: Role::Auditor,
        };
        open_first(&s, &mut m);
        app::update(&mut m, Action::Section(3));
        assert_eq!(
            app::update(&mut m, Action::Mark(Outcome::Passed)),
            Effect::None
        );
        assert_eq!(app::update(&mut m, Action::EditNote), Effect::None);
        assert!(m.status.to_lowercase().contains("auditors"), "{}", m.status);
        let (text, _) = render(&s, &mut m, 120, 40, Theme::monochrome());
        assert!(!text.contains("mark") && !text.contains(" note "), "{text}");
    }
}

both_engines! {
    fn a_note_draft_survives_esc_and_ctrl_s_saves_it(t) {
        use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let (_d, s, mut m) = seeded(t);
        let number = open_first(&s, &mut m);
        app::update(&mut m, Action::EditNote);
        for c in "Ходатайство Қ".chars() {
            let a = app::action_for(&m, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
                .expect("typing");
            app::update(&mut m, a);
        }
        let esc = app::action_for(&m, KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)).expect("esc");
        assert_eq!(esc, Action::EditorClose);
        app::update(&mut m, esc);
        assert_eq!(
            m.drafts.get(&number).map(|l| l.join("\n")),
            Some("Ходатайство Қ".to_string())
        );
        // Reopening brings the draft back; Ctrl-S saves it.
        app::update(&mut m, Action::EditNote);
        let save = app::action_for(&m, KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL))
            .expect("save");
        match app::update(&mut m, save) {
            Effect::Act(app::Change::AddNote { text, .. }) => assert_eq!(text, "Ходатайство Қ"),
            other => panic!("expected a note, got {other:?}"),
        }
        let (text, _) = render(&s, &mut m, 80, 24, Theme::dark());
        assert!(text.contains("Ctrl-S saves"), "{text}");
    }
}

both_engines! {
    fn the_command_line_completes_and_runs(t) {
        let (_d, _s, mut m) = seeded(t);
        app::update(&mut m, Action::StartCommand);
        for c in "th".chars() {
            app::update(&mut m, Action::PromptInput(c));
        }
        app::update(&mut m, Action::PromptComplete);
        assert_eq!(m.prompt, Some(app::Prompt::Command("theme ".into())));
        for c in "light".chars() {
            app::update(&mut m, Action::PromptInput(c));
        }
        assert_eq!(
            app::update(&mut m, Action::PromptRun),
            Effect::SetTheme("light".into())
        );
        assert_eq!(m.prompt, None);
        let run = |m: &mut Model, line: &str| {
            app::update(m, Action::StartCommand);
            for c in line.chars() {
                app::update(m, Action::PromptInput(c));
            }
            app::update(m, Action::PromptRun)
        };
        assert_eq!(
            run(&mut m, "open 2026-RVP-00001"),
            Effect::OpenTyped("2026-RVP-00001".into())
        );
        let selected = m
            .selected_row()
            .map(|r| r.number().to_string())
            .expect("a row");
        assert_eq!(
            run(&mut m, "assign li"),
            Effect::Act(app::Change::Assign {
                number: selected,
                seen: None,
                to: "li".into()
            })
        );
        assert_eq!(run(&mut m, "export csv"), Effect::Export("csv".into()));
        assert_eq!(run(&mut m, "q"), Effect::Quit);
        assert_eq!(run(&mut m, "frobnicate"), Effect::None);
        assert!(m.status.contains("unknown command"), "{}", m.status);
        assert_eq!(run(&mut m, "assign"), Effect::None);
        assert!(m.status.starts_with("usage:"), "{}", m.status);
    }
}

both_engines! {
    fn help_lists_the_active_keymap_and_searches_it(t) {
        let (_d, s, mut m) = seeded(t);
        app::update(&mut m, Action::Help);
        let (text, _) = render(&s, &mut m, 100, 30, Theme::monochrome());
        let entries = app::help_entries(&m);
        assert!(entries.len() > 10);
        for (keys, help) in entries {
            assert!(text.contains(help), "help lists {keys} {help}: {text}");
        }
        for c in "fil".chars() {
            app::update(&mut m, Action::HelpInput(c));
        }
        let (text, _) = render(&s, &mut m, 100, 30, Theme::monochrome());
        assert!(text.contains("filter as you type"), "{text}");
        assert!(!text.contains("reload"), "{text}");
        app::update(&mut m, Action::HelpClose);
        assert_eq!(m.help, None);
    }
}

#[test]
fn every_theme_file_loads_and_a_broken_one_is_located() {
    for name in ["dark", "light", "high-contrast", "monochrome"] {
        assert!(Theme::built_in(name).is_some(), "{name}");
    }
    let err = kezek::ui::theme::parse(kezek::domain::rules_error::Source {
        name: "mine.toml",
        text: "name = \"x\"\nheader = { fg = \"chartreuse\" }\n",
    })
    .expect_err("refused");
    assert!(err.to_string().starts_with("mine.toml:"), "{err}");
}

both_engines! {
    fn marks_sorting_and_bulk_assign(t) {
        let (_d, s, mut m) = seeded(t);
        app::update(&mut m, Action::ToggleMark);
        app::update(&mut m, Action::ToggleMark);
        assert_eq!(m.marked.len(), 2);
        let (text, _) = render(&s, &mut m, 80, 24, Theme::monochrome());
        assert!(
            text.lines().nth(2).is_some_and(|l| l.starts_with("!*")),
            "{text}"
        );
        app::update(&mut m, Action::StartCommand);
        for c in "assign li".chars() {
            app::update(&mut m, Action::PromptInput(c));
        }
        match app::update(&mut m, Action::PromptRun) {
            Effect::AssignMany(numbers, to) => {
                assert_eq!(numbers.len(), 2);
                assert_eq!(to, "li");
            }
            other => panic!("expected a bulk assignment, got {other:?}"),
        }
        // Sorting by applicant uses case-folded names.
        app::update(&mut m, Action::NextSort);
        app::update(&mut m, Action::NextSort);
        assert_eq!(m.sort, app::Sort::Applicant);
        let names: Vec<String> = m
            .visible
            .iter()
            .map(|&i| app::fold(m.rows.get(i).expect("row").applicant()))
            .collect();
        let mut sorted = names.clone();
        sorted.sort_by_key(|n| kezek::domain::text::sort_key(n));
        assert_eq!(names, sorted);
        // Kazakh alphabetical order: к < қ < л, н < ң < о < ө < п, Cyrillic before Latin.
        let first = |p: &str| names.iter().position(|n| n.starts_with(p)).expect(p);
        assert!(first("кузнецов") < first("қасымова") && first("қасымова") < first("ли "));
        assert!(first("нұрланұлы") < first("өтепов") && first("өтепов") < first("рахимов"));
        assert!(first("токтогулова") < first("brown"));
    }
}

both_engines! {
    fn computed_checks_show_their_evidence_in_the_checklist(t) {
        let (_d, s, mut m) = seeded(t);
        let number = open_first(&s, &mut m);
        let evidence = s
            .computed_checks(&s.case(&number).expect("case").case, m.now)
            .expect("computed");
        assert!(!evidence.is_empty());
        if let Screen::Case(view) = &mut m.screen {
            view.evidence = evidence;
        }
        app::update(&mut m, Action::Section(3));
        let (text, _) = render(&s, &mut m, 120, 40, Theme::monochrome());
        assert!(text.contains("kezek computed: "), "{text}");
    }
}

both_engines! {
    fn key_bindings_come_from_a_file_and_conflicts_are_reported(t) {
        use kezek::app::keymap::{Context, Key, Keymap};
        use kezek::domain::rules_error::Source;
        use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let src = |text| Source {
            name: "keys.toml",
            text,
        };
        // Rebinding a command replaces its keys, in the map, the hints and help.
        let map = Keymap::with_overrides(src(
            "[queue]\nquit = [\"x\"]\ndown = [\"Ctrl-n\", \"Down\"]\n",
        ))
        .expect("valid");
        let (_d, s, mut m) = seeded(t);
        m.keys = std::sync::Arc::new(map);
        let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(app::action_for(&m, key('x')), Some(Action::Quit));
        assert_eq!(app::action_for(&m, key('q')), None);
        assert_eq!(
            app::action_for(&m, KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL)),
            Some(Action::Down)
        );
        let (text, _) = render(&s, &mut m, 120, 40, Theme::monochrome());
        assert!(
            text.lines().last().is_some_and(|l| l.contains("x quit")),
            "{text}"
        );
        // One key for two commands in one context is refused, naming both and the line.
        let err = Keymap::with_overrides(src("[queue]\n\nopen = [\"q\"]\n")).expect_err("conflict");
        let msg = err.to_string();
        assert!(msg.starts_with("keys.toml:3:"), "{msg}");
        assert!(
            msg.contains("“q”") && msg.contains("quit") && msg.contains("open"),
            "{msg}"
        );
        // The checklist and the case table are live together: a clash there too.
        let err = Keymap::with_overrides(src("[checklist]\npassed = \"a\"\n")).expect_err("clash");
        assert!(err.to_string().contains("note"), "{err}");
        // Unknown tables, commands and keys are located errors.
        for (text, what) in [
            ("[queu]\nquit = \"q\"\n", "unknown table"),
            ("[queue]\nleave = \"q\"\n", "unknown command “leave”"),
            ("[queue]\nquit = \"Hyper-q\"\n", "unknown key “Hyper-q”"),
            ("[queue]\nquit = 5\n", "give a key"),
        ] {
            let err = Keymap::with_overrides(src(text)).expect_err(what);
            assert!(err.to_string().contains(what), "{err}");
        }
        // The console words the complaint in its language.
        let err = Keymap::with_overrides(src("[queue]\nquit = \"Hyper-q\"\n")).expect_err("key");
        let kk = kezek::i18n::say(kezek::i18n::Lang::Kk, &err);
        assert!(kk.contains("белгісіз перне «Hyper-q»"), "{kk}");
        assert_eq!(
            Key::parse("Ctrl-d").map(Key::label).as_deref(),
            Some("Ctrl-d")
        );
        assert!(Keymap::built_in().conflicts().is_empty());
        assert!(
            !Keymap::built_in()
                .keys_of(Context::Checklist, kezek::app::keymap::Cmd::Passed)
                .is_empty()
        );
    }
}

both_engines! {
    fn the_console_speaks_kazakh_and_russian(t) {
        let (_d, s, mut m) = seeded(t);
        m.lang = kezek::i18n::Lang::Kk;
        let (text, _) = render(&s, &mut m, 80, 24, Theme::monochrome());
        assert!(
            text.contains("мерзімі өткен") && text.contains("ӨТІНІШ БЕР."),
            "{text}"
        );
        assert!(
            !text.contains("overdue") && !text.contains("APPLICANT"),
            "{text}"
        );
        m.lang = kezek::i18n::Lang::Ru;
        let (text, _) = render(&s, &mut m, 80, 24, Theme::monochrome());
        assert!(
            text.contains("просрочено") && text.contains("ЗАЯВИТЕЛЬ"),
            "{text}"
        );
    }
}

both_engines! {
    fn typing_a_filter_finds_exactly_what_a_fresh_search_finds(t) {
        let (_d, _s, mut m) = seeded(t);
        let translit = |s: &str| kezek::domain::text::translit(&app::fold(s));
        let expect = |m: &kezek::app::Model, needle: &str| -> Vec<usize> {
            let n = app::fold(needle);
            let l = kezek::domain::text::translit(&n);
            (0..m.rows.len())
                .filter(|&i| {
                    let r = m.rows.get(i).expect("row");
                    let hay = format!(
                        "{}\u{1}{}\u{1}{}\u{1}{}",
                        app::fold(r.applicant()),
                        translit(r.applicant()),
                        app::fold(r.number()),
                        app::fold(r.procedure())
                    );
                    hay.contains(&n) || hay.contains(&l)
                })
                .collect()
        };
        app::update(&mut m, Action::StartFilter);
        // Typing on, deleting, and typing something that does not extend the
        // last filter: every step equals a search from scratch.
        for word in ["каримова", "2026-rvp-0", "ли", "wang"] {
            let mut typed = String::new();
            for c in word.chars() {
                typed.push(c);
                app::update(&mut m, Action::FilterInput(c));
                assert_eq!(m.visible, expect(&m, &typed), "after typing {typed:?}");
            }
            for _ in word.chars() {
                typed.pop();
                app::update(&mut m, Action::FilterBackspace);
                if typed.is_empty() {
                    assert_eq!(m.visible.len(), m.rows.len());
                } else {
                    assert_eq!(m.visible, expect(&m, &typed), "after deleting to {typed:?}");
                }
            }
        }
    }
}
