//! A demo office made by the real binary (`kezek demo`), for tests that
//! drive the console in a pseudo-terminal.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kezek::domain::calendar::Calendar;
use kezek::domain::procedure::Rules;
use kezek::store::Store;

pub struct Office {
    pub _dir: tempfile::TempDir,
    pub db: PathBuf,
    pub config: PathBuf,
}

/// A SQLite office with `cases` demo cases.
pub fn office(cases: usize) -> Office {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("office.db");
    office_at(dir, db, cases)
}

/// An office whose database is `db` (a file or a PostgreSQL database).
pub fn office_at(dir: tempfile::TempDir, db: PathBuf, cases: usize) -> Office {
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).expect("config dir");
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_kezek"))
        .args([
            "--db",
            &db.to_string_lossy(),
            "demo",
            "--no-open",
            "--cases",
        ])
        .arg(cases.to_string())
        .env("KEZEK_USER", "akhmetova")
        .env("KEZEK_CONFIG_DIR", &config)
        .output()
        .expect("demo");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    Office {
        _dir: dir,
        db,
        config,
    }
}

/// The office's database, opened in the test.
pub fn store(db: &Path) -> Store {
    Store::open(
        db,
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
    )
    .expect("store")
}
