//! The queue order is a total order that puts every overdue case above every
//! case that is not overdue.

use chrono::{DateTime, Duration, TimeZone, Utc};
use kezek::domain::urgency::RankKey;
use proptest::prelude::*;
use std::cmp::Ordering;

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 5, 0, 0)
        .single()
        .expect("instant")
}

fn key() -> impl Strategy<Value = (Option<i64>, i64, u16)> {
    (
        proptest::option::of(-5_000i64..5_000),
        -10_000i64..0,
        0u16..50,
    )
}

fn make(now: DateTime<Utc>, (due, accepted, n): (Option<i64>, i64, u16)) -> RankKey {
    let due = due.map(|m| base() + Duration::minutes(m));
    RankKey {
        overdue: due.is_some_and(|d| d < now),
        due,
        accepted: base() + Duration::minutes(accepted),
        number: format!("2026-RVP-{n:05}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn total_order_with_overdue_first(raw in proptest::collection::vec(key(), 1..40), now_off in -3_000i64..3_000) {
        let now = base() + Duration::minutes(now_off);
        let mut keys: Vec<RankKey> = raw.into_iter().map(|r| make(now, r)).collect();
        // Antisymmetry and consistency with equality.
        for a in &keys {
            for b in &keys {
                prop_assert_eq!(a.cmp(b), b.cmp(a).reverse());
                prop_assert_eq!(a.cmp(b) == Ordering::Equal, a == b);
            }
        }
        keys.sort();
        // Sorted is sorted pairwise (transitivity as seen by sort).
        for w in keys.windows(2) {
            prop_assert!(w[0] <= w[1]);
        }
        // Every overdue case above every case that is not overdue.
        let first_not_overdue = keys.iter().position(|k| !k.overdue).unwrap_or(keys.len());
        prop_assert!(keys[first_not_overdue..].iter().all(|k| !k.overdue));
        // Among overdue cases the most overdue first; then least time left.
        for w in keys.windows(2) {
            if let (Some(a), Some(b)) = (w[0].due, w[1].due)
                && w[0].overdue == w[1].overdue
            {
                prop_assert!(a <= b);
            }
            if w[0].due.is_none() {
                prop_assert!(w[1].due.is_none());
            }
        }
    }
}
