//! `kezek backup` on PostgreSQL wraps `pg_dump -Fc`: an archive in `--dir`,
//! checked with `pg_restore --list`, recorded for the daily report, and
//! restored with `pg_restore` into an empty database only, where the audit
//! chain verifies and the cases are the same. Needs `KEZEK_TEST_PG` (see
//! `.ci/pg-start`); skipped without it unless `CI` is set.

#[path = "support/engines.rs"]
mod engines;

use std::process::{Command, Output};

fn kezek(db: &str, dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kezek"))
        .args(["--db", db, "--lang", "en"])
        .args(args)
        .env("KEZEK_USER", "akhmetova")
        .env("KEZEK_CONFIG_DIR", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .output()
        .expect("run kezek")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_postgres_database_is_dumped_checked_recorded_and_restored_into_an_empty_one() {
    let Some(db) = engines::TestDb::postgres("backup_pg") else {
        return;
    };
    let Some(empty) = engines::TestDb::postgres("backup_pg (restore target)") else {
        return;
    };
    let dir = db.dir().to_path_buf();
    let arg = db.arg();
    let made = kezek(&arg, &dir, &["demo", "--cases", "40", "--no-open"]);
    assert!(made.status.success(), "{}", text(&made));

    // Without --dir: refused, nothing written.
    let no_dir = kezek(&arg, &dir, &["backup"]);
    assert_eq!(no_dir.status.code(), Some(2), "{}", text(&no_dir));
    assert!(text(&no_dir).contains("--dir"), "{}", text(&no_dir));

    let backups = dir.join("backups");
    let b = kezek(
        &arg,
        &dir,
        &[
            "backup",
            "--dir",
            &backups.to_string_lossy(),
            "--keep",
            "7d",
        ],
    );
    assert!(b.status.success(), "{}", text(&b));
    assert!(text(&b).contains("pg_dump archive"), "{}", text(&b));
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(&backups)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let file = files[0].to_string_lossy().into_owned();
    assert!(file.ends_with(".pgdump"), "{file}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&files[0])
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o640);

    let v = kezek(&arg, &dir, &["backup", "verify", &file]);
    assert!(v.status.success(), "{}", text(&v));

    // The report shows it.
    let r = kezek(&arg, &dir, &["report", "daily", "--format", "json"]);
    assert!(r.status.success(), "{}", text(&r));
    let fig: serde_json::Value = serde_json::from_slice(&r.stdout).expect("json");
    assert_eq!(fig["backup"]["missing"], false, "{}", fig["backup"]);

    // Never over a database that holds kezek's tables.
    let over = kezek(&arg, &dir, &["restore", &file, "--to", &arg]);
    assert_eq!(over.status.code(), Some(2), "{}", text(&over));
    assert!(text(&over).contains("already exists"), "{}", text(&over));

    // Into an empty one: the same cases, the chain intact.
    let to = empty.arg();
    let rs = kezek(&arg, &dir, &["restore", &file, "--to", &to]);
    assert!(rs.status.success(), "{}", text(&rs));
    assert!(text(&rs).contains("audit chain intact"), "{}", text(&rs));
    let export = |target: &str| {
        let o = kezek(target, &dir, &["export", "--format", "json"]);
        assert!(o.status.success(), "{}", text(&o));
        o.stdout
    };
    assert!(export(&arg) == export(&to), "the restored cases differ");

    // A file that is not an archive.
    let junk = dir.join("junk.pgdump");
    std::fs::write(&junk, b"not an archive").expect("write");
    let j = kezek(&arg, &dir, &["backup", "verify", &junk.to_string_lossy()]);
    assert_eq!(j.status.code(), Some(2), "{}", text(&j));
    assert!(text(&j).contains("pg_restore failed"), "{}", text(&j));
}
