//! `kezek case …` end to end: the real binary, whole processes, every
//! procedure from receipt to the archive.

use std::process::{Command, Output, Stdio};

use chrono::{DateTime, Duration, FixedOffset};
use serde_json::{Value, json};

#[path = "support/engines.rs"]
#[macro_use]
mod engines;

struct Db {
    dir: std::path::PathBuf,
    path: String,
}

fn run(db: &Db, user: &str, now: &str, args: &[&str]) -> Output {
    let cfg = std::env::temp_dir().join("kezek-case-cli-test-empty-config");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kezek"));
    cmd.args(["--lang", "en", "--db", &db.path])
        .args(args)
        .env("KEZEK_CONFIG_DIR", &cfg)
        .env("KEZEK_USER", user)
        .env("KEZEK_NOW", now)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.output().expect("run kezek")
}

fn ok(db: &Db, user: &str, now: &str, args: &[&str]) -> String {
    let o = run(db, user, now, args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "kezek {args:?} at {now}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("utf-8")
}

fn show(db: &Db, now: &str, case: &str) -> Value {
    let out = ok(
        db,
        "ivanov",
        now,
        &["case", "show", case, "--format", "json"],
    );
    serde_json::from_str(&out).expect("json")
}

fn rules(version_day: &str, procedure: &str) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_kezek"))
        .args([
            "rules",
            "show",
            procedure,
            "--at",
            version_day,
            "--format",
            "json",
        ])
        .env(
            "KEZEK_CONFIG_DIR",
            std::env::temp_dir().join("kezek-case-cli-test-empty-config"),
        )
        .output()
        .expect("rules");
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    v["versions"][0].clone()
}

/// An application with every required document of its version and purpose.
/// The day `days` away from the day of `received` ("YYYY-MM-DD HH:MM").
fn shift(received: &str, days: i64) -> String {
    let day = chrono::NaiveDate::parse_from_str(&received[..10], "%Y-%m-%d").expect("day");
    (day + chrono::Duration::days(days)).to_string()
}

fn application(number: &str, procedure: &str, received: &str, purpose: Option<&str>) -> Value {
    let day = &received[..10];
    let v = rules(day, procedure);
    let docs: Vec<Value> = v["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .filter(|d| d["required"] != false)
        .filter(|d| {
            let ps = d["purposes"].as_array().cloned().unwrap_or_default();
            ps.is_empty() || purpose.is_some_and(|p| ps.iter().any(|x| x == p))
        })
        .map(|d| json!({"kind": d["id"], "number": format!("{}-1", d["id"].as_str().unwrap_or("")), "valid_until": "2030-01-01"}))
        .collect();
    let channel = v["channels"][0].clone();
    let mut a = json!({
        "number": number,
        "procedure": procedure,
        "received_at": received,
        "channel": channel,
        "applicant_name": format!("Applicant {number}"),
        "applicant_key": format!("K-{number}"),
        "citizenship": if procedure == "exit" { "KAZ" } else { "UZB" },
        "host_name": "Host",
        "host_id": "680101142626",
        // Entered a few weeks before applying, allowed to stay a while.
        "entry_date": shift(received, -25),
        "stay_until": shift(received, 66),
        "documents": docs,
    });
    if let Some(p) = purpose {
        a["purpose"] = json!(p);
    }
    a
}

fn setup(t: &engines::TestDb, apps: &[Value]) -> Db {
    let db = Db {
        dir: t.dir().to_path_buf(),
        path: t.arg(),
    };
    let now = "2019-01-01T10:00:00+05:00";
    ok(&db, "boss", now, &["init"]);
    ok(
        &db,
        "boss",
        now,
        &[
            "user",
            "add",
            "boss",
            "--role",
            "supervisor",
            "--name",
            "Boss",
        ],
    );
    ok(
        &db,
        "boss",
        now,
        &[
            "user",
            "add",
            "ivanov",
            "--role",
            "inspector",
            "--name",
            "Ivanov",
        ],
    );
    let file = db.dir.join("apps.json");
    std::fs::write(&file, serde_json::to_string(apps).expect("json")).expect("write");
    ok(&db, "boss", now, &["import", &file.to_string_lossy()]);
    db
}

/// A clock that moves an hour per step from `start` (Almaty time).
struct Clock(DateTime<FixedOffset>);

impl Clock {
    fn new(start: &str) -> Clock {
        Clock(DateTime::parse_from_rfc3339(start).expect("start"))
    }
    fn tick(&mut self) -> String {
        self.0 += Duration::hours(1);
        self.0.to_rfc3339()
    }
}

fn in_queue(db: &Db, now: &str, case: &str) -> bool {
    let out = ok(
        db,
        "ivanov",
        now,
        &["queue", "--format", "json", "--now", now],
    );
    let v: Value = serde_json::from_str(&out).expect("json");
    v.as_array()
        .expect("rows")
        .iter()
        .any(|r| r["number"] == case)
}

fn mark_all(db: &Db, clock: &mut Clock, case: &str) {
    let now = clock.tick();
    let c = show(db, &now, case);
    for k in c["checks"].as_array().expect("checks") {
        let mark = if k["applies"] == true { "passed" } else { "na" };
        let id = k["check"].as_str().expect("id");
        ok(
            db,
            "ivanov",
            &clock.tick(),
            &["case", "mark", case, id, mark],
        );
    }
}

/// Complete every open stage of the kind asked for, in order.
fn complete_open_stages(db: &Db, clock: &mut Clock, case: &str, after_decision: bool) {
    let now = clock.tick();
    let c = show(db, &now, case);
    for s in c["stages"].as_array().expect("stages") {
        if s["state"] == "open" && s["after_decision"] == after_decision {
            let id = s["stage"].as_str().expect("id");
            ok(
                db,
                "ivanov",
                &clock.tick(),
                &[
                    "case",
                    "stage",
                    case,
                    id,
                    "done",
                    "--note",
                    "answer received",
                ],
            );
        }
    }
}

/// From receipt to the archive with a permit issued.
fn issue_to_archive(
    t: &engines::TestDb,
    number: &str,
    procedure: &str,
    received: &str,
    purpose: Option<&str>,
    start: &str,
) {
    let db = setup(t, &[application(number, procedure, received, purpose)]);
    let mut clock = Clock::new(start);
    let now = clock.tick();
    assert!(
        in_queue(&db, &now, number),
        "a received case is in the queue"
    );
    let out = ok(
        &db,
        "ivanov",
        &now,
        &["case", "accept", number, "--format", "json"],
    );
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["status"], "accepted", "{out}");
    mark_all(&db, &mut clock, number);
    complete_open_stages(&db, &mut clock, number, false);
    let out = ok(
        &db,
        "ivanov",
        &clock.tick(),
        &["case", "decide", number, "issue", "--format", "json"],
    );
    let v: Value = serde_json::from_str(&out).expect("json");
    if v["remaining"]
        .as_array()
        .expect("remaining")
        .iter()
        .any(|r| r["kind"] == "approval")
    {
        // The inspector cannot approve: the domain refuses with exit 1.
        let o = run(&db, "ivanov", &clock.tick(), &["case", "approve", number]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!o.stderr.is_empty());
        ok(&db, "boss", &clock.tick(), &["case", "approve", number]);
    }
    complete_open_stages(&db, &mut clock, number, true);
    let now = clock.tick();
    let c = show(&db, &now, number);
    assert_eq!(c["status"], "archived", "{c}");
    assert_eq!(c["archived"], true);
    assert_eq!(c["remaining"], json!([]));
    assert_eq!(c["open_deadlines"], json!([]));
    assert!(
        !in_queue(&db, &now, number),
        "an archived case leaves the queue"
    );
    // Every change is one audit row and the chain holds.
    ok(&db, "boss", &now, &["audit", "verify"]);
    let o = run(
        &db,
        "ivanov",
        &clock.tick(),
        &["case", "stage", number, "no_such_stage", "done"],
    );
    assert_eq!(o.status.code(), Some(1), "refused by the domain");
}

both_engines! {
    fn rvp_from_receipt_to_archive(t) {
        issue_to_archive(
            t,
            "2026-RVP-20001",
            "rvp",
            "2026-11-23 10:00",
            Some("work"),
            "2026-11-23T10:00:00+05:00",
        );
    }
}

both_engines! {
    fn pr_from_receipt_to_archive(t) {
        issue_to_archive(
            t,
            "2026-PR-20001",
            "pr",
            "2026-11-23 10:00",
            None,
            "2026-11-23T10:00:00+05:00",
        );
    }
}

both_engines! {
    fn registration_from_receipt_to_archive(t) {
        issue_to_archive(
            t,
            "2026-REG-20001",
            "registration",
            "2026-11-23 10:00",
            None,
            "2026-11-23T10:00:00+05:00",
        );
    }
}

both_engines! {
    fn exit_from_receipt_to_archive(t) {
        issue_to_archive(
            t,
            "2026-EXIT-20001",
            "exit",
            "2026-11-23 10:00",
            None,
            "2026-11-23T10:00:00+05:00",
        );
    }
}

both_engines! {
    fn border_zone_from_receipt_to_archive(t) {
        issue_to_archive(
            t,
            "2019-BZ-20001",
            "border_zone",
            "2019-11-18 10:00",
            None,
            "2019-11-18T10:00:00+05:00",
        );
    }
}

both_engines! {
    fn an_exit_refusal_closes_the_positive_stages_and_ends_with_the_originals_returned(t) {
        let number = "2026-EXIT-20002";
        let db = setup(t, &[application(number, "exit", "2026-11-23 10:00", None)]);
        ok(
            &db,
            "ivanov",
            "2026-11-23T11:00:00+05:00",
            &["case", "accept", number],
        );
        ok(
            &db,
            "ivanov",
            "2026-11-23T12:00:00+05:00",
            &[
                "case",
                "mark",
                number,
                "tax_debt",
                "failed",
                "--note",
                "debt 120 000 tenge",
            ],
        );
        let o = run(
            &db,
            "ivanov",
            "2026-11-24T10:00:00+05:00",
            &[
                "case",
                "hearing-notice",
                number,
                "--grounds",
                "tax_debt",
                "--channel",
                "electronic",
                "--hearing-at",
                "2026-11-25 11:00",
                "--place",
                "Astana, room 5",
            ],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        // A hearing before the notice is refused by the domain: exit 1, the reason on stderr.
        let o = run(
            &db,
            "ivanov",
            "2026-11-25T12:00:00+05:00",
            &[
                "case",
                "hearing",
                number,
                "--held-at",
                "2026-11-20 11:00",
                "--position",
                "x",
                "--stop",
            ],
        );
        assert_eq!(o.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("hearing"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        // --continue and --stop together: bad arguments, exit 2.
        let o = run(
            &db,
            "ivanov",
            "2026-11-25T12:00:00+05:00",
            &[
                "case",
                "hearing",
                number,
                "--held-at",
                "2026-11-25 11:00",
                "--position",
                "x",
                "--stop",
                "--continue",
            ],
        );
        assert_eq!(o.status.code(), Some(2));
        ok(
            &db,
            "ivanov",
            "2026-11-25T12:00:00+05:00",
            &[
                "case",
                "hearing",
                number,
                "--held-at",
                "2026-11-25 11:00",
                "--position",
                "will pay",
                "--stop",
            ],
        );
        ok(
            &db,
            "ivanov",
            "2026-11-25T15:00:00+05:00",
            &[
                "case",
                "decide",
                number,
                "refuse",
                "--grounds",
                "tax_debt",
                "--reason",
                "tax debt of 120 000 tenge",
            ],
        );
        ok(
            &db,
            "boss",
            "2026-11-25T16:00:00+05:00",
            &["case", "approve", number],
        );
        let c = show(&db, "2026-11-25T16:30:00+05:00", number);
        assert_eq!(c["status"], "decided");
        let state = |id: &str| {
            c["stages"]
                .as_array()
                .expect("stages")
                .iter()
                .find(|s| s["stage"] == id)
                .map(|s| s["state"].clone())
                .expect("stage")
        };
        assert_eq!(state("military_deregistration"), "other_outcome");
        assert_eq!(state("id_card_handover"), "other_outcome");
        assert_eq!(state("answers"), "settled_by_decision");
        assert_eq!(state("return_originals"), "open");
        assert_eq!(c["decisions"][0]["reason"], "tax debt of 120 000 tenge");
        // Only the returned originals remain, and nothing is overdue on the positive path.
        let kinds: Vec<&Value> = c["open_deadlines"]
            .as_array()
            .expect("deadlines")
            .iter()
            .map(|d| &d["kind"])
            .collect();
        assert_eq!(
            kinds,
            vec![&json!({"kind": "stage", "id": "enter_decision"})],
            "{c}"
        );
        ok(
            &db,
            "ivanov",
            "2026-11-25T17:00:00+05:00",
            &["case", "stage", number, "enter_decision", "done"],
        );
        let o = run(
            &db,
            "ivanov",
            "2026-11-25T17:10:00+05:00",
            &["case", "stage", number, "military_deregistration", "done"],
        );
        assert_eq!(
            o.status.code(),
            Some(1),
            "a stage of the other outcome is closed"
        );
        let out = ok(
            &db,
            "ivanov",
            "2026-11-25T17:20:00+05:00",
            &[
                "case",
                "stage",
                number,
                "return_originals",
                "done",
                "--format",
                "json",
            ],
        );
        let v: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["status"], "archived", "{out}");
        assert!(
            !in_queue(&db, "2026-12-30T10:00:00+05:00", number),
            "not overdue forever"
        );
    }
}

both_engines! {
    fn an_rvp_refusal_needs_no_hearing_and_archives_a_case_whose_review_was_open(t) {
        // Order 992 ch. 2 §9-3: the RVP is refused by a motivated notice; chapter 2 has no hearing.
        let number = "2026-RVP-20002";
        let db = setup(t, &[application(number, "rvp", "2026-11-23 10:00", Some("work"))]);
        ok(
            &db,
            "ivanov",
            "2026-11-23T11:00:00+05:00",
            &["case", "accept", number],
        );
        ok(
            &db,
            "ivanov",
            "2026-11-23T12:00:00+05:00",
            &["case", "mark", number, "fingerprints", "failed"],
        );
        let out = ok(
            &db,
            "ivanov",
            "2026-11-23T13:00:00+05:00",
            &[
                "case",
                "decide",
                number,
                "refuse",
                "--grounds",
                "no_fingerprints",
                "--reason",
                "no fingerprint record",
                "--format",
                "json",
            ],
        );
        let v: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["status"], "archived", "{out}");
        // Weeks later it is not overdue in the queue.
        assert!(!in_queue(&db, "2026-12-30T10:00:00+05:00", number));
    }
}

both_engines! {
    fn bad_arguments_exit_2_and_refusals_exit_1(t) {
        let number = "2026-RVP-20003";
        let db = setup(t, &[application(number, "rvp", "2026-11-23 10:00", Some("work"))]);
        let now = "2026-11-23T11:00:00+05:00";
        let o = run(
            &db,
            "ivanov",
            now,
            &["case", "mark", number, "stay", "maybe"],
        );
        assert_eq!(o.status.code(), Some(2));
        let o = run(
            &db,
            "ivanov",
            now,
            &["case", "accept", number, "--late", "art-517"],
        );
        assert_eq!(o.status.code(), Some(2), "--late needs --ref");
        let o = run(&db, "ivanov", now, &["case", "decide", number, "issue"]);
        assert_eq!(o.status.code(), Some(1), "not accepted yet");
        let o = run(
            &db,
            "ivanov",
            now,
            &["case", "refuse-to-accept", number, "--reason", "incomplete"],
        );
        assert_eq!(
            o.status.code(),
            Some(1),
            "the package is complete: nothing to refuse"
        );
        // Russian on stderr with --lang ru.
        let cfg = std::env::temp_dir().join("kezek-case-cli-test-empty-config");
        let o = Command::new(env!("CARGO_BIN_EXE_kezek"))
            .args([
                "--lang", "ru", "--db", &db.path, "case", "decide", number, "issue",
            ])
            .env("KEZEK_CONFIG_DIR", &cfg)
            .env("KEZEK_USER", "ivanov")
            .env("KEZEK_NOW", now)
            .output()
            .expect("run");
        assert_eq!(o.status.code(), Some(1));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.chars().any(|c| ('а'..='я').contains(&c)), "{err}");
        // Assignment: a supervisor assigns; one audit row.
        let out = ok(
            &db,
            "boss",
            now,
            &["case", "assign", number, "ivanov", "--format", "json"],
        );
        let v: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["events"], json!(["assign"]));
        let c = show(&db, now, number);
        assert_eq!(c["assignee"], "ivanov");
    }
}

both_engines! {
    fn a_new_decree_moves_the_stored_deadlines_and_says_so(t) {
        let number = "2026-RVP-20004";
        let db = setup(t, &[application(number, "rvp", "2026-11-20 11:00", Some("work"))]);
        // Accepted Fri 20.11.2026: the review is due Mon 23.11 18:30.
        ok(
            &db,
            "ivanov",
            "2026-11-20T12:00:00+05:00",
            &["case", "accept", number],
        );
        let c = show(&db, "2026-11-20T12:00:00+05:00", number);
        assert_eq!(c["open_deadlines"][0]["due"], "2026-11-23T18:30:00+05:00");
        // The administrator installs a decree moving Monday 23.11 to Saturday 28.11.
        let cfg = db.dir.join("cfg");
        std::fs::create_dir_all(&cfg).expect("cfg");
        std::fs::write(
            cfg.join("calendar.toml"),
            "[years.2026]\nstatus = \"confirmed\"\ndates = { kurban_ait = \"2026-05-27\" }\ntransfers = [{ working = \"2026-11-28\", off = \"2026-11-23\" }]\n",
        )
        .expect("calendar");
        let with_cfg = |args: &[&str]| {
            Command::new(env!("CARGO_BIN_EXE_kezek"))
                .args(["--lang", "en", "--db", &db.path])
                .args(args)
                .env("KEZEK_CONFIG_DIR", &cfg)
                .env("KEZEK_USER", "boss")
                .output()
                .expect("run")
        };
        let o = with_cfg(&["queue", "--format", "json"]);
        assert_eq!(o.status.code(), Some(0));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("1 moved"), "{err}");
        assert!(
            err.contains(&format!(
                "{number}: Mon 23.11.2026 18:30 → Tue 24.11.2026 18:30 (1 days)"
            )),
            "{err}"
        );
        let rows: Value = serde_json::from_slice(&o.stdout).expect("json");
        let row = rows
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["number"] == number)
            .expect("row");
        assert!(row["deadline"].to_string().contains("24.11.2026"), "{row}");
        // Said once: the next command finds the deadlines up to date.
        let o = with_cfg(&["queue", "--format", "json"]);
        assert!(
            o.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let o = with_cfg(&["audit", "verify"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

both_engines! {
    fn journals_of_failures_pr_cases_and_complaints(t) {
        // An RUS citizen who crossed on 01.08.2026: the 90 days ended on 29.10.
        let number = "2026-RVP-20005";
        let mut late = application(number, "rvp", "2026-11-02 10:00", Some("work"));
        late["citizenship"] = json!("RUS");
        late["entry_date"] = json!("2026-08-01");
        let pr = application("2026-PR-20005", "pr", "2026-11-02 10:00", None);
        let db = setup(t, &[late, pr]);
        let now = "2026-11-02T12:00:00+05:00";
        // Order 992 §9-1: only with an exception.
        let o = run(&db, "ivanov", now, &["case", "accept", number]);
        assert_eq!(o.status.code(), Some(1));
        ok(
            &db,
            "ivanov",
            now,
            &[
                "case",
                "accept",
                number,
                "--late",
                "failure-act",
                "--ref",
                "act 7 of 29.10.2026",
            ],
        );
        // Order 992 §9-5: the incident goes into the special journal, linked to the case.
        ok(
            &db,
            "ivanov",
            now,
            &[
                "journal",
                "add-incident",
                "--start",
                "2026-10-29 10:00",
                "--end",
                "2026-10-29 14:30",
                "--description",
                "IS MP did not receive applications from the State Corporation",
                "--case",
                number,
            ],
        );
        let o = run(
            &db,
            "ivanov",
            now,
            &[
                "journal",
                "add-incident",
                "--start",
                "2026-10-29 10:00",
                "--end",
                "2026-10-28 14:30",
                "--description",
                "x",
            ],
        );
        assert_eq!(
            o.status.code(),
            Some(2),
            "an incident cannot end before it starts"
        );
        let v: Value = serde_json::from_str(&ok(
            &db,
            "ivanov",
            now,
            &["journal", "incidents", "--format", "json"],
        ))
        .expect("json");
        assert_eq!(v[0]["minutes"], 270);
        assert_eq!(
            v[0]["failure_acts"][0],
            json!({"case": number, "act": "act 7 of 29.10.2026"})
        );
        let csv = ok(
            &db,
            "ivanov",
            now,
            &["journal", "incidents", "--format", "csv"],
        );
        assert!(
            csv.lines().count() == 2 && csv.contains("act 7 of 29.10.2026"),
            "{csv}"
        );
        // Order 992 §14 (1): the PR journal's serial number is the case number.
        let v: Value = serde_json::from_str(&ok(
            &db,
            "ivanov",
            now,
            &["journal", "pr", "--format", "json"],
        ))
        .expect("json");
        assert_eq!(v.as_array().map(Vec::len), Some(1));
        assert_eq!(v[0]["serial"], "2026-PR-20005");
        // 001 §10: a complaint is reviewed within 5 working days; it keeps an
        // archived case in the queue until it is answered.
        for c in [
            "documents_complete",
            "berkut_crossing",
            "criminal_records",
            "iin",
            "pending_pr",
            "fingerprints",
            "stay",
        ] {
            ok(&db, "ivanov", now, &["case", "mark", number, c, "passed"]);
        }
        ok(
            &db,
            "ivanov",
            now,
            &["case", "mark", number, "domestic_worker_quota", "na"],
        );
        let out = ok(
            &db,
            "ivanov",
            now,
            &["case", "decide", number, "issue", "--format", "json"],
        );
        assert!(out.contains("\"archived\":true"), "{out}");
        ok(
            &db,
            "ivanov",
            "2026-11-03T10:00:00+05:00",
            &[
                "case",
                "complaint",
                number,
                "--to",
                "provider",
                "--text",
                "slow service",
            ],
        );
        assert!(in_queue(&db, "2026-11-03T11:00:00+05:00", number));
        let v: Value = serde_json::from_str(&ok(
            &db,
            "ivanov",
            "2026-11-03T11:00:00+05:00",
            &["journal", "complaints", "--format", "json"],
        ))
        .expect("json");
        assert_eq!(v[0]["due"], "2026-11-10T18:30:00+05:00", "{v}");
        let out = ok(
            &db,
            "ivanov",
            "2026-11-04T10:00:00+05:00",
            &["case", "answer-complaint", number, "1", "--format", "json"],
        );
        assert!(out.contains("\"archived\":true"), "{out}");
        assert!(!in_queue(&db, "2026-11-04T11:00:00+05:00", number));
    }
}

both_engines! {
    fn requests_to_state_bodies_are_deadlines_until_answered(t) {
        let number = "2026-PR-20006";
        let db = setup(t, &[application(number, "pr", "2026-11-02 10:00", None)]);
        ok(
            &db,
            "ivanov",
            "2026-11-02T11:00:00+05:00",
            &["case", "accept", number],
        );
        // Order 992 §14 (3): KNB approves within 25 calendar days.
        ok(
            &db,
            "ivanov",
            "2026-11-05T11:00:00+05:00",
            &[
                "case",
                "request",
                number,
                "knb",
                "--note",
                "materials sent through Berkut",
            ],
        );
        let o = run(
            &db,
            "ivanov",
            "2026-11-05T12:00:00+05:00",
            &["case", "request", number, "knb"],
        );
        assert_eq!(o.status.code(), Some(1), "one open request per body");
        let o = run(
            &db,
            "ivanov",
            "2026-11-05T12:00:00+05:00",
            &["case", "request", number, "mod"],
        );
        assert_eq!(
            o.status.code(),
            Some(1),
            "the PR rules wait for no answer of the Ministry of Defence"
        );
        let c = show(&db, "2026-11-05T12:00:00+05:00", number);
        assert_eq!(c["requests"][0]["due"], "2026-11-30T23:59:59+05:00", "{c}");
        assert!(
            c["open_deadlines"]
                .as_array()
                .expect("list")
                .iter()
                .any(|d| d["kind"] == json!({"kind": "answer", "id": "knb"})),
            "{c}"
        );
        ok(
            &db,
            "ivanov",
            "2026-11-20T11:00:00+05:00",
            &["case", "answer", number, "knb", "--note", "no objection"],
        );
        let v: Value = serde_json::from_str(&ok(
            &db,
            "ivanov",
            "2026-11-20T12:00:00+05:00",
            &["journal", "requests", "--format", "json"],
        ))
        .expect("json");
        assert_eq!(v[0]["agency"], "knb");
        assert_eq!(v[0]["answered_at"], "2026-11-20T11:00:00+05:00");
        assert_eq!(v[0]["overdue"], false);
        let c = show(&db, "2026-11-20T12:00:00+05:00", number);
        assert!(
            !c["open_deadlines"]
                .as_array()
                .expect("list")
                .iter()
                .any(|d| d["kind"]["kind"] == "answer"),
            "{c}"
        );
        // The bank answers within the 7 days of §14 (3): unanswered, the daily report lists it.
        ok(
            &db,
            "ivanov",
            "2026-11-20T13:00:00+05:00",
            &["case", "request", number, "bank"],
        );
        let report = ok(
            &db,
            "boss",
            "2026-11-30T10:00:00+05:00",
            &[
                "report",
                "daily",
                "--date",
                "2026-11-30",
                "--format",
                "json",
                "--now",
                "2026-11-30T10:00:00+05:00",
            ],
        );
        let v: Value = serde_json::from_str(&report).expect("json");
        assert_eq!(
            v["journals"]["requests_overdue"],
            json!([{"number": number, "what": "bank", "due": "2026-11-27T23:59:59+05:00"}]),
            "{report}"
        );
        let html = ok(
            &db,
            "boss",
            "2026-11-30T10:00:00+05:00",
            &[
                "report",
                "daily",
                "--date",
                "2026-11-30",
                "--now",
                "2026-11-30T10:00:00+05:00",
            ],
        );
        assert!(
            html.contains("id=\"journals\"") && html.contains(number),
            "journals in the page"
        );
    }
}

both_engines! {
    fn a_change_of_residence_is_registered_the_same_day(t) {
        // Order 992 §17-1: the file is requested from the previous unit and the
        // person is registered at the new address on the day of the application.
        let number = "2026-RVP-20007";
        let db = setup(t, &[application(number, "rvp", "2026-11-23 10:00", Some("work"))]);
        let o = run(
            &db,
            "ivanov",
            "2026-11-23T10:30:00+05:00",
            &["case", "move", number, "--from", "UMP Almaty"],
        );
        assert_eq!(o.status.code(), Some(1), "no permit yet");
        ok(
            &db,
            "ivanov",
            "2026-11-23T11:00:00+05:00",
            &["case", "accept", number],
        );
        for c in [
            "documents_complete",
            "berkut_crossing",
            "criminal_records",
            "iin",
            "pending_pr",
            "fingerprints",
            "stay",
        ] {
            ok(
                &db,
                "ivanov",
                "2026-11-23T11:10:00+05:00",
                &["case", "mark", number, c, "passed"],
            );
        }
        ok(
            &db,
            "ivanov",
            "2026-11-23T11:10:00+05:00",
            &["case", "mark", number, "domestic_worker_quota", "na"],
        );
        ok(
            &db,
            "ivanov",
            "2026-11-23T11:20:00+05:00",
            &["case", "decide", number, "issue"],
        );
        assert!(!in_queue(&db, "2026-12-01T10:00:00+05:00", number));
        ok(
            &db,
            "ivanov",
            "2026-12-01T10:00:00+05:00",
            &["case", "move", number, "--from", "UMP Almaty"],
        );
        // Back in the queue, due at the end of that day.
        assert!(in_queue(&db, "2026-12-01T10:05:00+05:00", number));
        let c = show(&db, "2026-12-01T10:05:00+05:00", number);
        assert_eq!(
            c["open_deadlines"][0]["kind"],
            json!({"kind": "registration"}),
            "{c}"
        );
        assert_eq!(c["open_deadlines"][0]["due"], "2026-12-01T18:30:00+05:00");
        let out = ok(
            &db,
            "ivanov",
            "2026-12-01T15:00:00+05:00",
            &["case", "register", number, "--format", "json"],
        );
        assert!(out.contains("\"archived\":true"), "{out}");
        let v: Value = serde_json::from_str(&ok(
            &db,
            "ivanov",
            "2026-12-01T15:10:00+05:00",
            &["journal", "transfers", "--format", "json"],
        ))
        .expect("json");
        assert_eq!(v[0]["from_unit"], "UMP Almaty");
        assert_eq!(v[0]["same_day"], true);
    }
}
