//! The hearing, decision and approval dialogs end to end: the dialog
//! proposes and checks dates with the domain's rules, the confirmation says
//! what will be recorded, and the store records it (or refuses it).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use kezek::app::dialog::{Input, World};
use kezek::app::worker::{self, Reply};
use kezek::app::{self, Action, Change, DialogKind, Effect, Model, Screen};
use kezek::domain::case::{Actor, ApprovalState, DecisionKind, Status};
use kezek::domain::procedure::Role;
use kezek::i18n::Lang;
use kezek::store::Store;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[path = "support/engines.rs"]
#[macro_use]
mod engines;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .with_timezone(&Utc)
}

fn actor(login: &str, role: Role) -> Actor {
    Actor {
        login: login.into(),
        role,
    }
}

fn setup(t: &engines::TestDb) -> ((), Store, String) {
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
    let cases = kezek::demo::generate(&s.cal, &s.rules, 200, 5, now);
    s.insert_cases(&actor("boss", Role::Supervisor), &cases, now, "demo")
        .expect("insert");
    // An accepted PR case with no notice and no decision yet.
    let number = s
        .queue(&Default::default())
        .expect("queue")
        .into_iter()
        .filter(|r| r.procedure == "pr" && r.status == Status::Accepted)
        .map(|r| r.number)
        .find(|n| {
            let c = s.case(n).expect("case").case;
            c.notices.is_empty() && c.decisions.is_empty()
        })
        .expect("an accepted PR case");
    ((), s, number)
}

fn model(s: &Store, me: Actor, number: &str, now: &str) -> Model {
    let mut m = Model::new(me, at(now));
    m.lang = Lang::En;
    m.world = Some(Arc::new(World {
        cal: s.cal.clone(),
        rules: s.rules.clone(),
    }));
    show(s, &mut m, number);
    m
}

fn show(s: &Store, m: &mut Model, number: &str) {
    let opened = worker::open_case(s, number, m.now).expect("open");
    m.check_ids = opened.check_ids;
    m.screen = Screen::Case(opened.view);
}

fn key(m: &mut Model, code: KeyCode) -> Effect {
    let k = KeyEvent::new(code, KeyModifiers::NONE);
    let action = app::action_for(m, k).expect("a dialog takes every key");
    app::update(m, action)
}

fn set_text(m: &mut Model, field: usize, value: &str) {
    let d = m.dialog.as_mut().expect("dialog");
    match &mut d.fields[field].input {
        Input::Text(s) => *s = value.to_string(),
        other => panic!("field {field} is not text: {other:?}"),
    }
}

fn select_first_ground(m: &mut Model, field: usize) {
    let d = m.dialog.as_mut().expect("dialog");
    match &mut d.fields[field].input {
        Input::Multi(_, on, _) => on[0] = true,
        other => panic!("field {field} is not a list: {other:?}"),
    }
}

fn error(m: &Model) -> String {
    m.dialog
        .as_ref()
        .and_then(|d| d.error.clone())
        .unwrap_or_default()
}

/// Submit the form; on the confirmation page, Enter records it.
fn submit_and_confirm(m: &mut Model) -> (Vec<String>, Change) {
    let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let action = app::action_for(m, ctrl_s).expect("Ctrl-S");
    assert_eq!(app::update(m, action), Effect::None);
    let page = m
        .dialog
        .as_ref()
        .and_then(|d| d.confirm.as_ref())
        .map(|(lines, _)| lines.clone())
        .unwrap_or_else(|| panic!("no confirmation: {}", error(m)));
    match key(m, KeyCode::Enter) {
        Effect::Act(change) => (page, change),
        other => panic!("expected a change, got {other:?}"),
    }
}

fn record(s: &mut Store, me: &Actor, change: Change, now: &str) -> String {
    let templates = kezek::notice::Templates::built_in().expect("templates");
    match worker::apply(s, me, Lang::En, change, at(now), Some(&templates)) {
        Reply::Acted { status, .. } => status,
        other => panic!("{other:?}"),
    }
}

both_engines! {
    fn from_a_hearing_notice_to_an_approved_refusal(t) {
        let (_d, mut s, number) = setup(t);
        let inspector = actor("ivanov", Role::Inspector);
        // Friday 11 December 2026; Wednesday 16 December is Independence Day.
        let friday = "2026-12-11T10:00:00+05:00";
        let mut m = model(&s, inspector.clone(), &number, friday);
        app::update(&mut m, Action::StartDialog(DialogKind::Hearing));
        let d = m.dialog.as_ref().expect("the notice dialog opens");
        // The proposals come from the calendar: the decision three working days
        // on (Mon 14, Tue 15, Thu 17: the holiday is skipped), the hearing within
        // two working days of the notice (Mon 14, Tue 15: the weekend is skipped).
        assert_eq!(d.fields[1].input_text(), "17.12.2026");
        assert_eq!(d.fields[4].input_text(), "15.12.2026 18:30");
        assert!(
            d.info.iter().any(|l| l.contains("11.12.2026 18:30")),
            "{:?}",
            d.info
        );
        select_first_ground(&mut m, 0);
        set_text(&mut m, 5, "каб. 12, ул. Абая 1");
        // A decision on the 15th needs the notice by the 10th: a day too late.
        set_text(&mut m, 1, "15.12.2026");
        key(&mut m, KeyCode::Enter);
        assert!(error(&m).contains("10.12.2026 18:30"), "{}", error(&m));
        // The holiday is not a working day: a hearing on the 16th is refused,
        // naming the last allowed moment.
        set_text(&mut m, 1, "17.12.2026");
        set_text(&mut m, 4, "16.12.2026 10:00");
        key(&mut m, KeyCode::Enter);
        assert!(error(&m).contains("15.12.2026 18:30"), "{}", error(&m));
        // The last allowed day is accepted.
        set_text(&mut m, 4, "15.12.2026 18:00");
        let (page, change) = submit_and_confirm(&mut m);
        assert!(
            page.iter().any(|l| l.contains("15.12.2026 18:00")),
            "{page:?}"
        );
        assert!(
            page.iter().any(|l| l.contains("hearing notice")),
            "{page:?}"
        );
        assert!(matches!(change, Change::Notice { .. }));
        assert_eq!(
            record(&mut s, &inspector, change, friday),
            "Hearing notice recorded. Issued: hearing-notice (ru, kk)"
        );

        // The hearing, on Tuesday the 15th, recorded on Thursday the 17th.
        let thursday = "2026-12-17T11:00:00+05:00";
        let mut m = model(&s, inspector.clone(), &number, thursday);
        app::update(&mut m, Action::StartDialog(DialogKind::Hearing));
        set_text(&mut m, 0, "15.12.2026 17:00");
        key(&mut m, KeyCode::Tab);
        for c in "Не согласен,\nпредставлю справку".chars() {
            key(
                &mut m,
                if c == '\n' {
                    KeyCode::Enter
                } else {
                    KeyCode::Char(c)
                },
            );
        }
        // Esc keeps the form as a draft; reopening restores what was typed.
        key(&mut m, KeyCode::Esc);
        assert!(m.dialog.is_none());
        app::update(&mut m, Action::StartDialog(DialogKind::Hearing));
        let (page, change) = submit_and_confirm(&mut m);
        assert!(
            page.iter().any(|l| l.contains("представлю справку")),
            "{page:?}"
        );
        assert_eq!(
            record(&mut s, &inspector, change, thursday),
            "Hearing recorded."
        );

        // The refusal: grounds with their lifting conditions, then approval.
        let mut m = model(&s, inspector.clone(), &number, thursday);
        app::update(&mut m, Action::StartDialog(DialogKind::Decide));
        key(&mut m, KeyCode::Right); // issue → refuse
        let ground = {
            let d = m.dialog.as_ref().expect("dialog");
            match &d.fields[1].input {
                Input::Multi(o, _, _) => o[0].0.clone(),
                _ => panic!("grounds"),
            }
        };
        select_first_ground(&mut m, 1);
        let (page, change) = submit_and_confirm(&mut m);
        assert!(page.iter().any(|l| l.contains("lifted when")), "{page:?}");
        assert!(
            page.iter().any(|l| l.contains("approval queue")),
            "{page:?}"
        );
        assert!(
            page.iter().any(|l| l.contains("motivated refusal")),
            "{page:?}"
        );
        // The PR conclusion goes to the supervisor with the decision; the
        // refusal notice waits until the refusal is in force.
        assert_eq!(
            record(&mut s, &inspector, change, thursday),
            "Decision recorded. Issued: pr-conclusion (ru, kk)"
        );
        let c = s.case(&number).expect("case").case;
        let d = c.decision().expect("decision");
        assert_eq!(
            d.kind,
            DecisionKind::Refuse {
                grounds: vec![ground]
            }
        );
        assert_eq!(d.approval, ApprovalState::Pending);

        // An inspector cannot approve: the dialog says so, and the store refuses.
        let mut m = model(&s, inspector.clone(), &number, thursday);
        app::update(&mut m, Action::StartDialog(DialogKind::Approve));
        assert!(m.dialog.is_none());
        assert!(m.status.contains("Only a supervisor"), "{}", m.status);
        let seen = s.case(&number).expect("case").row_version;
        let refused = record(
            &mut s,
            &inspector,
            Change::Approve {
                number: number.clone(),
                seen,
            },
            thursday,
        );
        assert!(refused.starts_with("not saved"), "{refused}");

        // The supervisor approves it.
        let boss = actor("akhmetova", Role::Supervisor);
        let mut m = model(&s, boss.clone(), &number, thursday);
        app::update(&mut m, Action::StartDialog(DialogKind::Approve));
        let (_, change) = submit_and_confirm(&mut m);
        let approved = record(&mut s, &boss, change, thursday);
        assert!(
            approved.starts_with("Decision approved. Issued: refusal (ru, kk)"),
            "{approved}"
        );
        let issued = s.notices_of(&number).expect("notices");
        assert!(issued.iter().any(|n| n.kind == "refusal"), "{issued:?}");
        let c = s.case(&number).expect("case").case;
        assert!(matches!(
            c.decision().expect("d").approval,
            ApprovalState::Approved { .. }
        ));
        assert_eq!(c.status, Status::Decided);
    }
}

both_engines! {
    fn a_supervisor_returns_a_decision_only_with_a_comment_and_auditors_get_no_dialog(t) {
        let (_d, mut s, number) = setup(t);
        let boss = actor("akhmetova", Role::Supervisor);
        let auditor = actor("audit", Role::Auditor);
        let mut m = model(&s, auditor, &number, "2026-12-11T10:00:00+05:00");
        for kind in [DialogKind::Hearing, DialogKind::Decide, DialogKind::Approve] {
            app::update(&mut m, Action::StartDialog(kind));
            assert!(m.dialog.is_none());
        }
        assert!(m.status.to_lowercase().contains("auditor"), "{}", m.status);
        // Nothing waits for approval yet: the dialog says so instead of opening.
        let mut m = model(&s, boss.clone(), &number, "2026-12-11T10:00:00+05:00");
        app::update(&mut m, Action::StartDialog(DialogKind::Approve));
        assert!(m.dialog.is_none());
        assert!(m.status.contains("No decision"), "{}", m.status);

        // A decision waiting for approval: the queue says so; returned without
        // a comment is refused; with one, the inspector's queue shows it.
        let waiting = s
            .queue(&Default::default())
            .expect("queue")
            .into_iter()
            .find(|r| r.approval.as_deref() == Some("pending"))
            .expect("the demo has a decision waiting for approval");
        let now = "2026-11-20T12:00:00+05:00";
        let mut m = model(&s, boss.clone(), &waiting.number, now);
        app::update(&mut m, Action::StartDialog(DialogKind::Approve));
        key(&mut m, KeyCode::Right); // approve → return
        let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        let action = app::action_for(&m, ctrl_s).expect("Ctrl-S");
        app::update(&mut m, action);
        assert!(error(&m).contains("comment"), "{}", error(&m));
        key(&mut m, KeyCode::Tab);
        for c in "Нет ответа КНБ".chars() {
            key(&mut m, KeyCode::Char(c));
        }
        let (page, change) = submit_and_confirm(&mut m);
        assert!(
            page.iter().any(|l| l.contains("Нет ответа КНБ")),
            "{page:?}"
        );
        assert_eq!(
            record(&mut s, &boss, change, now),
            "Decision returned to its author."
        );
        let row = s
            .queue(&Default::default())
            .expect("queue")
            .into_iter()
            .find(|r| r.number == waiting.number)
            .expect("still in the queue");
        assert_eq!(row.approval.as_deref(), Some("returned"));
        let mut q = Model::new(actor("ivanov", Role::Inspector), at(now));
        q.lang = Lang::En;
        q.set_rows(kezek::app::queue::Queue::from(&[row][..]));
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).expect("t");
        let ui = kezek::ui::Ui {
            cal: &s.cal,
            rules: &s.rules,
            theme: kezek::ui::Theme::monochrome(),
        };
        term.draw(|f| kezek::ui::draw(f, &mut q, &ui))
            .expect("draw");
        let text: String = term
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(text.contains("↩ returned"), "{text}");
    }
}

trait InputText {
    fn input_text(&self) -> String;
}

impl InputText for kezek::app::dialog::Field {
    fn input_text(&self) -> String {
        match &self.input {
            Input::Text(s) => s.clone(),
            _ => String::new(),
        }
    }
}

/// The choice field's options, by value.
fn choose(m: &mut Model, field: usize, value: &str) {
    let d = m.dialog.as_mut().expect("dialog");
    match &mut d.fields[field].input {
        Input::Choice(o, at) => {
            *at = o
                .iter()
                .position(|(v, _)| v == value)
                .unwrap_or_else(|| panic!("no option {value} in {o:?}"));
        }
        other => panic!("field {field} is not a choice: {other:?}"),
    }
}

#[test]
fn issue_duplicate_refuse_to_accept_and_annul_end_to_end() {
    let t = engines::TestDb::sqlite();
    let (_, mut s, _) = setup(&t);
    let now = "2026-11-20T12:00:00+05:00";
    let inspector = actor("ivanov", Role::Inspector);
    let boss = actor("akhmetova", Role::Supervisor);
    let rows = s.queue(&Default::default()).expect("queue");
    let every_case: Vec<String> = {
        let conn = rusqlite::Connection::open(t.path()).expect("sqlite");
        let mut st = conn
            .prepare("SELECT number FROM cases ORDER BY number")
            .expect("sql");
        st.query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("numbers")
    };

    // Issue an RVP once every check has passed, then a duplicate of it.
    let rvp = rows
        .iter()
        .filter(|r| r.procedure == "rvp" && r.status == Status::Accepted && r.approval.is_none())
        .map(|r| r.number.clone())
        .next()
        .expect("an accepted RVP");
    let ids = worker::open_case(&s, &rvp, at(now))
        .expect("open")
        .check_ids;
    for check in ids {
        let seen = s.case(&rvp).expect("case").row_version;
        let change = Change::RecordCheck {
            number: rvp.clone(),
            seen,
            check,
            outcome: kezek::domain::case::Outcome::Passed,
            note: String::new(),
        };
        record(&mut s, &inspector, change, now);
    }
    let mut m = model(&s, inspector.clone(), &rvp, now);
    app::update(&mut m, Action::StartDialog(DialogKind::Decide));
    choose(&mut m, 0, "issue");
    let (page, change) = submit_and_confirm(&mut m);
    assert!(
        page.iter().any(|l| l.contains("Issue the permit")),
        "{page:?}"
    );
    let status = record(&mut s, &inspector, change, now);
    assert!(status.starts_with("Decision recorded."), "{status}");
    let c = s.case(&rvp).expect("case").case;
    assert_eq!(
        c.decision().map(|d| d.kind.clone()),
        Some(DecisionKind::Issue)
    );
    let mut m = model(&s, inspector.clone(), &rvp, now);
    app::update(&mut m, Action::StartDialog(DialogKind::Decide));
    if c.decision().is_some_and(|d| d.in_effect()) {
        choose(&mut m, 0, "duplicate");
        choose(&mut m, 2, "loss");
        let (page, change) = submit_and_confirm(&mut m);
        assert!(page.iter().any(|l| l.contains("duplicate RVP")), "{page:?}");
        assert_eq!(
            record(&mut s, &inspector, change, now),
            "Duplicate recorded."
        );
        assert_eq!(s.case(&rvp).expect("case").case.duplicates.len(), 1);
    }

    // Refuse to accept: a complete package cannot be refused (the store
    // says why); one with its documents missing can.
    let complete = rows
        .iter()
        .find(|r| r.status == Status::Received)
        .map(|r| r.number.clone())
        .expect("a received application");
    let mut m = model(&s, inspector.clone(), &complete, now);
    app::update(&mut m, Action::StartDialog(DialogKind::Decide));
    // A received application offers acceptance first.
    choose(&mut m, 0, "refuse_to_accept");
    let (_, change) = submit_and_confirm(&mut m);
    let status = record(&mut s, &inspector, change, now);
    assert!(status.starts_with("not saved"), "{status}");
    let mut extra = kezek::demo::generate(&s.cal, &s.rules, 60, 99, at(now))
        .into_iter()
        .find(|c| c.status == Status::Received)
        .expect("a received application");
    extra.number = "2026-RVP-99999".into();
    extra.documents.clear();
    s.insert_cases(&boss, &[extra], at(now), "test")
        .expect("insert");
    let received = s.case("2026-RVP-99999").expect("case").case;
    let mut m = model(&s, inspector.clone(), &received.number, now);
    app::update(&mut m, Action::StartDialog(DialogKind::Decide));
    choose(&mut m, 0, "refuse_to_accept");
    let (page, change) = submit_and_confirm(&mut m);
    assert!(
        page.iter().any(|l| l.contains("Refuse to accept")),
        "{page:?}"
    );
    let status = record(&mut s, &inspector, change, now);
    assert!(
        status.starts_with("Decision recorded. Issued: refusal-to-accept (ru, kk)"),
        "{status}"
    );
    assert_eq!(
        s.case(&received.number).expect("case").case.status,
        Status::RefusedToAccept
    );

    // Annul a PR in force: after approval the exit deadline opens.
    let pr = every_case
        .iter()
        .map(|n| s.case(n).expect("case").case)
        .find(|c| {
            c.procedure == "pr"
                && c.standing_decision()
                    .is_some_and(|d| d.in_effect() && d.kind == DecisionKind::Issue)
        });
    let Some(pr) = pr else {
        panic!("the demo has no PR in force to annul");
    };
    let mut m = model(&s, inspector.clone(), &pr.number, now);
    app::update(&mut m, Action::StartDialog(DialogKind::Decide));
    choose(&mut m, 0, "annul");
    select_first_ground(&mut m, 1);
    let (page, change) = submit_and_confirm(&mut m);
    assert!(
        page.iter().any(|l| l.contains("30 calendar days")),
        "{page:?}"
    );
    let status = record(&mut s, &inspector, change, now);
    assert!(status.starts_with("Decision recorded."), "{status}");
    let mut m = model(&s, boss.clone(), &pr.number, now);
    app::update(&mut m, Action::StartDialog(DialogKind::Approve));
    let (_, change) = submit_and_confirm(&mut m);
    let status = record(&mut s, &boss, change, now);
    assert!(status.contains("annulment (ru, kk)"), "{status}");
    let c = s.case(&pr.number).expect("case").case;
    let v = s
        .rules
        .procedure("pr")
        .expect("pr")
        .version(&c.version)
        .expect("v");
    let open = kezek::domain::urgency::open_deadlines(&c, v, &s.cal).expect("deadlines");
    assert!(
        open.iter()
            .any(|d| d.kind == kezek::domain::urgency::DeadlineKind::ExitAfterAnnulment),
        "{open:?}"
    );
}

both_engines! {
    fn on_a_day_off_the_proposed_decision_day_counts_from_the_next_working_day(t) {
        let (_d, mut s, number) = setup(t);
        let inspector = actor("ivanov", Role::Inspector);
        // Saturday 12.12.2026: the notice counts from Monday the 14th, so the
        // decision can come three working days later: 15, 17 (16 is a holiday), 18.
        let saturday = "2026-12-12T10:00:00+05:00";
        let mut m = model(&s, inspector.clone(), &number, saturday);
        app::update(&mut m, Action::StartDialog(DialogKind::Hearing));
        assert_eq!(
            m.dialog.as_ref().expect("dialog").fields[1].input_text(),
            "18.12.2026"
        );
        select_first_ground(&mut m, 0);
        set_text(&mut m, 5, "каб. 12");
        // The proposals as they stand pass the domain's check.
        let (_, change) = submit_and_confirm(&mut m);
        let status = record(&mut s, &inspector, change, saturday);
        assert!(status.starts_with("Hearing notice recorded."), "{status}");
    }
}
