//! `kezek.log` at `--log-level debug` after the end-to-end flows (the
//! console typed at in a pseudo-terminal, the command line's case, note,
//! queue, export, report and backup): what a stuck console needs is there
//! (worker requests with their times, other sessions' commits), and no
//! applicant's name, IIN or note text is.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

#[path = "support/pty.rs"]
mod support;
use support::Pty;

const WAIT: Duration = Duration::from_secs(30);

struct Office {
    dir: tempfile::TempDir,
}

impl Office {
    fn db(&self) -> PathBuf {
        self.dir.path().join("kezek.db")
    }
    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }
    fn envs(&self) -> Vec<(String, String)> {
        let p = |x: &Path| x.to_string_lossy().into_owned();
        vec![
            ("KEZEK_USER".into(), "akhmetova".into()),
            (
                "KEZEK_CONFIG_DIR".into(),
                p(&self.dir.path().join("config")),
            ),
            ("XDG_DATA_HOME".into(), p(&self.data())),
            ("HOME".into(), p(self.dir.path())),
            ("KEZEK_NO_TICK".into(), "1".into()),
            ("NO_COLOR".into(), "1".into()),
        ]
    }
    fn kezek(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kezek"))
            .arg("--db")
            .arg(self.db())
            .args(["--lang", "en", "--log-level", "debug"])
            .args(args)
            .envs(self.envs())
            .output()
            .expect("run kezek")
    }
}

fn ok(o: Output) -> String {
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_debug_log_tells_what_the_console_did_and_names_nobody() {
    let office = Office {
        dir: tempfile::tempdir().expect("tmp"),
    };
    ok(office.kezek(&["demo", "--cases", "80", "--no-open"]));
    // Everyone the database names, and every note's text.
    let (names, iins, notes) = {
        let c = rusqlite::Connection::open(office.db()).expect("open");
        let col = |sql: &str| -> Vec<String> {
            let mut st = c.prepare(sql).expect("sql");
            st.query_map([], |r| r.get::<_, String>(0))
                .expect("rows")
                .filter_map(Result::ok)
                .filter(|s| s.chars().count() >= 4)
                .collect()
        };
        (
            [
                col("SELECT name FROM persons"),
                col("SELECT host_name FROM cases WHERE host_name IS NOT NULL"),
                col("SELECT name FROM users"),
            ]
            .concat(),
            [
                col("SELECT iin FROM persons WHERE iin IS NOT NULL"),
                col("SELECT host_id FROM cases WHERE host_id IS NOT NULL"),
            ]
            .concat(),
            col("SELECT text FROM notes"),
        )
    };
    assert!(
        names.len() > 50 && iins.len() > 50,
        "{} {}",
        names.len(),
        iins.len()
    );
    let queue = ok(office.kezek(&["queue", "--format", "json"]));
    let queue: serde_json::Value = serde_json::from_str(&queue).expect("json");
    let first = queue[0]["number"].as_str().expect("number").to_string();
    let applicant = queue[0]["applicant"].as_str().expect("name").to_string();
    let secret_note = format!("Spoke to {applicant} about the passport");
    ok(office.kezek(&["note", &first, "--text", &secret_note]));
    ok(office.kezek(&["case", "show", &first]));
    ok(office.kezek(&["export", "--format", "json"]));
    ok(office.kezek(&["report", "daily", "--format", "json"]));
    ok(office.kezek(&["backup"]));

    // The console: a filter typed with the applicant's surname, a case
    // opened, a note typed, while another session writes.
    let envs = office.envs();
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let db = office.db().to_string_lossy().into_owned();
    let mut s = Pty::spawn(
        env!("CARGO_BIN_EXE_kezek"),
        &["--db", &db, "--lang", "en", "--log-level", "debug"],
        &envs,
        120,
        40,
    );
    s.wait_for("overdue", WAIT);
    let surname = applicant
        .split_whitespace()
        .next()
        .unwrap_or("x")
        .to_string();
    s.keys(format!("/{surname}").as_bytes());
    s.wait_for(&surname, WAIT);
    s.keys(format!("\x1b:open {first}\r").as_bytes());
    s.wait_for("1:summary", WAIT);
    ok(office.kezek(&["note", &first, "--text", "from another session"]));
    std::thread::sleep(Duration::from_millis(1500));
    s.keys(b"\x1b");
    s.wait_for("overdue", WAIT);
    s.keys(b"q");
    assert!(s.exit(WAIT).success());

    let log_path = office.data().join("kezek").join("kezek.log");
    let log = std::fs::read_to_string(&log_path).expect("kezek.log");
    // Useful: the worker's requests with their times, other sessions' commits.
    assert!(log.contains("worker queue"), "{log}");
    assert!(log.contains(&format!("worker open case {first}")), "{log}");
    assert!(log.contains(" ms"), "{log}");
    assert!(log.contains("another session committed"), "{log}");
    assert!(log.contains("backup written"), "{log}");
    // And nobody is named.
    for n in names.iter().chain(&iins).chain(&notes) {
        assert!(!log.contains(n.as_str()), "the log holds {n:?}");
    }
    assert!(!log.contains(&secret_note));
    assert!(!log.contains(&surname), "the filter typed is not logged");
}
