//! Import of incoming applications from JSON or CSV.
//!
//! Everything is validated before anything is written; every problem is
//! reported with its record (JSON) or line (CSV), field and reason, and a
//! file with any bad record writes nothing. Re-importing a file creates no
//! duplicates: cases are keyed by application number.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
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
    pub place: String,
    pub field: String,
    pub reason: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.place, self.reason)
        } else {
            write!(f, "{}, field {}: {}", self.place, self.field, self.reason)
        }
    }
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
    "assignee",
    "documents",
    "family",
];

const MAX_NAME: usize = 200;
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
    place: String,
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
    let file_err = |reason: String| ImportError {
        place: "file".into(),
        field: String::new(),
        reason,
    };
    if bytes.len() > MAX_FILE {
        return Err(file_err(format!(
            "the file is larger than {} MiB",
            MAX_FILE >> 20
        )));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(file_err("the file is UTF-16: save it as UTF-8".into()));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        file_err(format!(
            "not UTF-8 (byte {at}, line {line}): save the file as UTF-8 (Windows-1251 and KZ-1048 are not read)"
        ))
    })
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
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            errors.push(ImportError {
                place: format!("line {}", e.line()),
                field: String::new(),
                reason: format!("not valid JSON (column {}): {e}", e.column()),
            });
            return Vec::new();
        }
    };
    let Value::Array(items) = value else {
        errors.push(ImportError {
            place: "file".into(),
            field: String::new(),
            reason: "expected a JSON array of application records".into(),
        });
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let place = format!("record {}", i + 1);
        let Value::Object(map) = item else {
            errors.push(ImportError {
                place,
                field: String::new(),
                reason: "expected an object".into(),
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
                    reason: format!("unknown field (known: {})", FIELDS.join(", ")),
                });
                continue;
            }
            match (k.as_str(), v) {
                ("documents", Value::Array(docs)) => {
                    for (j, d) in docs.iter().enumerate() {
                        let get = |f: &str| d.get(f).and_then(value_text);
                        match (get("kind"), get("number")) {
                            (Some(kind), Some(number)) => raw.documents.push(RawDoc {
                                kind,
                                number,
                                valid_until: get("valid_until"),
                            }),
                            _ => errors.push(ImportError {
                                place: place.clone(),
                                field: format!("documents[{}]", j + 1),
                                reason: "needs kind and number".into(),
                            }),
                        }
                    }
                }
                ("family", Value::Array(people)) => {
                    for (j, p) in people.iter().enumerate() {
                        let get = |f: &str| p.get(f).and_then(value_text);
                        match (get("name"), get("key")) {
                            (Some(name), Some(key)) => raw.family.push(RawPerson {
                                name,
                                key,
                                iin: get("iin"),
                                birth_date: get("birth_date"),
                            }),
                            _ => errors.push(ImportError {
                                place: place.clone(),
                                field: format!("family[{}]", j + 1),
                                reason: "needs name and key".into(),
                            }),
                        }
                    }
                }
                ("documents" | "family", Value::Null) => {}
                ("documents" | "family", _) => errors.push(ImportError {
                    place: place.clone(),
                    field: k.clone(),
                    reason: "expected an array".into(),
                }),
                (_, v) => {
                    if let Some(t) = value_text(&v) {
                        raw.fields.insert(k.clone(), t);
                    }
                }
            }
        }
        out.push(raw);
    }
    out
}

/// `kind:number[:valid_until]` separated by `;`.
fn csv_documents(s: &str, place: &str, errors: &mut Vec<ImportError>) -> Vec<RawDoc> {
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
                place: place.to_string(),
                field: format!("documents[{}]", j + 1),
                reason: format!("{} is not kind:number[:YYYY-MM-DD]", shown(part)),
            }),
        }
    }
    out
}

/// `name:key[:iin[:birth_date]]` separated by `;`.
fn csv_family(s: &str, place: &str, errors: &mut Vec<ImportError>) -> Vec<RawPerson> {
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
                place: place.to_string(),
                field: format!("family[{}]", j + 1),
                reason: format!("{} is not name:key[:iin[:YYYY-MM-DD]]", shown(part)),
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
                place: "line 1".into(),
                field: String::new(),
                reason: format!("cannot read the header row: {e}"),
            });
            return Vec::new();
        }
    };
    for h in &headers {
        if !FIELDS.contains(&h.as_str()) {
            errors.push(ImportError {
                place: "line 1".into(),
                field: h
                    .chars()
                    .take(60)
                    .collect::<String>()
                    .escape_default()
                    .to_string(),
                reason: format!("unknown column (known: {})", FIELDS.join(", ")),
            });
        }
    }
    let mut out = Vec::new();
    for row in reader.records() {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errors.push(ImportError {
                    place: format!("line {line}"),
                    field: String::new(),
                    reason: format!("cannot read the row: {e}"),
                });
                continue;
            }
        };
        let line = row.position().map(|p| p.line()).unwrap_or(0);
        let place = format!("line {line}");
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

struct Checker<'a> {
    place: &'a str,
    errors: &'a mut Vec<ImportError>,
}

impl Checker<'_> {
    fn fail(&mut self, field: &str, reason: String) {
        self.errors.push(ImportError {
            place: self.place.to_string(),
            field: field.to_string(),
            reason,
        });
    }

    /// A text field: trimmed, bounded, no control characters.
    fn text(&mut self, raw: &Raw, field: &str, required: bool, max: usize) -> Option<String> {
        match raw.fields.get(field).map(|s| s.trim()) {
            None | Some("") => {
                if required {
                    self.fail(field, "required".into());
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
                format!(
                    "{} characters, more than the {max} allowed",
                    v.chars().count()
                ),
            );
            return None;
        }
        if v.chars().any(crate::domain::text::is_unsafe) {
            self.fail(
                field,
                format!(
                    "{} contains control characters or escape sequences",
                    shown(v)
                ),
            );
            return None;
        }
        Some(v.to_string())
    }

    fn date(&mut self, field: &str, v: Option<&str>) -> Option<NaiveDate> {
        let v = v?.trim();
        match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.fail(field, format!("{} is not a real date YYYY-MM-DD", shown(v)));
                None
            }
        }
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
                self.fail(field, format!("{} is not a valid {kind}: {e}", shown(&v)));
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
            place: "file".into(),
            field: String::new(),
            reason: "no records".into(),
        });
    }
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut cases = Vec::new();
    for raw in &raws {
        let mut ck = Checker {
            place: &raw.place,
            errors: &mut errors,
        };
        if let Some(c) = record(&mut ck, raw, cal, rules, known_users) {
            if let Some(first) = seen.get(&c.number) {
                ck.fail(
                    "number",
                    format!("{} appears twice (first at {first})", shown(&c.number)),
                );
                continue;
            }
            seen.insert(c.number.clone(), raw.place.clone());
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
        ck.fail(
            "number",
            format!(
                "{} may hold only letters A-Z, digits, '-', '/', '_', '.'",
                shown(n)
            ),
        );
    }
    let procedure = ck
        .text(raw, "procedure", true, 40)
        .and_then(|p| match rules.procedure(&p) {
            Ok(pr) => Some(pr),
            Err(e) => {
                ck.fail("procedure", e.to_string());
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
            ck.fail("received_at", e.to_string());
            None
        }
    });
    let version = match (procedure, acceptance_day) {
        (Some(p), Some(day)) => match p.version_at(day) {
            Ok(v) => Some(v),
            Err(e) => {
                ck.fail("received_at", e.to_string());
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
                        format!("{} is not a channel of {}", shown(&s), v.id),
                    );
                }
                Some(c)
            }
            Err(_) => {
                ck.fail(
                    "channel",
                    format!("{} is not office, state_corporation or portal", shown(&s)),
                );
                None
            }
        },
    };
    let purpose = ck.text(raw, "purpose", false, 40);
    if let Some(v) = version {
        match &purpose {
            Some(p) if !v.purposes.iter().any(|x| &x.id == p) => ck.fail(
                "purpose",
                format!(
                    "{} is not a purpose of {} ({})",
                    shown(p),
                    v.id,
                    v.purposes
                        .iter()
                        .map(|x| x.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            None if !v.purposes.is_empty() => ck.fail("purpose", format!("required for {}", v.id)),
            _ => {}
        }
    }
    let name = ck.text(raw, "applicant_name", true, MAX_NAME);
    let key = ck.text(raw, "applicant_key", true, 60);
    let applicant_iin = ck.text(raw, "applicant_iin", false, 20);
    let applicant_iin = ck.iin("applicant_iin", applicant_iin, false);
    let birth = ck.date(
        "applicant_birth_date",
        raw.fields.get("applicant_birth_date").map(String::as_str),
    );
    let citizenship = ck
        .text(raw, "citizenship", true, 3)
        .map(|c| c.to_uppercase());
    if let Some(c) = &citizenship
        && !(c.len() == 3 && c.chars().all(|x| x.is_ascii_uppercase()))
    {
        ck.fail(
            "citizenship",
            format!(
                "{} is not a 3-letter country code (ISO 3166 alpha-3)",
                shown(c)
            ),
        );
    }
    let host_name = ck.text(raw, "host_name", false, MAX_NAME);
    let host_id = ck.text(raw, "host_id", false, 20);
    let host_id = ck.iin("host_id", host_id, true);
    let entry_date = ck.date(
        "entry_date",
        raw.fields.get("entry_date").map(String::as_str),
    );
    let assignee = ck.text(raw, "assignee", false, 64);
    if let Some(a) = &assignee
        && !users.contains(a)
    {
        ck.fail("assignee", format!("{} is not a user you may assign (an inspector assigns only themselves; auditors take no cases)", shown(a)));
    }
    let mut documents = Vec::new();
    for (j, d) in raw.documents.iter().enumerate() {
        let field = format!("documents[{}]", j + 1);
        let kind = ck.clean(&field, &d.kind, 60);
        let number = ck.clean(&field, &d.number, 60);
        let valid_until = ck.date(&field, d.valid_until.as_deref());
        if let (Some(v), Some(k)) = (version, &kind)
            && !v.documents.iter().any(|x| &x.id == k)
        {
            ck.fail(
                &field,
                format!("{} is not a document of {}", shown(k), v.id),
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
        let key = ck.clean(&field, &p.key, 60);
        let person_iin = p.iin.clone().and_then(|i| ck.clean(&field, &i, 20));
        let person_iin = ck.iin(&field, person_iin, false);
        let birth_date = ck.date(&field, p.birth_date.as_deref());
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
    c.assignee = assignee;
    c.documents = documents;
    c.family = family;
    Some(c)
}
