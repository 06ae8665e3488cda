//! Real processes: kill -9 in the middle of writes, and several writers at
//! once on the same cases.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

#[path = "support/engines.rs"]
#[macro_use]
mod engines;

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

/// Text answers to `sql` (one `?1` parameter at most), read around kezek.
fn strings(t: &engines::TestDb, sql: &str, arg: Option<&str>) -> Vec<String> {
    if let Some(mut c) = t.pg_client() {
        let sql = sql.replace("?1", "$1");
        let rows = match arg {
            Some(a) => c.query(sql.as_str(), &[&a]),
            None => c.query(sql.as_str(), &[]),
        }
        .expect("query");
        return rows
            .iter()
            .map(|r| match r.columns()[0].type_() {
                &postgres::types::Type::INT8 => r.get::<_, i64>(0).to_string(),
                _ => r.get::<_, String>(0),
            })
            .collect();
    }
    let c = rusqlite::Connection::open(t.path()).expect("raw");
    let mut stmt = c.prepare(sql).expect("prepare");
    let params: Vec<&str> = arg.into_iter().collect();
    stmt.query_map(rusqlite::params_from_iter(params), |r| {
        r.get::<_, rusqlite::types::Value>(0).map(|v| match v {
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Text(s) => s,
            other => format!("{other:?}"),
        })
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

fn count(t: &engines::TestDb, sql: &str, arg: Option<&str>) -> i64 {
    strings(t, sql, arg)[0].parse().expect("a count")
}

/// SQLite's own check of the file; on PostgreSQL the server keeps its
/// files whole, and the database answers.
fn integrity(t: &engines::TestDb) -> String {
    if t.is_pg() {
        count(t, "SELECT count(*) FROM cases", None);
        return "ok".into();
    }
    strings(t, "PRAGMA integrity_check", None).remove(0)
}

fn setup(t: &engines::TestDb, cases: usize) -> (&engines::TestDb, std::path::PathBuf, Vec<String>) {
    let db = t.path().to_path_buf();
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
    let numbers = strings(t, "SELECT number FROM cases ORDER BY number LIMIT 3", None);
    (t, db, numbers)
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

both_engines! {
    fn kill_9_during_an_import_leaves_all_or_nothing(t) {
        let (dir, db, _) = setup(t, 5);
        let file = dir.dir().join("big.json");
        // Long enough to be killed inside its transaction; a PostgreSQL
        // round trip per statement makes a smaller file as long.
        let n: i64 = if t.is_pg() { 5_000 } else { 20_000 };
        big_import(&file, n as usize);
        let before: i64 = count(t, "SELECT count(*) FROM cases", None);
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
        assert_eq!(integrity(t), "ok");
        let now: i64 = count(t, "SELECT count(*) FROM cases", None);
        if status.success() {
            assert_eq!(now, before + n, "finished before the kill: all of it");
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
        let after: i64 = count(t, "SELECT count(*) FROM cases", None);
        assert_eq!(after, before + n);
    }
}

both_engines! {
    fn kill_9_during_a_burst_of_edits_loses_nothing_committed(t) {
        let (_dir, db, numbers) = setup(t, 5);
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
        assert_eq!(integrity(t), "ok");
        let notes = strings(
            t,
            "SELECT text FROM notes WHERE case_number = ?1 ORDER BY ord",
            Some(&case),
        );
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
}

both_engines! {
    fn four_writers_on_the_same_cases_lose_no_update(t) {
        let (_dir, db, numbers) = setup(t, 5);
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
        assert_eq!(integrity(t), "ok");
        for case in &numbers {
            let n = count(
                t,
                "SELECT count(*) FROM notes WHERE case_number = ?1",
                Some(case),
            );
            let demo_notes = count(
                t,
                "SELECT count(*) FROM notes WHERE case_number = ?1 AND text NOT LIKE 'writer %'",
                Some(case),
            );
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
}
