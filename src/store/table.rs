//! The console's queue: every open case of the view, in compact columns.
//!
//! A region's office holds hundreds of thousands of open cases, and the
//! console keeps all of them so that filter and sort cover the whole
//! caseload. Per case it keeps about forty bytes of fixed fields plus the
//! case number and the applicant's name in one text arena; repeated values
//! (procedure, citizenship, stage, assignee, approval) are interned. The
//! search text (the name folded in both scripts, the number, the
//! procedure) sits in a second arena, one line per case, so a filter
//! keystroke is one `memmem` pass over contiguous memory, or a look at the
//! previous matches only when the new filter extends the old one.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use memchr::memmem;

use crate::domain::term::Unit;
use crate::domain::text::{fold_into, translit_into};

/// Values that repeat across cases, stored once; 0 means "none".
#[derive(Debug, Clone, Default)]
struct Interner {
    values: Vec<String>,
    index: HashMap<String, u16>,
}

impl Interner {
    fn id(&mut self, value: Option<&str>) -> u16 {
        let Some(v) = value else { return 0 };
        if let Some(&i) = self.index.get(v) {
            return i;
        }
        if self.values.len() >= usize::from(u16::MAX) - 1 {
            // More distinct values than a column can name: shown as none
            // rather than wrong (never reached by procedures, countries,
            // stages or staff).
            return 0;
        }
        self.values.push(v.to_string());
        let i = self.values.len() as u16;
        self.index.insert(v.to_string(), i);
        i
    }

    fn get(&self, id: u16) -> Option<&str> {
        (id > 0)
            .then(|| self.values.get(usize::from(id) - 1))
            .flatten()
            .map(String::as_str)
    }
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    text_at: u32,
    number_len: u16,
    applicant_len: u16,
    /// Seconds since 1970 (UTC); `i64::MIN` when the case has no deadline.
    due: i64,
    procedure: u16,
    citizenship: u16,
    stage: u16,
    assignee: u16,
    approval: u16,
    status: u16,
    unit: u8,
    /// Some value of the case could not be read (see [`RowIn::unreadable`]).
    unreadable: bool,
    /// Where the case sorts (see [`RowIn::order`]): its class and since
    /// when it waits, in seconds since 2000 (the deadline is `due`).
    class: u8,
    since: u32,
}

/// One queue row as the loader reads it from the store.
#[derive(Debug, Clone, Copy)]
pub struct RowIn<'a> {
    pub number: &'a str,
    pub procedure: &'a str,
    pub applicant: &'a str,
    pub citizenship: &'a str,
    pub stage: Option<&'a str>,
    pub next_due: Option<DateTime<Utc>>,
    pub next_due_unit: Option<Unit>,
    pub assignee: Option<&'a str>,
    pub approval: Option<&'a str>,
    /// The case's status as stored (`received`, `accepted`, …).
    pub status: &'a str,
    /// A stored value kezek cannot read (edited behind its back, or
    /// written by a newer kezek): the case is listed with its number and
    /// marked, never dropped and never hiding the rest.
    pub unreadable: bool,
    /// Where the case sorts in the queue's order (`queue_due`,
    /// `queue_since`, number): 0 when its deadline could not be computed
    /// (first), 1 with a deadline (by `next_due`), 2 with none (last); and
    /// since when it waits. Lets [`Queue::patched`] put a changed case back
    /// where a full reload would.
    pub order: (u8, Option<DateTime<Utc>>),
}

/// Seconds from 1970 to 2000: `Slot::since` counts from 2000.
const EPOCH_2000: i64 = 946_684_800;

/// Every case of the view in urgency order.
#[derive(Debug, Clone, Default)]
pub struct Queue {
    slots: Vec<Slot>,
    text: String,
    hay: String,
    /// Where each case's search line starts in `hay` (one more entry than
    /// cases: the end).
    hay_at: Vec<u32>,
    /// A buffer reused for each case's folded name.
    scratch: String,
    procedures: Interner,
    citizenships: Interner,
    stages: Interner,
    logins: Interner,
    approvals: Interner,
    statuses: Interner,
}

/// A borrowed view of one case of the queue.
#[derive(Debug, Clone, Copy)]
pub struct Row<'q> {
    q: &'q Queue,
    s: Slot,
}

impl<'q> Row<'q> {
    pub fn number(&self) -> &'q str {
        let at = self.s.text_at as usize;
        self.q
            .text
            .get(at..at + usize::from(self.s.number_len))
            .unwrap_or("")
    }

    pub fn applicant(&self) -> &'q str {
        let at = self.s.text_at as usize + usize::from(self.s.number_len);
        self.q
            .text
            .get(at..at + usize::from(self.s.applicant_len))
            .unwrap_or("")
    }

    pub fn procedure(&self) -> &'q str {
        self.q.procedures.get(self.s.procedure).unwrap_or("")
    }

    pub fn citizenship(&self) -> &'q str {
        self.q.citizenships.get(self.s.citizenship).unwrap_or("")
    }

    /// The current (first open) stage's id.
    pub fn stage(&self) -> Option<&'q str> {
        self.q.stages.get(self.s.stage)
    }

    pub fn assignee(&self) -> Option<&'q str> {
        self.q.logins.get(self.s.assignee)
    }

    /// The latest decision's approval state (`pending`, `returned`, …).
    pub fn approval(&self) -> Option<&'q str> {
        self.q.approvals.get(self.s.approval)
    }

    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        (self.s.due != i64::MIN)
            .then(|| DateTime::from_timestamp(self.s.due, 0))
            .flatten()
    }

    /// The case's status; None when the stored value is not one kezek knows.
    pub fn status(&self) -> Option<crate::domain::case::Status> {
        let s = self.q.statuses.get(self.s.status)?;
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }

    pub fn unreadable(&self) -> bool {
        self.s.unreadable
    }

    pub fn next_due_unit(&self) -> Option<Unit> {
        match self.s.unit {
            1 => Some(Unit::WorkingDays),
            2 => Some(Unit::CalendarDays),
            _ => None,
        }
    }
}

/// Append the folded search line of a case: name (as written and in
/// Latin letters), number, procedure.
fn search_line(
    hay: &mut String,
    scratch: &mut String,
    number: &str,
    applicant: &str,
    procedure: &str,
) {
    scratch.clear();
    fold_into(applicant, scratch);
    hay.push_str(scratch);
    hay.push('\u{1}');
    translit_into(scratch, hay);
    hay.push('\u{1}');
    fold_into(number, hay);
    hay.push('\u{1}');
    fold_into(procedure, hay);
    hay.push('\n');
}

impl Queue {
    pub fn with_capacity(n: usize) -> Queue {
        Queue {
            slots: Vec::with_capacity(n),
            text: String::with_capacity(n * 32),
            hay: String::with_capacity(n * 64),
            hay_at: {
                let mut v = Vec::with_capacity(n + 1);
                v.push(0);
                v
            },
            ..Queue::default()
        }
    }

    /// Add a case at the end (the loader reads them in urgency order).
    pub fn push(&mut self, r: RowIn<'_>) {
        if self.hay_at.is_empty() {
            self.hay_at.push(0);
        }
        // A name longer than a column can count is cut, never misread.
        let number = cut(r.number, u16::MAX as usize);
        let applicant = cut(r.applicant, u16::MAX as usize);
        let text_at = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        self.text.push_str(number);
        self.text.push_str(applicant);
        search_line(
            &mut self.hay,
            &mut self.scratch,
            number,
            applicant,
            r.procedure,
        );
        self.hay_at
            .push(u32::try_from(self.hay.len()).unwrap_or(u32::MAX));
        let slot = Slot {
            text_at,
            number_len: number.len() as u16,
            applicant_len: applicant.len() as u16,
            due: r.next_due.map_or(i64::MIN, |d| d.timestamp()),
            procedure: self.procedures.id(Some(r.procedure)),
            citizenship: self.citizenships.id(Some(r.citizenship)),
            stage: self.stages.id(r.stage),
            assignee: self.logins.id(r.assignee),
            approval: self.approvals.id(r.approval),
            status: self.statuses.id(Some(r.status)),
            unit: match r.next_due_unit {
                Some(Unit::WorkingDays) => 1,
                Some(Unit::CalendarDays) => 2,
                None => 0,
            },
            unreadable: r.unreadable,
            class: r.order.0,
            since: r.order.1.map_or(0, |t| {
                u32::try_from((t.timestamp() - EPOCH_2000).max(0)).unwrap_or(u32::MAX)
            }),
        };
        self.slots.push(slot);
    }

    /// Where row `i` sorts: class, deadline, waiting since, number.
    fn key(&self, s: &Slot) -> (u8, i64, u32, &str) {
        let at = s.text_at as usize;
        let number = self
            .text
            .get(at..at + usize::from(s.number_len))
            .unwrap_or("");
        let due = if s.class == 1 { s.due } else { 0 };
        (s.class, due, s.since, number)
    }

    /// This queue with the cases `changed` replaced by what `fresh` (the
    /// same view read again for those cases only, in queue order) holds of
    /// them: a changed case that left the view is gone, one that joined it
    /// or moved sits where a full reload would put it. One pass, with no
    /// name folded again but the fresh ones'.
    pub fn patched(&self, changed: &[String], fresh: &Queue) -> Queue {
        let gone: std::collections::HashSet<&str> = changed.iter().map(String::as_str).collect();
        let mut out = Queue::with_capacity(self.len() + fresh.len());
        // The old ids stay valid: the fresh rows' values are added to them.
        out.procedures = self.procedures.clone();
        out.citizenships = self.citizenships.clone();
        out.stages = self.stages.clone();
        out.logins = self.logins.clone();
        out.approvals = self.approvals.clone();
        out.statuses = self.statuses.clone();
        let mut new = fresh.slots.iter().enumerate().peekable();
        for (i, s) in self.slots.iter().enumerate() {
            let key = self.key(s);
            if gone.contains(key.3) {
                continue;
            }
            while let Some((j, f)) = new.next_if(|(_, f)| fresh.key(f) < key) {
                out.copy_fresh(fresh, j, f);
            }
            out.copy_slot(self, i, *s);
        }
        for (j, f) in new {
            out.copy_fresh(fresh, j, f);
        }
        out
    }

    /// Append row `i` of `from`, whose interned ids are this queue's.
    fn copy_slot(&mut self, from: &Queue, i: usize, mut s: Slot) {
        let at = s.text_at as usize;
        let len = usize::from(s.number_len) + usize::from(s.applicant_len);
        s.text_at = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        self.text
            .push_str(from.text.get(at..at + len).unwrap_or(""));
        self.hay
            .push_str(std::str::from_utf8(from.line(i)).unwrap_or("\n"));
        self.hay_at
            .push(u32::try_from(self.hay.len()).unwrap_or(u32::MAX));
        self.slots.push(s);
    }

    /// Append a row of another queue, interning its values here.
    fn copy_fresh(&mut self, from: &Queue, i: usize, f: &Slot) {
        let mut s = *f;
        s.procedure = self.procedures.id(from.procedures.get(f.procedure));
        s.citizenship = self.citizenships.id(from.citizenships.get(f.citizenship));
        s.stage = self.stages.id(from.stages.get(f.stage));
        s.assignee = self.logins.id(from.logins.get(f.assignee));
        s.approval = self.approvals.id(from.approvals.get(f.approval));
        s.status = self.statuses.id(from.statuses.get(f.status));
        self.copy_slot(from, i, s);
    }

    /// Give back what the loader reserved and did not use.
    pub fn shrink_to_fit(&mut self) {
        self.slots.shrink_to_fit();
        self.text.shrink_to_fit();
        self.hay.shrink_to_fit();
        self.hay_at.shrink_to_fit();
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<Row<'_>> {
        self.slots.get(i).map(|&s| Row { q: self, s })
    }

    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.slots.iter().map(|&s| Row { q: self, s })
    }

    /// Deadlines as seconds since 1970, `i64::MIN` for none, in order.
    pub fn dues(&self) -> impl Iterator<Item = i64> + '_ {
        self.slots.iter().map(|s| s.due)
    }

    fn line(&self, i: usize) -> &[u8] {
        let (a, b) = (self.hay_at[i] as usize, self.hay_at[i + 1] as usize);
        self.hay.as_bytes().get(a..b).unwrap_or(&[])
    }

    /// The cases (ascending) whose search lines contain any of `needles`
    /// (folded). With `within`, only those cases are looked at. Either way
    /// the work is split between two threads, one per core.
    pub fn matching(&self, needles: &[&str], within: Option<&[u32]>) -> Vec<u32> {
        let mut needles: Vec<&str> = needles.iter().copied().filter(|n| !n.is_empty()).collect();
        needles.dedup();
        let finders: Vec<memmem::Finder<'_>> = needles
            .iter()
            .map(|n| memmem::Finder::new(n.as_bytes()))
            .collect();
        // Looking at each candidate line costs about twice a plain pass over
        // it, so a pass over everything wins once half the cases are left.
        match within {
            Some(rows) if rows.len() < self.len() / 2 => {
                let check = |part: &[u32]| -> Vec<u32> {
                    part.iter()
                        .copied()
                        .filter(|&i| {
                            let line = self.line(i as usize);
                            finders.iter().any(|f| f.find(line).is_some())
                        })
                        .collect()
                };
                if rows.len() < 4096 {
                    return check(rows);
                }
                let (lo, hi) = rows.split_at(rows.len() / 2);
                let (mut a, b) = std::thread::scope(|s| {
                    let first = s.spawn(|| check(lo));
                    let second = check(hi);
                    (first.join().unwrap_or_default(), second)
                });
                a.extend(b);
                a
            }
            _ => {
                let mut hit = vec![false; self.len()];
                let mid = self.len() / 2;
                let (lo, hi) = hit.split_at_mut(mid);
                std::thread::scope(|s| {
                    s.spawn(|| self.scan(&finders, 0, lo));
                    self.scan(&finders, mid, hi);
                });
                hit.iter()
                    .enumerate()
                    .filter(|(_, h)| **h)
                    .map(|(i, _)| i as u32)
                    .collect()
            }
        }
    }

    /// Mark the lines from `first` on (as many as `hit` holds) that contain
    /// a needle. After a match the search goes on at the next line, so a
    /// common letter costs one search per line, not one per occurrence.
    fn scan(&self, finders: &[memmem::Finder<'_>], first: usize, hit: &mut [bool]) {
        let Some(&start) = self.hay_at.get(first) else {
            return;
        };
        let end = self.hay_at[first + hit.len()] as usize;
        let hay = &self.hay.as_bytes()[..end];
        for f in finders {
            let mut pos = start as usize;
            let mut row = first;
            while pos < end {
                let Some(found) = f.find(&hay[pos..]) else {
                    break;
                };
                let at = pos + found;
                // The line holding `at`: the last start at or before it,
                // usually a few lines on (dense matches), else by halving.
                let stop = first + hit.len();
                let mut line = row;
                while line < stop && line < row + 8 && self.hay_at[line + 1] as usize <= at {
                    line += 1;
                }
                if line < stop && self.hay_at[line + 1] as usize <= at {
                    line = self.hay_at[line..stop + 1].partition_point(|&s| s as usize <= at)
                        + line
                        - 1;
                }
                hit[line - first] = true;
                row = line + 1;
                pos = self.hay_at[row] as usize;
            }
        }
    }

    /// Case indices in the order of a column: by number, applicant (Kazakh
    /// alphabet), procedure or assignee; ties keep urgency order.
    pub fn order_by(&self, key: SortKey) -> Vec<u32> {
        let mut idx: Vec<u32> = (0..self.len() as u32).collect();
        match key {
            SortKey::Number => idx.sort_by(|&a, &b| self.row(a).number().cmp(self.row(b).number())),
            SortKey::Applicant => {
                idx.sort_by_cached_key(|&i| crate::domain::text::sort_key(self.row(i).applicant()))
            }
            SortKey::Procedure => {
                idx.sort_by(|&a, &b| self.row(a).procedure().cmp(self.row(b).procedure()))
            }
            SortKey::Assignee => {
                idx.sort_by(|&a, &b| self.row(a).assignee().cmp(&self.row(b).assignee()))
            }
        }
        idx
    }

    fn row(&self, i: u32) -> Row<'_> {
        Row {
            q: self,
            s: self.slots[i as usize],
        }
    }

    /// Bytes held by the columns and arenas (for the memory figure).
    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.text.capacity()
            + self.hay.capacity()
            + self.hay_at.capacity() * 4
    }
}

/// The columns a queue can be ordered by besides urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortKey {
    Number,
    Applicant,
    Procedure,
    Assignee,
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl<'a> From<&'a crate::store::cases::QueueRow> for RowIn<'a> {
    fn from(r: &'a crate::store::cases::QueueRow) -> RowIn<'a> {
        RowIn {
            number: &r.number,
            procedure: &r.procedure,
            applicant: &r.applicant,
            citizenship: &r.citizenship,
            stage: r.stage.as_deref(),
            next_due: r.next_due,
            next_due_unit: r.next_due_unit,
            assignee: r.assignee.as_deref(),
            approval: r.approval.as_deref(),
            status: match r.status {
                crate::domain::case::Status::Received => "received",
                crate::domain::case::Status::Accepted => "accepted",
                crate::domain::case::Status::RefusedToAccept => "refused_to_accept",
                crate::domain::case::Status::Decided => "decided",
                crate::domain::case::Status::Archived => "archived",
            },
            unreadable: r.unreadable.is_some(),
            order: (if r.next_due.is_some() { 1 } else { 2 }, None),
        }
    }
}

impl From<&[crate::store::cases::QueueRow]> for Queue {
    fn from(rows: &[crate::store::cases::QueueRow]) -> Queue {
        let mut q = Queue::with_capacity(rows.len());
        for r in rows {
            q.push(r.into());
        }
        q
    }
}
