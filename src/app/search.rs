//! `/` inside a case: search the section on show (notes, history,
//! checklist, or any other) as `/` filters the queue. Matching is the
//! queue's: case-insensitive, Cyrillic and Kazakh letters included. While
//! a search is in force, the queue's next/previous keys (`n`/`N`) go to
//! the next and previous matching line (in the checklist too, where they
//! otherwise mark "not applicable": `Esc` ends the search and gives them
//! back), the section scrolls to it, and every match is highlighted.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::{Action, Effect, Model, Screen, fold};
use crate::i18n::tf;

/// The search of an open case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub text: String,
    /// The text is being typed.
    pub typing: bool,
    /// The matching line shown (index into the section's lines).
    pub current: Option<usize>,
    /// How many lines match.
    pub count: usize,
}

impl Search {
    /// Whether a search is typed or in force.
    pub fn active(&self) -> bool {
        self.typing || !self.text.is_empty()
    }
}

/// The plain text of a line.
fn text_of(line: &Line<'_>) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

/// The indices of the lines that match.
pub fn matches(lines: &[Line<'_>], needle: &str) -> Vec<usize> {
    let needle = fold(needle.trim());
    if needle.is_empty() {
        return Vec::new();
    }
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| fold(&text_of(l)).contains(&needle))
        .map(|(i, _)| i)
        .collect()
}

/// The open case's section as text lines (for matching; the theme does
/// not matter here).
fn section_lines(m: &Model) -> Vec<Line<'static>> {
    let (Screen::Case(view), Some(world)) = (&m.screen, m.world.as_deref()) else {
        return Vec::new();
    };
    let ui = crate::ui::Ui {
        cal: &world.cal,
        rules: &world.rules,
        theme: crate::ui::Theme::monochrome(),
    };
    super::case::section_text(m.lang, view, &ui)
}

/// A key while the case screen is on show: `/` starts a search, typing
/// edits it, Enter keeps it, `n`/`N` move between matches, Esc ends it.
/// None: the key is not the search's.
pub fn update(m: &mut Model, action: &Action) -> Option<Effect> {
    let Screen::Case(view) = &m.screen else {
        return None;
    };
    let s = view.search.clone();
    let mut next = s.clone();
    match action {
        Action::StartSearch => {
            next = Search {
                typing: true,
                ..Search::default()
            };
        }
        Action::FilterInput(c) if s.typing => next.text.push(*c),
        Action::FilterBackspace if s.typing => {
            next.text.pop();
        }
        Action::FilterDone if s.typing => next.typing = false,
        Action::FilterCancel | Action::Back if s.active() => next = Search::default(),
        Action::NextMatch | Action::PrevMatch if s.active() && !s.typing => {}
        Action::NextSection | Action::PrevSection | Action::Section(_) if s.active() => {
            // The search follows to the next section, from its top.
            next.current = None;
            set(m, next.clone());
            return None;
        }
        _ => return None,
    }
    let lines = section_lines(m);
    let found = matches(&lines, &next.text);
    next.count = found.len();
    next.current = match action {
        Action::NextMatch => s
            .current
            .and_then(|c| found.iter().find(|&&i| i > c).copied())
            .or_else(|| found.first().copied()),
        Action::PrevMatch => s
            .current
            .and_then(|c| found.iter().rev().find(|&&i| i < c).copied())
            .or_else(|| found.last().copied()),
        // As you type, the first match from the top.
        _ => found.first().copied(),
    };
    let lang = m.lang;
    m.status = if next.typing {
        format!(
            "/{}▏ {}",
            crate::domain::text::printable(&next.text),
            found.len()
        )
    } else if next.text.is_empty() {
        String::new()
    } else if found.is_empty() {
        tf(
            lang,
            "status.search-none",
            &[("text", &crate::domain::text::printable(&next.text))],
        )
    } else {
        let at = next
            .current
            .and_then(|c| found.iter().position(|&i| i == c))
            .map_or(0, |p| p + 1);
        tf(
            lang,
            "status.search",
            &[
                ("text", &crate::domain::text::printable(&next.text)),
                ("at", &at),
                ("n", &found.len()),
            ],
        )
    };
    set(m, next);
    Some(Effect::None)
}

fn set(m: &mut Model, s: Search) {
    if let Screen::Case(view) = &mut m.screen {
        view.search = s;
    }
}

/// The section's lines with the matches highlighted (the current match
/// reversed, the others underlined and bold: visible in every theme and
/// without colour).
pub fn highlight(lines: Vec<Line<'static>>, s: &Search) -> Vec<Line<'static>> {
    let found = matches(&lines, &s.text);
    if found.is_empty() {
        return lines;
    }
    let needle: Vec<char> = s.text.trim().to_lowercase().chars().collect();
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            if found.binary_search(&i).is_err() {
                return line;
            }
            let mark = if Some(i) == s.current {
                Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
            } else {
                Style::default().add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
            };
            let split: Vec<Span<'static>> = line
                .spans
                .iter()
                .flat_map(|span| mark_span(span, &needle, mark))
                .collect();
            let marked = split.len() != line.spans.len()
                || split
                    .iter()
                    .zip(&line.spans)
                    .any(|(a, b)| a.style != b.style);
            if marked {
                Line::from(split).style(line.style)
            } else {
                // The match spans two pieces, or folding found what plain
                // lower case does not: the whole line is marked.
                line.clone().patch_style(mark)
            }
        })
        .collect()
}

/// One span cut around the needle's occurrences, each marked.
fn mark_span(span: &Span<'static>, needle: &[char], mark: Style) -> Vec<Span<'static>> {
    let chars: Vec<char> = span.content.chars().collect();
    let lower: Vec<char> = chars
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    if needle.is_empty() || lower.len() < needle.len() {
        return vec![span.clone()];
    }
    let mut out = Vec::new();
    let mut from = 0;
    let mut i = 0;
    while i + needle.len() <= lower.len() {
        if lower[i..i + needle.len()] == *needle {
            if i > from {
                out.push(Span::styled(
                    chars[from..i].iter().collect::<String>(),
                    span.style,
                ));
            }
            out.push(Span::styled(
                chars[i..i + needle.len()].iter().collect::<String>(),
                span.style.patch(mark),
            ));
            i += needle.len();
            from = i;
        } else {
            i += 1;
        }
    }
    if from == 0 {
        return vec![span.clone()];
    }
    if from < chars.len() {
        out.push(Span::styled(
            chars[from..].iter().collect::<String>(),
            span.style,
        ));
    }
    out
}

/// The scroll that shows the current match a third of the way down the
/// body, given the body's size; None when there is no current match.
pub fn scroll_to(lines: &[Line<'_>], s: &Search, width: u16, height: u16) -> Option<u16> {
    let current = s.current?;
    let w = usize::from(width.max(1));
    let row: usize = lines
        .iter()
        .take(current)
        .map(|l| l.width().max(1).div_ceil(w))
        .sum();
    u16::try_from(row.saturating_sub(usize::from(height) / 3)).ok()
}
