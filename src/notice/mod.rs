//! Notices and forms issued to applicants: receipts, the hearing notice,
//! refusals, decisions, annulments and the PR conclusion for approval.
//!
//! The wording lives in `templates/KIND.LANG.txt` (built into the binary);
//! an administrator's file of the same name in `<config dir>/templates/`
//! replaces the built-in one. Every template is checked when loaded
//! ([`template::parse`]). [`render`] fills a template from a case and
//! produces the plain text and a printable, self-contained HTML page; it
//! refuses a kind that does not fit the case's state. The store keeps the
//! exact text that was issued (`store::notices`).

pub mod template;
mod values;

use crate::domain::msg::{Localize, Msg};
use crate::msg;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::calendar::Calendar;
use crate::domain::case::{ApprovalState, Case, DecisionKind, Status};
use crate::domain::procedure::{Approval, Procedure, RuleVersion};
use crate::domain::rules_error::RuleError;
use crate::domain::text::Lang;
use template::{Line, Piece, Style, Template};
pub use values::Value;

/// The kinds of notice kezek issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Receipt (talon) of acceptance of the documents.
    Acceptance,
    /// Receipt of refusal to accept the documents.
    RefusalToAccept,
    /// Notice of a hearing on the preliminary decision to refuse.
    HearingNotice,
    /// Motivated notice of refusal.
    Refusal,
    /// Notification of the decision (issue or refusal).
    Decision,
    /// Notice of annulment of a PR.
    Annulment,
    /// Conclusion on a PR, for the supervisor's approval.
    PrConclusion,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Acceptance,
        Kind::RefusalToAccept,
        Kind::HearingNotice,
        Kind::Refusal,
        Kind::Decision,
        Kind::Annulment,
        Kind::PrConclusion,
    ];

    /// The name used on the command line, in file names and in the database.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Acceptance => "acceptance",
            Kind::RefusalToAccept => "refusal-to-accept",
            Kind::HearingNotice => "hearing-notice",
            Kind::Refusal => "refusal",
            Kind::Decision => "decision",
            Kind::Annulment => "annulment",
            Kind::PrConclusion => "pr-conclusion",
        }
    }

    pub fn parse(s: &str) -> Result<Kind, String> {
        Kind::ALL.into_iter().find(|k| k.id() == s).ok_or_else(|| {
            format!(
                "unknown notice kind '{}' (kinds: {})",
                s.escape_default(),
                Kind::ALL.map(Kind::id).join(", ")
            )
        })
    }
}

pub const LANGS: [Lang; 3] = [Lang::Ru, Lang::Kk, Lang::En];

pub fn lang_id(lang: Lang) -> &'static str {
    match lang {
        Lang::Kk => "kk",
        Lang::Ru => "ru",
        Lang::En => "en",
    }
}

pub fn parse_lang(s: &str) -> Result<Lang, String> {
    LANGS
        .into_iter()
        .find(|l| lang_id(*l) == s)
        .ok_or_else(|| format!("unknown language '{}' (ru, kk, en)", s.escape_default()))
}

/// The template file of a kind in a language: `hearing-notice.kk.txt`.
pub fn file_name(kind: Kind, lang: Lang) -> String {
    format!("{}.{}.txt", kind.id(), lang_id(lang))
}

macro_rules! built_in {
    ($($kind:literal),*) => {
        &[$(
            (concat!($kind, ".ru.txt"), include_str!(concat!("../../templates/", $kind, ".ru.txt"))),
            (concat!($kind, ".kk.txt"), include_str!(concat!("../../templates/", $kind, ".kk.txt"))),
            (concat!($kind, ".en.txt"), include_str!(concat!("../../templates/", $kind, ".en.txt"))),
        )*]
    };
}

/// The built-in templates, by file name.
pub const BUILT_IN: &[(&str, &str)] = built_in!(
    "acceptance",
    "refusal-to-accept",
    "hearing-notice",
    "refusal",
    "decision",
    "annulment",
    "pr-conclusion"
);

/// Every template, checked.
#[derive(Debug, Clone)]
pub struct Templates {
    by_kind: HashMap<(Kind, Lang), Template>,
}

impl Templates {
    /// The templates as shipped.
    pub fn built_in() -> Result<Templates, RuleError> {
        Templates::with_overrides(&BTreeMap::new())
    }

    /// The built-in templates with some replaced: file name → (shown name, text).
    pub fn with_overrides(
        overrides: &BTreeMap<String, (String, String)>,
    ) -> Result<Templates, RuleError> {
        for name in overrides.keys() {
            if !BUILT_IN.iter().any(|(n, _)| n == name) {
                let (shown, _) = &overrides[name];
                return Err(RuleError::new(
                    shown,
                    0,
                    format!(
                        "not a template kezek knows: the names are KIND.LANG.txt with KIND one of {} and LANG ru, kk or en",
                        Kind::ALL.map(Kind::id).join(", ")
                    ),
                ));
            }
        }
        let mut by_kind = HashMap::new();
        for kind in Kind::ALL {
            for lang in LANGS {
                let file = file_name(kind, lang);
                let t = match overrides.get(&file) {
                    Some((shown, text)) => template::parse(shown, text)?,
                    None => {
                        let text = BUILT_IN
                            .iter()
                            .find(|(n, _)| *n == file)
                            .map(|(_, t)| *t)
                            .unwrap_or_default();
                        template::parse(&format!("templates/{file} (built in)"), text)?
                    }
                };
                by_kind.insert((kind, lang), t);
            }
        }
        Ok(Templates { by_kind })
    }

    /// The built-in templates with the `.txt` files of `dir` (when it exists) over them.
    pub fn from_dir(dir: &Path) -> Result<Templates, RuleError> {
        let mut overrides = BTreeMap::new();
        if dir.is_dir() {
            let shown_dir = dir.display().to_string();
            let entries = std::fs::read_dir(dir)
                .map_err(|e| RuleError::new(&shown_dir, 0, format!("cannot read: {e}")))?;
            for entry in entries {
                let entry = entry
                    .map_err(|e| RuleError::new(&shown_dir, 0, format!("cannot read: {e}")))?;
                let path = entry.path();
                if path.extension().and_then(|e| e.to_str()) != Some("txt") {
                    continue;
                }
                let shown = path.display().to_string();
                let name = entry.file_name().to_string_lossy().into_owned();
                let text = crate::privilege::read_to_string_as_user(&path)
                    .map_err(|e| RuleError::new(&shown, 0, format!("cannot read: {e}")))?;
                overrides.insert(name, (shown, text));
            }
        }
        Templates::with_overrides(&overrides)
    }

    pub fn get(&self, kind: Kind, lang: Lang) -> Option<&Template> {
        self.by_kind.get(&(kind, lang))
    }
}

/// The templates in force: built in, with `<config dir>/templates/*.txt` over them.
pub fn load() -> Result<Templates, RuleError> {
    match crate::config::rules_dir() {
        Some(dir) => Templates::from_dir(&dir.join("templates")),
        None => Templates::built_in(),
    }
}

/// Why a notice cannot be produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeError {
    /// The kind does not fit the case (its procedure or its state).
    NotApplicable(Msg),
    Template(Msg),
}

impl Localize for NoticeError {
    fn msg(&self) -> Msg {
        match self {
            NoticeError::NotApplicable(m) | NoticeError::Template(m) => m.clone(),
        }
    }
}
crate::localized_error!(NoticeError);

/// Who issues the notice.
#[derive(Debug, Clone)]
pub struct Issuer {
    pub login: String,
    pub name: String,
}

/// What a notice is rendered from.
pub struct Input<'a> {
    pub case: &'a Case,
    pub procedure: &'a Procedure,
    pub version: &'a RuleVersion,
    pub cal: &'a Calendar,
    pub issuer: &'a Issuer,
    /// kezek users' names by login (for who decided and approved).
    pub staff: &'a BTreeMap<String, String>,
    pub now: DateTime<Utc>,
}

/// A rendered notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    pub kind: Kind,
    pub lang: Lang,
    /// What on the case the notice is about (`acceptance`, `notice:2`,
    /// `decision:1`, `decision:1:pending`): one notice of a kind and
    /// language is issued per subject.
    pub subject: String,
    pub text: String,
    pub html: String,
    pub template: String,
    pub template_sha256: String,
}

/// The subject of a notice of `kind` on `case`, or why the kind does not fit.
pub fn subject(kind: Kind, case: &Case, version: &RuleVersion) -> Result<String, NoticeError> {
    let no = |m: Msg| Err(NoticeError::NotApplicable(m));
    let n = &case.number;
    let standing = case
        .decisions
        .iter()
        .enumerate()
        .rev()
        .find(|(_, d)| !matches!(d.approval, ApprovalState::Returned { .. }));
    match kind {
        Kind::Acceptance => {
            if case.accepted_at.is_none() {
                return no(match case.status {
                    Status::RefusedToAccept => msg!("error.notice.refused-acceptance", number = n),
                    _ => msg!("error.notice.not-accepted", number = n),
                });
            }
            Ok("acceptance".into())
        }
        Kind::RefusalToAccept => {
            if case.status != Status::RefusedToAccept {
                return no(msg!("error.notice.not-refused-acceptance", number = n));
            }
            Ok("refusal-to-accept".into())
        }
        Kind::HearingNotice => {
            if !version.hearing {
                return no(msg!(
                    "error.notice.no-hearing",
                    number = n,
                    version = &version.id
                ));
            }
            if case.notices.is_empty() {
                return no(msg!("error.notice.no-notice", number = n));
            }
            Ok(format!("notice:{}", case.notices.len()))
        }
        Kind::Refusal | Kind::Decision | Kind::Annulment => {
            let Some((i, d)) = standing else {
                return no(msg!("error.notice.no-decision", number = n));
            };
            let fits = matches!(
                (kind, &d.kind),
                (Kind::Refusal, DecisionKind::Refuse { .. })
                    | (
                        Kind::Decision,
                        DecisionKind::Issue | DecisionKind::Refuse { .. }
                    )
                    | (Kind::Annulment, DecisionKind::Annul { .. })
            );
            if !fits {
                let what = match &d.kind {
                    DecisionKind::Issue => Msg::key("error.notice.is-issue"),
                    DecisionKind::Refuse { .. } => Msg::key("error.notice.is-refusal"),
                    DecisionKind::Annul { .. } => Msg::key("error.notice.is-annulment"),
                };
                let need = match kind {
                    Kind::Refusal => Msg::key("error.notice.needs-refusal"),
                    Kind::Annulment => Msg::key("error.notice.needs-annulment"),
                    _ => Msg::key("error.notice.needs-issue-or-refusal"),
                };
                return no(msg!(
                    "error.notice.wrong-decision",
                    need = need,
                    number = n,
                    what = what
                ));
            }
            if !d.in_effect() {
                return no(if case.procedure == "pr" {
                    msg!("error.notice.pending-pr", number = n)
                } else {
                    msg!("error.notice.pending", number = n)
                });
            }
            Ok(format!("decision:{}", i + 1))
        }
        Kind::PrConclusion => {
            if case.procedure != "pr" || version.approval != Approval::Supervisor {
                return no(msg!(
                    "error.notice.pr-only",
                    number = n,
                    procedure = &case.procedure
                ));
            }
            let Some((i, d)) = standing else {
                return no(msg!("error.notice.no-decision-yet", number = n));
            };
            let state = match d.approval {
                ApprovalState::Pending => "pending",
                _ => "approved",
            };
            Ok(format!("decision:{}:{state}", i + 1))
        }
    }
}

/// Render a notice of `kind` in `lang` for the case.
pub fn render(
    templates: &Templates,
    input: &Input<'_>,
    kind: Kind,
    lang: Lang,
) -> Result<Rendered, NoticeError> {
    let subject = subject(kind, input.case, input.version)?;
    let t = templates.get(kind, lang).ok_or_else(|| {
        NoticeError::Template(msg!(
            "error.notice.no-template",
            file = file_name(kind, lang)
        ))
    })?;
    let values = values::collect(input, kind, lang);
    let blocks = fill(t, &values);
    Ok(Rendered {
        kind,
        lang,
        subject,
        text: to_text(&blocks),
        html: to_html(&blocks, input, kind, lang, t),
        template: t.source.clone(),
        template_sha256: t.sha256.clone(),
    })
}

/// A filled line: its style and its pieces, each marked as data or template text.
struct Filled {
    style: Style,
    parts: Vec<(bool, String)>,
}

/// Lines with values in place; `None` stands for a blank line.
fn fill(t: &Template, values: &HashMap<&'static str, Value>) -> Vec<Option<Filled>> {
    let empty = Value::Text(String::new());
    let get = |name: &str| values.get(name).unwrap_or(&empty);
    let mut out = Vec::new();
    for line in &t.lines {
        if let Some(c) = &line.condition
            && get(c).is_empty()
        {
            continue;
        }
        if line.pieces.is_empty() && line.condition.is_none() {
            out.push(None);
            continue;
        }
        match &line.list {
            None => out.push(Some(fill_line(line, get, None))),
            Some(list) => {
                let items: Vec<String> = match get(list) {
                    Value::List(v) => v.clone(),
                    Value::Text(s) if s.is_empty() => Vec::new(),
                    Value::Text(s) => vec![s.clone()],
                };
                for (i, item) in items.iter().enumerate() {
                    out.push(Some(fill_line(line, get, Some((i + 1, list, item)))));
                }
            }
        }
    }
    out
}

fn fill_line<'v>(
    line: &Line,
    get: impl Fn(&str) -> &'v Value,
    item: Option<(usize, &String, &String)>,
) -> Filled {
    let mut parts = Vec::new();
    for p in &line.pieces {
        match p {
            Piece::Text(s) => parts.push((false, s.clone())),
            Piece::Value(name) => {
                let v = match item {
                    Some((n, _, _)) if name == "n" => n.to_string(),
                    Some((_, list, it)) if name == list => it.clone(),
                    _ => match get(name) {
                        Value::Text(s) => s.clone(),
                        Value::List(v) => v.join("; "),
                    },
                };
                parts.push((true, v));
            }
        }
    }
    Filled {
        style: line.style,
        parts,
    }
}

/// The width of the plain-text notice.
const WIDTH: usize = 78;

fn to_text(lines: &[Option<Filled>]) -> String {
    let mut out = String::new();
    let mut blank = true;
    for l in lines {
        let Some(l) = l else {
            if !blank {
                out.push('\n');
                blank = true;
            }
            continue;
        };
        let s: String = l.parts.iter().map(|(_, s)| s.as_str()).collect();
        let s = s.trim_end();
        match l.style {
            Style::Title => {
                for w in wrap(&s.to_uppercase(), WIDTH) {
                    out.push_str(&center(&w));
                }
            }
            Style::Subtitle => {
                for w in wrap(s, WIDTH) {
                    out.push_str(&center(&w));
                }
            }
            Style::Right => {
                let n = s.chars().count();
                out.push_str(&" ".repeat(WIDTH.saturating_sub(n)));
                out.push_str(s);
                out.push('\n');
            }
            Style::Bullet => {
                for (i, w) in wrap(s, WIDTH - 2).into_iter().enumerate() {
                    out.push_str(if i == 0 { "- " } else { "  " });
                    out.push_str(&w);
                    out.push('\n');
                }
            }
            Style::Plain => {
                let indent: String = s.chars().take_while(|c| *c == ' ').collect();
                let body = s.trim_start();
                // A numbered item ("2) …") hangs its continuation lines under its text.
                let digits = body.chars().take_while(char::is_ascii_digit).count();
                let hang = if digits > 0 && body[digits..].starts_with(") ") {
                    digits + 2
                } else {
                    0
                };
                for (i, w) in wrap(body, WIDTH - indent.len() - hang)
                    .into_iter()
                    .enumerate()
                {
                    out.push_str(&indent);
                    if i > 0 {
                        out.push_str(&" ".repeat(hang));
                    }
                    out.push_str(&w);
                    out.push('\n');
                }
            }
        }
        blank = false;
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn center(s: &str) -> String {
    let n = s.chars().count();
    format!("{}{s}\n", " ".repeat(WIDTH.saturating_sub(n) / 2))
}

/// Break a line at spaces so that no piece is wider than `width` characters
/// (a single longer word stays whole).
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut len = 0;
    // "№ 992" and "No. 5" stay on one line.
    let mut words: Vec<String> = Vec::new();
    for w in s.split(' ') {
        match words.last_mut() {
            Some(prev) if prev == "№" || prev == "No." => {
                prev.push(' ');
                prev.push_str(w);
            }
            _ => words.push(w.to_string()),
        }
    }
    for word in &words {
        let wl = word.chars().count();
        if len > 0 && len + 1 + wl > width {
            out.push(std::mem::take(&mut cur));
            len = 0;
        }
        if len > 0 {
            cur.push(' ');
            len += 1;
        }
        cur.push_str(word);
        len += wl;
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// Escape text for HTML content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const NOTICE_CSS: &str = r#"@page { size: A4; margin: 20mm 15mm 20mm 25mm; }
* { box-sizing: border-box; }
html { background: #e8e8e4; }
body { margin: 0; font-family: "Times New Roman", "PT Serif", "Liberation Serif", serif; font-size: 13pt; line-height: 1.45; color: #111; }
.sheet { background: #fff; width: 210mm; min-height: 297mm; margin: 12mm auto; padding: 20mm 15mm 20mm 25mm; box-shadow: 0 1px 6px rgba(0,0,0,.25); }
h1 { font-size: 14pt; text-align: center; text-transform: uppercase; letter-spacing: .02em; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; font-weight: normal; text-align: center; margin: 0 0 8mm; }
p { margin: 0 0 4mm; text-align: justify; }
p.right { text-align: right; }
ul { margin: 0 0 4mm; padding-left: 6mm; }
li { margin-bottom: 1.5mm; }
.v { font-weight: inherit; }
footer { margin-top: 14mm; padding-top: 2mm; border-top: 0.3mm solid #999; font-family: "DejaVu Sans", Arial, sans-serif; font-size: 8pt; color: #555; }
@media print {
  html, body { background: #fff; }
  .sheet { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
}
"#;

fn html_parts(l: &Filled) -> String {
    l.parts
        .iter()
        .map(|(value, s)| {
            if *value && !s.is_empty() {
                format!("<span class=\"v\">{}</span>", escape_html(s))
            } else {
                escape_html(s)
            }
        })
        .collect()
}

fn to_html(
    lines: &[Option<Filled>],
    input: &Input<'_>,
    kind: Kind,
    lang: Lang,
    t: &Template,
) -> String {
    let mut body = String::new();
    let mut para: Vec<String> = Vec::new();
    let mut right: Vec<String> = Vec::new();
    let mut bullets: Vec<String> = Vec::new();
    let mut title = String::new();
    fn flush(
        body: &mut String,
        para: &mut Vec<String>,
        right: &mut Vec<String>,
        bullets: &mut Vec<String>,
    ) {
        if !right.is_empty() {
            body.push_str(&format!(
                "<p class=\"right\">{}</p>\n",
                right.join("<br>\n")
            ));
            right.clear();
        }
        if !para.is_empty() {
            body.push_str(&format!("<p>{}</p>\n", para.join("<br>\n")));
            para.clear();
        }
        if !bullets.is_empty() {
            body.push_str("<ul>\n");
            for b in bullets.iter() {
                body.push_str(&format!("<li>{b}</li>\n"));
            }
            body.push_str("</ul>\n");
            bullets.clear();
        }
    }
    for l in lines {
        let Some(l) = l else {
            flush(&mut body, &mut para, &mut right, &mut bullets);
            continue;
        };
        let content = html_parts(l);
        let content = content.trim_end().to_string();
        match l.style {
            Style::Title => {
                flush(&mut body, &mut para, &mut right, &mut bullets);
                if title.is_empty() {
                    title = l.parts.iter().map(|(_, s)| s.as_str()).collect();
                }
                body.push_str(&format!("<h1>{content}</h1>\n"));
            }
            Style::Subtitle => {
                flush(&mut body, &mut para, &mut right, &mut bullets);
                body.push_str(&format!("<h2>{content}</h2>\n"));
            }
            Style::Right => {
                if !para.is_empty() || !bullets.is_empty() {
                    flush(&mut body, &mut para, &mut right, &mut bullets);
                }
                right.push(content);
            }
            Style::Bullet => {
                if !para.is_empty() || !right.is_empty() {
                    flush(&mut body, &mut para, &mut right, &mut bullets);
                }
                bullets.push(content);
            }
            Style::Plain => {
                if !right.is_empty() || !bullets.is_empty() {
                    flush(&mut body, &mut para, &mut right, &mut bullets);
                }
                let lead = content.chars().take_while(|c| *c == ' ').count();
                let pad = if lead > 0 {
                    format!("<span style=\"padding-left:{}em\"></span>", lead / 2)
                } else {
                    String::new()
                };
                para.push(format!("{pad}{}", content.trim_start()));
            }
        }
    }
    flush(&mut body, &mut para, &mut right, &mut bullets);
    let footer = format!(
        "kezek · {} · {} · {} · {}",
        escape_html(&input.case.number),
        kind.id(),
        lang_id(lang),
        &t.sha256[..12.min(t.sha256.len())]
    );
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title} · {number}</title>\n<style>\n{NOTICE_CSS}</style>\n</head>\n<body>\n<main class=\"sheet\">\n{body}<footer>{footer}</footer>\n</main>\n</body>\n</html>\n",
        lang = lang_id(lang),
        title = escape_html(&title),
        number = escape_html(&input.case.number),
    )
}
