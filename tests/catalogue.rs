//! The message catalogue guards itself: every key exists in kk, ru and en
//! with the same placeholders, and every key is used by the program.

use std::collections::BTreeSet;

use kezek::domain::rules_error::Source;
use kezek::i18n::{self, FILES, Lang};

/// The string literals of the sources; `with_notices` includes `src/notice`,
/// whose literals are mostly template placeholders shaped like keys.
fn source_keys(with_notices: bool) -> BTreeSet<String> {
    // Every string literal in the sources that looks like `word.word`.
    let mut out = BTreeSet::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                if with_notices || !path.ends_with("notice") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            for piece in text.split('"').skip(1).step_by(2) {
                out.insert(piece.to_string());
            }
        }
    }
    out
}

#[test]
fn every_language_has_every_key_with_the_same_placeholders() {
    let parsed: Vec<(Lang, i18n::Texts)> = FILES
        .iter()
        .map(|(lang, name, text)| {
            let t = i18n::parse(Source { name, text }).unwrap_or_else(|e| panic!("{e}"));
            (*lang, t)
        })
        .collect();
    let (_, en) = parsed.iter().find(|(l, _)| *l == Lang::En).expect("en");
    for (lang, texts) in &parsed {
        let missing: Vec<&String> = en.keys().filter(|k| !texts.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
        let extra: Vec<&String> = texts.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(
            extra.is_empty(),
            "{lang:?} has keys English lacks: {extra:?}"
        );
        for (k, v) in texts {
            let mut a = i18n::placeholders(v);
            let mut b = i18n::placeholders(&en[k]);
            a.sort();
            b.sort();
            assert_eq!(a, b, "{lang:?} {k}: placeholders differ from English");
            if *lang != Lang::En && !v.is_empty() && v == &en[k] && !k.starts_with("usage.theme") {
                // Identical text is fine only where it is not words.
                let mut bare = v.clone();
                for p in i18n::placeholders(v) {
                    bare = bare.replace(&format!("{{{p}}}"), "");
                }
                assert!(
                    !bare.chars().any(|c| c.is_ascii_alphabetic()) || v.contains(':'),
                    "{lang:?} {k} is still English: {v}"
                );
            }
        }
    }
}

#[test]
fn every_key_is_used_and_every_used_key_exists() {
    let used = source_keys(true);
    let en = i18n::texts(Lang::En);
    // The command-line help's keys are derived from the clap tree, not
    // written in the sources: tests/cli_help.rs checks them against the tree
    // both ways (every command and argument has its text, every key matches
    // something in the tree).
    let generated = format!("{}.", kezek::cli::help::GROUP);
    let unused: Vec<&String> = en
        .keys()
        .filter(|k| !used.contains(*k) && !k.starts_with(&generated))
        .collect();
    let used = source_keys(false);
    assert!(unused.is_empty(), "keys nothing uses: {unused:?}");
    // Literals shaped like catalogue keys whose group exists must be keys.
    let groups: BTreeSet<&str> = en.keys().filter_map(|k| k.split('.').next()).collect();
    let unknown: Vec<&String> = used
        .iter()
        .filter(|s| {
            let mut parts = s.splitn(2, '.');
            let (Some(g), Some(rest)) = (parts.next(), parts.next()) else {
                return false;
            };
            groups.contains(g)
                && !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !en.contains_key(*s)
        })
        .collect();
    assert!(
        unknown.is_empty(),
        "keys used but missing from the catalogue: {unknown:?}"
    );
}

#[test]
fn kazakh_text_is_kazakh() {
    // A sample of words only Kazakh has: the catalogue is not Russian twice.
    let kk = i18n::texts(Lang::Kk);
    let specific = kk
        .values()
        .filter(|v| v.chars().any(|c| "әғқңөұүһі".contains(c)))
        .count();
    assert!(
        specific * 3 > kk.len(),
        "only {specific} of {} texts use Kazakh letters",
        kk.len()
    );
}

/// The `msg!("key", a = …, b = …)` and `Msg::key("key")` calls in the
/// sources: key and argument names.
fn msg_calls() -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            let mut rest = text.as_str();
            for (at, _) in text.match_indices("Msg::key(\"") {
                let tail = &text[at + 10..];
                let key = tail.split('"').next().unwrap_or_default();
                out.push((path.display().to_string(), key.to_string(), Vec::new()));
            }
            while let Some(at) = rest.find("msg!(") {
                rest = rest[at + 5..].trim_start();
                let Some(inner) = rest.strip_prefix('"') else {
                    continue;
                };
                rest = inner;
                let Some(end) = rest.find('"') else { break };
                let key = rest[..end].to_string();
                // The arguments up to the closing parenthesis at depth zero.
                let mut depth = 1;
                let mut in_str = false;
                let mut args = Vec::new();
                let mut current = String::new();
                let mut chars = rest[end + 1..].chars();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if in_str {
                        if c == '"' && prev != '\\' {
                            in_str = false;
                        }
                        prev = c;
                        continue;
                    }
                    match c {
                        '"' => in_str = true,
                        '(' | '[' | '{' => depth += 1,
                        ')' | ']' | '}' => depth -= 1,
                        ',' if depth == 1 => {
                            args.push(std::mem::take(&mut current));
                            prev = c;
                            continue;
                        }
                        _ => {}
                    }
                    if depth == 0 {
                        break;
                    }
                    if depth == 1 {
                        current.push(c);
                    }
                    prev = c;
                }
                args.push(current);
                let names: Vec<String> = args
                    .iter()
                    .filter_map(|a| a.split_once('=').map(|(n, _)| n.trim().to_string()))
                    .filter(|n| !n.is_empty())
                    .collect();
                out.push((path.display().to_string(), key, names));
            }
        }
    }
    out
}

#[test]
fn every_message_fills_exactly_its_placeholders() {
    let calls = msg_calls();
    assert!(calls.len() > 90, "only {} msg! calls found", calls.len());
    let en = i18n::texts(Lang::En);
    let mut wrong = Vec::new();
    for (file, key, names) in calls {
        let Some(text) = en.get(&key) else {
            wrong.push(format!("{file}: {key} is not in the catalogue"));
            continue;
        };
        let mut want: Vec<String> = i18n::placeholders(text)
            .into_iter()
            .map(str::to_string)
            .collect();
        want.sort();
        want.dedup();
        let mut got = names.clone();
        got.sort();
        if want != got {
            wrong.push(format!("{file}: {key} takes {want:?}, given {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
