//! End to end at the keyboard: an imported application is accepted, its
//! checks marked, its stage completed and the permit issued in the real
//! binary in a pseudo-terminal, until the case is archived.

use std::time::Duration;

#[path = "support/pty.rs"]
mod support;

/// Generous: a debug build on a loaded 2-core machine.
const WAIT: Duration = Duration::from_secs(30);

#[test]
fn an_imported_rvp_is_accepted_reviewed_issued_and_archived_at_the_keyboard() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("e2e.db");
    let db_arg = db.to_string_lossy().to_string();
    let config = dir.path().to_string_lossy().to_string();
    let bin = env!("CARGO_BIN_EXE_kezek");
    let run = |args: &[&str], user: &str| {
        let o = std::process::Command::new(bin)
            .args(["--db", &db_arg, "--lang", "en"])
            .args(args)
            .env("KEZEK_USER", user)
            .env("KEZEK_CONFIG_DIR", &config)
            .output()
            .expect("kezek");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    run(&["init"], "boss");
    run(
        &[
            "user",
            "add",
            "boss",
            "--role",
            "supervisor",
            "--name",
            "Boss",
        ],
        "boss",
    );
    run(
        &[
            "user",
            "add",
            "ivanov",
            "--role",
            "inspector",
            "--name",
            "Ivanov",
        ],
        "boss",
    );
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/applications.json");
    run(&["import", fixture], "boss");
    let number = "2026-RVP-10001";

    let mut s = support::Pty::spawn(
        bin,
        &["--db", &db_arg, "--lang", "en"],
        &[
            ("KEZEK_USER", "ivanov"),
            ("KEZEK_CONFIG_DIR", &config),
            ("NO_COLOR", "1"),
        ],
        120,
        40,
    );
    let status_says = |text: &'static str| {
        move |rows: &[String]| rows.len() >= 2 && rows[rows.len() - 2].contains(text)
    };
    // An inspector's console opens on "mine"; a new application is in
    // "unassigned", one `v` away.
    s.wait_for("[mine|", WAIT);
    s.keys(b"v");
    s.wait_for(number, WAIT);
    s.keys(format!(":open {number}\r").as_bytes());
    s.wait_for("1:summary", WAIT);
    // d on a received application: acceptance first; Ctrl-S shows what will
    // be recorded, Enter records it.
    s.keys(b"d");
    s.wait_for("accept the application", WAIT);
    s.keys(b"\x13");
    s.wait_for("the terms start to run", WAIT);
    s.keys(b"\r");
    s.wait_until(
        "'Application accepted'",
        WAIT,
        status_says("Application accepted"),
    );
    // The checklist: every check passed, the household quota not applicable.
    s.keys(b"4");
    s.wait_for("pass/fail", WAIT);
    let version = kezek::domain::procedure::Rules::built_in()
        .expect("rules")
        .version("rvp", "order-992-2024-12-08")
        .expect("version")
        .clone();
    for (i, check) in version.checks.iter().enumerate() {
        if i > 0 {
            s.keys(b"j");
        }
        let key: &[u8] = if check.applies_to(Some("work")) {
            b"p"
        } else {
            b"n"
        };
        s.keys(key);
        let title = check.id.clone();
        s.wait_until(&title, WAIT, |rows: &[String]| {
            rows.len() >= 2 && rows[rows.len() - 2].contains("check")
        });
        std::thread::sleep(Duration::from_millis(150));
    }
    // s completes the review stage.
    s.keys(b"5");
    s.keys(b"s");
    s.wait_for("Stage done", WAIT);
    s.keys(b"\x13");
    s.wait_for("Complete", WAIT);
    s.keys(b"\r");
    s.wait_until("'Stage completed'", WAIT, status_says("Stage completed"));
    // d issues the permit: nothing remains, the case is archived.
    s.keys(b"d");
    s.wait_for("Decision", WAIT);
    s.keys(b"\x13");
    s.wait_for("in force", WAIT);
    s.keys(b"\r");
    s.wait_until(
        "'Decision recorded'",
        WAIT,
        status_says("Decision recorded"),
    );
    s.keys(b"\x1b"); // Esc: back to the queue (alone, or it reads as Alt-q)
    s.wait_for("CASE", WAIT);
    s.keys(b"q");
    let status = s.exit(Duration::from_secs(20));
    assert!(status.success(), "exit status {status:?}");

    let store = kezek::store::Store::open(
        &db,
        kezek::domain::calendar::Calendar::built_in().expect("calendar"),
        kezek::domain::procedure::Rules::built_in().expect("rules"),
    )
    .expect("store");
    let c = store.case(number).expect("case").case;
    assert_eq!(c.status, kezek::domain::case::Status::Archived);
    assert!(c.stages[0].is_some());
    assert!(
        !store
            .queue(&Default::default())
            .expect("queue")
            .iter()
            .any(|r| r.number == number),
        "an archived case leaves the queue"
    );
}
