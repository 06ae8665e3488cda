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
    ("filter", "usage.filter"),
    ("save-filter", "usage.save-filter"),
    ("filters", "usage.filters"),
    ("mouse", "usage.mouse"),
    ("messages", "usage.messages"),
    ("q", "usage.quit"),
];

/// Tab on the command line: the candidates for the word before the
/// cursor, and which one is shown; another Tab shows the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The line before the word being completed.
    pub head: String,
    pub candidates: Vec<String>,
    pub shown: usize,
}

/// At most this many case numbers are offered by Tab.
const MAX_CANDIDATES: usize = 50;

/// The candidates for the last word of a command line: command names for
/// the first word, case numbers after `open`, logins after `assign`, saved
/// filters after `filters`, themes are not known here.
pub fn candidates(m: &Model, line: &str) -> (String, Vec<String>) {
    let (head, word) = match line.rfind(' ') {
        Some(i) => (&line[..=i], &line[i + 1..]),
        None => ("", line),
    };
    let command = head.split_whitespace().next();
    let lower = word.to_lowercase();
    let list: Vec<String> = match command {
        None => COMMANDS
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| n.starts_with(lower.as_str()))
            .map(str::to_string)
            .collect(),
        Some("open") => numbers_for(m, word),
        Some("assign") => m
            .logins
            .iter()
            .filter(|l| l.to_lowercase().starts_with(&lower))
            .cloned()
            .collect(),
        Some("mouse") => ["on", "off"]
            .iter()
            .filter(|w| w.starts_with(lower.as_str()))
            .map(|w| w.to_string())
            .collect(),
        Some("filters") => m
            .saved_filters
            .keys()
            .filter(|n| n.to_lowercase().starts_with(&lower))
            .cloned()
            .collect(),
        Some(_) => Vec::new(),
    };
    (head.to_string(), list)
}

/// Case numbers of the queue that a word typed so far may mean: the full
/// number's start, or the short form (`39`, `rvp-39`, `RVP39`) with the
/// sequence's digits typed so far.
fn numbers_for(m: &Model, word: &str) -> Vec<String> {
    let upper = word.to_uppercase();
    let short = crate::store::prefs::Short::parse(word);
    // The digits as typed: `rvp-0` is the start of `RVP-00039`.
    let digits = &word[word.len() - word.chars().rev().take_while(char::is_ascii_digit).count()..];
    let mut out: Vec<String> = Vec::new();
    for r in m.rows.iter() {
        let n = r.number();
        let hit = n.to_uppercase().starts_with(&upper)
            || short.as_ref().is_some_and(|s| short_prefix(s, digits, n));
        if hit {
            out.push(n.to_string());
        }
    }
    out.sort();
    out.dedup();
    out.truncate(MAX_CANDIDATES);
    out
}

/// Whether `number`'s sequence starts with the digits typed (as typed, or
/// without leading zeros) and its year and code are those typed, if any.
fn short_prefix(s: &crate::store::prefs::Short, digits: &str, number: &str) -> bool {
    let Some(last) = number.rsplit('-').next() else {
        return false;
    };
    let seq = last.trim_start_matches('0');
    if !(seq.starts_with(s.seq.as_str()) || last.starts_with(digits)) {
        return false;
    }
    let whole = crate::store::prefs::Short {
        seq: if seq.is_empty() { "0" } else { seq }.to_string(),
        ..s.clone()
    };
    whole.matches(number)
}

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
    if action != Action::PromptComplete {
        m.completion = None;
    }
    match action {
        Action::PromptInput(c) => prompt.text_mut().push(c),
        Action::PromptBackspace => {
            prompt.text_mut().pop();
        }
        Action::PromptComplete => {
            let Some(Prompt::Command(cmd)) = m.prompt.as_ref() else {
                return Effect::None;
            };
            let cmd = cmd.trim_start().to_string();
            complete(m, &cmd);
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

/// Tab: the first candidate, or the next one when Tab was the last key.
fn complete(m: &mut Model, line: &str) {
    let next = match m.completion.take() {
        Some(mut c) if !c.candidates.is_empty() => {
            c.shown = (c.shown + 1) % c.candidates.len();
            c
        }
        _ => {
            let (head, candidates) = candidates(m, line);
            if candidates.is_empty() {
                let word = line.rsplit(' ').next().unwrap_or(line);
                let key = if head.is_empty() {
                    "status.no-command-starts"
                } else {
                    "status.no-completion"
                };
                m.status = tf(
                    m.lang,
                    key,
                    &[("word", &crate::domain::text::printable(word))],
                );
                return;
            }
            Completion {
                head,
                candidates,
                shown: 0,
            }
        }
    };
    let Some(pick) = next.candidates.get(next.shown) else {
        return;
    };
    // One candidate is taken whole, with a space after it.
    let tail = if next.candidates.len() == 1 { " " } else { "" };
    m.prompt = Some(Prompt::Command(format!("{}{pick}{tail}", next.head)));
    m.status = if next.candidates.len() > 1 {
        let list: Vec<&str> = next
            .candidates
            .iter()
            .take(10)
            .map(String::as_str)
            .collect();
        let more = if next.candidates.len() > 10 {
            " …"
        } else {
            ""
        };
        format!(
            "{}/{}: {}{more}",
            next.shown + 1,
            next.candidates.len(),
            crate::domain::text::printable(&list.join("  "))
        )
    } else {
        String::new()
    };
    if next.candidates.len() > 1 {
        m.completion = Some(next);
    }
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
    let rest = line
        .split_once(char::is_whitespace)
        .map_or("", |(_, r)| r.trim());
    match name {
        "filter" => return run_filter(m, rest),
        "save-filter" => return save_filter(m, rest),
        "filters" => return pick_filter(m, rest),
        _ => {}
    }
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
        ("open", Some(n)) => Effect::OpenTyped(n.to_string()),
        ("theme", Some(t)) => Effect::SetTheme(t.to_string()),
        ("mouse", Some(w @ ("on" | "off"))) => {
            m.mouse = w == "on";
            m.status = m
                .t(if m.mouse {
                    "status.mouse-on"
                } else {
                    "status.mouse-off"
                })
                .to_string();
            Effect::None
        }
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

/// `:filter assignee=li status=accepted procedure=rvp text`; `:filter`
/// alone clears every filter.
fn run_filter(m: &mut Model, line: &str) -> Effect {
    match super::queue::parse_filter(m, line) {
        Ok(f) => {
            let reload = super::queue::set_filter(m, f);
            m.status = if line.is_empty() {
                m.t("status.filters-cleared").to_string()
            } else {
                tf(
                    m.lang,
                    "status.filtered",
                    &[
                        ("filter", &crate::domain::text::printable(line)),
                        ("n", &m.visible.len()),
                    ],
                )
            };
            if !matches!(m.screen, Screen::Queue) {
                m.screen = Screen::Queue;
                m.queue_stale = false;
                return Effect::LoadQueue;
            }
            if reload {
                Effect::LoadQueue
            } else {
                Effect::None
            }
        }
        Err(why) => {
            m.status = why;
            Effect::None
        }
    }
}

/// `:save-filter NAME`: the filters in force, kept under a name.
fn save_filter(m: &mut Model, name: &str) -> Effect {
    if !super::prefs::valid_name(name) {
        m.status = tf(
            m.lang,
            "status.filter-name",
            &[
                ("name", &crate::domain::text::printable(name)),
                ("max", &super::prefs::MAX_NAME),
            ],
        );
        return Effect::None;
    }
    let line = super::queue::filter_line(m);
    if line.is_empty() {
        m.status = m.t("status.no-filter-to-save").to_string();
        return Effect::None;
    }
    m.status = tf(
        m.lang,
        "status.filter-saved",
        &[
            ("name", &name),
            ("filter", &crate::domain::text::printable(&line)),
        ],
    );
    m.saved_filters.insert(name.to_string(), line);
    Effect::None
}

/// `:filters` lists the saved filters; `:filters NAME` puts one in force
/// (Tab completes the name).
fn pick_filter(m: &mut Model, name: &str) -> Effect {
    if name.is_empty() {
        m.status = if m.saved_filters.is_empty() {
            m.t("status.no-saved-filters").to_string()
        } else {
            let list: Vec<String> = m
                .saved_filters
                .iter()
                .map(|(n, l)| format!("{n} ({l})"))
                .collect();
            tf(
                m.lang,
                "status.saved-filters",
                &[("list", &crate::domain::text::printable(&list.join("; ")))],
            )
        };
        return Effect::None;
    }
    match m.saved_filters.get(name).cloned() {
        Some(line) => run_filter(m, &line),
        None => {
            m.status = tf(
                m.lang,
                "status.no-saved-filter",
                &[("name", &crate::domain::text::printable(name))],
            );
            Effect::None
        }
    }
}
