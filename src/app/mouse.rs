//! The mouse, when the user turns it on (`:mouse on`; off by default, so
//! that selecting text with the mouse, to copy a case number or a name,
//! works as in any terminal): the wheel scrolls the list or the section
//! under it, a click selects a queue row or a section tab, a double click
//! opens the row. While a prompt, a form, the help or the note editor is
//! open, the mouse does nothing (keys only, as before).

use super::{Action, Effect, Model, Screen};

/// Rows the wheel moves per notch.
const WHEEL: usize = 3;

/// The first screen row of the queue's cases (under the header line and
/// the table's column titles).
pub const QUEUE_FIRST_ROW: u16 = 2;

/// The screen row of the case screen's section tabs.
pub const TABS_ROW: u16 = 1;

/// What the pointer did, in screen cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pointer {
    WheelUp,
    WheelDown,
    Click { x: u16, y: u16 },
    DoubleClick { x: u16, y: u16 },
}

/// Apply a pointer event. `tabs` is the case screen's tab row as last
/// drawn (one string per cell): a click is mapped to the tab whose label
/// (`N:Name`, `N`) it falls on.
pub fn update(m: &mut Model, p: Pointer, tabs: &[String]) -> Effect {
    if !m.mouse || m.prompt.is_some() || m.dialog.is_some() || m.help.is_some() || m.filtering {
        return Effect::None;
    }
    if let Screen::Case(v) = &m.screen
        && v.editor.is_some()
    {
        return Effect::None;
    }
    match p {
        Pointer::WheelUp | Pointer::WheelDown => {
            let a = if p == Pointer::WheelUp {
                Action::Up
            } else {
                Action::Down
            };
            let mut effect = Effect::None;
            for _ in 0..WHEEL {
                effect = super::update(m, a.clone());
            }
            effect
        }
        Pointer::Click { x, y } | Pointer::DoubleClick { x, y } => {
            let double = matches!(p, Pointer::DoubleClick { .. });
            match &m.screen {
                Screen::Queue => {
                    let Some(i) = queue_row(m, y) else {
                        return Effect::None;
                    };
                    // The second click of a double click opens the row the
                    // first one selected.
                    if double {
                        return super::update(m, Action::Open);
                    }
                    m.top = super::queue::window(m.top, m.selected, m.page);
                    m.selected = i;
                    Effect::None
                }
                Screen::Case(_) if y == TABS_ROW => match tab_at(tabs, x) {
                    Some(n) => super::update(m, Action::Section(n)),
                    None => Effect::None,
                },
                _ => Effect::None,
            }
        }
    }
}

/// The queue row (index into `visible`) drawn at screen row `y`, computed
/// as the queue's drawing places its window.
fn queue_row(m: &Model, y: u16) -> Option<usize> {
    let on_screen = usize::from(y.checked_sub(QUEUE_FIRST_ROW)?);
    let page = m.page.max(1);
    if on_screen >= page {
        return None;
    }
    let i = super::queue::window(m.top, m.selected, page) + on_screen;
    (i < m.visible.len()).then_some(i)
}

/// The section (0-based) whose tab label covers column `x`: labels start
/// with the section's number after a space.
fn tab_at(tabs: &[String], x: u16) -> Option<usize> {
    let x = usize::from(x);
    if tabs.get(x).is_none_or(|c| c.trim().is_empty()) {
        return None;
    }
    (0..=x).rev().find_map(|i| {
        let c = tabs.get(i)?;
        let before = if i == 0 {
            " "
        } else {
            tabs.get(i - 1)?.as_str()
        };
        let d = c.chars().next()?.to_digit(10)?;
        let next = tabs.get(i + 1).map(String::as_str).unwrap_or(" ");
        (before.trim().is_empty() && (next == ":" || next.trim().is_empty()) && d >= 1)
            .then(|| d as usize - 1)
    })
}
