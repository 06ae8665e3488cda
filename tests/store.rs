//! The SQLite store: migrations, permissions, users and roles, optimistic
//! concurrency, the audit chain, the queue order and the store's answers to
//! the domain's questions.

use chrono::{DateTime, Duration, Utc};
use kezek::domain::calendar::Calendar;
use kezek::domain::case::{self, Actor, DecisionKind, Outcome};
use kezek::domain::procedure::{Role, Rules};
use kezek::domain::urgency::{self, RankKey};
use kezek::store::{Store, StoreError, db};

#[path = "support/engines.rs"]
#[macro_use]
mod engines;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .with_timezone(&Utc)
}

fn open(path: &std::path::Path) -> Store {
    Store::open(
        path,
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
    )
    .expect("open store")
}

type Step<'a> = &'a dyn Fn(
    &case::Case,
    &case::Ctx<'_>,
    &dyn case::CaseQueries,
) -> Result<Vec<case::Event>, case::Violation>;

fn actor(login: &str, role: Role) -> Actor {
    Actor {
        login: login.into(),
        role,
    }
}

/// A database with a supervisor, an inspector, an auditor and a demo caseload.
fn seeded(db: &engines::TestDb, cases: usize) -> (Store, std::path::PathBuf, DateTime<Utc>) {
    let path = db.path().to_path_buf();
    let mut s = open(&path);
    assert_eq!(
        s.add_user("boss", "boss", Role::Inspector, "Boss")
            .expect("first"),
        Role::Supervisor
    );
    s.add_user("boss", "ivanov", Role::Inspector, "Иванов")
        .expect("inspector");
    s.add_user("boss", "audit", Role::Auditor, "Аудитор")
        .expect("auditor");
    for (login, name, role) in kezek::demo::STAFF {
        if s.user(login).expect("user").is_none() {
            s.add_user("boss", login, *role, name).expect("staff");
        }
    }
    let now = at("2026-11-20T10:00:00+05:00");
    let generated = kezek::demo::generate(&s.cal, &s.rules, cases, 7, now);
    let (inserted, skipped) = s
        .insert_cases(&actor("boss", Role::Supervisor), &generated, now, "test")
        .expect("insert");
    assert_eq!((inserted, skipped), (cases, 0));
    (s, path, now)
}

#[test]
fn new_database_is_private_and_migrated_and_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("sub/k.db");
    let s = open(&path);
    drop(s);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o007, 0, "no access for others: {mode:o}");
    }
    let conn = rusqlite::Connection::open(&path).expect("raw");
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(v, db::schema_version());
    conn.pragma_update(None, "user_version", 99).expect("bump");
    drop(conn);
    let err = Store::open(
        &path,
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
    )
    .err()
    .expect("refused");
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
    assert!(
        err.to_string().contains("newer than this kezek supports"),
        "{err}"
    );
}

both_engines! {
    fn only_a_supervisor_adds_users_and_an_auditor_changes_nothing(db) {
            let (mut s, _, now) = seeded(db, 20);
        let err = s
            .add_user("ivanov", "petrov", Role::Inspector, "Петров")
            .unwrap_err();
        assert!(err.to_string().contains("only a supervisor"), "{err}");
        assert!(
            s.add_user("boss", "Bad Login", Role::Inspector, "x")
                .is_err()
        );
        assert!(
            s.add_user("boss", "x1", Role::Inspector, "a\u{1b}[2Jb")
                .is_err()
        );
        let q = s.queue(&Default::default()).expect("queue");
        let number = q[0].number.clone();
        let loaded = s.case(&number).expect("case");
        let err = s
            .act(
                &actor("audit", Role::Auditor),
                &number,
                loaded.row_version,
                now,
                |c, x, _| case::add_note(c, x, "hello"),
            )
            .unwrap_err();
        assert!(matches!(err, StoreError::Denied(_)), "{err}");
        assert!(
            s.assign(
                &actor("audit", Role::Auditor),
                &number,
                loaded.row_version,
                Some("ivanov"),
                now
            )
            .is_err()
        );
        // Nothing was written by the refused attempts.
        assert_eq!(
            s.case(&number).expect("case").row_version,
            loaded.row_version
        );
    }
}

/// A manual check that can be marked on the queue's first accepted case.
fn markable(s: &Store) -> (String, Vec<String>) {
    for row in s.queue(&Default::default()).expect("queue") {
        let l = s.case(&row.number).expect("case");
        if l.case.status != case::Status::Accepted {
            continue;
        }
        let v = s
            .rules
            .version(&l.case.procedure, &l.case.version)
            .expect("version");
        let ids: Vec<String> = v
            .checks
            .iter()
            .filter(|k| k.computed.is_none())
            .map(|k| k.id.clone())
            .collect();
        if ids.len() >= 2 {
            return (row.number, ids);
        }
    }
    panic!("no accepted case with two manual checks");
}

both_engines! {
    fn a_colleagues_save_refuses_mine_only_when_it_touched_the_same_thing(db) {
            let (mut a, path, now) = seeded(db, 40);
        let mut b = open(&path);
        let (number, checks) = markable(&a);
        let ivanov = actor("ivanov", Role::Inspector);
        let boss = actor("boss", Role::Supervisor);
        let seen = a.case(&number).expect("case").row_version;
        let mark = |check: &str, o: Outcome, note: &'static str| {
            let check = check.to_string();
            move |c: &case::Case, x: &case::Ctx<'_>, _: &dyn case::CaseQueries| {
                case::record_check(c, x, &check, o, note)
            }
        };
        // ivanov marks the first check.
        let (v2, _) = a
            .act(
                &ivanov,
                &number,
                seen,
                now,
                mark(&checks[0], Outcome::Passed, ""),
            )
            .expect("first writer");
        assert_eq!(v2, seen + 1);
        // boss, who read the case before that, adds a note: notes never conflict.
        b.act(&boss, &number, seen, now, |c, x, _| {
            case::add_note(c, x, "second")
        })
        .expect("a note on top of a colleague's mark");
        // boss marks another check on the same old read: applied on top.
        b.act(
            &boss,
            &number,
            seen,
            now,
            mark(&checks[1], Outcome::Failed, "b"),
        )
        .expect("a different check on top");
        // boss marks the check ivanov marked: refused, naming who, what, when.
        let err = b
            .act(
                &boss,
                &number,
                seen,
                now,
                mark(&checks[0], Outcome::Failed, "x"),
            )
            .unwrap_err();
        match &err {
            StoreError::Stale { by, what, at, .. } => {
                assert_eq!(by, "ivanov");
                assert_eq!(what.len(), 1, "{what:?}");
                // The office's wall clock (Almaty, UTC+5), not UTC.
                assert_eq!(at.format("%H:%M").to_string(), "10:00");
            }
            other => panic!("expected a stale refusal, got {other}"),
        }
        let said = err.to_string();
        assert!(
            said.contains("ivanov changed the check") && said.contains("not saved"),
            "{said}"
        );
        assert!(!said.contains("T05:00"), "UTC time shown: {said}");
        // ivanov's own later saves on his old read chain: none conflicts with him.
        a.act(
            &ivanov,
            &number,
            seen,
            now,
            mark(&checks[0], Outcome::Failed, "again"),
        )
        .expect("my own earlier save never refuses my next one");
        let c = a.case(&number).expect("case").case;
        assert_eq!(c.checks[&checks[0]].outcome, Outcome::Failed);
        assert_eq!(c.checks[&checks[1]].outcome, Outcome::Failed);
        assert_eq!(c.notes.len(), 1);
        assert_eq!(c.notes[0].text, "second");
    }
}

both_engines! {
    fn an_inspector_cannot_approve_a_pr_conclusion_through_the_store(db) {
            let (mut s, _, now) = seeded(db, 0);
        let rules = Rules::built_in().expect("rules");
        let v = rules
            .version_at("pr", now.date_naive())
            .expect("pr")
            .clone();
        let mut c = case::Case::received(
            "2026-PR-99999",
            "pr",
            &v,
            v.channels[0],
            at("2026-09-01T10:00:00+05:00"),
            case::Person {
                key: "K1".into(),
                name: "Wang Wei".into(),
                iin: None,
                birth_date: None,
                citizenship: "CHN".into(),
            },
        );
        for d in v.documents.iter().filter(|d| d.required) {
            c.documents.push(case::Document {
                kind: d.id.clone(),
                number: "1".into(),
                valid_until: Some(now.date_naive() + Duration::days(300)),
            });
        }
        let boss = actor("boss", Role::Supervisor);
        let inspector = actor("ivanov", Role::Inspector);
        s.create_case(&inspector, &c, now).expect("create");
        let mut ver = 1;
        let step = |s: &mut Store, who: &Actor, ver: &mut i64, when: DateTime<Utc>, f: Step<'_>| {
            let (v, _) = s
                .act(who, "2026-PR-99999", *ver, when, |c, x, q| f(c, x, q))
                .expect("step");
            *ver = v;
        };
        step(
            &mut s,
            &inspector,
            &mut ver,
            at("2026-09-01T10:00:00+05:00"),
            &|c, x, q| case::accept(c, x, q, None),
        );
        for chk in &v.checks {
            let id = chk.id.clone();
            step(
                &mut s,
                &inspector,
                &mut ver,
                at("2026-10-01T10:00:00+05:00"),
                &move |c, x, _| case::record_check(c, x, &id, Outcome::Passed, ""),
            );
        }
        step(
            &mut s,
            &inspector,
            &mut ver,
            at("2026-10-02T10:00:00+05:00"),
            &|c, x, _| case::decide(c, x, DecisionKind::Issue),
        );
        let err = s
            .act(
                &inspector,
                "2026-PR-99999",
                ver,
                at("2026-10-02T11:00:00+05:00"),
                |c, x, _| case::approve(c, x),
            )
            .unwrap_err();
        assert!(err.to_string().contains("only a supervisor"), "{err}");
        step(
            &mut s,
            &boss,
            &mut ver,
            at("2026-10-02T12:00:00+05:00"),
            &|c, x, _| case::approve(c, x),
        );
        let loaded = s.case("2026-PR-99999").expect("case");
        assert_eq!(loaded.case.status, case::Status::Decided);
        // The whole history is in the audit log, in order.
        let history = s.audit_of("2026-PR-99999").expect("audit");
        assert_eq!(
            history.first().map(|r| r.action.as_str()),
            Some("case.create")
        );
        assert_eq!(
            history.last().map(|r| r.action.as_str()),
            Some("decision_approved")
        );
    }
}

#[test]
fn tampering_with_the_audit_log_is_detected() {
    let db = engines::TestDb::sqlite();
    let (s, path, _) = seeded(&db, 30);
    let v = s.verify_audit().expect("verify");
    assert_eq!(v.first_break, None);
    assert!(v.rows > 30);
    drop(s);
    let raw = || rusqlite::Connection::open(&path).expect("raw");
    // Edit a row.
    raw()
        .execute("UPDATE audit SET actor = 'mallory' WHERE seq = 12", [])
        .expect("edit");
    let b = open(&path)
        .verify_audit()
        .expect("verify")
        .first_break
        .expect("break");
    assert_eq!(b.seq, 12);
    assert!(b.reason.to_string().contains("edited"), "{}", b.reason);
    raw()
        .execute("UPDATE audit SET actor = 'boss' WHERE seq = 12", [])
        .expect("restore");
    assert_eq!(
        open(&path).verify_audit().expect("verify").first_break,
        None
    );
    // Delete a row in the middle.
    raw()
        .execute("DELETE FROM audit WHERE seq = 20", [])
        .expect("delete");
    let b = open(&path)
        .verify_audit()
        .expect("verify")
        .first_break
        .expect("break");
    assert_eq!(b.seq, 21);
    assert!(b.reason.to_string().contains("missing"), "{}", b.reason);
}

#[test]
fn deleting_the_newest_audit_rows_is_detected() {
    let db = engines::TestDb::sqlite();
    let (s, path, _) = seeded(&db, 5);
    let rows = s.verify_audit().expect("verify").rows;
    drop(s);
    let raw = rusqlite::Connection::open(&path).expect("raw");
    raw.execute("DELETE FROM audit WHERE seq = ?1", [rows])
        .expect("delete");
    drop(raw);
    let b = open(&path)
        .verify_audit()
        .expect("verify")
        .first_break
        .expect("break");
    assert!(
        b.reason.to_string().contains("kezek last wrote row"),
        "{}",
        b.reason
    );
}

both_engines! {
    fn the_sql_queue_order_is_the_domain_rank_order(db) {
            let (s, _, now) = seeded(db, 150);
        let rows = s.queue(&Default::default()).expect("queue");
        assert!(rows.len() > 50);
        let mut keys: Vec<RankKey> = rows
            .iter()
            .map(|r| {
                let loaded = s.case(&r.number).expect("case");
                let v = s
                    .rules
                    .procedure(&loaded.case.procedure)
                    .expect("procedure")
                    .version(&loaded.case.version)
                    .expect("version");
                let deadlines = urgency::open_deadlines(&loaded.case, v, &s.cal).expect("deadlines");
                RankKey::new(&loaded.case, &deadlines, now)
            })
            .collect();
        let sql_order: Vec<String> = keys.iter().map(|k| k.number.clone()).collect();
        keys.sort();
        let domain_order: Vec<String> = keys.iter().map(|k| k.number.clone()).collect();
        assert_eq!(sql_order, domain_order);
        // Filters.
        let mine = s
            .queue(&kezek::store::cases::QueueFilter {
                assignee: Some("ivanov".into()),
                ..Default::default()
            })
            .expect("queue");
        assert!(mine.iter().all(|r| r.assignee.as_deref() == Some("ivanov")));
        let prs = s
            .queue(&kezek::store::cases::QueueFilter {
                procedure: Some("pr".into()),
                limit: Some(5),
                ..Default::default()
            })
            .expect("queue");
        assert!(prs.len() <= 5 && prs.iter().all(|r| r.procedure == "pr"));
    }
}

both_engines! {
    fn a_re_insert_creates_no_duplicates(db) {
            let (mut s, _, now) = seeded(db, 25);
        let again = kezek::demo::generate(&s.cal, &s.rules, 25, 7, now);
        let (inserted, skipped) = s
            .insert_cases(&actor("boss", Role::Supervisor), &again, now, "test")
            .expect("insert");
        assert_eq!((inserted, skipped), (0, 25));
        assert_eq!(s.case_count().expect("count"), 25);
    }
}

both_engines! {
    fn the_pr_reapplication_block_counts_from_the_local_day_of_the_refusal(db) {
        // A refusal approved at 01:30 Almaty time on 24.11.2025 is stored as
        // 20:30 UTC on the 23rd; the year runs from the 24th, so an application
        // accepted on 23.11.2026 is still blocked.
            let mut s = open(db.path());
        s.add_user("boss", "boss", Role::Supervisor, "Boss")
            .expect("user");
        for (login, name, role) in kezek::demo::STAFF {
            s.add_user("boss", login, *role, name).expect("staff");
        }
        let boss = actor("boss", Role::Supervisor);
        let then = at("2025-11-20T10:00:00+05:00");
        let mut cases = kezek::demo::generate(&s.cal, &s.rules, 80, 11, then);
        let i = cases
            .iter()
            .position(|c| c.procedure == "pr" && c.status == case::Status::Accepted)
            .expect("an accepted PR");
        let mut refused = cases.swap_remove(i);
        let decided = at("2025-11-24T01:30:00+05:00");
        refused.decisions = vec![case::Decision {
            kind: DecisionKind::Refuse {
                grounds: vec!["law_19_1".into()],
            },
            by: "boss".into(),
            at: decided,
            approval: case::ApprovalState::NotRequired,
            reason: String::new(),
        }];
        refused.status = case::Status::Decided;
        let mut again = refused.clone();
        again.number = "2026-PR-77777".into();
        again.decisions.clear();
        again.status = case::Status::Received;
        again.accepted_at = None;
        again.acceptance_day = None;
        again.stages = Vec::new();
        again.checks.clear();
        again.received_at = at("2026-11-23T10:00:00+05:00");
        s.insert_cases(&boss, &[refused, again], decided, "test")
            .expect("insert");
        let seen = s.case("2026-PR-77777").expect("case").row_version;
        let r = s.act(
            &boss,
            "2026-PR-77777",
            seen,
            at("2026-11-23T11:00:00+05:00"),
            |c, x, q| case::accept(c, x, q, None),
        );
        let err = r.expect_err("still blocked on 23.11.2026");
        assert!(err.to_string().contains("24.11.2026"), "{err}");
    }
}

#[test]
fn the_consoles_queue_table_holds_what_the_queue_says() {
    let db = engines::TestDb::sqlite();
    let (mut s, path, now) = seeded(&db, 120);
    // A few changes after the import, so that written rows are compared too.
    let (number, checks) = markable(&s);
    let ivanov = actor("ivanov", Role::Inspector);
    let seen = s.case(&number).expect("case").row_version;
    s.act(&ivanov, &number, seen, now, |c, x, _| {
        case::record_check(c, x, &checks[0], Outcome::Passed, "")
    })
    .expect("mark");
    let rows = s.queue(&Default::default()).expect("queue");
    let table = s.queue_table(&Default::default()).expect("table");
    assert_eq!(rows.len(), table.len());
    for (r, t) in rows.iter().zip(table.iter()) {
        assert_eq!(r.number, t.number());
        assert_eq!(r.procedure, t.procedure());
        assert_eq!(r.applicant, t.applicant());
        assert_eq!(r.citizenship, t.citizenship());
        assert_eq!(r.stage.as_deref(), t.stage(), "{}", r.number);
        assert_eq!(r.approval.as_deref(), t.approval(), "{}", r.number);
        assert_eq!(r.assignee.as_deref(), t.assignee());
        assert_eq!(r.next_due, t.next_due());
        assert_eq!(r.next_due_unit, t.next_due_unit());
    }
    // The columns kept for the queue agree with the rows they summarise,
    // which is what migration 5 fills them from.
    let conn = rusqlite::Connection::open(&path).expect("sqlite");
    let differing: i64 = conn
        .query_row(
            "SELECT count(*) FROM cases c WHERE
                c.q_applicant IS NOT (SELECT name FROM persons p WHERE p.case_number = c.number AND p.ord = 0)
             OR c.q_citizenship IS NOT (SELECT citizenship FROM persons p WHERE p.case_number = c.number AND p.ord = 0)
             OR c.q_approval IS NOT (SELECT approval FROM decisions d WHERE d.case_number = c.number ORDER BY d.ord DESC LIMIT 1)",
            [],
            |r| r.get(0),
        )
        .expect("compare");
    assert_eq!(differing, 0);
}

#[test]
fn a_value_kezek_cannot_read_marks_one_row_of_the_consoles_queue() {
    let db = engines::TestDb::sqlite();
    let (s, path, _) = seeded(&db, 40);
    let before = s.queue_table(&Default::default()).expect("table").len();
    let victim = s.queue(&Default::default()).expect("queue")[3]
        .number
        .clone();
    let conn = rusqlite::Connection::open(&path).expect("sqlite");
    conn.execute(
        "UPDATE cases SET next_due = '+10000-01-01T00:00:00Z', q_applicant = x'ff00' WHERE number = ?1",
        [&victim],
    )
    .expect("tamper");
    let table = s
        .queue_table(&Default::default())
        .expect("one bad row fails nothing");
    assert_eq!(table.len(), before);
    let bad: Vec<String> = table
        .iter()
        .filter(|r| r.unreadable())
        .map(|r| r.number().to_string())
        .collect();
    assert_eq!(bad, vec![victim]);
}

both_engines! {
    fn the_database_counts_the_queue_as_the_console_does(db) {
            let (s, _, now) = seeded(db, 200);
        let table = s.queue_table(&Default::default()).expect("table");
        for hours in [0i64, 30, 75, 200] {
            let at = now + Duration::hours(hours);
            let b = kezek::app::CountBounds::at(&s.cal, at);
            let mut want = [table.len() as i64, 0, 0, 0];
            for due in table.dues() {
                match b.class(due) {
                    Some(kezek::app::DueClass::Overdue) => want[1] += 1,
                    Some(kezek::app::DueClass::Today) => want[2] += 1,
                    Some(kezek::app::DueClass::Soon) => want[3] += 1,
                    None => {}
                }
            }
            let instant =
                |x: Option<i64>| DateTime::from_timestamp(x.expect("bound"), 0).expect("instant");
            let got = s
                .queue_counts(
                    &Default::default(),
                    [
                        instant(Some(b.now)),
                        instant(b.tomorrow),
                        instant(b.soon_from),
                        instant(b.soon_until),
                    ],
                )
                .expect("counts");
            assert_eq!(got, want, "at {at}");
            assert!(want[1] > 0 || hours == 0);
        }
    }
}

#[test]
fn the_servers_audit_chain_is_the_one_kezek_computes_and_an_edit_shows() {
    let Some(db) = engines::TestDb::postgres("the_servers_audit_chain") else {
        return;
    };
    let (s, _, _) = seeded(&db, 12);
    let v = s.verify_audit().expect("verify");
    assert!(v.first_break.is_none(), "{:?}", v.first_break);
    assert!(v.rows > 12, "{}", v.rows);
    let mut c = db.pg_client().expect("superuser session");
    let key: Vec<u8> = c
        .query_one("SELECT key FROM audit_key WHERE id = 1", &[])
        .expect("key")
        .get(0);
    assert_eq!(key.len(), 32);
    let rows = c
        .query(
            "SELECT seq, at, actor, case_number, action, before, after, prev_hash, hash FROM audit ORDER BY seq",
            &[],
        )
        .expect("rows");
    let mut prev = kezek::store::audit::GENESIS.to_string();
    for (i, r) in rows.iter().enumerate() {
        let seq: i64 = r.get(0);
        assert_eq!(seq, i as i64 + 1);
        let prev_hash: String = r.get(7);
        assert_eq!(prev_hash, prev, "row {seq} links to the row before");
        let input = kezek::store::audit::row_input(
            seq,
            r.get::<_, &str>(1),
            r.get::<_, &str>(2),
            r.get::<_, Option<&str>>(3),
            r.get::<_, &str>(4),
            r.get::<_, Option<&str>>(5),
            r.get::<_, Option<&str>>(6),
            &prev_hash,
        );
        let hash: String = r.get(8);
        assert_eq!(
            hash,
            kezek::store::audit::mac_hex(Some(&key), &input),
            "row {seq}: the server's MAC is kezek's"
        );
        prev = hash;
    }
    // An edit made around kezek (here by the superuser, past any trigger)
    // is found at its row.
    c.batch_execute(
        "SET session_replication_role = replica; UPDATE audit SET actor = 'mallory' WHERE seq = 5",
    )
    .expect("tamper");
    let v = s.verify_audit().expect("verify");
    assert_eq!(v.first_break.map(|b| b.seq), Some(5));
}

#[test]
fn a_newer_postgresql_schema_is_refused() {
    let Some(db) = engines::TestDb::postgres("a_newer_postgresql_schema_is_refused") else {
        return;
    };
    drop(open(db.path()));
    let mut c = db.pg_client().expect("superuser session");
    let v: i64 = c
        .query_one("SELECT version FROM schema_version", &[])
        .expect("version")
        .get(0);
    assert_eq!(v, db::schema_version());
    c.batch_execute("UPDATE schema_version SET version = 99")
        .expect("bump");
    let err = Store::open(
        db.path(),
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
    )
    .err()
    .expect("refused");
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
}

both_engines! {
    fn another_sessions_change_arrives_naming_its_case_and_mine_does_not(db) {
        let (mut a, path, now) = seeded(db, 30);
        let mut b = open(&path);
        a.watch().expect("watch");
        assert_eq!(
            a.changes(std::time::Duration::ZERO).expect("changes"),
            kezek::store::Changes::Nothing
        );
        let (number, _) = markable(&a);
        let boss = actor("boss", Role::Supervisor);
        // My own save is not news to me.
        let seen = a.case(&number).expect("case").row_version;
        a.act(&boss, &number, seen, now, |c, x, _| case::add_note(c, x, "mine"))
            .expect("my note");
        assert_eq!(
            a.changes(std::time::Duration::from_millis(300)).expect("changes"),
            kezek::store::Changes::Nothing
        );
        // A colleague's save names the case, within a second.
        let seen = b.case(&number).expect("case").row_version;
        b.act(&boss, &number, seen, now, |c, x, _| case::add_note(c, x, "theirs"))
            .expect("their note");
        let started = std::time::Instant::now();
        let mut got = kezek::store::Changes::Nothing;
        while started.elapsed() < std::time::Duration::from_secs(1) {
            // As the console asks: without waiting, between other work.
            std::thread::sleep(std::time::Duration::from_millis(50));
            got = a.changes(std::time::Duration::ZERO).expect("changes");
            if got != kezek::store::Changes::Nothing {
                break;
            }
        }
        assert_eq!(got, kezek::store::Changes::Cases(vec![number.clone()]));
        assert_eq!(
            a.changes(std::time::Duration::ZERO).expect("changes"),
            kezek::store::Changes::Nothing,
            "reported once"
        );
    }
}

both_engines! {
    fn a_queue_patched_with_the_changed_cases_is_the_queue_read_again(db) {
        use kezek::store::cases::QueueFilter;
        let (mut a, path, now) = seeded(db, 150);
        let mut b = open(&path);
        let views = [
            QueueFilter::default(),
            QueueFilter {
                assignee: Some("ivanov".into()),
                ..Default::default()
            },
            QueueFilter {
                unassigned: true,
                ..Default::default()
            },
        ];
        let before: Vec<_> = views
            .iter()
            .map(|f| a.queue_table(f).expect("table"))
            .collect();
        a.watch().expect("watch");
        // A colleague assigns some cases (they leave or join views), marks
        // a check (the case may move) and adds a note (it stays put).
        let boss = actor("boss", Role::Supervisor);
        let rows = b.queue(&Default::default()).expect("queue");
        let mut touched = Vec::new();
        for (i, r) in rows.iter().enumerate().filter(|(i, _)| i % 17 == 3).take(6) {
            let seen = b.case(&r.number).expect("case").row_version;
            let to = if i % 2 == 0 { Some("ivanov") } else { None };
            b.assign(&boss, &r.number, seen, to, now).expect("assign");
            touched.push(r.number.clone());
        }
        let (number, checks) = markable(&b);
        let seen = b.case(&number).expect("case").row_version;
        b.act(&boss, &number, seen, now, |c, x, _| {
            case::record_check(c, x, &checks[0], Outcome::Passed, "")
        })
        .expect("mark");
        let last = &rows[rows.len() - 1].number;
        let seen = b.case(last).expect("case").row_version;
        b.act(&boss, last, seen, now, |c, x, _| case::add_note(c, x, "n"))
            .expect("note");
        let mut changed = Vec::new();
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(2) {
            match a.changes(std::time::Duration::from_millis(100)).expect("changes") {
                kezek::store::Changes::Cases(n) => changed.extend(n),
                kezek::store::Changes::Everything => panic!("a few cases are not everything"),
                kezek::store::Changes::Nothing if !changed.is_empty() => break,
                kezek::store::Changes::Nothing => {}
            }
        }
        for n in touched.iter().chain([&number, last]) {
            assert!(changed.contains(n), "{n} reported in {changed:?}");
        }
        for (f, old) in views.iter().zip(&before) {
            let fresh = a.queue_rows_of(f, &changed).expect("fresh rows");
            let patched = old.patched(&changed, &fresh);
            let reread = a.queue_table(f).expect("table");
            let show = |q: &kezek::store::table::Queue| -> Vec<String> {
                q.iter()
                    .map(|r| {
                        format!(
                            "{} {} {:?} {:?} {:?} {:?} {}",
                            r.number(),
                            r.applicant(),
                            r.assignee(),
                            r.stage(),
                            r.next_due(),
                            r.approval(),
                            r.procedure()
                        )
                    })
                    .collect()
            };
            assert_eq!(show(&patched), show(&reread), "view {f:?}");
            let needle = [reread.get(0).expect("a row").applicant()];
            assert_eq!(
                patched.matching(&needle, None),
                reread.matching(&needle, None),
                "search lines follow their rows"
            );
        }
    }
}
