//! The command line's help and argument errors speak kk, ru and en.
//!
//! The help texts live in the catalogue under `[cli-help]`, by keys derived
//! from the clap tree (see `kezek::cli::help`). No source names them
//! literally, so this test is what ties them to the tree: every command and
//! every visible argument has its text in all three languages, and every
//! `cli-help` key belongs to something in the tree (`tests/catalogue.rs`
//! leaves those keys to this file).

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::process::{Command, Output, Stdio};

use clap::{Arg, CommandFactory};
use kezek::cli::help;
use kezek::i18n::{self, Lang};

/// The `kezek` tree as clap builds it (with `--help`, globals propagated).
fn tree() -> clap::Command {
    let mut cmd = kezek::cli::Cli::command();
    cmd.build();
    cmd
}

/// Every (sub)command below the root with its path of names; the root is the
/// empty path. clap's generated `help` commands are left out.
fn commands(cmd: &clap::Command) -> Vec<(Vec<String>, &clap::Command)> {
    fn go<'a>(
        cmd: &'a clap::Command,
        path: Vec<String>,
        out: &mut Vec<(Vec<String>, &'a clap::Command)>,
    ) {
        for sc in cmd.get_subcommands() {
            if sc.get_name() == "help" {
                continue;
            }
            let mut p = path.clone();
            p.push(sc.get_name().to_string());
            go(sc, p, out);
        }
        out.push((path, cmd));
    }
    let mut out = Vec::new();
    go(cmd, Vec::new(), &mut out);
    out
}

/// The catalogue keys the tree needs, with the English the derive gives.
fn needed() -> BTreeMap<String, String> {
    let tree = tree();
    let mut out = BTreeMap::new();
    for (path, cmd) in commands(&tree) {
        let keys: Vec<&str> = path.iter().map(String::as_str).collect();
        let about = cmd.get_about().map(ToString::to_string).unwrap_or_default();
        assert!(!about.is_empty(), "`kezek {}` has no about", keys.join(" "));
        out.insert(help::about_key(&keys), about);
        if let Some(long) = cmd.get_long_about() {
            out.insert(help::long_about_key(&keys), long.to_string());
        }
        for a in cmd.get_arguments() {
            if help::is_built_in(a) || a.is_hide_set() {
                continue;
            }
            // A global argument is keyed where it is defined: at the root.
            let at: &[&str] = if a.is_global_set() { &[] } else { &keys };
            let id = a.get_id().as_str();
            let text = a.get_help().map(ToString::to_string).unwrap_or_default();
            assert!(
                !text.is_empty(),
                "`kezek {}` argument {id} has no help: add a doc comment",
                keys.join(" ")
            );
            out.insert(help::arg_key(at, id), text);
            if let Some(long) = a.get_long_help() {
                out.insert(help::arg_long_key(at, id), long.to_string());
            }
            let placeholders = a
                .get_value_names()
                .filter(|_| a.get_action().takes_values());
            for v in placeholders.unwrap_or_default() {
                out.insert(help::value_key(v), v.to_string());
            }
        }
    }
    out
}

#[test]
fn every_command_and_argument_has_help_in_every_language() {
    let needed = needed();
    let en = i18n::texts(Lang::En);
    let mut wrong = Vec::new();
    for lang in Lang::ALL {
        let texts = i18n::texts(lang);
        for key in needed.keys() {
            match texts.get(key) {
                Some(t) if !t.trim().is_empty() => {}
                _ => wrong.push(format!("{lang:?} lacks {key}")),
            }
        }
    }
    // The English catalogue says what the derive says, so neither drifts.
    for (key, derive) in &needed {
        if let Some(text) = en.get(key)
            && text != derive
        {
            wrong.push(format!(
                "en {key} = {text:?} but the doc comment says {derive:?}"
            ));
        }
    }
    let stale: Vec<&String> = en
        .keys()
        .filter(|k| k.starts_with(&format!("{}.", help::GROUP)) && !needed.contains_key(*k))
        .collect();
    for k in stale {
        wrong.push(format!("{k} matches nothing in the command tree"));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_command_takes_a_name_the_key_scheme_uses() {
    for (path, _) in commands(&tree()) {
        for name in &path {
            assert!(
                !help::RESERVED.contains(&name.as_str()) && name != "help",
                "a command named {name} would clash with the help keys"
            );
        }
    }
}

/// The words that may stay Latin in kk and ru help: what the user types
/// (command names, flags, possible and default values), the program's
/// name and file names, and the names of formats and standards.
fn literal_words(cmd: &clap::Command) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = [
        "kezek", "toml", "json", "html", "excel", "cron", "utf", "lang", "kk", "ru", "en", "rfc",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut add = |s: &str| {
        for w in s.split(|c: char| !c.is_ascii_alphabetic()) {
            if !w.is_empty() {
                out.insert(w.to_ascii_lowercase());
            }
        }
    };
    fn args<'a>(cmd: &'a clap::Command, out: &mut Vec<&'a Arg>, names: &mut Vec<&'a str>) {
        names.push(cmd.get_name());
        out.extend(cmd.get_arguments());
        for sc in cmd.get_subcommands() {
            args(sc, out, names);
        }
    }
    let mut all = Vec::new();
    let mut names = Vec::new();
    args(cmd, &mut all, &mut names);
    for n in names {
        add(n);
    }
    for a in all {
        if let Some(l) = a.get_long() {
            add(l);
        }
        for v in a.get_possible_values() {
            add(v.get_name());
        }
        for v in a.get_default_values() {
            add(&v.to_string_lossy());
        }
    }
    // Procedure ids and notice kinds the help lists as values to type.
    for w in [
        "registration",
        "rvp",
        "pr",
        "exit",
        "border",
        "zone",
        "acceptance",
        "refusal",
        "to",
        "accept",
        "hearing",
        "notice",
        "decision",
        "annulment",
        "conclusion",
    ] {
        out.insert(w.to_string());
    }
    out
}

/// Latin words of four or more letters that are not literals.
fn english_words(text: &str, allowed: &BTreeSet<String>) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 4 && !allowed.contains(&w.to_ascii_lowercase()))
        .map(str::to_string)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[test]
fn kazakh_and_russian_help_has_no_english_words() {
    let allowed = literal_words(&tree());
    for lang in [Lang::Kk, Lang::Ru] {
        let mut cmd = help::command(lang);
        let paths: Vec<Vec<String>> = commands(&tree()).into_iter().map(|(p, _)| p).collect();
        for path in paths {
            let mut sc = &mut cmd;
            for name in &path {
                sc = sc.find_subcommand_mut(name).expect("subcommand");
            }
            for text in [
                sc.render_help().to_string(),
                sc.render_long_help().to_string(),
            ] {
                let words = english_words(&text, &allowed);
                assert!(
                    words.is_empty(),
                    "{lang:?} `kezek {}`: English words {words:?} in\n{text}",
                    path.join(" ")
                );
            }
        }
    }
}

/// Run the binary with no user settings in the way.
fn kezek(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("tmp");
    Command::new(env!("CARGO_BIN_EXE_kezek"))
        .args(args)
        .env("KEZEK_CONFIG_DIR", dir.path())
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run kezek")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

#[test]
fn kazakh_help_from_the_binary() {
    let allowed = literal_words(&tree());
    for args in [
        vec!["--lang", "kk", "--help"],
        vec!["--lang", "kk", "calendar", "add", "--help"],
        vec!["--lang=kk", "calendar", "add", "-h"],
        vec!["calendar", "add", "--help", "--lang", "kk"],
        vec!["--lang", "kk", "help", "calendar"],
    ] {
        let o = kezek(&args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
        let out = text(&o.stdout);
        assert!(out.contains("Қолданылуы:"), "{args:?}: {out}");
        assert!(out.contains("Параметрлер:"), "{args:?}: {out}");
        let words = english_words(&out, &allowed);
        assert!(words.is_empty(), "{args:?}: English {words:?} in\n{out}");
    }
    let o = kezek(&["--lang", "kk", "calendar", "add", "--help"]);
    let out = text(&o.stdout);
    assert!(out.contains("--working-days <САН>"), "{out}");
    assert!(out.contains("жұмыс күні"), "{out}");
    // The English help is the derive's, word for word.
    let o = kezek(&["--lang", "en", "calendar", "add", "--help"]);
    let out = text(&o.stdout);
    assert!(out.contains("Usage: kezek calendar add [OPTIONS]"), "{out}");
    assert!(out.contains("A term of N working days"), "{out}");
    assert!(
        out.contains("[default: text] [possible values: text, json]"),
        "{out}"
    );
}

#[test]
fn help_follows_the_settings_file_and_falls_back_to_english() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("kezek.toml"), "lang = \"ru\"\n").expect("settings");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kezek"))
            .args(args)
            .env("KEZEK_CONFIG_DIR", dir.path())
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "en_US.UTF-8")
            .output()
            .expect("run kezek")
    };
    let o = run(&["--help"]);
    assert!(
        text(&o.stdout).contains("Использование:"),
        "{}",
        text(&o.stdout)
    );
    // A language that cannot be known: English help, and the error after.
    let o = run(&["--lang", "fr", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).contains("Usage:"), "{}", text(&o.stdout));
    let o = run(&["--lang", "fr", "calendar", "years"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--lang fr"), "{}", text(&o.stderr));
}

#[test]
fn argument_errors_speak_the_language_and_exit_2() {
    let o = kezek(&["--lang", "ru", "calendar", "add", "--bogus"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("kezek: неизвестный аргумент «--bogus»"),
        "{err}"
    );
    assert!(err.trim_end().ends_with("(см. kezek --help)"), "{err}");
    assert!(o.stdout.is_empty());

    let cases: [(&[&str], &str); 9] = [
        (
            &[
                "--lang",
                "ru",
                "calendar",
                "add",
                "--from",
                "2026-11-20 10:00",
            ],
            "не указаны обязательные аргументы",
        ),
        (
            &[
                "--lang",
                "kk",
                "calendar",
                "list",
                "--from",
                "2026-1-1x",
                "--to",
                "2026-01-02",
            ],
            "нақты күн емес",
        ),
        (
            &[
                "--lang",
                "ru",
                "calendar",
                "list",
                "--from",
                "2026-02-30",
                "--to",
                "2026-03-02",
            ],
            "«2026-02-30»",
        ),
        (
            &["--lang", "ru", "calendaar"],
            "возможно, имелось в виду «calendar»",
        ),
        (
            &[
                "--lang",
                "kk",
                "calendar",
                "list",
                "--from",
                "2026-01-01",
                "--to",
                "2026-01-02",
                "--format",
                "xml",
            ],
            "«xml»",
        ),
        (
            &[
                "--lang",
                "ru",
                "calendar",
                "add",
                "--from",
                "2026-11-20 10:00",
                "--working-days",
                "x",
            ],
            "нужно целое число",
        ),
        (
            &[
                "--lang",
                "ru",
                "calendar",
                "add",
                "--from",
                "2026-11-20 10:00",
                "--working-days",
                "1",
                "--calendar-days",
                "2",
            ],
            "нельзя указывать вместе",
        ),
        (
            &["--lang", "en", "calendar", "add", "--bogus"],
            "unexpected argument “--bogus”",
        ),
        (
            &["--lang", "kk", "notice", "C-1", "nonsense"],
            "хабарламаның белгісіз түрі",
        ),
    ];
    for (args, want) in cases {
        let o = kezek(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = text(&o.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("kezek: "), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: want {want:?} in {err}");
    }
}
