//! What every screen draws with, and nothing of any screen: the themes
//! (styles by meaning), the calendar and rules a screen reads, the smallest
//! usable window, and text cut and wrapped to a width in terminal cells
//! (`text`). The screens themselves live in `app`, each beside its state
//! and keys; they implement `Draw`, so this layer imports none of them.

pub mod text;
pub mod theme;

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::style::{Modifier, Style};

use crate::domain::calendar::{Calendar, DayKind};
use crate::domain::procedure::Rules;
use crate::domain::term;
use crate::i18n::Lang;

/// The smallest usable terminal.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Styles by meaning. The monochrome theme uses modifiers only, so it works
/// under NO_COLOR and on terminals without colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    pub header: Style,
    pub overdue: Style,
    pub today: Style,
    pub selected: Style,
    pub dim: Style,
    pub title: Style,
}

impl Theme {
    /// A built-in theme by name (`dark`, `light`, `high-contrast`, `monochrome`).
    pub fn built_in(name: &str) -> Option<Theme> {
        theme::BUILT_IN.iter().find_map(|(file, text)| {
            theme::parse(crate::domain::rules_error::Source { name: file, text })
                .ok()
                .filter(|(n, _)| n == name)
                .map(|(_, t)| t)
        })
    }

    /// Modifiers only: what NO_COLOR and colourless terminals get.
    pub fn monochrome() -> Theme {
        Theme::built_in("monochrome").unwrap_or(Theme {
            header: Style::new().add_modifier(Modifier::BOLD),
            overdue: Style::new().add_modifier(Modifier::BOLD),
            today: Style::new().add_modifier(Modifier::UNDERLINED),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            dim: Style::new(),
            title: Style::new().add_modifier(Modifier::BOLD),
        })
    }

    pub fn dark() -> Theme {
        Theme::built_in("dark").unwrap_or_else(Theme::monochrome)
    }

    /// Monochrome when NO_COLOR is set or TERM has no colours.
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let term = std::env::var("TERM").unwrap_or_default();
        if no_color || term == "dumb" || term.is_empty() {
            Theme::monochrome()
        } else {
            Theme::dark()
        }
    }
}

/// What drawing needs besides the model.
pub struct Ui<'a> {
    pub cal: &'a Calendar,
    pub rules: &'a Rules,
    pub theme: Theme,
}

/// `Пн 23.11.2026`: the short weekday in the language and the day.
pub fn day_label(lang: Lang, day: NaiveDate) -> String {
    crate::i18n::day(lang, day)
}

/// `23.11.2026 18:30` in the calendar's zone.
pub fn instant_label(cal: &Calendar, at: chrono::DateTime<chrono::Utc>) -> String {
    term::local(cal, at).format("%d.%m.%Y %H:%M").to_string()
}

/// Why a day is or is not a working day, in the language.
pub fn day_reason(cal: &Calendar, lang: Lang, kind: DayKind) -> String {
    cal.day_msg(kind).text(lang)
}

/// Whether a window is below the smallest size the console can be used in.
pub fn too_small(width: u16, height: u16) -> bool {
    width < MIN_WIDTH || height < MIN_HEIGHT
}

/// Something that draws a whole frame: the console's model.
pub trait Draw {
    fn draw(&mut self, f: &mut Frame<'_>, ui: &Ui<'_>);
}

/// Draw the whole screen.
pub fn draw<D: Draw + ?Sized>(f: &mut Frame<'_>, d: &mut D, ui: &Ui<'_>) {
    d.draw(f, ui);
}
