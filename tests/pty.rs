//! End to end: the real binary in a pseudo-terminal. An inspector opens a
//! case, marks a check, writes a note and quits; then the database is read
//! back to see that both changes were committed, with their audit rows.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// The terminal output so far, with escape sequences removed.
fn plain(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ params final-byte; other escapes: one more char.
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if ('@'..='~').contains(&d) {
                        break;
                    }
                }
            } else {
                chars.next();
            }
        } else if !c.is_control() {
            out.push(c);
        }
    }
    out
}

struct Session {
    out: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Session {
    /// Wait until the screen output since `from` shows `what`.
    fn wait_for(&self, from: usize, what: &str) -> usize {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let seen = self.out.lock().expect("lock").clone();
            // Runs of blanks reach the terminal as cursor moves: compare without them.
            let shown: String = plain(&seen[from.min(seen.len())..])
                .split_whitespace()
                .collect();
            let wanted: String = what.split_whitespace().collect();
            if shown.contains(&wanted) {
                return seen.len();
            }
            assert!(
                Instant::now() < deadline,
                "'{what}' never appeared; the screen showed:\n{}",
                plain(&seen[from.min(seen.len())..])
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn keys(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("type");
        self.writer.flush().expect("flush");
    }
}

#[test]
fn an_inspector_marks_a_check_writes_a_note_and_quits() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("e2e.db");
    let bin = env!("CARGO_BIN_EXE_kezek");
    let made = std::process::Command::new(bin)
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

    // The case :open will show, and what it holds before.
    let store = kezek::store::Store::open(
        &db,
        kezek::domain::calendar::Calendar::built_in().expect("calendar"),
        kezek::domain::procedure::Rules::built_in().expect("rules"),
    )
    .expect("store");
    let row = store
        .queue(&Default::default())
        .expect("queue")
        .into_iter()
        .find(|r| r.status == kezek::domain::case::Status::Accepted)
        .expect("an accepted case");
    let number = row.number.clone();
    let before = store.case(&number).expect("case");
    let first_check = store
        .rules
        .procedure(&before.case.procedure)
        .expect("procedure")
        .version(&before.case.version)
        .expect("version")
        .checks[0]
        .id
        .clone();
    let audit_before = store.audit_of(&number).expect("audit").len();
    drop(store);

    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 30,
            cols: 100,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("pty");
    let mut cmd = CommandBuilder::new(bin);
    cmd.args(["--db", &db.to_string_lossy(), "--lang", "en"]);
    cmd.env("KEZEK_USER", "ivanov");
    cmd.env("KEZEK_CONFIG_DIR", dir.path());
    cmd.env("TERM", "xterm-256color");
    cmd.env("NO_COLOR", "1");
    cmd.cwd(dir.path());
    let child = pty.slave.spawn_command(cmd).expect("spawn");
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("reader");
    let out = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&out);
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().expect("lock").extend_from_slice(&buf[..n]);
        }
    });
    let mut s = Session {
        writer: pty.master.take_writer().expect("writer"),
        out,
        child,
    };

    let at = s.wait_for(0, "overdue");
    s.keys(format!(":open {number}\r").as_bytes());
    let at = s.wait_for(at, "1:summary");
    s.keys(b"4");
    let at = s.wait_for(at, "pass/fail");
    s.keys(b"p");
    let at = s.wait_for(at, "passed");
    s.keys(b"a");
    let at = s.wait_for(at, "Ctrl-S saves");
    s.keys("Проверено в Беркуте".as_bytes());
    s.keys(b"\x13"); // Ctrl-S
    let at = s.wait_for(at, "Note saved");
    s.keys(b"\x1b"); // Esc: back to the queue
    s.wait_for(at, "overdue");
    s.keys(b"q");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = s.child.try_wait().expect("wait") {
            break st;
        }
        assert!(Instant::now() < deadline, "kezek did not quit on q");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");

    let store = kezek::store::Store::open(
        &db,
        kezek::domain::calendar::Calendar::built_in().expect("calendar"),
        kezek::domain::procedure::Rules::built_in().expect("rules"),
    )
    .expect("store");
    let after = store.case(&number).expect("case");
    let check = &after.case.checks[&first_check];
    assert_eq!(check.outcome, kezek::domain::case::Outcome::Passed);
    assert_eq!(check.by, "ivanov");
    let note = after.case.notes.last().expect("a note");
    assert_eq!(
        (note.by.as_str(), note.text.as_str()),
        ("ivanov", "Проверено в Беркуте")
    );
    let audit = store.audit_of(&number).expect("audit");
    assert_eq!(audit.len(), audit_before + 2, "one audit row per change");
    assert!(audit[audit_before..].iter().all(|r| r.actor == "ivanov"));
    assert!(after.row_version > before.row_version);
}
