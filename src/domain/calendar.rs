//! The working-day calendar of Kazakhstan.
//!
//! The rules (holidays with the years they are in force, the weekend-move
//! rule, per-year Government transfers and Kurban Ait dates) are data: see
//! `rules/calendar-kz.toml`. [`Calendar::from_sources`] parses one or more
//! such files (later ones merged over earlier ones), validates them and
//! builds a day table with prefix counts of working days, so that adding or
//! counting working days costs the same whatever the number of days.

use std::collections::BTreeMap;
use std::fmt;

use super::msg::{Arg, Localize, Msg};
use crate::msg;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;
use toml::Spanned;

use super::rules_error::{RuleError, Source};
use super::text::Names;

/// What kind of day a date is, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// An ordinary Monday-Friday working day.
    Working,
    /// A day off (usually a Saturday or Sunday) made a working day by a
    /// Government transfer; the day off went to `off_instead`.
    WorkingByTransfer { off_instead: NaiveDate },
    /// Saturday or Sunday.
    Weekend,
    /// A public holiday or a fixed day off (index into the holiday list).
    Holiday { holiday: u16 },
    /// The day off that a holiday falling on a weekend moved to.
    MovedHoliday { holiday: u16, from: NaiveDate },
    /// A working day made a day off by a Government transfer; the working
    /// day went to `working_instead`.
    TransferOff { working_instead: NaiveDate },
}

impl DayKind {
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Working | DayKind::WorkingByTransfer { .. })
    }

    /// A short, stable machine name for scripts.
    pub fn code(self) -> &'static str {
        match self {
            DayKind::Working => "working",
            DayKind::WorkingByTransfer { .. } => "working_by_transfer",
            DayKind::Weekend => "weekend",
            DayKind::Holiday { .. } => "holiday",
            DayKind::MovedHoliday { .. } => "moved_holiday",
            DayKind::TransferOff { .. } => "transfer_off",
        }
    }
}

/// Office hours of the service provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficeHours {
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    /// Applications received after this time count from the next working day.
    pub intake_closes: NaiveTime,
    pub lunch: (NaiveTime, NaiveTime),
}

/// A holiday rule as the calendar knows it.
#[derive(Debug, Clone)]
pub struct Holiday {
    pub id: String,
    pub name: Names,
    pub moves: bool,
}

/// A computation needed a day the calendar has no data for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarError {
    NotCovered { year: i32, first: i32, last: i32 },
}

impl Localize for CalendarError {
    fn msg(&self) -> Msg {
        let CalendarError::NotCovered { year, first, last } = self;
        msg!(
            "error.calendar.not-covered",
            year = *year,
            first = *first,
            last = *last
        )
    }
}
crate::localized_error!(CalendarError);

/// The catalogue keys of the short weekday names, Monday first.
pub const WEEKDAY_KEYS: [&str; 7] = [
    "weekday.mon",
    "weekday.tue",
    "weekday.wed",
    "weekday.thu",
    "weekday.fri",
    "weekday.sat",
    "weekday.sun",
];

/// The built working-day calendar.
#[derive(Debug, Clone)]
pub struct Calendar {
    zone: Tz,
    office: OfficeHours,
    holidays: Vec<Holiday>,
    first_year: i32,
    last_year: i32,
    /// `num_days_from_ce` of 1 January of `first_year`.
    first_ce: i32,
    days: Vec<DayKind>,
    /// `working_before[i]`: how many working days lie strictly before day `i`.
    working_before: Vec<u32>,
    /// Day indices of all working days, in order.
    working_days: Vec<u32>,
    /// Years whose data is an estimate, with the reason.
    estimates: BTreeMap<i32, Names>,
}

/// The name under which the built-in calendar reports its errors.
pub const BUILT_IN_NAME: &str = "rules/calendar-kz.toml (built in)";
/// The built-in calendar rules.
pub const BUILT_IN: &str = include_str!("../../rules/calendar-kz.toml");

impl Calendar {
    /// The calendar as shipped, without any administrator's override.
    pub fn built_in() -> Result<Calendar, RuleError> {
        Calendar::from_sources(&[Source {
            name: BUILT_IN_NAME,
            text: BUILT_IN,
        }])
    }

    /// Parse, merge (later sources over earlier ones) and validate.
    pub fn from_sources(sources: &[Source<'_>]) -> Result<Calendar, RuleError> {
        let mut merged = Merged::default();
        for src in sources {
            let raw: RawCalendar = toml::from_str(src.text).map_err(|e| src.toml_error(&e))?;
            merged.absorb(*src, raw)?;
        }
        merged.build()
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    pub fn office(&self) -> &OfficeHours {
        &self.office
    }

    pub fn holidays(&self) -> &[Holiday] {
        &self.holidays
    }

    /// The first and last year with data.
    pub fn years(&self) -> (i32, i32) {
        (self.first_year, self.last_year)
    }

    /// The note of a year whose data is an estimate.
    pub fn estimate_note(&self, year: i32) -> Option<&Names> {
        self.estimates.get(&year)
    }

    /// The first estimated year among the years of `from..=to`, with its note.
    pub fn estimate_between(&self, from: NaiveDate, to: NaiveDate) -> Option<(i32, &Names)> {
        let (a, b) = if from <= to { (from, to) } else { (to, from) };
        self.estimates
            .range(a.year()..=b.year())
            .next()
            .map(|(y, n)| (*y, n))
    }

    fn index(&self, date: NaiveDate) -> Result<usize, CalendarError> {
        let i = date.num_days_from_ce() - self.first_ce;
        if i < 0 || i as usize >= self.days.len() {
            return Err(self.not_covered(date.year()));
        }
        Ok(i as usize)
    }

    fn date_at(&self, index: u32) -> NaiveDate {
        // The table only holds dates chrono can represent.
        NaiveDate::from_num_days_from_ce_opt(self.first_ce + index as i32).unwrap_or(NaiveDate::MAX)
    }

    fn not_covered(&self, year: i32) -> CalendarError {
        CalendarError::NotCovered {
            year,
            first: self.first_year,
            last: self.last_year,
        }
    }

    /// What kind of day `date` is.
    pub fn kind(&self, date: NaiveDate) -> Result<DayKind, CalendarError> {
        Ok(self.days[self.index(date)?])
    }

    pub fn is_working(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.kind(date)?.is_working())
    }

    /// The `n`-th working day after `date` (`date` itself is not counted).
    /// With `n == 0` the answer is `date`.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let i = self.index(date)?;
        if n == 0 {
            return Ok(date);
        }
        let through = self.working_before[i] + u32::from(self.days[i].is_working());
        let k = through as usize + n as usize - 1;
        match self.working_days.get(k) {
            Some(&d) => Ok(self.date_at(d)),
            None => Err(self.not_covered(self.last_year + 1)),
        }
    }

    /// The `n`-th working day before `date` (`date` itself is not counted).
    /// With `n == 0` the answer is `date`.
    pub fn sub_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let i = self.index(date)?;
        if n == 0 {
            return Ok(date);
        }
        let before = self.working_before[i];
        if before < n {
            return Err(self.not_covered(self.first_year - 1));
        }
        Ok(self.date_at(self.working_days[(before - n) as usize]))
    }

    /// The first working day on or after `date`.
    pub fn working_day_on_or_after(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        if self.is_working(date)? {
            Ok(date)
        } else {
            self.add_working_days(date, 1)
        }
    }

    /// Working days in `(from, to]`; negative when `to` is before `from`.
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i64, CalendarError> {
        let through = |d: NaiveDate| -> Result<i64, CalendarError> {
            let i = self.index(d)?;
            Ok(i64::from(self.working_before[i]) + i64::from(self.days[i].is_working()))
        };
        Ok(through(to)? - through(from)?)
    }

    /// Why a day is or is not a working day, as a sentence.
    pub fn day_msg(&self, kind: DayKind) -> Msg {
        let holiday = |h: u16| match self.holidays.get(h as usize) {
            Some(x) => Arg::from(&x.name),
            None => Arg::from(""),
        };
        let short = |d: NaiveDate| {
            Arg::from(msg!(
                "day.short",
                weekday = Msg::key(WEEKDAY_KEYS[d.weekday().num_days_from_monday() as usize]),
                day = d.format("%d.%m").to_string()
            ))
        };
        let (key, args) = match kind {
            DayKind::Working => ("day.working", vec![]),
            DayKind::Weekend => ("day.weekend", vec![]),
            DayKind::Holiday { holiday: h } => ("day.holiday", vec![("holiday", holiday(h))]),
            DayKind::MovedHoliday { holiday: h, from } => (
                "day.moved-holiday",
                vec![("day", short(from)), ("holiday", holiday(h))],
            ),
            DayKind::TransferOff { working_instead } => {
                ("day.transfer-off", vec![("day", short(working_instead))])
            }
            DayKind::WorkingByTransfer { off_instead } => {
                ("day.working-by-transfer", vec![("day", short(off_instead))])
            }
        };
        Msg { key, args }
    }

    /// Iterate over `from..=to` with each day's kind.
    pub fn range(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<impl Iterator<Item = (NaiveDate, DayKind)> + '_, CalendarError> {
        let a = self.index(from)?;
        let b = self.index(to)?;
        let (a, b) = (a.min(b), b.max(a));
        Ok((a..=b).map(move |i| (self.date_at(i as u32), self.days[i])))
    }
}

/// `Sat 21.03`
pub fn short_day(d: NaiveDate) -> String {
    format!("{} {}", weekday_short(d.weekday()), d.format("%d.%m"))
}

pub fn weekday_short(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "Mon",
        Weekday::Tue => "Tue",
        Weekday::Wed => "Wed",
        Weekday::Thu => "Thu",
        Weekday::Fri => "Fri",
        Weekday::Sat => "Sat",
        Weekday::Sun => "Sun",
    }
}

pub fn weekday_long(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

// ---------------------------------------------------------------------------
// Parsing and validation

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    zone: Option<Spanned<String>>,
    office: Option<Spanned<RawOffice>>,
    #[serde(default)]
    holiday: Vec<Spanned<RawHoliday>>,
    #[serde(default)]
    years: BTreeMap<Spanned<String>, Spanned<RawYear>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOffice {
    opens: String,
    closes: String,
    intake_closes: String,
    lunch: [String; 2],
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    id: String,
    name: Names,
    #[serde(default)]
    dates: Vec<Spanned<String>>,
    #[serde(default)]
    per_year: bool,
    #[serde(default = "yes")]
    moves: bool,
    from: Option<i32>,
    to: Option<i32>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    status: Spanned<String>,
    note: Option<NoteText>,
    #[serde(default)]
    dates: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    transfers: Vec<Spanned<RawTransfer>>,
}

/// A year's note: one text (an administrator's quick override), or the
/// same note in Kazakh, Russian and English.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum NoteText {
    Plain(String),
    Names(Names),
}

impl NoteText {
    fn into_names(self) -> Names {
        match self {
            NoteText::Plain(s) => Names {
                kk: s.clone(),
                ru: s.clone(),
                en: s,
            },
            NoteText::Names(n) => n,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransfer {
    working: Spanned<String>,
    off: Spanned<String>,
    #[allow(dead_code)]
    note: Option<String>,
}

/// A value together with the place it came from.
struct Located<T> {
    file: String,
    line: usize,
    value: T,
}

impl<T> Located<T> {
    fn error(&self, reason: impl Into<String>) -> RuleError {
        RuleError::new(self.file.clone(), self.line, reason)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum YearStatus {
    Confirmed,
    Estimate,
}

struct ParsedHoliday {
    id: String,
    name: Names,
    /// (month, day) for fixed-date holidays, with their lines.
    fixed: Vec<(u32, u32)>,
    per_year: bool,
    moves: bool,
    from: Option<i32>,
    to: Option<i32>,
}

struct ParsedYear {
    status: YearStatus,
    note: Names,
    /// Per-year dates of holidays marked `per_year`, by holiday id.
    dates: BTreeMap<String, Located<NaiveDate>>,
    transfers: Vec<Located<(NaiveDate, NaiveDate)>>,
}

#[derive(Default)]
struct Merged {
    zone: Option<Located<Tz>>,
    office: Option<OfficeHours>,
    holidays: Vec<Located<ParsedHoliday>>,
    years: BTreeMap<i32, Located<ParsedYear>>,
}

fn parse_time(src: Source<'_>, at: usize, s: &str, what: &str) -> Result<NaiveTime, RuleError> {
    NaiveTime::parse_from_str(s, "%H:%M")
        .map_err(|_| src.error_at(at, format!("{what}: '{s}' is not a time of day HH:MM")))
}

fn parse_date(src: Source<'_>, v: &Spanned<String>, what: &str) -> Result<NaiveDate, RuleError> {
    NaiveDate::parse_from_str(v.get_ref(), "%Y-%m-%d").map_err(|_| {
        src.error_at(
            v.span().start,
            format!("{what}: '{}' is not a real date YYYY-MM-DD", v.get_ref()),
        )
    })
}

impl Merged {
    fn absorb(&mut self, src: Source<'_>, raw: RawCalendar) -> Result<(), RuleError> {
        if let Some(zone) = raw.zone {
            let tz: Tz = zone.get_ref().parse().map_err(|_| {
                src.error_at(
                    zone.span().start,
                    format!("zone: '{}' is not a tz database zone", zone.get_ref()),
                )
            })?;
            self.zone = Some(Located {
                file: src.name.to_string(),
                line: src.line_of(zone.span().start),
                value: tz,
            });
        }
        if let Some(office) = raw.office {
            let at = office.span().start;
            let o = office.into_inner();
            let hours = OfficeHours {
                opens: parse_time(src, at, &o.opens, "office.opens")?,
                closes: parse_time(src, at, &o.closes, "office.closes")?,
                intake_closes: parse_time(src, at, &o.intake_closes, "office.intake_closes")?,
                lunch: (
                    parse_time(src, at, &o.lunch[0], "office.lunch")?,
                    parse_time(src, at, &o.lunch[1], "office.lunch")?,
                ),
            };
            if !(hours.opens < hours.intake_closes && hours.intake_closes <= hours.closes) {
                return Err(src.error_at(at, "office: expected opens < intake_closes <= closes"));
            }
            self.office = Some(hours);
        }
        for h in raw.holiday {
            let at = h.span().start;
            let h = h.into_inner();
            let located =
                |reason: String| src.error_at(at, format!("holiday '{}': {reason}", h.id));
            if h.id.trim().is_empty() {
                return Err(src.error_at(at, "holiday: empty id"));
            }
            if let Some(lang) = h.name.missing() {
                return Err(located(format!("name has no {lang:?} text")));
            }
            if h.per_year != h.dates.is_empty() {
                return Err(located(
                    "give either dates = [\"MM-DD\", …] or per_year = true".to_string(),
                ));
            }
            if let (Some(from), Some(to)) = (h.from, h.to)
                && from > to
            {
                return Err(located(format!(
                    "in force from {from} to {to}: empty range"
                )));
            }
            let mut fixed = Vec::new();
            for d in &h.dates {
                // 2000 is a leap year, so 02-29 is accepted here.
                let md = NaiveDate::parse_from_str(&format!("2000-{}", d.get_ref()), "%Y-%m-%d")
                    .map_err(|_| {
                        src.error_at(
                            d.span().start,
                            format!("holiday '{}': '{}' is not a date MM-DD", h.id, d.get_ref()),
                        )
                    })?;
                fixed.push((md.month(), md.day()));
            }
            let parsed = Located {
                file: src.name.to_string(),
                line: src.line_of(at),
                value: ParsedHoliday {
                    id: h.id.clone(),
                    name: h.name,
                    fixed,
                    per_year: h.per_year,
                    moves: h.moves,
                    from: h.from,
                    to: h.to,
                },
            };
            match self.holidays.iter_mut().find(|p| p.value.id == h.id) {
                Some(slot) => *slot = parsed,
                None => self.holidays.push(parsed),
            }
        }
        for (key, year) in raw.years {
            let at = key.span().start;
            let y: i32 = key
                .get_ref()
                .parse()
                .ok()
                .filter(|y| (1900..=2200).contains(y))
                .ok_or_else(|| {
                    src.error_at(at, format!("years.{}: not a year 1900-2200", key.get_ref()))
                })?;
            let year_at = year.span().start;
            let year = year.into_inner();
            let status = match year.status.get_ref().as_str() {
                "confirmed" => YearStatus::Confirmed,
                "estimate" => YearStatus::Estimate,
                other => {
                    return Err(src.error_at(
                        year.status.span().start,
                        format!(
                            "years.{y}.status: '{other}' is neither 'confirmed' nor 'estimate'"
                        ),
                    ));
                }
            };
            let mut dates = BTreeMap::new();
            for (id, d) in &year.dates {
                let date = parse_date(src, d, &format!("years.{y}.dates.{id}"))?;
                if date.year() != y {
                    return Err(src.error_at(
                        d.span().start,
                        format!("years.{y}.dates.{id}: {date} is not in {y}"),
                    ));
                }
                dates.insert(
                    id.clone(),
                    Located {
                        file: src.name.to_string(),
                        line: src.line_of(d.span().start),
                        value: date,
                    },
                );
            }
            let mut transfers = Vec::new();
            for t in &year.transfers {
                let t_ref = t.get_ref();
                let working =
                    parse_date(src, &t_ref.working, &format!("years.{y}.transfers.working"))?;
                let off = parse_date(src, &t_ref.off, &format!("years.{y}.transfers.off"))?;
                if working.year() != y && off.year() != y {
                    return Err(src.error_at(
                        t.span().start,
                        format!("years.{y}: transfer {working} / {off} does not touch {y}"),
                    ));
                }
                transfers.push(Located {
                    file: src.name.to_string(),
                    line: src.line_of(t.span().start),
                    value: (working, off),
                });
            }
            let note = year.note.map(NoteText::into_names).unwrap_or(Names {
                kk: String::new(),
                ru: String::new(),
                en: String::new(),
            });
            if status == YearStatus::Estimate && note.missing().is_some() {
                return Err(src.error_at(
                    year_at,
                    format!(
                        "years.{y}: an estimated year needs a note saying what is not confirmed"
                    ),
                ));
            }
            self.years.insert(
                y,
                Located {
                    file: src.name.to_string(),
                    line: src.line_of(at),
                    value: ParsedYear {
                        status,
                        note,
                        dates,
                        transfers,
                    },
                },
            );
        }
        Ok(())
    }

    fn build(self) -> Result<Calendar, RuleError> {
        let file = self
            .holidays
            .first()
            .map(|h| h.file.clone())
            .unwrap_or_else(|| BUILT_IN_NAME.to_string());
        let zone = self
            .zone
            .map(|z| z.value)
            .ok_or_else(|| RuleError::new(&file, 0, "no zone given"))?;
        let office = self
            .office
            .ok_or_else(|| RuleError::new(&file, 0, "no [office] hours given"))?;
        let (first_year, last_year) = match (self.years.keys().next(), self.years.keys().last()) {
            (Some(&a), Some(&b)) => (a, b),
            _ => return Err(RuleError::new(&file, 0, "no [years.N] table given")),
        };
        let mut prev = first_year;
        for (&y, data) in self.years.range(first_year + 1..) {
            if y != prev + 1 {
                return Err(data.error(format!(
                    "years {}-{} are missing: the calendar must cover consecutive years",
                    prev + 1,
                    y - 1
                )));
            }
            prev = y;
        }
        let first = NaiveDate::from_ymd_opt(first_year, 1, 1)
            .ok_or_else(|| RuleError::new(&file, 0, "first year out of range"))?;
        let last = NaiveDate::from_ymd_opt(last_year, 12, 31)
            .ok_or_else(|| RuleError::new(&file, 0, "last year out of range"))?;
        let len = (last - first).num_days() as usize + 1;
        let mut days: Vec<DayKind> = (0..len)
            .map(|i| {
                if is_weekend(first + Duration::days(i as i64)) {
                    DayKind::Weekend
                } else {
                    DayKind::Working
                }
            })
            .collect();
        let idx = |d: NaiveDate| -> Option<usize> {
            let i = (d - first).num_days();
            (i >= 0 && (i as usize) < len).then_some(i as usize)
        };

        // Per-year dates must name a per-year holiday.
        for data in self.years.values() {
            for (id, d) in &data.value.dates {
                let known = self
                    .holidays
                    .iter()
                    .any(|h| &h.value.id == id && h.value.per_year);
                if !known {
                    return Err(RuleError::new(
                        d.file.clone(),
                        d.line,
                        format!("'{id}' is not a holiday declared with per_year = true"),
                    ));
                }
            }
        }

        let holidays: Vec<Holiday> = self
            .holidays
            .iter()
            .map(|h| Holiday {
                id: h.value.id.clone(),
                name: h.value.name.clone(),
                moves: h.value.moves,
            })
            .collect();

        for (&y, data) in &self.years {
            // 1. Holidays in force this year.
            let mut moving_on_weekend: Vec<(NaiveDate, u16)> = Vec::new();
            for (hi, h) in self.holidays.iter().enumerate() {
                let hv = &h.value;
                if hv.from.is_some_and(|f| y < f) || hv.to.is_some_and(|t| y > t) {
                    continue;
                }
                let mut dates = Vec::new();
                if hv.per_year {
                    match data.value.dates.get(&hv.id) {
                        Some(d) => dates.push(d.value),
                        None => {
                            return Err(data.error(format!(
                                "years.{y}: no date for '{}' (dates = {{ {} = \"YYYY-MM-DD\" }})",
                                hv.id, hv.id
                            )));
                        }
                    }
                } else {
                    for &(m, d) in &hv.fixed {
                        match NaiveDate::from_ymd_opt(y, m, d) {
                            Some(date) => dates.push(date),
                            // 29 February in a common year: no holiday that year.
                            None => continue,
                        }
                    }
                }
                for date in dates {
                    let Some(i) = idx(date) else { continue };
                    if !matches!(days[i], DayKind::Holiday { .. }) {
                        days[i] = DayKind::Holiday { holiday: hi as u16 };
                    }
                    if hv.moves && is_weekend(date) {
                        moving_on_weekend.push((date, hi as u16));
                    }
                }
            }
            // 2. The weekend-move rule: each holiday on a Saturday or Sunday
            // gives the next day that is neither a weekend, a holiday nor an
            // already moved day off; so a run of holidays is skipped whole.
            moving_on_weekend.sort();
            for (date, hi) in moving_on_weekend {
                let mut d = date + Duration::days(1);
                loop {
                    let Some(i) = idx(d) else {
                        return Err(data.error(format!(
                            "the day off for {} ({date}) moves past the last year of the calendar",
                            holidays[hi as usize].id
                        )));
                    };
                    if days[i] == DayKind::Working {
                        days[i] = DayKind::MovedHoliday {
                            holiday: hi,
                            from: date,
                        };
                        break;
                    }
                    d += Duration::days(1);
                }
            }
        }
        // 3. Government transfers, over holidays and moves of all years.
        for data in self.years.values() {
            for t in &data.value.transfers {
                let (working, off) = t.value;
                let (Some(wi), Some(oi)) = (idx(working), idx(off)) else {
                    return Err(t.error(format!(
                        "transfer {working} / {off} lies outside the calendar's years"
                    )));
                };
                match days[wi] {
                    DayKind::Weekend | DayKind::MovedHoliday { .. } => {}
                    other => {
                        return Err(t.error(format!(
                            "transfer: {working} cannot become a working day: it is {}",
                            describe_plain(other)
                        )));
                    }
                }
                if days[oi] != DayKind::Working {
                    return Err(t.error(format!(
                        "transfer: {off} cannot become a day off: it is {}",
                        describe_plain(days[oi])
                    )));
                }
                days[wi] = DayKind::WorkingByTransfer { off_instead: off };
                days[oi] = DayKind::TransferOff {
                    working_instead: working,
                };
            }
        }

        let mut working_before = Vec::with_capacity(len);
        let mut working_days = Vec::new();
        let mut count = 0u32;
        for (i, k) in days.iter().enumerate() {
            working_before.push(count);
            if k.is_working() {
                working_days.push(i as u32);
                count += 1;
            }
        }
        let estimates = self
            .years
            .iter()
            .filter(|(_, d)| d.value.status == YearStatus::Estimate)
            .map(|(&y, d)| (y, d.value.note.clone()))
            .collect();
        Ok(Calendar {
            zone,
            office,
            holidays,
            first_year,
            last_year,
            first_ce: first.num_days_from_ce(),
            days,
            working_before,
            working_days,
            estimates,
        })
    }
}

fn describe_plain(kind: DayKind) -> &'static str {
    match kind {
        DayKind::Working => "an ordinary working day",
        DayKind::WorkingByTransfer { .. } => "already a working day by another transfer",
        DayKind::Weekend => "a weekend day",
        DayKind::Holiday { .. } => "a holiday",
        DayKind::MovedHoliday { .. } => "a day off moved from a holiday",
        DayKind::TransferOff { .. } => "already a day off by another transfer",
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(describe_plain(*self))
    }
}
