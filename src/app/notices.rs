//! The notices issued on the open case (`v`, as neomutt views an
//! attachment): their list, each one's exact stored text in its own
//! language (scrollable), and printing it: `w` writes it to a new file in
//! the current directory (never over an existing one: `outfile`, exclusive
//! creation), `p` sends it to `lp` when the machine has one (and says so
//! when it has not).
//!
//! Keys inside the viewer are fixed (like a form's): `j`/`k`, arrows,
//! `PgDn`/`PgUp`, `g`/`G`, `Enter` reads, `w` writes, `p` prints, `Esc`/`q`
//! goes back.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

use super::{Effect, Model, Screen};
use crate::domain::text::printable;
use crate::i18n::{Lang, tf};
use crate::store::notices::IssuedNotice;
use crate::ui::Ui;

/// The viewer over the case screen.
#[derive(Debug, Clone)]
pub struct NoticeView {
    pub number: String,
    pub list: Vec<IssuedNotice>,
    pub cursor: usize,
    /// The notice being read (index into `list`).
    pub reading: Option<usize>,
    pub scroll: u16,
}

/// Where a notice goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Print {
    /// A new file in the current directory.
    File,
    /// The `lp` print spooler.
    Lp,
}

impl NoticeView {
    pub fn new(number: String, list: Vec<IssuedNotice>) -> NoticeView {
        NoticeView {
            number,
            list,
            cursor: 0,
            reading: None,
            scroll: 0,
        }
    }
}

/// `v` on the case screen: ask for the case's notices.
pub fn start(m: &mut Model) -> Effect {
    match &m.screen {
        Screen::Case(v) => Effect::LoadNotices(v.loaded.case.number.clone()),
        _ => Effect::None,
    }
}

/// A key while the viewer is open.
pub fn key(m: &mut Model, k: KeyEvent) -> Effect {
    let Some(v) = m.notices.as_mut() else {
        return Effect::None;
    };
    let last = v.list.len().saturating_sub(1);
    let page = m.page.max(1) as u16;
    match (k.code, v.reading) {
        (KeyCode::Esc | KeyCode::Char('q') | KeyCode::Left, Some(_)) => {
            v.reading = None;
            v.scroll = 0;
        }
        (KeyCode::Esc | KeyCode::Char('q') | KeyCode::Left, None) => m.notices = None,
        (KeyCode::Down | KeyCode::Char('j'), None) => v.cursor = (v.cursor + 1).min(last),
        (KeyCode::Up | KeyCode::Char('k'), None) => v.cursor = v.cursor.saturating_sub(1),
        (KeyCode::Home | KeyCode::Char('g'), None) => v.cursor = 0,
        (KeyCode::End | KeyCode::Char('G'), None) => v.cursor = last,
        (KeyCode::Enter | KeyCode::Right, None) if !v.list.is_empty() => {
            v.reading = Some(v.cursor);
            v.scroll = 0;
        }
        (KeyCode::Down | KeyCode::Char('j'), Some(_)) => v.scroll = v.scroll.saturating_add(1),
        (KeyCode::Up | KeyCode::Char('k'), Some(_)) => v.scroll = v.scroll.saturating_sub(1),
        (KeyCode::PageDown | KeyCode::Char(' '), Some(_)) => {
            v.scroll = v.scroll.saturating_add(page)
        }
        (KeyCode::PageUp, Some(_)) => v.scroll = v.scroll.saturating_sub(page),
        (KeyCode::Home | KeyCode::Char('g'), Some(_)) => v.scroll = 0,
        (KeyCode::End | KeyCode::Char('G'), Some(i)) => {
            let lines = v.list.get(i).map_or(0, |n| n.text.lines().count());
            v.scroll = u16::try_from(lines.saturating_sub(usize::from(page))).unwrap_or(0);
        }
        (KeyCode::Char(c @ ('w' | 'p')), _) => {
            let i = v.reading.unwrap_or(v.cursor);
            if let Some(n) = v.list.get(i) {
                let to = if c == 'w' { Print::File } else { Print::Lp };
                let id = n.id;
                m.status = m.t("status.notice-printing").to_string();
                return Effect::PrintNotice(id, to);
            }
        }
        _ => {}
    }
    Effect::None
}

/// The kind of a notice in the interface language.
fn kind_label(lang: Lang, kind: &str) -> String {
    let key = match kind {
        "acceptance" => "notice-kind.acceptance",
        "refusal-to-accept" => "notice-kind.refusal-to-accept",
        "hearing-notice" => "notice-kind.hearing-notice",
        "refusal" => "notice-kind.refusal",
        "decision" => "notice-kind.decision",
        "annulment" => "notice-kind.annulment",
        "pr-conclusion" => "notice-kind.pr-conclusion",
        other => return printable(other).into_owned(),
    };
    crate::i18n::t(lang, key).to_string()
}

/// The viewer, over the case screen.
pub(super) fn draw(f: &mut Frame<'_>, m: &Model, v: &NoticeView, ui: &Ui<'_>, area: Rect) {
    let w = area.width.saturating_sub(4).min(100);
    let h = area.height.saturating_sub(4);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + 2,
        width: w,
        height: h,
    };
    f.render_widget(Clear, rect);
    let when = |n: &IssuedNotice| match chrono::DateTime::parse_from_rfc3339(&n.issued_at) {
        Ok(t) => crate::i18n::local(
            m.lang,
            crate::domain::term::local(ui.cal, t.with_timezone(&chrono::Utc)),
        ),
        Err(_) => printable(&n.issued_at).into_owned(),
    };
    let (title, lines, scroll) = match v.reading.and_then(|i| v.list.get(i).map(|n| (i, n))) {
        Some((_, n)) => {
            let title = tf(
                m.lang,
                "notices.reading",
                &[
                    ("kind", &kind_label(m.lang, &n.kind)),
                    ("lang", &crate::notice::lang_id(n.lang)),
                    ("at", &when(n)),
                ],
            );
            let lines: Vec<Line<'_>> = n
                .text
                .lines()
                .map(|l| Line::from(printable(l).into_owned()))
                .collect();
            (title, lines, v.scroll)
        }
        None => {
            let title = tf(
                m.lang,
                "notices.title",
                &[("case", &printable(&v.number)), ("n", &v.list.len())],
            );
            let mut lines: Vec<Line<'_>> = v
                .list
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let text = format!(
                        "{} {:<28} {}  {}  {}  {}",
                        if i == v.cursor { ">" } else { " " },
                        kind_label(m.lang, &n.kind),
                        crate::notice::lang_id(n.lang),
                        printable(&n.subject),
                        when(n),
                        printable(&n.issued_by)
                    );
                    if i == v.cursor {
                        Line::styled(text, ui.theme.selected)
                    } else {
                        Line::from(text)
                    }
                })
                .collect();
            if lines.is_empty() {
                lines.push(Line::from(m.t("notices.none")));
            }
            let scroll = u16::try_from(v.cursor.saturating_sub(usize::from(h.saturating_sub(3))))
                .unwrap_or(0);
            (title, lines, scroll)
        }
    };
    let keys = m.t(if v.reading.is_some() {
        "notices.keys-reading"
    } else {
        "notices.keys-list"
    });
    f.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .scroll((scroll, 0))
            .block(
                Block::bordered()
                    .title(format!(" {title} "))
                    .title_bottom(format!(" {keys} "))
                    .style(ui.theme.title),
            ),
        rect,
    );
}

/// The file a notice is written to: `CASE-KIND-LANG.txt` in the current
/// directory, `-2`, `-3`… when that name is taken (an existing file is
/// never replaced).
fn file_names(n: &IssuedNotice) -> impl Iterator<Item = String> + '_ {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let stem = format!(
        "{}-{}-{}",
        safe(&n.case_number),
        safe(&n.kind),
        crate::notice::lang_id(n.lang)
    );
    (1..=99).map(move |i| {
        if i == 1 {
            format!("{stem}.txt")
        } else {
            format!("{stem}-{i}.txt")
        }
    })
}

/// Write a notice's text to a new file in `dir` (the console's current
/// directory); the status line's text.
pub fn write_file(lang: Lang, dir: &std::path::Path, n: &IssuedNotice) -> String {
    use std::io::Write;
    crate::outfile::leave_exit_to_caller();
    for name in file_names(n) {
        let full = dir.join(&name);
        let path = full.as_path();
        let written = crate::base::private_file(path).and_then(|mut f| {
            f.write_all(n.text.as_bytes())?;
            f.commit(false)
        });
        match written {
            Ok(()) => return tf(lang, "status.notice-written", &[("file", &name)]),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return tf(
                    lang,
                    "status.cannot-write",
                    &[("file", &name), ("why", &e.to_string())],
                );
            }
        }
    }
    tf(
        lang,
        "status.notice-no-name",
        &[("case", &printable(&n.case_number))],
    )
}

/// The `lp` to use: on the office installation (setgid) only the system's
/// own, never one found through the user's PATH.
pub fn find_lp() -> Option<std::path::PathBuf> {
    let fixed = ["/usr/bin/lp", "/bin/lp"];
    let from_path: Vec<std::path::PathBuf> = if crate::privilege::privileged() {
        Vec::new()
    } else {
        std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).map(|d| d.join("lp")).collect())
            .unwrap_or_default()
    };
    from_path
        .into_iter()
        .chain(fixed.iter().map(std::path::PathBuf::from))
        .find(|p| is_executable(p))
}

fn is_executable(p: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Send a notice's text to `lp` (as found by [`find_lp`]); the status
/// line's text. `lp` runs with the user's own group, not the office's.
pub fn print_lp(lang: Lang, lp: Option<&std::path::Path>, n: &IssuedNotice) -> String {
    use std::io::Write;
    use std::os::unix::process::CommandExt;
    let Some(lp) = lp else {
        return lang_text(lang, "status.no-lp");
    };
    let title = format!("{} {}", n.case_number, n.kind);
    let mut cmd = std::process::Command::new(lp);
    cmd.args(["-t", &title])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if crate::privilege::privileged() {
        cmd.env_clear()
            .env("PATH", "/usr/bin:/bin")
            .gid(nix::unistd::getgid().as_raw())
            .uid(nix::unistd::getuid().as_raw());
    }
    let run = cmd.spawn().and_then(|mut child| {
        if let Some(mut input) = child.stdin.take() {
            // An lp that refuses at once stops reading: what it says on
            // exit is the reason, not the broken pipe.
            match input.write_all(n.text.as_bytes()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other?,
            }
        }
        child.wait_with_output()
    });
    match run {
        Ok(out) if out.status.success() => {
            let said = String::from_utf8_lossy(&out.stdout);
            tf(
                lang,
                "status.notice-printed",
                &[("lp", &printable(said.trim()))],
            )
        }
        Ok(out) => tf(
            lang,
            "status.lp-failed",
            &[(
                "why",
                &printable(String::from_utf8_lossy(&out.stderr).trim()),
            )],
        ),
        Err(e) => tf(lang, "status.lp-failed", &[("why", &e.to_string())]),
    }
}

fn lang_text(lang: Lang, key: &'static str) -> String {
    crate::i18n::t(lang, key).to_string()
}
