//! The message catalogue guards itself: every key exists in kk, ru and en
//! with the same placeholders, and every key is used by the program.

use std::collections::BTreeSet;

use kezek::domain::rules_error::Source;
use kezek::i18n::{self, FILES, Lang};

fn source_keys() -> BTreeSet<String> {
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
                // Notices and the report name template placeholders, not
                // catalogue keys; their words live in templates/.
                if !path.ends_with("notice") {
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
                assert!(
                    !v.chars().any(|c| c.is_ascii_alphabetic()) || v.contains(':'),
                    "{lang:?} {k} is still English: {v}"
                );
            }
        }
    }
}

#[test]
fn every_key_is_used_and_every_used_key_exists() {
    let used = source_keys();
    let en = i18n::texts(Lang::En);
    let unused: Vec<&String> = en.keys().filter(|k| !used.contains(*k)).collect();
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
