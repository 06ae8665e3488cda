//! The real binary at 80x24 in a pseudo-terminal: the help scrolls to the
//! commands below the fold and searches; the desk shows the stages with
//! overdue work and never selects a row it does not show; a status line cut
//! with `…` is whole in the message log.

use std::time::Duration;

#[path = "support/pty.rs"]
mod support;

/// Generous: a debug build on a loaded 2-core machine.
const WAIT: Duration = Duration::from_secs(30);

struct Demo {
    dir: tempfile::TempDir,
    db: String,
}

fn demo() -> Demo {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("e2e.db");
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_kezek"))
        .args([
            "--db",
            &db.to_string_lossy(),
            "demo",
            "--no-open",
            "--cases",
            "60",
        ])
        .env("KEZEK_USER", "akhmetova")
        .env("KEZEK_CONFIG_DIR", dir.path())
        .output()
        .expect("demo");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    Demo {
        db: db.to_string_lossy().to_string(),
        dir,
    }
}

fn console(d: &Demo, user: &str) -> support::Pty {
    let config = d.dir.path().to_string_lossy().to_string();
    support::Pty::spawn(
        env!("CARGO_BIN_EXE_kezek"),
        &["--db", &d.db, "--lang", "en"],
        &[
            ("KEZEK_USER", user),
            ("KEZEK_CONFIG_DIR", &config),
            ("NO_COLOR", "1"),
            ("KEZEK_NO_TICK", "1"),
        ],
        80,
        24,
    )
}

#[test]
fn help_scrolls_and_searches_at_80x24() {
    let d = demo();
    let mut s = console(&d, "ivanov");
    s.wait_for("overdue", WAIT);
    s.keys(b"?");
    s.wait_for("help · search", WAIT);
    // The commands are below the fold at first.
    assert!(!s.rows().iter().any(|r| r.contains(":theme")));
    s.keys(b"G");
    s.wait_for(":theme dark", WAIT);
    s.wait_for(":export csv|json", WAIT);
    s.keys(b"g");
    s.wait_for("open the case", WAIT);
    // Line by line and by page.
    s.keys(b"jjj");
    s.wait_until("the help one line down after three", WAIT, |rows| {
        !rows.iter().any(|r| r.contains("open the case"))
    });
    s.keys(b"\x1b[6~"); // PgDn
    s.wait_for(":assign LOGIN", WAIT);
    // `/` searches within the help.
    s.keys(b"g/export");
    s.wait_until("only the matching lines", WAIT, |rows| {
        rows.iter().any(|r| r.contains(":export csv|json"))
            && !rows.iter().any(|r| r.contains(":theme dark"))
    });
    // Esc clears the search (the help is whole again, from its top), a
    // second Esc closes it.
    s.keys(b"\x1b");
    s.wait_for("open the case", WAIT);
    s.keys(b"\x1b");
    s.wait_until("the help closed", WAIT, |rows| {
        !rows.iter().any(|r| r.contains("help · search"))
    });
    s.keys(b"q");
    assert!(s.exit(Duration::from_secs(20)).success());
}

#[test]
fn the_desk_at_80x24_shows_late_stages_and_selects_only_what_it_shows() {
    let d = demo();
    let mut s = console(&d, "akhmetova");
    s.wait_for("overdue", WAIT);
    s.keys(b"D");
    s.wait_for("AWAITING APPROVAL", WAIT);
    s.wait_for("STAGE (overdue", WAIT);
    // Almaty dd.mm.yyyy, not ISO.
    assert!(
        !s.rows()
            .iter()
            .any(|r| r.contains("T0") || r.contains("-11-"))
    );
    for keys in [&b"G"[..], b"g", b"G", b"k", b"jjjjjjjjjj"] {
        s.keys(keys);
        std::thread::sleep(Duration::from_millis(150));
        s.wait_until("one selected row on screen", WAIT, |_| true);
        let on = s.reversed_rows();
        assert_eq!(on.len(), 1, "after {keys:?}: {}", s.rows().join("\n"));
        assert!((1..22).contains(&on[0]), "{on:?}");
    }
    // Enter opens the case of the selected row, the one on screen.
    let row = s.reversed_rows()[0];
    let number = s.rows()[usize::from(row)]
        .split_whitespace()
        .next()
        .expect("a case number")
        .to_string();
    s.keys(b"\r");
    s.wait_until("the selected case", WAIT, |rows| {
        rows.first().is_some_and(|r| r.contains(&number))
            && rows.iter().any(|r| r.contains("1:sum"))
    });
    s.keys(b"\x1b");
    s.wait_for("overdue", WAIT);
    s.keys(b"q");
    assert!(s.exit(Duration::from_secs(20)).success());
}

#[test]
fn a_status_line_cut_at_80_columns_is_whole_in_the_message_log() {
    let d = demo();
    // An accepted case and its check with the longest title.
    let store = kezek::store::Store::open(
        std::path::Path::new(&d.db),
        kezek::domain::calendar::Calendar::built_in().expect("calendar"),
        kezek::domain::procedure::Rules::built_in().expect("rules"),
    )
    .expect("store");
    let (number, at, title) = store
        .queue(&Default::default())
        .expect("queue")
        .into_iter()
        .filter(|r| r.status == kezek::domain::case::Status::Accepted)
        .find_map(|r| {
            let c = store.case(&r.number).ok()?.case;
            let v = store.rules.version(&c.procedure, &c.version)?;
            let (i, k) = v
                .checks
                .iter()
                .enumerate()
                .filter(|(_, k)| k.applies_to(c.purpose.as_deref()))
                .max_by_key(|(_, k)| k.title.get(kezek::i18n::Lang::En).len())?;
            let title = k.title.get(kezek::i18n::Lang::En).to_string();
            (title.len() > 80).then_some((r.number, i, title))
        })
        .expect("a check whose title no 80 columns hold");
    drop(store);
    let mut s = console(&d, "ivanov");
    s.wait_for("overdue", WAIT);
    s.keys(format!(":open {number}\r").as_bytes());
    s.wait_for("1:sum", WAIT);
    s.keys(b"4");
    s.wait_for("pass/fail", WAIT);
    s.keys("j".repeat(at).as_bytes());
    s.keys(b"p");
    // The status line (second from the bottom) ends in the mark of a cut.
    s.wait_until("a cut status line", WAIT, |rows| {
        rows.len() >= 2 && {
            let l = rows[rows.len() - 2].trim_end();
            l.starts_with("check ") && l.ends_with('…')
        }
    });
    s.keys(b"M");
    s.wait_for("messages of this session", WAIT);
    let rows = s.rows();
    let text: String = rows
        .iter()
        .map(|r| r.trim_matches(|c: char| c == '│' || c.is_whitespace()))
        .collect::<Vec<_>>()
        .join(" ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains(&format!("check {title}: passed")),
        "{}",
        rows.join("\n")
    );
    s.keys(b"\x1b");
    s.wait_until("the log closed", WAIT, |rows| {
        !rows.iter().any(|r| r.contains("messages of this session"))
    });
    s.keys(b"\x1b");
    s.wait_for("overdue", WAIT);
    s.keys(b"q");
    assert!(s.exit(Duration::from_secs(20)).success());
}
