//! Properties of working-day arithmetic, checked against a day-by-day walk.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use kezek::domain::calendar::Calendar;
use kezek::domain::term::{Term, deadline, local};
use proptest::prelude::*;
use std::sync::OnceLock;

fn cal() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(|| Calendar::built_in().expect("built-in calendar loads"))
}

/// Days from 2019-01-10 up to mid-2026, so that terms of up to 250 working
/// days, and counting back from them, stay within the covered years.
fn day() -> impl Strategy<Value = NaiveDate> {
    let start = NaiveDate::from_ymd_opt(2019, 1, 10).expect("date");
    (0i64..2_720).prop_map(move |n| start + Duration::days(n))
}

/// Instants in the same span, to the second.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let start = Utc
        .with_ymd_and_hms(2019, 1, 1, 0, 0, 0)
        .single()
        .expect("instant");
    (0i64..2_730 * 86_400).prop_map(move |s| start + Duration::seconds(s))
}

/// The reference: walk day by day.
fn walk_add(c: &Calendar, from: NaiveDate, n: u32) -> NaiveDate {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d += Duration::days(1);
        if c.is_working(d).expect("covered") {
            left -= 1;
        }
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn add_matches_a_day_by_day_walk(from in day(), n in 0u32..=250) {
        let c = cal();
        prop_assert_eq!(c.add_working_days(from, n).unwrap(), walk_add(c, from, n));
    }

    #[test]
    fn adding_then_counting_back_gives_n(from in day(), n in 0u32..=250) {
        let c = cal();
        let to = c.add_working_days(from, n).unwrap();
        prop_assert_eq!(c.working_days_between(from, to).unwrap(), i64::from(n));
        if c.is_working(from).unwrap() {
            prop_assert_eq!(c.sub_working_days(to, n).unwrap(), from);
        }
    }

    #[test]
    fn a_working_day_result_is_never_a_day_off(from in day(), n in 1u32..=250) {
        let c = cal();
        let to = c.add_working_days(from, n).unwrap();
        prop_assert!(c.is_working(to).unwrap());
        prop_assert!(to > from);
        let back = c.sub_working_days(to, n).unwrap();
        prop_assert!(c.is_working(back).unwrap());
    }

    #[test]
    fn monotone_in_n(from in day(), n in 0u32..250) {
        let c = cal();
        let a = c.add_working_days(from, n).unwrap();
        let b = c.add_working_days(from, n + 1).unwrap();
        prop_assert!(a < b);
    }

    #[test]
    fn deadlines_never_fall_on_a_day_off(received in instant(), n in 0u32..=250, calendar in any::<bool>()) {
        let c = cal();
        let term = if calendar { Term::calendar_days(n) } else { Term::working_days(n) };
        let dl = deadline(c, received, term).unwrap();
        prop_assert!(c.is_working(dl.due_day).unwrap(), "{:?}", dl);
        prop_assert_eq!(local(c, dl.due).date(), dl.due_day);
        prop_assert!(dl.due > received);
        prop_assert!(c.is_working(dl.start.acceptance_day).unwrap());
    }

    #[test]
    fn deadlines_are_monotone_in_n_and_in_the_start(
        received in instant(),
        later_by in 0i64..(30 * 86_400),
        n in 0u32..200,
        calendar in any::<bool>(),
    ) {
        let c = cal();
        let term = |n| if calendar { Term::calendar_days(n) } else { Term::working_days(n) };
        let a = deadline(c, received, term(n)).unwrap();
        let b = deadline(c, received, term(n + 1)).unwrap();
        prop_assert!(a.due <= b.due);
        let later = deadline(c, received + Duration::seconds(later_by), term(n)).unwrap();
        prop_assert!(a.due <= later.due);
    }

    #[test]
    fn time_left_counts_down(received in instant(), n in 1u32..60, after in 0i64..(90 * 86_400)) {
        let c = cal();
        let dl = deadline(c, received, Term::working_days(n)).unwrap();
        let now = received + Duration::seconds(after);
        let left = dl.time_left(c, now).unwrap();
        prop_assert_eq!(left.overdue, now > dl.due);
        prop_assert!(left.days >= 0 && left.minutes >= 0);
        if !left.overdue {
            prop_assert!(left.days <= i64::from(n) + 1);
        }
    }
}
