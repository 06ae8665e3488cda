//! The real binary writes only what the terminal can show: no 256-colour
//! escapes to a VT100 or a plain xterm, no symbols beyond ASCII where the
//! terminal or the locale lacks them.

use std::time::Duration;

#[path = "support/pty.rs"]
mod support;

const WAIT: Duration = Duration::from_secs(30);

fn demo(dir: &std::path::Path) -> String {
    let db = dir.join("t.db");
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_kezek"))
        .args([
            "--db",
            &db.to_string_lossy(),
            "demo",
            "--no-open",
            "--cases",
            "40",
        ])
        .env("KEZEK_USER", "akhmetova")
        .env("KEZEK_CONFIG_DIR", dir)
        .output()
        .expect("demo");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    db.to_string_lossy().into_owned()
}

/// The console's bytes after its queue and the help screen were drawn.
fn session(term: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tmp");
    let db = demo(dir.path());
    let cfg = dir.path().to_string_lossy().into_owned();
    let mut env = vec![
        ("KEZEK_USER", "akhmetova"),
        ("KEZEK_CONFIG_DIR", cfg.as_str()),
        ("LANG", "C.UTF-8"),
        ("TERM", term),
    ];
    env.extend_from_slice(extra);
    let mut pty = support::Pty::spawn(env!("CARGO_BIN_EXE_kezek"), &["--db", &db], &env, 100, 30);
    pty.wait_for("2026-", WAIT);
    // The help screen draws the most kinds of text.
    pty.keys(b"?");
    pty.wait_until("help", WAIT, |rows: &[String]| {
        rows.iter().any(|r| r.contains(":open"))
    });
    pty.keys(b"\x1b");
    pty.keys(b"\x03");
    pty.exit(WAIT);
    pty.snapshot().0
}

/// Every SGR sequence's parameters.
fn sgr_params(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == 0x1b && bytes[i + 1] == b'[' {
            let start = i + 2;
            let mut j = start;
            while j < bytes.len() && !(0x40..=0x7e).contains(&bytes[j]) {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'm' {
                out.push(String::from_utf8_lossy(&bytes[start..j]).into_owned());
            }
            i = j;
        }
        i += 1;
    }
    out
}

#[test]
fn a_vt100_gets_no_colour_escapes_and_only_ascii_symbols() {
    let bytes = session("vt100", &[]);
    let sgr = sgr_params(&bytes);
    assert!(!sgr.is_empty(), "bold and reverse are still used");
    for p in &sgr {
        for part in p.split(';') {
            let n: u16 = part.parse().unwrap_or(0);
            // 38/48 (extended colour), 30–49 and 90–107 (colours): none of them.
            assert!(
                !(30..=49).contains(&n) && !(90..=107).contains(&n),
                "colour parameter {n} in ESC[{p}m sent to a VT100"
            );
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    let symbol = text
        .chars()
        .find(|c| matches!(u32::from(*c), 0x2010..=0x2BFF));
    assert_eq!(symbol, None, "a symbol a VT100 cannot show");
}

#[test]
fn a_plain_xterm_gets_sixteen_colours_not_the_256_palette() {
    let bytes = session("xterm", &[]);
    let sgr = sgr_params(&bytes);
    assert!(
        sgr.iter().any(|p| p
            .split(';')
            .any(|n| matches!(n.parse::<u16>(), Ok(30..=37 | 90..=97)))),
        "colours are used: {sgr:?}"
    );
    assert!(
        sgr.iter()
            .all(|p| !p.contains("38;5") && !p.contains("48;5") && !p.contains(";2;")),
        "256-colour or RGB escape sent to TERM=xterm: {sgr:?}"
    );
}

#[test]
fn no_color_wins_over_a_colour_terminal() {
    let bytes = session("xterm-256color", &[("NO_COLOR", "1")]);
    for p in sgr_params(&bytes) {
        assert!(
            !p.contains("38;") && !p.contains("48;"),
            "colour under NO_COLOR: {p}"
        );
    }
}
