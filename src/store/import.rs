//! Import of incoming applications from JSON or CSV.
//!
//! Everything is validated before anything is written; every problem is
//! reported with its record (JSON) or line (CSV), field and reason, and a
//! file with any bad record writes nothing. Re-importing a file creates no
//! duplicates: cases are keyed by application number.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::domain::msg::{Localize, Msg};
use crate::msg;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde_json::Value;

use crate::domain::calendar::Calendar;
use crate::domain::case::{Case, Document, Party, Person};
use crate::domain::iin;
use crate::domain::procedure::{Channel, Rules};
use crate::domain::term;

/// One problem in an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// `line 5` (CSV) or `record 3` (JSON), or `file`.
    pub place: Msg,
    pub field: String,
    pub reason: Msg,
}

impl Localize for ImportError {
    fn msg(&self) -> Msg {
        if self.field.is_empty() {
            msg!(
                "error.import.at",
                place = self.place.clone(),
                reason = self.reason.clone()
            )
        } else {
            msg!(
                "error.import.at-field",
                place = self.place.clone(),
                field = &self.field,
                reason = self.reason.clone()
            )
        }
    }
}
crate::localized_error!(ImportError);

fn line(n: u64) -> Msg {
    msg!("error.import.line", n = n)
}

fn file_place() -> Msg {
    Msg::key("error.import.file")
}

/// The fields of an import record (see README).
pub const FIELDS: &[&str] = &[
    "number",
    "procedure",
    "received_at",
    "channel",
    "purpose",
    "applicant_name",
    "applicant_key",
    "applicant_iin",
    "applicant_birth_date",
    "citizenship",
    "host_name",
    "host_id",
    "entry_date",
    "stay_until",
    "arrival_date",
    "assignee",
    "documents",
    "family",
];

const MAX_NAME: usize = 200;
/// How long before the application an entry into the country may lie.
const ENTRY_YEARS_BEFORE: i32 = 80;
/// How far from the application a document's validity may end.
const DOCUMENT_YEARS: i32 = 50;
const MAX_FILE: usize = 512 * 1024 * 1024;

struct RawDoc {
    kind: String,
    number: String,
    valid_until: Option<String>,
}

struct RawPerson {
    name: String,
    key: String,
    iin: Option<String>,
    birth_date: Option<String>,
}

struct Raw {
    place: Msg,
    fields: BTreeMap<String, String>,
    documents: Vec<RawDoc>,
    family: Vec<RawPerson>,
}

fn shown(s: &str) -> String {
    let short: String = s.chars().take(60).collect();
    let more = if s.chars().count() > 60 { "…" } else { "" };
    format!("'{}{more}'", short.escape_default())
}

/// Decode the file's bytes as UTF-8 (a UTF-8 byte-order mark is dropped).
fn decode(bytes: &[u8]) -> Result<&str, ImportError> {
    let file_err = |reason: Msg| ImportError {
        place: file_place(),
        field: String::new(),
        reason,
    };
    if bytes.len() > MAX_FILE {
        return Err(file_err(msg!(
            "error.import.too-large",
            mib = MAX_FILE >> 20
        )));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || looks_utf16(bytes) {
        return Err(file_err(Msg::key("error.import.utf16")));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        file_err(msg!("error.import.not-utf8", byte = at, line = line))
    })
}

/// UTF-16 without a byte-order mark: text in it has a zero byte in every
/// other position (ASCII and Cyrillic alike), which UTF-8 text never has.
fn looks_utf16(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(4096)];
    if sample.len() < 4 {
        return false;
    }
    let zeros = |start: usize| {
        sample
            .iter()
            .skip(start)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let half = sample.len() / 2;
    zeros(0) * 2 > half || zeros(1) * 2 > half
}

thread_local! {
    /// The key a JSON object repeated: the parser's error says only where.
    static DUPLICATE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// A JSON value read strictly: an object that names a key twice is an error
/// (serde_json would keep the last one silently).
struct Strict(Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(k) = map.next_key::<String>()? {
            if out.contains_key(&k) {
                DUPLICATE.with(|d| *d.borrow_mut() = Some(k));
                return Err(serde::de::Error::custom("duplicate key"));
            }
            let Strict(v) = map.next_value()?;
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

/// What a JSON value is, for "expected text, found …".
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

fn parse_json(text: &str, errors: &mut Vec<ImportError>) -> Vec<Raw> {
    DUPLICATE.with(|d| d.borrow_mut().take());
    let value: Value = match serde_json::from_str::<Strict>(text) {
        Ok(Strict(v)) => v,
        Err(e) => {
            if let Some(key) = DUPLICATE.with(|d| d.borrow_mut().take()) {
                errors.push(ImportError {
                    place: line(e.line() as u64),
                    field: key
                        .chars()
                        .take(60)
                        .collect::<String>()
                        .escape_default()
                        .to_string(),
                    reason: msg!("error.import.duplicate-key", column = e.column()),
                });
                return Vec::new();
            }
            errors.push(ImportError {
                place: line(e.line() as u64),
                field: String::new(),
                reason: msg!(
                    "error.import.json",
                    column = e.column(),
                    detail = e.to_string()
                ),
            });
            return Vec::new();
        }
    };
    let Value::Array(items) = value else {
        errors.push(ImportError {
            place: file_place(),
            field: String::new(),
            reason: Msg::key("error.import.not-array"),
        });
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let place = msg!("error.import.record", n = i + 1);
        let Value::Object(map) = item else {
            errors.push(ImportError {
                place,
                field: String::new(),
                reason: Msg::key("error.import.not-object"),
            });
            continue;
        };
        let mut raw = Raw {
            place: place.clone(),
            fields: BTreeMap::new(),
            documents: Vec::new(),
            family: Vec::new(),
        };
        for (k, v) in map {
            if !FIELDS.contains(&k.as_str()) {
                errors.push(ImportError {
                    place: place.clone(),
                    field: k
                        .chars()
                        .take(60)
                        .collect::<String>()
                        .escape_default()
                        .to_string(),
                    reason: msg!("error.import.unknown-field", known = FIELDS.join(", ")),
                });
                continue;
            }
            match (k.as_str(), v) {
                ("documents", Value::Array(docs)) => {
                    for (j, d) in docs.iter().enumerate() {
                        let field = format!("documents[{}]", j + 1);
                        let Some(get) = nested(d, DOC_FIELDS, &place, &field, errors) else {
                            continue;
                        };
                        match (get("kind"), get("number")) {
                            (Some(kind), Some(number)) => raw.documents.push(RawDoc {
                                kind,
                                number,
                                valid_until: get("valid_until"),
                            }),
                            _ => errors.push(ImportError {
                                place: place.clone(),
                                field,
                                reason: Msg::key("error.import.document-needs"),
                            }),
                        }
                    }
                }
                ("family", Value::Array(people)) => {
                    for (j, p) in people.iter().enumerate() {
                        let field = format!("family[{}]", j + 1);
                        let Some(get) = nested(p, PERSON_FIELDS, &place, &field, errors) else {
                            continue;
                        };
                        match (get("name"), get("key")) {
                            (Some(name), Some(key)) => raw.family.push(RawPerson {
                                name,
                                key,
                                iin: get("iin"),
                                birth_date: get("birth_date"),
                            }),
                            _ => errors.push(ImportError {
                                place: place.clone(),
                                field,
                                reason: Msg::key("error.import.person-needs"),
                            }),
                        }
                    }
                }
                ("documents" | "family", Value::Null) => {}
                ("documents" | "family", _) => errors.push(ImportError {
                    place: place.clone(),
                    field: k.clone(),
                    reason: Msg::key("error.import.not-list"),
                }),
                (_, Value::String(t)) => {
                    raw.fields.insert(k.clone(), t);
                }
                (_, Value::Null) => {}
                (_, v) => errors.push(ImportError {
                    place: place.clone(),
                    field: k.clone(),
                    reason: msg!("error.import.not-text", found = json_kind(&v)),
                }),
            }
        }
        out.push(raw);
    }
    out
}

/// The keys of a document object and of a family member's.
const DOC_FIELDS: &[&str] = &["kind", "number", "valid_until"];
const PERSON_FIELDS: &[&str] = &["name", "key", "iin", "birth_date"];

/// A document or family member in JSON: an object of these keys, each text
/// or null. Reports what is not, and gives a reader of its fields.
fn nested<'v>(
    v: &'v Value,
    known: &'static [&'static str],
    place: &Msg,
    field: &str,
    errors: &mut Vec<ImportError>,
) -> Option<impl Fn(&str) -> Option<String> + 'v> {
    let Value::Object(map) = v else {
        errors.push(ImportError {
            place: place.clone(),
            field: field.to_string(),
            reason: Msg::key("error.import.not-object"),
        });
        return None;
    };
    let before = errors.len();
    for (k, x) in map {
        let sub = format!(
            "{field}.{}",
            k.chars().take(60).collect::<String>().escape_default()
        );
        if !known.contains(&k.as_str()) {
            errors.push(ImportError {
                place: place.clone(),
                field: sub,
                reason: msg!("error.import.unknown-field", known = known.join(", ")),
            });
        } else if !matches!(x, Value::String(_) | Value::Null) {
            errors.push(ImportError {
                place: place.clone(),
                field: sub,
                reason: msg!("error.import.not-text", found = json_kind(x)),
            });
        }
    }
    if errors.len() > before {
        return None;
    }
    Some(move |f: &str| map.get(f).and_then(value_text))
}

/// `kind:number[:valid_until]` separated by `;`.
fn csv_documents(s: &str, place: &Msg, errors: &mut Vec<ImportError>) -> Vec<RawDoc> {
    let mut out = Vec::new();
    for (j, part) in s
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let bits: Vec<&str> = part.split(':').map(str::trim).collect();
        match bits.as_slice() {
            [kind, number] => out.push(RawDoc {
                kind: kind.to_string(),
                number: number.to_string(),
                valid_until: None,
            }),
            [kind, number, until] => out.push(RawDoc {
                kind: kind.to_string(),
                number: number.to_string(),
                valid_until: Some(until.to_string()).filter(|u| !u.is_empty()),
            }),
            _ => errors.push(ImportError {
                place: place.clone(),
                field: format!("documents[{}]", j + 1),
                reason: msg!("error.import.document-shape", value = shown(part)),
            }),
        }
    }
    out
}

/// `name:key[:iin[:birth_date]]` separated by `;`.
fn csv_family(s: &str, place: &Msg, errors: &mut Vec<ImportError>) -> Vec<RawPerson> {
    let mut out = Vec::new();
    for (j, part) in s
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let bits: Vec<&str> = part.split(':').map(str::trim).collect();
        if bits.len() < 2 || bits.len() > 4 {
            errors.push(ImportError {
                place: place.clone(),
                field: format!("family[{}]", j + 1),
                reason: msg!("error.import.person-shape", value = shown(part)),
            });
            continue;
        }
        out.push(RawPerson {
            name: bits[0].to_string(),
            key: bits[1].to_string(),
            iin: bits.get(2).map(|x| x.to_string()).filter(|x| !x.is_empty()),
            birth_date: bits.get(3).map(|x| x.to_string()).filter(|x| !x.is_empty()),
        });
    }
    out
}

fn parse_csv(text: &str, errors: &mut Vec<ImportError>) -> Vec<Raw> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|x| x.trim().to_string()).collect(),
        Err(e) => {
            errors.push(ImportError {
                place: line(1),
                field: String::new(),
                reason: msg!("error.import.header", detail = e.to_string()),
            });
            return Vec::new();
        }
    };
    for (i, h) in headers.iter().enumerate() {
        if let Some(first) = headers[..i].iter().position(|x| x == h) {
            errors.push(ImportError {
                place: line(1),
                field: h
                    .chars()
                    .take(60)
                    .collect::<String>()
                    .escape_default()
                    .to_string(),
                reason: msg!(
                    "error.import.column-twice",
                    first = first + 1,
                    second = i + 1
                ),
            });
        }
        if !FIELDS.contains(&h.as_str()) {
            errors.push(ImportError {
                place: line(1),
                field: h
                    .chars()
                    .take(60)
                    .collect::<String>()
                    .escape_default()
                    .to_string(),
                reason: msg!("error.import.unknown-column", known = FIELDS.join(", ")),
            });
        }
    }
    // A file cut short: the last record has no line break after it, or a
    // quoted cell never closes (the reader would take either as complete).
    let unclosed = text.bytes().filter(|&b| b == b'\x22').count() % 2 == 1;
    if unclosed || !text.is_empty() && !text.ends_with('\n') {
        let last = text.bytes().filter(|&b| b == b'\n').count() as u64 + 1;
        errors.push(ImportError {
            place: line(last),
            field: String::new(),
            reason: Msg::key(if unclosed {
                "error.import.unclosed-quote"
            } else {
                "error.import.truncated"
            }),
        });
    }
    // Line numbers from byte offsets: right whatever the line ends (LF or CRLF).
    let mut lines = LineCounter::new(text);
    let mut out = Vec::new();
    for row in reader.records() {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let at = e.position().map(|p| lines.at(p.byte())).unwrap_or(0);
                errors.push(ImportError {
                    place: line(at),
                    field: String::new(),
                    reason: msg!("error.import.row", detail = e.to_string()),
                });
                continue;
            }
        };
        let place = line(row.position().map(|p| lines.at(p.byte())).unwrap_or(0));
        let mut raw = Raw {
            place: place.clone(),
            fields: BTreeMap::new(),
            documents: Vec::new(),
            family: Vec::new(),
        };
        for (h, v) in headers.iter().zip(row.iter()) {
            if v.trim().is_empty() {
                continue;
            }
            match h.as_str() {
                "documents" => raw.documents = csv_documents(v, &place, errors),
                "family" => raw.family = csv_family(v, &place, errors),
                _ => {
                    raw.fields.insert(h.clone(), v.to_string());
                }
            }
        }
        out.push(raw);
    }
    out
}

/// The line of a byte offset, for offsets that only grow.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    fn at(&mut self, byte: u64) -> u64 {
        let mut to = (byte as usize).min(self.text.len());
        // After a CRLF the reader puts the next record's start on the LF it
        // has not consumed yet; a record never starts with a line break.
        while to < self.text.len() && matches!(self.text[to], b'\r' | b'\n') {
            to += 1;
        }
        if to < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        self.line += self.text[self.offset..to]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.offset = to;
        self.line
    }
}

struct Checker<'a> {
    place: &'a Msg,
    errors: &'a mut Vec<ImportError>,
}

impl Checker<'_> {
    fn fail(&mut self, field: &str, reason: Msg) {
        self.errors.push(ImportError {
            place: self.place.clone(),
            field: field.to_string(),
            reason,
        });
    }

    /// A text field: trimmed, bounded, no control characters.
    fn text(&mut self, raw: &Raw, field: &str, required: bool, max: usize) -> Option<String> {
        match raw.fields.get(field).map(|s| s.trim()) {
            None | Some("") => {
                if required {
                    self.fail(field, Msg::key("error.import.required"));
                }
                None
            }
            Some(v) => self.clean(field, v, max),
        }
    }

    fn clean(&mut self, field: &str, v: &str, max: usize) -> Option<String> {
        let v = v.trim();
        if v.chars().count() > max {
            self.fail(
                field,
                msg!("error.import.too-long", n = v.chars().count(), max = max),
            );
            return None;
        }
        if v.chars().any(crate::domain::text::is_unsafe) {
            self.fail(field, msg!("error.import.control", value = shown(v)));
            return None;
        }
        Some(v.to_string())
    }

    fn date(&mut self, field: &str, v: Option<&str>) -> Option<NaiveDate> {
        let v = v?.trim();
        match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.fail(field, msg!("error.import.date", value = shown(v)));
                None
            }
        }
    }

    /// A date that must fall within `from..=to` (sane for what it is).
    fn date_within(
        &mut self,
        field: &str,
        v: Option<&str>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Option<NaiveDate> {
        let d = self.date(field, v)?;
        if let (Some(from), Some(to)) = (from, to)
            && !(from..=to).contains(&d)
        {
            self.fail(
                field,
                msg!(
                    "error.import.date-range",
                    value = shown(&d.to_string()),
                    from = from.to_string(),
                    to = to.to_string()
                ),
            );
            return None;
        }
        Some(d)
    }

    /// A person's or organisation's name: at least one visible letter
    /// (a name of spaces or zero-width characters names no one).
    fn name(&mut self, field: &str, v: Option<String>) -> Option<String> {
        let v = v?;
        if !v.chars().any(char::is_alphabetic) {
            self.fail(field, msg!("error.import.no-letter", value = shown(&v)));
            return None;
        }
        Some(v)
    }

    fn iin(&mut self, field: &str, v: Option<String>, bin_allowed: bool) -> Option<String> {
        let v = v?;
        let (kind, result) = if bin_allowed {
            iin::validate(&v)
        } else {
            (iin::IdKind::Iin, iin::validate_iin(&v))
        };
        match result {
            Ok(_) => Some(v),
            Err(e) => {
                self.fail(
                    field,
                    msg!(
                        "error.import.id",
                        value = shown(&v),
                        kind = Msg::key(kind.key()),
                        why = e.msg()
                    ),
                );
                None
            }
        }
    }
}

/// Parse and validate a file; either every record as a case, or every error.
pub fn parse(
    bytes: &[u8],
    csv_format: bool,
    cal: &Calendar,
    rules: &Rules,
    known_users: &BTreeSet<String>,
) -> Result<Vec<Case>, Vec<ImportError>> {
    parse_against(bytes, csv_format, cal, rules, known_users, &HashMap::new())
}

/// Case numbers are compared without letter case: "2026-rvp-1" beside
/// "2026-RVP-1" would be two cases for one application.
pub fn number_key(number: &str) -> String {
    number.to_ascii_uppercase()
}

impl super::Store {
    /// Every case number by its [`number_key`].
    pub fn case_numbers_by_key(&self) -> Result<HashMap<String, String>, super::StoreError> {
        let mut stmt = self.conn.prepare("SELECT number FROM cases")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = HashMap::new();
        for n in rows {
            let n = n?;
            out.insert(number_key(&n), n);
        }
        Ok(out)
    }
}

/// [`parse`], also refusing numbers that differ only in letter case from
/// one in `existing` (the database's numbers by [`number_key`]).
pub fn parse_against(
    bytes: &[u8],
    csv_format: bool,
    cal: &Calendar,
    rules: &Rules,
    known_users: &BTreeSet<String>,
    existing: &HashMap<String, String>,
) -> Result<Vec<Case>, Vec<ImportError>> {
    let mut errors = Vec::new();
    let text = match decode(bytes) {
        Ok(t) => t,
        Err(e) => return Err(vec![e]),
    };
    let raws = if csv_format {
        parse_csv(text, &mut errors)
    } else {
        parse_json(text, &mut errors)
    };
    if raws.is_empty() && errors.is_empty() {
        errors.push(ImportError {
            place: file_place(),
            field: String::new(),
            reason: Msg::key("error.import.empty"),
        });
    }
    let mut seen: HashMap<String, (String, Msg)> = HashMap::new();
    let mut cases = Vec::new();
    for raw in &raws {
        let mut ck = Checker {
            place: &raw.place,
            errors: &mut errors,
        };
        if let Some(c) = record(&mut ck, raw, cal, rules, known_users) {
            let key = number_key(&c.number);
            if let Some((number, first)) = seen.get(&key) {
                let why = if *number == c.number {
                    msg!(
                        "error.import.twice",
                        value = shown(&c.number),
                        first = first.clone()
                    )
                } else {
                    msg!(
                        "error.import.case-twin",
                        value = shown(&c.number),
                        other = shown(number),
                        first = first.clone()
                    )
                };
                ck.fail("number", why);
                continue;
            }
            if let Some(there) = existing.get(&key)
                && *there != c.number
            {
                ck.fail(
                    "number",
                    msg!(
                        "error.import.case-twin-db",
                        value = shown(&c.number),
                        other = shown(there)
                    ),
                );
                continue;
            }
            seen.insert(key, (c.number.clone(), raw.place.clone()));
            cases.push(c);
        }
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(errors)
    }
}

fn record(
    ck: &mut Checker<'_>,
    raw: &Raw,
    cal: &Calendar,
    rules: &Rules,
    users: &BTreeSet<String>,
) -> Option<Case> {
    let before = ck.errors.len();
    let number = ck.text(raw, "number", true, 40);
    if let Some(n) = &number
        && !n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '_' | '.'))
    {
        ck.fail("number", msg!("error.import.number", value = shown(n)));
    }
    let procedure = ck
        .text(raw, "procedure", true, 40)
        .and_then(|p| match rules.procedure(&p) {
            Ok(pr) => Some(pr),
            Err(e) => {
                ck.fail("procedure", e.msg());
                None
            }
        });
    let received_at: Option<DateTime<Utc>> =
        ck.text(raw, "received_at", true, 40)
            .and_then(|s| match term::parse_instant(cal, &s) {
                Ok(t) => Some(t),
                Err(e) => {
                    ck.fail("received_at", e);
                    None
                }
            });
    let acceptance_day = received_at.and_then(|t| match term::start_of_term(cal, t) {
        Ok(s) => Some(s.acceptance_day),
        Err(e) => {
            ck.fail("received_at", e.msg());
            None
        }
    });
    let version = match (procedure, acceptance_day) {
        (Some(p), Some(day)) => match p.version_at(day) {
            Ok(v) => Some(v),
            Err(e) => {
                ck.fail("received_at", e.msg());
                None
            }
        },
        _ => None,
    };
    let channel = match ck.text(raw, "channel", false, 40) {
        None => version.and_then(|v| v.channels.first().copied()),
        Some(s) => match serde_json::from_value::<Channel>(Value::String(s.clone())) {
            Ok(c) => {
                if let Some(v) = version
                    && !v.channels.contains(&c)
                {
                    ck.fail(
                        "channel",
                        msg!(
                            "error.import.channel-of",
                            value = shown(&s),
                            version = &v.id
                        ),
                    );
                }
                Some(c)
            }
            Err(_) => {
                ck.fail("channel", msg!("error.import.channel", value = shown(&s)));
                None
            }
        },
    };
    let purpose = ck.text(raw, "purpose", false, 40);
    if let Some(v) = version {
        match &purpose {
            Some(p) if !v.purposes.iter().any(|x| &x.id == p) => ck.fail(
                "purpose",
                msg!(
                    "error.import.purpose",
                    value = shown(p),
                    version = &v.id,
                    known = v
                        .purposes
                        .iter()
                        .map(|x| x.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            None if !v.purposes.is_empty() => ck.fail(
                "purpose",
                msg!("error.import.required-for", version = &v.id),
            ),
            _ => {}
        }
    }
    // Sane dates are judged against the day of the application.
    let day = received_at.map(|t| term::local(cal, t).date());
    let years = |n: i32| day.and_then(|d| d.with_year(d.year() + n));
    let name = ck.text(raw, "applicant_name", true, MAX_NAME);
    let name = ck.name("applicant_name", name);
    let key = ck.text(raw, "applicant_key", true, 60);
    let applicant_iin = ck.text(raw, "applicant_iin", false, 20);
    let applicant_iin = ck.iin("applicant_iin", applicant_iin, false);
    let born_from = NaiveDate::from_ymd_opt(1900, 1, 1);
    let birth = ck.date_within(
        "applicant_birth_date",
        raw.fields.get("applicant_birth_date").map(String::as_str),
        born_from,
        day,
    );
    let citizenship = ck
        .text(raw, "citizenship", true, 3)
        .map(|c| c.to_uppercase());
    if let Some(c) = &citizenship
        && !(c.len() == 3 && c.chars().all(|x| x.is_ascii_uppercase()))
    {
        ck.fail(
            "citizenship",
            msg!("error.import.country", value = shown(c)),
        );
    }
    let host_name = ck.text(raw, "host_name", false, MAX_NAME);
    let host_name = ck.name("host_name", host_name);
    let host_id = ck.text(raw, "host_id", false, 20);
    if host_name.is_some() && host_id.is_none() {
        // Stored without its BIN/IIN the host would silently be dropped.
        ck.fail("host_name", msg!("error.import.needs", other = "host_id"));
    }
    let host_id = ck.iin("host_id", host_id, true);
    let entry_date = ck.date_within(
        "entry_date",
        raw.fields.get("entry_date").map(String::as_str),
        years(-ENTRY_YEARS_BEFORE),
        years(1),
    );
    let stay_until = ck.date(
        "stay_until",
        raw.fields.get("stay_until").map(String::as_str),
    );
    let arrival_date = ck.date(
        "arrival_date",
        raw.fields.get("arrival_date").map(String::as_str),
    );
    let assignee = ck.text(raw, "assignee", false, 64);
    if let Some(a) = &assignee
        && !users.contains(a)
    {
        ck.fail("assignee", msg!("error.import.assignee", value = shown(a)));
    }
    let mut documents = Vec::new();
    for (j, d) in raw.documents.iter().enumerate() {
        let field = format!("documents[{}]", j + 1);
        let kind = ck.clean(&field, &d.kind, 60);
        let number = ck.clean(&field, &d.number, 60);
        let valid_until = ck.date_within(
            &field,
            d.valid_until.as_deref(),
            years(-DOCUMENT_YEARS),
            years(DOCUMENT_YEARS),
        );
        if let (Some(v), Some(k)) = (version, &kind)
            && !v.documents.iter().any(|x| &x.id == k)
        {
            ck.fail(
                &field,
                msg!(
                    "error.import.document-of",
                    value = shown(k),
                    version = &v.id
                ),
            );
        }
        if let (Some(kind), Some(number)) = (kind, number) {
            documents.push(Document {
                kind,
                number,
                valid_until,
            });
        }
    }
    let mut family = Vec::new();
    for (j, p) in raw.family.iter().enumerate() {
        let field = format!("family[{}]", j + 1);
        let name = ck.clean(&field, &p.name, MAX_NAME);
        let name = ck.name(&field, name);
        let key = ck.clean(&field, &p.key, 60);
        let person_iin = p.iin.clone().and_then(|i| ck.clean(&field, &i, 20));
        let person_iin = ck.iin(&field, person_iin, false);
        let birth_date = ck.date_within(&field, p.birth_date.as_deref(), born_from, day);
        if let (Some(name), Some(key)) = (name, key) {
            family.push(Person {
                key,
                name,
                iin: person_iin,
                birth_date,
                citizenship: citizenship.clone().unwrap_or_default(),
            });
        }
    }
    if ck.errors.len() > before {
        return None;
    }
    let (number, procedure, version, received_at, channel, name, key, citizenship) = (
        number?,
        procedure?,
        version?,
        received_at?,
        channel?,
        name?,
        key?,
        citizenship?,
    );
    let mut c = Case::received(
        number,
        &procedure.id,
        version,
        channel,
        received_at,
        Person {
            key,
            name,
            iin: applicant_iin,
            birth_date: birth,
            citizenship,
        },
    );
    c.purpose = purpose;
    c.host = match (host_name, host_id) {
        (Some(name), Some(id_number)) => Some(Party { name, id_number }),
        (None, Some(id_number)) => Some(Party {
            name: String::new(),
            id_number,
        }),
        _ => None,
    };
    c.entry_date = entry_date;
    c.stay_until = stay_until;
    c.arrival_date = arrival_date;
    c.assignee = assignee;
    c.documents = documents;
    c.family = family;
    Some(c)
}
