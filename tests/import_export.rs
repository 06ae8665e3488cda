//! Import (all or nothing, every error located) and export (masking, filters,
//! spreadsheet-safe CSV), through the real binary.

use std::path::Path;
use std::process::{Command, Output};

#[path = "support/engines.rs"]
#[macro_use]
mod engines;

fn kezek(db: &Path, user: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kezek"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("KEZEK_USER", user)
        .env("KEZEK_CONFIG_DIR", db.with_extension("config"))
        .env("LC_ALL", "en_US.UTF-8")
        .output()
        .expect("run kezek")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn fixture(name: &str) -> String {
    format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn setup(t: &engines::TestDb) -> (&engines::TestDb, std::path::PathBuf) {
    let db = t.path().to_path_buf();
    let o = kezek(&db, "boss", &["init"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = kezek(
        &db,
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
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = kezek(
        &db,
        "boss",
        &[
            "user",
            "add",
            "ivanov",
            "--role",
            "inspector",
            "--name",
            "Иванов",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    (t, db)
}

fn count(db: &Path) -> i64 {
    kezek::store::Store::open_existing(
        db,
        kezek::domain::calendar::Calendar::built_in().expect("calendar"),
        kezek::domain::procedure::Rules::built_in().expect("rules"),
    )
    .expect("open")
    .case_count()
    .expect("count")
}

both_engines! {
    fn fixtures_import_and_reimport_creates_no_duplicates(t) {
        let (_d, db) = setup(t);
        let o = kezek(&db, "ivanov", &["import", &fixture("applications.json")]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        assert!(
            out(&o).contains("5 applications imported, 0 already present"),
            "{}",
            out(&o)
        );
        let o = kezek(&db, "ivanov", &["import", &fixture("applications.csv")]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        let o = kezek(&db, "ivanov", &["import", &fixture("applications.json")]);
        assert!(
            out(&o).contains("0 applications imported, 5 already present"),
            "{}",
            out(&o)
        );
        assert_eq!(count(&db), 10);
        let o = kezek(&db, "ivanov", &["audit", "verify"]);
        assert_eq!(o.status.code(), Some(0));
    }
}

both_engines! {
    fn a_bad_file_reports_every_error_and_writes_nothing(t) {
        let (_d, db) = setup(t);
        let o = kezek(&db, "ivanov", &["import", &fixture("bad/errors.json")]);
        assert_eq!(o.status.code(), Some(2));
        let e = err(&o);
        for expected in [
            "record 1, field received_at: '2025-02-30 10:00'",
            "record 1, field applicant_name: 'A\\u{1b}[2JB' contains control characters",
            "record 1, field applicant_iin: '850615312341' is not a valid IIN: the check digit",
            "record 2, field procedure: unknown procedure “visa”",
            "record 3, field documents[1]: '2027-13-01' is not a real date",
            "record 3, field host_id: '240140000012' is not a valid BIN",
            "nothing was imported: 9 error(s)",
        ] {
            assert!(e.contains(expected), "missing «{expected}» in:\n{e}");
        }
        assert!(
            !e.contains('\u{1b}'),
            "escape sequences never reach the terminal"
        );
        assert_eq!(count(&db), 0);
    }
}

both_engines! {
    fn nasty_files_get_clear_errors(t) {
        let (d, db) = setup(t);
        let o = kezek(&db, "ivanov", &["import", &fixture("bad/truncated.json")]);
        assert_eq!(o.status.code(), Some(2));
        assert!(err(&o).contains("not valid JSON"), "{}", err(&o));
        let o = kezek(&db, "ivanov", &["import", &fixture("bad/cp1251.csv")]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            err(&o).contains("not UTF-8 (byte 111, line 2)"),
            "{}",
            err(&o)
        );
        // A 50 MB name.
        let huge = d.dir().join("huge.json");
        let name = "Я".repeat(25 * 1024 * 1024);
        std::fs::write(
            &huge,
            format!(r#"[{{"number":"2026-REG-9","procedure":"registration","received_at":"2026-11-20 10:00","applicant_name":"{name}","applicant_key":"K","citizenship":"RUS"}}]"#),
        )
        .expect("write");
        let o = kezek(&db, "ivanov", &["import", huge.to_str().expect("path")]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            err(&o).contains("26214400 characters, more than the 200 allowed"),
            "{}",
            &err(&o)[..200.min(err(&o).len())]
        );
        // CSV: a row with a wrong number of cells, a duplicate number, UTF-16.
        let bad = d.dir().join("bad.csv");
        std::fs::write(
            &bad,
            "number,procedure,received_at,applicant_name,applicant_key,citizenship\n\
             2026-REG-1,registration,2026-11-20 10:00,Asel,K1,KAZ\n\
             2026-REG-1,registration,2026-11-20 10:00,Asel,K1,KAZ\n\
             2026-REG-2,registration\n",
        )
        .expect("write");
        let o = kezek(&db, "ivanov", &["import", bad.to_str().expect("path")]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            err(&o).contains("line 3, field number: '2026-REG-1' appears twice (first at line 2)"),
            "{}",
            err(&o)
        );
        assert!(
            err(&o).contains("line 4: cannot read the row"),
            "{}",
            err(&o)
        );
        let utf16 = d.dir().join("u16.csv");
        std::fs::write(&utf16, [0xFF, 0xFE, b'n', 0]).expect("write");
        let o = kezek(&db, "ivanov", &["import", utf16.to_str().expect("path")]);
        assert!(err(&o).contains("UTF-16"), "{}", err(&o));
        assert_eq!(count(&db), 0);
        // An auditor cannot import at all.
        let o = kezek(
            &db,
            "boss",
            &["user", "add", "aud", "--role", "auditor", "--name", "A"],
        );
        assert_eq!(o.status.code(), Some(0));
        let o = kezek(&db, "aud", &["import", &fixture("applications.json")]);
        assert_eq!(o.status.code(), Some(2));
        assert!(err(&o).contains("auditor"), "{}", err(&o));
        assert_eq!(count(&db), 0);
    }
}

both_engines! {
    fn export_masks_iins_unless_a_supervisor_asks(t) {
        let (d, db) = setup(t);
        let o = kezek(&db, "ivanov", &["import", &fixture("applications.json")]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        let o = kezek(&db, "ivanov", &["export", "--format", "csv"]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        let csv = out(&o);
        assert!(
            csv.starts_with("number,procedure,rule_version,status,"),
            "{csv}"
        );
        assert_eq!(csv.lines().count(), 6);
        assert!(csv.contains("Рахимов Фаррух"), "Cyrillic intact");
        assert!(csv.contains("********"), "{csv}");
        assert!(
            !csv.starts_with('\u{feff}'),
            "no byte-order mark unless asked"
        );
        let o = kezek(&db, "ivanov", &["export", "--include-pii"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(err(&o).contains("for supervisors"), "{}", err(&o));
        let o = kezek(&db, "boss", &["export", "--include-pii", "--bom"]);
        let csv = out(&o);
        assert!(csv.starts_with('\u{feff}'));
        assert!(!csv.contains("********"), "{csv}");

        // Filters and JSON.
        let o = kezek(
            &db,
            "ivanov",
            &[
                "export",
                "--format",
                "json",
                "--procedure",
                "rvp",
                "--from",
                "2026-11-20",
                "--to",
                "2026-11-20",
            ],
        );
        let v: serde_json::Value = serde_json::from_str(&out(&o)).expect("json");
        let rows = v.as_array().expect("array");
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(rows.iter().all(|r| r["procedure"] == "rvp"));
        let o = kezek(
            &db,
            "ivanov",
            &["export", "--status", "decided", "--format", "json"],
        );
        let v: serde_json::Value = serde_json::from_str(&out(&o)).expect("json");
        assert_eq!(v.as_array().map(Vec::len), Some(0));

        // To a file, and the audit log (masked).
        let file = d.dir().join("cases.csv");
        let o = kezek(
            &db,
            "ivanov",
            &["export", "--out", file.to_str().expect("path")],
        );
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        assert!(
            std::fs::read_to_string(&file)
                .expect("file")
                .contains("2026-RVP-10001")
        );
        let o = kezek(&db, "ivanov", &["export", "--audit"]);
        let audit = out(&o);
        assert!(audit.lines().count() >= 7, "{audit}");
        let first: serde_json::Value =
            serde_json::from_str(audit.lines().next().expect("line")).expect("json");
        assert!(first["hash"].is_string());
        let records: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(fixture("applications.json")).expect("fixture"),
        )
        .expect("json");
        let iin = records[0]["applicant_iin"]
            .as_str()
            .expect("iin")
            .to_string();
        assert!(!audit.contains(&iin), "the audit export masks IINs");
        assert!(!out(&kezek(&db, "ivanov", &["export"])).contains(&iin));
        assert!(out(&kezek(&db, "boss", &["export", "--audit", "--include-pii"])).contains(&iin));
        let o = kezek(
            &db,
            "ivanov",
            &["export", "--from", "2026-11-21", "--to", "2026-11-20"],
        );
        assert_eq!(o.status.code(), Some(2));
    }
}

both_engines! {
    fn review_fixes_hold(t) {
        let (d, db) = setup(t);
        // The database file is group-writable whatever the umask.
        #[cfg(unix)]
        if !t.is_pg() {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&db).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o660, "{mode:o}");
        }
        // An inspector cannot import cases assigned to a colleague.
        let file = d.dir().join("a.json");
        std::fs::write(
            &file,
            r#"[{"number":"X-1","procedure":"registration","received_at":"2026-11-20 10:00","applicant_name":"=HYPERLINK(1)","applicant_key":"K","citizenship":"RUS","assignee":"boss"}]"#,
        )
        .expect("write");
        let o = kezek(&db, "ivanov", &["import", file.to_str().expect("path")]);
        assert_eq!(o.status.code(), Some(2));
        assert!(err(&o).contains("field assignee"), "{}", err(&o));
        let o = kezek(&db, "boss", &["import", file.to_str().expect("path")]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        // Spreadsheet formulas are neutralised in the queue's CSV too.
        let o = kezek(&db, "boss", &["queue", "--format", "csv"]);
        assert!(out(&o).contains("\"'=HYPERLINK(1)\""), "{}", out(&o));
        // audit show masks IINs unless a supervisor asks.
        let o = kezek(&db, "ivanov", &["import", &fixture("applications.json")]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        let records: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(fixture("applications.json")).expect("fixture"),
        )
        .expect("json");
        let iin = records[0]["applicant_iin"]
            .as_str()
            .expect("iin")
            .to_string();
        let o = kezek(
            &db,
            "ivanov",
            &["audit", "show", "2026-RVP-10001", "--format", "json"],
        );
        assert!(!out(&o).contains(&iin));
        let o = kezek(
            &db,
            "ivanov",
            &["audit", "show", "2026-RVP-10001", "--include-pii"],
        );
        assert_eq!(o.status.code(), Some(2));
        let o = kezek(
            &db,
            "boss",
            &[
                "audit",
                "show",
                "2026-RVP-10001",
                "--format",
                "json",
                "--include-pii",
            ],
        );
        assert!(out(&o).contains(&iin));
        // Wiping the audit log is noticed.
        if let Some(mut c) = t.pg_client() {
            // As the server's superuser, past any trigger.
            c.batch_execute(
                "SET session_replication_role = replica; DELETE FROM audit; DELETE FROM audit_head;",
            )
            .expect("wipe");
        } else {
            let c = rusqlite::Connection::open(&db).expect("raw");
            c.execute_batch("DELETE FROM audit; DELETE FROM audit_head;")
                .expect("wipe");
        }
        let o = kezek(&db, "boss", &["audit", "verify"]);
        assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    }
}
