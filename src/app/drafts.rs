//! What the user has typed and not yet saved, as the worker keeps it in
//! the database: the note editor's text, a check's note, a half-filled
//! form. The runtime takes a [`snapshot`] after every burst of keys and
//! stores what differs from the last one, so a restart, a dropped link or
//! a killed process finds every draft where it was left.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::dialog::{Dialog, Input};
use super::{DialogKind, Model, Prompt, Screen};
use crate::domain::case::Outcome;

/// A draft's place: (case number, kind). Kinds: `note`,
/// `check-note:CHECK`, `dialog:KIND`.
pub type DraftKey = (String, String);

impl DialogKind {
    pub fn id(self) -> &'static str {
        match self {
            DialogKind::Decide => "decide",
            DialogKind::Hearing => "hearing",
            DialogKind::Approve => "approve",
            DialogKind::Stage => "stage",
        }
    }

    pub fn from_id(id: &str) -> Option<DialogKind> {
        [
            DialogKind::Decide,
            DialogKind::Hearing,
            DialogKind::Approve,
            DialogKind::Stage,
        ]
        .into_iter()
        .find(|k| k.id() == id)
    }
}

/// A form's values, field by field, and where the cursor was.
pub fn dialog_body(d: &Dialog) -> Value {
    let fields: Vec<Value> = d
        .fields
        .iter()
        .map(|f| match &f.input {
            Input::Text(s) => json!({ "text": s }),
            Input::Area(a) => json!({ "lines": a.lines() }),
            Input::Choice(o, at) => json!({ "choice": o.get(*at).map(|x| &x.0) }),
            Input::Multi(o, on, _) => json!({
                "on": o.iter().zip(on).filter(|(_, on)| **on).map(|(x, _)| &x.0).collect::<Vec<_>>()
            }),
        })
        .collect();
    json!({ "focus": d.focus, "fields": fields })
}

/// Put stored values back into a freshly opened form of the same kind.
/// A value that no longer fits its field (a choice that is gone) leaves
/// the field as proposed.
pub fn restore_dialog(d: &mut Dialog, body: &Value) {
    if let Some(focus) = body["focus"].as_u64() {
        d.focus = (focus as usize).min(d.fields.len().saturating_sub(1));
    }
    let Some(saved) = body["fields"].as_array() else {
        return;
    };
    for (field, v) in d.fields.iter_mut().zip(saved) {
        match &mut field.input {
            Input::Text(s) => {
                if let Some(t) = v["text"].as_str() {
                    *s = t.to_string();
                }
            }
            Input::Area(a) => {
                if let Some(lines) = v["lines"].as_array() {
                    let lines: Vec<String> = lines
                        .iter()
                        .filter_map(|l| l.as_str().map(str::to_string))
                        .collect();
                    let block = a.block().cloned();
                    let mut fresh = ratatui_textarea::TextArea::new(lines);
                    if let Some(b) = block {
                        fresh.set_block(b);
                    }
                    fresh.move_cursor(ratatui_textarea::CursorMove::Bottom);
                    fresh.move_cursor(ratatui_textarea::CursorMove::End);
                    **a = fresh;
                }
            }
            Input::Choice(o, at) => {
                if let Some(i) = v["choice"]
                    .as_str()
                    .and_then(|c| o.iter().position(|x| x.0 == c))
                {
                    *at = i;
                }
            }
            Input::Multi(o, on, _) => {
                if let Some(list) = v["on"].as_array() {
                    let ids: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
                    for (x, flag) in o.iter().zip(on.iter_mut()) {
                        *flag = ids.contains(&x.0.as_str());
                    }
                }
            }
        }
    }
}

fn note_body(lines: &[String]) -> Option<String> {
    (lines.iter().any(|l| !l.trim().is_empty())).then(|| json!({ "lines": lines }).to_string())
}

/// The drafts a change on its way to the store was typed in, as stored.
pub fn of_sent(sent: &super::Sent) -> Vec<(DraftKey, String)> {
    let mut out = Vec::new();
    if let Some(d) = &sent.dialog {
        out.push((
            (d.number.clone(), format!("dialog:{}", d.kind.id())),
            dialog_body(d).to_string(),
        ));
    }
    if let Some((number, check, outcome, text)) = &sent.check_note {
        out.push((
            (number.clone(), format!("check-note:{check}")),
            json!({ "outcome": outcome, "text": text }).to_string(),
        ));
    }
    out
}

/// Every unsaved text the model holds, by case and kind, as stored.
pub fn snapshot(m: &Model) -> BTreeMap<DraftKey, String> {
    let mut out = BTreeMap::new();
    for (number, lines) in &m.drafts {
        if let Some(b) = note_body(lines) {
            out.insert((number.clone(), "note".to_string()), b);
        }
    }
    for ((number, check), (outcome, text)) in &m.check_note_drafts {
        if !text.trim().is_empty() {
            out.insert(
                (number.clone(), format!("check-note:{check}")),
                json!({ "outcome": outcome, "text": text }).to_string(),
            );
        }
    }
    for ((number, kind), body) in &m.stored_dialogs {
        out.insert(
            (number.clone(), format!("dialog:{}", kind.id())),
            body.to_string(),
        );
    }
    for ((number, kind), d) in &m.dialog_drafts {
        out.insert(
            (number.clone(), format!("dialog:{}", kind.id())),
            dialog_body(d).to_string(),
        );
    }
    if let Some(sent) = &m.sent {
        out.extend(of_sent(sent));
    }
    if let Screen::Case(view) = &m.screen {
        let number = &view.loaded.case.number;
        if let Some(ed) = &view.editor {
            match note_body(ed.lines()) {
                Some(b) => out.insert((number.clone(), "note".to_string()), b),
                None => out.remove(&(number.clone(), "note".to_string())),
            };
        }
        if let Some(Prompt::CheckNote { outcome, text }) = &m.prompt
            && let Some(check) = m.check_ids.get(view.cursor)
            && !text.trim().is_empty()
        {
            out.insert(
                (number.clone(), format!("check-note:{check}")),
                json!({ "outcome": outcome, "text": text }).to_string(),
            );
        }
    }
    if let Some(d) = &m.dialog {
        out.insert(
            (d.number.clone(), format!("dialog:{}", d.kind.id())),
            dialog_body(d).to_string(),
        );
    }
    out
}

/// Take drafts read from the database for a case into the model, unless
/// the model already holds newer ones.
pub fn adopt(m: &mut Model, number: &str, stored: Vec<crate::store::drafts::Draft>) {
    for d in stored {
        let Ok(body) = serde_json::from_str::<Value>(&d.body) else {
            continue;
        };
        if d.kind == "note" {
            let lines: Vec<String> = body["lines"]
                .as_array()
                .map(|l| {
                    l.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            m.drafts.entry(number.to_string()).or_insert(lines);
        } else if let Some(check) = d.kind.strip_prefix("check-note:") {
            let outcome: Outcome =
                serde_json::from_value(body["outcome"].clone()).unwrap_or(Outcome::Passed);
            let text = body["text"].as_str().unwrap_or_default().to_string();
            m.check_note_drafts
                .entry((number.to_string(), check.to_string()))
                .or_insert((outcome, text));
        } else if let Some(kind) = d.kind.strip_prefix("dialog:").and_then(DialogKind::from_id) {
            let key = (number.to_string(), kind);
            if !m.dialog_drafts.contains_key(&key) {
                m.stored_dialogs.entry(key).or_insert(body);
            }
        }
    }
}
