//! Errors in rule files (calendar, procedures), located by file and line.

use std::fmt;

use super::msg::{Arg, Localize, Msg};

/// A rule file that cannot be used, with the place and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// The file as the user knows it (`rules/calendar-kz.toml (built in)` or a path).
    pub file: String,
    /// 1-based line; 0 when the problem is not tied to one line.
    pub line: usize,
    /// The reason in English (logs, and files whose checks are not worded
    /// in the catalogue: the rule files' own validation speaks to their
    /// maintainers).
    pub reason: String,
    /// The reason as a catalogue sentence, for errors a user meets.
    pub words: Option<Msg>,
}

impl RuleError {
    pub fn new(file: impl Into<String>, line: usize, reason: impl Into<String>) -> Self {
        RuleError {
            file: file.into(),
            line,
            reason: reason.into(),
            words: None,
        }
    }

    /// An error worded in the catalogue.
    pub fn said(file: impl Into<String>, line: usize, words: Msg) -> Self {
        RuleError {
            file: file.into(),
            line,
            reason: words.to_string(),
            words: Some(words),
        }
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file, self.line, self.reason)
        } else {
            write!(f, "{}: {}", self.file, self.reason)
        }
    }
}

impl std::error::Error for RuleError {}

impl Localize for RuleError {
    fn msg(&self) -> Msg {
        let reason = match &self.words {
            Some(m) => Arg::from(m.clone()),
            None => Arg::from(&self.reason),
        };
        let file = Arg::from(&self.file);
        if self.line > 0 {
            Msg {
                key: "error.rule-file.at-line",
                args: vec![
                    ("file", file),
                    ("line", Arg::from(self.line)),
                    ("reason", reason),
                ],
            }
        } else {
            Msg {
                key: "error.rule-file.at",
                args: vec![("file", file), ("reason", reason)],
            }
        }
    }
}

/// A rule source: its display name and its text, used to turn byte offsets into lines.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

impl Source<'_> {
    /// The 1-based line that holds byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    pub fn error_at(&self, offset: usize, reason: impl Into<String>) -> RuleError {
        RuleError::new(self.name, self.line_of(offset), reason)
    }

    /// Turn a TOML syntax or shape error into a located rule error.
    pub fn toml_error(&self, err: &toml::de::Error) -> RuleError {
        let line = err.span().map(|s| self.line_of(s.start)).unwrap_or(0);
        RuleError::new(self.name, line, err.message().trim().to_string())
    }
}
