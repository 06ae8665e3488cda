//! Text fitted to a width in terminal cells: what a line holds is measured
//! by display width (a CJK letter takes two cells, a combining mark none),
//! cut between grapheme clusters, and a cut always ends in `…`.

use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// The mark of a cut.
pub const ELLIPSIS: &str = "…";

/// How many terminal cells `text` takes.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` in at most `cells` cells: whole when it fits, else its first
/// grapheme clusters and `…`.
pub fn cut(text: &str, cells: usize) -> String {
    if width(text) <= cells {
        return text.to_string();
    }
    if cells == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in text.graphemes(true) {
        let w = width(g);
        if used + w > cells - 1 {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push_str(ELLIPSIS);
    out
}

/// The end of `text` in at most `cells` cells, `…` before it when the
/// start is cut (a line being typed shows where the cursor is).
pub fn tail(text: &str, cells: usize) -> String {
    if width(text) <= cells {
        return text.to_string();
    }
    if cells == 0 {
        return String::new();
    }
    let mut kept: Vec<&str> = Vec::new();
    let mut used = 0;
    for g in text.graphemes(true).rev() {
        let w = width(g);
        if used + w > cells - 1 {
            break;
        }
        kept.push(g);
        used += w;
    }
    kept.reverse();
    format!("{ELLIPSIS}{}", kept.concat())
}

/// `text` padded with spaces to `cells` cells, or cut to them.
pub fn pad(text: &str, cells: usize) -> String {
    let mut s = cut(text, cells);
    let w = width(&s);
    s.extend(std::iter::repeat_n(' ', cells.saturating_sub(w)));
    s
}

/// Split text into lines of at most `cells` cells at spaces; a word longer
/// than a line is broken between grapheme clusters.
pub fn wrap(text: &str, cells: usize) -> Vec<String> {
    let cells = cells.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let len = width(&line);
        if len > 0 && len + 1 + width(word) > cells {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while width(&line) > cells {
            let mut head = String::new();
            let mut used = 0;
            let mut rest = String::new();
            for g in line.graphemes(true) {
                let w = width(g);
                if rest.is_empty() && (used + w <= cells || head.is_empty()) {
                    head.push_str(g);
                    used += w;
                } else {
                    rest.push_str(g);
                }
            }
            out.push(head);
            line = rest;
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// `text` wrapped to `cells`, every line after the first indented by
/// `indent` cells (continuation lines stay under their text).
pub fn hang(text: &str, cells: usize, indent: usize) -> Vec<String> {
    let mut out = Vec::new();
    let first = wrap(text, cells);
    let Some((head, tail)) = first.split_first() else {
        return out;
    };
    out.push(head.clone());
    let rest = tail.join(" ");
    if !rest.is_empty() {
        for l in wrap(&rest, cells.saturating_sub(indent).max(1)) {
            out.push(format!("{:indent$}{l}", ""));
        }
    }
    out
}

/// A styled line in at most `cells` cells: the spans that fit, the one that
/// does not cut with `…`.
pub fn cut_line(line: Line<'static>, cells: usize) -> Line<'static> {
    if line.width() <= cells {
        return line;
    }
    let style = line.style;
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for s in line.spans {
        let w = width(&s.content);
        if used + w < cells {
            used += w;
            spans.push(s);
        } else {
            let text = cut(&format!("{}{ELLIPSIS}", s.content), cells - used);
            // A span that ends exactly at the edge still needs the mark.
            spans.push(Span::styled(text, s.style));
            break;
        }
    }
    Line::from(spans).style(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_by_display_width_and_marks_the_cut() {
        assert_eq!(cut("abcdef", 6), "abcdef");
        assert_eq!(cut("abcdefg", 6), "abcde…");
        assert_eq!(width(&cut("Назарбаева Айгерим", 8)), 8);
        // Two cells a letter: a cut never splits one.
        assert_eq!(cut("日本語テキスト", 6), "日本…");
        assert_eq!(width(&cut("日本語テキスト", 6)), 5);
        // A combining accent stays with its letter.
        assert_eq!(
            cut("e\u{301}e\u{301}e\u{301}e\u{301}", 3),
            "e\u{301}e\u{301}…"
        );
        assert_eq!(cut("abc", 0), "");
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(tail("abcdef", 4), "…def");
    }

    #[test]
    fn wraps_by_display_width_with_hanging_lines() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("日本語テキスト", 6), vec!["日本語", "テキス", "ト"]);
        assert_eq!(
            hang("one two three four", 9, 2),
            vec!["one two", "  three", "  four"]
        );
    }

    #[test]
    fn a_styled_line_is_cut_with_a_mark() {
        let l = Line::from(vec![Span::raw("abc "), Span::raw("defgh")]);
        let cut = cut_line(l, 6);
        let text: String = cut.spans.iter().map(|s| s.content.to_string()).collect();
        assert_eq!(text, "abc d…");
    }
}
