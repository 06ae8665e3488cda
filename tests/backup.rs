//! `kezek backup`, `backup verify`, `restore`: a copy taken while others
//! write is consistent; a restored backup is the same database with an
//! intact chain; damage and rewritten history are found; retention keeps
//! the newest per day; the outcome shows in the daily report.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

struct Office {
    dir: tempfile::TempDir,
}

impl Office {
    /// A demo database of 60 cases.
    fn new() -> Office {
        let o = Office {
            dir: tempfile::tempdir().expect("tmp"),
        };
        let r = o.kezek(&[
            "demo",
            "--cases",
            "60",
            "--now",
            "2026-11-20T10:00:00+05:00",
            "--no-open",
        ]);
        assert!(r.status.success(), "{}", err(&r));
        o
    }
    fn db(&self) -> PathBuf {
        self.dir.path().join("kezek.db")
    }
    fn cmd(&self) -> Command {
        self.cmd_db(&self.db())
    }
    fn cmd_db(&self, db: &Path) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kezek"));
        c.arg("--db")
            .arg(db)
            .args(["--lang", "en"])
            .env("KEZEK_USER", "akhmetova")
            .env("KEZEK_CONFIG_DIR", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("HOME", self.dir.path());
        c
    }
    fn kezek(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run kezek")
    }
    fn backups(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("backups"))
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }
    fn report(&self, now: Option<&str>) -> Value {
        let mut args = vec!["report", "daily", "--format", "json"];
        if let Some(n) = now {
            args.extend(["--now", n]);
        }
        let r = self.kezek(&args);
        assert!(r.status.success(), "{}", err(&r));
        serde_json::from_str(&out(&r)).expect("report json")
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

#[test]
fn a_backup_taken_while_others_write_is_sound_and_restores_identically() {
    let office = Office::new();
    // Writers add notes while backups are taken.
    let writers: Vec<std::process::Child> = (0..2)
        .map(|i| {
            let script = format!(
                "for n in $(seq 1 25); do \"$0\" --db \"$1\" note 2026-RVP-0000{} --text \"note $n\" >/dev/null || exit 1; done",
                i + 1
            );
            let c = office.cmd();
            let program = c.get_program().to_owned();
            Command::new("sh")
                .arg("-c")
                .arg(script)
                .arg(program)
                .arg(office.db())
                .envs(c.get_envs().filter_map(|(k, v)| Some((k, v?))))
                .spawn()
                .expect("writer")
        })
        .collect();
    for _ in 0..3 {
        let b = office.kezek(&["backup"]);
        assert!(b.status.success(), "{}", err(&b));
        assert!(out(&b).contains("audit chain intact"), "{}", out(&b));
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    for mut w in writers {
        assert!(w.wait().expect("writer").success());
    }
    for f in office.backups() {
        let v = office.kezek(&["backup", "verify", &s(&f)]);
        assert!(v.status.success(), "{}{}", out(&v), err(&v));
    }
    // Quiet now: the last backup restores to the same database.
    let b = office.kezek(&["backup"]);
    assert!(b.status.success(), "{}", err(&b));
    let last = office.backups().pop().expect("a backup");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&last).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "a backup holds the key: owner and group read");
    let to = office.dir.path().join("restored.db");
    let r = office.kezek(&["restore", &s(&last), "--to", &s(&to)]);
    assert!(r.status.success(), "{}{}", out(&r), err(&r));
    let key_mode = std::fs::metadata(office.dir.path().join("restored.db.audit-key"))
        .expect("restored key")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(key_mode, 0o640);
    let export = |db: &Path| {
        let o = office
            .cmd_db(db)
            .args(["export", "--format", "json"])
            .output()
            .expect("export");
        assert!(o.status.success(), "{}", err(&o));
        out(&o)
    };
    assert_eq!(export(&office.db()), export(&to), "the same cases");
    let a = office
        .cmd_db(&to)
        .args(["audit", "verify"])
        .output()
        .expect("verify");
    assert!(
        out(&a).contains("audit chain intact"),
        "{}{}",
        out(&a),
        err(&a)
    );
    // The audit rows themselves are the same, row for row.
    let rows = |db: &Path| -> Vec<(i64, String)> {
        let c = rusqlite::Connection::open(db).expect("open");
        let mut st = c
            .prepare("SELECT seq, hash FROM audit ORDER BY seq")
            .expect("q");
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    let live = rows(&office.db());
    let restored = rows(&to);
    // The live log has one more row only if something wrote since (nothing did).
    assert_eq!(live, restored);
    // The backup table is gone from the restored database.
    let c = rusqlite::Connection::open(&to).expect("open");
    let n: i64 = c
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'kezek_backup'",
            [],
            |r| r.get(0),
        )
        .expect("q");
    assert_eq!(n, 0);
}

#[test]
fn restore_never_overwrites_and_verify_finds_damage_and_rewritten_history() {
    let office = Office::new();
    assert!(office.kezek(&["backup"]).status.success());
    let file = office.backups().pop().expect("backup");
    // Over the live database, or any existing file: refused, nothing changed.
    let before = std::fs::read(office.db()).expect("read");
    let r = office.kezek(&["restore", &s(&file), "--to", &s(&office.db())]);
    assert_eq!(r.status.code(), Some(2));
    assert!(err(&r).contains("already exists"), "{}", err(&r));
    assert!(before == std::fs::read(office.db()).expect("read"));
    let other = office.dir.path().join("other.db");
    std::fs::write(&other, b"x").expect("write");
    let r = office.kezek(&["restore", &s(&file), "--to", &s(&other)]);
    assert_eq!(r.status.code(), Some(2));
    assert_eq!(std::fs::read(&other).expect("read"), b"x");

    // Cut short: not a backup.
    let bytes = std::fs::read(&file).expect("read");
    let cut = office.dir.path().join("cut.db.zst");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let v = office.kezek(&["backup", "verify", &s(&cut)]);
    assert_eq!(v.status.code(), Some(2), "{}", out(&v));
    assert!(err(&v).contains("not a kezek backup"), "{}", err(&v));

    // A case changed around kezek inside the backup: the chain says so.
    let plain = zstd::stream::decode_all(&bytes[..]).expect("decode");
    let tmp = office.dir.path().join("edit.sqlite");
    std::fs::write(&tmp, plain).expect("write");
    {
        let c = rusqlite::Connection::open(&tmp).expect("open");
        c.execute(
            "UPDATE persons SET name = 'Someone Else' WHERE case_number = '2026-RVP-00001' AND ord = 0",
            [],
        )
        .expect("edit");
    }
    let edited = office.dir.path().join("edited.db.zst");
    let packed =
        zstd::stream::encode_all(&std::fs::read(&tmp).expect("read")[..], 3).expect("encode");
    std::fs::write(&edited, packed).expect("write");
    let v = office.kezek(&["backup", "verify", &s(&edited)]);
    assert_eq!(v.status.code(), Some(1), "{}{}", out(&v), err(&v));
    assert!(out(&v).contains("2026-RVP-00001"), "{}", out(&v));

    // Anchors: the daily report's head matches; a different hash does not.
    let head = office.report(None)["audit_head"]
        .as_str()
        .expect("head")
        .to_string();
    let v = office.kezek(&["backup", "verify", &s(&file), "--anchor", &head]);
    assert!(v.status.success(), "{}{}", out(&v), err(&v));
    assert!(out(&v).contains("anchors matched: 1"), "{}", out(&v));
    let (seq, hash) = head.split_once(':').expect("SEQ:HASH");
    let wrong = format!(
        "{seq}:{}",
        if hash.starts_with('0') { "1" } else { "0" }.repeat(64)
    );
    let v = office.kezek(&["backup", "verify", &s(&file), "--anchor", &wrong]);
    assert_eq!(v.status.code(), Some(1), "{}", out(&v));
}

#[test]
fn retention_keeps_the_newest_per_day_and_never_the_pre_migration_backups() {
    let office = Office::new();
    assert!(office.kezek(&["backup"]).status.success());
    let first = office.backups().pop().expect("backup");
    let dir = office.dir.path().join("backups");
    let names = [
        "kezek-2026-01-10-023000.db.zst",
        "kezek-2026-01-10-013000.db.zst",
        "kezek-2026-01-09-023000.db.zst",
        "kezek-2025-12-01-023000.db.zst",
        "kezek-2025-12-01-023000-schema-v5.db.zst",
        "unrelated.txt",
    ];
    for n in names {
        std::fs::copy(&first, dir.join(n)).expect("copy");
    }
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let b = office.kezek(&["backup", "--keep", "3d"]);
    assert!(b.status.success(), "{}", err(&b));
    let left: Vec<String> = office
        .backups()
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    // Three days with backups: today's newest, 10 January's newest, 9 January's.
    assert!(
        left.contains(&"kezek-2026-01-10-023000.db.zst".to_string()),
        "{left:?}"
    );
    assert!(
        left.contains(&"kezek-2026-01-09-023000.db.zst".to_string()),
        "{left:?}"
    );
    assert!(
        !left.contains(&"kezek-2026-01-10-013000.db.zst".to_string()),
        "{left:?}"
    );
    assert!(
        !left.contains(&"kezek-2025-12-01-023000.db.zst".to_string()),
        "{left:?}"
    );
    assert!(left.contains(&"kezek-2025-12-01-023000-schema-v5.db.zst".to_string()));
    assert!(left.contains(&"unrelated.txt".to_string()));
    // Today's two backups: only the newer one stays.
    let today: Vec<&String> = left
        .iter()
        .filter(|n| !names.contains(&n.as_str()))
        .collect();
    assert_eq!(today.len(), 1, "{left:?}");
    assert!(
        out(&b).contains("removed by the retention rule"),
        "{}",
        out(&b)
    );
    let bad = office.kezek(&["backup", "--keep", "3x"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(err(&bad).contains("14d,8w,12m"), "{}", err(&bad));
}

#[test]
fn the_daily_report_shows_the_last_good_backup_a_failure_and_an_old_one() {
    let office = Office::new();
    let r = office.report(None);
    assert_eq!(r["backup"]["missing"], true, "{}", r["backup"]);
    assert!(r["backup"]["last_good_at"].is_null());
    assert!(office.kezek(&["backup"]).status.success());
    let r = office.report(None);
    assert_eq!(r["backup"]["missing"], false, "{}", r["backup"]);
    let file = r["backup"]["last_good_file"].as_str().expect("file");
    assert!(file.ends_with(".db.zst"), "{file}");
    // A backup into a directory that cannot be made fails, and says so.
    let blocker = office.dir.path().join("blocked");
    std::fs::write(&blocker, b"a file").expect("write");
    let b = office.kezek(&["backup", "--dir", &s(&blocker.join("sub"))]);
    assert_eq!(b.status.code(), Some(2));
    let r = office.report(None);
    assert!(r["backup"]["error"].is_string(), "{}", r["backup"]);
    assert_eq!(r["backup"]["last_good_file"].as_str(), Some(file));
    let page = office.kezek(&["report", "daily"]);
    let html = out(&page);
    assert!(
        html.contains("class=\"backup alert\""),
        "a failure stands out"
    );
    assert!(html.contains("Backup of"), "{html}");
    // Two days later with no new backup: missing.
    let later = chrono::Utc::now() + chrono::Duration::hours(27);
    let r = office.report(Some(&later.to_rfc3339()));
    assert_eq!(r["backup"]["missing"], true, "{}", r["backup"]);
}

#[test]
fn a_backup_of_a_database_changed_around_kezek_is_not_called_good() {
    let office = Office::new();
    {
        let c = rusqlite::Connection::open(office.db()).expect("open");
        c.execute(
            "UPDATE persons SET name = 'Someone Else' WHERE case_number = '2026-RVP-00001' AND ord = 0",
            [],
        )
        .expect("edit");
    }
    let b = office.kezek(&["backup"]);
    assert_eq!(b.status.code(), Some(2), "{}", out(&b));
    assert!(err(&b).contains("2026-RVP-00001"), "{}", err(&b));
    let names: Vec<String> = office
        .backups()
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].ends_with(".db.zst.unsound"), "{names:?}");
    let r = office.report(None);
    assert_eq!(r["backup"]["missing"], true, "{}", r["backup"]);
    assert!(
        r["backup"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("2026-RVP-00001")),
        "{}",
        r["backup"]
    );
}
