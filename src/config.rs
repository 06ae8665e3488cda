//! Where kezek finds its configuration, and the rules merged from it.
//!
//! Rule files ship inside the binary; an administrator may put files of the
//! same form in the configuration directory (`$KEZEK_CONFIG_DIR`, else the
//! platform's config dir, e.g. `~/.config/kezek`) to add a year's decree or
//! correct a rule without a new release.

use std::path::PathBuf;

use crate::domain::calendar::{self, Calendar};
use crate::domain::msg::{Localize, Msg};
use crate::domain::rules_error::{RuleError, Source};
use crate::msg;

/// The configuration directory, if one can be determined.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = crate::privilege::env_var_os("KEZEK_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("kz", "", "kezek").map(|d| d.config_dir().to_path_buf())
}

/// Where rules, the calendar and notice templates may be overridden: the
/// user's configuration directory, but in the office installation (raised
/// privileges) only root's `/etc/kezek`: one law for every user.
pub fn rules_dir() -> Option<PathBuf> {
    if crate::privilege::privileged() {
        return Some(PathBuf::from(crate::privilege::OFFICE_CONFIG_DIR));
    }
    config_dir()
}

/// The override file for the calendar.
pub fn calendar_override_path() -> Option<PathBuf> {
    rules_dir().map(|d| d.join("calendar.toml"))
}

/// The built-in calendar with the administrator's override merged over it.
pub fn load_calendar() -> Result<Calendar, RuleError> {
    let path = calendar_override_path().filter(|p| p.exists());
    let Some(path) = path else {
        return Calendar::built_in();
    };
    let name = path.display().to_string();
    let text = crate::privilege::read_to_string_as_user(&path)
        .map_err(|e| RuleError::new(&name, 0, format!("cannot read: {e}")))?;
    Calendar::from_sources(&[
        Source {
            name: calendar::BUILT_IN_NAME,
            text: calendar::BUILT_IN,
        },
        Source {
            name: &name,
            text: &text,
        },
    ])
}

/// The built-in procedure rules; a file of the same name in
/// `<config dir>/procedures/` replaces the built-in one.
pub fn load_rules() -> Result<crate::domain::procedure::Rules, RuleError> {
    use crate::domain::procedure::{BUILT_IN, Rules};
    let dir = rules_dir().map(|d| d.join("procedures"));
    let mut texts: Vec<(String, String)> = Vec::new();
    for (name, text) in BUILT_IN {
        let path = dir.as_ref().map(|d| d.join(name)).filter(|p| p.exists());
        match path {
            Some(p) => {
                let shown = p.display().to_string();
                let text = crate::privilege::read_to_string_as_user(&p)
                    .map_err(|e| RuleError::new(&shown, 0, format!("cannot read: {e}")))?;
                texts.push((shown, text));
            }
            None => texts.push((
                format!("rules/procedures/{name} (built in)"),
                (*text).to_string(),
            )),
        }
    }
    let sources: Vec<Source<'_>> = texts
        .iter()
        .map(|(name, text)| Source { name, text })
        .collect();
    Rules::from_sources(&sources)
}

/// The settings file in the configuration directory.
pub const SETTINGS_FILE: &str = "kezek.toml";

/// The interface language: `--lang`, else `lang` in `<config>/kezek.toml`,
/// else `$LANG` (kk, ru or en), else Russian. A bad `--lang` or a bad
/// setting is an error that says where it came from.
pub fn ui_lang(flag: Option<&str>) -> Result<crate::i18n::Lang, Msg> {
    use crate::i18n::Lang;
    if let Some(f) = flag {
        return Lang::parse(f)
            .ok_or_else(|| msg!("error.lang-flag", value = f.escape_default().to_string()));
    }
    if let Some(path) = config_dir().map(|d| d.join(SETTINGS_FILE))
        && path.exists()
    {
        let name = path.display().to_string();
        let text = crate::privilege::read_to_string_as_user(&path)
            .map_err(|e| msg!("error.path", path = &name, detail = e.msg()))?;
        let doc: toml::Table = toml::from_str(&text).map_err(|e| {
            msg!(
                "error.path",
                path = &name,
                detail = e.message().trim().to_string()
            )
        })?;
        if let Some(v) = doc.get("lang") {
            let s = v.as_str().unwrap_or_default();
            return Lang::parse(s).ok_or_else(|| {
                msg!(
                    "error.lang-setting",
                    file = &name,
                    value = v.to_string().escape_default().to_string()
                )
            });
        }
    }
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(v) = std::env::var(var)
            && !v.is_empty()
        {
            return Ok(Lang::parse(&v).unwrap_or(Lang::Ru));
        }
    }
    Ok(Lang::Ru)
}
