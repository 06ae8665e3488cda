//! The red team: what a colleague with a shell on the same server tries.
//! Planted files and symlinks at the names kezek writes, lock holders while
//! others read, signals in the middle of an export, a mistyped --db.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn cmd(db: &Path, user: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kezek"));
    c.arg("--db")
        .arg(db)
        .env("KEZEK_USER", user)
        .env("KEZEK_CONFIG_DIR", db.with_extension("config"))
        .env("LC_ALL", "en_US.UTF-8")
        .stdin(Stdio::null());
    c
}

fn run(db: &Path, user: &str, args: &[&str]) -> Output {
    cmd(db, user).args(args).output().expect("run kezek")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

fn run_ok(db: &Path, user: &str, args: &[&str]) -> String {
    let o = run(db, user, args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
    text(&o.stdout)
}

fn demo(cases: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("k.db");
    run_ok(
        &db,
        "boss",
        &[
            "demo",
            "--cases",
            &cases.to_string(),
            "--no-open",
            "--now",
            "2026-11-20T10:00:00+05:00",
        ],
    );
    (dir, db)
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

/// Temporary output files kezek may have left.
fn leftovers(dir: &Path) -> Vec<String> {
    names_in(dir)
        .into_iter()
        .filter(|n| n.ends_with(".tmp") || n.ends_with(".partial") && !n.starts_with("planted"))
        .collect()
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("meta").permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn planted_files_and_symlinks_at_the_old_partial_names_are_neither_touched_nor_followed() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let (dir, db) = demo(30);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    // A colleague's trap: a world-writable file where the export used to be written…
    let planted = out.join("cases.partial");
    std::fs::write(&planted, "planted").expect("plant");
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    // …and a symlink to the supervisor's own file where the report used to be.
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").expect("victim");
    symlink(&victim, out.join("report.partial")).expect("symlink");

    let cases = out.join("cases.csv");
    let cs = cases.to_string_lossy().to_string();
    let o = run(&db, "boss", &["export", "--include-pii", "--out", &cs]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let report = out.join("report.html");
    let rs = report.to_string_lossy().to_string();
    let o = run(&db, "boss", &["report", "daily", "--out", &rs]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    assert_eq!(
        std::fs::read_to_string(&planted).expect("planted"),
        "planted"
    );
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious"
    );
    assert!(
        std::fs::symlink_metadata(out.join("report.partial"))
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&cases)
            .expect("csv")
            .starts_with("number,")
    );
    assert!(
        std::fs::read_to_string(&report)
            .expect("html")
            .contains("<html")
    );
    assert_eq!(mode(&cases), 0o600);
    assert_eq!(mode(&report), 0o600);
    assert_eq!(
        names_in(&out),
        vec![
            "cases.csv",
            "cases.partial",
            "report.html",
            "report.partial"
        ]
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_at_the_target_is_replaced_not_followed() {
    use std::os::unix::fs::symlink;
    let (dir, db) = demo(10);
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").expect("victim");
    let target = dir.path().join("cases.csv");
    symlink(&victim, &target).expect("symlink");
    let ts = target.to_string_lossy().to_string();
    run_ok(&db, "boss", &["export", "--out", &ts]);
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious"
    );
    assert!(
        !std::fs::symlink_metadata(&target)
            .expect("meta")
            .file_type()
            .is_symlink()
    );
}

#[test]
fn exports_of_the_same_name_at_once_never_share_a_file() {
    let (dir, db) = demo(60);
    let csv = dir.path().join("coll.csv");
    let json = dir.path().join("coll.json");
    let mut a = cmd(&db, "boss")
        .args(["export", "--format", "csv", "--out"])
        .arg(&csv)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut b = cmd(&db, "boss")
        .args(["export", "--format", "json", "--out"])
        .arg(&json)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    assert!(a.wait().expect("wait").success());
    assert!(b.wait().expect("wait").success());
    let c = std::fs::read_to_string(&csv).expect("csv");
    assert!(
        c.starts_with("number,") && !c.contains('{'),
        "csv: {}",
        &c[..80.min(c.len())]
    );
    let j = std::fs::read_to_string(&json).expect("json");
    let v: serde_json::Value = serde_json::from_str(&j).expect("the JSON export is whole JSON");
    assert_eq!(v.as_array().map(Vec::len), Some(60));
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}

/// Whether process `pid` has a file open in `dir` (the export it is writing;
/// an unnamed file shows as `dir/#123 (deleted)`).
#[cfg(target_os = "linux")]
fn writing_in(pid: u32, dir: &Path) -> bool {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten()
        .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|t| t.starts_with(dir)))
}

#[cfg(target_os = "linux")]
#[test]
fn an_export_killed_midway_by_sigterm_or_sigkill_leaves_no_file() {
    use nix::sys::signal::{Signal, kill};
    let (dir, db) = demo(2000);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let target = out.join("all.json");
    // Each signal must land in the middle at least once, or this proves nothing.
    let mut caught = [0u32; 2];
    for round in 0..24 {
        let which = round % 2;
        let signal = [Signal::SIGTERM, Signal::SIGKILL][which];
        let mut child = cmd(&db, "boss")
            .args(["export", "--format", "json", "--include-pii", "--out"])
            .arg(&target)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let started = Instant::now();
        let mut seen = false;
        while started.elapsed() < Duration::from_secs(20) {
            if writing_in(child.id(), &out) {
                seen = true;
                break;
            }
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        if seen {
            let _ = kill(nix::unistd::Pid::from_raw(child.id() as i32), signal);
        }
        let status = child.wait().expect("wait");
        if seen && !status.success() {
            caught[which] += 1;
        }
        assert!(
            leftovers(&out).is_empty(),
            "{signal:?} left: {:?}",
            leftovers(&out)
        );
        // Either no file, or (killed just after it was put in place) a whole one.
        if target.exists() {
            let whole: Result<serde_json::Value, _> =
                serde_json::from_slice(&std::fs::read(&target).expect("read"));
            assert!(
                whole.is_ok(),
                "{signal:?}: a killed export left half a file"
            );
        }
        let _ = std::fs::remove_file(&target);
        if caught.iter().all(|&c| c >= 3) {
            break;
        }
    }
    assert!(
        caught.iter().all(|&c| c > 0),
        "exports caught in the middle (SIGTERM, SIGKILL): {caught:?}"
    );
}

#[test]
fn a_mistyped_db_is_an_error_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("no-such.db");
    for args in [
        vec!["audit", "verify"],
        vec!["queue"],
        vec!["user", "list"],
        vec!["export"],
        vec!["report", "daily"],
    ] {
        let o = run(&db, "boss", &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            text(&o.stderr).contains("there is no database"),
            "{args:?}: {}",
            text(&o.stderr)
        );
        assert!(
            names_in(dir.path()).is_empty(),
            "{args:?} created {:?}",
            names_in(dir.path())
        );
    }
}

#[test]
fn opening_a_database_writes_nothing() {
    let (_dir, db) = demo(20);
    let before = std::fs::read(&db).expect("db");
    // The WAL is folded in by the last writer; read the file as it is after each reader.
    let wal = db.with_extension("db-wal");
    let wal_before = std::fs::read(&wal).unwrap_or_default();
    for args in [
        vec!["queue"],
        vec!["audit", "verify"],
        vec!["user", "list"],
        vec!["export"],
        vec!["report", "daily"],
    ] {
        run_ok(&db, "boss", &args);
    }
    assert!(
        std::fs::read(&db).expect("db") == before,
        "the database file changed"
    );
    assert!(
        std::fs::read(&wal).unwrap_or_default() == wal_before,
        "the WAL changed"
    );
}

#[test]
fn readers_answer_while_another_process_holds_the_write_lock() {
    let (_dir, db) = demo(40);
    // This test process is the writer: a write transaction, open, uncommitted.
    let holder = rusqlite::Connection::open(&db).expect("holder");
    holder.execute_batch("BEGIN IMMEDIATE").expect("begin");
    holder
        .execute("UPDATE users SET name = name || '' WHERE 0", [])
        .expect("write");
    for args in [
        vec!["queue"],
        vec!["audit", "verify"],
        vec!["export"],
        vec!["export", "--audit"],
        vec!["report", "daily"],
        vec!["user", "list"],
    ] {
        let started = Instant::now();
        let o = run(&db, "boss", &args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?} while locked: {}",
            text(&o.stderr)
        );
        // The busy timeout is 10 s: a reader that waited for the lock would show it.
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{args:?} waited {:?}",
            started.elapsed()
        );
    }
    // A writer, on the other hand, is told the database is busy (after the timeout).
    holder.execute_batch("ROLLBACK").expect("rollback");
}

// ---------------------------------------------------------------------------
// Hostile import files: generated, each must be refused with a located
// error (exit 2) and leave the database byte for byte as it was.

/// A valid record (every field kezek reads, a document and a family member).
fn base_record() -> serde_json::Value {
    serde_json::json!({
        "number": "RT-1",
        "procedure": "rvp",
        "received_at": "2026-11-20T17:45:00+05:00",
        "channel": "portal",
        "purpose": "domestic_work",
        "applicant_name": "Рахимов Фаррух",
        "applicant_key": "401234567",
        "applicant_iin": "900102215738",
        "applicant_birth_date": "1990-01-02",
        "citizenship": "TJK",
        "host_name": "Жумабекова Гульмира Ерлановна",
        "host_id": "750707268190",
        "entry_date": "2026-11-01",
        "documents": [
            {"kind": "application_form", "number": "AF-2"},
            {"kind": "passport", "number": "401234567", "valid_until": "2029-01-15"},
            {"kind": "employment_contract", "number": "ESUTD-99102", "valid_until": "2027-05-31"}
        ],
        "family": [{"name": "Рахимова Зарина", "key": "401234568", "iin": "120505230362", "birth_date": "2012-05-05"}]
    })
}

const TEXT_FIELDS: &[&str] = &[
    "number",
    "procedure",
    "received_at",
    "channel",
    "purpose",
    "applicant_name",
    "applicant_key",
    "applicant_iin",
    "applicant_birth_date",
    "citizenship",
    "host_name",
    "host_id",
    "entry_date",
];

const CSV_HEADER: &str = "number,procedure,received_at,channel,purpose,applicant_name,applicant_key,applicant_iin,applicant_birth_date,citizenship,host_name,host_id,entry_date,documents,family";
const CSV_ROW: &str = "RT-2,rvp,2026-11-20 11:15,office,work,Karimov Jasur,FA1234567,850312173025,1985-03-12,UZB,ТОО «Алатау Строй»,180640945806,2026-10-02,application_form:AF-1;passport:FA1234567:2030-04-01;employment_contract:ESUTD-77821:2027-10-01,Karimova Dilnoza:FA7654321::1990-01-01";

/// One hostile file: its name, bytes, and a text its error must contain.
struct Hostile {
    name: String,
    bytes: Vec<u8>,
    expect: String,
}

fn json_file(name: &str, records: &serde_json::Value, expect: &str) -> Hostile {
    Hostile {
        name: format!("{name}.json"),
        bytes: serde_json::to_vec_pretty(records).expect("json"),
        expect: expect.to_string(),
    }
}

fn with(field: &str, v: serde_json::Value) -> serde_json::Value {
    let mut r = base_record();
    r[field] = v;
    serde_json::json!([r])
}

fn hostile_files() -> Vec<Hostile> {
    use serde_json::json;
    let mut out = Vec::new();
    // Duplicate keys: the second value valid, invalid, or the same.
    let base_text = serde_json::to_string_pretty(&json!([base_record()])).expect("json");
    for f in TEXT_FIELDS {
        let value = base_record()[f].clone();
        for (k, second) in [("same", value.clone()), ("other", json!("ZZZ-9"))] {
            let needle = format!("\"{f}\": ");
            let dup = format!("\"{f}\": {second},\n    {needle}");
            let text = base_text.replacen(&needle, &dup, 1);
            out.push(Hostile {
                name: format!("dup-key-{f}-{k}.json"),
                bytes: text.into_bytes(),
                expect: format!("field {f}: the key appears twice"),
            });
        }
    }
    for nested in ["\"kind\": ", "\"name\": "] {
        let dup = format!("{nested}\"x\", {nested}");
        out.push(Hostile {
            name: format!(
                "dup-nested-{}.json",
                nested.trim_matches(|c| c == '"' || c == ':' || c == ' ')
            ),
            bytes: base_text.replacen(nested, &dup, 1).into_bytes(),
            expect: "appears twice".into(),
        });
    }
    // Wrong JSON types for every text field.
    let wrong = [
        ("object", json!({"a": 1})),
        ("array", json!(["x"])),
        ("number", json!(1.2345678901234568e29)),
        ("integer", json!(42)),
        ("boolean", json!(true)),
    ];
    for f in TEXT_FIELDS {
        for (kind, v) in &wrong {
            let found = if *kind == "integer" { "number" } else { kind };
            out.push(json_file(
                &format!("type-{f}-{kind}"),
                &with(f, v.clone()),
                &format!("field {f}: expected text (a JSON string), found a {found}"),
            ));
        }
    }
    // documents/family of the wrong shape, unknown keys and wrong types inside.
    for f in ["documents", "family"] {
        out.push(json_file(
            &format!("shape-{f}-object"),
            &with(f, json!({"a": 1})),
            &format!("field {f}: expected an array"),
        ));
        out.push(json_file(
            &format!("shape-{f}-string"),
            &with(f, json!("x")),
            &format!("field {f}: expected an array"),
        ));
        out.push(json_file(
            &format!("shape-{f}-item"),
            &with(f, json!(["x"])),
            &format!("field {f}[1]: expected an object"),
        ));
    }
    for (f, item) in [
        ("documents", json!({"kind": "passport", "number": "N1"})),
        ("family", json!({"name": "Али", "key": "K2"})),
    ] {
        for extra in ["valid_from", "iin_", "Kind", "note", "birth"] {
            let mut it = item.clone();
            it[extra] = json!("x");
            out.push(json_file(
                &format!("nested-unknown-{f}-{extra}"),
                &with(f, json!([it])),
                &format!("field {f}[1].{extra}: unknown field"),
            ));
        }
        let keys: Vec<String> = item.as_object().expect("obj").keys().cloned().collect();
        for k in keys {
            for (kind, v) in &wrong {
                let mut it = item.clone();
                it[&k] = v.clone();
                let found = if *kind == "integer" { "number" } else { kind };
                out.push(json_file(
                    &format!("nested-type-{f}-{k}-{kind}"),
                    &with(f, json!([it])),
                    &format!("field {f}[1].{k}: expected text (a JSON string), found a {found}"),
                ));
            }
        }
    }
    // Orphaned fields.
    let mut r = base_record();
    r.as_object_mut().expect("obj").remove("host_id");
    out.push(json_file(
        "orphan-host-name",
        &json!([r]),
        "field host_name: given without host_id",
    ));
    // Dates out of any sane range.
    for (f, d) in [
        ("entry_date", "9999-12-31"),
        ("entry_date", "0000-01-01"),
        ("entry_date", "1900-01-01"),
        ("entry_date", "2100-01-01"),
        ("entry_date", "2028-01-01"),
        ("applicant_birth_date", "1899-12-31"),
        ("applicant_birth_date", "0001-01-01"),
        ("applicant_birth_date", "2026-11-21"),
        ("applicant_birth_date", "9999-12-31"),
    ] {
        out.push(json_file(
            &format!("date-{f}-{d}"),
            &with(f, json!(d)),
            &format!("field {f}: '{d}' is outside"),
        ));
    }
    for d in ["9999-12-31", "0001-01-01", "1950-01-01", "2099-01-01"] {
        let docs = json!([{"kind": "passport", "number": "N", "valid_until": d}]);
        out.push(json_file(
            &format!("date-document-{d}"),
            &with("documents", docs),
            &format!("field documents[1]: '{d}' is outside"),
        ));
    }
    for d in ["1850-06-01", "2027-01-01", "9999-01-01"] {
        let fam = json!([{"name": "Али", "key": "K2", "birth_date": d}]);
        out.push(json_file(
            &format!("date-family-{d}"),
            &with("family", fam),
            &format!("field family[1]: '{d}' is outside"),
        ));
    }
    // Names that name no one, and characters that change how text reads.
    for (i, name) in [
        "\u{200b}",
        "\u{200b}\u{200d}",
        "\u{2060}\u{feff}",
        "---",
        "123",
        "\u{200b} \u{200c}",
    ]
    .iter()
    .enumerate()
    {
        out.push(json_file(
            &format!("no-letter-applicant-{i}"),
            &with("applicant_name", json!(name)),
            "field applicant_name:",
        ));
        out.push(json_file(
            &format!("no-letter-host-{i}"),
            &with("host_name", json!(name)),
            "field host_name:",
        ));
        let fam = json!([{"name": name, "key": "K2"}]);
        out.push(json_file(
            &format!("no-letter-family-{i}"),
            &with("family", fam),
            "field family[1]:",
        ));
    }
    for (i, c) in [
        '\u{9b}', '\u{85}', '\u{202e}', '\u{2066}', '\u{200f}', '\u{61c}', '\u{2028}', '\u{2029}',
        '\u{1b}', '\u{7f}',
    ]
    .iter()
    .enumerate()
    {
        let name = format!("Али{c}ев");
        for f in ["applicant_name", "host_name", "applicant_key"] {
            out.push(json_file(
                &format!("unsafe-{f}-{i}"),
                &with(f, json!(name)),
                &format!("field {f}:"),
            ));
        }
    }
    // Case numbers that differ only in letter case.
    let mut a = base_record();
    let mut b = base_record();
    a["number"] = json!("RT-CASE-a");
    b["number"] = json!("RT-CASE-A");
    out.push(json_file(
        "case-twin-in-file",
        &json!([a, b]),
        "differs only in letter case",
    ));
    // JSON cut short anywhere.
    let whole = serde_json::to_vec_pretty(&json!([base_record(), base_record()])).expect("json");
    for i in 1..=25 {
        let at = whole.len() * i / 26;
        out.push(Hostile {
            name: format!("cut-json-{at}.json"),
            bytes: whole[..at].to_vec(),
            expect: "line ".into(),
        });
    }
    // CSV: every column twice, cut short, errors on the right line with CRLF.
    for (i, col) in CSV_HEADER.split(',').enumerate() {
        let header = format!("{CSV_HEADER},{col}");
        let row = format!("{CSV_ROW},{}", CSV_ROW.split(',').nth(i).unwrap_or(""));
        out.push(Hostile {
            name: format!("dup-column-{col}.csv"),
            bytes: format!("{header}\n{row}\n").into_bytes(),
            expect: format!("line 1, field {col}: the column appears twice"),
        });
    }
    let good = format!(
        "{CSV_HEADER}\n{CSV_ROW}\n{}\n",
        CSV_ROW.replace("RT-2", "RT-3")
    );
    let first_row_end = CSV_HEADER.len() + 1 + CSV_ROW.len();
    for i in 1..=20 {
        let at = CSV_HEADER.len() + 1 + (good.len() - CSV_HEADER.len() - 2) * i / 21;
        if good.as_bytes()[at - 1] == b'\n' || at == first_row_end + 1 {
            continue;
        }
        let cut = good.as_bytes()[..at].to_vec();
        out.push(Hostile {
            name: format!("cut-csv-{at}.csv"),
            bytes: cut,
            expect: "line ".into(),
        });
    }
    for bad_line in 2..=6usize {
        let mut lines = vec![CSV_HEADER.to_string()];
        for n in 2..=6usize {
            let row = CSV_ROW.replace("RT-2", &format!("RT-L{n}"));
            lines.push(if n == bad_line {
                row.replace("UZB", "U2B")
            } else {
                row
            });
        }
        out.push(Hostile {
            name: format!("crlf-line-{bad_line}.csv"),
            bytes: (lines.join("\r\n") + "\r\n").into_bytes(),
            expect: format!("line {bad_line}, field citizenship"),
        });
    }
    // UTF-16, with and without a byte-order mark, both byte orders.
    let text = format!("{CSV_HEADER}\n{CSV_ROW}\n");
    let units: Vec<u16> = text.encode_utf16().collect();
    for (name, bom, le) in [
        ("le", false, true),
        ("be", false, false),
        ("le-bom", true, true),
        ("be-bom", true, false),
    ] {
        let mut bytes = Vec::new();
        if bom {
            bytes.extend(if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
        }
        for u in &units {
            bytes.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out.push(Hostile {
            name: format!("utf16-{name}.csv"),
            bytes,
            expect: "UTF-16".into(),
        });
    }
    out
}

fn db_bytes(db: &Path) -> (Vec<u8>, Vec<u8>) {
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    (
        std::fs::read(db).expect("db"),
        std::fs::read(wal).unwrap_or_default(),
    )
}

#[test]
fn hostile_import_files_are_refused_with_a_located_error_and_change_nothing() {
    let (dir, db) = demo(5);
    // The base records are valid: in a copy of the database they import.
    let copy = dir.path().join("copy.db");
    std::fs::copy(&db, &copy).expect("copy");
    let base = dir.path().join("base.json");
    std::fs::write(
        &base,
        serde_json::to_vec(&serde_json::json!([base_record()])).expect("json"),
    )
    .expect("write");
    run_ok(&copy, "boss", &["import", base.to_str().expect("path")]);
    let base_csv = dir.path().join("base.csv");
    std::fs::write(&base_csv, format!("{CSV_HEADER}\r\n{CSV_ROW}\r\n")).expect("write");
    run_ok(&copy, "boss", &["import", base_csv.to_str().expect("path")]);
    // A case already in the database, and its number in other letter case.
    let twin = dir.path().join("twin.json");
    let mut r = base_record();
    r["number"] = serde_json::json!("rt-1");
    std::fs::write(
        &twin,
        serde_json::to_vec(&serde_json::json!([r])).expect("json"),
    )
    .expect("write");
    let o = run(&copy, "boss", &["import", twin.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains(
            "record 1, field number: 'rt-1' differs only in letter case from case 'RT-1'"
        ),
        "{}",
        text(&o.stderr)
    );

    run_ok(&db, "boss", &["queue"]);
    let before = db_bytes(&db);
    let files = hostile_files();
    let hostile = dir.path().join("hostile");
    std::fs::create_dir(&hostile).expect("mkdir");
    let mut refused = 0;
    for h in &files {
        let path = hostile.join(&h.name);
        std::fs::write(&path, &h.bytes).expect("write");
        let o = run(&db, "boss", &["import", path.to_str().expect("path")]);
        let e = text(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{}: exit {:?}\n{e}",
            h.name,
            o.status.code()
        );
        assert!(
            e.contains("record ") || e.contains("line ") || e.contains(": file: "),
            "{}: no place in\n{e}",
            h.name
        );
        assert!(
            e.contains(&h.expect),
            "{}: «{}» not in\n{e}",
            h.name,
            h.expect
        );
        assert!(db_bytes(&db) == before, "{} changed the database", h.name);
        refused += 1;
    }
    assert!(refused >= 250, "only {refused} hostile files");
    eprintln!("red team: {refused} hostile import files refused, database unchanged");
}

// ---------------------------------------------------------------------------
// Stored values: what a direct edit (or an older kezek) leaves behind.

fn first_queue_numbers(db: &Path, n: usize) -> Vec<String> {
    let c = rusqlite::Connection::open(db).expect("raw");
    let mut stmt = c
        .prepare("SELECT number FROM cases WHERE queue_due IS NOT NULL ORDER BY number LIMIT ?1")
        .expect("prepare");
    stmt.query_map([n as i64], |r| r.get(0))
        .expect("query")
        .collect::<Result<Vec<String>, _>>()
        .expect("numbers")
}

#[test]
fn a_value_kezek_cannot_read_never_hides_the_rest_of_the_queue() {
    let (_dir, db) = demo(30);
    let before: serde_json::Value =
        serde_json::from_str(&run_ok(&db, "boss", &["queue", "--format", "json"])).expect("json");
    let total = before.as_array().map(Vec::len).expect("array");
    let bad = first_queue_numbers(&db, 3);
    let c = rusqlite::Connection::open(&db).expect("raw");
    c.execute(
        "UPDATE cases SET next_due = '+10000-12-31T00:00:00Z' WHERE number = ?1",
        [&bad[0]],
    )
    .expect("edit");
    c.execute(
        "UPDATE cases SET status = 'bogus' WHERE number = ?1",
        [&bad[1]],
    )
    .expect("edit");
    c.execute(
        "UPDATE cases SET received_at = 17 WHERE number = ?1",
        [&bad[2]],
    )
    .expect("edit");
    drop(c);
    let after: serde_json::Value =
        serde_json::from_str(&run_ok(&db, "boss", &["queue", "--format", "json"])).expect("json");
    let rows = after.as_array().expect("array");
    assert_eq!(rows.len(), total, "every case is still in the queue");
    for n in &bad {
        let row = rows
            .iter()
            .find(|r| r["number"] == serde_json::json!(n))
            .unwrap_or_else(|| panic!("{n} missing"));
        assert!(row["unreadable"].is_string(), "{n}: {row}");
    }
    let table = run_ok(&db, "boss", &["--lang", "en", "queue"]);
    assert_eq!(table.matches("unreadable").count(), 3, "{table}");
}

#[test]
fn json_outputs_escape_c1_direction_controls_and_line_separators() {
    let (_dir, db) = demo(5);
    let number = first_queue_numbers(&db, 1).remove(0);
    let nasty = "A\u{9b}31mB\u{202e}C\u{2028}D\u{200f}E\u{85}F";
    let c = rusqlite::Connection::open(&db).expect("raw");
    c.execute("UPDATE users SET name = ?1 WHERE login = 'boss'", [nasty])
        .expect("edit");
    c.execute(
        "UPDATE audit SET actor = ?1 WHERE seq = (SELECT max(seq) FROM audit WHERE case_number = ?2)",
        [nasty, &number],
    )
    .expect("edit");
    c.execute(
        "UPDATE persons SET name = ?1 WHERE case_number = ?2 AND ord = 0",
        [nasty, &number],
    )
    .expect("edit");
    drop(c);
    for args in [
        vec!["user", "list", "--format", "json"],
        vec!["audit", "show", &number, "--format", "json"],
        vec!["export", "--audit"],
        vec!["export", "--format", "json"],
        vec!["queue", "--format", "json"],
        vec!["report", "daily", "--format", "json"],
    ] {
        let out = run_ok(&db, "boss", &args);
        let raw: Vec<char> = out
            .chars()
            .filter(|&c| {
                c != '\n'
                    && (c.is_control()
                        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}' | '\u{2028}' | '\u{2029}'))
            })
            .collect();
        assert!(raw.is_empty(), "{args:?} printed raw {raw:?}");
    }
    let users: serde_json::Value =
        serde_json::from_str(&run_ok(&db, "boss", &["user", "list", "--format", "json"]))
            .expect("json");
    assert!(
        users
            .as_array()
            .expect("array")
            .iter()
            .any(|u| u["name"] == serde_json::json!(nasty)),
        "the escapes decode to the stored text"
    );
}

#[test]
fn user_names_must_show_a_letter_and_carry_no_direction_controls() {
    let (_dir, db) = demo(1);
    for name in [
        "\u{200b}",
        "\u{200b}\u{200d}\u{2060}",
        "  ",
        "Ali\u{202e}ev",
        "Ali\u{2028}ev",
        "Ali\u{9b}ev",
        "123",
    ] {
        let o = run(
            &db,
            "boss",
            &["user", "add", "eve", "--role", "inspector", "--name", name],
        );
        assert_eq!(o.status.code(), Some(2), "{name:?} accepted");
    }
    run_ok(
        &db,
        "boss",
        &["user", "add", "eve", "--role", "inspector", "--name", "Ева"],
    );
}

// ---------------------------------------------------------------------------
// The tamper matrix: edits made with sqlite3 instead of kezek. Each runs on
// its own copy of one demo database; `audit verify` must exit 1 and name a
// row. The last ones are made by someone who holds the audit key: only an
// anchor kept outside the database catches them.

/// A copy of the database (and its audit key) under a new name.
fn copy_db(db: &Path, name: &str) -> PathBuf {
    let c = rusqlite::Connection::open(db).expect("raw");
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    drop(c);
    let to = db.with_file_name(name);
    std::fs::copy(db, &to).expect("copy");
    let key = |p: &Path| PathBuf::from(format!("{}.audit-key", p.display()));
    std::fs::copy(key(db), key(&to)).expect("copy key");
    to
}

fn sql(db: &Path, statements: &str) {
    let c = rusqlite::Connection::open(db).expect("raw");
    c.execute_batch(statements).expect("tamper");
}

fn verify(db: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["audit", "verify"];
    args.extend_from_slice(extra);
    run(db, "boss", &args)
}

/// An audit row as the attacker reads it.
type AuditRow = (
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

/// Recompute every row's hash from `from` on, as an attacker who knows the
/// algorithm would, with `key` (the key holder) or without one.
fn recompute_chain(db: &Path, key: Option<&[u8]>) {
    use kezek::store::audit::{GENESIS, mac_hex, row_input};
    let c = rusqlite::Connection::open(db).expect("raw");
    let rows: Vec<AuditRow> = {
        let mut stmt = c
            .prepare(
                "SELECT seq, at, actor, case_number, action, before, after FROM audit ORDER BY seq",
            )
            .expect("prepare");
        stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
    };
    let mut prev = GENESIS.to_string();
    for (seq, at, actor, case, action, before, after) in rows {
        let input = row_input(
            seq,
            &at,
            &actor,
            case.as_deref(),
            &action,
            before.as_deref(),
            after.as_deref(),
            &prev,
        );
        let hash = mac_hex(key, &input);
        c.execute(
            "UPDATE audit SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            rusqlite::params![prev, hash, seq],
        )
        .expect("rewrite");
        prev = hash;
    }
    c.execute(
        "UPDATE audit_head SET seq = (SELECT max(seq) FROM audit), hash = ?1",
        [&prev],
    )
    .expect("head");
}

fn read_key(db: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(format!("{}.audit-key", db.display())).expect("key");
    let t = text.trim();
    (0..t.len() / 2)
        .map(|i| u8::from_str_radix(&t[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn the_tamper_matrix_is_caught_by_audit_verify() {
    let (_dir, db) = demo(80);
    let o = verify(&db, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert!(
        !text(&o.stderr).contains("not keyed"),
        "a new database is keyed"
    );
    let tampers: Vec<(&str, String)> = vec![
        ("role", "UPDATE users SET role = 'supervisor' WHERE role = 'inspector'".into()),
        ("user name", "UPDATE users SET name = 'Eve' WHERE login = (SELECT min(login) FROM users)".into()),
        ("user inserted", "INSERT INTO users (login, name, role, created_at, created_by) VALUES ('eve', 'Eve', 'supervisor', '2026-01-01T00:00:00Z', 'boss')".into()),
        ("user deleted", "DELETE FROM users WHERE login NOT IN (SELECT assignee FROM cases WHERE assignee IS NOT NULL) AND login NOT IN (SELECT by_login FROM decisions) AND login NOT IN (SELECT by_login FROM check_results) AND login NOT IN (SELECT by_login FROM notes) AND login <> 'boss'".into()),
        ("approval", "UPDATE decisions SET approval = 'approved', approval_by = 'boss', approval_at = '2026-11-20T05:00:00Z' WHERE approval = 'pending'".into()),
        ("applicant renamed", "UPDATE persons SET name = 'Someone Else' WHERE ord = 0 AND case_number = (SELECT min(number) FROM cases)".into()),
        ("case deleted", "DELETE FROM cases WHERE number = (SELECT max(number) FROM cases)".into()),
        ("case inserted", "INSERT INTO cases (number, procedure, version_id, channel, status, received_at, updated_at, updated_by) SELECT 'FAKE-1', procedure, version_id, channel, status, received_at, updated_at, updated_by FROM cases LIMIT 1".into()),
        ("check result", "UPDATE check_results SET outcome = CASE outcome WHEN 'passed' THEN 'failed' ELSE 'passed' END WHERE rowid = (SELECT min(rowid) FROM check_results)".into()),
        ("assignee", "UPDATE cases SET assignee = NULL WHERE assignee IS NOT NULL AND number = (SELECT min(number) FROM cases WHERE assignee IS NOT NULL)".into()),
        ("value type", "UPDATE cases SET received_at = 17 WHERE number = (SELECT min(number) FROM cases)".into()),
        ("audit row edited", "UPDATE audit SET actor = 'eve' WHERE seq = 5".into()),
        ("audit value type", "UPDATE audit SET at = 5 WHERE seq = 7".into()),
        ("audit row deleted", "DELETE FROM audit WHERE seq = 9".into()),
        ("last rows deleted, head copied", "DELETE FROM audit WHERE seq > (SELECT max(seq) - 3 FROM audit); UPDATE audit_head SET seq = (SELECT max(seq) FROM audit), hash = (SELECT hash FROM audit WHERE seq = (SELECT max(seq) FROM audit))".into()),
        ("log emptied", "DELETE FROM audit; DELETE FROM audit_head".into()),
        ("head removed", "DELETE FROM audit_head".into()),
    ];
    let mut caught = 0;
    for (i, (what, statements)) in tampers.iter().enumerate() {
        let copy = copy_db(&db, &format!("t{i}.db"));
        sql(&copy, statements);
        let o = verify(&copy, &[]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{what}: {}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
        assert!(
            text(&o.stdout).contains("broken at row"),
            "{what}: {}",
            text(&o.stdout)
        );
        caught += 1;
    }
    // Recomputed without the key after an edit: every hash is wrong.
    let copy = copy_db(&db, "nokey.db");
    sql(&copy, "UPDATE audit SET actor = 'eve' WHERE seq = 3");
    recompute_chain(&copy, None);
    let o = verify(&copy, &[]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "recomputed without the key: {}",
        text(&o.stdout)
    );
    caught += 1;
    // A case edited and its audit row forged to match, recomputed without the key.
    let copy = copy_db(&db, "forged.db");
    sql(
        &copy,
        "UPDATE users SET role = 'supervisor' WHERE role = 'inspector'; UPDATE audit SET after = replace(after, '\"inspector\"', '\"supervisor\"') WHERE action = 'user.add'",
    );
    recompute_chain(&copy, None);
    assert_eq!(
        verify(&copy, &[]).status.code(),
        Some(1),
        "forged without the key"
    );
    caught += 1;

    // The key holder: rows cut off and the chain recomputed with the key
    // pass the check; the anchor from an earlier daily report does not.
    let report: serde_json::Value = serde_json::from_str(&run_ok(
        &db,
        "boss",
        &["report", "daily", "--format", "json"],
    ))
    .expect("json");
    let anchor = report["audit_head"]
        .as_str()
        .expect("the report carries the chain head")
        .to_string();
    let saved = db.with_file_name("report.json");
    std::fs::write(&saved, report.to_string()).expect("save report");
    assert_eq!(verify(&db, &["--anchor", &anchor]).status.code(), Some(0));
    assert_eq!(
        verify(&db, &["--anchor", saved.to_str().expect("path")])
            .status
            .code(),
        Some(0)
    );
    let key = read_key(&db);
    let copy = copy_db(&db, "keyholder.db");
    sql(
        &copy,
        "DELETE FROM audit WHERE seq > (SELECT max(seq) - 2 FROM audit)",
    );
    recompute_chain(&copy, Some(&key));
    let o = verify(&copy, &[]);
    // Cutting rows off leaves cases disagreeing with their last row, unless
    // those rows touched nothing still present: either way the anchor decides.
    let o2 = verify(&copy, &["--anchor", &anchor]);
    assert_eq!(
        o2.status.code(),
        Some(1),
        "the anchor catches the key holder: {}",
        text(&o2.stdout)
    );
    let _ = o;
    caught += 1;
    let copy = copy_db(&db, "keyholder2.db");
    sql(&copy, "UPDATE audit SET actor = 'eve' WHERE seq = 4");
    recompute_chain(&copy, Some(&key));
    assert_eq!(
        verify(&copy, &[]).status.code(),
        Some(0),
        "with the key the chain can be rebuilt"
    );
    let o = verify(&copy, &["--anchor", &anchor]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "…but not to the anchored hash: {}",
        text(&o.stdout)
    );
    caught += 1;
    eprintln!("red team: tamper matrix {caught} tamperings caught");
}

#[path = "support/pty.rs"]
mod support;

#[test]
fn the_console_shows_the_queue_while_another_process_holds_the_write_lock() {
    let (dir, db) = demo(40);
    let holder = rusqlite::Connection::open(&db).expect("holder");
    holder.execute_batch("BEGIN IMMEDIATE").expect("begin");
    holder
        .execute("UPDATE users SET name = name || '' WHERE 0", [])
        .expect("write");
    let db_arg = db.to_string_lossy().to_string();
    let config = dir.path().join("k.config").to_string_lossy().to_string();
    let mut s = support::Pty::spawn(
        env!("CARGO_BIN_EXE_kezek"),
        &["--db", &db_arg, "--lang", "en"],
        &[
            ("KEZEK_USER", "boss"),
            ("KEZEK_CONFIG_DIR", &config),
            ("NO_COLOR", "1"),
        ],
        100,
        30,
    );
    // An open that needed the write lock would fail after the busy timeout
    // and never show the queue.
    s.wait_for("overdue", Duration::from_secs(30));
    s.keys(b"q");
    let status = s.exit(Duration::from_secs(20));
    assert!(status.success(), "exit status {status:?}");
    holder.execute_batch("ROLLBACK").expect("rollback");
}
