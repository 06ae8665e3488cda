//! End to end: the real binary in a pseudo-terminal. An inspector opens a
//! case, marks a check, writes a note and quits; then the database is read
//! back to see that both changes were committed, with their audit rows.

use std::time::Duration;

#[path = "support/pty.rs"]
mod support;

/// Generous: a debug build on a loaded 2-core machine.
const WAIT: Duration = Duration::from_secs(30);

#[test]
fn an_inspector_marks_a_check_writes_a_note_and_quits() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("e2e.db");
    let bin = env!("CARGO_BIN_EXE_kezek");
    let made = std::process::Command::new(bin)
        .args([
            "--db",
            &db.to_string_lossy(),
            "demo",
            "--no-open",
            "--cases",
            "60",
        ])
        .env("KEZEK_USER", "akhmetova")
        .env("KEZEK_CONFIG_DIR", dir.path())
        .output()
        .expect("demo");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );

    // The case :open will show, and what it holds before.
    let store = kezek::store::Store::open(
        &db,
        kezek::domain::calendar::Calendar::built_in().expect("calendar"),
        kezek::domain::procedure::Rules::built_in().expect("rules"),
    )
    .expect("store");
    let row = store
        .queue(&Default::default())
        .expect("queue")
        .into_iter()
        .find(|r| r.status == kezek::domain::case::Status::Accepted)
        .expect("an accepted case");
    let number = row.number.clone();
    let before = store.case(&number).expect("case");
    let first_check = store
        .rules
        .procedure(&before.case.procedure)
        .expect("procedure")
        .version(&before.case.version)
        .expect("version")
        .checks[0]
        .id
        .clone();
    let audit_before = store.audit_of(&number).expect("audit").len();
    drop(store);

    let db_arg = db.to_string_lossy().to_string();
    let config = dir.path().to_string_lossy().to_string();
    let mut s = support::Pty::spawn(
        bin,
        &["--db", &db_arg, "--lang", "en"],
        &[
            ("KEZEK_USER", "ivanov"),
            ("KEZEK_CONFIG_DIR", &config),
            ("NO_COLOR", "1"),
        ],
        100,
        30,
    );
    // The status line is the second row from the bottom.
    let status_says = |text: &'static str| {
        move |rows: &[String]| rows.len() >= 2 && rows[rows.len() - 2].contains(text)
    };
    s.wait_for("overdue", WAIT);
    s.keys(format!(":open {number}\r").as_bytes());
    s.wait_for("1:summary", WAIT);
    s.keys(b"4");
    s.wait_for("pass/fail", WAIT);
    s.keys(b"p");
    s.wait_until("the check's status", WAIT, status_says("passed"));
    s.keys(b"a");
    s.wait_for("Ctrl-S saves", WAIT);
    s.keys("Проверено в Беркуте".as_bytes());
    s.keys(b"\x13"); // Ctrl-S
    s.wait_until("'Note saved'", WAIT, status_says("Note saved"));
    s.keys(b"\x1b"); // Esc: back to the queue
    s.wait_for("overdue", WAIT);
    s.keys(b"q");
    let status = s.exit(Duration::from_secs(20));
    assert!(status.success(), "exit status {status:?}");

    let store = kezek::store::Store::open(
        &db,
        kezek::domain::calendar::Calendar::built_in().expect("calendar"),
        kezek::domain::procedure::Rules::built_in().expect("rules"),
    )
    .expect("store");
    let after = store.case(&number).expect("case");
    let check = &after.case.checks[&first_check];
    assert_eq!(check.outcome, kezek::domain::case::Outcome::Passed);
    assert_eq!(check.by, "ivanov");
    let note = after.case.notes.last().expect("a note");
    assert_eq!(
        (note.by.as_str(), note.text.as_str()),
        ("ivanov", "Проверено в Беркуте")
    );
    let audit = store.audit_of(&number).expect("audit");
    assert_eq!(audit.len(), audit_before + 2, "one audit row per change");
    assert!(audit[audit_before..].iter().all(|r| r.actor == "ivanov"));
    assert!(after.row_version > before.row_version);
}
