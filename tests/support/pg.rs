//! The PostgreSQL server the tests run against (`KEZEK_TEST_PG`, a libpq
//! keyword/value string such as `host=/tmp/kezek-pg/sock port=5433
//! user=postgres`, the user being the server's administrator), and psql.
//! Shared by `tests/pg_rights.rs` and `tests/pg_region.rs`.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The administrator's connection string, or None (skip) outside CI.
pub fn server() -> Option<String> {
    match std::env::var("KEZEK_TEST_PG") {
        Ok(s) if !s.trim().is_empty() => Some(s),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI: no PostgreSQL server for the PostgreSQL tests (KEZEK_TEST_PG is not set)"
            );
            eprintln!("skipped: no PostgreSQL server (set KEZEK_TEST_PG)");
            None
        }
    }
}

pub fn psql_bin() -> String {
    for p in ["/usr/bin/psql", "/usr/lib/postgresql/15/bin/psql"] {
        if std::path::Path::new(p).exists() {
            return p.to_string();
        }
    }
    "psql".to_string()
}

/// The server's connection string with `user` and `dbname` replaced.
pub fn conninfo(base: &str, user: &str, db: &str) -> String {
    let kept: Vec<&str> = base
        .split_whitespace()
        .filter(|kv| !kv.starts_with("user=") && !kv.starts_with("dbname="))
        .collect();
    format!("{} user={user} dbname={db}", kept.join(" "))
}

pub fn admin_user(base: &str) -> String {
    base.split_whitespace()
        .find_map(|kv| kv.strip_prefix("user="))
        .unwrap_or("postgres")
        .to_string()
}

pub fn psql(conn: &str, sql: &str) -> Output {
    let mut child = Command::new(psql_bin())
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conn])
        .env("PGCONNECT_TIMEOUT", "10")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("psql runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(sql.as_bytes())
        .expect("write to psql");
    child.wait_with_output().expect("psql ends")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim().to_string()
}

/// A unique suffix for this run's databases and roles (roles are shared
/// by the whole server).
pub fn tag() -> String {
    format!(
        "{}{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos() % 100_000)
            .unwrap_or(0)
    )
}

/// A new, empty database on the server, dropped (with `roles`) at the end.
pub struct Db {
    pub base: String,
    pub name: String,
    pub roles: Vec<String>,
}

impl Db {
    pub fn new(base: &str, name: &str) -> Db {
        let name = format!("kezek_{name}_{}", tag());
        let o = psql(
            &conninfo(base, &admin_user(base), "postgres"),
            &format!("CREATE DATABASE {name};"),
        );
        assert!(o.status.success(), "create database: {}", text(&o.stderr));
        Db {
            base: base.to_string(),
            name,
            roles: Vec::new(),
        }
    }

    pub fn admin(&self) -> String {
        conninfo(&self.base, &admin_user(&self.base), &self.name)
    }

    pub fn as_user(&self, login: &str) -> String {
        conninfo(&self.base, login, &self.name)
    }

    /// What the administrator reads (past row-level security).
    pub fn read(&self, sql: &str) -> String {
        let o = psql(&self.admin(), sql);
        assert!(o.status.success(), "{sql}: {}", text(&o.stderr));
        text(&o.stdout)
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let mut sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE);\n", self.name);
        for r in &self.roles {
            sql.push_str(&format!("DROP ROLE IF EXISTS \"{r}\";\n"));
        }
        let _ = psql(
            &conninfo(&self.base, &admin_user(&self.base), "postgres"),
            &sql,
        );
    }
}
