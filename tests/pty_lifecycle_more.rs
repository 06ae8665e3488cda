//! End to end at the keyboard for registration, PR, exit and the border
//! zone, as `tests/pty_lifecycle.rs` does for the RVP: an imported
//! application is accepted from the queue, its checks marked, its stages
//! completed and the permit issued in the real binary in a pseudo-terminal;
//! where the procedure needs it, the supervisor approves in their own
//! console; then the work after the decision is done until the case is
//! archived. `KEZEK_NOW` starts each console's clock on the day the
//! application was received, during office hours.

use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

#[path = "support/pty.rs"]
mod support;

/// Generous: a debug build on a loaded 2-core machine.
const WAIT: Duration = Duration::from_secs(30);
/// Wide enough for the longest stage title with its "(done …)" beside it.
const COLS: u16 = 220;
const ROWS: u16 = 60;

struct Office {
    dir: tempfile::TempDir,
    db: String,
    config: String,
}

impl Office {
    fn new() -> Office {
        let dir = tempfile::tempdir().expect("tmp");
        let db = dir.path().join("e2e.db").to_string_lossy().to_string();
        let config = dir.path().join("cfg").to_string_lossy().to_string();
        Office { dir, db, config }
    }

    fn run(&self, user: &str, args: &[&str]) {
        let o = Command::new(env!("CARGO_BIN_EXE_kezek"))
            .args(["--db", &self.db, "--lang", "en"])
            .args(args)
            .env("KEZEK_USER", user)
            .env("KEZEK_CONFIG_DIR", &self.config)
            .output()
            .expect("kezek");
        assert!(
            o.status.success(),
            "kezek {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }

    /// A console of `user` whose clock starts at `now` (RFC 3339).
    fn console(&self, user: &str, now: &str) -> support::Pty {
        support::Pty::spawn(
            env!("CARGO_BIN_EXE_kezek"),
            &["--db", &self.db, "--lang", "en"],
            &[
                ("KEZEK_USER", user),
                ("KEZEK_CONFIG_DIR", &self.config),
                ("KEZEK_NOW", now),
                ("NO_COLOR", "1"),
            ],
            COLS,
            ROWS,
        )
    }

    fn store(&self) -> kezek::store::Store {
        kezek::store::Store::open(
            std::path::Path::new(&self.db),
            kezek::domain::calendar::Calendar::built_in().expect("calendar"),
            kezek::domain::procedure::Rules::built_in().expect("rules"),
        )
        .expect("store")
    }
}

/// The rule version of `procedure` in force on `day`, as `kezek rules show`
/// gives it.
fn rules(day: &str, procedure: &str) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_kezek"))
        .args(["rules", "show", procedure, "--at", day, "--format", "json"])
        .env(
            "KEZEK_CONFIG_DIR",
            std::env::temp_dir().join("kezek-pty-lifecycle-more-empty-config"),
        )
        .output()
        .expect("rules");
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    v["versions"][0].clone()
}

/// The day `days` away from the day of `received` ("YYYY-MM-DD HH:MM").
fn shift(received: &str, days: i64) -> String {
    let day = chrono::NaiveDate::parse_from_str(&received[..10], "%Y-%m-%d").expect("day");
    (day + chrono::Duration::days(days)).to_string()
}

/// An application with every required document of its version.
fn application(number: &str, procedure: &str, received: &str) -> Value {
    let v = rules(&received[..10], procedure);
    let docs: Vec<Value> = v["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .filter(|d| d["required"] != false)
        .filter(|d| d["purposes"].as_array().is_none_or(|p| p.is_empty()))
        .map(|d| {
            let id = d["id"].as_str().expect("id");
            json!({"kind": id, "number": format!("{id}-1"), "valid_until": "2030-01-01"})
        })
        .collect();
    json!({
        "number": number,
        "procedure": procedure,
        "received_at": received,
        "channel": v["channels"][0],
        "applicant_name": format!("Applicant {number}"),
        "applicant_key": format!("K-{number}"),
        "citizenship": if procedure == "exit" { "KAZ" } else { "UZB" },
        "host_name": "Host",
        "host_id": "680101142626",
        "entry_date": shift(received, -25),
        "stay_until": shift(received, 66),
        "documents": docs,
    })
}

/// The second row from the bottom, where the console says what it did.
fn status_says(text: String) -> impl Fn(&[String]) -> bool {
    move |rows: &[String]| rows.len() >= 2 && rows[rows.len() - 2].contains(&text)
}

/// How many stages the timeline shows as done.
fn done_on_timeline(rows: &[String]) -> usize {
    rows.iter().filter(|r| r.contains("(done ")).count()
}

/// Complete, with `s`, every stage the dialog offers before (or after) the
/// decision, in order, on the timeline (section 5), leaving out those of a
/// refusal. `done` stages are already done; returns how many are done
/// afterwards.
fn complete_stages(
    s: &mut support::Pty,
    version: &kezek::domain::procedure::RuleVersion,
    after_decision: bool,
    mut done: usize,
) -> usize {
    s.keys(b"5");
    s.wait_for("(open)", WAIT);
    for stage in version.stages.iter().filter(|st| {
        st.after_decision == after_decision
            && st.outcome != Some(kezek::domain::procedure::StageOutcome::Refuse)
    }) {
        s.keys(b"s");
        s.wait_for("Stage done", WAIT);
        s.keys(b"\x13");
        // The confirmation names the stage: the one this step is about.
        let title: String = stage.title.en.chars().take(30).collect();
        s.wait_for(&format!("Complete “{title}"), WAIT);
        s.keys(b"\r");
        done += 1;
        let want = done;
        s.wait_until(
            &format!("stage {} done ({want} on the timeline)", stage.id),
            WAIT,
            move |rows: &[String]| {
                rows.len() >= 2
                    && rows[rows.len() - 2].contains("Stage completed")
                    && done_on_timeline(rows) == want
            },
        );
    }
    done
}

/// Open the case from the queue at its acceptance (`a`) and accept it.
/// The inspector's console opens on "mine"; a new application is in
/// "unassigned", one `v` away.
fn accept_from_queue(s: &mut support::Pty, number: &str) {
    s.wait_for("[mine|", WAIT);
    s.keys(b"v");
    s.wait_for(number, WAIT);
    s.keys(b"a");
    s.wait_for("accept the application", WAIT);
    s.keys(b"\x13");
    s.wait_for("the terms start to run", WAIT);
    s.keys(b"\r");
    s.wait_until(
        "'Application accepted'",
        WAIT,
        status_says("Application accepted".into()),
    );
}

/// Every check passed, those that do not apply marked not applicable.
fn mark_checklist(s: &mut support::Pty, version: &kezek::domain::procedure::RuleVersion) {
    s.keys(b"4");
    s.wait_for("pass/fail", WAIT);
    for (i, check) in version.checks.iter().enumerate() {
        if i > 0 {
            s.keys(b"j");
        }
        let (key, said): (&[u8], &str) = if check.applies_to(None) {
            (b"p", "passed")
        } else {
            (b"n", "not applicable")
        };
        s.keys(key);
        // The status line names the check by its title (its start: a long
        // one is cut with `…` and whole in the message log).
        let title: String = check
            .title
            .get(kezek::i18n::Lang::En)
            .chars()
            .take(24)
            .collect();
        s.wait_until(
            &format!("check {} {said}", check.id),
            WAIT,
            status_says(format!("check {title}")),
        );
    }
}

/// Decide to issue; the confirmation says whether it is in force at once.
fn issue(s: &mut support::Pty, confirmation: &str) {
    s.keys(b"d");
    s.wait_for("Decision", WAIT);
    s.keys(b"\x13");
    s.wait_for(confirmation, WAIT);
    s.keys(b"\r");
    s.wait_until(
        "'Decision recorded'",
        WAIT,
        status_says("Decision recorded".into()),
    );
}

/// Back to the queue, then quit.
fn leave(mut s: support::Pty) {
    s.keys(b"\x1b"); // Esc alone, or it reads as Alt-q
    s.wait_for("CASE", WAIT);
    s.keys(b"q");
    let status = s.exit(Duration::from_secs(20));
    assert!(status.success(), "exit status {status:?}");
}

/// `:open` finds the case whatever view the console kept.
fn open(s: &mut support::Pty, number: &str) {
    s.wait_for("CASE", WAIT);
    s.keys(format!(":open {number}\r").as_bytes());
    s.wait_for("1:summary", WAIT);
}

/// `start` (RFC 3339) moved on by `hours`.
fn later(start: &str, hours: i64) -> String {
    let t: DateTime<FixedOffset> = DateTime::parse_from_rfc3339(start).expect("start");
    (t + chrono::Duration::hours(hours)).to_rfc3339()
}

/// From the import to the archive at the keyboard.
fn at_the_keyboard(number: &str, procedure: &str, received: &str, start: &str) {
    let office = Office::new();
    office.run("boss", &["init"]);
    office.run(
        "boss",
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
    office.run(
        "boss",
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
    let file = office.dir.path().join("apps.json");
    let apps = json!([application(number, procedure, received)]);
    std::fs::write(&file, apps.to_string()).expect("write");
    office.run("boss", &["import", &file.to_string_lossy()]);
    let rules = kezek::domain::procedure::Rules::built_in().expect("rules");
    let stored = office.store().case(number).expect("case").case;
    assert_eq!(stored.status, kezek::domain::case::Status::Received);
    let version = rules
        .version(procedure, &stored.version)
        .expect("version")
        .clone();
    let approval = version.approval == kezek::domain::procedure::Approval::Supervisor;

    // The inspector: acceptance, checklist, stages, decision.
    let mut s = office.console("ivanov", start);
    accept_from_queue(&mut s, number);
    mark_checklist(&mut s, &version);
    let done = complete_stages(&mut s, &version, false, 0);
    if approval {
        issue(&mut s, "supervisor's approval queue");
        // The inspector cannot approve: the console says so.
        s.keys(b"A");
        s.wait_for("Only a supervisor approves decisions", WAIT);
        leave(s);
        // The supervisor approves in their own console, an hour later.
        let mut b = office.console("boss", &later(start, 1));
        open(&mut b, number);
        b.keys(b"A");
        b.wait_for("waits for approval", WAIT);
        b.keys(b"\x13");
        b.wait_for("it comes into force now", WAIT);
        b.keys(b"\r");
        b.wait_until(
            "'Decision approved'",
            WAIT,
            status_says("Decision approved".into()),
        );
        leave(b);
        // The inspector does the work after the decision.
        s = office.console("ivanov", &later(start, 2));
        open(&mut s, number);
    } else {
        issue(&mut s, "in force");
    }
    let after = version.stages.iter().any(|st| st.after_decision);
    if after {
        complete_stages(&mut s, &version, true, done);
    }
    leave(s);

    let store = office.store();
    let c = store.case(number).expect("case").case;
    assert_eq!(c.status, kezek::domain::case::Status::Archived, "{c:?}");
    // Every change is dated by the console's clock, started at KEZEK_NOW:
    // all of it on the day of receipt, the work after the decision after it.
    let day = chrono::NaiveDate::parse_from_str(&received[..10], "%Y-%m-%d").expect("day");
    let on_the_day = |at| kezek::domain::term::local(&store.cal, at).date() == day;
    let d = c.decision().expect("decision");
    assert_eq!(d.kind, kezek::domain::case::DecisionKind::Issue);
    assert!(d.in_effect() && on_the_day(d.at), "{d:?}");
    for (stage, at) in version.stages.iter().zip(&c.stages) {
        if stage.outcome == Some(kezek::domain::procedure::StageOutcome::Refuse) {
            assert_eq!(*at, None, "{}: a stage of the refusal", stage.id);
            continue;
        }
        let at = at.unwrap_or_else(|| panic!("{} not done", stage.id));
        assert!(on_the_day(at), "{} done at {at}", stage.id);
        if stage.after_decision {
            assert!(at >= d.at, "{} done before the decision", stage.id);
        }
    }
    assert!(
        !store
            .queue(&Default::default())
            .expect("queue")
            .iter()
            .any(|r| r.number == number),
        "an archived case leaves the queue"
    );
}

#[test]
fn an_imported_registration_is_accepted_reviewed_issued_and_archived_at_the_keyboard() {
    at_the_keyboard(
        "2026-REG-30001",
        "registration",
        "2026-11-23 10:00",
        "2026-11-23T11:00:00+05:00",
    );
}

#[test]
fn an_imported_pr_is_issued_approved_by_the_supervisor_and_archived_at_the_keyboard() {
    at_the_keyboard(
        "2026-PR-30001",
        "pr",
        "2026-11-23 10:00",
        "2026-11-23T11:00:00+05:00",
    );
}

#[test]
fn an_imported_exit_is_issued_approved_deregistered_and_archived_at_the_keyboard() {
    at_the_keyboard(
        "2026-EXIT-30001",
        "exit",
        "2026-11-23 10:00",
        "2026-11-23T11:00:00+05:00",
    );
}

#[test]
fn an_imported_border_zone_permit_is_issued_and_archived_at_the_keyboard() {
    at_the_keyboard(
        "2019-BZ-30001",
        "border_zone",
        "2019-11-18 10:00",
        "2019-11-18T11:00:00+05:00",
    );
}
