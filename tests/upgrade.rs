//! Every schema version main has shipped, made by the kezek of that commit
//! (`tests/fixtures/make-schema-fixtures`), migrates to this one: a backup
//! first, the audit chain intact and unchanged up to the old head, the
//! cases and the queue as the old kezek printed them (`schema-vN.expected`).
//! A database newer than this kezek is refused without a change, and a
//! migration that fails leaves the database as it was.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const VERSIONS: [i64; 6] = [1, 2, 3, 4, 5, 6];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn kezek(dir: &Path, db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kezek"))
        .arg("--db")
        .arg(db)
        .args(["--lang", "en"])
        .args(args)
        .env("KEZEK_USER", "akhmetova")
        .env("KEZEK_CONFIG_DIR", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("HOME", dir)
        .output()
        .expect("run kezek")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The fixture of version `v` copied (with its key) into `dir`.
fn copy_fixture(v: i64, dir: &Path) -> PathBuf {
    let db = dir.join("kezek.db");
    std::fs::copy(fixtures().join(format!("schema-v{v}.sqlite")), &db).expect("copy fixture");
    let key = fixtures().join(format!("schema-v{v}.sqlite.audit-key"));
    if key.exists() {
        std::fs::copy(&key, dir.join("kezek.db.audit-key")).expect("copy key");
    }
    db
}

/// The sections of `schema-vN.expected`: `## TITLE` then what the old kezek printed.
fn expected(v: i64) -> std::collections::HashMap<String, String> {
    let text = std::fs::read_to_string(fixtures().join(format!("schema-v{v}.expected")))
        .expect("expected text");
    text.split("\n## ")
        .skip(1)
        .filter_map(|s| {
            let (title, body) = s.split_once('\n')?;
            Some((title.to_string(), body.to_string()))
        })
        .collect()
}

fn by_number(list: &Value) -> std::collections::BTreeMap<String, Value> {
    list.as_array()
        .expect("a JSON array")
        .iter()
        .map(|c| (c["number"].as_str().expect("number").to_string(), c.clone()))
        .collect()
}

/// An RFC 3339 time as the instant it names (exports once wrote UTC, now
/// the office's time); any other value as it is.
fn instant(v: &Value) -> Value {
    match v.as_str().map(chrono::DateTime::parse_from_rfc3339) {
        Some(Ok(t)) => Value::String(t.with_timezone(&chrono::Utc).to_rfc3339()),
        _ => v.clone(),
    }
}

fn user_version(db: &Path) -> i64 {
    let c = rusqlite::Connection::open(db).expect("open");
    c.query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version")
}

fn head(db: &Path) -> (i64, String) {
    let c = rusqlite::Connection::open(db).expect("open");
    c.query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .expect("head")
}

#[test]
fn every_released_schema_migrates_with_its_data_chain_and_queue() {
    let current = kezek::store::db::schema_version();
    for v in VERSIONS {
        let tmp = tempfile::tempdir().expect("tmp");
        let db = copy_fixture(v, tmp.path());
        assert_eq!(user_version(&db), v, "fixture v{v} is not at version {v}");
        let (old_seq, old_hash) = head(&db);
        let exp = expected(v);
        // The old kezek found its chain intact.
        let old_rows: i64 = exp["audit verify"]
            .split_whitespace()
            .find_map(|w| w.parse().ok())
            .expect("old row count");
        assert!(
            exp["audit verify"].contains("intact"),
            "{}",
            exp["audit verify"]
        );
        assert_eq!(old_rows, old_seq, "v{v}: the old head is its last row");

        let m = kezek(tmp.path(), &db, &["migrate"]);
        assert!(m.status.success(), "v{v}: {}{}", out(&m), err(&m));
        assert_eq!(user_version(&db), current, "v{v}");
        let backups: Vec<String> = std::fs::read_dir(tmp.path().join("backups"))
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        if v < current {
            let tagged: Vec<&String> = backups
                .iter()
                .filter(|n| n.ends_with(&format!("-schema-v{v}.db.zst")))
                .collect();
            assert_eq!(
                tagged.len(),
                1,
                "v{v}: a backup before migrating: {backups:?}"
            );
            assert!(out(&m).contains(tagged[0].as_str()), "{}", out(&m));
            // That backup is the old database, sound, at the old version.
            let file = tmp.path().join("backups").join(tagged[0]);
            let file = file.to_string_lossy().into_owned();
            let check = kezek(
                tmp.path(),
                &db,
                &[
                    "backup",
                    "verify",
                    &file,
                    "--anchor",
                    &format!("{old_seq}:{old_hash}"),
                ],
            );
            assert!(
                check.status.success(),
                "v{v}: {}{}",
                out(&check),
                err(&check)
            );
            assert!(
                out(&check).contains(&format!("schema {v},")),
                "{}",
                out(&check)
            );
        } else {
            assert!(
                backups.is_empty(),
                "nothing to migrate, no backup: {backups:?}"
            );
            assert!(out(&m).contains("already"), "{}", out(&m));
        }

        // The chain: intact, and every row up to the old head unchanged.
        let anchor = format!("{old_seq}:{old_hash}");
        let a = kezek(tmp.path(), &db, &["audit", "verify", "--anchor", &anchor]);
        assert!(a.status.success(), "v{v}: {}{}", out(&a), err(&a));
        assert!(out(&a).contains("audit chain intact"), "{}", out(&a));

        // The cases: what the old kezek exported, field by field. A decided
        // case with nothing left may since have been archived (this kezek
        // settles such cases when it first opens the database).
        let old: Value = serde_json::from_str(&exp["export --format json"]).expect("old export");
        let e = kezek(tmp.path(), &db, &["export", "--format", "json"]);
        assert!(e.status.success(), "v{v}: {}", err(&e));
        let new: Value = serde_json::from_str(&out(&e)).expect("new export");
        let (old, new) = (by_number(&old), by_number(&new));
        assert_eq!(
            old.keys().collect::<Vec<_>>(),
            new.keys().collect::<Vec<_>>(),
            "v{v}: the same cases"
        );
        let stable = [
            "applicant",
            "assignee",
            "citizenship",
            "procedure",
            "rule_version",
            "received_at",
            "accepted_at",
            "decided_at",
            "decision",
            "approval",
            "host",
        ];
        let mut archived_since = Vec::new();
        for (number, o) in &old {
            let n = &new[number];
            for k in stable {
                assert_eq!(instant(&o[k]), instant(&n[k]), "v{v} {number}: {k}");
            }
            if o["status"] != n["status"] {
                assert_eq!(
                    (o["status"].as_str(), n["status"].as_str()),
                    (Some("decided"), Some("archived")),
                    "v{v} {number}"
                );
                archived_since.push(number.clone());
            }
        }

        // The queue: the same cases with the same people and procedures,
        // but those archived since.
        let oldq: Value = serde_json::from_str(&exp["queue --format json"]).expect("old queue");
        let q = kezek(tmp.path(), &db, &["queue", "--format", "json"]);
        assert!(q.status.success(), "v{v}: {}", err(&q));
        let newq: Value = serde_json::from_str(&out(&q)).expect("new queue");
        let (oldq, newq) = (by_number(&oldq), by_number(&newq));
        for (number, o) in &oldq {
            match newq.get(number) {
                None => assert!(
                    archived_since.contains(number),
                    "v{v}: {number} left the queue"
                ),
                Some(n) => {
                    for k in ["applicant", "assignee", "citizenship", "procedure"] {
                        assert_eq!(o[k], n[k], "v{v} queue {number}: {k}");
                    }
                }
            }
        }
        for number in newq.keys() {
            assert!(oldq.contains_key(number), "v{v}: {number} joined the queue");
        }
    }
}

#[test]
fn a_database_newer_than_this_kezek_is_refused_unchanged() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = copy_fixture(6, tmp.path());
    {
        let c = rusqlite::Connection::open(&db).expect("open");
        c.pragma_update(None, "user_version", 99).expect("set");
        c.pragma_update(None, "journal_mode", "DELETE")
            .expect("mode");
    }
    let before = std::fs::read(&db).expect("read");
    for args in [&["queue"][..], &["migrate"], &["backup"]] {
        let o = kezek(tmp.path(), &db, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", out(&o));
        let e = err(&o);
        assert!(e.contains("schema version 99"), "{e}");
        assert!(e.contains("dpkg -i"), "names what to do: {e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    }
    assert!(
        before == std::fs::read(&db).expect("read"),
        "left unchanged"
    );
    assert!(!tmp.path().join("backups").exists());
}

#[test]
fn a_migration_that_fails_leaves_the_database_as_it_was() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = copy_fixture(2, tmp.path());
    // Migration 3 will succeed, migration 4 fail on a table in its way.
    {
        let c = rusqlite::Connection::open(&db).expect("open");
        c.execute_batch("CREATE TABLE meta (x INTEGER)")
            .expect("table");
    }
    let o = kezek(tmp.path(), &db, &["migrate"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(err(&o).contains("migration 4"), "{}", err(&o));
    assert_eq!(user_version(&db), 2);
    let c = rusqlite::Connection::open(&db).expect("open");
    let touches: i64 = c
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'case_touches'",
            [],
            |r| r.get(0),
        )
        .expect("query");
    assert_eq!(touches, 0, "migration 3 was rolled back with 4");
}
