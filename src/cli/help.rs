//! The command line's own words in the interface language: the help of
//! every command and argument, clap's headings and built-in flags, and the
//! argument errors.
//!
//! The doc comments of the derive in `cli` are the English originals. The
//! catalogue holds every one of them under `[cli-help]`, by keys derived
//! from the command tree:
//!
//! - `cli-help.about`, `cli-help.calendar.add.about`: a command's about (the
//!   root's has no path); `….long-about` its long about, only where the
//!   English has one;
//! - `cli-help.arg.db`, `cli-help.calendar.add.arg.working_days`: an
//!   argument's help by its id; a global argument is keyed at the root;
//!   `….arg-long.ID` its long help, only where the English has one;
//! - `cli-help.value.day`: a value placeholder (`<DAY>`) by its English name
//!   in lower case, shared by every argument.
//!
//! No code names these keys literally, so `tests/cli_help.rs` walks the tree
//! and fails when a command or argument lacks a text in a language, or when a
//! `cli-help` key no longer matches the tree. clap's fixed words (headings,
//! `--help`, `--version`, the `help` command, `[OPTIONS]`) are ordinary keys
//! under `[cli.usage]`, its argument errors under `[cli.args]`.

use std::error::Error as _;
use std::fmt::Display;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

use crate::i18n::{Lang, Msg, t, t_dyn, tf};

/// The catalogue group of the keys derived from the command tree.
pub const GROUP: &str = "cli-help";

/// Words the key scheme uses after a command path: no command may be named so.
pub const RESERVED: [&str; 5] = ["about", "long-about", "arg", "arg-long", "value"];

fn prefix(path: &[&str]) -> String {
    let mut key = GROUP.to_string();
    for p in path {
        key.push('.');
        key.push_str(p);
    }
    key
}

/// The key of a command's about; `path` is the subcommand names below `kezek`.
pub fn about_key(path: &[&str]) -> String {
    format!("{}.about", prefix(path))
}

/// The key of a command's long about.
pub fn long_about_key(path: &[&str]) -> String {
    format!("{}.long-about", prefix(path))
}

/// The key of an argument's help (`path` is empty for a global argument).
pub fn arg_key(path: &[&str], id: &str) -> String {
    format!("{}.arg.{id}", prefix(path))
}

/// The key of an argument's long help.
pub fn arg_long_key(path: &[&str], id: &str) -> String {
    format!("{}.arg-long.{id}", prefix(path))
}

/// The key of a value placeholder, by its English name.
pub fn value_key(name: &str) -> String {
    format!("{GROUP}.value.{}", name.to_lowercase())
}

/// clap's own `--help`, `--version` and `help` command (not in the derive).
pub fn is_built_in(arg: &Arg) -> bool {
    matches!(
        arg.get_action(),
        ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version
    )
}

/// The `--lang` value among the raw arguments, before clap has parsed them,
/// so that help and argument errors can speak the language asked for.
pub fn lang_flag(args: &[std::ffi::OsString]) -> Option<String> {
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let Some(a) = a.to_str() else { continue };
        if a == "--" {
            break;
        }
        if a == "--lang" {
            return it.next().and_then(|v| v.to_str()).map(str::to_string);
        }
        if let Some(v) = a.strip_prefix("--lang=") {
            return Some(v.to_string());
        }
    }
    None
}

/// The whole `kezek` command tree, built, with every text in `lang`.
pub fn command(lang: Lang) -> Command {
    localize(<super::Cli as clap::CommandFactory>::command(), lang)
}

/// Replace every help text of a command tree with the catalogue's. The tree
/// is built first, so clap's own `--help`, `--version` and `help` command
/// exist to be worded too; a text missing from the catalogue stays as the
/// derive wrote it.
pub fn localize(mut cmd: Command, lang: Lang) -> Command {
    cmd.build();
    walk(cmd, &[], false, lang)
}

/// `path` is the key path of the command; the built-in `help` command and its
/// copies of the tree are keyed as the commands they describe.
fn walk(mut cmd: Command, path: &[String], is_help: bool, lang: Lang) -> Command {
    let keys: Vec<&str> = path.iter().map(String::as_str).collect();
    if is_help {
        cmd = cmd.about(t(lang, "cli.usage.help-command"));
    } else {
        if cmd.get_about().is_some()
            && let Some(text) = t_dyn(lang, &about_key(&keys))
        {
            cmd = cmd.about(text);
        }
        if cmd.get_long_about().is_some()
            && let Some(text) = t_dyn(lang, &long_about_key(&keys))
        {
            cmd = cmd.long_about(text);
        }
    }
    cmd = cmd
        .mut_args(|a| localize_arg(a, &keys, lang))
        .subcommand_help_heading(t(lang, "cli.usage.commands"))
        .subcommand_value_name(t(lang, "cli.usage.command-value"))
        .mut_subcommands(|sc| {
            if sc.get_name() == "help" {
                walk(sc, path, true, lang)
            } else {
                let mut sub = path.to_vec();
                sub.push(sc.get_name().to_string());
                walk(sc, &sub, false, lang)
            }
        });
    let heading = t(lang, "cli.usage.heading");
    let usage = usage(&mut cmd, heading, lang);
    let has_body = cmd.get_arguments().any(|a| !a.is_hide_set())
        || cmd.get_subcommands().any(|s| !s.is_hide_set());
    let body = if has_body { "\n\n{all-args}" } else { "" };
    cmd.override_usage(usage).help_template(format!(
        "{{before-help}}{{about-with-newline}}\n{heading} {{usage}}{body}{{after-help}}"
    ))
}

/// clap's usage line with the localized placeholders, `[OPTIONS]` in the
/// language and continuation lines aligned under the localized heading.
fn usage(cmd: &mut Command, heading: &str, lang: Lang) -> String {
    let rendered = cmd.render_usage().to_string();
    let rendered = rendered
        .split_once(':')
        .map(|(_, rest)| rest.trim_start())
        .unwrap_or(&rendered);
    let indent = " ".repeat(heading.chars().count() + 1);
    rendered
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let l = l.replace("[OPTIONS]", t(lang, "cli.usage.options-tag"));
            if i == 0 {
                l
            } else {
                format!("{indent}{}", l.trim_start())
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn localize_arg(mut a: Arg, path: &[&str], lang: Lang) -> Arg {
    let id = a.get_id().as_str().to_string();
    let path: &[&str] = if a.is_global_set() { &[] } else { path };
    match a.get_action() {
        ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong => {
            a = if a.get_long_help().is_some() {
                a.help(t(lang, "cli.usage.help-flag-more"))
                    .long_help(t(lang, "cli.usage.help-flag-summary"))
            } else {
                a.help(t(lang, "cli.usage.help-flag"))
            };
        }
        ArgAction::Version => a = a.help(t(lang, "cli.usage.version-flag")),
        _ => {
            if a.get_help().is_some()
                && let Some(text) = t_dyn(lang, &arg_key(path, &id))
            {
                a = a.help(text);
            }
            if a.get_long_help().is_some()
                && let Some(text) = t_dyn(lang, &arg_long_key(path, &id))
            {
                a = a.long_help(text);
            }
        }
    }
    if let Some(names) = a
        .get_value_names()
        .filter(|_| a.get_action().takes_values())
    {
        let names: Vec<clap::builder::Str> = names
            .iter()
            .map(|n| {
                t_dyn(lang, &value_key(n))
                    .map(clap::builder::Str::from)
                    .unwrap_or_else(|| n.clone())
            })
            .collect();
        a = a.value_names(names);
    }
    // clap's "[default: …]" and "[possible values: …]", in the language.
    let mut notes = Vec::new();
    if a.get_action().takes_values() {
        if !a.is_hide_default_value_set() && !a.get_default_values().is_empty() {
            let value = a
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" ");
            notes.push(tf(lang, "cli.usage.default", &[("value", &value)]));
            a = a.hide_default_value(true);
        }
        let values: Vec<String> = a
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !a.is_hide_possible_values_set() && !values.is_empty() {
            notes.push(tf(
                lang,
                "cli.usage.values",
                &[("values", &values.join(", "))],
            ));
            a = a.hide_possible_values(true);
        }
    }
    if !notes.is_empty() {
        let help = a.get_help().map(ToString::to_string).unwrap_or_default();
        let short = if help.is_empty() {
            notes.join(" ")
        } else {
            format!("{help} {}", notes.join(" "))
        };
        if let Some(long) = a.get_long_help().map(ToString::to_string) {
            a = a.long_help(format!("{long}\n\n{}", notes.join("\n")));
        }
        a = a.help(short);
    }
    let heading = if a.is_positional() {
        t(lang, "cli.usage.arguments")
    } else {
        t(lang, "cli.usage.options")
    };
    a.help_heading(heading)
}

/// A value parser's complaint, worded when it is shown.
#[derive(Debug)]
pub struct ArgError(pub Msg);

impl Display for ArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for ArgError {}

fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Why a value was refused: our own parsers' message, a number that is not
/// one; `None` for anything else (the value and the argument say enough).
fn reason(e: &clap::Error, lang: Lang) -> Option<String> {
    let source = e.source()?;
    if let Some(a) = source.downcast_ref::<ArgError>() {
        return Some(a.0.text(lang));
    }
    if let Some(n) = source.downcast_ref::<std::num::ParseIntError>() {
        use std::num::IntErrorKind as K;
        let key = match n.kind() {
            K::PosOverflow | K::NegOverflow => "cli.args.number-too-large",
            _ => "cli.args.not-a-number",
        };
        return Some(t(lang, key).to_string());
    }
    None
}

/// One line that says what is wrong with the arguments, in `lang`, with the
/// pointer to `--help` (without the program name).
pub fn error_line(e: &clap::Error, lang: Lang) -> String {
    let get = |k| context(e, k).unwrap_or_default();
    let arg = get(ContextKind::InvalidArg);
    let value = get(ContextKind::InvalidValue);
    let say = |key: &'static str, args: &[(&str, &dyn Display)]| tf(lang, key, args);
    let mut parts = Vec::new();
    match e.kind() {
        ErrorKind::UnknownArgument => {
            parts.push(say("cli.args.unknown-argument", &[("arg", &arg)]));
        }
        ErrorKind::InvalidSubcommand => {
            let name = get(ContextKind::InvalidSubcommand);
            parts.push(say("cli.args.unknown-command", &[("name", &name)]));
        }
        ErrorKind::InvalidValue if value.is_empty() => {
            parts.push(say("cli.args.value-missing", &[("arg", &arg)]));
        }
        ErrorKind::InvalidValue => {
            parts.push(say(
                "cli.args.invalid-value",
                &[("value", &value), ("arg", &arg)],
            ));
            if let Some(values) = context(e, ContextKind::ValidValue) {
                parts.push(say("cli.args.possible-values", &[("values", &values)]));
            }
        }
        ErrorKind::ValueValidation => match e.source().and_then(|s| s.downcast_ref::<ArgError>()) {
            // Our parsers' message names the value itself.
            Some(a) => parts.push(format!("{arg}: {}", a.0.text(lang))),
            None => {
                let mut line = say(
                    "cli.args.invalid-value",
                    &[("value", &value), ("arg", &arg)],
                );
                if let Some(why) = reason(e, lang) {
                    line = format!("{line}: {why}");
                }
                parts.push(line);
            }
        },
        ErrorKind::NoEquals => parts.push(say("cli.args.no-equals", &[("arg", &arg)])),
        ErrorKind::TooManyValues => parts.push(say(
            "cli.args.too-many-values",
            &[("value", &value), ("arg", &arg)],
        )),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            let expected = context(e, ContextKind::ExpectedNumValues)
                .or_else(|| context(e, ContextKind::MinValues))
                .unwrap_or_default();
            let given = get(ContextKind::ActualNumValues);
            parts.push(say(
                "cli.args.number-of-values",
                &[("arg", &arg), ("expected", &expected), ("given", &given)],
            ));
        }
        ErrorKind::ArgumentConflict => {
            let arg = if arg.is_empty() {
                get(ContextKind::InvalidSubcommand)
            } else {
                arg
            };
            let line = match e.get(ContextKind::PriorArg) {
                Some(ContextValue::String(other)) if *other == arg => {
                    say("cli.args.repeated", &[("arg", &arg)])
                }
                Some(ContextValue::String(other)) => {
                    say("cli.args.conflict", &[("arg", &arg), ("other", other)])
                }
                Some(ContextValue::Strings(others)) if !others.is_empty() => say(
                    "cli.args.conflict-many",
                    &[("arg", &arg), ("others", &others.join(", "))],
                ),
                _ => say("cli.args.conflict-any", &[("arg", &arg)]),
            };
            parts.push(line);
        }
        ErrorKind::MissingRequiredArgument => {
            parts.push(say("cli.args.missing-arguments", &[("args", &arg)]));
        }
        ErrorKind::MissingSubcommand => {
            let name = get(ContextKind::InvalidSubcommand);
            let commands = get(ContextKind::ValidSubcommand);
            parts.push(say(
                "cli.args.missing-command",
                &[("name", &name), ("commands", &commands)],
            ));
        }
        ErrorKind::InvalidUtf8 => parts.push(t(lang, "cli.args.not-utf8").to_string()),
        _ => parts.push(t(lang, "cli.args.other").to_string()),
    }
    for kind in [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ] {
        if let Some(s) = context(e, kind) {
            // clap gives several as one "a, b": each is quoted on its own.
            let many: Vec<&str> = s.split(", ").filter(|x| !x.is_empty()).collect();
            parts.push(match many.as_slice() {
                [first, second, ..] => say(
                    "cli.args.did-you-mean-either",
                    &[("first", first), ("second", second)],
                ),
                _ => say("cli.args.did-you-mean", &[("suggestion", &s)]),
            });
        }
    }
    say("cli.args.line", &[("what", &parts.join("; "))])
}
