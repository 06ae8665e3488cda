//! Rights the PostgreSQL server enforces, tried with the real client: psql
//! connected as an inspector's own role tries every forbidden thing, and
//! each must be refused by the server, with the data unchanged; the same
//! changes made the way kezek makes them go through.
//!
//! Runs against the server `.ci/run` starts (`KEZEK_TEST_PG`, a libpq
//! keyword/value string such as `host=/tmp/kezek-pg/sock port=5433
//! user=postgres`, the user being the server's administrator). Without one
//! the tests say so and pass locally; with `CI` set they fail.

#[path = "support/pg.rs"]
mod pg;
use pg::{admin_user, conninfo, psql, server, text};

/// A database of its own on the server, with kezek's schema and rights,
/// two units of one region, their staff as login roles, and two cases
/// with a decision waiting for approval. Dropped with its roles at the end.
struct Region {
    base: String,
    db: String,
    /// Prefix of this run's logins: roles are shared by the whole server.
    p: String,
}

impl Region {
    fn new(base: &str, name: &str) -> Region {
        let tag = pg::tag();
        let db = format!("kezek_{name}_{tag}");
        let r = Region {
            base: base.to_string(),
            db: db.clone(),
            p: format!("t{tag}"),
        };
        let admin_postgres = conninfo(base, &admin_user(base), "postgres");
        let o = psql(&admin_postgres, &format!("CREATE DATABASE {db};"));
        assert!(o.status.success(), "create database: {}", text(&o.stderr));
        let mut sql = String::new();
        sql.push_str(kezek::store::engine::pg_schema::BOOTSTRAP);
        for m in kezek::store::engine::pg_schema::MIGRATIONS {
            sql.push_str(m);
        }
        sql.push_str(kezek::store::rights::SQL);
        let p = &r.p;
        sql.push_str(&format!(
            "
INSERT INTO units (name, region, title) VALUES ('u1', 'almaty', 'Unit 1'), ('u2', 'almaty', 'Unit 2');
SELECT kezek_user_add('{p}li', 'Li', 'supervisor', 'u1');
SELECT kezek_user_add('{p}ivanov', 'Ivanov', 'inspector', 'u1');
SELECT kezek_user_add('{p}kim', 'Kim', 'supervisor', 'u2');
SELECT kezek_user_add('{p}petrov', 'Petrov', 'inspector', 'u2');
SELECT kezek_user_add('{p}umsdp', 'UMS DP', 'regional', NULL, 'almaty');
BEGIN;
INSERT INTO cases (number, procedure, version_id, channel, status, received_at, updated_at, updated_by, unit)
VALUES ('2026-PR-00001', 'pr', 'v', 'police', 'accepted', '2026-01-05T04:00:00Z', '2026-01-05T04:00:00Z', 'admin', 'u1'),
       ('2026-RVP-00002', 'rvp', 'v', 'police', 'accepted', '2026-01-05T04:00:00Z', '2026-01-05T04:00:00Z', 'admin', 'u1'),
       ('2026-RVP-00003', 'rvp', 'v', 'police', 'accepted', '2026-01-05T04:00:00Z', '2026-01-05T04:00:00Z', 'admin', 'u2');
INSERT INTO decisions (case_number, ord, kind, grounds, by_login, at, approval) VALUES
       ('2026-PR-00001', 0, 'issue', '[]', '{p}ivanov', '2026-01-09T04:00:00Z', 'pending'),
       ('2026-RVP-00002', 0, 'issue', '[]', '{p}ivanov', '2026-01-09T04:00:00Z', 'pending'),
       ('2026-RVP-00003', 0, 'issue', '[]', '{p}petrov', '2026-01-09T04:00:00Z', 'pending');
INSERT INTO notes (case_number, ord, by_login, at, text) VALUES
       ('2026-RVP-00003', 0, '{p}petrov', '2026-01-09T04:00:00Z', 'unit 2 only');
INSERT INTO audit (at, actor, case_number, action, after) SELECT '2026-01-05T04:00:00Z', session_user, number, 'case.create', '{{}}' FROM cases;
COMMIT;
"
        ));
        let o = psql(&r.admin(), &sql);
        assert!(o.status.success(), "schema and rights: {}", text(&o.stderr));
        r
    }

    fn admin(&self) -> String {
        conninfo(&self.base, &admin_user(&self.base), &self.db)
    }

    fn as_user(&self, login: &str) -> String {
        conninfo(&self.base, &format!("{}{login}", self.p), &self.db)
    }

    /// What the administrator reads (past row-level security).
    fn read(&self, sql: &str) -> String {
        let o = psql(&self.admin(), sql);
        assert!(o.status.success(), "{sql}: {}", text(&o.stderr));
        text(&o.stdout)
    }

    /// `sql` as `login` must fail with a message containing `why`.
    fn refused(&self, login: &str, what: &str, sql: &str, why: &str) -> Option<String> {
        let o = psql(&self.as_user(login), &sql.replace("{p}", &self.p));
        let err = text(&o.stderr);
        if o.status.success() {
            return Some(format!("{what}: accepted (stdout {})", text(&o.stdout)));
        }
        if !err.contains(why) {
            return Some(format!("{what}: refused for another reason: {err}"));
        }
        None
    }

    /// `sql` as `login` must succeed; returns its output.
    fn accepted(&self, login: &str, sql: &str) -> String {
        let o = psql(&self.as_user(login), &sql.replace("{p}", &self.p));
        assert!(o.status.success(), "as {login}: {sql}: {}", text(&o.stderr));
        text(&o.stdout)
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        let admin_postgres = conninfo(&self.base, &admin_user(&self.base), "postgres");
        let mut sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE);\n", self.db);
        for u in ["li", "ivanov", "kim", "petrov", "umsdp", "new"] {
            sql.push_str(&format!("DROP ROLE IF EXISTS {}{u};\n", self.p));
        }
        let _ = psql(&admin_postgres, &sql);
    }
}

const AUDIT: &str = "INSERT INTO audit (at, actor, case_number, action) VALUES ('2026-01-10T04:00:00Z', session_user, ";

#[test]
fn an_inspector_with_psql_is_refused_everything_the_rights_forbid() {
    let Some(base) = server() else { return };
    let r = Region::new(&base, "rights");
    // An audit row alone, committed on its own: allowed (it changes
    // nothing), and no cover for a change in a later transaction.
    r.accepted("ivanov", &format!("{AUDIT} '2026-PR-00001', 'note');"));
    let before_audit = r.read("SELECT count(*) FROM audit");
    let before_cases =
        r.read("SELECT string_agg(number || ':' || status, ',' ORDER BY number) FROM cases");
    let before_decisions =
        r.read("SELECT string_agg(case_number || ':' || approval, ',' ORDER BY case_number) FROM decisions");
    let mut failures = Vec::new();
    let attempts: Vec<(&str, String, &str)> = vec![
        (
            "a case change without its audit row",
            "UPDATE cases SET status = 'archived' WHERE number = '2026-PR-00001';".into(),
            "without its audit row",
        ),
        (
            "a note without its audit row",
            "INSERT INTO notes (case_number, ord, by_login, at, text) VALUES ('2026-PR-00001', 9, '{p}ivanov', 'x', 'n');".into(),
            "without its audit row",
        ),
        (
            "the audit row of another case covering this change",
            format!("BEGIN; {AUDIT} '2026-RVP-00002', 'note'); UPDATE cases SET status = 'archived' WHERE number = '2026-PR-00001'; COMMIT;"),
            "without its audit row",
        ),
        (
            "an audit row from an earlier transaction covering this change",
            "UPDATE cases SET status = 'archived' WHERE number = '2026-PR-00001';".into(),
            "without its audit row",
        ),
        (
            "a case-less 'deadlines.recompute' row covering an inspector's change",
            format!("BEGIN; {AUDIT} NULL, 'deadlines.recompute'); UPDATE cases SET status = 'archived' WHERE number = '2026-PR-00001'; COMMIT;"),
            "without its audit row",
        ),
        (
            "an audit row in the supervisor's name",
            "INSERT INTO audit (at, actor, case_number, action) VALUES ('x', '{p}li', '2026-PR-00001', 'case.approve');".into(),
            "actor is the connection's own role",
        ),
        (
            "an audit row in the name of kezek itself",
            "INSERT INTO audit (at, actor, case_number, action) VALUES ('x', 'kezek', NULL, 'deadlines.recompute');".into(),
            "actor is the connection's own role",
        ),
        (
            "an audit row for a case of another unit",
            format!("{AUDIT} '2026-RVP-00003', 'note');"),
            "row-level security",
        ),
        (
            "updating audit rows",
            "UPDATE audit SET actor = '{p}ivanov';".into(),
            "permission denied",
        ),
        ("deleting audit rows", "DELETE FROM audit;".into(), "permission denied"),
        ("truncating the audit log", "TRUNCATE audit;".into(), "permission denied"),
        (
            "moving the chain head",
            "UPDATE audit_head SET seq = 1;".into(),
            "permission denied",
        ),
        (
            "reading the audit key",
            "SELECT key FROM audit_key;".into(),
            "permission denied",
        ),
        (
            "approving as oneself",
            format!("BEGIN; {AUDIT} '2026-PR-00001', 'approve'); UPDATE decisions SET approval = 'approved', approval_by = '{{p}}ivanov', approval_at = 'x' WHERE case_number = '2026-PR-00001'; COMMIT;"),
            "may not approve",
        ),
        (
            "approving in the supervisor's name",
            format!("BEGIN; {AUDIT} '2026-PR-00001', 'approve'); UPDATE decisions SET approval = 'approved', approval_by = '{{p}}li', approval_at = 'x' WHERE case_number = '2026-PR-00001'; COMMIT;"),
            "may not approve",
        ),
        (
            "returning a decision",
            format!("BEGIN; {AUDIT} '2026-PR-00001', 'return'); UPDATE decisions SET approval = 'returned', approval_by = '{{p}}ivanov', approval_at = 'x' WHERE case_number = '2026-PR-00001'; COMMIT;"),
            "may not approve",
        ),
        (
            "rewriting a decision as already approved",
            format!("BEGIN; {AUDIT} '2026-RVP-00002', 'decide'); DELETE FROM decisions WHERE case_number = '2026-RVP-00002'; INSERT INTO decisions (case_number, ord, kind, grounds, by_login, at, approval, approval_by, approval_at) VALUES ('2026-RVP-00002', 0, 'issue', '[]', '{{p}}ivanov', 'x', 'approved', '{{p}}li', 'y'); COMMIT;"),
            "may not approve",
        ),
        (
            "adding a user by writing the table",
            "INSERT INTO users (login, name, role, created_at, created_by, unit) VALUES ('{p}evil', 'Evil', 'supervisor', 'x', '{p}ivanov', 'u1');".into(),
            "permission denied",
        ),
        (
            "raising one's own role in the table",
            "UPDATE users SET role = 'supervisor' WHERE login = '{p}ivanov';".into(),
            "permission denied",
        ),
        (
            "adding a user through kezek's function",
            "SELECT kezek_user_add('{p}evil', 'Evil', 'inspector');".into(),
            "permission denied",
        ),
        (
            "changing a role through kezek's function",
            "SELECT kezek_user_set_role('{p}ivanov', 'supervisor');".into(),
            "permission denied",
        ),
        (
            "granting oneself the supervisor group role",
            "GRANT kezek_supervisor TO {p}ivanov;".into(),
            "admin option",
        ),
        (
            "creating a role",
            "CREATE ROLE {p}evil LOGIN;".into(),
            "permission denied",
        ),
        (
            "deleting a case",
            format!("BEGIN; {AUDIT} '2026-PR-00001', 'delete'); DELETE FROM cases WHERE number = '2026-PR-00001'; COMMIT;"),
            "permission denied",
        ),
        ("truncating cases", "TRUNCATE cases CASCADE;".into(), "permission denied"),
        (
            "moving a case to another unit",
            format!("BEGIN; {AUDIT} '2026-PR-00001', 'move'); UPDATE cases SET unit = 'u2' WHERE number = '2026-PR-00001'; COMMIT;"),
            "keeps its number and unit",
        ),
        (
            "creating a case in another unit",
            "INSERT INTO cases (number, procedure, version_id, channel, status, received_at, updated_at, updated_by, unit) VALUES ('2026-RVP-00009', 'rvp', 'v', 'police', 'received', 'x', 'x', '{p}ivanov', 'u2');".into(),
            "row-level security",
        ),
        (
            "switching the triggers off",
            "ALTER TABLE audit DISABLE TRIGGER ALL;".into(),
            "must be owner",
        ),
        (
            "switching the triggers off for the session",
            "SET session_replication_role = replica;".into(),
            "permission denied",
        ),
        (
            "switching row-level security off",
            "ALTER TABLE cases DISABLE ROW LEVEL SECURITY;".into(),
            "must be owner",
        ),
        (
            "a function of one's own in kezek's schema",
            "CREATE FUNCTION kezek_my_units() RETURNS text[] LANGUAGE sql AS $$ SELECT '{u1,u2}'::text[] $$;".into(),
            "permission denied",
        ),
    ];
    for (what, sql, why) in &attempts {
        if let Some(f) = r.refused("ivanov", what, sql, why) {
            failures.push(f);
        }
    }
    // Row-level security: the other unit's case, its notes and its audit
    // rows are not there for an inspector of unit 1.
    let seen = r.accepted(
        "ivanov",
        "SELECT (SELECT count(*) FROM cases WHERE number = '2026-RVP-00003') || ',' || \
         (SELECT count(*) FROM notes) || ',' || (SELECT count(*) FROM decisions WHERE case_number = '2026-RVP-00003') \
         || ',' || (SELECT count(*) FROM audit WHERE case_number = '2026-RVP-00003');",
    );
    if seen != "0,0,0,0" {
        failures.push(format!(
            "unit 2's case, notes, decisions, audit seen by unit 1: {seen}"
        ));
    }
    assert!(failures.is_empty(), "not refused:\n{}", failures.join("\n"));
    // Nothing changed.
    assert_eq!(r.read("SELECT count(*) FROM audit"), before_audit);
    assert_eq!(
        r.read("SELECT string_agg(number || ':' || status, ',' ORDER BY number) FROM cases"),
        before_cases
    );
    assert_eq!(
        r.read("SELECT string_agg(case_number || ':' || approval, ',' ORDER BY case_number) FROM decisions"),
        before_decisions
    );
    assert_eq!(
        r.read(&format!(
            "SELECT count(*) FROM users WHERE login = '{}evil'",
            r.p
        )),
        "0"
    );
    assert_eq!(
        r.read(&format!(
            "SELECT count(*) FROM pg_roles WHERE rolname = '{}evil'",
            r.p
        )),
        "0"
    );

    // The same changes made the way kezek makes them are accepted: a note
    // with its audit row, in one transaction, as oneself.
    r.accepted(
        "ivanov",
        &format!("BEGIN; {AUDIT} '2026-PR-00001', 'note'); INSERT INTO notes (case_number, ord, by_login, at, text) VALUES ('2026-PR-00001', 0, '{{p}}ivanov', 'x', 'seen'); UPDATE cases SET row_version = row_version + 1 WHERE number = '2026-PR-00001'; COMMIT;"),
    );
    assert_eq!(
        r.read("SELECT count(*) FROM notes WHERE case_number = '2026-PR-00001'"),
        "1"
    );
    assert_eq!(
        r.read(
            "SELECT actor || ':' || unit FROM audit WHERE case_number = '2026-PR-00001' ORDER BY seq DESC LIMIT 1"
        ),
        format!("{}ivanov:u1", r.p)
    );
}

#[test]
fn approvals_belong_to_the_units_supervisor_and_region_approves_what_goes_up_to_ums_dp() {
    let Some(base) = server() else { return };
    let r = Region::new(&base, "approve");
    let approve = |n: &str, by: &str| {
        format!(
            "BEGIN; {AUDIT} '{n}', 'approve'); UPDATE decisions SET approval = 'approved', approval_by = '{{p}}{by}', approval_at = '2026-01-10T04:00:00Z' WHERE case_number = '{n}'; COMMIT;"
        )
    };
    let mut failures = Vec::new();
    // Unit 2's supervisor does not see unit 1's case, let alone approve it:
    // the audit row for it is already refused.
    failures.extend(r.refused(
        "kim",
        "a supervisor approving in another unit",
        &approve("2026-RVP-00002", "kim"),
        "row-level security",
    ));
    // The region approves only conclusions that go up to UMS DP: PR
    // (Order 002 §14 item 2: the case file goes to UMS DP for approval;
    // §15: the conclusion is approved by ... the head of UMS DP), not RVP.
    failures.extend(r.refused(
        "umsdp",
        "the region approving an RVP decision",
        &approve("2026-RVP-00002", "umsdp"),
        "may not approve",
    ));
    // A supervisor may not change their own role, nor make a regional user.
    failures.extend(r.refused(
        "li",
        "a supervisor changing their own role",
        "SELECT kezek_user_set_role('{p}li', 'auditor');",
        "may not change their own role",
    ));
    failures.extend(r.refused(
        "li",
        "a supervisor adding a regional user",
        "SELECT kezek_user_add('{p}boss', 'Boss', 'regional', NULL, 'almaty');",
        "only the administrator adds regional users",
    ));
    failures.extend(r.refused(
        "li",
        "a supervisor adding staff to another unit",
        "SELECT kezek_user_add('{p}x', 'X', 'inspector', 'u2');",
        "adds users to unit u1 only",
    ));
    assert!(failures.is_empty(), "not refused:\n{}", failures.join("\n"));

    // What is allowed: unit 1's supervisor approves unit 1's RVP decision;
    // the region approves the PR conclusion; the decision rows rewritten
    // by an inspector's later save keep their approvals.
    r.accepted("li", &approve("2026-RVP-00002", "li"));
    r.accepted("umsdp", &approve("2026-PR-00001", "umsdp"));
    r.accepted(
        "ivanov",
        &format!("BEGIN; {AUDIT} '2026-RVP-00002', 'note'); DELETE FROM decisions WHERE case_number = '2026-RVP-00002'; INSERT INTO decisions (case_number, ord, kind, grounds, by_login, at, approval, approval_by, approval_at) VALUES ('2026-RVP-00002', 0, 'issue', '[]', '{{p}}ivanov', '2026-01-09T04:00:00Z', 'approved', '{{p}}li', '2026-01-10T04:00:00Z'); COMMIT;"),
    );
    assert_eq!(
        r.read("SELECT string_agg(case_number || ':' || approval || ':' || coalesce(approval_by, ''), ',' ORDER BY case_number) FROM decisions")
            .replace(&r.p, ""),
        "2026-PR-00001:approved:umsdp,2026-RVP-00002:approved:li,2026-RVP-00003:pending:"
    );
    // A supervisor adds an inspector: a login role in the inspectors' group,
    // in the supervisor's unit, with its audit row.
    r.accepted("li", "SELECT kezek_user_add('{p}new', 'New', 'inspector');");
    let p = &r.p;
    assert_eq!(
        r.read(&format!(
            "SELECT role || ':' || unit || ':' || pg_has_role('{p}new', 'kezek_inspector', 'MEMBER') FROM users WHERE login = '{p}new'"
        )),
        "inspector:u1:true"
    );
    assert_eq!(
        r.read("SELECT actor FROM audit WHERE action = 'user.add' ORDER BY seq DESC LIMIT 1"),
        format!("{p}li")
    );
    r.accepted("li", "SELECT kezek_user_set_role('{p}new', 'auditor');");
    assert_eq!(
        r.read(&format!(
            "SELECT pg_has_role('{p}new', 'kezek_inspector', 'MEMBER') || ':' || pg_has_role('{p}new', 'kezek_auditor', 'MEMBER')"
        )),
        "false:true"
    );
}
