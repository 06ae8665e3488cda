//! The real binary in a pseudo-terminal, for what crosses the process:
//! settings kept per user across restarts, Tab on the command line,
//! `:open` by a short number, Ctrl-Z under a shell with job control and
//! `fg`, and the mouse's escapes (wheel, click, double click, a tab).

use std::time::Duration;

#[path = "support/pty.rs"]
mod support;
use support::Pty;

/// Generous: a debug build on a loaded 2-core machine.
const WAIT: Duration = Duration::from_secs(30);

#[path = "support/office_demo.rs"]
mod office_demo;
use office_demo::{Office, office, store};

fn env<'a>(o: &'a Office, user: &'a str) -> Vec<(&'a str, String)> {
    vec![
        ("KEZEK_USER", user.to_string()),
        ("KEZEK_CONFIG_DIR", o.config.to_string_lossy().to_string()),
        ("KEZEK_NO_TICK", "1".to_string()),
        ("NO_COLOR", "1".to_string()),
    ]
}

/// The console as `user`, English, no colours, the refresh tick off.
fn console(o: &Office, user: &str) -> Pty {
    let db = o.db.to_string_lossy().to_string();
    let env = env(o, user);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut s = Pty::spawn(
        env!("CARGO_BIN_EXE_kezek"),
        &["--db", &db, "--lang", "en"],
        &env,
        120,
        40,
    );
    s.wait_for("overdue", WAIT);
    s
}

fn header(s: &mut Pty) -> String {
    s.rows().first().cloned().unwrap_or_default()
}

fn status_line(rows: &[String]) -> String {
    rows.get(rows.len().saturating_sub(2))
        .cloned()
        .unwrap_or_default()
}

#[test]
fn an_inspector_opens_on_mine_and_settings_come_back_after_a_restart() {
    let o = office(200);
    let mut s = console(&o, "ivanov");
    s.wait_until("the view 'mine' in the header", WAIT, |rows| {
        rows[0].contains("[mine|urgency]")
    });
    // Unassigned, reversed, accepted only.
    s.keys(b"vS");
    s.wait_until("reversed", WAIT, |rows| rows[0].contains("reversed"));
    s.keys(b":filter status=accepted\r");
    s.wait_until("the filter in the header", WAIT, |rows| {
        rows[0].contains("unassigned/accepted")
    });
    s.keys(b":save-filter new-work\r");
    s.wait_until("saved", WAIT, |rows| status_line(rows).contains("new-work"));
    s.keys(b"q");
    assert!(s.exit(WAIT).success());

    let kept = store(&o.db).prefs("ivanov").expect("prefs");
    assert_eq!(kept.get("view").map(String::as_str), Some("unassigned"));
    assert_eq!(kept.get("reverse").map(String::as_str), Some("1"));
    assert_eq!(
        kept.get("saved-filter:new-work").map(String::as_str),
        Some("status=accepted")
    );
    // Another inspector still opens on "mine".
    assert!(store(&o.db).prefs("li").expect("prefs").is_empty());

    let mut s = console(&o, "ivanov");
    s.wait_until("the kept view, order and filter", WAIT, |rows| {
        rows[0].contains("unassigned/accepted") && rows[0].contains("reversed")
    });
    s.keys(b":filter\r");
    s.wait_until("cleared", WAIT, |rows| !rows[0].contains("accepted"));
    s.keys(b":filters new-work\r");
    s.wait_until("the saved filter back", WAIT, |rows| {
        rows[0].contains("unassigned/accepted")
    });
    s.keys(b"q");
    assert!(s.exit(WAIT).success());
    let mut li = console(&o, "li");
    let h = header(&mut li);
    assert!(h.contains("[mine|urgency]"), "{h}");
    li.keys(b"q");
    assert!(li.exit(WAIT).success());
}

#[test]
fn tab_completes_and_open_takes_a_short_number() {
    let o = office(200);
    let full = store(&o.db)
        .find_cases("rvp-3", 5)
        .expect("find")
        .pop()
        .expect("RVP 3 in the demo");
    let mut s = console(&o, "akhmetova");
    s.keys(b":op\t");
    s.wait_until("the command completed", WAIT, |rows| {
        status_line(rows).starts_with(":open ")
    });
    s.keys(b"rvp-0\t");
    s.wait_until("a number completed", WAIT, |rows| {
        status_line(rows).starts_with(":open 2026-RVP-0")
    });
    // Esc, then the short number itself.
    s.keys(b"\x1b");
    s.wait_until("the prompt closed", WAIT, |rows| {
        !status_line(rows).starts_with(':')
    });
    s.keys(b":open RVP3\r");
    s.wait_for("1:summary", WAIT);
    let h = header(&mut s);
    assert!(h.contains(&full), "{h}");
    // An ambiguous number names the candidates.
    s.keys(b":open 3\r");
    s.wait_until("the candidates", WAIT, |rows| {
        status_line(rows).contains("may be")
    });
    s.keys(b"\x03");
    assert!(s.exit(WAIT).success());
}

#[test]
fn ctrl_z_stops_under_a_shell_and_fg_brings_the_screen_back() {
    let o = office(60);
    let env = env(&o, "akhmetova");
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.push(("PS1", "shell$ "));
    let mut sh = Pty::spawn("bash", &["--norc", "--noprofile", "-i"], &env, 120, 40);
    sh.wait_for("shell$", WAIT);
    let line = format!(
        "'{}' --db '{}' --lang en\r",
        env!("CARGO_BIN_EXE_kezek"),
        o.db.display()
    );
    sh.keys(line.as_bytes());
    sh.wait_for("overdue", WAIT);
    sh.keys(b"\x1a");
    sh.wait_until("the shell's job report", WAIT, |rows| {
        rows.iter().any(|r| r.contains("Stopped")) && !rows.iter().any(|r| r.contains("overdue"))
    });
    sh.keys(b"fg\r");
    // Redrawn whole on SIGCONT, with the tick off: the redraw is the
    // console's own, and it answers keys again.
    sh.wait_for("overdue", WAIT);
    sh.keys(b"v");
    sh.wait_until("the next view", WAIT, |rows| rows[0].contains("[mine|"));
    sh.keys(b"q");
    sh.wait_until("back at the shell", WAIT, |rows| {
        !rows.iter().any(|r| r.contains("overdue"))
    });
    sh.keys(b"exit\r");
    let _ = sh.exit(WAIT);
}

/// An SGR mouse report: button, 0-based column and row, press or release.
fn mouse(button: u8, x: u16, y: u16, press: bool) -> Vec<u8> {
    format!(
        "\x1b[<{button};{};{}{}",
        x + 1,
        y + 1,
        if press { 'M' } else { 'm' }
    )
    .into_bytes()
}

#[test]
fn the_mouse_is_off_until_asked_then_scrolls_selects_and_opens() {
    let o = office(200);
    let mut s = console(&o, "akhmetova");
    let (out, _) = s.snapshot();
    let on = b"\x1b[?1000h";
    assert!(
        !out.windows(on.len()).any(|w| w == on),
        "no mouse reports by default: the terminal selects text"
    );
    s.keys(b":mouse on\r");
    s.wait_until("mouse on", WAIT, |rows| {
        status_line(rows).contains("mouse on")
    });
    let (out, _) = s.snapshot();
    assert!(
        out.windows(on.len()).any(|w| w == on),
        "mouse reports asked for"
    );
    // The wheel moves the selection three rows; Enter opens that row.
    let rows = s.rows();
    let number = |row: &str| row.split_whitespace().next().unwrap_or("").to_string();
    let fourth = number(&rows[2 + 3].replace("!!", ""));
    s.keys(&mouse(65, 10, 10, true));
    // The report whole before the next key (a loaded machine may split a
    // write; the parser then waits for the rest).
    std::thread::sleep(Duration::from_millis(300));
    s.keys(b"\r");
    s.wait_for("1:summary", WAIT);
    assert!(header(&mut s).contains(&fourth), "{fourth}");
    // A click on a tab shows that section.
    let tabs = s.rows()[1].clone();
    let col = tabs.find("4:").expect("the checklist tab") as u16;
    let mut click = mouse(0, col + 2, 1, true);
    click.extend(mouse(0, col + 2, 1, false));
    s.keys(&click);
    s.wait_until("the checklist", WAIT, |rows| {
        rows.last().is_some_and(|r| r.contains("pass/fail"))
    });
    // Back on the queue, a double click on the sixth row opens it.
    s.keys(b"\x1b");
    s.wait_for("overdue", WAIT);
    let rows = s.rows();
    let sixth = number(&rows[2 + 5].replace("!!", ""));
    let mut double = mouse(0, 30, 7, true);
    double.extend(mouse(0, 30, 7, false));
    double.extend(mouse(0, 30, 7, true));
    double.extend(mouse(0, 30, 7, false));
    s.keys(&double);
    s.wait_for("1:summary", WAIT);
    assert!(header(&mut s).contains(&sixth), "{sixth}");
    s.keys(b"\x03");
    assert!(s.exit(WAIT).success());
    // Kept: the next console asks for mouse reports at once.
    let mut s = console(&o, "akhmetova");
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let (out, _) = s.snapshot();
        if out.windows(on.len()).any(|w| w == on) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "mouse kept on");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        store(&o.db)
            .prefs("akhmetova")
            .expect("prefs")
            .get("mouse")
            .is_some_and(|v| v == "on")
    );
    s.keys(b"q");
    assert!(s.exit(WAIT).success());
}
