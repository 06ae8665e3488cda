//! A region at scale: 2,000,000 cases in 50 units on one PostgreSQL server
//! with kezek's rights, and 100 inspectors, each on a connection of their
//! own role, doing what the console does at a person's pace: the queue's
//! top 50, opening a case from it, a mark or a note. Then the same at office
//! scale on SQLite.
//!
//!     KEZEK_BENCH_PG='host=/tmp/kezek-pg/sock port=5433 user=postgres' \
//!         cargo bench --bench region
//!
//! The connection string is the server administrator's (KEZEK_TEST_PG is
//! used when KEZEK_BENCH_PG is not set). Sizes: KEZEK_BENCH_CASES
//! (2,000,000), KEZEK_BENCH_UNITS (50), KEZEK_BENCH_INSPECTORS (100),
//! KEZEK_BENCH_SECS (180), KEZEK_BENCH_THINK_MS (the pause between two
//! actions of one inspector, 2,000 on average), KEZEK_BENCH_OFFICE_CASES
//! (40,000) and KEZEK_BENCH_OFFICE_INSPECTORS (10) for SQLite.
//! KEZEK_BENCH_KEEP=1 keeps the database (its name is printed).
//!
//! The cases are copies of a demo caseload (every procedure, every state),
//! written with COPY by the administrator with triggers off (the rights'
//! checks are per change, not for a bulk load). Each inspector then checks
//! that every write it was told had landed is there (lost updates), and the
//! server checks the whole audit chain at the end.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kezek::domain::calendar::Calendar;
use kezek::domain::case::{self, Actor, Outcome};
use kezek::domain::procedure::{Role, Rules};
use kezek::store::cases::QueueFilter;
use kezek::store::{Store, StoreError, region};
use rusqlite::types::Value;

const NOW: &str = "2026-11-20T10:00:00+05:00";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn conninfo(base: &str, user: &str, db: &str) -> String {
    let kept: Vec<&str> = base
        .split_whitespace()
        .filter(|kv| !kv.starts_with("user=") && !kv.starts_with("dbname="))
        .collect();
    format!("{} user={user} dbname={db}", kept.join(" "))
}

fn admin_user(base: &str) -> String {
    base.split_whitespace()
        .find_map(|kv| kv.strip_prefix("user="))
        .unwrap_or("postgres")
        .to_string()
}

/// A small deterministic generator (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn demo_db(dir: &Path, cases: usize) -> std::path::PathBuf {
    let db = dir.join(format!("demo-{cases}.db"));
    let st = Command::new(env!("CARGO_BIN_EXE_kezek"))
        .args(["--db", db.to_str().expect("path"), "demo", "--cases"])
        .arg(cases.to_string())
        .args(["--no-open", "--now", NOW])
        .env("KEZEK_CONFIG_DIR", dir.join("config"))
        .output()
        .expect("kezek demo");
    assert!(
        st.status.success(),
        "demo: {}",
        String::from_utf8_lossy(&st.stderr)
    );
    db
}

/// Every row of `table` in the template caseload, by case number.
struct Template {
    cols: Vec<String>,
    by_case: HashMap<String, Vec<Vec<Value>>>,
}

fn read_template(c: &rusqlite::Connection, table: &str, key: &str) -> Template {
    let cols: Vec<String> = c
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
        .expect("columns")
        .query_map([], |r| r.get(0))
        .expect("columns")
        .collect::<Result<_, _>>()
        .expect("columns");
    let cols: Vec<String> = cols.into_iter().filter(|c| c != "id").collect();
    let list = cols
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let mut stmt = c
        .prepare(&format!("SELECT {list} FROM {table} ORDER BY rowid"))
        .expect("select");
    let key_at = cols.iter().position(|c| c == key).expect("key column");
    let mut by_case: HashMap<String, Vec<Vec<Value>>> = HashMap::new();
    let mut rows = stmt.query([]).expect("rows");
    while let Some(r) = rows.next().expect("row") {
        let v: Vec<Value> = (0..cols.len()).map(|i| r.get(i).expect("value")).collect();
        let Value::Text(k) = &v[key_at] else { continue };
        by_case.entry(k.clone()).or_default().push(v);
    }
    Template { cols, by_case }
}

fn copy_text(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.extend_from_slice(b"\\N"),
        Value::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Value::Real(f) => out.extend_from_slice(f.to_string().as_bytes()),
        Value::Text(s) => {
            for b in s.bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(b),
                }
            }
        }
        Value::Blob(_) => out.extend_from_slice(b"\\N"),
    }
}

fn unit_name(u: usize) -> String {
    format!("u{:02}", u + 1)
}

fn inspector_name(u: usize, k: usize) -> String {
    format!("bench_u{:02}_i{k}", u + 1)
}

fn supervisor_name(u: usize) -> String {
    format!("bench_u{:02}_s", u + 1)
}

/// Copy `n` cases into the server: template case `i % pool`, numbered anew,
/// in unit `i % units`, assigned to one of its inspectors when the template is.
fn generate(
    admin: &mut postgres::Client,
    demo: &rusqlite::Connection,
    n: usize,
    units: usize,
    per_unit: usize,
) {
    let numbers: Vec<String> = demo
        .prepare("SELECT number FROM cases ORDER BY number")
        .expect("numbers")
        .query_map([], |r| r.get(0))
        .expect("numbers")
        .collect::<Result<_, _>>()
        .expect("numbers");
    let pool = numbers.len();
    admin
        .batch_execute("SET session_replication_role = replica")
        .expect("replica role (the administrator must be a superuser)");
    let tables = [
        ("cases", "number"),
        ("persons", "case_number"),
        ("documents", "case_number"),
        ("stages", "case_number"),
        ("check_results", "case_number"),
        ("hearing_notices", "case_number"),
        ("hearings", "case_number"),
        ("decisions", "case_number"),
        ("duplicates", "case_number"),
        ("complaints", "case_number"),
        ("notes", "case_number"),
        ("case_touches", "case_number"),
        ("requests", "case_number"),
        ("transfers", "case_number"),
        ("issued_notices", "case_number"),
    ];
    for (table, key) in tables {
        let t0 = Instant::now();
        let tpl = read_template(demo, table, key);
        let key_at = tpl.cols.iter().position(|c| c == key).expect("key");
        let assignee_at = tpl.cols.iter().position(|c| c == "assignee");
        let issued_by_at = tpl.cols.iter().position(|c| c == "issued_by");
        let mut names: Vec<String> = tpl.cols.iter().map(|c| format!("\"{c}\"")).collect();
        names.push("unit".into());
        let mut w = admin
            .copy_in(&format!("COPY {table} ({}) FROM STDIN", names.join(", ")))
            .expect("copy");
        let mut buf = Vec::with_capacity(1 << 22);
        let mut rows = 0usize;
        for i in 0..n {
            let tnum = &numbers[i % pool];
            let Some(list) = tpl.by_case.get(tnum) else {
                continue;
            };
            let u = i % units;
            let number = format!("{tnum}-{i:07}");
            for row in list {
                for (c, v) in row.iter().enumerate() {
                    if c > 0 {
                        buf.push(b'\t');
                    }
                    if c == key_at {
                        copy_text(&mut buf, &Value::Text(number.clone()));
                    } else if Some(c) == assignee_at && !matches!(v, Value::Null) {
                        copy_text(
                            &mut buf,
                            &Value::Text(inspector_name(u, (i / units) % per_unit)),
                        );
                    } else if Some(c) == issued_by_at {
                        copy_text(&mut buf, &Value::Text(supervisor_name(u)));
                    } else {
                        copy_text(&mut buf, v);
                    }
                }
                buf.push(b'\t');
                buf.extend_from_slice(unit_name(u).as_bytes());
                buf.push(b'\n');
                rows += 1;
            }
            if buf.len() > 1 << 22 {
                w.write_all(&buf).expect("copy write");
                buf.clear();
            }
        }
        w.write_all(&buf).expect("copy write");
        w.finish().expect("copy finish");
        println!(
            "  {table:<16} {rows:>10} rows in {:>6.1} s",
            t0.elapsed().as_secs_f64()
        );
    }
    // The server's ledger of approvals, which its trigger fills on a
    // change and which a bulk load with triggers off must fill itself:
    // an inspector's later save of a case rewrites its approved decisions.
    admin
        .batch_execute(
            "SET session_replication_role = DEFAULT;
             INSERT INTO approvals (case_number, ord, approval, approval_by, approval_at)
             SELECT case_number, ord, approval, approval_by, approval_at FROM decisions
             WHERE approval IN ('approved', 'returned') ON CONFLICT DO NOTHING",
        )
        .expect("approvals");
}

#[derive(Default)]
struct Stats {
    queue: Vec<Duration>,
    open: Vec<Duration>,
    write: Vec<Duration>,
    stale: usize,
    refused: usize,
    errors: Vec<String>,
    /// (login, case, kind, text) of every write kezek said was saved.
    saved: Vec<(String, String, &'static str, String)>,
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

/// One inspector: queue top 50, open a case from it, a mark or a note,
/// then a pause; until `until`.
fn inspector(
    mut store: Store,
    actor: Actor,
    seed: u64,
    until: Instant,
    think: Duration,
    stats: Arc<Mutex<Stats>>,
) {
    let mut rng = Rng(seed | 1);
    let mut local = Stats::default();
    let mut n = 0usize;
    while Instant::now() < until {
        let t = Instant::now();
        let q = match store.queue(&QueueFilter {
            limit: Some(50),
            ..QueueFilter::default()
        }) {
            Ok(q) => q,
            Err(e) => {
                local.errors.push(format!("queue: {e:?}"));
                break;
            }
        };
        local.queue.push(t.elapsed());
        if q.is_empty() {
            break;
        }
        let number = q[rng.below(q.len())].number.clone();
        let t = Instant::now();
        let loaded = match store.case(&number) {
            Ok(l) => l,
            Err(e) => {
                local.errors.push(format!("open {number}: {e:?}"));
                continue;
            }
        };
        local.open.push(t.elapsed());
        n += 1;
        let text = format!("{} {:x}#{n}", actor.login, seed & 0xffff_ffff);
        let note = rng.below(2) == 0;
        let check = store
            .rules
            .version(&loaded.case.procedure, &loaded.case.version)
            .and_then(|v| {
                let recorded: Vec<_> = v
                    .checks
                    .iter()
                    .filter(|c| matches!(c.mode, kezek::domain::procedure::CheckMode::Recorded))
                    .collect();
                (!recorded.is_empty()).then(|| recorded[rng.below(recorded.len())].id.clone())
            });
        let now = chrono::Utc::now();
        let t = Instant::now();
        let r = match (&check, note) {
            (Some(id), false) => store.act(&actor, &number, loaded.row_version, now, |c, x, _| {
                case::record_check(c, x, id, Outcome::Passed, &text)
            }),
            _ => store.act(&actor, &number, loaded.row_version, now, |c, x, _| {
                case::add_note(c, x, &text)
            }),
        };
        match r {
            Ok(_) => {
                local.write.push(t.elapsed());
                let kind = if check.is_some() && !note {
                    "mark"
                } else {
                    "note"
                };
                local
                    .saved
                    .push((actor.login.clone(), number.clone(), kind, text));
            }
            Err(StoreError::Stale { .. }) => local.stale += 1,
            Err(StoreError::Rule(_)) | Err(StoreError::Denied(_)) => local.refused += 1,
            Err(e) => local.errors.push(format!("write {number}: {e:?}")),
        }
        let pause = think.as_millis() as u64;
        let pause = pause / 2 + rng.next() % (pause.max(1));
        std::thread::sleep(Duration::from_millis(pause));
    }
    let mut s = stats.lock().expect("stats");
    s.queue.append(&mut local.queue);
    s.open.append(&mut local.open);
    s.write.append(&mut local.write);
    s.stale += local.stale;
    s.refused += local.refused;
    s.errors.append(&mut local.errors);
    s.saved.append(&mut local.saved);
}

fn run_load(stores: Vec<(Store, Actor)>, secs: u64, think: Duration) -> (Stats, Duration) {
    let stats = Arc::new(Mutex::new(Stats::default()));
    let start = Instant::now();
    let until = start + Duration::from_secs(secs);
    let handles: Vec<_> = stores
        .into_iter()
        .enumerate()
        .map(|(i, (store, actor))| {
            let stats = stats.clone();
            // Staggered start, as people arrive.
            let delay = Duration::from_millis((i as u64 * 37) % think.as_millis().max(1) as u64);
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                inspector(
                    store,
                    actor,
                    0x9e37_79b9 ^ ((i as u64 + 1) * 7919),
                    until,
                    think,
                    stats,
                )
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    let took = start.elapsed();
    let s = std::mem::take(&mut *stats.lock().expect("stats"));
    (s, took)
}

fn report(name: &str, mut s: Stats, took: Duration) {
    let ops = s.queue.len() + s.open.len() + s.write.len();
    println!(
        "{name}: {} queue loads (top 50) p50 {:.1} ms p95 {:.1} ms; {} opens p95 {:.1} ms; {} writes p50 {:.1} ms p95 {:.1} ms; {:.1} actions/s, {:.1} writes/s; {} refused as stale (another's save on the same part), {} refused by the rules, {} errors",
        s.queue.len(),
        pct(&mut s.queue, 0.5),
        pct(&mut s.queue, 0.95),
        s.open.len(),
        pct(&mut s.open, 0.95),
        s.write.len(),
        pct(&mut s.write, 0.5),
        pct(&mut s.write, 0.95),
        ops as f64 / took.as_secs_f64(),
        s.write.len() as f64 / took.as_secs_f64(),
        s.stale,
        s.refused,
        s.errors.len()
    );
    for e in s.errors.iter().take(5) {
        println!("  error: {e}");
    }
}

/// Writes kezek said were saved but are not there (PostgreSQL: read by the
/// administrator; a note's text among the case's notes, a mark's audit row).
fn lost_pg(
    admin: &mut postgres::Client,
    saved: &[(String, String, &'static str, String)],
) -> usize {
    let mut lost = 0;
    for (login, number, kind, text) in saved {
        let found: i64 = if *kind == "note" {
            admin
                .query_one(
                    "SELECT count(*) FROM notes WHERE case_number = $1 AND text = $2 AND by_login = $3",
                    &[number, text, login],
                )
                .expect("check note")
                .get(0)
        } else {
            admin
                .query_one(
                    "SELECT count(*) FROM audit WHERE case_number = $1 AND actor = $2 AND strpos(after, $3) > 0",
                    &[number, login, &serde_json::to_string(text).expect("json")],
                )
                .expect("check mark")
                .get(0)
        };
        if found == 0 {
            lost += 1;
        }
    }
    lost
}

fn lost_sqlite(db: &Path, saved: &[(String, String, &'static str, String)]) -> usize {
    let c = rusqlite::Connection::open(db).expect("open");
    saved
        .iter()
        .filter(|(login, number, kind, text)| {
            let found: i64 = if *kind == "note" {
                c.query_row(
                    "SELECT count(*) FROM notes WHERE case_number = ?1 AND text = ?2 AND by_login = ?3",
                    rusqlite::params![number, text, login],
                    |r| r.get(0),
                )
                .expect("check note")
            } else {
                c.query_row(
                    "SELECT count(*) FROM audit WHERE case_number = ?1 AND actor = ?2 AND instr(after, ?3) > 0",
                    rusqlite::params![number, login, serde_json::to_string(text).expect("json")],
                    |r| r.get(0),
                )
                .expect("check mark")
            };
            found == 0
        })
        .count()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let cases = env_usize("KEZEK_BENCH_CASES", 2_000_000);
    let units = env_usize("KEZEK_BENCH_UNITS", 50);
    let inspectors = env_usize("KEZEK_BENCH_INSPECTORS", 100);
    let secs = env_usize("KEZEK_BENCH_SECS", 180) as u64;
    let think = Duration::from_millis(env_usize("KEZEK_BENCH_THINK_MS", 2000) as u64);
    let office_cases = env_usize("KEZEK_BENCH_OFFICE_CASES", 40_000);
    let office_inspectors = env_usize("KEZEK_BENCH_OFFICE_INSPECTORS", 10);
    let per_unit = inspectors.div_ceil(units).max(1);
    let dir = tempfile::tempdir().expect("tmp");
    let tpl = demo_db(dir.path(), 3000);
    let demo = rusqlite::Connection::open(&tpl).expect("demo");

    match std::env::var("KEZEK_BENCH_PG").or_else(|_| std::env::var("KEZEK_TEST_PG")) {
        Err(_) => println!("region: no server (set KEZEK_BENCH_PG); PostgreSQL part skipped"),
        Ok(base) => {
            let name = format!("kezek_bench_{}", std::process::id());
            let mut root = postgres::Client::connect(
                &conninfo(&base, &admin_user(&base), "postgres"),
                postgres::NoTls,
            )
            .expect("server");
            root.batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create database");
            let admin_url = conninfo(&base, &admin_user(&base), &name);
            let mut admin = region::connect(&admin_url).expect("connect");
            region::prepare(&mut admin).expect("schema and rights");
            for u in 0..units {
                region::add_unit(&mut admin, &unit_name(u), "bench", "").expect("unit");
                let _ = admin.batch_execute(&format!(
                    "DROP ROLE IF EXISTS {s}; {d}",
                    s = supervisor_name(u),
                    d = (0..per_unit)
                        .map(|k| format!("DROP ROLE IF EXISTS {};", inspector_name(u, k)))
                        .collect::<String>()
                ));
                region::add_user(
                    &mut admin,
                    &supervisor_name(u),
                    "Supervisor",
                    "supervisor",
                    Some(&unit_name(u)),
                    None,
                )
                .expect("supervisor");
                for k in 0..per_unit {
                    region::add_user(
                        &mut admin,
                        &inspector_name(u, k),
                        "Inspector",
                        "inspector",
                        Some(&unit_name(u)),
                        None,
                    )
                    .expect("inspector");
                }
            }
            println!("region: generating {cases} cases in {units} units (COPY)");
            let t0 = Instant::now();
            generate(&mut admin, &demo, cases, units, per_unit);
            let gen_secs = t0.elapsed().as_secs_f64();
            let t1 = Instant::now();
            admin.batch_execute("ANALYZE").expect("analyze");
            let size: String = admin
                .query_one(
                    "SELECT pg_size_pretty(pg_database_size(current_database()))",
                    &[],
                )
                .expect("size")
                .get(0);
            println!(
                "region: {cases} cases written in {gen_secs:.0} s, analyzed in {:.0} s; database {size}",
                t1.elapsed().as_secs_f64()
            );
            let mut stores = Vec::new();
            for i in 0..inspectors {
                let (u, k) = (i % units, (i / units) % per_unit);
                let login = inspector_name(u, k);
                let store = Store::open_existing(
                    Path::new(&conninfo(&base, &login, &name)),
                    Calendar::built_in().expect("calendar"),
                    Rules::built_in().expect("rules"),
                )
                .expect("inspector's connection");
                stores.push((
                    store,
                    Actor {
                        login,
                        role: Role::Inspector,
                    },
                ));
            }
            println!(
                "region: {inspectors} inspectors for {secs} s, a pause of {} ms on average",
                think.as_millis()
            );
            let (stats, took) = run_load(stores, secs, think);
            let lost = lost_pg(&mut admin, &stats.saved);
            let saved = stats.saved.len();
            report("region (PostgreSQL)", stats, took);
            let t2 = Instant::now();
            let chain = region::verify_chain(&mut admin).expect("verify");
            println!(
                "region: lost updates {lost} of {saved} saved writes; audit chain {} ({} rows, checked by the server in {:.1} s)",
                if chain.first_break.is_none() {
                    "intact"
                } else {
                    "BROKEN"
                },
                chain.rows,
                t2.elapsed().as_secs_f64()
            );
            drop(admin);
            if std::env::var_os("KEZEK_BENCH_KEEP").is_none() {
                let _ = root.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"));
            } else {
                println!("region: database kept: {name}");
            }
        }
    }

    // The same load at office scale, on SQLite.
    let office = demo_db(dir.path(), office_cases);
    let logins = ["ivanov", "li", "nurlanov"];
    let stores: Vec<(Store, Actor)> = (0..office_inspectors)
        .map(|i| {
            (
                Store::open_existing(
                    &office,
                    Calendar::built_in().expect("calendar"),
                    Rules::built_in().expect("rules"),
                )
                .expect("office"),
                Actor {
                    login: logins[i % logins.len()].to_string(),
                    role: Role::Inspector,
                },
            )
        })
        .collect();
    let office_secs = env_usize("KEZEK_BENCH_OFFICE_SECS", 60) as u64;
    println!(
        "office: {office_cases} cases, {office_inspectors} inspectors for {office_secs} s on SQLite"
    );
    let (stats, took) = run_load(stores, office_secs, think);
    let lost = lost_sqlite(&office, &stats.saved);
    let saved = stats.saved.len();
    report("office (SQLite)", stats, took);
    let store = Store::open_existing(
        &office,
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
    )
    .expect("office");
    let v = store.verify_audit().expect("verify");
    println!(
        "office: lost updates {lost} of {saved} saved writes; audit chain {} ({} rows)",
        if v.first_break.is_none() {
            "intact"
        } else {
            "BROKEN"
        },
        v.rows
    );
}
