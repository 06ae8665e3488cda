//! A fresh database per test on each engine: a SQLite file in a temporary
//! directory, and, when `KEZEK_TEST_PG` names a PostgreSQL server (a
//! libpq `key=value` string for a role that may create databases, e.g.
//! `host=/tmp/kezek-pg/sock port=5433 user=postgres`; see `.ci/pg-start`),
//! a uniquely named database on it, dropped afterwards.
//!
//! Without a server the PostgreSQL variants say they are skipped; with
//! `CI` set they fail instead: CI never skips them.
//!
//! `both_engines! { fn name(db) { … } }` makes `name::sqlite` and
//! `name::postgres` of one body; `db.path()` is what `--db` takes.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub struct TestDb {
    pub engine: Engine,
    target: PathBuf,
    dir: tempfile::TempDir,
    /// The server's admin connection string and the database made for the test.
    pg: Option<(String, String)>,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// A SQLite database at `DIR/k.db` (not yet made: the test opens it).
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("tmp");
        let target = dir.path().join("k.db");
        TestDb {
            engine: Engine::Sqlite,
            target,
            dir,
            pg: None,
        }
    }

    /// A new, empty PostgreSQL database, or `None` (said on stderr) when
    /// no server is given; with `CI` set, no server is a failure.
    pub fn postgres(test: &str) -> Option<TestDb> {
        let base = match std::env::var("KEZEK_TEST_PG") {
            Ok(s) if !s.trim().is_empty() => s,
            _ => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "{test}: KEZEK_TEST_PG is not set, and CI must run the PostgreSQL tests (.ci/pg-start)"
                );
                skipped(test, "KEZEK_TEST_PG is not set (see .ci/pg-start)");
                return None;
            }
        };
        let admin = format!("{base} dbname=postgres");
        let mut client = match postgres::Client::connect(&admin, postgres::NoTls) {
            Ok(c) => c,
            Err(e) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "{test}: the PostgreSQL server in KEZEK_TEST_PG cannot be reached: {e}"
                );
                skipped(test, &e.to_string());
                return None;
            }
        };
        let name = format!(
            "kezek_t{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
        client
            .batch_execute(&format!(
                "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
            ))
            .expect("create the test database");
        let dir = tempfile::tempdir().expect("tmp");
        Some(TestDb {
            engine: Engine::Postgres,
            target: PathBuf::from(format!("{base} dbname={name}")),
            dir,
            pg: Some((admin, name)),
        })
    }

    /// What `--db` (or `Store::open`) takes.
    pub fn path(&self) -> &Path {
        &self.target
    }

    /// `--db` as a string.
    pub fn arg(&self) -> String {
        self.target.to_string_lossy().into_owned()
    }

    /// A temporary directory for the test's other files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn is_pg(&self) -> bool {
        self.engine == Engine::Postgres
    }

    /// A superuser session on the test's PostgreSQL database.
    pub fn pg_client(&self) -> Option<postgres::Client> {
        let (admin, name) = self.pg.as_ref()?;
        let url = admin.replace("dbname=postgres", &format!("dbname={name}"));
        postgres::Client::connect(&url, postgres::NoTls).ok()
    }
}

/// Said on the terminal itself: the test harness keeps a passing test's
/// own output to itself.
fn skipped(test: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{test}: skipped on PostgreSQL: {why}");
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg
            && let Ok(mut c) = postgres::Client::connect(admin, postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// One test body, run on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both_engines {
    ($($(#[$m:meta])* fn $name:ident($db:ident) $body:block)*) => {$(
        $(#[$m])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn body($db: &engines::TestDb) $body
            #[test]
            fn sqlite() {
                body(&engines::TestDb::sqlite());
            }
            #[test]
            fn postgres() {
                if let Some(db) = engines::TestDb::postgres(concat!(module_path!(), "::", stringify!($name))) {
                    body(&db);
                }
            }
        }
    )*};
}
