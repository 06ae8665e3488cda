//! Every screen of the console as text, at 80x24 and 120x40, from a fixed
//! demo database and a fixed clock. The snapshots live in
//! `tests/snapshots/`; a change to a screen shows up as a diff in review.

use kezek::app::{self, Action, Model, Screen};
use kezek::domain::case::Actor;
use kezek::domain::procedure::Role;
use kezek::i18n::Lang;
use kezek::store::Store;
use kezek::ui::{self, Theme, Ui};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[path = "support/demo_store.rs"]
mod demo_store;
use demo_store::{demo, now};

fn model(s: &Store, lang: Lang) -> Model {
    let mut m = Model::new(
        Actor {
            login: "ivanov".into(),
            role: Role::Inspector,
        },
        now(),
    );
    m.lang = lang;
    m.set_rows(s.queue_table(&Default::default()).expect("queue"));
    m
}

/// Open the queue's selected case the way the worker does, with the clock fixed.
fn open(s: &Store, m: &mut Model) {
    let number = m.selected_row().expect("a row").number().to_string();
    let opened = kezek::app::worker::open_case(s, &number, now()).expect("case");
    m.check_ids = opened.check_ids;
    m.screen = Screen::Case(opened.view);
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

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn snap(name: &str, text: &str) {
    insta::assert_snapshot!(name, text);
}

#[test]
fn queue_screens() {
    let (_d, s) = demo();
    for (w, h) in SIZES {
        let mut m = model(&s, Lang::En);
        snap(&format!("queue_{w}x{h}"), &screen(&s, &mut m, w, h));
        app::update(&mut m, Action::StartFilter);
        for c in "кар".chars() {
            app::update(&mut m, Action::FilterInput(c));
        }
        snap(&format!("queue_filter_{w}x{h}"), &screen(&s, &mut m, w, h));
        app::update(&mut m, Action::FilterCancel);
        app::update(&mut m, Action::Help);
        snap(&format!("queue_help_{w}x{h}"), &screen(&s, &mut m, w, h));
        app::update(&mut m, Action::HelpClose);
        app::update(&mut m, Action::StartCommand);
        for c in "assign li".chars() {
            app::update(&mut m, Action::PromptInput(c));
        }
        snap(&format!("queue_command_{w}x{h}"), &screen(&s, &mut m, w, h));
    }
}

#[test]
fn case_screens_every_section() {
    let (_d, s) = demo();
    for (w, h) in SIZES {
        let mut m = model(&s, Lang::En);
        open(&s, &mut m);
        for (i, key) in app::SECTIONS.iter().enumerate() {
            app::update(&mut m, Action::Section(i));
            let name = key.trim_start_matches("section.");
            snap(&format!("case_{name}_{w}x{h}"), &screen(&s, &mut m, w, h));
        }
        app::update(&mut m, Action::Section(4));
        app::update(&mut m, Action::ToggleExplain);
        snap(
            &format!("case_timeline_explained_{w}x{h}"),
            &screen(&s, &mut m, w, h),
        );
        app::update(&mut m, Action::EditNote);
        for c in "Паспорт сверен.".chars() {
            app::update(
                &mut m,
                Action::EditorKey(ratatui::crossterm::event::KeyEvent::from(
                    ratatui::crossterm::event::KeyCode::Char(c),
                )),
            );
        }
        snap(
            &format!("case_note_editor_{w}x{h}"),
            &screen(&s, &mut m, w, h),
        );
    }
}

#[test]
fn kazakh_and_russian_screens_at_80x24() {
    let (_d, s) = demo();
    for lang in [Lang::Kk, Lang::Ru] {
        let code = lang.code();
        let mut m = model(&s, lang);
        snap(&format!("{code}_queue_80x24"), &screen(&s, &mut m, 80, 24));
        open(&s, &mut m);
        for section in [0, 3, 4] {
            app::update(&mut m, Action::Section(section));
            let name = app::SECTIONS[section].trim_start_matches("section.");
            snap(
                &format!("{code}_case_{name}_80x24"),
                &screen(&s, &mut m, 80, 24),
            );
        }
    }
}

#[test]
fn a_too_small_window() {
    let (_d, s) = demo();
    let mut m = model(&s, Lang::En);
    snap("too_small_79x24", &screen(&s, &mut m, 79, 24));
}

#[test]
fn supervisor_desk() {
    let (_d, s) = demo();
    let today = kezek::domain::term::local(&s.cal, now()).date();
    for (lang, sizes) in [(Lang::En, &SIZES[..]), (Lang::Kk, &SIZES[..1])] {
        for &(w, h) in sizes {
            let mut m = model(&s, lang);
            // An inspector has no desk; a supervisor does.
            assert_eq!(app::update(&mut m, Action::Desk), app::Effect::None);
            assert!(matches!(m.screen, Screen::Queue));
            m.me = Actor {
                login: "akhmetova".into(),
                role: Role::Supervisor,
            };
            assert_eq!(app::update(&mut m, Action::Desk), app::Effect::LoadDesk);
            let figures =
                kezek::report::DailyFigures::compute(&s, today, now(), lang).expect("figures");
            assert!(
                !figures.approval_queue.is_empty(),
                "the demo has decisions to approve"
            );
            let first = figures.approval_queue[0].number.clone();
            if let Screen::Desk(d) = &mut m.screen {
                d.figures = Some(figures);
            }
            snap(
                &format!("desk_{}_{w}x{h}", lang.code()),
                &screen(&s, &mut m, w, h),
            );
            // Enter opens the selected approval's case; Esc goes back.
            assert_eq!(
                app::update(&mut m, Action::Open),
                app::Effect::LoadCase(first)
            );
            assert_eq!(app::update(&mut m, Action::Back), app::Effect::LoadQueue);
        }
    }
}
