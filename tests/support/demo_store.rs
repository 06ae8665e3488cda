//! The demo caseload at a fixed instant, for screen tests.

use chrono::{DateTime, Utc};
use kezek::domain::case::Actor;
use kezek::domain::procedure::Role;
use kezek::store::Store;

/// The instant every screen test is drawn at.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T10:00:00+05:00")
        .expect("instant")
        .with_timezone(&Utc)
}

/// A fresh SQLite database with the demo staff and 120 demo cases.
pub fn demo() -> (tempfile::TempDir, Store) {
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
    let cases = kezek::demo::generate(&s.cal, &s.rules, 120, 7, now());
    let boss = Actor {
        login: "boss".into(),
        role: Role::Supervisor,
    };
    s.insert_cases(&boss, &cases, now(), "demo")
        .expect("insert");
    (dir, s)
}
