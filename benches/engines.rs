//! The store's calls on both engines, side by side: opening, inserting a
//! demo caseload, the console's queue (whole and first screen), the rows
//! of a few changed cases and splicing them in, and `audit verify`.
//!
//! ```sh
//! eval "$(.ci/pg-start /tmp/kezek-pg)"
//! createdb -h /tmp/kezek-pg/sock -p 5433 -U postgres perf
//! KEZEK_BENCH_PG="host=/tmp/kezek-pg/sock port=5433 user=postgres dbname=perf" \
//!     cargo bench --bench engines
//! ```
//!
//! `KEZEK_BENCH_CASES` cases (default 20,000) are inserted into a new
//! SQLite file in target/bench-data/ and, when `KEZEK_BENCH_PG` names an
//! empty PostgreSQL database, into it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use kezek::domain::calendar::Calendar;
use kezek::domain::case::Actor;
use kezek::domain::procedure::{Role, Rules};
use kezek::store::Store;
use kezek::store::cases::QueueFilter;

fn ms(t: Instant) -> String {
    format!("{:.1} ms", t.elapsed().as_secs_f64() * 1000.0)
}

fn run(db: &Path, n: usize) {
    let t = Instant::now();
    let mut s = Store::open(
        db,
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
    )
    .expect("open");
    println!("  open: {}", ms(t));
    s.add_user("boss", "boss", Role::Supervisor, "Boss")
        .expect("first user");
    for (login, name, role) in kezek::demo::STAFF {
        if s.user(login).expect("user").is_none() {
            s.add_user("boss", login, *role, name).expect("staff");
        }
    }
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-20T10:00:00+05:00")
        .expect("now")
        .with_timezone(&chrono::Utc);
    let cases = kezek::demo::generate(&s.cal, &s.rules, n, 7, now);
    let boss = Actor {
        login: "boss".into(),
        role: Role::Supervisor,
    };
    let t = Instant::now();
    let (inserted, _) = s.insert_cases(&boss, &cases, now, "bench").expect("insert");
    println!("  insert {inserted} cases: {}", ms(t));
    for _ in 0..3 {
        let t = Instant::now();
        let q = s.queue_table(&QueueFilter::default()).expect("queue");
        println!("  whole queue, {} rows: {}", q.len(), ms(t));
    }
    let t = Instant::now();
    let first = QueueFilter {
        limit: Some(50),
        ..Default::default()
    };
    s.queue_table(&first).expect("top 50");
    println!("  first 50 rows: {}", ms(t));
    let full = s.queue_table(&QueueFilter::default()).expect("queue");
    let changed: Vec<String> = full
        .iter()
        .take(5)
        .map(|r| r.number().to_string())
        .collect();
    let t = Instant::now();
    let fresh = s
        .queue_rows_of(&QueueFilter::default(), &changed)
        .expect("changed rows");
    println!("  rows of {} changed cases: {}", changed.len(), ms(t));
    let t = Instant::now();
    let patched = full.patched(&changed, &fresh);
    println!("  spliced into {} rows: {}", patched.len(), ms(t));
    let t = Instant::now();
    let v = s.verify_audit().expect("verify");
    println!(
        "  audit verify, {} rows, intact {}: {}",
        v.rows,
        v.first_break.is_none(),
        ms(t)
    );
}

fn main() {
    let n = std::env::var("KEZEK_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench-data");
    let file = dir.join("engines.db");
    for stale in [
        "engines.db",
        "engines.db-wal",
        "engines.db-shm",
        "engines.db.audit-key",
    ] {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    println!("SQLite ({}):", file.display());
    run(&file, n);
    match std::env::var("KEZEK_BENCH_PG") {
        Ok(pg) if !pg.trim().is_empty() => {
            println!("PostgreSQL:");
            run(Path::new(&pg), n);
        }
        _ => println!("PostgreSQL: skipped (KEZEK_BENCH_PG names no database)"),
    }
}
