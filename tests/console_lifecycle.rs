//! The console moves a case forward: `a` in the queue accepts a received
//! application (after a confirmation), `s` in the case completes the
//! current stage; the store records each as one change.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use kezek::app::dialog::World;
use kezek::app::worker::{self, Reply};
use kezek::app::{self, Action, Change, DialogKind, Effect, Model, Screen};
use kezek::domain::case::{Actor, Status};
use kezek::domain::procedure::Role;
use kezek::i18n::Lang;
use kezek::store::Store;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .with_timezone(&Utc)
}

fn key(m: &mut Model, code: KeyCode) -> Effect {
    let k = KeyEvent::new(code, KeyModifiers::NONE);
    let action = app::action_for(m, k).expect("a bound key");
    app::update(m, action)
}

fn confirm(m: &mut Model) -> (Vec<String>, Change) {
    let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let action = app::action_for(m, ctrl_s).expect("Ctrl-S");
    assert_eq!(app::update(m, action), Effect::None);
    let page = m
        .dialog
        .as_ref()
        .and_then(|d| d.confirm.as_ref())
        .map(|(lines, _)| lines.clone())
        .unwrap_or_else(|| {
            panic!(
                "no confirmation: {:?}",
                m.dialog.as_ref().and_then(|d| d.error.clone())
            )
        });
    match key(m, KeyCode::Enter) {
        Effect::Act(change) => (page, change),
        other => panic!("expected a change, got {other:?}"),
    }
}

#[path = "support/engines.rs"]
#[macro_use]
mod engines;

fn show(s: &Store, m: &mut Model, number: &str) {
    let opened = worker::open_case(s, number, m.now).expect("open");
    m.check_ids = opened.check_ids;
    m.screen = Screen::Case(opened.view);
    app::open_pending_dialog(m);
}

both_engines! {
    fn accept_from_the_queue_then_complete_the_stage(t) {
        let mut s = Store::open(
            t.path(),
            kezek::domain::calendar::Calendar::built_in().expect("calendar"),
            kezek::domain::procedure::Rules::built_in().expect("rules"),
        )
        .expect("store");
        s.add_user("boss", "boss", Role::Supervisor, "Boss")
            .expect("user");
        s.add_user("boss", "ivanov", Role::Inspector, "Ivanov")
            .expect("user");
        let me = Actor {
            login: "ivanov".into(),
            role: Role::Inspector,
        };
        // The fixture imports as received, with no deadline: the console must
        // be able to start it.
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/applications.json");
        let bytes = std::fs::read(&file).expect("fixture");
        let users = ["boss".to_string(), "ivanov".to_string()]
            .into_iter()
            .collect();
        let cases = kezek::store::import::parse(&bytes, false, &s.cal, &s.rules, &users)
            .unwrap_or_else(|e| panic!("{} import errors", e.len()));
        s.insert_cases(&me, &cases, at("2026-11-20T12:00:00+05:00"), "case.import")
            .expect("import");
        let number = "2026-RVP-10001";
        let now = "2026-11-20T15:00:00+05:00";
        let mut m = Model::new(me.clone(), at(now));
        m.lang = Lang::En;
        m.world = Some(Arc::new(World {
            cal: s.cal.clone(),
            rules: s.rules.clone(),
        }));
        m.set_rows(s.queue_table(&Default::default()).expect("queue"));
        while m.selected_row().is_some_and(|r| r.number() != number) {
            app::update(&mut m, Action::Down);
        }
        // `a` on a received row opens the case at its acceptance.
        let Effect::LoadCase(n) = key(&mut m, KeyCode::Char('a')) else {
            panic!("a opens the case");
        };
        assert_eq!(n, number);
        show(&s, &mut m, number);
        let d = m.dialog.as_ref().expect("the acceptance dialog is open");
        assert_eq!(d.kind, DialogKind::Decide);
        let (page, change) = confirm(&mut m);
        assert!(
            page.iter().any(|l| l.contains("Accept the application")),
            "{page:?}"
        );
        assert!(matches!(change, Change::Accept { late: None, .. }));
        let templates = kezek::notice::Templates::built_in().expect("templates");
        match worker::apply(&mut s, &me, Lang::En, change, at(now), Some(&templates)) {
            Reply::Acted { status, .. } => assert!(status.contains("accepted"), "{status}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(s.case(number).expect("case").case.status, Status::Accepted);

        // `s` completes the current stage, with a note, after a confirmation.
        show(&s, &mut m, number);
        assert_eq!(app::update(&mut m, Action::Section(4)), Effect::None);
        assert_eq!(key(&mut m, KeyCode::Char('s')), Effect::None);
        assert_eq!(
            m.dialog.as_ref().map(|d| d.kind),
            Some(DialogKind::Stage),
            "status: {}",
            m.status
        );
        let (page, change) = confirm(&mut m);
        assert!(
            page.iter()
                .any(|l| l.contains("Review of the RVP application")),
            "{page:?}"
        );
        match worker::apply(&mut s, &me, Lang::En, change, at(now), Some(&templates)) {
            Reply::Acted { status, .. } => assert!(status.contains("Stage completed"), "{status}"),
            other => panic!("{other:?}"),
        }
        let c = s.case(number).expect("case").case;
        assert!(c.stages[0].is_some());
        // Nothing is left to complete: the key says so instead of opening a form.
        show(&s, &mut m, number);
        key(&mut m, KeyCode::Char('s'));
        assert!(m.dialog.is_none());
        assert!(m.status.contains("No stage"), "{}", m.status);
    }
}
