//! Deadline arithmetic of spec/calendar.md, with a fixed clock.

use chrono::{DateTime, NaiveDate, Utc};
use kezek::domain::calendar::Calendar;
use kezek::domain::term::{
    self, StartRule, Term, TermError, TimeLeft, Unit, deadline, explain, latest_before,
    parse_instant,
};
use kezek::i18n::Lang;

fn cal() -> Calendar {
    Calendar::built_in().expect("built-in calendar loads")
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test instant")
        .with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn due(c: &Calendar, received: &str, t: Term) -> String {
    let dl = deadline(c, at(received), t).expect("deadline");
    dl.due.with_timezone(&c.zone()).to_rfc3339()
}

#[test]
fn acceptance_day_is_not_counted() {
    let c = cal();
    // Mon 16.11.2026 10:00 + 1 working day = Tue 17.11 18:30.
    assert_eq!(
        due(&c, "2026-11-16T10:00:00+05:00", Term::working_days(1)),
        "2026-11-17T18:30:00+05:00"
    );
    assert_eq!(
        due(&c, "2026-11-16T10:00:00+05:00", Term::working_days(5)),
        "2026-11-23T18:30:00+05:00"
    );
}

#[test]
fn receipt_after_intake_counts_from_the_next_working_day() {
    let c = cal();
    // 17:30 sharp is still in time; one second later is not.
    assert_eq!(
        due(&c, "2026-11-20T17:30:00+05:00", Term::working_days(1)),
        "2026-11-23T18:30:00+05:00"
    );
    assert_eq!(
        due(&c, "2026-11-20T17:30:01+05:00", Term::working_days(1)),
        "2026-11-24T18:30:00+05:00"
    );
    // Fri 20.11 17:45: accepted Mon 23.11 09:00 (002 §8), term day 1 = Tue 24.11.
    let dl = deadline(&c, at("2026-11-20T17:45:00+05:00"), Term::working_days(1)).unwrap();
    assert_eq!(dl.start.rule, StartRule::AfterIntake);
    assert_eq!(dl.start.acceptance_day, d("2026-11-23"));
    assert_eq!(dl.start.counts_from, at("2026-11-23T09:00:00+05:00"));
    assert_eq!(dl.due, at("2026-11-24T18:30:00+05:00"));
}

#[test]
fn receipt_on_a_day_off_or_holiday() {
    let c = cal();
    // Saturday.
    let dl = deadline(&c, at("2026-11-21T11:00:00+05:00"), Term::working_days(1)).unwrap();
    assert_eq!(dl.start.rule, StartRule::DayOff);
    assert_eq!(dl.start.acceptance_day, d("2026-11-23"));
    assert_eq!(dl.due, at("2026-11-24T18:30:00+05:00"));
    // Nauryz 2026: received Mon 23.03 (holiday); accepted Thu 26.03; 1 wd → Fri 27.03.
    assert_eq!(
        due(&c, "2026-03-23T10:00:00+05:00", Term::working_days(1)),
        "2026-03-27T18:30:00+05:00"
    );
    // Received before opening on a working day: counts from 09:00 that day.
    let dl = deadline(&c, at("2026-11-17T07:10:00+05:00"), Term::working_days(1)).unwrap();
    assert_eq!(dl.start.rule, StartRule::BeforeOpening);
    assert_eq!(dl.start.counts_from, at("2026-11-17T09:00:00+05:00"));
    assert_eq!(dl.due, at("2026-11-18T18:30:00+05:00"));
}

#[test]
fn working_day_terms_skip_holidays_and_their_moves() {
    let c = cal();
    // Thu 19.03.2026 + 2 wd: Fri 20.03 (1), then Nauryz 21-25 → Thu 26.03 (2).
    assert_eq!(
        due(&c, "2026-03-19T12:00:00+05:00", Term::working_days(2)),
        "2026-03-26T18:30:00+05:00"
    );
    // 15 working days from Thu 30.04.2026: 4-6 May (3), 8 (4), 12-15 (8), 18-22 (13),
    // 25 (14), 26 (15); 1, 7 May, Mon 11 (moved Victory Day) skipped.
    assert_eq!(
        due(&c, "2026-04-30T12:00:00+05:00", Term::working_days(15)),
        "2026-05-26T18:30:00+05:00"
    );
}

#[test]
fn calendar_day_terms_end_at_midnight_and_roll_to_a_working_day() {
    let c = cal();
    // Tue 10.03.2026 + 11 calendar days = Sat 21.03 (Nauryz) → rolls to Thu 26.03, 24:00.
    let dl = deadline(&c, at("2026-03-10T10:00:00+05:00"), Term::calendar_days(11)).unwrap();
    assert_eq!(dl.rolled_from, Some(d("2026-03-21")));
    assert_eq!(dl.due_day, d("2026-03-26"));
    assert_eq!(dl.due, at("2026-03-26T23:59:59+05:00"));
    // Without the roll it ends on the Saturday.
    let dl = deadline(
        &c,
        at("2026-03-10T10:00:00+05:00"),
        Term::calendar_days(11).without_roll(),
    )
    .unwrap();
    assert_eq!(dl.rolled_from, None);
    assert_eq!(dl.due, at("2026-03-21T23:59:59+05:00"));
    // 30 calendar days landing on a working day: no roll.
    let dl = deadline(&c, at("2026-11-02T10:00:00+05:00"), Term::calendar_days(30)).unwrap();
    assert_eq!(dl.due_day, d("2026-12-02"));
    assert_eq!(dl.rolled_from, None);
}

#[test]
fn the_2024_zone_switch() {
    let c = cal();
    // Before 01.03.2024 Almaty was UTC+6; from then on UTC+5.
    assert_eq!(
        due(&c, "2024-02-28T10:00:00+06:00", Term::working_days(1)),
        "2024-02-29T18:30:00+06:00"
    );
    assert_eq!(
        due(&c, "2024-02-28T10:00:00+06:00", Term::working_days(2)),
        "2024-03-01T18:30:00+05:00"
    );
    // The same instant given in UTC gives the same answer.
    assert_eq!(
        due(&c, "2024-02-28T04:00:00Z", Term::working_days(2)),
        "2024-03-01T18:30:00+05:00"
    );
    // 29.02.2024 lasted 25 hours: its 24:00 is 19:00 UTC.
    let dl = deadline(&c, at("2024-02-28T10:00:00+06:00"), Term::calendar_days(1)).unwrap();
    assert_eq!(dl.due, at("2024-02-29T18:59:59Z"));
    // 2024-02-29T17:45:00Z is 23:45 local (+06): after intake, counts from Fri 01.03.
    let dl = deadline(&c, at("2024-02-29T17:45:00Z"), Term::working_days(1)).unwrap();
    assert_eq!(dl.start.acceptance_day, d("2024-03-01"));
    assert_eq!(dl.start.counts_from, at("2024-03-01T09:00:00+05:00"));
    // Local input in the repeated hour takes the earlier instant.
    assert_eq!(
        parse_instant(&c, "2024-02-29 23:30"),
        Ok(at("2024-02-29T17:30:00Z"))
    );
    // A local 12:00 in winter 2023 is 06:00 UTC, in winter 2025 07:00 UTC.
    assert_eq!(
        parse_instant(&c, "2023-01-10 12:00"),
        Ok(at("2023-01-10T06:00:00Z"))
    );
    assert_eq!(
        parse_instant(&c, "2025-01-10 12:00"),
        Ok(at("2025-01-10T07:00:00Z"))
    );
}

#[test]
fn no_later_than_n_working_days_before() {
    let c = cal();
    // Decision planned Thu 26.03.2026: 3 working days before = Wed 18.03 (20, 19, 18).
    let (day, latest) = latest_before(&c, d("2026-03-26"), 3).unwrap();
    assert_eq!(day, d("2026-03-18"));
    assert_eq!(latest, at("2026-03-18T18:30:00+05:00"));
    // An ordinary week: decision Fri 27.11.2026 → notice by Tue 24.11 18:30.
    assert_eq!(
        latest_before(&c, d("2026-11-27"), 3).unwrap().0,
        d("2026-11-24")
    );
    // Counting back across a weekend: decision Mon 30.11 → Wed 25.11.
    assert_eq!(
        latest_before(&c, d("2026-11-30"), 3).unwrap().0,
        d("2026-11-25")
    );
}

#[test]
fn time_left_in_working_days_and_hours() {
    let c = cal();
    let dl = deadline(&c, at("2026-11-16T10:00:00+05:00"), Term::working_days(5)).unwrap();
    assert_eq!(dl.due, at("2026-11-23T18:30:00+05:00"));
    // Fri 20.11 10:00: Mon 23.11 left, plus 8h30m of today.
    let left = dl.time_left(&c, at("2026-11-20T10:00:00+05:00")).unwrap();
    assert_eq!(
        left,
        TimeLeft {
            overdue: false,
            unit: Unit::WorkingDays,
            days: 1,
            minutes: 510
        }
    );
    assert_eq!(left.to_string(), "1 working day + 8h30m left");
    // Saturday evening: one working day left, no hours today.
    let left = dl.time_left(&c, at("2026-11-21T20:00:00+05:00")).unwrap();
    assert_eq!((left.days, left.minutes), (1, 0));
    // Due day 16:00: 2h30m left.
    let left = dl.time_left(&c, at("2026-11-23T16:00:00+05:00")).unwrap();
    assert_eq!(left.to_string(), "due today, 2h30m left");
    // 19:00 the same day: 30 minutes overdue.
    let left = dl.time_left(&c, at("2026-11-23T19:00:00+05:00")).unwrap();
    assert_eq!(left.to_string(), "overdue 0h30m");
    // Two working days later.
    let left = dl.time_left(&c, at("2026-11-25T11:00:00+05:00")).unwrap();
    assert_eq!(left.to_string(), "overdue 2 working days");
    assert!(left.overdue);
}

#[test]
fn time_left_in_calendar_days() {
    let c = cal();
    let dl = deadline(&c, at("2026-11-02T10:00:00+05:00"), Term::calendar_days(30)).unwrap();
    let left = dl.time_left(&c, at("2026-11-21T12:00:00+05:00")).unwrap();
    assert_eq!(left.to_string(), "11 days left");
    let left = dl.time_left(&c, at("2026-12-05T12:00:00+05:00")).unwrap();
    assert_eq!(left.to_string(), "overdue 3 days");
}

#[test]
fn explanation_lists_start_rule_counted_and_skipped_days() {
    let c = cal();
    let dl = deadline(&c, at("2026-03-19T17:45:00+05:00"), Term::working_days(2)).unwrap();
    let e = explain(&c, &dl).unwrap();
    assert_eq!(e.start_rule, StartRule::AfterIntake);
    assert_eq!(e.acceptance_day, d("2026-03-20"));
    assert_eq!(e.counted, vec![d("2026-03-26"), d("2026-03-27")]);
    let skipped: Vec<(String, String)> = e
        .skipped
        .iter()
        .map(|s| (s.date.to_string(), s.reason.text(Lang::En)))
        .collect();
    assert_eq!(
        skipped,
        vec![
            ("2026-03-21".into(), "Nauryz".into()),
            ("2026-03-22".into(), "Nauryz".into()),
            ("2026-03-23".into(), "Nauryz".into()),
            (
                "2026-03-24".into(),
                "day off moved from Sat 21.03 (Nauryz)".into()
            ),
            (
                "2026-03-25".into(),
                "day off moved from Sun 22.03 (Nauryz)".into()
            ),
        ]
    );
    let why = e.start_reason.text(Lang::En);
    assert!(why.contains("received after 17:30"), "{why}");
    assert_eq!(e.due.text(Lang::En), "Fri 27.03.2026 18:30");
    assert_eq!(e.due.text(Lang::Ru), "Пт 27.03.2026 18:30");
}

#[test]
fn estimated_years_are_flagged_and_missing_years_refused() {
    let c = cal();
    let dl = deadline(&c, at("2026-12-28T10:00:00+05:00"), Term::working_days(10)).unwrap();
    assert_eq!(dl.estimate, Some(2027));
    assert!(c.estimate_note(2027).is_some());
    assert_eq!(explain(&c, &dl).unwrap().estimate, Some(2027));
    let dl = deadline(&c, at("2026-11-16T10:00:00+05:00"), Term::working_days(5)).unwrap();
    assert_eq!(dl.estimate, None);
    let err = deadline(&c, at("2027-12-20T10:00:00+05:00"), Term::working_days(20)).unwrap_err();
    assert!(matches!(err, TermError::Calendar(_)));
    assert!(
        err.to_string()
            .starts_with("the calendar for 2028 is not confirmed"),
        "{err}"
    );
}

#[test]
fn instants_parse_in_both_forms_and_bad_ones_say_why() {
    let c = cal();
    assert_eq!(
        parse_instant(&c, "2026-11-20 17:45"),
        Ok(at("2026-11-20T17:45:00+05:00"))
    );
    assert_eq!(
        parse_instant(&c, "2026-11-20T12:45:00Z"),
        Ok(at("2026-11-20T17:45:00+05:00"))
    );
    let e = parse_instant(&c, "2025-02-30 10:00").unwrap_err();
    assert!(e.to_string().contains("2025-02-30"), "{e}");
    let e = parse_instant(&c, "20.11.2026").unwrap_err();
    assert!(e.to_string().contains("RFC 3339"), "{e}");
    assert!(e.text(Lang::Kk).contains("RFC 3339 сәті"), "{e}");
}

#[test]
fn end_of_day_is_the_last_second() {
    let c = cal();
    assert_eq!(
        term::end_of_day(&c, d("2026-11-20")).unwrap(),
        at("2026-11-20T23:59:59+05:00")
    );
}
