//! Console benchmarks on a generated database.
//!
//! 1. Start-up: the real binary in a pseudo-terminal (120x40) on a database of
//!    KEZEK_BENCH_CASES cases (default 1,000,000): time from process start to
//!    the first queue frame with rows, and to the frame with the full counts.
//! 2. Filter: with 100,000 open cases in memory, the time from a filter
//!    keystroke to the updated frame (update + draw into a buffer).
//! 3. Bytes written to the terminal for one `j` on the queue at 120x40, and
//!    for one filter keystroke (synchronized-update escapes included).
//!
//! The database is kept in target/ and reused by later runs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use kezek::app::{self, Action, Model};
use kezek::domain::calendar::Calendar;
use kezek::domain::case::Actor;
use kezek::domain::procedure::{Role, Rules};
use kezek::store::Store;
use kezek::store::cases::QueueFilter;
use kezek::ui::{self, Theme, Ui};

#[path = "../tests/support/pty.rs"]
mod support;
use ratatui::Terminal;
use ratatui::backend::{CrosstermBackend, TestBackend};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T10:00:00+05:00")
        .expect("now")
        .with_timezone(&Utc)
}

fn open(db: &Path) -> Store {
    Store::open(
        db,
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
    )
    .expect("open")
}

/// The benchmark database: generated once, reused afterwards.
fn database(n: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("dir");
    let db = dir.join(format!("console-{n}.db"));
    if db.exists() {
        return db;
    }
    let tmp = dir.join(format!("console-{n}.db.partial"));
    let _ = std::fs::remove_file(&tmp);
    let t = Instant::now();
    let mut s = open(&tmp);
    s.add_user("bench", "bench", Role::Supervisor, "Bench")
        .expect("user");
    for (login, name, role) in kezek::demo::STAFF {
        s.add_user("bench", login, *role, name).expect("staff");
    }
    let me = kezek::store::users::current_login().expect("login");
    if !kezek::demo::STAFF.iter().any(|(l, _, _)| *l == me) && me != "bench" {
        s.add_user("bench", &me, Role::Inspector, "Bench inspector")
            .expect("me");
    }
    let actor = Actor {
        login: "bench".into(),
        role: Role::Supervisor,
    };
    let batch = 50_000;
    let mut done = 0;
    let mut seed = 1;
    while done < n {
        let k = batch.min(n - done);
        let mut cases = kezek::demo::generate(&s.cal, &s.rules, k, seed, now());
        // Case numbers of separate batches must not collide.
        for c in &mut cases {
            c.number = format!("{}-{seed}", c.number);
        }
        s.insert_cases(&actor, &cases, now(), "bench")
            .expect("insert");
        done += k;
        seed += 1;
    }
    drop(s);
    std::fs::rename(&tmp, &db).expect("rename");
    println!("generated {n} cases in {:.1} s", t.elapsed().as_secs_f64());
    db
}

fn open_cases(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("sqlite");
    conn.query_row(
        "SELECT count(*) FROM cases WHERE queue_due IS NOT NULL",
        [],
        |r| r.get(0),
    )
    .expect("count")
}

/// One start of the real binary: (first frame with rows, full counts).
fn start_once(db: &Path, first_number: &str, total: i64) -> (Duration, Duration) {
    let db_arg = db.to_string_lossy().to_string();
    let config = std::env::temp_dir()
        .join("kezek-bench-no-config")
        .to_string_lossy()
        .to_string();
    let mut p = support::Pty::spawn(
        env!("CARGO_BIN_EXE_kezek"),
        &["--db", &db_arg, "--lang", "en"],
        &[("KEZEK_CONFIG_DIR", &config)],
        120,
        40,
    );
    let limit = Duration::from_secs(120);
    let first = p.wait_for(first_number, limit);
    let full = p.wait_for(&format!("total {total} ·"), limit);
    p.keys(b"q");
    p.exit(Duration::from_secs(20));
    (first, full)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A writer that counts what the terminal would receive.
#[derive(Clone, Default)]
struct Counter(Arc<Mutex<usize>>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        *self.0.lock().expect("lock") += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn synced_frame(
    term: &mut Terminal<CrosstermBackend<Counter>>,
    m: &mut Model,
    u: &Ui<'_>,
) -> std::io::Result<()> {
    use ratatui::crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
    ratatui::crossterm::queue!(term.backend_mut(), BeginSynchronizedUpdate)?;
    term.draw(|f| ui::draw(f, m, u))?;
    ratatui::crossterm::queue!(term.backend_mut(), EndSynchronizedUpdate)?;
    term.backend_mut().flush()
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n = env_usize("KEZEK_BENCH_CASES", 1_000_000);
    let filter_n = env_usize("KEZEK_BENCH_FILTER_CASES", 100_000);
    let db = database(n);
    let open_total = open_cases(&db);
    // The console keeps the most urgent QUEUE_WINDOW cases in memory.
    let total = open_total.min(i64::from(kezek::app::worker::QUEUE_WINDOW));
    let store = open(&db);
    let top = store
        .queue(&QueueFilter {
            limit: Some(1),
            ..Default::default()
        })
        .expect("queue");
    let first_number = top.first().map(|r| r.number.clone()).unwrap_or_default();
    println!(
        "kezek console benchmarks: {n} cases in the database, {open_total} of them open, {total} in the console's window"
    );

    // 1. Start-up, five runs.
    let _ = start_once(&db, &first_number, total); // warm the page cache
    let runs: Vec<(Duration, Duration)> = (0..5)
        .map(|_| start_once(&db, &first_number, total))
        .collect();
    println!(
        "start to first queue frame (120x40, pty): median {} (runs: {})",
        ms(median(runs.iter().map(|r| r.0).collect())),
        runs.iter().map(|r| ms(r.0)).collect::<Vec<_>>().join(", ")
    );
    println!(
        "start to the frame with every open case counted: median {}",
        ms(median(runs.iter().map(|r| r.1).collect()))
    );

    // 2. Filter keystrokes over `filter_n` open cases.
    let rows = store
        .queue(&QueueFilter {
            limit: Some(filter_n as u32),
            ..Default::default()
        })
        .expect("queue");
    let loaded = rows.len();
    let me = Actor {
        login: "ivanov".into(),
        role: Role::Inspector,
    };
    let mut m = Model::new(me.clone(), now());
    m.set_rows(rows.clone());
    let u = Ui {
        cal: &store.cal,
        rules: &store.rules,
        theme: Theme::dark(),
    };
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    term.draw(|f| ui::draw(f, &mut m, &u)).expect("draw");
    app::update(&mut m, Action::StartFilter);
    let mut times = Vec::new();
    for _ in 0..5 {
        for word in ["каримова", "nurlan", "2026-rvp-001"] {
            for c in word.chars() {
                let t = Instant::now();
                app::update(&mut m, Action::FilterInput(c));
                term.draw(|f| ui::draw(f, &mut m, &u)).expect("draw");
                times.push(t.elapsed());
            }
            for _ in word.chars() {
                let t = Instant::now();
                app::update(&mut m, Action::FilterBackspace);
                term.draw(|f| ui::draw(f, &mut m, &u)).expect("draw");
                times.push(t.elapsed());
            }
        }
    }
    println!(
        "filter keystroke to updated frame, {loaded} open cases: median {}, p95 {}, max {} ({} keystrokes)",
        ms(percentile(times.clone(), 0.5)),
        ms(percentile(times.clone(), 0.95)),
        ms(percentile(times.clone(), 1.0)),
        times.len()
    );

    // 3. Bytes to the terminal per keystroke at 120x40.
    let counter = Counter::default();
    let mut term = Terminal::with_options(
        CrosstermBackend::new(counter.clone()),
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 120, 40)),
        },
    )
    .expect("terminal");
    let mut m = Model::new(me, now());
    m.set_rows(rows);
    synced_frame(&mut term, &mut m, &u).expect("frame");
    let mut j_bytes = Vec::new();
    for _ in 0..20 {
        *counter.0.lock().expect("lock") = 0;
        app::update(&mut m, Action::Down);
        synced_frame(&mut term, &mut m, &u).expect("frame");
        j_bytes.push(*counter.0.lock().expect("lock"));
    }
    app::update(&mut m, Action::Top);
    synced_frame(&mut term, &mut m, &u).expect("frame");
    app::update(&mut m, Action::StartFilter);
    synced_frame(&mut term, &mut m, &u).expect("frame");
    let mut f_bytes = Vec::new();
    for c in "карим".chars() {
        *counter.0.lock().expect("lock") = 0;
        app::update(&mut m, Action::FilterInput(c));
        synced_frame(&mut term, &mut m, &u).expect("frame");
        f_bytes.push(*counter.0.lock().expect("lock"));
    }
    j_bytes.sort();
    f_bytes.sort();
    println!(
        "bytes written for one j on the queue (120x40): median {}, max {} (20 presses)",
        j_bytes[j_bytes.len() / 2],
        j_bytes[j_bytes.len() - 1]
    );
    println!(
        "bytes written for one filter keystroke (120x40): median {}, max {} (typing \"карим\")",
        f_bytes[f_bytes.len() / 2],
        f_bytes[f_bytes.len() - 1]
    );
}
