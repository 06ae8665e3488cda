//! Real processes: kill -9 in the middle of writes, and several writers at
//! once on the same cases.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn cmd(db: &Path, user: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kezek"));
    c.arg("--db")
        .arg(db)
        .env("KEZEK_USER", user)
        .env("KEZEK_CONFIG_DIR", db.with_extension("config"))
        .env("LC_ALL", "en_US.UTF-8");
    c
}

fn run_ok(db: &Path, user: &str, args: &[&str]) -> String {
    let o = cmd(db, user).args(args).output().expect("run");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn raw(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(db).expect("raw")
}

fn integrity(db: &Path) -> String {
    raw(db)
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity")
}

fn setup(cases: usize) -> (tempfile::TempDir, std::path::PathBuf, Vec<String>) {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("k.db");
    run_ok(
        &db,
        "boss",
        &[
            "demo",
            "--cases",
            &cases.to_string(),
            "--now",
            "2026-11-20T10:00:00+05:00",
        ],
    );
    let numbers: Vec<String> = {
        let c = raw(&db);
        let mut stmt = c
            .prepare("SELECT number FROM cases ORDER BY number LIMIT 3")
            .expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    (dir, db, numbers)
}

/// A JSON import file of `n` valid registrations.
fn big_import(path: &Path, n: usize) {
    let mut s = String::from("[");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"{{"number":"2026-REG-{:06}","procedure":"registration","received_at":"2026-11-20 10:00","applicant_name":"Person {i}","applicant_key":"K{i}","citizenship":"RUS"}}"#,
            500_000 + i
        ));
    }
    s.push(']');
    std::fs::write(path, s).expect("write import");
}

#[test]
fn kill_9_during_an_import_leaves_all_or_nothing() {
    let (dir, db, _) = setup(5);
    let file = dir.path().join("big.json");
    big_import(&file, 20_000);
    let before: i64 = raw(&db)
        .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
        .expect("count");
    // Kill it once validation is done and the write transaction is under way.
    let mut child = cmd(&db, "boss")
        .args(["import", file.to_str().expect("path")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let mut writing = false;
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if line.contains("writing them in one transaction") {
            writing = true;
            break;
        }
    }
    assert!(writing, "the import reached its write phase");
    std::thread::sleep(Duration::from_millis(100));
    let _ = child.kill(); // SIGKILL
    let status = child.wait().expect("wait");
    assert_eq!(integrity(&db), "ok");
    let now: i64 = raw(&db)
        .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
        .expect("count");
    if status.success() {
        assert_eq!(now, before + 20_000, "finished before the kill: all of it");
    } else {
        assert_eq!(now, before, "killed mid-transaction: none of it");
    }
    let o = cmd(&db, "boss")
        .args(["audit", "verify"])
        .output()
        .expect("verify");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // The same file imports whole afterwards.
    run_ok(&db, "boss", &["import", file.to_str().expect("path")]);
    let after: i64 = raw(&db)
        .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
        .expect("count");
    assert_eq!(after, before + 20_000);
}

#[test]
fn kill_9_during_a_burst_of_edits_loses_nothing_committed() {
    let (_dir, db, numbers) = setup(5);
    let case = numbers[0].clone();
    let texts: Vec<String> = (1..=400).map(|i| format!("burst note {i}")).collect();
    let mut args = vec!["note".to_string(), case.clone()];
    for t in &texts {
        args.push("--text".into());
        args.push(t.clone());
    }
    let mut child = cmd(&db, "boss")
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    // Wait until some notes are confirmed, then kill without warning.
    let stdout = child.stdout.take().expect("stdout");
    let mut confirmed = 0usize;
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        if line.contains("added") {
            confirmed += 1;
        }
        if confirmed == 25 {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(confirmed, 25);
    assert_eq!(integrity(&db), "ok");
    let c = raw(&db);
    let notes: Vec<String> = {
        let mut stmt = c
            .prepare("SELECT text FROM notes WHERE case_number = ?1 ORDER BY ord")
            .expect("prepare");
        stmt.query_map([&case], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    assert!(
        notes.len() >= confirmed,
        "{} notes, {confirmed} confirmed",
        notes.len()
    );
    for (i, n) in notes.iter().enumerate() {
        assert_eq!(
            n,
            &format!("burst note {}", i + 1),
            "notes are whole and in order"
        );
    }
    let o = cmd(&db, "boss")
        .args(["audit", "verify"])
        .output()
        .expect("verify");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn four_writers_on_the_same_cases_lose_no_update() {
    let (_dir, db, numbers) = setup(5);
    const EACH: usize = 15;
    let mut children = Vec::new();
    for w in 0..4 {
        for case in &numbers {
            let mut args = vec!["note".to_string(), case.clone()];
            for i in 0..EACH {
                args.push("--text".into());
                args.push(format!("writer {w} note {i}"));
            }
            let child = cmd(&db, "boss")
                .args(&args)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            children.push(child);
        }
    }
    for child in children {
        let o = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{err}");
        assert!(!err.contains("locked"), "{err}");
    }
    assert_eq!(integrity(&db), "ok");
    let c = raw(&db);
    for case in &numbers {
        let n: i64 = c
            .query_row(
                "SELECT count(*) FROM notes WHERE case_number = ?1",
                [case],
                |r| r.get(0),
            )
            .expect("count");
        let demo_notes: i64 = c
            .query_row(
                "SELECT count(*) FROM notes WHERE case_number = ?1 AND text NOT LIKE 'writer %'",
                [case],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(
            n - demo_notes,
            (4 * EACH) as i64,
            "no lost update on {case}"
        );
    }
    let o = cmd(&db, "boss")
        .args(["audit", "verify"])
        .output()
        .expect("verify");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}
