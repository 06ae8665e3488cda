//! Errors in rule files (calendar, procedures), located by file and line.

use std::fmt;

use super::msg::{Localize, Msg};
use crate::msg;

/// A rule file that cannot be used, with the place and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// The file as the user knows it (`rules/calendar-kz.toml (built in)` or a path).
    pub file: String,
    /// 1-based line; 0 when the problem is not tied to one line.
    pub line: usize,
    pub reason: String,
}

impl RuleError {
    pub fn new(file: impl Into<String>, line: usize, reason: impl Into<String>) -> Self {
        RuleError {
            file: file.into(),
            line,
            reason: reason.into(),
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
        if self.line > 0 {
            msg!(
                "error.rule-file.at-line",
                file = &self.file,
                line = self.line,
                reason = &self.reason
            )
        } else {
            msg!(
                "error.rule-file.at",
                file = &self.file,
                reason = &self.reason
            )
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
