//! The law as the seeds state it: each test names the paragraph it reads.

use chrono::{DateTime, NaiveDate, Utc};
use kezek::domain::calendar::Calendar;
use kezek::domain::case::{
    self, Actor, Case, CaseQueries, CaseRef, Ctx, DecisionKind, Document, Outcome, Person,
};
use kezek::domain::checks;
use kezek::domain::procedure::{Channel, Computed, Role, RuleVersion, Rules};
use kezek::domain::urgency::{self, DeadlineKind};
use kezek::i18n::Lang;
use kezek::store::Store;
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
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day")
}

fn inspector() -> Actor {
    Actor {
        login: "ivanov".into(),
        role: Role::Inspector,
    }
}

type Step = dyn Fn(&Case, &Ctx<'_>) -> Result<Vec<case::Event>, case::Violation>;

struct NoOthers;

impl CaseQueries for NoOthers {
    fn household_rvps_of_employer(&self, _: &str, _: NaiveDate, _: &str) -> Vec<CaseRef> {
        Vec::new()
    }
    fn pending_pr_of(&self, _: &str, _: &str) -> Option<CaseRef> {
        None
    }
    fn last_pr_refusal_or_annulment(&self, _: &str) -> Option<(String, NaiveDate)> {
        None
    }
}

fn version_of(c: &Case) -> &'static RuleVersion {
    rules().version(&c.procedure, &c.version).expect("version")
}

fn new_case(
    procedure: &str,
    received: &str,
    purpose: Option<&str>,
    citizenship: &str,
    channel: Option<Channel>,
) -> Case {
    let received_at = at(received);
    let day = kezek::domain::term::local(cal(), received_at).date();
    let v = rules().version_at(procedure, day).expect("version");
    let mut c = Case::received(
        format!("2026-{}-00001", procedure.to_uppercase()),
        procedure,
        v,
        channel.unwrap_or(v.channels[0]),
        received_at,
        Person {
            key: "P1".into(),
            name: "Applicant".into(),
            iin: None,
            birth_date: None,
            citizenship: citizenship.into(),
        },
    );
    c.purpose = purpose.map(str::to_string);
    for doc in v.documents.iter().filter(|x| x.applies_to(purpose)) {
        c.documents.push(Document {
            kind: doc.id.clone(),
            number: "1".into(),
            valid_until: Some(day + chrono::Duration::days(365)),
        });
    }
    c
}

fn ctx<'a>(c: &Case, actor: &'a Actor, now: &str) -> Ctx<'a> {
    Ctx {
        cal: cal(),
        version: version_of(c),
        actor,
        now: at(now),
    }
}

fn apply(c: &mut Case, r: Result<Vec<case::Event>, case::Violation>) {
    let events = r.expect("allowed");
    case::apply_all(c, version_of(c), &events);
}

fn stay_check(c: &Case, now: &str) -> checks::Computation {
    let v = version_of(c);
    let k = v
        .checks
        .iter()
        .find(|k| k.computed == Some(Computed::Stay))
        .expect("stay check");
    checks::compute(k, c, v, cal(), &NoOthers, at(now)).expect("computed")
}

/// Seed 000: the 90 days run for citizens of EAEU states ("для граждан
/// государств-участников ЕАЭС"); others stay as their visa or entry grants.
#[test]
fn seed_000_the_90_day_limit_is_for_eaeu_citizens_only() {
    // A Chinese work-visa holder who entered 100 days before applying.
    let mut c = new_case(
        "rvp",
        "2026-11-20T10:00:00+05:00",
        Some("work"),
        "CHN",
        None,
    );
    c.entry_date = Some(d("2026-08-12"));
    let a = inspector();
    // Unknown visa stay: acceptance goes ahead; the check is pending, never failed.
    assert!(
        case::accept(
            &c,
            &ctx(&c, &a, "2026-11-20T10:00:00+05:00"),
            &NoOthers,
            None
        )
        .is_ok()
    );
    assert_eq!(
        stay_check(&c, "2026-11-20T10:00:00+05:00").outcome,
        Outcome::Pending
    );
    // The visa grants a stay to 31.12.2026: passed, and the deadline is that day.
    c.stay_until = Some(d("2026-12-31"));
    assert_eq!(
        stay_check(&c, "2026-11-20T10:00:00+05:00").outcome,
        Outcome::Passed
    );
    // The same crossing for a Russian citizen: the 90 days ended on 09.11.2026.
    let mut r = c.clone();
    r.applicant.citizenship = "RUS".into();
    r.stay_until = None;
    assert_eq!(
        stay_check(&r, "2026-11-20T10:00:00+05:00").outcome,
        Outcome::Failed
    );
    assert!(
        case::accept(
            &r,
            &ctx(&r, &a, "2026-11-20T10:00:00+05:00"),
            &NoOthers,
            None
        )
        .is_err()
    );
}

/// Order 992 §9-1: the stay is judged on the day the application was
/// received: filed on day 90, a Friday at 17:00, it reads "passed" on Monday.
#[test]
fn order_992_9_1_the_stay_is_judged_on_the_day_of_receipt() {
    // Crossed Sun 30.08.2026 (day 1): day 90 is Fri 27.11.2026.
    let mut c = new_case(
        "rvp",
        "2026-11-27T17:00:00+05:00",
        Some("work"),
        "RUS",
        None,
    );
    c.entry_date = Some(d("2026-08-30"));
    let a = inspector();
    let r = case::accept(
        &c,
        &ctx(&c, &a, "2026-11-27T17:00:00+05:00"),
        &NoOthers,
        None,
    );
    apply(&mut c, r);
    let monday = "2026-11-30T10:00:00+05:00";
    assert_eq!(stay_check(&c, monday).outcome, Outcome::Passed);
}

/// Order 992 ch. 2, §9-3: an RVP is refused by a motivated notice of
/// refusal; chapter 2 has no hearing, so no notice period delays it.
#[test]
fn order_992_9_3_an_rvp_refusal_needs_no_hearing() {
    let mut c = new_case(
        "rvp",
        "2026-11-23T10:00:00+05:00",
        Some("work"),
        "UZB",
        None,
    );
    let a = inspector();
    let r = case::accept(
        &c,
        &ctx(&c, &a, "2026-11-23T10:00:00+05:00"),
        &NoOthers,
        None,
    );
    apply(&mut c, r);
    let refuse = DecisionKind::Refuse {
        grounds: vec!["no_fingerprints".into()],
    };
    // Refused within the one working day of §9.
    let r = case::decide(&c, &ctx(&c, &a, "2026-11-23T12:00:00+05:00"), refuse);
    apply(&mut c, r);
    assert_eq!(c.status, case::Status::Decided);
    // Nothing remains: the same change archives it (the store applies settle).
    assert!(case::settle(&c, version_of(&c), at("2026-11-23T12:00:00+05:00")).is_some());
}

/// 001 §8: the 17:30 cut-off is for office reception; 002 §8: the portal
/// takes applications until the end of working hours; 003 app. 2 row 9:
/// the State Corporation keeps its own hours (09:00-20:00).
#[test]
fn intake_closes_by_channel() {
    let day_of = |channel: Channel, received: &str| {
        let c = new_case("rvp", received, Some("work"), "UZB", Some(channel));
        case::start_of_case(cal(), version_of(&c), &c)
            .expect("start")
            .acceptance_day
    };
    let same = d("2026-11-20");
    let next = d("2026-11-23");
    assert_eq!(day_of(Channel::Office, "2026-11-20T17:25:00+05:00"), same);
    assert_eq!(day_of(Channel::Office, "2026-11-20T17:45:00+05:00"), next);
    assert_eq!(day_of(Channel::Portal, "2026-11-20T17:45:00+05:00"), same);
    assert_eq!(day_of(Channel::Portal, "2026-11-20T18:45:00+05:00"), next);
    assert_eq!(
        day_of(Channel::StateCorporation, "2026-11-20T19:30:00+05:00"),
        same
    );
    assert_eq!(
        day_of(Channel::StateCorporation, "2026-11-20T20:15:00+05:00"),
        next
    );
}

/// Seed 000: the host notifies "в течение трех рабочих дней со дня их
/// прибытия": from the arrival, not from the border crossing.
#[test]
fn seed_000_host_notification_counts_from_arrival() {
    let mut c = new_case(
        "registration",
        "2026-05-18T10:00:00+05:00",
        None,
        "UZB",
        None,
    );
    c.entry_date = Some(d("2026-05-11"));
    c.arrival_date = Some(d("2026-05-14"));
    let v = version_of(&c);
    let list = urgency::open_deadlines(&c, v, cal()).expect("deadlines");
    let host = list
        .iter()
        .find(|x| x.kind == DeadlineKind::HostNotification)
        .expect("host notification");
    // Arrival Thu 14.05: 15, 18, 19 May (16-17 weekend) → Tue 19.05.
    assert_eq!(host.due_day, d("2026-05-19"));
}

/// Order 992 §15: through the State Corporation the PR result reaches it no
/// later than a day before the service term ends; and §14: the 52 days are
/// kezek's sum of the stage terms, with a warning when the plan runs past.
#[test]
fn order_992_15_the_pr_result_reaches_the_state_corporation_a_day_early() {
    let mut c = new_case(
        "pr",
        "2026-11-02T10:00:00+05:00",
        None,
        "CHN",
        Some(Channel::StateCorporation),
    );
    let a = inspector();
    let r = case::accept(
        &c,
        &ctx(&c, &a, "2026-11-02T10:00:00+05:00"),
        &NoOthers,
        None,
    );
    apply(&mut c, r);
    let v = version_of(&c);
    assert!(v.service_term_is_sum, "the 52 days are kezek's sum");
    let list = urgency::open_deadlines(&c, v, cal()).expect("deadlines");
    let service = list
        .iter()
        .find(|x| x.kind == DeadlineKind::Service)
        .expect("service");
    let early = list
        .iter()
        .find(|x| x.kind == DeadlineKind::ResultToStateCorporation)
        .expect("result to the State Corporation");
    assert_eq!(early.due_day, service.due_day - chrono::Duration::days(1));
    // On plan: no warning. The first stage done 10 days late: the plan ends after the term.
    assert_eq!(urgency::plan_overrun(&c, v, cal()).expect("plan"), None);
    let r = case::complete_stage(
        &c,
        &ctx(&c, &a, "2026-11-14T10:00:00+05:00"),
        "enter_case",
        at("2026-11-14T10:00:00+05:00"),
    );
    apply(&mut c, r);
    let (end, due) = urgency::plan_overrun(&c, v, cal())
        .expect("plan")
        .expect("a warning");
    assert!(end > due);
}

/// Order 992 §17: the refusal notice states the reason ("с указанием
/// причины отказа"), and the executor is the inspector who decided, not the
/// supervisor who approved or whoever prints it.
#[test]
fn order_992_17_the_refusal_notice_states_the_reason_and_the_deciding_inspector() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut s = Store::open(
        &dir.path().join("k.db"),
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
    )
    .expect("store");
    s.add_user("boss", "boss", Role::Supervisor, "Ахметова Гульнара")
        .expect("boss");
    s.add_user("boss", "ivanov", Role::Inspector, "Иванов Павел")
        .expect("ivanov");
    let boss = Actor {
        login: "boss".into(),
        role: Role::Supervisor,
    };
    let a = inspector();
    let c = new_case(
        "rvp",
        "2026-11-23T10:00:00+05:00",
        Some("work"),
        "UZB",
        None,
    );
    let number = c.number.clone();
    s.create_case(&boss, &c, at("2026-11-23T10:00:00+05:00"))
        .expect("create");
    let step = |s: &mut Store, who: &Actor, now: &str, f: &Step| {
        let seen = s.case(&number).expect("case").row_version;
        s.act(who, &number, seen, at(now), |c, x, _| f(c, x))
            .expect("act");
    };
    step(&mut s, &a, "2026-11-23T10:30:00+05:00", &|c, x| {
        case::accept(c, x, &NoOthers, None)
    });
    step(&mut s, &a, "2026-11-23T11:00:00+05:00", &|c, x| {
        case::decide_with_reason(
            c,
            x,
            DecisionKind::Refuse {
                grounds: vec!["no_fingerprints".into()],
            },
            "нет сведений о дактилоскопической регистрации",
        )
    });
    let templates = kezek::notice::Templates::built_in().expect("templates");
    let (n, _) = s
        .issue_notice(
            &boss,
            &number,
            kezek::notice::Kind::Refusal,
            Lang::Ru,
            &templates,
            at("2026-11-23T12:00:00+05:00"),
        )
        .expect("notice");
    assert!(
        n.text
            .contains("Причина отказа: нет сведений о дактилоскопической регистрации"),
        "{}",
        n.text
    );
    assert!(n.text.contains("Исполнитель: Иванов Павел"), "{}", n.text);
    assert!(!n.text.contains("Исполнитель: Ахметова"), "{}", n.text);
}

/// A database written before cases had an end: a refusal taken while the
/// review stage was open stays decided and overdue. The first open with
/// these rules recomputes it and sends it to the archive, once.
#[test]
fn an_older_decided_case_goes_to_the_archive_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("k.db");
    let mut s = Store::open(
        &path,
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
    )
    .expect("store");
    s.add_user("boss", "boss", Role::Supervisor, "Boss")
        .expect("boss");
    let boss = Actor {
        login: "boss".into(),
        role: Role::Supervisor,
    };
    let a = inspector();
    let mut c = new_case(
        "rvp",
        "2026-11-16T10:00:00+05:00",
        Some("work"),
        "UZB",
        None,
    );
    let r = case::accept(
        &c,
        &ctx(&c, &a, "2026-11-16T10:00:00+05:00"),
        &NoOthers,
        None,
    );
    apply(&mut c, r);
    let refuse = DecisionKind::Refuse {
        grounds: vec!["no_fingerprints".into()],
    };
    // Decided, but not settled: as the older code left it.
    let r = case::decide(&c, &ctx(&c, &a, "2026-11-16T12:00:00+05:00"), refuse);
    apply(&mut c, r);
    assert_eq!(c.status, case::Status::Decided);
    s.insert_cases(&boss, &[c.clone()], at("2026-11-16T12:00:00+05:00"), "test")
        .expect("insert");
    drop(s);
    let (s, first) = Store::open_and_recompute(
        &path,
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
        at("2026-11-30T10:00:00+05:00"),
    )
    .expect("open");
    let first = first.expect("recomputed");
    assert_eq!(first.moved.len(), 1, "{first:?}");
    assert_eq!(first.moved[0].number, c.number);
    assert_eq!(
        s.case(&c.number).expect("case").case.status,
        case::Status::Archived
    );
    assert!(s.queue(&Default::default()).expect("queue").is_empty());
    // The archive is recorded: the audit log still replays to the case.
    let v = s.verify_audit().expect("verify");
    assert!(
        v.first_break.is_none(),
        "{:?}",
        v.first_break.map(|b| b.reason.to_string())
    );
    drop(s);
    let (_, again) = Store::open_and_recompute(
        &path,
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
        at("2026-11-30T10:05:00+05:00"),
    )
    .expect("open");
    assert!(again.is_none(), "once");
}
