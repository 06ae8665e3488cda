//! Procedure rule files: validation errors name file, line and reason.

use kezek::domain::procedure::Rules;
use kezek::domain::rules_error::Source;

const GOOD: &str = r#"
id = "demo"
code = "DEMO"
name = { kk = "Демо", ru = "Демо", en = "Demo" }

[[version]]
id = "v1"
act = { kk = "Бұйрық", ru = "Приказ", en = "Order" }
source = "test"
effective_from = "2020-01-01"
effective_to = "2020-12-31"
applicant = "foreigner"
decided_by = "inspector"
approval = "none"
hearing = false
channels = ["office"]
service_term = { days = 3, unit = "working", from = "acceptance" }

[[version.stage]]
id = "one"
title = { kk = "Бір", ru = "Один", en = "One" }
term = { days = 1, unit = "working", from = "acceptance" }

[[version.stage]]
id = "two"
title = { kk = "Екі", ru = "Два", en = "Two" }
term = { days = 2, unit = "calendar", from = "previous" }

[[version.ground]]
id = "g"
title = { kk = "Н", ru = "О", en = "G" }
lifted_when = { kk = "Н", ru = "О", en = "L" }

[[version.check]]
id = "c"
title = { kk = "Т", ru = "П", en = "C" }
mode = "recorded"
ground = "g"
"#;

fn load(text: &str) -> Result<Rules, String> {
    Rules::from_sources(&[Source {
        name: "demo.toml",
        text,
    }])
    .map_err(|e| e.to_string())
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("'{needle}' not in the text"))
}

#[test]
fn a_good_file_loads_and_picks_versions_by_date() {
    let r = load(GOOD).expect("good file");
    let p = r.procedure("demo").expect("demo");
    assert_eq!(p.versions.len(), 1);
    let day = chrono::NaiveDate::from_ymd_opt(2020, 6, 1).expect("date");
    assert!(p.version_at(day).is_ok());
    let after = chrono::NaiveDate::from_ymd_opt(2021, 1, 1).expect("date");
    let err = p.version_at(after).unwrap_err().to_string();
    assert!(
        err.contains("no rule version of “demo” is in force on Fri 01.01.2021"),
        "{err}"
    );
    assert!(r.procedure("DEMO").is_ok(), "the code works too");
}

#[test]
fn unknown_stage_reference() {
    let text = GOOD.replace("from = \"previous\"", "from = \"stage:zero\"");
    let err = load(&text).unwrap_err();
    assert!(err.contains("unknown stage 'zero'"), "{err}");
    assert!(
        err.starts_with(&format!("demo.toml:{}:", line_of(&text, "stage:zero"))),
        "{err}"
    );
}

#[test]
fn negative_term() {
    let text = GOOD.replace(
        "days = 2, unit = \"calendar\"",
        "days = -2, unit = \"calendar\"",
    );
    let err = load(&text).unwrap_err();
    assert!(err.contains("negative term"), "{err}");
    assert!(
        err.starts_with(&format!("demo.toml:{}:", line_of(&text, "days = -2"))),
        "{err}"
    );
}

#[test]
fn missing_translation() {
    let text = GOOD.replace(
        "{ kk = \"Екі\", ru = \"Два\", en = \"Two\" }",
        "{ kk = \"\", ru = \"Два\", en = \"Two\" }",
    );
    let err = load(&text).unwrap_err();
    assert!(
        err.contains("missing translation (kk text is empty)"),
        "{err}"
    );
    let text = GOOD.replace(
        "{ kk = \"Екі\", ru = \"Два\", en = \"Two\" }",
        "{ ru = \"Два\", en = \"Two\" }",
    );
    let err = load(&text).unwrap_err();
    assert!(err.contains("kk"), "{err}");
}

#[test]
fn overlapping_versions() {
    let second = GOOD
        .split("[[version]]")
        .nth(1)
        .expect("version block")
        .replace("id = \"v1\"", "id = \"v2\"")
        .replace(
            "effective_from = \"2020-01-01\"",
            "effective_from = \"2020-12-31\"",
        )
        .replace("effective_to = \"2020-12-31\"\n", "");
    let text = format!("{GOOD}\n[[version]]{second}");
    let err = load(&text).unwrap_err();
    assert!(err.contains("overlaps version 'v1'"), "{err}");
    // Starting the day after the first ends is fine.
    let text = text.replace(
        "effective_from = \"2020-12-31\"",
        "effective_from = \"2021-01-01\"",
    );
    let r = load(&text).expect("adjacent versions");
    assert_eq!(r.procedure("demo").unwrap().versions.len(), 2);
}

#[test]
fn other_reference_errors() {
    let err = load(&GOOD.replace("ground = \"g\"", "ground = \"nope\"")).unwrap_err();
    assert!(err.contains("unknown ground 'nope'"), "{err}");
    let err = load(&GOOD.replace("mode = \"recorded\"", "mode = \"computed\"")).unwrap_err();
    assert!(err.contains("needs computed"), "{err}");
    let err = load(&GOOD.replace("unit = \"calendar\"", "unit = \"lunar\"")).unwrap_err();
    assert!(err.contains("'lunar'"), "{err}");
    let err = load(&GOOD.replace("hearing = false", "hearing = true")).unwrap_err();
    assert!(err.contains("hearing_notice"), "{err}");
    let err =
        load(&GOOD.replace("decided_by = \"inspector\"", "decided_by = \"auditor\"")).unwrap_err();
    assert!(err.contains("auditor cannot decide"), "{err}");
    let err = load(&format!("{GOOD}\n[version.parameters.nonsense]\nvalue = 1\nunit = \"count\"\nstatus = \"confirmed\"\ntitle = {{ kk = \"a\", ru = \"b\", en = \"c\" }}\n")).unwrap_err();
    assert!(err.contains("unknown parameter"), "{err}");
    let err = load(&GOOD.replace(
        "effective_to = \"2020-12-31\"",
        "effective_to = \"2019-12-31\"",
    ))
    .unwrap_err();
    assert!(err.contains("is before effective_from"), "{err}");
    let err =
        load(&GOOD.replace("source = \"test\"", "source = \"test\"\nsurprise = 1")).unwrap_err();
    assert!(err.contains("surprise"), "{err}");
}

#[test]
fn the_built_in_rules_load() {
    let r = Rules::built_in().expect("built-in rules");
    assert_eq!(r.procedures.len(), 5);
}

#[test]
fn each_built_in_file_loads_on_its_own() {
    let mut errors = Vec::new();
    for (name, text) in kezek::domain::procedure::BUILT_IN {
        if let Err(e) = Rules::from_sources(&[Source { name, text }]) {
            errors.push(e.to_string());
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
