//! A realistic, deterministic demo caseload.
//!
//! Cases are driven through the real domain transitions (so every recorded
//! date obeys the rules), at instants relative to "now": some are overdue,
//! some due today, some decided, some with hearings. The same seed and the
//! same "now" give the same database. Generated IINs use century digit 1 or
//! 2 (born in the 1800s), so none can belong to a living person.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::domain::calendar::Calendar;
use crate::domain::case::{
    self, Actor, Case, CaseQueries, CaseRef, Ctx, DecisionKind, Document, Event, NoticeChannel,
    NoticeInput, Outcome, Party, Person, Violation,
};
use crate::domain::iin;
use crate::domain::procedure::{Role, RuleVersion, Rules};
use crate::domain::term;

/// splitmix64: small, fast, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// (surname, given name, citizenship) in the spellings people actually use.
pub const NAMES: &[(&str, &str, &str)] = &[
    ("Абенов", "Нурлан", "KAZ"),
    ("Қасымова", "Әсел", "KAZ"),
    ("Өтепов", "Ғалым", "KAZ"),
    ("Иванов", "Сергей", "RUS"),
    ("Смирнова", "Ольга", "RUS"),
    ("Кузнецов", "Дмитрий", "RUS"),
    ("Karimov", "Jasur", "UZB"),
    ("Каримова", "Дилноза", "UZB"),
    ("Yusupov", "Otabek", "UZB"),
    ("Асанов", "Бакыт", "KGZ"),
    ("Токтогулова", "Айпери", "KGZ"),
    ("Рахимов", "Фаррух", "TJK"),
    ("Назарова", "Мехрангез", "TJK"),
    ("Wang", "Wei", "CHN"),
    ("Ли", "Цзин", "CHN"),
    ("Yılmaz", "Mehmet", "TUR"),
    ("Öztürk", "Ayşe", "TUR"),
    ("Smith", "John", "GBR"),
    ("Brown", "Emily", "USA"),
    ("Нұрланұлы", "Ерлан", "CHN"),
];

pub const EMPLOYERS: &[(&str, bool)] = &[
    ("ТОО «Алатау Строй»", true),
    ("ТОО «Steppe Logistics»", true),
    ("Жумабекова Гульмира Ерлановна", false),
    ("Сейткали Арман Болатович", false),
    ("АО «Каспий Нефть Сервис»", true),
];

/// The demo's staff: login, name, role. The person running the demo is
/// added as a supervisor too, so that the console lets them act.
pub const STAFF: &[(&str, &str, Role)] = &[
    ("akhmetova", "Ахметова Гульнара", Role::Supervisor),
    ("ivanov", "Иванов Павел", Role::Inspector),
    ("nurlanov", "Нурланов Данияр", Role::Inspector),
    ("li", "Ли Марина", Role::Inspector),
    ("audit", "Сапарова Айгуль", Role::Auditor),
];

/// A valid IIN or BIN with the given first 6 digits and type digit.
fn id_number(rng: &mut Rng, prefix6: [u8; 6], seventh: u8) -> String {
    loop {
        let mut d = [0u8; 11];
        d[..6].copy_from_slice(&prefix6);
        d[6] = seventh;
        for x in d.iter_mut().skip(7) {
            *x = rng.below(10) as u8;
        }
        if let Some(k) = iin::check_digit(&d) {
            return d.iter().chain([k].iter()).map(|x| x.to_string()).collect();
        }
    }
}

/// A synthetic IIN: century digit 1 or 2 (the 1800s), never a living person.
pub fn synthetic_iin(rng: &mut Rng) -> String {
    let yy = rng.below(100) as u8;
    let mm = 1 + rng.below(12) as u8;
    let dd = 1 + rng.below(28) as u8;
    let c = 1 + rng.below(2) as u8;
    id_number(
        rng,
        [yy / 10, yy % 10, mm / 10, mm % 10, dd / 10, dd % 10],
        c,
    )
}

fn synthetic_bin(rng: &mut Rng) -> String {
    let yy = 5 + rng.below(20) as u8;
    let mm = 1 + rng.below(12) as u8;
    // 5th digit 4 (resident legal entity), 6th 0 (head office).
    let serial_start = rng.below(10) as u8;
    id_number(
        rng,
        [yy / 10, yy % 10, mm / 10, mm % 10, 4, 0],
        serial_start,
    )
}

/// No other cases: the demo's own quota and PR facts are kept simple.
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

struct Driver<'a> {
    cal: &'a Calendar,
    version: &'a RuleVersion,
}

impl Driver<'_> {
    fn step(
        &self,
        c: &mut Case,
        actor: &Actor,
        now: DateTime<Utc>,
        f: impl FnOnce(&Case, &Ctx<'_>) -> Result<Vec<Event>, Violation>,
    ) -> bool {
        let ctx = Ctx {
            cal: self.cal,
            version: self.version,
            actor,
            now,
        };
        match f(c, &ctx) {
            Ok(events) => {
                case::apply_all(c, self.version, &events);
                // As the store does: nothing left after the decision archives the case.
                if let Some(archived) = case::settle(c, self.version, now) {
                    case::apply(c, self.version, &archived);
                }
                true
            }
            Err(_) => false,
        }
    }
}

/// Generate `n` cases as of `now`.
pub fn generate(
    cal: &Calendar,
    rules: &Rules,
    n: usize,
    seed: u64,
    now: DateTime<Utc>,
) -> Vec<Case> {
    let mut rng = Rng::new(seed);
    let employers: Vec<Party> = EMPLOYERS
        .iter()
        .map(|(name, legal)| Party {
            name: (*name).to_string(),
            id_number: if *legal {
                synthetic_bin(&mut rng)
            } else {
                synthetic_iin(&mut rng)
            },
        })
        .collect();
    let inspectors: Vec<Actor> = STAFF
        .iter()
        .filter(|s| s.2 == Role::Inspector)
        .map(|s| Actor {
            login: s.0.to_string(),
            role: s.2,
        })
        .collect();
    let supervisor = Actor {
        login: STAFF[0].0.to_string(),
        role: Role::Supervisor,
    };
    let year = chrono::Datelike::year(&term::local(cal, now).date());
    let mut out = Vec::with_capacity(n);
    let mut serial = std::collections::BTreeMap::<String, u32>::new();
    for _ in 0..n {
        let roll = rng.below(100);
        let (procedure, span_days) = match roll {
            0..=39 => ("rvp", 12),
            40..=59 => ("registration", 8),
            60..=79 => ("pr", 70),
            _ => ("exit", 40),
        };
        // Received at a working-hours moment within the span before now.
        let back = Duration::minutes(rng.below(span_days * 24 * 60) as i64);
        let mut received = now - back;
        let local = term::local(cal, received);
        let hour = 9 + rng.below(9) as u32;
        if let Some(t) = local.date().and_hms_opt(hour, rng.below(60) as u32, 0)
            && let Ok(at) = term::at_local(cal, t.date(), t.time())
            && at <= now
        {
            received = at;
        }
        let Ok(proc_rules) = rules.procedure(procedure) else {
            continue;
        };
        let received_day = term::local(cal, received).date();
        let Ok(version) = proc_rules.version_at(received_day) else {
            continue;
        };
        let code = proc_rules.code.clone();
        let k = serial.entry(code.clone()).or_insert(0);
        *k += 1;
        let number = format!("{year}-{code}-{:05}", *k);
        let (surname, given, citizenship) = *rng.pick(NAMES);
        let iin_value = synthetic_iin(&mut rng);
        let applicant = Person {
            key: format!("P{:06}", rng.below(1_000_000)),
            name: format!("{surname} {given}"),
            iin: Some(iin_value),
            birth_date: None,
            citizenship: citizenship.to_string(),
        };
        let channel = *rng.pick(&version.channels);
        let mut c = Case::received(number, procedure, version, channel, received, applicant);
        if !version.purposes.is_empty() {
            let purposes = ["work", "family", "study", "domestic_work", "business"];
            let p = *rng.pick(&purposes);
            c.purpose = version
                .purposes
                .iter()
                .find(|x| x.id == p)
                .or_else(|| version.purposes.first())
                .map(|x| x.id.clone());
        }
        if procedure == "rvp" || procedure == "registration" {
            let before = if procedure == "registration" {
                1 + rng.below(25)
            } else {
                10 + rng.below(60)
            };
            c.entry_date = Some(received_day - Duration::days(before as i64));
            if c.purpose.as_deref() == Some("domestic_work") || c.purpose.as_deref() == Some("work")
            {
                // Two employers take several household workers, so the quota matters.
                let e = if c.purpose.as_deref() == Some("domestic_work") {
                    &employers[2 + rng.below(2) as usize]
                } else {
                    rng.pick(&employers)
                };
                c.host = Some(e.clone());
            } else {
                c.host = Some(Party {
                    name: "Принимающее лицо".to_string(),
                    id_number: synthetic_iin(&mut rng),
                });
            }
        }
        if rng.chance(25) {
            let (s, g, _) = *rng.pick(NAMES);
            c.family.push(Person {
                key: format!("F{:06}", rng.below(1_000_000)),
                name: format!("{s} {g}"),
                iin: Some(synthetic_iin(&mut rng)),
                birth_date: None,
                citizenship: citizenship.to_string(),
            });
        }
        let purpose = c.purpose.clone();
        for d in version
            .documents
            .iter()
            .filter(|d| d.applies_to(purpose.as_deref()))
        {
            if !d.required && rng.chance(60) {
                continue;
            }
            c.documents.push(Document {
                kind: d.id.clone(),
                number: format!(
                    "{}{:07}",
                    &d.id[..2.min(d.id.len())].to_uppercase(),
                    rng.below(10_000_000)
                ),
                valid_until: d
                    .expires
                    .then(|| received_day + Duration::days(200 + rng.below(900) as i64)),
            });
        }
        // A few packages are incomplete.
        if rng.chance(4) && c.documents.len() > 1 {
            c.documents.pop();
        }
        let who = rng.pick(&inspectors).clone();
        if rng.chance(85) {
            c.assignee = Some(who.login.clone());
        }
        drive(&mut c, version, cal, &who, &supervisor, now, &mut rng);
        out.push(c);
    }
    out
}

/// Take a received case as far as the clock and chance allow.
fn drive(
    c: &mut Case,
    version: &RuleVersion,
    cal: &Calendar,
    who: &Actor,
    boss: &Actor,
    now: DateTime<Utc>,
    rng: &mut Rng,
) {
    let d = Driver { cal, version };
    let received = c.received_at;
    // Some of the last two days' applications are not accepted yet;
    // incomplete packages are refused acceptance.
    if now - received < Duration::days(2) && rng.chance(40) {
        return;
    }
    if !d.step(c, who, received, |c, x| case::accept(c, x, &NoOthers, None)) {
        d.step(c, who, received, |c, x| {
            case::refuse_to_accept(c, x, &NoOthers)
        });
        return;
    }
    let Some(accepted) = c.accepted_at else {
        return;
    };
    let mut t = accepted;
    // Stages, each finished a little before its planned end when time allows.
    for i in 0..version.stages.len() {
        // Work after the decision waits for it.
        if version.stages[i].after_decision {
            break;
        }
        let plan = match crate::domain::urgency::stage_plan(c, version, cal) {
            Ok(p) => p,
            Err(_) => break,
        };
        let Some(p) = plan.get(i) else { break };
        // The stage's requests to other state bodies go out when it starts.
        let sent = t.max(term::at_local(cal, p.from_day, cal.office().opens).unwrap_or(t));
        if sent <= now {
            for agency in &version.stages[i].agencies {
                d.step(c, who, sent, |c, x| case::send_request(c, x, agency, ""));
            }
        }
        let lateness = Duration::hours(rng.below(60) as i64 - 40);
        let done = (p.due + lateness).max(t);
        // People work in office hours: move the moment into that day's 09:00-18:00.
        let day = term::local(cal, done).date();
        let minute = rng.below(9 * 60) as i64;
        let done = term::at_local(cal, day, cal.office().opens)
            .map(|t0| t0 + Duration::minutes(minute))
            .unwrap_or(done)
            .max(t);
        // Work still in hand: a stage due in the last few days may be open, overdue.
        let recent = p.due > now - Duration::days(3);
        if done > now || (recent && rng.chance(25)) || rng.chance(1) {
            break;
        }
        // Their answers arrive with the stage's end.
        for agency in &version.stages[i].agencies {
            d.step(c, who, done, |c, x| {
                case::answer_request(c, x, agency, "получен ответ")
            });
        }
        let id = version.stages[i].id.clone();
        if !d.step(c, who, done, |c, x| case::complete_stage(c, x, &id, done)) {
            break;
        }
        t = done;
    }
    let all_done = version
        .stages
        .iter()
        .zip(&c.stages)
        .all(|(s, done)| s.after_decision || done.is_some());
    // Checks, recorded as the work goes.
    let failing = rng.chance(15);
    let check_at = t.min(now);
    let applicable: Vec<(String, bool)> = version
        .checks
        .iter()
        .map(|k| (k.id.clone(), k.applies_to(c.purpose.as_deref())))
        .collect();
    let mut failed_ground = None;
    for (n, (id, applies)) in applicable.iter().enumerate() {
        if !all_done && n > applicable.len() / 2 {
            break;
        }
        let outcome = if !applies {
            Outcome::NotApplicable
        } else if failing
            && failed_ground.is_none()
            && version.check(id).is_some_and(|k| k.ground.is_some())
        {
            failed_ground = version.check(id).and_then(|k| k.ground.clone());
            Outcome::Failed
        } else {
            Outcome::Passed
        };
        let note = if outcome == Outcome::Failed {
            "см. ответ из базы"
        } else {
            ""
        };
        d.step(c, who, check_at, |c, x| {
            case::record_check(c, x, id, outcome, note)
        });
    }
    let service_recent = case::service_due(
        c,
        &Ctx {
            cal,
            version,
            actor: who,
            now,
        },
    )
    .map(|d| d.due > now - Duration::days(3))
    .unwrap_or(true);
    if !all_done || (service_recent && rng.chance(20)) {
        return;
    }
    // Decide: issue, or the hearing path for a failed check.
    let decide_at = (t + Duration::hours(2)).min(now);
    match failed_ground {
        None => {
            d.step(c, who, decide_at, |c, x| {
                case::decide(c, x, DecisionKind::Issue)
            });
        }
        Some(g) if version.hearing => {
            let sent = decide_at;
            let Ok(service) = case::service_due(
                c,
                &Ctx {
                    cal,
                    version,
                    actor: who,
                    now: sent,
                },
            ) else {
                return;
            };
            let hearing_at = sent + Duration::hours(20);
            let notice = NoticeInput {
                sent_at: sent,
                channel: *rng.pick(&[
                    NoticeChannel::InPerson,
                    NoticeChannel::Post,
                    NoticeChannel::Electronic,
                ]),
                hearing_at,
                place: "УМП ДП, каб. 214".to_string(),
                planned_decision: cal
                    .add_working_days(term::local(cal, sent).date(), 4)
                    .unwrap_or(service.due_day),
                grounds: vec![g.clone()],
            };
            if !d.step(c, who, sent, |c, x| case::send_hearing_notice(c, x, notice)) {
                return;
            }
            if hearing_at > now {
                return;
            }
            d.step(c, who, hearing_at, |c, x| {
                case::hold_hearing(
                    c,
                    x,
                    hearing_at,
                    "Заявитель не согласен, обещает представить справку.",
                    false,
                )
            });
            // The first working day the refusal may be taken on (a notice sent
            // off hours counts from the next working day).
            for k in 3..=4 {
                let Ok(when) = cal.add_working_days(term::local(cal, sent).date(), k) else {
                    return;
                };
                let Ok(decide) = term::at_local(cal, when, cal.office().opens + Duration::hours(1))
                else {
                    return;
                };
                if decide > now {
                    return;
                }
                let grounds = vec![g.clone()];
                if d.step(c, who, decide, |c, x| {
                    case::decide(c, x, DecisionKind::Refuse { grounds })
                }) {
                    break;
                }
            }
        }
        Some(g) => {
            d.step(c, who, decide_at, |c, x| {
                case::decide(c, x, DecisionKind::Refuse { grounds: vec![g] })
            });
        }
    }
    // Some approvals are done, some wait for the supervisor.
    if c.decision()
        .is_some_and(|x| x.approval == case::ApprovalState::Pending)
        && rng.chance(60)
    {
        let at = c
            .decision()
            .map(|x| x.at + Duration::hours(3))
            .unwrap_or(now)
            .min(now);
        d.step(c, boss, at, case::approve);
    }
    // The work after a decision in effect: notices, hand-overs,
    // deregistration; some of it is still in hand.
    let Some(mut t) = c.decision().and_then(case::Decision::effective_at) else {
        return;
    };
    // A generator of its own, so that the cases before and after this one
    // stay as they were.
    let mut rng = Rng::new(c.number.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    }));
    for i in 0..version.stages.len() {
        if case::stage_state(c, version, i) != case::StageState::Open {
            continue;
        }
        let done = t + Duration::hours(rng.below(30) as i64 + 1);
        if done > now || rng.chance(30) {
            break;
        }
        let id = version.stages[i].id.clone();
        if !d.step(c, who, done, |c, x| case::complete_stage(c, x, &id, done)) {
            break;
        }
        t = done;
    }
}
