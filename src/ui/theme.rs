//! Themes from `themes/*.toml` (built in) and `<config dir>/themes/*.toml`.

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use super::Theme;
use crate::domain::rules_error::{RuleError, Source};

/// The built-in theme files.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("themes/dark.toml", include_str!("../../themes/dark.toml")),
    ("themes/light.toml", include_str!("../../themes/light.toml")),
    (
        "themes/high-contrast.toml",
        include_str!("../../themes/high-contrast.toml"),
    ),
    (
        "themes/monochrome.toml",
        include_str!("../../themes/monochrome.toml"),
    ),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStyle {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    name: String,
    header: RawStyle,
    overdue: RawStyle,
    today: RawStyle,
    selected: RawStyle,
    dim: RawStyle,
    title: RawStyle,
}

fn color(s: &str) -> Option<Color> {
    Some(match s {
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" => Color::Gray,
        "dark_gray" => Color::DarkGray,
        "light_red" => Color::LightRed,
        "light_green" => Color::LightGreen,
        "light_yellow" => Color::LightYellow,
        "light_blue" => Color::LightBlue,
        "light_magenta" => Color::LightMagenta,
        "light_cyan" => Color::LightCyan,
        "white" => Color::White,
        "reset" => Color::Reset,
        hex if hex.len() == 7 && hex.starts_with('#') => {
            let v = u32::from_str_radix(&hex[1..], 16).ok()?;
            Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
        }
        _ => return None,
    })
}

fn style(src: Source<'_>, what: &str, r: &RawStyle) -> Result<Style, RuleError> {
    let bad = |v: &str| src.error_at(0, format!("{what}: '{v}' is not a colour"));
    let mut s = Style::new();
    if let Some(fg) = &r.fg {
        s = s.fg(color(fg).ok_or_else(|| bad(fg))?);
    }
    if let Some(bg) = &r.bg {
        s = s.bg(color(bg).ok_or_else(|| bad(bg))?);
    }
    for m in &r.modifiers {
        s = s.add_modifier(match m.as_str() {
            "bold" => Modifier::BOLD,
            "underlined" => Modifier::UNDERLINED,
            "reversed" => Modifier::REVERSED,
            "dim" => Modifier::DIM,
            "italic" => Modifier::ITALIC,
            other => {
                return Err(src.error_at(0, format!("{what}: '{other}' is not a modifier")));
            }
        });
    }
    Ok(s)
}

/// Parse one theme file.
pub fn parse(src: Source<'_>) -> Result<(String, Theme), RuleError> {
    let raw: RawTheme = toml::from_str(src.text).map_err(|e| src.toml_error(&e))?;
    let theme = Theme {
        header: style(src, "header", &raw.header)?,
        overdue: style(src, "overdue", &raw.overdue)?,
        today: style(src, "today", &raw.today)?,
        selected: style(src, "selected", &raw.selected)?,
        dim: style(src, "dim", &raw.dim)?,
        title: style(src, "title", &raw.title)?,
    };
    Ok((raw.name, theme))
}

/// Every theme: built-in ones, then the administrator's (same name replaces).
pub fn load_all() -> Result<BTreeMap<String, Theme>, RuleError> {
    let mut out = BTreeMap::new();
    for (name, text) in BUILT_IN {
        let (n, t) = parse(Source { name, text })?;
        out.insert(n, t);
    }
    if let Some(dir) = crate::config::config_dir().map(|d| d.join("themes"))
        && let Ok(entries) = std::fs::read_dir(&dir)
    {
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().and_then(|x| x.to_str()) != Some("toml") {
                continue;
            }
            let shown = path.display().to_string();
            let text = crate::privilege::read_to_string_as_user(&path)
                .map_err(|err| RuleError::new(&shown, 0, format!("cannot read: {err}")))?;
            let (n, t) = parse(Source {
                name: &shown,
                text: &text,
            })?;
            out.insert(n, t);
        }
    }
    Ok(out)
}
