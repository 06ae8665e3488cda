//! The one-line prompt at the bottom: the `:` command line with its
//! commands and completion, and the note of a checklist mark.

use super::{Action, Change, Effect, Model, Screen};
use crate::domain::case::Outcome;
use crate::i18n::tf;

/// The commands of the `:` line: name and the catalogue key of its usage.
pub const COMMANDS: &[(&str, &str)] = &[
    ("open", "usage.open"),
    ("assign", "usage.assign"),
    ("export", "usage.export"),
    ("theme", "usage.theme"),
    ("messages", "usage.messages"),
    ("q", "usage.quit"),
];

/// A one-line prompt at the bottom: the `:` command line, or the note of a
/// checklist mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    Command(String),
    CheckNote { outcome: Outcome, text: String },
}

impl Prompt {
    fn text_mut(&mut self) -> &mut String {
        match self {
            Prompt::Command(s) | Prompt::CheckNote { text: s, .. } => s,
        }
    }
}

pub fn update(m: &mut Model, action: Action) -> Effect {
    let Some(prompt) = m.prompt.as_mut() else {
        return Effect::None;
    };
    match action {
        Action::PromptInput(c) => prompt.text_mut().push(c),
        Action::PromptBackspace => {
            prompt.text_mut().pop();
        }
        Action::PromptComplete => {
            if let Prompt::Command(cmd) = prompt {
                let word = cmd.trim_start().to_string();
                let matches: Vec<&str> = COMMANDS
                    .iter()
                    .map(|(n, _)| *n)
                    .filter(|n| n.starts_with(word.as_str()))
                    .collect();
                match matches.as_slice() {
                    [one] => *cmd = format!("{one} "),
                    [] => m.status = tf(m.lang, "status.no-command-starts", &[("word", &word)]),
                    many => m.status = many.join("  "),
                }
            }
        }
        Action::PromptCancel | Action::Back => {
            if let Some(Prompt::CheckNote { outcome, text }) = m.prompt.take()
                && !text.trim().is_empty()
                && let Screen::Case(view) = &m.screen
                && let Some(check) = m.check_ids.get(view.cursor)
            {
                m.check_note_drafts.insert(
                    (view.loaded.case.number.clone(), check.clone()),
                    (outcome, text),
                );
                m.status = m.t("status.draft-kept").to_string();
            }
        }
        Action::PromptRun => {
            let Some(prompt) = m.prompt.take() else {
                return Effect::None;
            };
            return match prompt {
                Prompt::Command(line) => run_command(m, line.trim()),
                Prompt::CheckNote { outcome, text } => {
                    super::checklist::record_mark(m, outcome, text.trim())
                }
            };
        }
        _ => {}
    }
    Effect::None
}

/// The case a command acts on: the open one, else the selected queue row.
fn target(m: &Model) -> Option<(String, Option<i64>)> {
    match &m.screen {
        Screen::Case(v) => Some((v.loaded.case.number.clone(), Some(v.loaded.row_version))),
        Screen::Queue => m.selected_row().map(|r| (r.number().to_string(), None)),
        Screen::Desk(d) => d
            .figures
            .as_ref()
            .and_then(|f| d.cursor.and_then(|c| f.approval_queue.get(c)))
            .map(|a| (a.number.clone(), None)),
    }
}

fn run_command(m: &mut Model, line: &str) -> Effect {
    let mut words = line.split_whitespace();
    let name = words.next().unwrap_or("");
    let arg = words.next();
    let edits = matches!(name, "assign");
    if edits && m.refused_to_auditor() {
        return Effect::None;
    }
    match (name, arg) {
        ("q" | "quit", _) => Effect::Quit,
        ("messages", _) => {
            m.log_status();
            m.log = Some(super::messages::LogView::at_end());
            Effect::None
        }
        ("open", Some(n)) => Effect::LoadCase(n.to_string()),
        ("theme", Some(t)) => Effect::SetTheme(t.to_string()),
        ("export", Some(f @ ("csv" | "json"))) => Effect::Export(f.to_string()),
        ("assign", Some(login)) if !m.marked.is_empty() && matches!(m.screen, Screen::Queue) => {
            Effect::AssignMany(m.marked.iter().cloned().collect(), login.to_string())
        }
        ("assign", Some(login)) => match target(m) {
            Some((number, seen)) => Effect::Act(Change::Assign {
                number,
                seen,
                to: login.to_string(),
            }),
            None => {
                m.status = m.t("status.no-case-selected").to_string();
                Effect::None
            }
        },
        ("", _) => Effect::None,
        (other, _) => {
            m.status = match COMMANDS.iter().find(|(n, _)| *n == other) {
                Some((_, usage)) => tf(m.lang, "status.usage", &[("usage", &m.t(usage))]),
                None => tf(m.lang, "status.unknown-command", &[("name", &other)]),
            };
            Effect::None
        }
    }
}
