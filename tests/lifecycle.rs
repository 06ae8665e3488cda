//! The case lifecycle with a fixed clock: every term of spec/procedures.md,
//! the hearing window, approvals and roles, computed checks and urgency.

use chrono::{DateTime, NaiveDate, Utc};
use kezek::domain::calendar::Calendar;
use kezek::domain::case::{
    self, Actor, Case, CaseQueries, CaseRef, ComplaintTo, Ctx, DecisionKind, Document,
    DuplicateReason, LateException, NoticeChannel, NoticeInput, Outcome, Person, Status,
};
use kezek::domain::checks;
use kezek::domain::procedure::{Channel, Role, RuleVersion, Rules};
use kezek::domain::urgency::{self, DeadlineKind, RankKey};
use std::sync::OnceLock;

fn cal() -> &'static Calendar {
    static C: OnceLock<Calendar> = OnceLock::new();
    C.get_or_init(|| Calendar::built_in().expect("calendar"))
}

fn rules() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(|| Rules::built_in().expect("rules"))
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn inspector() -> Actor {
    Actor {
        login: "ivanov".into(),
        role: Role::Inspector,
    }
}

fn supervisor() -> Actor {
    Actor {
        login: "akhmetova".into(),
        role: Role::Supervisor,
    }
}

fn auditor() -> Actor {
    Actor {
        login: "audit".into(),
        role: Role::Auditor,
    }
}

#[derive(Default)]
struct Fake {
    household: Vec<CaseRef>,
    pending_pr: Option<CaseRef>,
    last_pr_refusal: Option<(String, NaiveDate)>,
}

impl CaseQueries for Fake {
    fn household_rvps_of_employer(
        &self,
        _employer: &str,
        _day: NaiveDate,
        except: &str,
    ) -> Vec<CaseRef> {
        self.household
            .iter()
            .filter(|c| c.number != except)
            .cloned()
            .collect()
    }
    fn pending_pr_of(&self, _person: &str, except: &str) -> Option<CaseRef> {
        self.pending_pr.clone().filter(|c| c.number != except)
    }
    fn last_pr_refusal_or_annulment(&self, _person: &str) -> Option<(String, NaiveDate)> {
        self.last_pr_refusal.clone()
    }
}

fn person() -> Person {
    Person {
        key: "N1234567".into(),
        name: "Petrov Ivan".into(),
        // Synthetic: century digit 1 (born in the 1800s), never a living person.
        iin: Some(iin_with_prefix("850615100")),
        birth_date: None,
        citizenship: "RUS".into(),
    }
}

/// A valid IIN starting with `prefix` (9 digits).
fn iin_with_prefix(prefix: &str) -> String {
    let mut digits = [0u8; 11];
    for (o, b) in digits.iter_mut().zip(prefix.bytes()) {
        *o = b - b'0';
    }
    for serial in 0..100u8 {
        digits[9] = serial / 10;
        digits[10] = serial % 10;
        if let Some(k) = kezek::domain::iin::check_digit(&digits) {
            return digits
                .iter()
                .chain([k].iter())
                .map(|x| x.to_string())
                .collect();
        }
    }
    unreachable!("some serial gives a check digit")
}

fn version(procedure: &str, day: &str) -> &'static RuleVersion {
    rules()
        .version_at(procedure, d(day))
        .expect("version in force")
}

/// A received case with every required document of its purpose, valid for a year.
fn new_case(procedure: &str, received: &str, purpose: Option<&str>) -> Case {
    let received_at = at(received);
    let day = kezek::domain::term::local(cal(), received_at).date();
    let v = version(procedure, &day.to_string());
    let mut c = Case::received(
        format!("2026-{}-00001", procedure.to_uppercase()),
        procedure,
        v,
        v.channels.first().copied().unwrap_or(Channel::Office),
        received_at,
        person(),
    );
    c.purpose = purpose.map(str::to_string);
    for doc in v.documents.iter().filter(|x| x.applies_to(purpose)) {
        c.documents.push(Document {
            kind: doc.id.clone(),
            number: format!("{}-1", doc.id),
            valid_until: Some(day + chrono::Duration::days(365)),
        });
    }
    c
}

fn ctx<'a>(c: &'a Case, actor: &'a Actor, now: &str) -> Ctx<'a> {
    let v = rules()
        .procedure(&c.procedure)
        .expect("procedure")
        .version(&c.version)
        .expect("version");
    Ctx {
        cal: cal(),
        version: v,
        actor,
        now: at(now),
    }
}

fn run(c: &mut Case, r: Result<Vec<case::Event>, case::Violation>) {
    let events = r.expect("transition allowed");
    let v = rules()
        .procedure(&c.procedure)
        .expect("procedure")
        .version(&c.version)
        .expect("version");
    case::apply_all(c, v, &events);
}

fn accepted(procedure: &str, received: &str, purpose: Option<&str>) -> Case {
    let mut c = new_case(procedure, received, purpose);
    let a = inspector();
    let r = case::accept(&c, &ctx(&c, &a, received), &Fake::default(), None);
    run(&mut c, r);
    c
}

fn deadlines(c: &Case) -> Vec<urgency::CaseDeadline> {
    let v = rules()
        .procedure(&c.procedure)
        .unwrap()
        .version(&c.version)
        .unwrap();
    urgency::open_deadlines(c, v, cal()).expect("deadlines")
}

fn deadline_of(c: &Case, kind: &DeadlineKind) -> urgency::CaseDeadline {
    deadlines(c)
        .into_iter()
        .find(|x| &x.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} deadline in {:?}", deadlines(c)))
}

// ---------------------------------------------------------------------------

#[test]
fn all_five_procedures_load_with_versions() {
    let r = rules();
    for id in ["registration", "rvp", "pr", "exit", "border_zone"] {
        let p = r.procedure(id).expect(id);
        assert!(!p.versions.is_empty(), "{id}");
    }
    assert!(r.procedure("exit").unwrap().versions.len() >= 2);
    assert!(r.procedure("registration").unwrap().versions.len() >= 2);
    // The version in force on the acceptance date governs.
    assert_ne!(
        version("exit", "2026-07-11").id,
        version("exit", "2026-07-12").id
    );
    assert!(r.version_at("border_zone", d("2026-01-01")).is_err());
    assert!(r.version_at("border_zone", d("2018-01-01")).is_ok());
}

#[test]
fn rvp_service_term_is_one_working_day_from_acceptance() {
    // Received Fri 20.11.2026 17:45: accepted Mon 23.11 (order 992 §8), due Tue 24.11 18:30.
    let c = accepted("rvp", "2026-11-20T17:45:00+05:00", Some("work"));
    assert_eq!(c.acceptance_day, Some(d("2026-11-23")));
    let s = deadline_of(&c, &DeadlineKind::Service);
    assert_eq!(s.due, at("2026-11-24T18:30:00+05:00"));
    assert_eq!(
        s.explanation,
        "service term: 1 working day from acceptance Mon 23.11.2026 09:00 +05:00 → Tue 24.11.2026 18:30 +05:00"
    );
}

#[test]
fn acceptance_is_refused_for_an_incomplete_package_or_an_expired_document() {
    let a = inspector();
    let mut c = new_case("rvp", "2026-11-16T10:00:00+05:00", Some("work"));
    let removed = c.documents.remove(0);
    let err = case::accept(
        &c,
        &ctx(&c, &a, "2026-11-16T10:00:00+05:00"),
        &Fake::default(),
        None,
    )
    .unwrap_err();
    assert!(
        err.message
            .to_string()
            .contains(&format!("missing document “{}”", removed.kind)),
        "{err}"
    );
    let r = case::refuse_to_accept(
        &c,
        &ctx(&c, &a, "2026-11-16T10:05:00+05:00"),
        &Fake::default(),
    );
    run(&mut c, r);
    assert_eq!(c.status, Status::RefusedToAccept);

    // An expired document: valid until the day before acceptance.
    let mut c = new_case("rvp", "2026-11-16T10:00:00+05:00", Some("work"));
    let v = version("rvp", "2026-11-16");
    let expiring = v
        .documents
        .iter()
        .find(|x| x.expires && x.applies_to(Some("work")))
        .expect("an expiring document");
    for doc in c.documents.iter_mut().filter(|x| x.kind == expiring.id) {
        doc.valid_until = Some(d("2026-11-15"));
    }
    let err = case::accept(
        &c,
        &ctx(&c, &a, "2026-11-16T10:00:00+05:00"),
        &Fake::default(),
        None,
    )
    .unwrap_err();
    assert!(
        err.message
            .to_string()
            .contains("expired on Sun 15.11.2026"),
        "{err}"
    );
    // Valid through the acceptance day itself is fine.
    for doc in c.documents.iter_mut().filter(|x| x.kind == expiring.id) {
        doc.valid_until = Some(d("2026-11-16"));
    }
    assert!(
        case::accept(
            &c,
            &ctx(&c, &a, "2026-11-16T10:00:00+05:00"),
            &Fake::default(),
            None
        )
        .is_ok()
    );
    // And a complete package cannot be refused acceptance.
    assert!(
        case::refuse_to_accept(
            &c,
            &ctx(&c, &a, "2026-11-16T10:00:00+05:00"),
            &Fake::default()
        )
        .is_err()
    );
}

#[test]
fn late_rvp_acceptance_needs_one_of_the_two_exceptions() {
    let a = inspector();
    // Crossed 01.08.2026 (day 1): the 90th day is Thu 29.10.2026.
    let on_last_day = {
        let mut c = new_case("rvp", "2026-10-29T10:00:00+05:00", Some("work"));
        c.entry_date = Some(d("2026-08-01"));
        c
    };
    assert!(
        case::accept(
            &on_last_day,
            &ctx(&on_last_day, &a, "2026-10-29T10:00:00+05:00"),
            &Fake::default(),
            None
        )
        .is_ok()
    );

    let mut c = new_case("rvp", "2026-10-30T10:00:00+05:00", Some("work"));
    c.entry_date = Some(d("2026-08-01"));
    let cx = ctx(&c, &a, "2026-10-30T10:00:00+05:00");
    let err = case::accept(&c, &cx, &Fake::default(), None).unwrap_err();
    assert!(
        err.message.to_string().contains("ended on Thu 29.10.2026"),
        "{err}"
    );
    assert!(err.rule.to_string().contains("§9-1"), "{err}");
    // Seed 002 §9-1 (2): art. 517 for not leaving within "не превышающего
    // десять суток" after the stay: kezek counts the overstay from the
    // entry date itself; whatever was typed is replaced by the count.
    let ok = LateException::Art517 {
        ruling: "ruling 17 of 30.10.2026".into(),
        overstay_days: 0,
    };
    let events =
        case::accept(&c, &cx, &Fake::default(), Some(ok.clone())).expect("within the window");
    assert!(matches!(
        &events[0],
        case::Event::Accepted {
            late: Some(LateException::Art517 {
                overstay_days: 1,
                ..
            }),
            ..
        }
    ));
    // Received Mon 09.11: 11 days after the stay ended, whatever the ruling says.
    let mut eleven = new_case("rvp", "2026-11-09T10:00:00+05:00", Some("work"));
    eleven.entry_date = Some(d("2026-08-01"));
    let too_long = LateException::Art517 {
        ruling: "ruling 18".into(),
        overstay_days: 3,
    };
    let err = case::accept(
        &eleven,
        &ctx(&eleven, &a, "2026-11-09T10:00:00+05:00"),
        &Fake::default(),
        Some(too_long),
    )
    .unwrap_err();
    assert!(err.message.to_string().contains("11"), "{err}");
    let failure = LateException::SystemFailure {
        act: "act 5 of 28.10.2026".into(),
    };
    assert!(case::accept(&c, &cx, &Fake::default(), Some(failure)).is_ok());
    let empty = LateException::SystemFailure { act: " ".into() };
    assert!(case::accept(&c, &cx, &Fake::default(), Some(empty)).is_err());
    run(&mut c, Ok(events));
    assert_eq!(
        c.late_acceptance,
        Some(LateException::Art517 {
            ruling: "ruling 17 of 30.10.2026".into(),
            overstay_days: 1
        })
    );
}

#[test]
fn pr_reapplication_is_blocked_for_one_year() {
    let a = inspector();
    let fake = Fake {
        last_pr_refusal: Some(("2025-PR-00007".into(), d("2025-11-24"))),
        ..Fake::default()
    };
    let c = new_case("pr", "2026-11-23T10:00:00+05:00", None);
    let err = case::accept(&c, &ctx(&c, &a, "2026-11-23T10:00:00+05:00"), &fake, None).unwrap_err();
    assert!(
        err.message
            .to_string()
            .contains("possible from Tue 24.11.2026"),
        "{err}"
    );
    assert_eq!(err.earliest, Some(at("2026-11-24T09:00:00+05:00")));
    let c = new_case("pr", "2026-11-24T10:00:00+05:00", None);
    assert!(case::accept(&c, &ctx(&c, &a, "2026-11-24T10:00:00+05:00"), &fake, None).is_ok());
    // 29 February: the first possible day a year later is 1 March.
    assert_eq!(
        case::reapplication_possible_from(version("pr", "2026-01-01"), d("2024-02-29")),
        Some(d("2025-03-01"))
    );
}

#[test]
fn pr_timeline_chains_stages_from_the_actual_or_planned_end() {
    // Accepted Mon 02.11.2026; stages of 2, 5, 7, 25, 10, 3 calendar days.
    let mut c = accepted("pr", "2026-11-02T10:00:00+05:00", None);
    let v = version("pr", "2026-11-02");
    let terms: Vec<u32> = v.stages.iter().map(|s| s.term.days).collect();
    assert_eq!(terms, vec![2, 5, 7, 25, 10, 3]);
    let plan = urgency::stage_plan(&c, v, cal()).unwrap();
    let due: Vec<String> = plan.iter().map(|p| p.due_day.to_string()).collect();
    // 02.11+2 = Wed 04.11; +5 = Mon 09.11; +7 = Mon 16.11; +25 = Fri 11.12;
    // +10 = Mon 21.12; +3 = Thu 24.12.
    assert_eq!(
        due,
        vec![
            "2026-11-04",
            "2026-11-09",
            "2026-11-16",
            "2026-12-11",
            "2026-12-21",
            "2026-12-24"
        ]
    );
    assert_eq!(plan[0].due, at("2026-11-04T23:59:59+05:00"));

    // Stage 1 done early, Tue 03.11: stage 2 runs from 03.11, +5 = Sun 08.11 → Mon 09.11.
    let a = inspector();
    let s1 = v.stages[0].id.clone();
    let r = case::complete_stage(
        &c,
        &ctx(&c, &a, "2026-11-03T15:00:00+05:00"),
        &s1,
        at("2026-11-03T15:00:00+05:00"),
    );
    run(&mut c, r);
    let plan = urgency::stage_plan(&c, v, cal()).unwrap();
    assert_eq!(plan[1].from_day, d("2026-11-03"));
    assert_eq!(plan[1].due_day, d("2026-11-09"));
    // Stage 2 done Fri 06.11: stage 3 = 06.11 + 7 = Fri 13.11.
    let s2 = v.stages[1].id.clone();
    let r = case::complete_stage(
        &c,
        &ctx(&c, &a, "2026-11-06T11:00:00+05:00"),
        &s2,
        at("2026-11-06T11:00:00+05:00"),
    );
    run(&mut c, r);
    let plan = urgency::stage_plan(&c, v, cal()).unwrap();
    assert_eq!(plan[2].due_day, d("2026-11-13"));
    // The first open stage is the one in the queue.
    let stage = deadlines(&c)
        .into_iter()
        .find(|x| matches!(x.kind, DeadlineKind::Stage(_)))
        .expect("open stage");
    assert_eq!(stage.kind, DeadlineKind::Stage(v.stages[2].id.clone()));
    assert_eq!(stage.due_day, d("2026-11-13"));
    // Stages are sequential and cannot be completed in the future.
    let s4 = v.stages[3].id.clone();
    assert!(
        case::complete_stage(
            &c,
            &ctx(&c, &a, "2026-11-09T10:00:00+05:00"),
            &s4,
            at("2026-11-09T10:00:00+05:00")
        )
        .is_err()
    );
    let s3 = v.stages[2].id.clone();
    assert!(
        case::complete_stage(
            &c,
            &ctx(&c, &a, "2026-11-09T10:00:00+05:00"),
            &s3,
            at("2026-11-10T10:00:00+05:00")
        )
        .is_err()
    );
}

#[test]
fn a_calendar_day_stage_ending_on_a_holiday_rolls_to_the_next_working_day() {
    // PR accepted Sun... received Fri 04.12.2026 10:00: stage 1 = 04.12 + 2 = Sun 06.12 → Mon 07.12.
    let c = accepted("pr", "2026-12-04T10:00:00+05:00", None);
    let v = version("pr", "2026-12-04");
    let plan = urgency::stage_plan(&c, v, cal()).unwrap();
    assert_eq!(plan[0].due_day, d("2026-12-07"));
    // Stage 2: 07.12 + 5 = Sat 12.12 → Mon 14.12; stage 3: 14.12 + 7 = Mon 21.12.
    assert_eq!(plan[1].due_day, d("2026-12-14"));
    assert_eq!(plan[2].due_day, d("2026-12-21"));
}

fn notice(sent: &str, hearing: &str, planned: &str, ground: &str) -> NoticeInput {
    NoticeInput {
        sent_at: at(sent),
        channel: NoticeChannel::InPerson,
        hearing_at: at(hearing),
        place: "Astana, UMP, room 12".into(),
        planned_decision: d(planned),
        grounds: vec![ground.to_string()],
    }
}

fn first_ground(c: &Case) -> String {
    let v = rules()
        .procedure(&c.procedure)
        .unwrap()
        .version(&c.version)
        .unwrap();
    v.grounds[0].id.clone()
}

#[test]
fn hearing_notice_window_edges() {
    let a = inspector();
    let c = accepted("pr", "2026-11-16T10:00:00+05:00", None);
    let g = first_ground(&c);
    // Decision planned Fri 27.11: notice by Tue 24.11 18:30 (3 working days before).
    let now = "2026-11-25T12:00:00+05:00";
    let last_allowed = notice(
        "2026-11-24T18:00:00+05:00",
        "2026-11-25T10:00:00+05:00",
        "2026-11-27",
        &g,
    );
    assert!(case::send_hearing_notice(&c, &ctx(&c, &a, now), last_allowed).is_ok());
    let a_day_late = notice(
        "2026-11-25T09:00:00+05:00",
        "2026-11-25T11:00:00+05:00",
        "2026-11-27",
        &g,
    );
    let err = case::send_hearing_notice(&c, &ctx(&c, &a, now), a_day_late).unwrap_err();
    assert_eq!(err.latest, Some(at("2026-11-24T18:30:00+05:00")));
    assert!(
        err.message.to_string().contains("Tue 24.11.2026 18:30"),
        "{err}"
    );

    // Across a weekend: decision Mon 30.11 → notice by Wed 25.11.
    let ok = notice(
        "2026-11-25T12:00:00+05:00",
        "2026-11-25T12:00:00+05:00",
        "2026-11-30",
        &g,
    );
    assert!(case::send_hearing_notice(&c, &ctx(&c, &a, now), ok).is_ok());
    let late = notice(
        "2026-11-25T12:00:00+05:00",
        "2026-11-25T12:00:00+05:00",
        "2026-11-27",
        &g,
    );
    assert!(case::send_hearing_notice(&c, &ctx(&c, &a, now), late).is_err());

    // The hearing within 2 working days of the notice: Tue 24.11 → by Thu 26.11 18:30.
    let now = "2026-11-24T18:10:00+05:00";
    let hearing_too_late = notice(
        "2026-11-24T18:00:00+05:00",
        "2026-11-27T10:00:00+05:00",
        "2026-11-30",
        &g,
    );
    let err = case::send_hearing_notice(&c, &ctx(&c, &a, now), hearing_too_late).unwrap_err();
    assert_eq!(err.latest, Some(at("2026-11-26T18:30:00+05:00")));
    let hearing_last_day = notice(
        "2026-11-24T18:00:00+05:00",
        "2026-11-26T18:00:00+05:00",
        "2026-11-30",
        &g,
    );
    assert!(case::send_hearing_notice(&c, &ctx(&c, &a, now), hearing_last_day).is_ok());
    // Grounds are required and must be the procedure's own.
    let mut no_ground = notice(
        "2026-11-24T18:00:00+05:00",
        "2026-11-26T10:00:00+05:00",
        "2026-11-30",
        &g,
    );
    no_ground.grounds.clear();
    assert!(case::send_hearing_notice(&c, &ctx(&c, &a, now), no_ground).is_err());
    let bogus = notice(
        "2026-11-24T18:00:00+05:00",
        "2026-11-26T10:00:00+05:00",
        "2026-11-30",
        "no_such_ground",
    );
    assert!(case::send_hearing_notice(&c, &ctx(&c, &a, now), bogus).is_err());
}

#[test]
fn hearing_window_across_a_holiday() {
    let a = inspector();
    let c = accepted("pr", "2026-03-16T10:00:00+05:00", None);
    let g = first_ground(&c);
    // Decision Thu 26.03.2026: 20, 19, 18 → notice by Wed 18.03 18:30.
    let now = "2026-03-19T12:00:00+05:00";
    let late = notice(
        "2026-03-19T10:00:00+05:00",
        "2026-03-19T11:00:00+05:00",
        "2026-03-26",
        &g,
    );
    let err = case::send_hearing_notice(&c, &ctx(&c, &a, now), late).unwrap_err();
    assert_eq!(err.latest, Some(at("2026-03-18T18:30:00+05:00")));
    // A notice on Thu 19.03: the hearing may be as late as Thu 26.03 (20.03, then 26.03).
    let ok = notice(
        "2026-03-19T10:00:00+05:00",
        "2026-03-26T17:00:00+05:00",
        "2026-03-31",
        &g,
    );
    let mut c2 = c.clone();
    let r = case::send_hearing_notice(&c2, &ctx(&c2, &a, now), ok);
    run(&mut c2, r);
    let h = deadline_of(&c2, &DeadlineKind::Hearing);
    assert_eq!(h.due, at("2026-03-26T18:30:00+05:00"));
    // Holding it on Fri 27.03 is too late; on Thu 26.03 it is in time.
    assert!(
        case::hold_hearing(
            &c2,
            &ctx(&c2, &a, "2026-03-27T12:00:00+05:00"),
            at("2026-03-27T10:00:00+05:00"),
            "",
            true
        )
        .is_err()
    );
    assert!(
        case::hold_hearing(
            &c2,
            &ctx(&c2, &a, "2026-03-26T18:00:00+05:00"),
            at("2026-03-26T17:00:00+05:00"),
            "",
            true
        )
        .is_ok()
    );
}

#[test]
fn refusal_needs_the_hearing_and_the_notice_period() {
    let a = inspector();
    let mut c = accepted("pr", "2026-11-16T10:00:00+05:00", None);
    let g = first_ground(&c);
    let refuse = DecisionKind::Refuse {
        grounds: vec![g.clone()],
    };
    let err = case::decide(
        &c,
        &ctx(&c, &a, "2026-11-17T10:00:00+05:00"),
        refuse.clone(),
    )
    .unwrap_err();
    assert!(err.rule.to_string().contains("hearing"), "{err}");
    let r = case::send_hearing_notice(
        &c,
        &ctx(&c, &a, "2026-11-24T12:00:00+05:00"),
        notice(
            "2026-11-24T12:00:00+05:00",
            "2026-11-26T10:00:00+05:00",
            "2026-11-27",
            &g,
        ),
    );
    run(&mut c, r);
    // Thu 26.11 after the hearing: still within the 3 working days of notice → from Fri 27.11.
    let r = case::hold_hearing(
        &c,
        &ctx(&c, &a, "2026-11-26T11:00:00+05:00"),
        at("2026-11-26T10:00:00+05:00"),
        "disagrees",
        false,
    );
    run(&mut c, r);
    let err = case::decide(
        &c,
        &ctx(&c, &a, "2026-11-26T16:00:00+05:00"),
        refuse.clone(),
    )
    .unwrap_err();
    assert_eq!(err.earliest, Some(at("2026-11-27T09:00:00+05:00")));
    let r = case::decide(&c, &ctx(&c, &a, "2026-11-27T10:00:00+05:00"), refuse);
    run(&mut c, r);
    assert_eq!(
        c.decision().map(|d| d.approval.clone()),
        Some(case::ApprovalState::Pending),
        "a PR conclusion waits for the supervisor (order 992 §15)"
    );
}

#[test]
fn issue_needs_every_applicable_check_passed() {
    let a = inspector();
    let mut c = accepted("rvp", "2026-11-16T10:00:00+05:00", Some("work"));
    let v = version("rvp", "2026-11-16");
    let now = "2026-11-17T10:00:00+05:00";
    assert!(case::decide(&c, &ctx(&c, &a, now), DecisionKind::Issue).is_err());
    for chk in &v.checks {
        let outcome = if chk.applies_to(Some("work")) {
            Outcome::Passed
        } else {
            Outcome::NotApplicable
        };
        let r = case::record_check(&c, &ctx(&c, &a, now), &chk.id, outcome, "");
        run(&mut c, r);
    }
    // The quota check applies to household work only.
    let quota = v
        .checks
        .iter()
        .find(|x| x.computed == Some(kezek::domain::procedure::Computed::DomesticWorkerQuota))
        .expect("quota check");
    assert!(!quota.applies_to(Some("work")));
    assert!(case::record_check(&c, &ctx(&c, &a, now), &quota.id, Outcome::Passed, "").is_err());
    let r = case::decide(&c, &ctx(&c, &a, now), DecisionKind::Issue);
    run(&mut c, r);
    assert_eq!(c.status, Status::Decided);
    // A duplicate after damage or loss, for an RVP only.
    assert!(case::issue_duplicate(&c, &ctx(&c, &a, now), DuplicateReason::Loss).is_ok());
    let pr = accepted("pr", "2026-11-16T10:00:00+05:00", None);
    assert!(case::issue_duplicate(&pr, &ctx(&pr, &a, now), DuplicateReason::Loss).is_err());
}

fn pass_all(c: &mut Case, a: &Actor, now: &str) {
    let v = rules()
        .procedure(&c.procedure)
        .unwrap()
        .version(&c.version)
        .unwrap()
        .clone();
    for chk in &v.checks {
        let outcome = if chk.applies_to(c.purpose.as_deref()) {
            Outcome::Passed
        } else {
            Outcome::NotApplicable
        };
        let r = case::record_check(c, &ctx(c, a, now), &chk.id, outcome, "");
        run(c, r);
    }
}

#[test]
fn pr_conclusion_needs_a_supervisor_and_annulment_sets_the_exit_term() {
    let (i, s, au) = (inspector(), supervisor(), auditor());
    let mut c = accepted("pr", "2026-09-01T10:00:00+05:00", None);
    let now = "2026-10-20T10:00:00+05:00";
    pass_all(&mut c, &i, now);
    let r = case::decide(&c, &ctx(&c, &i, now), DecisionKind::Issue);
    run(&mut c, r);
    assert_eq!(c.status, Status::Accepted, "waits for approval");
    let err = case::approve(&c, &ctx(&c, &i, now)).unwrap_err();
    assert!(
        err.message.to_string().contains("only a supervisor"),
        "{err}"
    );
    assert!(case::approve(&c, &ctx(&c, &au, now)).is_err());
    // Returned with a comment, decided again, approved.
    assert!(case::return_decision(&c, &ctx(&c, &s, now), " ").is_err());
    let r = case::return_decision(&c, &ctx(&c, &s, now), "attach the bank letter");
    run(&mut c, r);
    assert_eq!(c.status, Status::Accepted);
    let r = case::decide(&c, &ctx(&c, &i, now), DecisionKind::Issue);
    run(&mut c, r);
    let r = case::approve(&c, &ctx(&c, &s, "2026-10-21T10:00:00+05:00"));
    run(&mut c, r);
    assert_eq!(c.status, Status::Decided);

    // Annulment, approved Mon 02.11.2026: leave by 02.12 24:00 (30 calendar days).
    let g = first_ground(&c);
    let r = case::annul(&c, &ctx(&c, &i, "2026-11-01T10:00:00+05:00"), vec![g]);
    run(&mut c, r);
    assert!(
        deadlines(&c)
            .iter()
            .all(|x| x.kind != DeadlineKind::ExitAfterAnnulment)
    );
    let r = case::approve(&c, &ctx(&c, &s, "2026-11-02T10:00:00+05:00"));
    run(&mut c, r);
    let exit = deadline_of(&c, &DeadlineKind::ExitAfterAnnulment);
    assert_eq!(exit.due_day, d("2026-12-02"));
    // A day off does not extend it: approved Fri 06.11 → Sun 06.12.
    let mut c2 = c.clone();
    if let Some(last) = c2.decisions.last_mut() {
        last.approval = case::ApprovalState::Approved {
            by: "akhmetova".into(),
            at: at("2026-11-06T10:00:00+05:00"),
        };
    }
    assert_eq!(
        deadline_of(&c2, &DeadlineKind::ExitAfterAnnulment).due_day,
        d("2026-12-06")
    );
}

#[test]
fn exit_service_term_and_hearing_anchored_on_its_end() {
    let a = inspector();
    // Accepted Mon 07.09.2026 under order 348: 20 working days → Mon 05.10 18:30.
    let c = accepted("exit", "2026-09-07T10:00:00+05:00", None);
    assert_eq!(c.version, version("exit", "2026-09-07").id);
    let s = deadline_of(&c, &DeadlineKind::Service);
    assert_eq!(s.due, at("2026-10-05T18:30:00+05:00"));
    // Notice within 3 working days before the end of the service term: by Wed 30.09 18:30.
    let v = version("exit", "2026-09-07");
    let g = v.grounds[0].id.clone();
    let now = "2026-10-01T10:00:00+05:00";
    let late = notice(
        "2026-10-01T09:00:00+05:00",
        "2026-10-02T10:00:00+05:00",
        "2026-10-05",
        &g,
    );
    let err = case::send_hearing_notice(&c, &ctx(&c, &a, now), late).unwrap_err();
    assert_eq!(err.latest, Some(at("2026-09-30T18:30:00+05:00")));

    // With a hearing: notice 30.09, hearing 02.10, refusal from Mon 05.10, then approval.
    let mut with = c.clone();
    let ok = notice(
        "2026-09-30T17:00:00+05:00",
        "2026-10-02T10:00:00+05:00",
        "2026-10-05",
        &g,
    );
    let r = case::send_hearing_notice(&with, &ctx(&with, &a, now), ok);
    run(&mut with, r);
    // Before the hearing the refusal waits for it.
    let early = DecisionKind::Refuse {
        grounds: vec![g.clone()],
    };
    assert!(case::decide(&with, &ctx(&with, &a, "2026-10-01T12:00:00+05:00"), early).is_err());
    let r = case::hold_hearing(
        &with,
        &ctx(&with, &a, "2026-10-02T12:00:00+05:00"),
        at("2026-10-02T10:00:00+05:00"),
        "will pay the debt",
        false,
    );
    run(&mut with, r);
    let refuse = DecisionKind::Refuse { grounds: vec![g] };
    // Seed 003 §9: "Тыңдау нәтижелері бойынша ... нәтижесін береді": the result
    // follows the hearing; the PR gap of 002 §17 (notice three working days
    // before the act) is not in order 348, so the refusal may follow the same day.
    let r = case::decide(&with, &ctx(&with, &a, "2026-10-02T15:00:00+05:00"), refuse);
    run(&mut with, r);
    assert_eq!(
        with.decision().map(|x| &x.approval),
        Some(&case::ApprovalState::Pending)
    );

    // Without a hearing: every check passed, issued, approved.
    let mut without = c.clone();
    pass_all(&mut without, &a, "2026-09-20T10:00:00+05:00");
    let r = case::decide(
        &without,
        &ctx(&without, &a, "2026-09-21T10:00:00+05:00"),
        DecisionKind::Issue,
    );
    run(&mut without, r);
    let s = supervisor();
    let r = case::approve(&without, &ctx(&without, &s, "2026-09-22T10:00:00+05:00"));
    run(&mut without, r);
    assert_eq!(without.status, Status::Decided);
    // Decided: the service term is met; the stages not yet done stay on the case.
    let left = deadlines(&without);
    assert!(
        left.iter().all(|x| x.kind != DeadlineKind::Service),
        "{left:?}"
    );
    assert!(
        left.iter()
            .all(|x| matches!(x.kind, DeadlineKind::Stage(_))),
        "{left:?}"
    );
}

#[test]
fn the_version_before_order_348_governs_earlier_cases() {
    let c = accepted("exit", "2026-07-10T10:00:00+05:00", None);
    assert_eq!(c.version, version("exit", "2026-07-10").id);
    assert_ne!(c.version, version("exit", "2026-07-12").id);
}

#[test]
fn complaint_terms() {
    let a = inspector();
    let mut c = accepted("rvp", "2026-11-16T10:00:00+05:00", Some("work"));
    let r = case::register_complaint(
        &c,
        &ctx(&c, &a, "2026-11-20T12:00:00+05:00"),
        ComplaintTo::ServiceProvider,
        at("2026-11-20T12:00:00+05:00"),
        "slow",
    );
    run(&mut c, r);
    let r = case::register_complaint(
        &c,
        &ctx(&c, &a, "2026-11-20T12:00:00+05:00"),
        ComplaintTo::QualityAuthority,
        at("2026-11-20T12:00:00+05:00"),
        "slow",
    );
    run(&mut c, r);
    // Fri 20.11 + 5 working days = Fri 27.11; + 15 = Fri 11.12.
    assert_eq!(
        deadline_of(&c, &DeadlineKind::Complaint(0)).due,
        at("2026-11-27T18:30:00+05:00")
    );
    assert_eq!(
        deadline_of(&c, &DeadlineKind::Complaint(1)).due,
        at("2026-12-11T18:30:00+05:00")
    );
    let r = case::answer_complaint(&c, &ctx(&c, &a, "2026-11-25T12:00:00+05:00"), 0);
    run(&mut c, r);
    assert!(
        deadlines(&c)
            .iter()
            .all(|x| x.kind != DeadlineKind::Complaint(0))
    );
}

#[test]
fn an_auditor_cannot_change_anything() {
    let au = auditor();
    let c = new_case("rvp", "2026-11-16T10:00:00+05:00", Some("work"));
    let cx = ctx(&c, &au, "2026-11-16T10:00:00+05:00");
    let results = [
        case::accept(&c, &cx, &Fake::default(), None),
        case::refuse_to_accept(&c, &cx, &Fake::default()),
        case::add_note(&c, &cx, "x"),
    ];
    for r in results {
        let err = r.unwrap_err();
        assert_eq!(err.rule.key, "rule-ref.roles", "{err}");
    }
    let c = accepted("rvp", "2026-11-16T10:00:00+05:00", Some("work"));
    let cx = ctx(&c, &au, "2026-11-17T10:00:00+05:00");
    let v = version("rvp", "2026-11-16");
    for r in [
        case::record_check(&c, &cx, &v.checks[0].id, Outcome::Passed, ""),
        case::complete_stage(&c, &cx, &v.stages[0].id, at("2026-11-17T09:00:00+05:00")),
        case::decide(&c, &cx, DecisionKind::Issue),
        case::approve(&c, &cx),
        case::register_complaint(
            &c,
            &cx,
            ComplaintTo::ServiceProvider,
            at("2026-11-17T09:00:00+05:00"),
            "x",
        ),
    ] {
        assert_eq!(r.unwrap_err().rule.key, "rule-ref.roles");
    }
}

#[test]
fn computed_checks_show_their_evidence() {
    let c = {
        let mut c = accepted("rvp", "2026-11-16T10:00:00+05:00", Some("domestic_work"));
        c.host = Some(kezek::domain::case::Party {
            name: "Employer".into(),
            id_number: iin_with_prefix("700101100"),
        });
        c.entry_date = Some(d("2026-10-01"));
        c.family.push(Person {
            key: "child".into(),
            name: "Petrova Anna".into(),
            iin: Some("850615312341".into()),
            birth_date: None,
            citizenship: "RUS".into(),
        });
        c
    };
    let v = version("rvp", "2026-11-16");
    let now = at("2026-11-17T10:00:00+05:00");
    let by_kind = |k| {
        v.checks
            .iter()
            .find(|x| x.computed == Some(k))
            .expect("check")
    };
    use kezek::domain::procedure::Computed;
    let limit = v
        .parameter("domestic_worker_rvp_limit")
        .expect("limit")
        .value as usize;
    let refs = |n: usize| -> Vec<CaseRef> {
        (0..n)
            .map(|i| CaseRef {
                number: format!("2026-RVP-{:05}", 100 + i),
                person: format!("worker {i}"),
                valid_until: Some(d("2027-06-01")),
            })
            .collect()
    };
    let under = Fake {
        household: refs(limit - 1),
        ..Fake::default()
    };
    let r = checks::compute(
        by_kind(Computed::DomesticWorkerQuota),
        &c,
        v,
        cal(),
        &under,
        now,
    )
    .unwrap();
    assert_eq!(r.outcome, Outcome::Passed, "{}", r.summary);
    assert!(
        r.summary.contains(&format!("this one makes {limit}")),
        "{}",
        r.summary
    );
    assert!(
        r.summary.contains("[parameter domestic_worker_rvp_limit]"),
        "{}",
        r.summary
    );
    let at_limit = Fake {
        household: refs(limit),
        ..Fake::default()
    };
    let r = checks::compute(
        by_kind(Computed::DomesticWorkerQuota),
        &c,
        v,
        cal(),
        &at_limit,
        now,
    )
    .unwrap();
    assert_eq!(r.outcome, Outcome::Failed);
    match r.evidence {
        checks::Evidence::DomesticWorkerQuota { issued, .. } => assert_eq!(issued.len(), limit),
        other => panic!("{other:?}"),
    }

    let r = checks::compute(by_kind(Computed::Iin), &c, v, cal(), &Fake::default(), now).unwrap();
    assert_eq!(
        r.outcome,
        Outcome::Failed,
        "the child's IIN has a bad check digit"
    );
    assert!(r.summary.starts_with("1 of 3"), "{}", r.summary);

    let pending = Fake {
        pending_pr: Some(CaseRef {
            number: "2026-PR-00003".into(),
            person: "Petrov Ivan".into(),
            valid_until: None,
        }),
        ..Fake::default()
    };
    let r = checks::compute(by_kind(Computed::PendingPr), &c, v, cal(), &pending, now).unwrap();
    assert_eq!(r.outcome, Outcome::Failed);
    assert!(r.summary.contains("2026-PR-00003"));

    // Crossed 01.10.2026: the 90th day is 29.12.2026. Order 992 §9-1 protects
    // whoever applied in time: the stay is judged on the day of receipt,
    // 16.11 (43 days away), not on the review day 17.11.
    let r = checks::compute(by_kind(Computed::Stay), &c, v, cal(), &Fake::default(), now).unwrap();
    assert_eq!(r.outcome, Outcome::Passed);
    assert_eq!(r.summary, "lawful stay until Tue 29.12.2026 (43 days left)");
    assert_eq!(
        deadline_of(&c, &DeadlineKind::Stay).due,
        at("2026-12-29T23:59:59+05:00")
    );
}

#[test]
fn registration_host_notification_by_rule_version() {
    // Before 01.07.2026: 3 working days from arrival. Arrived Fri 20.03.2026:
    // 26, 27, 30 March → Mon 30.03 18:30.
    let mut c = new_case("registration", "2026-03-20T10:00:00+05:00", None);
    c.entry_date = Some(d("2026-03-20"));
    assert_eq!(
        deadline_of(&c, &DeadlineKind::HostNotification).due,
        at("2026-03-30T18:30:00+05:00")
    );
    // From 01.07.2026 (order 923): 30 calendar days. Arrived 01.08.2026 → Mon 31.08 24:00.
    let mut c = new_case("registration", "2026-08-03T10:00:00+05:00", None);
    c.entry_date = Some(d("2026-08-01"));
    let h = deadline_of(&c, &DeadlineKind::HostNotification);
    assert_eq!(h.due_day, d("2026-08-31"));
}

#[test]
fn the_term_after_a_16th_birthday() {
    let mut c = new_case("rvp", "2026-11-16T10:00:00+05:00", Some("family"));
    c.applicant.birth_date = Some(d("2010-11-10"));
    // 10.11.2026 + 10 calendar days = Fri 20.11.2026.
    let b = deadline_of(&c, &DeadlineKind::Birthday16);
    assert_eq!(b.due_day, d("2026-11-20"));
}

#[test]
fn queue_order_puts_overdue_first() {
    let now = at("2026-11-25T10:00:00+05:00");
    let a = accepted("rvp", "2026-11-16T10:00:00+05:00", Some("work")); // due 17.11: overdue
    let mut b = accepted("rvp", "2026-11-24T10:00:00+05:00", Some("work")); // due 25.11 18:30
    b.number = "2026-RVP-00002".into();
    let mut e = accepted("pr", "2026-11-24T10:00:00+05:00", None);
    e.number = "2026-PR-00009".into();
    let mut keys: Vec<RankKey> = [&e, &b, &a]
        .iter()
        .map(|c| RankKey::new(c, &deadlines(c), now))
        .collect();
    keys.sort();
    let order: Vec<&str> = keys.iter().map(|k| k.number.as_str()).collect();
    assert_eq!(
        order,
        vec!["2026-RVP-00001", "2026-RVP-00002", "2026-PR-00009"]
    );
    assert!(keys[0].overdue && !keys[1].overdue);
}

#[test]
fn an_office_application_for_exit_is_refused_by_channel() {
    let a = inspector();
    let mut c = new_case("exit", "2026-09-07T10:00:00+05:00", None);
    c.channel = Channel::Office;
    let err = case::accept(
        &c,
        &ctx(&c, &a, "2026-09-07T10:00:00+05:00"),
        &Fake::default(),
        None,
    )
    .unwrap_err();
    assert_eq!(err.rule.key, "rule-ref.channel");
}

#[test]
fn late_and_blocked_applications_can_be_refused_acceptance() {
    let a = inspector();
    let mut c = new_case("rvp", "2026-10-30T10:00:00+05:00", Some("work"));
    c.entry_date = Some(d("2026-08-01"));
    let r = case::refuse_to_accept(
        &c,
        &ctx(&c, &a, "2026-10-30T10:05:00+05:00"),
        &Fake::default(),
    );
    run(&mut c, r);
    assert_eq!(c.status, Status::RefusedToAccept);
    assert!(
        c.refusal_to_accept[0].contains("29.10.2026"),
        "{:?}",
        c.refusal_to_accept
    );
    // Applied on the last day of the stay, though accepted after a weekend: in time.
    let mut c = new_case("rvp", "2026-11-28T10:00:00+05:00", Some("work"));
    c.entry_date = Some(d("2026-08-31")); // 90th day: Sat 28.11
    assert!(
        case::accept(
            &c,
            &ctx(&c, &a, "2026-11-28T10:00:00+05:00"),
            &Fake::default(),
            None
        )
        .is_ok()
    );
    let fake = Fake {
        last_pr_refusal: Some(("2025-PR-00007".into(), d("2025-11-24"))),
        ..Fake::default()
    };
    let c = new_case("pr", "2026-11-23T10:00:00+05:00", None);
    let events = case::refuse_to_accept(&c, &ctx(&c, &a, "2026-11-23T10:00:00+05:00"), &fake)
        .expect("refusable");
    assert!(
        matches!(&events[0], case::Event::RefusedToAccept { reasons, .. } if reasons[0].contains("24.11.2026"))
    );
}

#[test]
fn purpose_is_required_where_the_rules_have_purposes() {
    let a = inspector();
    let mut c = new_case("rvp", "2026-11-16T10:00:00+05:00", Some("work"));
    c.purpose = None;
    assert_eq!(
        case::accept(
            &c,
            &ctx(&c, &a, "2026-11-16T10:00:00+05:00"),
            &Fake::default(),
            None
        )
        .unwrap_err()
        .rule
        .key,
        "rule-ref.purpose"
    );
    c.purpose = Some("tourism".into());
    assert_eq!(
        case::accept(
            &c,
            &ctx(&c, &a, "2026-11-16T10:00:00+05:00"),
            &Fake::default(),
            None
        )
        .unwrap_err()
        .rule
        .key,
        "rule-ref.purpose"
    );
}

#[test]
fn an_applicable_check_cannot_be_waved_through_as_not_applicable() {
    let a = inspector();
    let c = accepted("rvp", "2026-11-16T10:00:00+05:00", Some("work"));
    let err = case::record_check(
        &c,
        &ctx(&c, &a, "2026-11-17T10:00:00+05:00"),
        "berkut_crossing",
        Outcome::NotApplicable,
        "",
    )
    .unwrap_err();
    assert!(
        err.message.to_string().contains("applies to this case"),
        "{err}"
    );
}

#[test]
fn refusal_after_a_notice_sent_on_a_day_off_counts_from_the_next_working_day() {
    let a = inspector();
    let mut c = accepted("pr", "2026-11-16T10:00:00+05:00", None);
    let g = first_ground(&c);
    // Sent Sat 21.11: counts from Mon 23.11, so the act is possible from Thu 26.11, not Wed 25.11.
    let r = case::send_hearing_notice(
        &c,
        &ctx(&c, &a, "2026-11-21T12:00:00+05:00"),
        notice(
            "2026-11-21T11:00:00+05:00",
            "2026-11-21T11:30:00+05:00",
            "2026-11-30",
            &g,
        ),
    );
    run(&mut c, r);
    let r = case::hold_hearing(
        &c,
        &ctx(&c, &a, "2026-11-21T12:00:00+05:00"),
        at("2026-11-21T11:30:00+05:00"),
        "",
        false,
    );
    run(&mut c, r);
    let refuse = DecisionKind::Refuse {
        grounds: vec![g.clone()],
    };
    let err = case::decide(
        &c,
        &ctx(&c, &a, "2026-11-25T10:00:00+05:00"),
        refuse.clone(),
    )
    .unwrap_err();
    assert_eq!(err.earliest, Some(at("2026-11-26T09:00:00+05:00")));
    // A ground the applicant was not heard on.
    let other = rules()
        .procedure("pr")
        .unwrap()
        .version(&c.version)
        .unwrap()
        .grounds[1]
        .id
        .clone();
    let err = case::decide(
        &c,
        &ctx(&c, &a, "2026-11-26T10:00:00+05:00"),
        DecisionKind::Refuse {
            grounds: vec![other],
        },
    )
    .unwrap_err();
    assert!(err.message.to_string().contains("not heard"), "{err}");
    assert!(case::decide(&c, &ctx(&c, &a, "2026-11-26T10:00:00+05:00"), refuse).is_ok());
}

#[test]
fn no_self_approval_and_a_returned_annulment_can_be_redone() {
    let (i, s) = (inspector(), supervisor());
    let mut c = accepted("pr", "2026-09-01T10:00:00+05:00", None);
    pass_all(&mut c, &i, "2026-10-20T10:00:00+05:00");
    let r = case::decide(
        &c,
        &ctx(&c, &s, "2026-10-20T10:00:00+05:00"),
        DecisionKind::Issue,
    );
    run(&mut c, r);
    let err = case::approve(&c, &ctx(&c, &s, "2026-10-20T11:00:00+05:00")).unwrap_err();
    assert!(
        err.message.to_string().contains("other than its author"),
        "{err}"
    );
    let other = Actor {
        login: "deputy".into(),
        role: Role::Supervisor,
    };
    let r = case::approve(&c, &ctx(&c, &other, "2026-10-20T11:00:00+05:00"));
    run(&mut c, r);
    let g = first_ground(&c);
    let r = case::annul(
        &c,
        &ctx(&c, &i, "2026-11-01T10:00:00+05:00"),
        vec![g.clone()],
    );
    run(&mut c, r);
    let r = case::return_decision(
        &c,
        &ctx(&c, &s, "2026-11-02T10:00:00+05:00"),
        "weak grounds",
    );
    run(&mut c, r);
    assert_eq!(c.status, Status::Decided, "the permit stays in effect");
    assert!(case::annul(&c, &ctx(&c, &i, "2026-11-03T10:00:00+05:00"), vec![g]).is_ok());
}

#[test]
fn stages_after_the_decision_can_still_be_completed() {
    let (i, s) = (inspector(), supervisor());
    let mut c = accepted("pr", "2026-09-01T10:00:00+05:00", None);
    let v = version("pr", "2026-09-01").clone();
    let mut t = at("2026-09-02T10:00:00+05:00");
    for st in v.stages.iter().take(v.stages.len() - 1) {
        let r = case::complete_stage(&c, &ctx(&c, &i, "2026-10-20T10:00:00+05:00"), &st.id, t);
        run(&mut c, r);
        t += chrono::Duration::days(1);
    }
    pass_all(&mut c, &i, "2026-10-20T10:00:00+05:00");
    let r = case::decide(
        &c,
        &ctx(&c, &i, "2026-10-20T10:00:00+05:00"),
        DecisionKind::Issue,
    );
    run(&mut c, r);
    let r = case::approve(&c, &ctx(&c, &s, "2026-10-20T11:00:00+05:00"));
    run(&mut c, r);
    let last = v.stages.last().expect("stages").id.clone();
    assert!(
        case::complete_stage(
            &c,
            &ctx(&c, &i, "2026-10-21T10:00:00+05:00"),
            &last,
            at("2026-10-21T10:00:00+05:00")
        )
        .is_ok()
    );
}
