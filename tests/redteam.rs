//! The red team: what a colleague with a shell on the same server tries.
//! Planted files and symlinks at the names kezek writes, lock holders while
//! others read, signals in the middle of an export, a mistyped --db.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn cmd(db: &Path, user: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kezek"));
    c.arg("--db")
        .arg(db)
        .env("KEZEK_USER", user)
        .env("KEZEK_CONFIG_DIR", db.with_extension("config"))
        .env("LC_ALL", "en_US.UTF-8")
        .stdin(Stdio::null());
    c
}

fn run(db: &Path, user: &str, args: &[&str]) -> Output {
    cmd(db, user).args(args).output().expect("run kezek")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

fn run_ok(db: &Path, user: &str, args: &[&str]) -> String {
    let o = run(db, user, args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
    text(&o.stdout)
}

fn demo(cases: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("k.db");
    run_ok(
        &db,
        "boss",
        &[
            "demo",
            "--cases",
            &cases.to_string(),
            "--no-open",
            "--now",
            "2026-11-20T10:00:00+05:00",
        ],
    );
    (dir, db)
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

/// Temporary output files kezek may have left.
fn leftovers(dir: &Path) -> Vec<String> {
    names_in(dir)
        .into_iter()
        .filter(|n| n.ends_with(".tmp") || n.ends_with(".partial") && !n.starts_with("planted"))
        .collect()
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("meta").permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn planted_files_and_symlinks_at_the_old_partial_names_are_neither_touched_nor_followed() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let (dir, db) = demo(30);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    // A colleague's trap: a world-writable file where the export used to be written…
    let planted = out.join("cases.partial");
    std::fs::write(&planted, "planted").expect("plant");
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    // …and a symlink to the supervisor's own file where the report used to be.
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").expect("victim");
    symlink(&victim, out.join("report.partial")).expect("symlink");

    let cases = out.join("cases.csv");
    let cs = cases.to_string_lossy().to_string();
    let o = run(&db, "boss", &["export", "--include-pii", "--out", &cs]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let report = out.join("report.html");
    let rs = report.to_string_lossy().to_string();
    let o = run(&db, "boss", &["report", "daily", "--out", &rs]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    assert_eq!(
        std::fs::read_to_string(&planted).expect("planted"),
        "planted"
    );
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious"
    );
    assert!(
        std::fs::symlink_metadata(out.join("report.partial"))
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&cases)
            .expect("csv")
            .starts_with("number,")
    );
    assert!(
        std::fs::read_to_string(&report)
            .expect("html")
            .contains("<html")
    );
    assert_eq!(mode(&cases), 0o600);
    assert_eq!(mode(&report), 0o600);
    assert_eq!(
        names_in(&out),
        vec![
            "cases.csv",
            "cases.partial",
            "report.html",
            "report.partial"
        ]
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_at_the_target_is_replaced_not_followed() {
    use std::os::unix::fs::symlink;
    let (dir, db) = demo(10);
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").expect("victim");
    let target = dir.path().join("cases.csv");
    symlink(&victim, &target).expect("symlink");
    let ts = target.to_string_lossy().to_string();
    run_ok(&db, "boss", &["export", "--out", &ts]);
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious"
    );
    assert!(
        !std::fs::symlink_metadata(&target)
            .expect("meta")
            .file_type()
            .is_symlink()
    );
}

#[test]
fn exports_of_the_same_name_at_once_never_share_a_file() {
    let (dir, db) = demo(60);
    let csv = dir.path().join("coll.csv");
    let json = dir.path().join("coll.json");
    let mut a = cmd(&db, "boss")
        .args(["export", "--format", "csv", "--out"])
        .arg(&csv)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut b = cmd(&db, "boss")
        .args(["export", "--format", "json", "--out"])
        .arg(&json)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    assert!(a.wait().expect("wait").success());
    assert!(b.wait().expect("wait").success());
    let c = std::fs::read_to_string(&csv).expect("csv");
    assert!(
        c.starts_with("number,") && !c.contains('{'),
        "csv: {}",
        &c[..80.min(c.len())]
    );
    let j = std::fs::read_to_string(&json).expect("json");
    let v: serde_json::Value = serde_json::from_str(&j).expect("the JSON export is whole JSON");
    assert_eq!(v.as_array().map(Vec::len), Some(60));
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}

#[cfg(unix)]
#[test]
fn an_export_ended_by_sigterm_leaves_no_temporary_file() {
    let (dir, db) = demo(2000);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let target = out.join("all.json");
    // Caught in the middle at least once: otherwise the test proves nothing.
    let mut caught = 0;
    for _ in 0..10 {
        let mut child = cmd(&db, "boss")
            .args(["export", "--format", "json", "--include-pii", "--out"])
            .arg(&target)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let started = Instant::now();
        let mut seen = false;
        while started.elapsed() < Duration::from_secs(20) {
            if names_in(&out).iter().any(|n| n.ends_with(".tmp")) {
                seen = true;
                break;
            }
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(300));
        }
        if seen {
            let pid = nix::unistd::Pid::from_raw(child.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        }
        let status = child.wait().expect("wait");
        if seen && !status.success() {
            caught += 1;
            assert!(leftovers(&out).is_empty(), "left: {:?}", leftovers(&out));
            assert!(!target.exists(), "a killed export left a target");
        }
        let _ = std::fs::remove_file(&target);
        if caught >= 3 {
            break;
        }
    }
    assert!(caught > 0, "no export was caught in the middle");
}

#[test]
fn a_mistyped_db_is_an_error_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("no-such.db");
    for args in [
        vec!["audit", "verify"],
        vec!["queue"],
        vec!["user", "list"],
        vec!["export"],
        vec!["report", "daily"],
    ] {
        let o = run(&db, "boss", &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            text(&o.stderr).contains("there is no database"),
            "{args:?}: {}",
            text(&o.stderr)
        );
        assert!(
            names_in(dir.path()).is_empty(),
            "{args:?} created {:?}",
            names_in(dir.path())
        );
    }
}

#[test]
fn opening_a_database_writes_nothing() {
    let (_dir, db) = demo(20);
    let before = std::fs::read(&db).expect("db");
    // The WAL is folded in by the last writer; read the file as it is after each reader.
    let wal = db.with_extension("db-wal");
    let wal_before = std::fs::read(&wal).unwrap_or_default();
    for args in [
        vec!["queue"],
        vec!["audit", "verify"],
        vec!["user", "list"],
        vec!["export"],
        vec!["report", "daily"],
    ] {
        run_ok(&db, "boss", &args);
    }
    assert!(
        std::fs::read(&db).expect("db") == before,
        "the database file changed"
    );
    assert!(
        std::fs::read(&wal).unwrap_or_default() == wal_before,
        "the WAL changed"
    );
}

#[test]
fn readers_answer_while_another_process_holds_the_write_lock() {
    let (_dir, db) = demo(40);
    // This test process is the writer: a write transaction, open, uncommitted.
    let holder = rusqlite::Connection::open(&db).expect("holder");
    holder.execute_batch("BEGIN IMMEDIATE").expect("begin");
    holder
        .execute("UPDATE users SET name = name || '' WHERE 0", [])
        .expect("write");
    for args in [
        vec!["queue"],
        vec!["audit", "verify"],
        vec!["export"],
        vec!["export", "--audit"],
        vec!["report", "daily"],
        vec!["user", "list"],
    ] {
        let started = Instant::now();
        let o = run(&db, "boss", &args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?} while locked: {}",
            text(&o.stderr)
        );
        // The busy timeout is 10 s: a reader that waited for the lock would show it.
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{args:?} waited {:?}",
            started.elapsed()
        );
    }
    // A writer, on the other hand, is told the database is busy (after the timeout).
    holder.execute_batch("ROLLBACK").expect("rollback");
}
