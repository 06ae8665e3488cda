//! Working-day arithmetic: the cost of one add must not grow with N.
//!
//! Run: `cargo bench --bench calendar`. Throughput is reported in
//! elements (adds or listed days) per second.

use std::hint::black_box;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kezek::domain::calendar::Calendar;
use kezek::domain::rules_error::Source;
use kezek::domain::term::{Term, deadline};

const BATCH: usize = 1_000;

fn starts() -> (Vec<NaiveDate>, Vec<DateTime<Utc>>) {
    // A spread of days and instants over 2019-2026, as a real caseload has.
    let base = NaiveDate::from_ymd_opt(2019, 1, 1).expect("date");
    let base_t = Utc
        .with_ymd_and_hms(2019, 1, 1, 3, 0, 0)
        .single()
        .expect("instant");
    let days = (0..BATCH)
        .map(|i| base + Duration::days((i as i64 * 2_621) % 2_700))
        .collect();
    let instants = (0..BATCH)
        .map(|i| base_t + Duration::seconds((i as i64 * 233_279_347) % (2_700 * 86_400)))
        .collect();
    (days, instants)
}

fn bench(c: &mut Criterion) {
    let cal = Calendar::built_in().expect("built-in calendar");
    let (days, instants) = starts();

    let mut g = c.benchmark_group("add_working_days");
    g.throughput(Throughput::Elements(BATCH as u64));
    for n in [1u32, 20, 250] {
        g.bench_function(format!("N={n}"), |b| {
            b.iter(|| {
                for &d in &days {
                    black_box(cal.add_working_days(black_box(d), black_box(n)).ok());
                }
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("deadline_from_instant");
    g.throughput(Throughput::Elements(BATCH as u64));
    for n in [1u32, 20, 250] {
        g.bench_function(format!("N={n} working days"), |b| {
            b.iter(|| {
                for &t in &instants {
                    black_box(deadline(&cal, black_box(t), Term::working_days(n)).ok());
                }
            })
        });
    }
    g.finish();

    // The built-in data covers 2019-2027; a tenth year comes from an override,
    // the way an administrator adds one.
    let ten_years = Calendar::from_sources(&[
        Source {
            name: "built-in",
            text: kezek::domain::calendar::BUILT_IN,
        },
        Source {
            name: "bench-2028.toml",
            text: "[years.2028]\nstatus = \"estimate\"\nnote = \"bench\"\ndates = { kurban_ait = \"2028-05-05\" }\n",
        },
    ])
    .expect("ten-year calendar");
    let from = NaiveDate::from_ymd_opt(2019, 1, 1).expect("date");
    let to = NaiveDate::from_ymd_opt(2028, 12, 31).expect("date");
    let mut g = c.benchmark_group("list_range");
    g.throughput(Throughput::Elements((to - from).num_days() as u64 + 1));
    g.bench_function("10 years with reasons", |b| {
        b.iter(|| {
            let listed: usize = ten_years
                .range(from, to)
                .map(|it| {
                    it.map(|(_, k)| {
                        black_box(ten_years.day_msg(k).text(kezek::i18n::Lang::Ru)).len()
                    })
                    .sum()
                })
                .unwrap_or(0);
            black_box(listed)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
