//! The user's console settings as stored rows (`store::prefs`): the view,
//! the sort and its direction, the filters, the theme and the saved
//! filters. The runtime reads them when the console opens and, after every
//! burst of keys, hands the worker those that changed.
//!
//! With nothing stored, an inspector's console opens on "mine" (the work
//! is theirs; the other cases are one `v` away) and a supervisor's or an
//! auditor's on "all": a supervisor distributes and watches the unit's
//! whole caseload, and "all" is the queue `:assign` and the desk's figures
//! speak of; the desk is one `D` away.

use std::collections::BTreeMap;

use super::queue::{Sort, View};
use super::{Model, queue};
use crate::domain::procedure::Role;

/// The key under which a saved filter is kept.
pub const SAVED: &str = "saved-filter:";

/// The longest name of a saved filter.
pub const MAX_NAME: usize = 40;

/// The view a console opens on when the user has none stored.
pub fn default_view(role: Role) -> View {
    match role {
        Role::Inspector => View::Mine,
        Role::Supervisor | Role::Auditor | Role::Regional => View::All,
    }
}

fn view_name(v: View) -> &'static str {
    match v {
        View::All => "all",
        View::Mine => "mine",
        View::Unassigned => "unassigned",
    }
}

const SORTS: &[(&str, Sort)] = &[
    ("urgency", Sort::Urgency),
    ("number", Sort::Number),
    ("applicant", Sort::Applicant),
    ("procedure", Sort::Procedure),
    ("assignee", Sort::Assignee),
];

/// The settings of the model as rows (key, value).
pub fn snapshot(m: &Model) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert("view".into(), view_name(m.view).into());
    if let Some((n, _)) = SORTS.iter().find(|(_, s)| *s == m.sort) {
        out.insert("sort".into(), (*n).into());
    }
    if m.reverse {
        out.insert("reverse".into(), "1".into());
    }
    let filter = queue::filter_line(m);
    if !filter.is_empty() {
        out.insert("filter".into(), filter);
    }
    if m.mouse {
        out.insert("mouse".into(), "on".into());
    }
    if let Some(t) = &m.theme {
        out.insert("theme".into(), t.clone());
    }
    for (name, line) in &m.saved_filters {
        out.insert(format!("{SAVED}{name}"), line.clone());
    }
    out
}

/// Put stored settings in force. A value kezek cannot read (an older
/// version's, a procedure no longer in the rules) is left out, and what it
/// was is returned for the status line.
pub fn apply(m: &mut Model, prefs: &BTreeMap<String, String>) -> Vec<String> {
    let mut skipped = Vec::new();
    m.view = match prefs.get("view").map(String::as_str) {
        Some("all") => View::All,
        Some("mine") => View::Mine,
        Some("unassigned") => View::Unassigned,
        _ => default_view(m.me.role),
    };
    if let Some(s) = prefs.get("sort") {
        match SORTS.iter().find(|(n, _)| n == s) {
            Some((_, sort)) => m.sort = *sort,
            None => skipped.push(format!("sort={s}")),
        }
    }
    m.reverse = prefs.get("reverse").is_some_and(|v| v == "1");
    if let Some(line) = prefs.get("filter") {
        match queue::parse_filter(m, line) {
            Ok(f) => {
                m.fields = f.fields;
                m.filter = f.text;
                m.procedure = f.procedure;
            }
            Err(_) => skipped.push(format!("filter={line}")),
        }
    }
    m.theme = prefs.get("theme").cloned();
    m.mouse = prefs.get("mouse").is_some_and(|v| v == "on");
    m.saved_filters = prefs
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(SAVED).map(|n| (n.to_string(), v.clone())))
        .collect();
    m.refilter();
    skipped
}

/// Whether a saved filter's name is usable: a word of letters, digits,
/// `-` and `_`, at most [`MAX_NAME`] characters.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}
