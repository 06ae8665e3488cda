//! Key bindings: one table per context, built in and overridable from
//! `<config>/keys.toml`. The same table maps keys to actions, feeds the hint
//! bar and the `?` help, so what the user sees is what the keys do.
//!
//! Text-entry modes (filter, command line, note editor, help search) keep
//! fixed keys: Enter, Esc, Tab, Backspace; Ctrl-C always quits.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::Action;
use crate::domain::case::Outcome;
use crate::domain::msg::{Localize, Msg};
use crate::domain::rules_error::{RuleError, Source};
use crate::msg;

/// Where a binding applies. The checklist table is consulted first while
/// the checklist section is shown, then the case table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Queue,
    Case,
    Checklist,
}

impl Context {
    pub const ALL: [Context; 3] = [Context::Queue, Context::Case, Context::Checklist];

    pub fn name(self) -> &'static str {
        match self {
            Context::Queue => "queue",
            Context::Case => "case",
            Context::Checklist => "checklist",
        }
    }
}

/// A command a key can be bound to. Its name is what `keys.toml` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    Open,
    Back,
    Quit,
    Filter,
    NextMatch,
    PrevMatch,
    Command,
    Help,
    View,
    Procedure,
    Sort,
    Mark,
    Refresh,
    NextSection,
    PrevSection,
    Section(u8),
    Note,
    Passed,
    Failed,
    NotApplicable,
    Pending,
    PassedNote,
    FailedNote,
    NotApplicableNote,
    PendingNote,
    Decide,
    Hearing,
    Approve,
    Desk,
    Messages,
    Explain,
    Accept,
    StageDone,
    ReverseSort,
    Undo,
    FieldFilter,
    Search,
    Notices,
}

impl Cmd {
    /// The name in `keys.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Cmd::Down => "down",
            Cmd::Up => "up",
            Cmd::Top => "top",
            Cmd::Bottom => "bottom",
            Cmd::PageDown => "page-down",
            Cmd::PageUp => "page-up",
            Cmd::Open => "open",
            Cmd::Back => "back",
            Cmd::Quit => "quit",
            Cmd::Filter => "filter",
            Cmd::NextMatch => "next-match",
            Cmd::PrevMatch => "prev-match",
            Cmd::Command => "command",
            Cmd::Help => "help",
            Cmd::View => "view",
            Cmd::Procedure => "procedure",
            Cmd::Sort => "sort",
            Cmd::Mark => "mark",
            Cmd::Refresh => "refresh",
            Cmd::NextSection => "next-section",
            Cmd::PrevSection => "prev-section",
            Cmd::Section(1) => "section-1",
            Cmd::Section(2) => "section-2",
            Cmd::Section(3) => "section-3",
            Cmd::Section(4) => "section-4",
            Cmd::Section(5) => "section-5",
            Cmd::Section(6) => "section-6",
            Cmd::Section(7) => "section-7",
            Cmd::Section(8) => "section-8",
            Cmd::Section(_) => "section-9",
            Cmd::Note => "note",
            Cmd::Passed => "passed",
            Cmd::Failed => "failed",
            Cmd::NotApplicable => "not-applicable",
            Cmd::Pending => "pending",
            Cmd::PassedNote => "passed-note",
            Cmd::FailedNote => "failed-note",
            Cmd::NotApplicableNote => "not-applicable-note",
            Cmd::PendingNote => "pending-note",
            Cmd::Decide => "decide",
            Cmd::Hearing => "hearing",
            Cmd::Approve => "approve",
            Cmd::Desk => "desk",
            Cmd::Messages => "messages",
            Cmd::Explain => "explain",
            Cmd::Accept => "accept",
            Cmd::StageDone => "stage-done",
            Cmd::ReverseSort => "reverse-sort",
            Cmd::Undo => "undo",
            Cmd::FieldFilter => "filter-fields",
            Cmd::Search => "search",
            Cmd::Notices => "notices",
        }
    }

    /// The catalogue key of the command's help text.
    pub fn help_key(self) -> &'static str {
        match self {
            Cmd::Down => "cmd.down",
            Cmd::Up => "cmd.up",
            Cmd::Top => "cmd.top",
            Cmd::Bottom => "cmd.bottom",
            Cmd::PageDown => "cmd.page-down",
            Cmd::PageUp => "cmd.page-up",
            Cmd::Open => "cmd.open",
            Cmd::Back => "cmd.back",
            Cmd::Quit => "cmd.quit",
            Cmd::Filter => "cmd.filter",
            Cmd::NextMatch => "cmd.next-match",
            Cmd::PrevMatch => "cmd.prev-match",
            Cmd::Command => "cmd.command",
            Cmd::Help => "cmd.help",
            Cmd::View => "cmd.view",
            Cmd::Procedure => "cmd.procedure",
            Cmd::Sort => "cmd.sort",
            Cmd::Mark => "cmd.mark",
            Cmd::Refresh => "cmd.refresh",
            Cmd::NextSection => "cmd.next-section",
            Cmd::PrevSection => "cmd.prev-section",
            Cmd::Section(_) => "cmd.section",
            Cmd::Note => "cmd.note",
            Cmd::Passed => "cmd.passed",
            Cmd::Failed => "cmd.failed",
            Cmd::NotApplicable => "cmd.not-applicable",
            Cmd::Pending => "cmd.pending",
            Cmd::PassedNote => "cmd.passed-note",
            Cmd::FailedNote => "cmd.failed-note",
            Cmd::NotApplicableNote => "cmd.not-applicable-note",
            Cmd::PendingNote => "cmd.pending-note",
            Cmd::Decide => "cmd.decide",
            Cmd::Hearing => "cmd.hearing",
            Cmd::Approve => "cmd.approve",
            Cmd::Desk => "cmd.desk",
            Cmd::Messages => "cmd.messages",
            Cmd::Explain => "cmd.explain",
            Cmd::Accept => "cmd.accept",
            Cmd::StageDone => "cmd.stage-done",
            Cmd::ReverseSort => "cmd.reverse-sort",
            Cmd::Undo => "cmd.undo",
            Cmd::FieldFilter => "cmd.filter-fields",
            Cmd::Search => "cmd.search",
            Cmd::Notices => "cmd.notices",
        }
    }

    /// Every command, for parsing names and listing help.
    pub fn all() -> Vec<Cmd> {
        let mut v = vec![
            Cmd::Down,
            Cmd::Up,
            Cmd::Top,
            Cmd::Bottom,
            Cmd::PageDown,
            Cmd::PageUp,
            Cmd::Open,
            Cmd::Back,
            Cmd::Quit,
            Cmd::Filter,
            Cmd::NextMatch,
            Cmd::PrevMatch,
            Cmd::Command,
            Cmd::Help,
            Cmd::View,
            Cmd::Procedure,
            Cmd::Sort,
            Cmd::Mark,
            Cmd::Refresh,
            Cmd::NextSection,
            Cmd::PrevSection,
        ];
        v.extend((1..=9).map(Cmd::Section));
        v.extend([
            Cmd::Note,
            Cmd::Passed,
            Cmd::Failed,
            Cmd::NotApplicable,
            Cmd::Pending,
            Cmd::PassedNote,
            Cmd::FailedNote,
            Cmd::NotApplicableNote,
            Cmd::PendingNote,
            Cmd::Decide,
            Cmd::Hearing,
            Cmd::Approve,
            Cmd::Desk,
            Cmd::Messages,
            Cmd::Explain,
            Cmd::Accept,
            Cmd::StageDone,
            Cmd::ReverseSort,
            Cmd::Undo,
            Cmd::FieldFilter,
            Cmd::Search,
            Cmd::Notices,
        ]);
        v
    }

    fn from_name(name: &str) -> Option<Cmd> {
        Cmd::all().into_iter().find(|c| c.name() == name)
    }

    /// Whether an auditor may use the command (read-only ones only).
    pub fn edits(self) -> bool {
        matches!(
            self,
            Cmd::Note
                | Cmd::Passed
                | Cmd::Failed
                | Cmd::NotApplicable
                | Cmd::Pending
                | Cmd::PassedNote
                | Cmd::FailedNote
                | Cmd::NotApplicableNote
                | Cmd::PendingNote
                | Cmd::Decide
                | Cmd::Hearing
                | Cmd::Approve
                | Cmd::Mark
                | Cmd::Accept
                | Cmd::StageDone
                | Cmd::Undo
        )
    }

    /// The action the command stands for.
    pub fn action(self) -> Action {
        match self {
            Cmd::Down | Cmd::NextMatch => Action::Down,
            Cmd::Up | Cmd::PrevMatch => Action::Up,
            Cmd::Top => Action::Top,
            Cmd::Bottom => Action::Bottom,
            Cmd::PageDown => Action::PageDown,
            Cmd::PageUp => Action::PageUp,
            Cmd::Open => Action::Open,
            Cmd::Back => Action::Back,
            Cmd::Quit => Action::Quit,
            Cmd::Filter => Action::StartFilter,
            Cmd::Command => Action::StartCommand,
            Cmd::Help => Action::Help,
            Cmd::View => Action::NextView,
            Cmd::Procedure => Action::NextProcedure,
            Cmd::Sort => Action::NextSort,
            Cmd::Mark => Action::ToggleMark,
            Cmd::Refresh => Action::Refresh,
            Cmd::NextSection => Action::NextSection,
            Cmd::PrevSection => Action::PrevSection,
            Cmd::Section(n) => Action::Section(usize::from(n.max(1)) - 1),
            Cmd::Note => Action::EditNote,
            Cmd::Passed => Action::Mark(Outcome::Passed),
            Cmd::Failed => Action::Mark(Outcome::Failed),
            Cmd::NotApplicable => Action::Mark(Outcome::NotApplicable),
            Cmd::Pending => Action::Mark(Outcome::Pending),
            Cmd::PassedNote => Action::MarkWithNote(Outcome::Passed),
            Cmd::FailedNote => Action::MarkWithNote(Outcome::Failed),
            Cmd::NotApplicableNote => Action::MarkWithNote(Outcome::NotApplicable),
            Cmd::PendingNote => Action::MarkWithNote(Outcome::Pending),
            Cmd::Decide => Action::StartDialog(super::DialogKind::Decide),
            Cmd::Hearing => Action::StartDialog(super::DialogKind::Hearing),
            Cmd::Approve => Action::StartDialog(super::DialogKind::Approve),
            Cmd::Desk => Action::Desk,
            Cmd::Messages => Action::Messages,
            Cmd::Explain => Action::ToggleExplain,
            Cmd::Accept => Action::AcceptSelected,
            Cmd::StageDone => Action::StartDialog(super::DialogKind::Stage),
            Cmd::ReverseSort => Action::ReverseSort,
            Cmd::Undo => Action::Undo,
            Cmd::FieldFilter => Action::FieldFilter,
            Cmd::Search => Action::StartSearch,
            Cmd::Notices => Action::Notices,
        }
    }
}

/// One key with its modifiers. For characters, Shift is part of the
/// character ('G'), so only Ctrl and Alt are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub fn of(ev: KeyEvent) -> Key {
        Key {
            code: ev.code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// `j`, `G`, `Enter`, `Ctrl-d`, `Alt-x`, `Shift-Tab`, `Space`, `F1`, `PgDn`.
    pub fn parse(s: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s;
        loop {
            if let Some(r) = rest
                .strip_prefix("Ctrl-")
                .or_else(|| rest.strip_prefix("C-"))
            {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest
                .strip_prefix("Alt-")
                .or_else(|| rest.strip_prefix("M-"))
            {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "shift-tab" | "backtab" | "s-tab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pgdn" | "pagedown" => KeyCode::PageDown,
                "pgup" | "pageup" => KeyCode::PageUp,
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                f if f.starts_with('f') => {
                    KeyCode::F(f[1..].parse().ok().filter(|n| (1..=12).contains(n))?)
                }
                _ => return None,
            },
        };
        Some(Key { code, ctrl, alt })
    }

    /// How the key is written in help and in `keys.toml`.
    pub fn label(self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Up => "Up".into(),
            KeyCode::Down => "Down".into(),
            KeyCode::Left => "Left".into(),
            KeyCode::Right => "Right".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Insert => "Ins".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        match (self.ctrl, self.alt) {
            (true, true) => format!("Ctrl-Alt-{base}"),
            (true, false) => format!("Ctrl-{base}"),
            (false, true) => format!("Alt-{base}"),
            (false, false) => base,
        }
    }
}

/// The bindings of every context.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    tables: [Vec<(Cmd, Vec<Key>)>; 3],
}

/// A built-in binding: a command and its keys as `keys.toml` writes them.
pub type Binding = (Cmd, &'static [&'static str]);

/// The built-in table of a context; each screen keeps its own beside its
/// update and drawing.
fn table(ctx: Context) -> &'static [Binding] {
    match ctx {
        Context::Queue => super::queue::KEYS,
        Context::Case => super::case::KEYS,
        Context::Checklist => super::checklist::KEYS,
    }
}

/// The file kezek reads user key bindings from, inside the config dir.
pub const FILE_NAME: &str = "keys.toml";

impl Keymap {
    pub fn built_in() -> Keymap {
        let tables = Context::ALL.map(|ctx| {
            table(ctx)
                .iter()
                .map(|&(cmd, keys)| (cmd, keys.iter().filter_map(|k| Key::parse(k)).collect()))
                .collect()
        });
        Keymap { tables }
    }

    fn index(ctx: Context) -> usize {
        match ctx {
            Context::Queue => 0,
            Context::Case => 1,
            Context::Checklist => 2,
        }
    }

    pub fn bindings(&self, ctx: Context) -> &[(Cmd, Vec<Key>)] {
        &self.tables[Keymap::index(ctx)]
    }

    /// The keys bound to a command in a context.
    pub fn keys_of(&self, ctx: Context, cmd: Cmd) -> &[Key] {
        self.bindings(ctx)
            .iter()
            .find(|(c, _)| *c == cmd)
            .map(|(_, k)| k.as_slice())
            .unwrap_or(&[])
    }

    /// The command a key runs in a context.
    pub fn lookup(&self, ctx: Context, key: Key) -> Option<Cmd> {
        self.bindings(ctx)
            .iter()
            .find(|(_, keys)| keys.contains(&key))
            .map(|(c, _)| *c)
    }

    /// The built-in map with a `keys.toml` merged over it: each command
    /// named in a `[queue]`, `[case]` or `[checklist]` table gets exactly the
    /// keys listed. Unknown tables, commands or keys, and one key bound to
    /// two commands where both could fire, are errors naming the line.
    pub fn with_overrides(src: Source<'_>) -> Result<Keymap, RuleError> {
        let doc: toml::Table = toml::from_str(src.text).map_err(|e| {
            let line = e
                .span()
                .map(|s| {
                    src.text[..s.start.min(src.text.len())]
                        .lines()
                        .count()
                        .max(1)
                })
                .unwrap_or(0);
            RuleError::new(src.name, line, e.message().to_string())
        })?;
        let line_of = |needle: &str| {
            src.text
                .lines()
                .position(|l| l.trim_start().starts_with(needle))
                .map(|i| i + 1)
                .unwrap_or(0)
        };
        let mut map = Keymap::built_in();
        for (section, value) in &doc {
            let Some(ctx) = Context::ALL.into_iter().find(|c| c.name() == section) else {
                return Err(RuleError::said(
                    src.name,
                    line_of(&format!("[{section}")),
                    msg!("error.keys.table", table = section),
                ));
            };
            let Some(entries) = value.as_table() else {
                return Err(RuleError::said(
                    src.name,
                    line_of(section),
                    msg!("error.keys.not-table", table = section),
                ));
            };
            for (name, keys) in entries {
                let line = line_of(name);
                let cmd = Cmd::from_name(name).ok_or_else(|| {
                    RuleError::said(
                        src.name,
                        line,
                        msg!("error.keys.command", command = name, table = section),
                    )
                })?;
                let list: Vec<&str> = match keys {
                    toml::Value::String(s) => vec![s.as_str()],
                    toml::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect(),
                    _ => Vec::new(),
                };
                if list.is_empty() && !matches!(keys, toml::Value::Array(a) if a.is_empty()) {
                    return Err(RuleError::said(
                        src.name,
                        line,
                        msg!("error.keys.no-key", command = name),
                    ));
                }
                let mut parsed = Vec::new();
                for k in list {
                    parsed.push(Key::parse(k).ok_or_else(|| {
                        RuleError::said(
                            src.name,
                            line,
                            msg!(
                                "error.keys.key",
                                command = name,
                                key = k.escape_default().to_string()
                            ),
                        )
                    })?);
                }
                let t = &mut map.tables[Keymap::index(ctx)];
                match t.iter_mut().find(|(c, _)| *c == cmd) {
                    Some((_, keys)) => *keys = parsed,
                    None => t.push((cmd, parsed)),
                }
            }
        }
        if let Some(conflict) = map.conflicts().first() {
            // The line of whichever of the two commands the file rebinds.
            let line = [conflict.1, conflict.2]
                .iter()
                .map(|c| line_of(&format!("{} ", c.name())).max(line_of(&format!("{}=", c.name()))))
                .max()
                .unwrap_or(0);
            return Err(RuleError::said(src.name, line, conflict_text(conflict)));
        }
        Ok(map)
    }

    /// Keys bound twice where both bindings could fire: within one table,
    /// or in the checklist and the case table (both are live on the
    /// checklist).
    pub fn conflicts(&self) -> Vec<(Key, Cmd, Cmd, Context)> {
        let mut out = Vec::new();
        let mut check = |a: &[(Cmd, Vec<Key>)], b: &[(Cmd, Vec<Key>)], ctx: Context, same: bool| {
            for (i, (ca, ka)) in a.iter().enumerate() {
                for (j, (cb, kb)) in b.iter().enumerate() {
                    if same && j <= i {
                        continue;
                    }
                    for k in ka {
                        if kb.contains(k) && ca != cb {
                            out.push((*k, *cb, *ca, ctx));
                        }
                    }
                }
            }
        };
        for ctx in Context::ALL {
            let t = self.bindings(ctx);
            check(t, t, ctx, true);
        }
        check(
            self.bindings(Context::Checklist),
            self.bindings(Context::Case),
            Context::Checklist,
            false,
        );
        out
    }
}

fn conflict_text((key, a, b, ctx): &(Key, Cmd, Cmd, Context)) -> Msg {
    msg!(
        "error.keys.conflict",
        key = key.label(),
        first = a.name(),
        second = b.name(),
        table = ctx.name()
    )
}

/// The key map for the console: the built-in one, with the user's
/// `keys.toml` if there is one. A broken file is reported (the message is
/// returned for the status line and the log) and the built-in map is used.
pub fn load(lang: crate::i18n::Lang) -> (Keymap, Option<String>) {
    let Some(path) = crate::config::config_dir().map(|d| d.join(FILE_NAME)) else {
        return (Keymap::built_in(), None);
    };
    if !path.exists() {
        return (Keymap::built_in(), None);
    }
    let name = path.display().to_string();
    let text = match crate::privilege::read_to_string_as_user(&path) {
        Ok(t) => t,
        Err(e) => {
            return (
                Keymap::built_in(),
                Some(crate::store::db::path_error(&path, &e).text(lang)),
            );
        }
    };
    match Keymap::with_overrides(Source {
        name: &name,
        text: &text,
    }) {
        Ok(map) => (map, None),
        Err(e) => (Keymap::built_in(), Some(e.msg().text(lang))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_map_has_no_conflicts_and_every_key_parses() {
        let map = Keymap::built_in();
        assert_eq!(map.conflicts(), vec![]);
        for ctx in Context::ALL {
            for &(cmd, keys) in table(ctx) {
                for k in keys {
                    let key = Key::parse(k).unwrap_or_else(|| panic!("{k} for {}", cmd.name()));
                    assert_eq!(Key::parse(&key.label()), Some(key), "{k}");
                }
            }
        }
    }
}
