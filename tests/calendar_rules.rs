//! Every example of spec/calendar.md, and the override file's validation.

use chrono::{Datelike, NaiveDate};
use kezek::domain::calendar::{Calendar, CalendarError, DayKind};
use kezek::domain::rules_error::Source;
use kezek::i18n::Lang;

fn cal() -> Calendar {
    Calendar::built_in().expect("built-in calendar loads")
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

/// Why a day is (not) a working day, in English; empty for an ordinary working day.
fn reason(c: &Calendar, day: NaiveDate) -> String {
    match c.kind(day).expect("covered") {
        DayKind::Working => String::new(),
        kind => c.day_msg(kind).text(Lang::En),
    }
}

fn off(c: &Calendar, s: &str) -> bool {
    !c.is_working(d(s)).expect("covered")
}

fn assert_off(c: &Calendar, days: &[&str]) {
    for s in days {
        assert!(off(c, s), "{s} should be a day off ({})", reason(c, d(s)));
    }
}

fn assert_working(c: &Calendar, days: &[&str]) {
    for s in days {
        assert!(
            !off(c, s),
            "{s} should be a working day ({})",
            reason(c, d(s))
        );
    }
}

#[test]
fn examples_2023() {
    let c = cal();
    // 1 Jan (Sun) and 2 Jan (Mon) holidays -> Tue 3 Jan off: the run is skipped whole.
    assert_off(
        &c,
        &[
            "2023-01-01",
            "2023-01-02",
            "2023-01-03",
            "2023-05-08",
            "2023-12-18",
        ],
    );
    assert_eq!(
        reason(&c, d("2023-01-03")),
        "day off moved from Sun 01.01 (New Year)"
    );
    // 7 Jan on a Saturday gives nothing.
    assert_working(&c, &["2023-01-04", "2023-01-09"]);
    assert_eq!(reason(&c, d("2023-01-07")), "Orthodox Christmas");
}

#[test]
fn examples_2024() {
    let c = cal();
    assert_off(
        &c,
        &["2024-03-25", "2024-07-08", "2024-06-16", "2024-01-07"],
    );
    // Kurban Ait on a Sunday and 7 Jan on a Sunday never move.
    assert_working(&c, &["2024-06-17", "2024-01-08"]);
}

#[test]
fn examples_2025() {
    let c = cal();
    assert_off(
        &c,
        &[
            "2025-03-10",
            "2025-03-21",
            "2025-03-24",
            "2025-03-25",
            "2025-09-01",
            "2025-10-27",
        ],
    );
    assert_working(
        &c,
        &["2025-03-26", "2025-03-11", "2025-09-02", "2025-10-28"],
    );
    assert_eq!(
        reason(&c, d("2025-03-24")),
        "day off moved from Sat 22.03 (Nauryz)"
    );
    assert_eq!(
        reason(&c, d("2025-03-25")),
        "day off moved from Sun 23.03 (Nauryz)"
    );
}

#[test]
fn examples_2026() {
    let c = cal();
    assert_off(
        &c,
        &[
            "2026-03-09",
            "2026-03-23",
            "2026-03-24",
            "2026-03-25",
            "2026-05-11",
            "2026-10-26",
        ],
    );
    assert_eq!(
        reason(&c, d("2026-03-24")),
        "day off moved from Sat 21.03 (Nauryz)"
    );
    assert_eq!(
        reason(&c, d("2026-03-25")),
        "day off moved from Sun 22.03 (Nauryz)"
    );
    // Constitution Day (old) is no longer a holiday in 2026: 30 Aug is an ordinary Sunday.
    assert_eq!(c.kind(d("2026-08-30")).unwrap(), DayKind::Weekend);
    assert_working(
        &c,
        &["2026-08-31", "2026-03-26", "2026-05-12", "2026-10-27"],
    );
    assert_eq!(working_days_in(&c, 2026), 247);
}

fn working_days_in(c: &Calendar, year: i32) -> usize {
    c.range(
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap(),
    )
    .unwrap()
    .filter(|(_, k)| k.is_working())
    .count()
}

#[test]
fn holidays_in_force_by_year() {
    let c = cal();
    // Republic Day from 2022.
    assert_working(&c, &["2021-10-25"]);
    assert_off(&c, &["2022-10-25"]);
    // First President Day and the second day of Independence up to 2021.
    assert_off(&c, &["2021-12-01", "2021-12-17"]);
    assert_working(&c, &["2022-12-01", "2023-12-01"]);
    // Constitution Day of 2026's Constitution, from 2027 (15.03.2027 is a Monday).
    assert_off(&c, &["2027-03-15"]);
    assert_working(&c, &["2026-03-16"]);
    // Old Constitution Day up to 2025: 30.08.2024 was a Friday.
    assert_off(&c, &["2024-08-30"]);
    assert_working(&c, &["2027-08-30"]);
}

#[test]
fn government_transfers_both_ways() {
    let c = cal();
    let table = [
        ("2019-05-04", "2019-05-10"),
        ("2020-01-05", "2020-01-03"),
        ("2020-05-11", "2020-05-08"),
        ("2020-12-20", "2020-12-18"),
        ("2021-07-03", "2021-07-05"),
        ("2022-03-05", "2022-03-07"),
        ("2022-08-27", "2022-08-29"),
        ("2022-10-22", "2022-10-24"),
        ("2023-07-01", "2023-07-07"),
        ("2024-05-04", "2024-05-08"),
        ("2025-01-05", "2025-01-03"),
    ];
    for (working, day_off) in table {
        assert!(
            c.is_working(d(working)).unwrap(),
            "{working} works by transfer"
        );
        assert!(
            !c.is_working(d(day_off)).unwrap(),
            "{day_off} is off by transfer"
        );
    }
    assert_eq!(
        reason(&c, d("2019-05-04")),
        "working day by transfer (day off on Fri 10.05)"
    );
    // 2020: the observed day of Victory Day (Mon 11 May) moved to Fri 8 May.
    assert_eq!(
        reason(&c, d("2020-05-11")),
        "working day by transfer (day off on Fri 08.05)"
    );
    assert_eq!(
        reason(&c, d("2020-05-08")),
        "day off by government transfer (worked on Mon 11.05)"
    );
}

#[test]
fn kurban_ait_dates_and_never_moves() {
    let c = cal();
    for s in [
        "2019-08-11",
        "2020-07-31",
        "2021-07-20",
        "2022-07-09",
        "2023-06-28",
        "2024-06-16",
        "2025-06-06",
        "2026-05-27",
        "2027-05-16",
    ] {
        assert_eq!(reason(&c, d(s)), "Kurban Ait", "{s}");
    }
    // 2019-08-11 and 2022-07-09 fell on weekends: no day off follows.
    assert_working(&c, &["2019-08-12", "2022-07-11"]);
}

#[test]
fn years_outside_the_data_are_refused_and_2027_is_flagged() {
    let c = cal();
    assert_eq!(c.years(), (2019, 2027));
    assert_eq!(
        c.is_working(d("2028-01-04")),
        Err(CalendarError::NotCovered {
            year: 2028,
            first: 2019,
            last: 2027
        })
    );
    assert!(c.is_working(d("2018-12-31")).is_err());
    // The last working days of 2027 exist; a term running past them is refused.
    assert!(c.add_working_days(d("2027-12-24"), 1).is_ok());
    assert!(matches!(
        c.add_working_days(d("2027-12-24"), 10),
        Err(CalendarError::NotCovered { year: 2028, .. })
    ));
    assert!(c.estimate_note(2027).is_some());
    assert!(c.estimate_note(2026).is_none());
    assert_eq!(
        c.estimate_between(d("2026-12-01"), d("2027-01-10"))
            .map(|e| e.0),
        Some(2027)
    );
    assert_eq!(c.estimate_between(d("2026-01-01"), d("2026-12-31")), None);
}

#[test]
fn working_day_arithmetic_on_known_days() {
    let c = cal();
    // Fri 20.03.2026 + 1 working day: Nauryz and its moves skip to Thu 26.03.
    assert_eq!(
        c.add_working_days(d("2026-03-20"), 1).unwrap(),
        d("2026-03-26")
    );
    assert_eq!(
        c.sub_working_days(d("2026-03-26"), 1).unwrap(),
        d("2026-03-20")
    );
    assert_eq!(
        c.sub_working_days(d("2026-03-26"), 3).unwrap(),
        d("2026-03-18")
    );
    // From a day off: the first working day after it is day 1.
    assert_eq!(
        c.add_working_days(d("2026-03-21"), 1).unwrap(),
        d("2026-03-26")
    );
    assert_eq!(
        c.working_days_between(d("2026-03-20"), d("2026-03-26"))
            .unwrap(),
        1
    );
    assert_eq!(
        c.working_days_between(d("2026-03-26"), d("2026-03-20"))
            .unwrap(),
        -1
    );
    // Across the year boundary: 31.12.2025 (Wed) + 2 → 05.01.2026 (Mon)? 1, 2 Jan
    // are holidays, 3-4 Jan weekend: day 1 = Mon 05.01, day 2 = Tue 06.01.
    assert_eq!(
        c.add_working_days(d("2025-12-31"), 2).unwrap(),
        d("2026-01-06")
    );
    // 7 Jan 2026 (Wed) is Orthodox Christmas.
    assert_eq!(
        c.add_working_days(d("2026-01-06"), 1).unwrap(),
        d("2026-01-08")
    );
}

#[test]
fn every_built_in_year_has_a_plausible_count() {
    let c = cal();
    for y in 2019..=2027 {
        let n = working_days_in(&c, y);
        assert!((240..=252).contains(&n), "{y}: {n}");
    }
}

// ---------------------------------------------------------------------------
// Override files

fn with_override(text: &str) -> Result<Calendar, kezek::domain::RuleError> {
    Calendar::from_sources(&[
        Source {
            name: "built-in",
            text: kezek::domain::calendar::BUILT_IN,
        },
        Source {
            name: "calendar.toml",
            text,
        },
    ])
}

#[test]
fn override_adds_next_year() {
    let c = with_override(
        r#"
[years.2028]
status = "confirmed"
dates = { kurban_ait = "2028-05-05" }
transfers = [{ working = "2028-03-04", off = "2028-03-06" }]
"#,
    )
    .expect("valid override");
    assert_eq!(c.years(), (2019, 2028));
    assert!(c.is_working(d("2028-03-04")).unwrap());
    assert!(!c.is_working(d("2028-03-06")).unwrap());
    assert!(!c.is_working(d("2028-05-05")).unwrap());
    // 2027 still an estimate until the administrator confirms it.
    assert!(c.estimate_note(2027).is_some());
}

#[test]
fn override_replaces_a_year_and_a_holiday() {
    let c = with_override(
        r#"
[[holiday]]
id = "capital_day"
name = { en = "Capital Day", ru = "День столицы", kk = "Астана күні" }
dates = ["07-06"]
to = 2025

[years.2027]
status = "confirmed"
dates = { kurban_ait = "2027-05-17" }
"#,
    )
    .expect("valid override");
    assert!(c.estimate_note(2027).is_none());
    assert!(!c.is_working(d("2027-05-17")).unwrap());
    assert!(
        c.is_working(d("2026-07-06")).unwrap(),
        "Capital Day ended in 2025 by override"
    );
    assert!(
        !c.is_working(d("2025-07-07")).unwrap(),
        "2025 still moves Capital Day"
    );
}

fn override_error(text: &str) -> String {
    match with_override(text) {
        Ok(_) => panic!("override should be refused:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn override_errors_name_file_line_and_reason() {
    let e = override_error(
        "\n\n[years.2028]\nstatus = \"maybe\"\ndates = { kurban_ait = \"2028-05-05\" }\n",
    );
    assert!(e.starts_with("calendar.toml:4:"), "{e}");
    assert!(e.contains("'maybe'"), "{e}");

    let e = override_error(
        "[years.2028]\nstatus = \"confirmed\"\ndates = { kurban_ait = \"2028-02-30\" }\n",
    );
    assert!(e.starts_with("calendar.toml:3:"), "{e}");
    assert!(e.contains("2028-02-30"), "{e}");

    // A year without its Kurban Ait date.
    let e = override_error("[years.2028]\nstatus = \"confirmed\"\n");
    assert!(e.contains("kurban_ait"), "{e}");
    assert!(e.starts_with("calendar.toml:1:"), "{e}");

    // A gap between years.
    let e = override_error(
        "[years.2029]\nstatus = \"confirmed\"\ndates = { kurban_ait = \"2029-04-24\" }\n",
    );
    assert!(e.contains("2028-2028 are missing"), "{e}");

    // A transfer that would make a holiday a working day.
    let e = override_error(
        "[years.2026]\nstatus = \"confirmed\"\ndates = { kurban_ait = \"2026-05-27\" }\ntransfers = [\n  { working = \"2026-05-01\", off = \"2026-05-04\" },\n]\n",
    );
    assert!(e.starts_with("calendar.toml:5:"), "{e}");
    assert!(
        e.contains("cannot become a working day: it is a holiday"),
        "{e}"
    );

    // An unknown key is a typo, not something to ignore.
    let e = override_error("[years.2026]\nstatus = \"confirmed\"\nkurban_ait = \"2026-05-27\"\n");
    assert!(e.starts_with("calendar.toml:3:"), "{e}");

    // A missing translation.
    let e = override_error(
        "[[holiday]]\nid = \"x\"\nname = { en = \"X\", ru = \"\", kk = \"Х\" }\ndates = [\"06-01\"]\n",
    );
    assert!(e.contains("no Ru text"), "{e}");

    // Broken TOML.
    let e = override_error("[years.2028\n");
    assert!(e.starts_with("calendar.toml:1:"), "{e}");

    // A per-year date for something that is not a per-year holiday.
    let e = override_error(
        "[years.2026]\nstatus = \"confirmed\"\ndates = { kurban_ait = \"2026-05-27\", nauryz = \"2026-03-21\" }\n",
    );
    assert!(
        e.contains("'nauryz' is not a holiday declared with per_year"),
        "{e}"
    );

    // An estimate must say what is not confirmed.
    let e = override_error(
        "[years.2026]\nstatus = \"estimate\"\ndates = { kurban_ait = \"2026-05-27\" }\n",
    );
    assert!(e.contains("needs a note"), "{e}");
}

#[test]
fn the_week_structure_is_sane_everywhere() {
    let c = cal();
    let (first, last) = c.years();
    for (date, kind) in c
        .range(
            NaiveDate::from_ymd_opt(first, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(last, 12, 31).unwrap(),
        )
        .unwrap()
    {
        let weekend = date.weekday().number_from_monday() >= 6;
        match kind {
            DayKind::Working | DayKind::TransferOff { .. } | DayKind::MovedHoliday { .. } => {
                assert!(!weekend, "{date}: {kind:?} on a weekend")
            }
            DayKind::Weekend => assert!(weekend, "{date}"),
            DayKind::Holiday { .. } | DayKind::WorkingByTransfer { .. } => {}
        }
    }
}
