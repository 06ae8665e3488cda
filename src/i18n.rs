//! The message catalogue: every word the console shows, by key, in Kazakh,
//! Russian and English. Widgets never hold literal text; they ask here.
//!
//! The catalogues are `i18n/{kk,ru,en}.toml`, built into the binary. A text
//! may hold `{name}` placeholders, filled by [`tf`]. A key missing in one
//! language falls back to English, then to the key itself; the catalogue
//! test in `tests/catalogue.rs` keeps that from ever happening in a release.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime};

pub use crate::domain::msg::{Arg, Localize, Msg};
use crate::domain::rules_error::{RuleError, Source};
pub use crate::domain::text::Lang;

/// The built-in catalogue files, by language.
pub const FILES: [(Lang, &str, &str); 3] = [
    (Lang::Kk, "i18n/kk.toml", include_str!("../i18n/kk.toml")),
    (Lang::Ru, "i18n/ru.toml", include_str!("../i18n/ru.toml")),
    (Lang::En, "i18n/en.toml", include_str!("../i18n/en.toml")),
];

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Kk, Lang::Ru, Lang::En];

    /// `kk`, `ru` or `en` (also `kz`, and locale names such as `ru_RU.UTF-8`).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        let base = s.split(['_', '-', '.', '@']).next().unwrap_or("");
        match base {
            "kk" | "kz" | "kaz" => Some(Lang::Kk),
            "ru" | "rus" => Some(Lang::Ru),
            "en" | "eng" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }
}

/// One language's texts by key.
pub type Texts = BTreeMap<String, String>;

/// Read one catalogue file: nested tables flatten to dotted keys.
pub fn parse(src: Source<'_>) -> Result<Texts, RuleError> {
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
    let mut out = Texts::new();
    fn walk(prefix: &str, t: &toml::Table, out: &mut Texts, name: &str) -> Result<(), RuleError> {
        for (k, v) in t {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::String(s) => {
                    out.insert(key, s.clone());
                }
                toml::Value::Table(inner) => walk(&key, inner, out, name)?,
                _ => {
                    return Err(RuleError::new(
                        name,
                        0,
                        format!("{key}: a message must be a string"),
                    ));
                }
            }
        }
        Ok(())
    }
    walk("", &doc, &mut out, src.name)?;
    Ok(out)
}

struct Catalogue {
    texts: [Texts; 3],
}

fn slot(lang: Lang) -> usize {
    match lang {
        Lang::Kk => 0,
        Lang::Ru => 1,
        Lang::En => 2,
    }
}

fn catalogue() -> &'static Catalogue {
    static CAT: OnceLock<Catalogue> = OnceLock::new();
    CAT.get_or_init(|| Catalogue {
        texts: FILES.map(|(_, name, text)| parse(Source { name, text }).unwrap_or_default()),
    })
}

/// The text of a key in a language.
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    let c = catalogue();
    c.texts[slot(lang)]
        .get(key)
        .or_else(|| c.texts[slot(Lang::En)].get(key))
        .map(String::as_str)
        .unwrap_or(key)
}

/// The text of a key built at run time (the command-line help derives its
/// keys from the command tree): the language's text, else English, else
/// `None`, so the caller can keep a text of its own.
pub fn t_dyn(lang: Lang, key: &str) -> Option<&'static str> {
    let c = catalogue();
    c.texts[slot(lang)]
        .get(key)
        .or_else(|| c.texts[slot(Lang::En)].get(key))
        .map(String::as_str)
}

/// The text of a key with its `{name}` placeholders filled.
pub fn tf(lang: Lang, key: &'static str, args: &[(&str, &dyn Display)]) -> String {
    fill(t(lang, key), args)
}

/// Replace `{name}` placeholders; unknown ones stay as written.
pub fn fill(text: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => out.push_str(&v.to_string()),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders a text uses, in order.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

/// The built-in catalogue of a language (for tests and tools).
pub fn texts(lang: Lang) -> &'static Texts {
    &catalogue().texts[slot(lang)]
}

/// The short weekday name of a day.
pub fn weekday(lang: Lang, day: NaiveDate) -> &'static str {
    t(
        lang,
        crate::domain::calendar::WEEKDAY_KEYS[day.weekday().num_days_from_monday() as usize],
    )
}

/// `Пн 23.11.2026`: the short weekday and the day.
pub fn day(lang: Lang, d: NaiveDate) -> String {
    format!("{} {}", weekday(lang, d), d.format("%d.%m.%Y"))
}

/// `Пн 23.11.2026 18:30`: a moment on the office's wall clock.
pub fn local(lang: Lang, at: NaiveDateTime) -> String {
    format!("{} {}", day(lang, at.date()), at.format("%H:%M"))
}

impl Arg {
    /// The value in a language.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Arg::Text(s) => s.clone(),
            Arg::Num(n) => n.to_string(),
            Arg::Day(d) => day(lang, *d),
            Arg::Local(at) => local(lang, *at),
            Arg::Name(n) => n.get(lang).to_string(),
            Arg::Msg(m) => m.text(lang),
            Arg::List(list) => list
                .iter()
                .map(|m| m.text(lang))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

impl Msg {
    /// The sentence in a language.
    pub fn text(&self, lang: Lang) -> String {
        let args: Vec<(&str, String)> = self.args.iter().map(|(n, a)| (*n, a.text(lang))).collect();
        let refs: Vec<(&str, &dyn Display)> =
            args.iter().map(|(n, v)| (*n, v as &dyn Display)).collect();
        fill(t(lang, self.key), &refs)
    }
}

/// English, for logs and for callers that have no language.
impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// What went wrong, in a language.
pub fn say(lang: Lang, what: &dyn Localize) -> String {
    what.msg().text(lang)
}

impl Localize for serde_json::Error {
    fn msg(&self) -> Msg {
        crate::msg!("error.json", detail = self.to_string())
    }
}

impl Localize for std::io::Error {
    fn msg(&self) -> Msg {
        use std::io::ErrorKind as K;
        match self.kind() {
            K::NotFound => Msg::key("error.io.not-found"),
            K::PermissionDenied => Msg::key("error.io.denied"),
            K::AlreadyExists => Msg::key("error.io.exists"),
            K::StorageFull => Msg::key("error.io.full"),
            K::ReadOnlyFilesystem => Msg::key("error.io.read-only"),
            K::IsADirectory => Msg::key("error.io.directory"),
            _ => crate::msg!("error.io.other", detail = self.to_string()),
        }
    }
}

/// A procedure's short code in the language (`ТҰР`, `РВП`, `RVP`): the
/// codes of the rule files are Latin and stay in case numbers.
pub fn procedure_code(p: &crate::domain::procedure::Procedure, lang: Lang) -> String {
    let key = match p.id.as_str() {
        "registration" => "proc-code.registration",
        "rvp" => "proc-code.rvp",
        "pr" => "proc-code.pr",
        "exit" => "proc-code.exit",
        "border_zone" => "proc-code.border-zone",
        _ => return p.code.clone(),
    };
    t(lang, key).to_string()
}

/// Cut `text` to `width` characters, marking a cut with `…`.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    if width > 0 {
        out.push('…');
    }
    out
}
