//! Notice templates: plain-text files with `{placeholders}`, parsed and
//! checked when loaded so that a mistake in an administrator's copy stops
//! kezek with the file, the line and the placeholder instead of printing a
//! notice with a hole in it.
//!
//! The format, line by line:
//!
//! - `{name}` inserts a value; `{{` and `}}` are literal braces;
//! - a line that starts with `{?name}` is kept only when `name` has a value
//!   (the marker itself is not printed);
//! - a line holding a list placeholder (`{grounds}`, `{documents}`, …) is
//!   repeated once per item, and dropped when the list is empty; `{n}` on
//!   such a line is the item's number;
//! - `# ` starts the title, `## ` a subtitle, `> ` a line set flush right
//!   (place and date), `- ` an item of a bulleted list; a blank line ends a
//!   paragraph.

use sha2::{Digest, Sha256};

use crate::domain::rules_error::RuleError;

/// What a placeholder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One value.
    Scalar,
    /// Several values: the line repeats per item.
    List,
    /// The number of the item on a repeated line.
    Counter,
}

/// Every placeholder a template may use, with its shape. Dates have a
/// `.words` twin with the month spelled out in the notice's language.
pub const PLACEHOLDERS: &[(&str, Shape)] = &[
    ("today", Shape::Scalar),
    ("today.words", Shape::Scalar),
    ("inspector", Shape::Scalar),
    ("inspector.login", Shape::Scalar),
    ("case.number", Shape::Scalar),
    ("case.channel", Shape::Scalar),
    ("case.purpose", Shape::Scalar),
    ("case.received", Shape::Scalar),
    ("case.received.words", Shape::Scalar),
    ("case.received.time", Shape::Scalar),
    ("case.accepted", Shape::Scalar),
    ("case.accepted.words", Shape::Scalar),
    ("case.service_due", Shape::Scalar),
    ("case.service_due.words", Shape::Scalar),
    ("procedure.name", Shape::Scalar),
    ("procedure.code", Shape::Scalar),
    ("act", Shape::Scalar),
    ("rule.version", Shape::Scalar),
    ("applicant.name", Shape::Scalar),
    ("applicant.iin", Shape::Scalar),
    ("applicant.citizenship", Shape::Scalar),
    ("applicant.birth_date", Shape::Scalar),
    ("host.name", Shape::Scalar),
    ("host.id", Shape::Scalar),
    ("family", Shape::List),
    ("documents", Shape::List),
    ("refusal_to_accept.reasons", Shape::List),
    ("notice.sent", Shape::Scalar),
    ("notice.sent.words", Shape::Scalar),
    ("notice.channel", Shape::Scalar),
    ("hearing.at", Shape::Scalar),
    ("hearing.date", Shape::Scalar),
    ("hearing.date.words", Shape::Scalar),
    ("hearing.time", Shape::Scalar),
    ("hearing.place", Shape::Scalar),
    ("hearing.held", Shape::Scalar),
    ("hearing.position", Shape::Scalar),
    ("decision.planned", Shape::Scalar),
    ("decision.planned.words", Shape::Scalar),
    ("decision.date", Shape::Scalar),
    ("decision.date.words", Shape::Scalar),
    ("decision.by", Shape::Scalar),
    ("decision.reason", Shape::Scalar),
    ("receipt.talon", Shape::Scalar),
    ("case.service_due.sum", Shape::Scalar),
    ("case.service_due.stated", Shape::Scalar),
    ("receipt.plain", Shape::Scalar),
    ("decision.issue", Shape::Scalar),
    ("decision.refuse", Shape::Scalar),
    ("decision.annul", Shape::Scalar),
    ("approval.pending", Shape::Scalar),
    ("approval.by", Shape::Scalar),
    ("approval.date", Shape::Scalar),
    ("approval.date.words", Shape::Scalar),
    ("grounds", Shape::List),
    ("grounds.lifted", Shape::List),
    ("checks", Shape::List),
    ("exit.days", Shape::Scalar),
    ("exit.deadline", Shape::Scalar),
    ("exit.deadline.words", Shape::Scalar),
    ("reapply.from", Shape::Scalar),
    ("reapply.from.words", Shape::Scalar),
    ("n", Shape::Counter),
];

/// The shape of a placeholder, if kezek knows it.
pub fn shape(name: &str) -> Option<Shape> {
    PLACEHOLDERS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
}

/// A piece of a template line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Value(String),
}

/// How a line is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Title,
    Subtitle,
    Right,
    Bullet,
    Plain,
}

/// One line of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub style: Style,
    /// `{?name}`: the line is kept only when `name` has a value.
    pub condition: Option<String>,
    /// The list placeholder the line repeats over.
    pub list: Option<String>,
    pub pieces: Vec<Piece>,
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    /// Where it came from, as the user knows it (`templates/x.ru.txt (built in)` or a path).
    pub source: String,
    /// SHA-256 of the file's text, recorded with every notice issued from it.
    pub sha256: String,
    pub lines: Vec<Line>,
}

/// Parse and check a template. Errors name the file, the line and the problem.
pub fn parse(source: &str, text: &str) -> Result<Template, RuleError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let lineno = i + 1;
        let err = |reason: String| RuleError::new(source, lineno, reason);
        let mut rest = raw.trim_end_matches('\r');
        let mut condition = None;
        if let Some(after) = rest.strip_prefix("{?") {
            let end = after
                .find('}')
                .ok_or_else(|| err("'{?' without its closing '}'".to_string()))?;
            let name = after[..end].trim();
            match shape(name) {
                Some(Shape::Scalar | Shape::List) => {}
                Some(Shape::Counter) => {
                    return Err(err(format!("{{?{name}}}: a condition needs a value")));
                }
                None => return Err(err(unknown(name))),
            }
            condition = Some(name.to_string());
            rest = &after[end + 1..];
        }
        let (style, body) = if let Some(b) = rest.strip_prefix("## ") {
            (Style::Subtitle, b)
        } else if let Some(b) = rest.strip_prefix("# ") {
            (Style::Title, b)
        } else if let Some(b) = rest.strip_prefix("> ") {
            (Style::Right, b)
        } else if let Some(b) = rest.strip_prefix("- ") {
            (Style::Bullet, b)
        } else {
            (Style::Plain, rest)
        };
        let pieces = pieces(body).map_err(|(col, reason)| {
            err(format!(
                "column {}: {reason}",
                col + (raw.len() - body.len()) + 1
            ))
        })?;
        let mut list = None;
        let mut counter = false;
        for p in &pieces {
            if let Piece::Value(name) = p {
                match shape(name) {
                    None => return Err(err(unknown(name))),
                    Some(Shape::List) => {
                        if let Some(other) = &list
                            && other != name
                        {
                            return Err(err(format!(
                                "{{{other}}} and {{{name}}} are both lists: a line repeats over one list"
                            )));
                        }
                        list = Some(name.clone());
                    }
                    Some(Shape::Counter) => counter = true,
                    Some(Shape::Scalar) => {}
                }
            }
        }
        if counter && list.is_none() {
            return Err(err(
                "{n} numbers the items of a list: use it on a line with a list placeholder"
                    .to_string(),
            ));
        }
        lines.push(Line {
            style,
            condition,
            list,
            pieces,
        });
    }
    Ok(Template {
        source: source.to_string(),
        sha256: sha256_hex(text),
        lines,
    })
}

fn unknown(name: &str) -> String {
    let near: Vec<&str> = PLACEHOLDERS
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| {
            let stem = name.split('.').next().unwrap_or(name);
            !stem.is_empty() && n.starts_with(stem)
        })
        .collect();
    if near.is_empty() {
        format!("unknown placeholder {{{name}}}")
    } else {
        format!(
            "unknown placeholder {{{name}}} (did you mean one of: {})",
            near.join(", ")
        )
    }
}

/// Split a line body into text and placeholders; an error carries the
/// byte column in `body`.
fn pieces(body: &str) -> Result<Vec<Piece>, (usize, String)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|x| x.1) == Some('{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek().map(|x| x.1) == Some('}') => {
                chars.next();
                text.push('}');
            }
            '}' => {
                return Err((
                    i,
                    "'}' without an opening '{' (write '}}' for a brace)".into(),
                ));
            }
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for (_, x) in chars.by_ref() {
                    match x {
                        '}' => {
                            closed = true;
                            break;
                        }
                        '{' => {
                            return Err((i, "'{' inside a placeholder".into()));
                        }
                        _ => name.push(x),
                    }
                }
                if !closed {
                    return Err((
                        i,
                        format!(
                            "'{{{}' is not closed with '}}' (write '{{{{' for a brace)",
                            name.chars().take(30).collect::<String>()
                        ),
                    ));
                }
                let name = name.trim().to_string();
                if name.is_empty() {
                    return Err((i, "empty placeholder '{}'".into()));
                }
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(Piece::Value(name));
            }
            _ => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    Ok(out)
}

pub(crate) fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_and_escapes() {
        let t = parse("t", "# Дело № {case.number} {{x}}").expect("parse");
        assert_eq!(t.lines[0].style, Style::Title);
        assert_eq!(
            t.lines[0].pieces,
            vec![
                Piece::Text("Дело № ".into()),
                Piece::Value("case.number".into()),
                Piece::Text(" {x}".into())
            ]
        );
    }

    #[test]
    fn errors_name_line_and_placeholder() {
        let e = parse("f.txt", "ok\nДело {case.numbr}").expect_err("unknown");
        assert_eq!(e.line, 2);
        assert!(e.reason.contains("{case.numbr}"), "{e}");
        let e = parse("f.txt", "a {case.number").expect_err("open");
        assert!(e.reason.contains("not closed"), "{e}");
        let e = parse("f.txt", "a } b").expect_err("close");
        assert!(e.reason.contains("'}'"), "{e}");
        let e = parse("f.txt", "{n}. x").expect_err("counter");
        assert!(e.reason.contains("{n}"), "{e}");
        let e = parse("f.txt", "{grounds} {documents}").expect_err("two lists");
        assert!(e.reason.contains("both lists"), "{e}");
    }

    #[test]
    fn conditions() {
        let t = parse("t", "{?applicant.iin}ИИН: {applicant.iin}").expect("parse");
        assert_eq!(t.lines[0].condition.as_deref(), Some("applicant.iin"));
        assert!(parse("t", "{?nope}x").is_err());
    }
}
