//! The command line as scripts see it: output formats and exit codes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn kezek(args: &[&str]) -> Output {
    kezek_with(args, None, &[])
}

fn kezek_with(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let dir = std::env::temp_dir().join("kezek-cli-test-empty-config");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kezek"));
    cmd.args(args)
        .env("KEZEK_CONFIG_DIR", &dir)
        // These tests read English output; other languages have their own tests.
        .env("LC_ALL", "en_US.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run kezek");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("kezek output")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

#[test]
fn calendar_list_json_has_date_working_reason() {
    let o = kezek(&[
        "calendar",
        "list",
        "--from",
        "2026-03-20",
        "--to",
        "2026-03-26",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let days = v.as_array().expect("array");
    assert_eq!(days.len(), 7);
    assert_eq!(days[0]["date"], "2026-03-20");
    assert_eq!(days[0]["working"], true);
    assert_eq!(days[0]["reason"], "");
    assert_eq!(days[1]["reason"], "Nauryz");
    assert_eq!(days[1]["working"], false);
    assert_eq!(days[4]["reason"], "day off moved from Sat 21.03 (Nauryz)");
    assert_eq!(days[6]["working"], true);
}

#[test]
fn calendar_list_text_and_reversed_range() {
    let o = kezek(&[
        "calendar",
        "list",
        "--from",
        "2019-05-04",
        "--to",
        "2019-05-04",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "Sat 04.05.2019 working working day by transfer (day off on Fri 10.05)\n"
    );
    let o = kezek(&[
        "calendar",
        "list",
        "--from",
        "2026-03-26",
        "--to",
        "2026-03-20",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "kezek: --from Thu 26.03.2026 is after --to Fri 20.03.2026\n"
    );
}

#[test]
fn calendar_add_prints_rfc3339_with_the_offset_of_the_day() {
    let o = kezek(&[
        "calendar",
        "add",
        "--from",
        "2026-11-20 17:45",
        "--working-days",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "2026-11-24T18:30:00+05:00\n");
    let o = kezek(&[
        "calendar",
        "add",
        "--from",
        "2023-06-01T10:00:00+06:00",
        "--working-days",
        "3",
    ]);
    assert_eq!(stdout(&o), "2023-06-06T18:30:00+06:00\n");
    let o = kezek(&[
        "calendar",
        "add",
        "--from",
        "2026-03-10 10:00",
        "--calendar-days",
        "11",
    ]);
    assert_eq!(stdout(&o), "2026-03-26T23:59:59+05:00\n");
    let o = kezek(&[
        "calendar",
        "add",
        "--from",
        "2026-03-10 10:00",
        "--calendar-days",
        "11",
        "--no-roll",
    ]);
    assert_eq!(stdout(&o), "2026-03-21T23:59:59+05:00\n");
}

#[test]
fn calendar_add_explains() {
    let o = kezek(&[
        "calendar",
        "add",
        "--from",
        "2026-11-20 17:45",
        "--working-days",
        "1",
        "--explain",
    ]);
    let out = stdout(&o);
    assert!(
        out.starts_with("2026-11-24T18:30:00+05:00\nreceived     Fri 20.11.2026 17:45\n"),
        "{out}"
    );
    assert!(out.contains("Sat 21.11.2026  weekend"), "{out}");
    assert!(out.contains("due          Tue 24.11.2026 18:30"), "{out}");
    let o = kezek(&[
        "calendar",
        "add",
        "--from",
        "2026-11-20 17:45",
        "--working-days",
        "1",
        "--explain",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["due"], "2026-11-24T18:30:00+05:00");
    assert_eq!(v["acceptance_day"], "2026-11-23");
    assert_eq!(v["explanation"]["skipped"][0]["date"], "2026-11-21");
}

#[test]
fn calendar_add_flags_estimates_and_refuses_unknown_years() {
    let o = kezek(&[
        "calendar",
        "add",
        "--from",
        "2026-12-28 10:00",
        "--working-days",
        "10",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("warning: the calendar for 2027 is an estimate"),
        "{}",
        stderr(&o)
    );
    let o = kezek(&[
        "calendar",
        "add",
        "--from",
        "2027-12-20 10:00",
        "--working-days",
        "20",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.starts_with("kezek: the calendar for 2028 is not confirmed"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn bad_arguments_are_one_line_and_exit_2() {
    for args in [
        vec![
            "calendar",
            "add",
            "--from",
            "2025-02-30 10:00",
            "--working-days",
            "1",
        ],
        vec!["calendar", "add", "--from", "2026-11-20 10:00"],
        vec![
            "calendar",
            "add",
            "--from",
            "2026-11-20 10:00",
            "--working-days",
            "1",
            "--calendar-days",
            "2",
        ],
        vec![
            "calendar",
            "add",
            "--from",
            "2026-11-20 10:00",
            "--working-days",
            "-1",
        ],
        vec!["calendar", "list", "--from", "2026-01-01"],
        vec![
            "calendar",
            "list",
            "--from",
            "2026-1-1x",
            "--to",
            "2026-01-02",
        ],
        vec![
            "calendar",
            "list",
            "--from",
            "2010-01-01",
            "--to",
            "2010-01-02",
        ],
        vec!["nonsense"],
    ] {
        let o = kezek(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("kezek: "), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn iin_check_exit_codes_and_json() {
    let o = kezek(&["iin", "check", "000229500018", "240140000011"]);
    assert_eq!(o.status.code(), Some(0));
    let o = kezek(&[
        "iin",
        "check",
        "000229500018",
        "850615312341",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v[0]["input"], "000229500018");
    assert_eq!(v[0]["valid"], true);
    assert_eq!(v[0]["kind"], "iin");
    assert_eq!(v[0]["error"], serde_json::Value::Null);
    assert_eq!(v[1]["valid"], false);
    assert_eq!(v[1]["error"], "the check digit is 1, expected 0");
}

#[test]
fn iin_check_reads_stdin() {
    let o = kezek_with(
        &["iin", "check", "-", "--format", "json"],
        Some("991231400026\n\n240140000011\n900101300800\n"),
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(3));
    assert_eq!(v[1]["kind"], "bin");
    assert_eq!(
        v[2]["error"],
        "both check-digit passes give 10: such a number is never issued"
    );
}

#[test]
fn iin_text_output_escapes_control_characters() {
    let o = kezek(&["iin", "check", "85061\u{1b}[2J"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(out.contains("\\u{1b}"), "{out:?}");
}

#[test]
fn a_broken_override_file_is_reported_with_its_line() {
    let dir = std::env::temp_dir().join(format!("kezek-cli-test-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("calendar.toml"),
        "[years.2028]\nstatus = \"confirmed\"\ndates = { kurban_ait = \"2028-13-01\" }\n",
    )
    .expect("write");
    let dir_s = dir.to_string_lossy().to_string();
    let o = kezek_with(
        &[
            "calendar",
            "list",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-02",
        ],
        None,
        &[("KEZEK_CONFIG_DIR", &dir_s)],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("calendar.toml:3:"), "{err}");
    assert!(err.contains("2028-13-01"), "{err}");
    // A good override adds 2028.
    std::fs::write(
        dir.join("calendar.toml"),
        "[years.2028]\nstatus = \"confirmed\"\ndates = { kurban_ait = \"2028-05-05\" }\n",
    )
    .expect("write");
    let o = kezek_with(
        &[
            "calendar",
            "add",
            "--from",
            "2027-12-20 10:00",
            "--working-days",
            "20",
        ],
        None,
        &[("KEZEK_CONFIG_DIR", &dir_s)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rules_list_and_show_every_procedure() {
    let o = kezek(&["rules", "list", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let rows = v.as_array().expect("array");
    for p in ["registration", "rvp", "pr", "exit", "border_zone"] {
        assert!(rows.iter().any(|r| r["procedure"] == p), "{p}");
        let o = kezek(&["rules", "show", p]);
        assert_eq!(o.status.code(), Some(0), "{p}: {}", stderr(&o));
        assert!(stdout(&o).contains("stages"), "{p}");
        let o = kezek(&["rules", "show", p, "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
        assert!(!v["versions"].as_array().expect("versions").is_empty());
        assert!(v["versions"][0]["act"]["ru"].is_string());
        assert!(v["versions"][0]["stages"].is_array());
    }
    // The version in force on a day.
    let o = kezek(&[
        "rules",
        "show",
        "exit",
        "--at",
        "2026-07-12",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["versions"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["versions"][0]["effective_from"], "2026-07-12");
    assert_eq!(v["versions"][0]["service_term"]["days"], 20);
    let o = kezek(&["rules", "show", "pr", "--at", "2026-11-21"]);
    assert!(stdout(&o).contains("approval: supervisor"));
    // The unconfirmed quota parameter is labelled where it is shown.
    let o = kezek(&["rules", "show", "rvp"]);
    assert!(stdout(&o).contains("UNCONFIRMED"));
}

#[test]
fn rules_errors_exit_2() {
    let o = kezek(&["rules", "show", "visa"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown procedure “visa”"),
        "{}",
        stderr(&o)
    );
    let o = kezek(&["rules", "show", "border_zone", "--at", "2026-01-01"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no rule version of “border_zone” is in force on Thu 01.01.2026"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_broken_procedure_override_names_its_line() {
    let dir = std::env::temp_dir().join(format!("kezek-cli-test-rules-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("procedures")).expect("mkdir");
    let built_in = kezek::domain::procedure::BUILT_IN
        .iter()
        .find(|(n, _)| *n == "rvp.toml")
        .map(|(_, t)| *t)
        .expect("rvp");
    let broken = built_in.replacen("unit = \"working\"", "unit = \"weekly\"", 1);
    std::fs::write(dir.join("procedures/rvp.toml"), &broken).expect("write");
    let line = broken
        .lines()
        .position(|l| l.contains("\"weekly\""))
        .expect("line")
        + 1;
    let dir_s = dir.to_string_lossy().to_string();
    let o = kezek_with(&["rules", "list"], None, &[("KEZEK_CONFIG_DIR", &dir_s)]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains(&format!("rvp.toml:{line}:")), "{err}");
    assert!(err.contains("'weekly'"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_then_queue_then_audit() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("demo.db");
    let db_s = db.to_string_lossy().to_string();
    let me = [("KEZEK_USER", "tester")];
    let o = kezek_with(
        &[
            "--db",
            &db_s,
            "demo",
            "--cases",
            "60",
            "--now",
            "2026-11-20T10:00:00+05:00",
        ],
        None,
        &me,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("60 cases created"), "{}", stdout(&o));
    // Deterministic: the same seed and moment refill nothing new.
    let o = kezek_with(
        &[
            "--db",
            &db_s,
            "demo",
            "--cases",
            "60",
            "--now",
            "2026-11-20T10:00:00+05:00",
        ],
        None,
        &me,
    );
    assert!(
        stdout(&o).contains("0 cases created, 60 already there"),
        "{}",
        stdout(&o)
    );

    let o = kezek_with(
        &[
            "--db",
            &db_s,
            "queue",
            "--format",
            "json",
            "--now",
            "2026-11-20T10:00:00+05:00",
        ],
        None,
        &me,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let rows = v.as_array().expect("array");
    assert!(!rows.is_empty());
    for key in [
        "number",
        "procedure",
        "applicant",
        "stage",
        "next_deadline",
        "time_left",
        "assignee",
    ] {
        assert!(rows[0].get(key).is_some(), "{key}");
    }
    // Overdue rows come first.
    let first_not_overdue = rows
        .iter()
        .position(|r| r["overdue"] == false)
        .unwrap_or(rows.len());
    assert!(
        rows[first_not_overdue..]
            .iter()
            .all(|r| r["overdue"] == false)
    );
    let o = kezek_with(
        &["--db", &db_s, "queue", "--format", "csv", "--limit", "3"],
        None,
        &me,
    );
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 4, "{out}");
    // RFC 4180 line ends, as in `kezek export`; overdue and signed minutes
    // beside the prose so a spreadsheet can sort and filter.
    assert!(out.starts_with(
        "number,procedure,applicant,stage,next_deadline,overdue,minutes_left,time_left,assignee\r\n"
    ));
    assert_eq!(out.matches("\r\n").count(), 4, "{out}");
    for line in out.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let minutes: i64 = cells[6].parse().expect("minutes_left is a number");
        assert_eq!(cells[5] == "true", minutes < 0, "{line}");
    }
    let o = kezek_with(&["--db", &db_s, "export", "--status", "all"], None, &me);
    let exported = stdout(&o);
    assert!(exported.contains("\r\n"));
    // Instants in the office's time with its offset, not UTC.
    let first = exported.lines().nth(1).expect("a row");
    assert!(first.contains("+05:00"), "{first}");
    assert!(!first.contains("Z,"), "{first}");
    // A login that is nobody's is an error, not an empty list.
    let o = kezek_with(&["--db", &db_s, "queue", "--assignee", "nobody"], None, &me);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nobody") && stderr(&o).contains("akhmetova"),
        "{}",
        stderr(&o)
    );
    // History in the office's time: `Пт 20.11.2026 17:45`, not ISO UTC.
    let o = kezek_with(
        &["--db", &db_s, "--lang", "en", "queue", "--format", "json"],
        None,
        &me,
    );
    let any: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let some = any[0]["number"].as_str().expect("number").to_string();
    let o = kezek_with(
        &["--db", &db_s, "--lang", "en", "audit", "show", &some],
        None,
        &me,
    );
    let line = stdout(&o).lines().next().expect("a row").to_string();
    assert!(!line.contains('Z') && line.contains(".2026 "), "{line}");
    let o = kezek_with(&["--db", &db_s, "queue", "--procedure", "visa"], None, &me);
    assert_eq!(o.status.code(), Some(2));

    let o = kezek_with(&["--db", &db_s, "audit", "verify"], None, &me);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let number = rows[0]["number"].as_str().expect("number").to_string();
    let o = kezek_with(&["--db", &db_s, "audit", "show", &number], None, &me);
    assert!(stdout(&o).contains("case.create (demo)"), "{}", stdout(&o));

    // Tamper behind kezek's back.
    let raw = rusqlite::Connection::open(&db).expect("raw");
    raw.execute(
        "UPDATE audit SET after = replace(after, 'a', 'b') WHERE seq = 9",
        [],
    )
    .expect("tamper");
    drop(raw);
    let o = kezek_with(&["--db", &db_s, "audit", "verify"], None, &me);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).starts_with("audit chain broken at row 9"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("p.db");
    let db_s = db.to_string_lossy().into_owned();
    let me = [("KEZEK_USER", "akhmetova")];
    let o = kezek_with(
        &["--db", &db_s, "demo", "--no-open", "--cases", "3000"],
        None,
        &me,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for args in [
        ["export", "--format", "csv"],
        ["export", "--format", "json"],
    ] {
        // `kezek export | head -1`: the reader goes away after one line.
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kezek"))
            .args(["--db", &db_s])
            .args(args)
            .env("KEZEK_USER", "akhmetova")
            .env("KEZEK_CONFIG_DIR", dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut out = child.stdout.take().expect("stdout");
        let mut first = [0u8; 16];
        std::io::Read::read_exact(&mut out, &mut first).expect("read");
        drop(out);
        let o = child.wait_with_output().expect("wait");
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert_eq!(stderr(&o), "", "{args:?}");
    }
}

#[test]
fn a_mistyped_command_names_each_suggestion() {
    let o = kezek_with(&["--lang", "en", "usr"], None, &[]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("“user”") && !e.contains("“users, user”") && !e.contains("rules, user"),
        "{e}"
    );
    // `users` is the same command as `user`.
    let o = kezek_with(&["--lang", "en", "users", "--help"], None, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn users_are_added_by_a_supervisor_only() {
    let dir = tempfile::tempdir().expect("tmp");
    let db_s = dir.path().join("u.db").to_string_lossy().to_string();
    // A database is never made by accident: before init there is none.
    let o = kezek_with(
        &["--db", &db_s, "user", "list"],
        None,
        &[("KEZEK_USER", "first")],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("there is no database"),
        "{}",
        stderr(&o)
    );
    assert!(!std::path::Path::new(&db_s).exists());
    let o = kezek_with(&["--db", &db_s, "init"], None, &[("KEZEK_USER", "first")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = kezek_with(&["--db", &db_s, "init"], None, &[("KEZEK_USER", "first")]);
    assert_eq!(o.status.code(), Some(2), "init never reuses a database");
    let o = kezek_with(
        &[
            "--db",
            &db_s,
            "user",
            "add",
            "first",
            "--role",
            "inspector",
            "--name",
            "First",
        ],
        None,
        &[("KEZEK_USER", "first")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("as supervisor"), "{}", stdout(&o));
    let o = kezek_with(
        &[
            "--db",
            &db_s,
            "user",
            "add",
            "second",
            "--role",
            "inspector",
            "--name",
            "Second",
        ],
        None,
        &[("KEZEK_USER", "first")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = kezek_with(
        &[
            "--db",
            &db_s,
            "user",
            "add",
            "third",
            "--role",
            "supervisor",
            "--name",
            "Third",
        ],
        None,
        &[("KEZEK_USER", "second")],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("only a supervisor may add users"),
        "{}",
        stderr(&o)
    );
    // Someone who is not a kezek user does not see who the users are.
    let o = kezek_with(
        &["--db", &db_s, "user", "list", "--format", "json"],
        None,
        &[("KEZEK_USER", "stranger")],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("not a kezek user"), "{}", stderr(&o));
    let o = kezek_with(
        &["--db", &db_s, "user", "list", "--format", "json"],
        None,
        &[("KEZEK_USER", "first")],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(2));
}

#[test]
fn the_console_without_a_terminal_says_so_and_exits_2() {
    let dir = tempfile::tempdir().expect("tmp");
    let db_s = dir.path().join("c.db").to_string_lossy().to_string();
    let o = kezek_with(
        &["--db", &db_s, "--lang", "en"],
        None,
        &[("KEZEK_USER", "tester")],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("needs a terminal"), "{}", stderr(&o));
    // The language comes from LANG when neither --lang nor the config says.
    let o = kezek_with(
        &["--db", &db_s],
        None,
        &[
            ("KEZEK_USER", "tester"),
            ("LANG", "kk_KZ.UTF-8"),
            ("LC_ALL", ""),
            ("LC_MESSAGES", ""),
        ],
    );
    assert!(stderr(&o).contains("терминал керек"), "{}", stderr(&o));
    let o = kezek_with(
        &["--db", &db_s, "--lang", "fr"],
        None,
        &[("KEZEK_USER", "tester")],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--lang fr"), "{}", stderr(&o));
}

/// Latin words in `text` that are not codes, paths or names the user typed:
/// what a Kazakh or Russian reader would see as English left over.
fn latin_words(text: &str, allowed: &[&str]) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "(),;«»“”'\"[]|".contains(c))
        .filter(|w| !w.is_empty())
        // Codes, paths, options, numbers and identifiers carry digits or punctuation.
        .filter(|w| w.chars().all(|c| c.is_ascii_alphabetic()))
        .filter(|w| w.len() >= 3)
        .filter(|w| !allowed.contains(w))
        .map(str::to_string)
        .collect()
}

#[test]
fn kazakh_and_russian_command_lines_leave_no_english() {
    let db = std::env::temp_dir().join(format!("kezek-cli-kk-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&db);
    let db_s = db.display().to_string();
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "calendar",
            "list",
            "--from",
            "2019-05-03",
            "--to",
            "2019-05-11",
        ],
        vec![
            "calendar",
            "list",
            "--from",
            "2026-03-20",
            "--to",
            "2026-03-26",
        ],
        vec![
            "calendar",
            "add",
            "--from",
            "2026-03-19 17:45",
            "--working-days",
            "3",
            "--explain",
        ],
        vec![
            "calendar",
            "add",
            "--from",
            "2026-11-20 19:00",
            "--calendar-days",
            "1",
            "--explain",
        ],
        vec![
            "calendar",
            "add",
            "--from",
            "20.11.2026",
            "--working-days",
            "3",
        ],
        vec![
            "calendar",
            "list",
            "--from",
            "2026-03-26",
            "--to",
            "2026-03-20",
        ],
        vec!["iin", "check", "000229500018", "850615312341", "12345"],
        vec!["rules", "show", "visa"],
        vec!["rules", "list"],
        vec!["calendar", "years"],
        vec![
            "--db",
            &db_s,
            "demo",
            "--cases",
            "40",
            "--no-open",
            "--now",
            "2026-11-20T10:00:00+05:00",
        ],
        vec![
            "--db",
            &db_s,
            "queue",
            "--limit",
            "10",
            "--now",
            "2026-11-20T10:00:00+05:00",
        ],
        vec!["--db", &db_s, "audit", "verify"],
        vec!["--db", &db_s, "user", "list"],
        vec!["--db", &db_s, "note", "NO-SUCH-CASE", "--text", "x"],
        vec![
            "--db",
            &db_s,
            "export",
            "--from",
            "2026-03-26",
            "--to",
            "2026-03-20",
        ],
        vec!["--db", &db_s, "import", "fixtures/bad/errors.json"],
    ];
    // Column codes the console deliberately keeps Latin (ISO country codes,
    // logins from the demo staff, the import file's field names, the
    // procedure ids a script passes back).
    let allowed = [
        "kezek",
        "queue",
        "RUS",
        "KAZ",
        "UZB",
        "KGZ",
        "TJK",
        "CHN",
        "USA",
        "TUR",
        "DEU",
        "IND",
        "AZE",
        "boss",
        "ivanov",
        "nurlanov",
        "akhmetova",
        "audit",
        "visa",
        "registration",
        "rvp",
        "exit",
        "RFC",
        "UTF",
        "ISO",
        "alpha",
        "escape",
        "work",
        "family",
        "study",
        "treatment",
        "missionary",
        "business",
        "aifc",
        "trafficking",
        "diploma",
        "tourism",
        "JSON",
    ];
    // People's and employers' names in the demo data are data, not interface words.
    let names: Vec<String> = kezek::demo::NAMES
        .iter()
        .flat_map(|(s, g, _)| [s.to_string(), g.to_string()])
        .chain(
            kezek::demo::EMPLOYERS
                .iter()
                .flat_map(|(e, _)| e.split(|c: char| !c.is_alphanumeric()).map(str::to_string)),
        )
        .collect();
    let allowed: Vec<&str> = allowed
        .iter()
        .copied()
        .chain(names.iter().map(String::as_str))
        // The import file's own field names, as the file spells them.
        .chain(kezek::store::import::FIELDS.iter().copied())
        .collect();
    for lang in ["kk", "ru"] {
        for args in &runs {
            let mut all = vec!["--lang", lang];
            all.extend(args.iter().copied());
            let o = kezek_with(&all, None, &[("KEZEK_USER", "boss")]);
            let text = format!("{}{}", stdout(&o), stderr(&o));
            let english = latin_words(&text, &allowed);
            assert!(
                english.is_empty(),
                "kezek {}: English words {english:?} in:\n{text}",
                all.join(" ")
            );
        }
    }
    let _ = std::fs::remove_file(&db);
}
