//! Deadline arithmetic: when a term starts, when it ends, how much of it is
//! left, and how each date was derived.
//!
//! Instants are `DateTime<Utc>`; days are counted in the calendar's zone
//! (`Asia/Almaty`, through tzdata, so the switch from UTC+6 to UTC+5 on
//! 2024-03-01 comes out right). The current instant is always a parameter.

use std::fmt;

use super::msg::{Localize, Msg};
use crate::msg;
use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::Serialize;

use super::calendar::{Calendar, CalendarError, DayKind, weekday_short};

/// How a term is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    WorkingDays,
    CalendarDays,
}

/// A term of `count` working or calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Term {
    pub count: u32,
    pub unit: Unit,
    /// For calendar-day terms: a last day that is not a working day moves the
    /// end to the next working day.
    pub roll_to_working_day: bool,
}

impl Term {
    pub fn working_days(count: u32) -> Term {
        Term {
            count,
            unit: Unit::WorkingDays,
            roll_to_working_day: true,
        }
    }

    pub fn calendar_days(count: u32) -> Term {
        Term {
            count,
            unit: Unit::CalendarDays,
            roll_to_working_day: true,
        }
    }

    pub fn without_roll(self) -> Term {
        Term {
            roll_to_working_day: false,
            ..self
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.count;
        match self.unit {
            Unit::WorkingDays => write!(f, "{n} working day{}", plural(n)),
            Unit::CalendarDays => write!(f, "{n} calendar day{}", plural(n)),
        }
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A deadline could not be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermError {
    Calendar(CalendarError),
    NoSuchLocalTime(NaiveDateTime),
}

impl From<CalendarError> for TermError {
    fn from(e: CalendarError) -> Self {
        TermError::Calendar(e)
    }
}

impl Localize for TermError {
    fn msg(&self) -> Msg {
        match self {
            TermError::Calendar(e) => e.msg(),
            TermError::NoSuchLocalTime(t) => msg!("error.term.no-such-time", at = *t),
        }
    }
}
crate::localized_error!(TermError);

/// Why a term counts from the instant it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StartRule {
    /// Received during intake hours on a working day.
    DuringIntake,
    /// Received on a working day before the office opened.
    BeforeOpening,
    /// Received after intake closed: counts from the next working day.
    AfterIntake,
    /// Received on a weekend or a day off: counts from the next working day.
    DayOff,
}

/// The instant a term counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Start {
    pub received: DateTime<Utc>,
    pub counts_from: DateTime<Utc>,
    /// The acceptance day: not counted in the term.
    pub acceptance_day: NaiveDate,
    pub rule: StartRule,
}

/// A computed deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub start: Start,
    pub term: Term,
    /// The last day of the term.
    pub due_day: NaiveDate,
    /// The last instant (to the second) at which the term is still kept:
    /// 18:30 for working-day terms, 23:59:59 for calendar-day terms (24:00).
    pub due: DateTime<Utc>,
    /// For a calendar-day term rolled to a working day: the day it would have ended.
    pub rolled_from: Option<NaiveDate>,
    /// Set when the computation used a year whose data is an estimate:
    /// that year ([`Calendar::estimate_warning`] words it).
    pub estimate: Option<i32>,
}

/// The local wall-clock time of an instant in the calendar's zone.
pub fn local(cal: &Calendar, instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&cal.zone()).naive_local()
}

/// The instant of a local wall-clock time; in a repeated hour, the earlier one.
pub fn at_local(
    cal: &Calendar,
    day: NaiveDate,
    time: NaiveTime,
) -> Result<DateTime<Utc>, TermError> {
    let naive = day.and_time(time);
    match cal.zone().from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, _) => Ok(a.with_timezone(&Utc)),
        LocalResult::None => Err(TermError::NoSuchLocalTime(naive)),
    }
}

/// The last second of local day `day` (24:00 is the first instant of the next day).
pub fn end_of_day(cal: &Calendar, day: NaiveDate) -> Result<DateTime<Utc>, TermError> {
    let next = day.succ_opt().ok_or(CalendarError::NotCovered {
        year: 9999,
        first: cal.years().0,
        last: cal.years().1,
    })?;
    Ok(at_local(cal, next, NaiveTime::MIN)? - Duration::seconds(1))
}

/// When a term starts for an application received at `received` at the
/// office (intake closes at the office's `intake_closes`).
pub fn start_of_term(cal: &Calendar, received: DateTime<Utc>) -> Result<Start, TermError> {
    start_of_term_until(cal, received, cal.office().intake_closes)
}

/// When a term starts for an application received at `received` through a
/// channel whose intake closes at `intake_closes`: later that day, it
/// counts from the next working day.
pub fn start_of_term_until(
    cal: &Calendar,
    received: DateTime<Utc>,
    intake_closes: NaiveTime,
) -> Result<Start, TermError> {
    let office = cal.office();
    let here = local(cal, received);
    let day = here.date();
    let time = here.time();
    let next_day = |rule| -> Result<Start, TermError> {
        let next = cal.add_working_days(day, 1)?;
        Ok(Start {
            received,
            counts_from: at_local(cal, next, office.opens)?,
            acceptance_day: next,
            rule,
        })
    };
    if !cal.is_working(day)? {
        return next_day(StartRule::DayOff);
    }
    if time > intake_closes {
        return next_day(StartRule::AfterIntake);
    }
    if time < office.opens {
        return Ok(Start {
            received,
            counts_from: at_local(cal, day, office.opens)?,
            acceptance_day: day,
            rule: StartRule::BeforeOpening,
        });
    }
    Ok(Start {
        received,
        counts_from: received,
        acceptance_day: day,
        rule: StartRule::DuringIntake,
    })
}

/// The end of a term counted from `day` (the day itself not counted).
pub struct Due {
    pub due_day: NaiveDate,
    pub due: DateTime<Utc>,
    pub rolled_from: Option<NaiveDate>,
    pub estimate: Option<i32>,
}

/// The end of `term` counted from `day`, which is not counted.
pub fn due_after_day(cal: &Calendar, day: NaiveDate, term: Term) -> Result<Due, TermError> {
    let (due_day, due, rolled_from) = match term.unit {
        Unit::WorkingDays => {
            let d = cal.add_working_days(day, term.count)?;
            (d, at_local(cal, d, cal.office().closes)?, None)
        }
        Unit::CalendarDays => {
            let last = day
                .checked_add_signed(Duration::days(i64::from(term.count)))
                .ok_or(CalendarError::NotCovered {
                    year: 9999,
                    first: cal.years().0,
                    last: cal.years().1,
                })?;
            // The last day must be known even when it is not rolled.
            let working = cal.is_working(last)?;
            let (d, rolled) = if term.roll_to_working_day && !working {
                (cal.working_day_on_or_after(last)?, Some(last))
            } else {
                (last, None)
            };
            (d, end_of_day(cal, d)?, rolled)
        }
    };
    let estimate = cal.estimate_between(day, due_day).map(|(y, _)| y);
    Ok(Due {
        due_day,
        due,
        rolled_from,
        estimate,
    })
}

/// The deadline of `term` for an application received at `received`.
pub fn deadline(
    cal: &Calendar,
    received: DateTime<Utc>,
    term: Term,
) -> Result<Deadline, TermError> {
    let start = start_of_term(cal, received)?;
    let due = due_after_day(cal, start.acceptance_day, term)?;
    Ok(Deadline {
        start,
        term,
        due_day: due.due_day,
        due: due.due,
        rolled_from: due.rolled_from,
        estimate: due.estimate,
    })
}

/// The latest moment for an act due "no later than `n` working days before"
/// day `x`: the end of the working day that lies `n` working days before `x`.
pub fn latest_before(
    cal: &Calendar,
    x: NaiveDate,
    n: u32,
) -> Result<(NaiveDate, DateTime<Utc>), TermError> {
    let day = cal.sub_working_days(x, n)?;
    Ok((day, at_local(cal, day, cal.office().closes)?))
}

/// How much of a term is left, or how long it is overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimeLeft {
    pub overdue: bool,
    pub unit: Unit,
    /// Working days (working-day terms) or calendar days (calendar-day terms)
    /// after today up to the due day; when overdue, after the due day up to today.
    pub days: i64,
    /// Minutes: left of today's office hours (working-day terms), left until
    /// the end on the due day, or overdue on the day it fell due.
    pub minutes: i64,
}

/// Time left until `due` (the last day `due_day`) as seen at `now`.
pub fn time_left(
    cal: &Calendar,
    unit: Unit,
    due_day: NaiveDate,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<TimeLeft, TermError> {
    let here = local(cal, now);
    let today = here.date();
    if now <= due {
        let (days, minutes) = if today >= due_day {
            (0, (due - now).num_minutes())
        } else {
            match unit {
                Unit::WorkingDays => {
                    let days = cal.working_days_between(today, due_day)?;
                    let office = cal.office();
                    let minutes = if cal.is_working(today)? && here.time() < office.closes {
                        let from = here.time().max(office.opens);
                        (office.closes - from).num_minutes()
                    } else {
                        0
                    };
                    (days, minutes)
                }
                Unit::CalendarDays => ((due_day - today).num_days(), 0),
            }
        };
        return Ok(TimeLeft {
            overdue: false,
            unit,
            days,
            minutes,
        });
    }
    let days = match unit {
        Unit::WorkingDays => cal.working_days_between(due_day, today)?,
        Unit::CalendarDays => (today - due_day).num_days(),
    };
    let minutes = if days == 0 {
        (now - due).num_minutes()
    } else {
        0
    };
    Ok(TimeLeft {
        overdue: true,
        unit,
        days,
        minutes,
    })
}

impl Deadline {
    pub fn time_left(&self, cal: &Calendar, now: DateTime<Utc>) -> Result<TimeLeft, TermError> {
        time_left(cal, self.term.unit, self.due_day, self.due, now)
    }
}

fn hm(minutes: i64) -> String {
    format!("{}h{:02}m", minutes / 60, minutes % 60)
}

/// Hours and minutes in the catalogue's words.
fn hm_msg(minutes: i64) -> Msg {
    msg!(
        "left.hm",
        h = minutes / 60,
        m = format!("{:02}", minutes % 60)
    )
}

impl TimeLeft {
    /// The time left as a sentence in the catalogue's words.
    pub fn msg(&self) -> Msg {
        let days = |n: i64| {
            let n = n.unsigned_abs().min(u64::from(u32::MAX)) as u32;
            match self.unit {
                Unit::WorkingDays => Term::working_days(n).msg(),
                Unit::CalendarDays => Term::calendar_days(n).msg(),
            }
        };
        match (self.overdue, self.days, self.minutes) {
            (false, 0, m) => msg!("left.today", time = hm_msg(m)),
            (false, d, 0) => msg!("left.days", days = days(d)),
            (false, d, m) => msg!("left.days-time", days = days(d), time = hm_msg(m)),
            (true, 0, m) => msg!("left.overdue-time", time = hm_msg(m)),
            (true, d, _) => msg!("left.overdue-days", days = days(d)),
        }
    }
}

impl fmt::Display for TimeLeft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            Unit::WorkingDays => "working day",
            Unit::CalendarDays => "day",
        };
        let days = |n: i64| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
        match (self.overdue, self.days, self.minutes) {
            (false, 0, m) => write!(f, "due today, {} left", hm(m)),
            (false, d, 0) => write!(f, "{} left", days(d)),
            (false, d, m) => write!(f, "{} + {} left", days(d), hm(m)),
            (true, 0, m) => write!(f, "overdue {}", hm(m)),
            (true, d, _) => write!(f, "overdue {}", days(d)),
        }
    }
}

/// Parse an instant given as RFC 3339 or as `YYYY-MM-DD HH:MM[:SS]` in the
/// calendar's zone.
pub fn parse_instant(cal: &Calendar, text: &str) -> Result<DateTime<Utc>, Msg> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .map_err(|_| {
            msg!(
                "error.term.bad-instant",
                text = text.escape_default().to_string()
            )
        })?;
    at_local(cal, naive.date(), naive.time()).map_err(|e| e.msg())
}

// ---------------------------------------------------------------------------
// Explanation

/// A day that the term skipped, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedDay {
    pub date: NaiveDate,
    pub reason: Msg,
}

/// How a deadline was derived, step by step, as values and sentences that
/// the caller words in its language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// Wall-clock moments in the calendar's zone.
    pub received: NaiveDateTime,
    pub counts_from: NaiveDateTime,
    pub start_rule: StartRule,
    pub start_reason: Msg,
    pub acceptance_day: NaiveDate,
    pub term: Term,
    pub rule: Msg,
    /// The working days counted, 1..=N (working-day terms only).
    pub counted: Vec<NaiveDate>,
    /// Every day off between the day of receipt and the due day, with its reason
    /// (for calendar-day terms: the days the end was rolled over).
    pub skipped: Vec<SkippedDay>,
    pub rolled_from: Option<NaiveDate>,
    /// The due moment: 18:30 of the last day, or its end (24:00).
    pub due: Msg,
    /// The estimated year the computation used, if any.
    pub estimate: Option<i32>,
}

/// `Fri 20.11.2026 17:45 +05:00`
pub fn format_local(cal: &Calendar, instant: DateTime<Utc>) -> String {
    let t = instant.with_timezone(&cal.zone());
    format!(
        "{} {}",
        weekday_short(chrono::Datelike::weekday(&t)),
        t.format("%d.%m.%Y %H:%M %:z")
    )
}

/// `Fri 20.11.2026`
pub fn format_day(day: NaiveDate) -> String {
    format!(
        "{} {}",
        weekday_short(chrono::Datelike::weekday(&day)),
        day.format("%d.%m.%Y")
    )
}

impl Term {
    /// `10 working days`, in the catalogue's words.
    pub fn msg(&self) -> Msg {
        match (self.unit, self.count) {
            (Unit::WorkingDays, 1) => Msg::key("term.one-working-day"),
            (Unit::CalendarDays, 1) => Msg::key("term.one-calendar-day"),
            (Unit::WorkingDays, n) => msg!("term.working-days", n = n),
            (Unit::CalendarDays, n) => msg!("term.calendar-days", n = n),
        }
    }
}

/// Derive the explanation of a deadline. This walks every day of the term,
/// so it is meant for display, not for the hot path.
pub fn explain(cal: &Calendar, d: &Deadline) -> Result<Explanation, TermError> {
    let office = cal.office();
    let hm = |t: NaiveTime| t.format("%H:%M").to_string();
    let start_reason = match d.start.rule {
        StartRule::DuringIntake => Msg::key("explain.during-intake"),
        StartRule::BeforeOpening => msg!("explain.before-opening", opens = hm(office.opens)),
        StartRule::AfterIntake => msg!(
            "explain.after-intake",
            closes = hm(office.intake_closes),
            opens = hm(office.opens)
        ),
        StartRule::DayOff => {
            let day = local(cal, d.start.received).date();
            msg!(
                "explain.day-off",
                reason = cal.day_msg(cal.kind(day)?),
                opens = hm(office.opens)
            )
        }
    };
    let rule = match d.term.unit {
        Unit::WorkingDays => msg!(
            "explain.working-rule",
            closes = hm(office.closes),
            n = d.term.count
        ),
        Unit::CalendarDays if d.term.roll_to_working_day => {
            msg!("explain.calendar-rule-rolls", n = d.term.count)
        }
        Unit::CalendarDays => msg!("explain.calendar-rule", n = d.term.count),
    };
    let received_day = local(cal, d.start.received).date();
    let mut counted = Vec::new();
    let mut skipped = Vec::new();
    let mut skip = |day: NaiveDate, kind: DayKind| {
        skipped.push(SkippedDay {
            date: day,
            reason: cal.day_msg(kind),
        })
    };
    match d.term.unit {
        Unit::WorkingDays => {
            for (day, kind) in cal.range(received_day, d.due_day)? {
                if !kind.is_working() {
                    skip(day, kind);
                } else if day > d.start.acceptance_day {
                    counted.push(day);
                }
            }
        }
        Unit::CalendarDays => {
            if received_day < d.start.acceptance_day {
                for (day, kind) in cal.range(received_day, d.start.acceptance_day)? {
                    if !kind.is_working() {
                        skip(day, kind);
                    }
                }
            }
            if let Some(from) = d.rolled_from {
                for (day, kind) in cal.range(from, d.due_day)? {
                    if !kind.is_working() {
                        skip(day, kind);
                    }
                }
            }
        }
    }
    let due = match d.term.unit {
        Unit::WorkingDays => msg!("explain.at", at = local(cal, d.due)),
        Unit::CalendarDays => msg!("explain.end-of", day = d.due_day),
    };
    Ok(Explanation {
        received: local(cal, d.start.received),
        counts_from: local(cal, d.start.counts_from),
        start_rule: d.start.rule,
        start_reason,
        acceptance_day: d.start.acceptance_day,
        term: d.term,
        rule,
        counted,
        skipped,
        rolled_from: d.rolled_from,
        due,
        estimate: d.estimate,
    })
}
