//! Store benchmarks on generated data, each against the sqlite3 command-line
//! tool doing the comparable raw work in the same run.
//!
//!     cargo bench --bench store
//!
//! KEZEK_BENCH_CASES sets the size of the large database (default 1,000,000);
//! KEZEK_BENCH_IMPORT the size of the import file (default 100,000).
//! Needs the `sqlite3` command for the ratios (apt-get install sqlite3).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use kezek::domain::calendar::Calendar;
use kezek::domain::case::{Actor, Case};
use kezek::domain::procedure::{Role, Rules};
use kezek::store::Store;
use kezek::store::cases::QueueFilter;
use kezek::store::export::{ExportFilter, ExportFormat, StatusFilter};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A CSV of `n` applications across three procedures, as an office would send.
fn write_import_csv(path: &Path, n: usize, offset: usize) {
    let mut s = String::with_capacity(n * 160);
    s.push_str("number,procedure,received_at,channel,purpose,applicant_name,applicant_key,citizenship,entry_date,documents\n");
    let names = [
        "Абенов Нурлан",
        "Karimov Jasur",
        "Қасымова Әсел",
        "Wang Wei",
        "Иванов Сергей",
        "Yılmaz Mehmet",
    ];
    for i in 0..n {
        let k = offset + i;
        let day = 1 + k % 20;
        let hour = 9 + k % 8;
        let name = names[k % names.len()];
        let line = match k % 3 {
            0 => format!(
                "2026-REG-{k:07},registration,2026-11-{day:02} {hour:02}:15,office,,{name} {k},K{k},RUS,2026-10-{day:02},\n"
            ),
            1 => format!(
                "2026-RVP-{k:07},rvp,2026-11-{day:02} {hour:02}:15,office,work,{name} {k},K{k},UZB,2026-10-{day:02},passport:P{k}:2030-01-01;employment_contract:C{k}:2027-06-01\n"
            ),
            _ => format!(
                "2026-PR-{k:07},pr,2026-11-{day:02} {hour:02}:15,office,,{name} {k},K{k},CHN,,\n"
            ),
        };
        s.push_str(&line);
    }
    std::fs::write(path, s).expect("write csv");
}

fn sqlite3_available() -> bool {
    Command::new("sqlite3")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn import(store: &mut Store, actor: &Actor, file: &Path, now: DateTime<Utc>) -> usize {
    let bytes = std::fs::read(file).expect("read");
    let users = ["bench".to_string()].into_iter().collect();
    let cases: Vec<Case> =
        kezek::store::import::parse(&bytes, true, &store.cal, &store.rules, &users)
            .unwrap_or_else(|e| panic!("bench import file invalid: {}", e[0]));
    store
        .insert_cases(actor, &cases, now, "case.import")
        .expect("insert")
        .0
}

fn main() {
    // `cargo test --benches` runs this with --bench absent: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let big = env_usize("KEZEK_BENCH_CASES", 1_000_000);
    let import_n = env_usize("KEZEK_BENCH_IMPORT", 100_000);
    let dir = tempfile::tempdir().expect("tmp");
    let now = DateTime::parse_from_rfc3339("2026-11-21T10:00:00+05:00")
        .expect("now")
        .with_timezone(&Utc);
    let have_sqlite3 = sqlite3_available();
    println!(
        "kezek store benchmarks: import {import_n}, database {big} cases; sqlite3 {}",
        if have_sqlite3 {
            "found"
        } else {
            "NOT found: no ratios"
        }
    );

    // Import of `import_n` applications into an empty database.
    let csv = dir.path().join("import.csv");
    write_import_csv(&csv, import_n, 0);
    let db = dir.path().join("kezek.db");
    let mut store = Store::open(
        &db,
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
    )
    .expect("open");
    store
        .add_user("bench", "bench", Role::Supervisor, "Bench")
        .expect("user");
    let actor = Actor {
        login: "bench".into(),
        role: Role::Supervisor,
    };
    let (n, t_import) = time(|| import(&mut store, &actor, &csv, now));
    assert_eq!(n, import_n);
    println!(
        "import {import_n} applications (validate, write, audit): {}",
        secs(t_import)
    );
    if have_sqlite3 {
        let raw = dir.path().join("raw.db");
        let (_, t_raw) = time(|| {
            let o = Command::new("sqlite3")
                .arg(&raw)
                .arg(format!(".import --csv {} t", csv.display()))
                .output()
                .expect("sqlite3");
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        });
        println!(
            "  sqlite3 .import of the same CSV into a plain table: {}  → ratio {:.1}x (target ≤ 3x)",
            secs(t_raw),
            t_import.as_secs_f64() / t_raw.as_secs_f64()
        );
    }

    // Fill up to `big` cases in chunks.
    let mut filled = import_n;
    let chunk = 100_000;
    let (_, t_fill) = time(|| {
        while filled < big {
            let n = chunk.min(big - filled);
            let part = dir.path().join("part.csv");
            write_import_csv(&part, n, filled);
            import(&mut store, &actor, &part, now);
            filled += n;
        }
    });
    println!("filled the database to {filled} cases in {}", secs(t_fill));
    drop(store);
    let store = Store::open(
        &db,
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
    )
    .expect("open");

    // Export of every case to CSV.
    let out = dir.path().join("export.csv");
    let (rows, t_export) = time(|| {
        let f = std::fs::File::create(&out).expect("create");
        let mut w = std::io::BufWriter::new(f);
        let filter = ExportFilter {
            procedure: None,
            status: StatusFilter::All,
            from: None,
            to: None,
        };
        store
            .export_cases(&mut w, &filter, ExportFormat::Csv { bom: false }, false)
            .expect("export")
    });
    println!(
        "export {rows} cases to CSV (stage, deadlines, decision, masked IINs): {}",
        secs(t_export)
    );
    if have_sqlite3 {
        let raw_out = dir.path().join("raw.csv");
        // The very rows and columns kezek reads; sqlite3 only prints them.
        let sql = format!("{} ORDER BY c.number", kezek::store::export::EXPORT_SELECT);
        let (_, t_raw) = time(|| {
            let f = std::fs::File::create(&raw_out).expect("create");
            let o = Command::new("sqlite3")
                .args(["-csv", "-header"])
                .arg(&db)
                .arg(&sql)
                .stdout(f)
                .output()
                .expect("sqlite3");
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        });
        println!(
            "  sqlite3 -csv dump of the same rows: {}  → ratio {:.2}x (target ≤ 1.5x)",
            secs(t_raw),
            t_export.as_secs_f64() / t_raw.as_secs_f64()
        );
    }

    // The top 50 of the queue.
    let mut times: Vec<Duration> = (0..21)
        .map(|_| {
            time(|| {
                store
                    .queue(&QueueFilter {
                        limit: Some(50),
                        ..Default::default()
                    })
                    .expect("queue")
                    .len()
            })
            .1
        })
        .collect();
    times.sort();
    println!(
        "queue top 50 of {filled} cases: median {:.2} ms, max {:.2} ms (target < 50 ms)",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0
    );
}
