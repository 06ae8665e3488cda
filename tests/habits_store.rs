//! The store side of the console's habits on both engines: settings per
//! login (kept, replaced, dropped, all or none), the look-up of a case by a
//! short number, and an undo refused after a colleague's change.

use chrono::{DateTime, Utc};
use kezek::app::worker::{self, Reply};
use kezek::app::{self, undo};
use kezek::domain::case::{Actor, Outcome, Status};
use kezek::domain::procedure::Role;
use kezek::i18n::Lang;
use kezek::store::Store;

#[path = "support/engines.rs"]
#[macro_use]
mod engines;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T10:00:00+05:00")
        .expect("instant")
        .with_timezone(&Utc)
}

fn actor(login: &str) -> Actor {
    Actor {
        login: login.into(),
        role: Role::Supervisor,
    }
}

fn seeded(t: &engines::TestDb) -> Store {
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
    let cases = kezek::demo::generate(&s.cal, &s.rules, 60, 3, now());
    s.insert_cases(&actor("boss"), &cases, now(), "test")
        .expect("insert");
    s
}

both_engines! {
    fn settings_are_per_login_and_written_all_or_none(t) {
        let mut s = seeded(t);
        let set = |k: &str, v: Option<&str>| (k.to_string(), v.map(str::to_string));
        s.put_prefs("li", &[set("view", Some("mine")), set("reverse", Some("1"))], now())
            .expect("kept");
        s.put_prefs("boss", &[set("view", Some("all"))], now()).expect("kept");
        s.put_prefs("li", &[set("view", Some("all")), set("reverse", None)], now())
            .expect("replaced");
        let li = s.prefs("li").expect("read");
        assert_eq!(li.get("view").map(String::as_str), Some("all"));
        assert!(!li.contains_key("reverse"));
        assert_eq!(s.prefs("boss").expect("read").len(), 1);
        // One value too long: nothing of the batch is written.
        let long = "x".repeat(kezek::store::prefs::MAX_VALUE + 1);
        assert!(
            s.put_prefs("li", &[set("theme", Some("light")), set("filter", Some(&long))], now())
                .is_err()
        );
        assert!(!s.prefs("li").expect("read").contains_key("theme"));
    }

    fn short_numbers_find_their_case(t) {
        let s = seeded(t);
        let full = s.find_cases("2026-RVP-00003", 5).expect("exact");
        assert_eq!(full, vec!["2026-RVP-00003".to_string()]);
        assert_eq!(s.find_cases("rvp-3", 5).expect("short"), full);
        assert_eq!(s.find_cases("RVP3", 5).expect("short"), full);
        let many = s.find_cases("3", 9).expect("bare");
        assert!(many.len() > 1 && many.contains(&full[0]), "{many:?}");
        assert!(many.iter().all(|n| n.ends_with("-00003")), "{many:?}");
        assert!(s.find_cases("rvp-99999", 5).expect("none").is_empty());
    }

    fn an_undo_is_refused_after_a_colleagues_change(t) {
        let mut s = seeded(t);
        let rows = s.queue_table(&Default::default()).expect("queue");
        let (number, check) = rows
            .iter()
            .filter(|r| r.status() == Some(Status::Accepted))
            .find_map(|r| {
                let c = s.case(r.number()).expect("case").case;
                let v = s.rules.version(&c.procedure, &c.version)?;
                let k = v.checks.iter().find(|k| {
                    k.applies_to(c.purpose.as_deref()) && !c.checks.contains_key(&k.id)
                })?;
                Some((r.number().to_string(), k.id.clone()))
            })
            .expect("an accepted case with an unmarked check");
        let seen = s.case(&number).expect("case").row_version;
        let change = app::Change::RecordCheck {
            number: number.clone(),
            seen,
            check: check.clone(),
            outcome: Outcome::Passed,
            note: String::new(),
        };
        let Reply::Acted { undo, .. } =
            worker::apply(&mut s, &actor("akhmetova"), Lang::En, change, now(), None)
        else {
            panic!("acted");
        };
        let u = undo.expect("undo");
        let fresh = s.case(&number).expect("case").row_version;
        let theirs = app::Change::RecordCheck {
            number: number.clone(),
            seen: fresh,
            check: check.clone(),
            outcome: Outcome::Failed,
            note: String::new(),
        };
        worker::apply(&mut s, &actor("boss"), Lang::En, theirs, now(), None);
        let (status, ok, _) = undo::apply(&mut s, &actor("akhmetova"), Lang::En, &u, now());
        assert!(!ok && status.contains("boss"), "{status}");
        let c = s.case(&number).expect("case").case;
        assert_eq!(c.checks.get(&check).map(|r| r.outcome), Some(Outcome::Failed));
    }
}
