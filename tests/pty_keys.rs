//! The real binary in a pseudo-terminal, typed at as a person types: every
//! key is answered without waiting for the refresh tick (the tick is
//! switched off here, so a key that waited for it would never be
//! answered), every key of a burst has its effect, two consoles on one
//! database keep each other's work, and a killed console loses no draft.

use std::time::Duration;

use kezek::domain::case::{self, Actor, Outcome, Status};
use kezek::domain::procedure::Role;
use kezek::store::Store;

#[path = "support/pty.rs"]
mod support;
use support::Pty;

#[path = "support/engines.rs"]
#[macro_use]
mod engines;

/// Generous: a debug build on a loaded 2-core machine.
const WAIT: Duration = Duration::from_secs(30);
/// The end of every frame the console draws.
const FRAME_END: &[u8] = b"\x1b[?2026l";

#[path = "support/office_demo.rs"]
mod office_demo;
use office_demo::{Office, office, office_at, store};

/// The console as `user`, English, no colours, the refresh tick off.
fn console(o: &Office, user: &str) -> Pty {
    let db = o.db.to_string_lossy().to_string();
    let config = o.config.to_string_lossy().to_string();
    let mut s = Pty::spawn(
        env!("CARGO_BIN_EXE_kezek"),
        &["--db", &db, "--lang", "en"],
        &[
            ("KEZEK_USER", user),
            ("KEZEK_CONFIG_DIR", &config),
            ("KEZEK_NO_TICK", "1"),
            ("NO_COLOR", "1"),
        ],
        120,
        40,
    );
    s.wait_for("overdue", WAIT);
    s
}

fn status_says(text: &str) -> impl Fn(&[String]) -> bool + '_ {
    move |rows: &[String]| rows.len() >= 2 && rows[rows.len() - 2].contains(text)
}

fn actor(login: &str) -> Actor {
    Actor {
        login: login.into(),
        role: Role::Inspector,
    }
}

/// Accepted cases whose procedure has refusal grounds, with the ids of
/// the checks that apply to each.
fn accepted_cases(s: &Store) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for row in s.queue(&Default::default()).expect("queue") {
        if row.status != Status::Accepted {
            continue;
        }
        let l = s.case(&row.number).expect("case");
        let v = s
            .rules
            .version(&l.case.procedure, &l.case.version)
            .expect("version");
        if l.case.decision().is_some() || v.grounds.is_empty() {
            continue;
        }
        let ids: Vec<String> = v
            .checks
            .iter()
            .filter(|k| k.applies_to(l.case.purpose.as_deref()))
            .map(|k| k.id.clone())
            .collect();
        if !ids.is_empty() {
            out.push((row.number, ids));
        }
    }
    out
}

/// Mark every check of a case passed, as `login`, through the store.
fn pass_all(s: &mut Store, login: &str, number: &str, checks: &[String]) {
    for check in checks {
        let seen = s.case(number).expect("case").row_version;
        s.act(
            &actor(login),
            number,
            seen,
            chrono::Utc::now(),
            |c, x, _| case::record_check(c, x, check, Outcome::Passed, ""),
        )
        .expect("mark");
    }
}

/// The first accepted case of the office.
fn first_case(o: &Office) -> String {
    accepted_cases(&store(&o.db))
        .into_iter()
        .next()
        .map(|(number, _)| number)
        .expect("an accepted case")
}

/// Open a case in a console and wait for its screen.
fn open_case(s: &mut Pty, number: &str) {
    s.keys(format!(":open {number}\r").as_bytes());
    s.wait_for("1:summary", WAIT);
}

/// The note draft ivanov has on a case, as stored.
fn note_draft(o: &Office, number: &str) -> String {
    store(&o.db)
        .drafts("ivanov", number)
        .expect("drafts")
        .into_iter()
        .find(|d| d.kind == "note")
        .expect("the note draft")
        .body
}

#[test]
fn a_key_after_a_quiet_second_is_answered_without_the_tick() {
    let o = office(60);
    let mut s = console(&o, "ivanov");
    for round in 0..3 {
        std::thread::sleep(Duration::from_millis(1200));
        let from = s.written();
        s.keys(if round % 2 == 0 { b"j" } else { b"k" });
        let answered = s.answer_after(from, FRAME_END, Duration::from_secs(5));
        assert!(
            answered.is_some(),
            "key {round} after a quiet second was never answered with the tick off"
        );
    }
    s.keys(b"q");
    assert!(s.exit(WAIT).success());
}

#[test]
fn every_key_of_a_burst_has_its_effect() {
    let o = office(60);
    let (number, checks) = accepted_cases(&store(&o.db))
        .into_iter()
        .next()
        .expect("an accepted case");
    let mut s = console(&o, "ivanov");

    // Twenty letters of a filter typed as one write all reach the filter.
    let typed = "zzyxwvutsrqponmlkjih";
    assert_eq!(typed.len(), 20);
    s.keys(format!("/{typed}").as_bytes());
    s.wait_for(typed, WAIT);

    // Esc and a command in one write (the terminal parser alone would read
    // Alt-:), then twenty marks on one check typed as one burst: twenty
    // recorded, the last one wins.
    s.keys(format!("\x1b:open {number}\r").as_bytes());
    s.wait_for("1:summary", WAIT);
    s.keys(b"4");
    s.wait_for("pass/fail", WAIT);
    let before = store(&o.db).audit_of(&number).expect("audit").len();
    s.keys("pf".repeat(10).as_bytes());
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let n = store(&o.db).audit_of(&number).expect("audit").len();
        if n >= before + 20 {
            assert_eq!(n, before + 20, "exactly one audit row per mark");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {} of 20 marks recorded; the screen shows:\n{}",
            n - before,
            s.rows().join("\n")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    s.wait_until("the last mark's status", WAIT, status_says("failed"));
    let c = store(&o.db).case(&number).expect("case").case;
    assert_eq!(c.checks[&checks[0]].outcome, Outcome::Failed);
    let rows = s.rows();
    assert!(
        !rows.iter().any(|r| r.contains("not saved")),
        "a mark was refused:\n{}",
        rows.join("\n")
    );
    s.keys(b"\x1b");
    s.wait_for("overdue", WAIT);
    s.keys(b"q");
    assert!(s.exit(WAIT).success());
}

#[test]
fn a_colleagues_save_refuses_a_form_only_when_it_touched_the_same_thing() {
    let o = office(80);
    let mut st = store(&o.db);
    let cases = accepted_cases(&st);
    assert!(cases.len() >= 2, "two accepted cases");
    for (number, checks) in &cases[..2] {
        pass_all(&mut st, "ivanov", number, checks);
    }
    // Two consoles on one database: ivanov decides, li works the same cases.
    let mut s = console(&o, "ivanov");
    let mut li = console(&o, "li");

    // A colleague's note in between: the decision is recorded on top.
    let (first, _) = &cases[0];
    s.keys(format!(":open {first}\r").as_bytes());
    s.wait_for("1:summary", WAIT);
    s.keys(b"d");
    s.wait_for("Decision", WAIT);
    li.keys(format!(":open {first}\r").as_bytes());
    li.wait_for("1:summary", WAIT);
    li.keys(b"a");
    li.wait_for("Ctrl-S saves", WAIT);
    li.keys("li was here".as_bytes());
    li.keys(b"\x13");
    li.wait_until("li's note", WAIT, status_says("Note saved"));
    // A saved note is no longer a draft: it must not come back.
    assert_eq!(
        store(&o.db).drafts("li", first).expect("drafts"),
        Vec::new(),
        "the saved note stayed a draft"
    );
    s.keys(b"\r");
    s.wait_for("Issue the permit.", WAIT);
    s.keys(b"\r");
    s.wait_until("recorded", WAIT, status_says("Decision recorded"));
    let c = st.case(first).expect("case").case;
    assert!(c.decision().is_some(), "the decision was recorded");
    assert_eq!(c.notes.last().map(|n| n.text.as_str()), Some("li was here"));

    // A colleague's mark on the checklist the decision rests on: refused,
    // the form comes back at its confirmation page, one Enter records it.
    s.keys(b"\x1b");
    s.wait_for("overdue", WAIT);
    let (second, _) = &cases[1];
    s.keys(format!(":open {second}\r").as_bytes());
    s.wait_for("1:summary", WAIT);
    s.keys(b"d");
    s.wait_for("Decision", WAIT);
    li.keys(b"\x1b");
    li.wait_for("overdue", WAIT);
    li.keys(format!(":open {second}\r").as_bytes());
    li.wait_for("1:summary", WAIT);
    li.keys(b"4");
    li.wait_for("pass/fail", WAIT);
    li.keys(b"p");
    li.wait_until("li's mark", WAIT, status_says("passed"));
    let marked = st.case(second).expect("case").case;
    assert!(
        marked.checks.values().any(|r| r.by == "li"),
        "li's mark is saved"
    );
    s.keys(b"\r");
    s.wait_for("Issue the permit.", WAIT);
    s.keys(b"\r");
    s.wait_for("li changed the check", WAIT);
    assert!(
        st.case(second).expect("case").case.decision().is_none(),
        "the refused decision was not written"
    );
    s.wait_for("Issue the permit.", WAIT);
    s.keys(b"\r");
    s.wait_until("recorded", WAIT, status_says("Decision recorded"));
    // Read on a fresh connection: `st` has read this case before.
    assert!(
        store(&o.db)
            .case(second)
            .expect("case")
            .case
            .decision()
            .is_some(),
        "the resubmitted decision is in the database"
    );
    s.keys(b"\x1b");
    s.wait_for("overdue", WAIT);
    s.keys(b"q");
    assert!(s.exit(WAIT).success());
    li.keys(b"\x03");
    assert!(li.exit(WAIT).success());
}

#[test]
fn a_killed_console_loses_no_draft() {
    let o = office(60);
    let number = first_case(&o);
    let mut s = console(&o, "ivanov");
    open_case(&mut s, &number);
    // A form: the first refusal ground flipped, then Esc keeps it.
    s.keys(b"d");
    s.wait_for("Decision", WAIT);
    let ticked = |rows: &[String]| rows.iter().filter(|r| r.contains("[x]")).count();
    let before = ticked(&s.rows());
    s.keys(b"\t ");
    s.wait_until("the ground flipped", WAIT, |rows| ticked(rows) != before);
    let after = ticked(&s.rows());
    s.keys(b"\x1b");
    s.wait_for("kept as a draft", WAIT);
    // A note being written, never saved.
    s.keys(b"a");
    s.wait_for("Ctrl-S saves", WAIT);
    s.keys("Черновик: позвонить в КНБ".as_bytes());
    s.wait_for("позвонить в КНБ", WAIT);
    // Both reach the database without any save or quit.
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let kinds: Vec<String> = store(&o.db)
            .drafts("ivanov", &number)
            .expect("drafts")
            .into_iter()
            .map(|d| d.kind)
            .collect();
        if kinds.contains(&"note".to_string()) && kinds.contains(&"dialog:decide".to_string()) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "drafts stored: {kinds:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    s.signal("KILL");
    let _ = s.exit(WAIT);

    // Restarted: both are back where they were left.
    let mut s = console(&o, "ivanov");
    open_case(&mut s, &number);
    s.keys(b"a");
    s.wait_for("позвонить в КНБ", WAIT);
    s.keys(b"\x1b");
    s.wait_for("kept as a draft", WAIT);
    s.keys(b"d");
    s.wait_for("Decision", WAIT);
    s.wait_until("the flipped ground", WAIT, |rows| ticked(rows) == after);
    assert_ne!(after, before);
    s.keys(b"\x1b");
    s.wait_for("kept as a draft", WAIT);
    // Ctrl-C in the note editor quits and says the text is kept.
    s.keys(b"a");
    s.wait_for("позвонить в КНБ", WAIT);
    s.keys(" и в банк".as_bytes());
    s.wait_for("и в банк", WAIT);
    s.keys(b"\x03");
    assert!(s.exit(WAIT).success());
    s.wait_for("kept as drafts", WAIT);
    let note = note_draft(&o, &number);
    assert!(note.contains("позвонить в КНБ и в банк"), "{note}");
}

#[test]
fn keys_typed_into_a_too_small_window_are_ignored() {
    let o = office(30);
    let db = o.db.to_string_lossy().to_string();
    let config = o.config.to_string_lossy().to_string();
    let mut s = Pty::spawn(
        env!("CARGO_BIN_EXE_kezek"),
        &["--db", &db, "--lang", "en"],
        &[
            ("KEZEK_USER", "ivanov"),
            ("KEZEK_CONFIG_DIR", &config),
            ("NO_COLOR", "1"),
        ],
        60,
        20,
    );
    s.wait_for("Enlarge", WAIT);
    // `q` would quit; it must do nothing while nothing can be seen.
    s.keys(b"q");
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        s.running(),
        "a key typed into a too small window quit kezek"
    );
    s.wait_for("Enlarge", WAIT);
    s.keys(b"\x03");
    assert!(s.exit(WAIT).success());
}

#[test]
fn a_dropped_link_keeps_the_note_being_written() {
    let o = office(40);
    let number = first_case(&o);
    let mut s = console(&o, "ivanov");
    open_case(&mut s, &number);
    s.keys(b"a");
    s.wait_for("Ctrl-S saves", WAIT);
    s.keys("до обрыва связи".as_bytes());
    s.wait_for("до обрыва связи", WAIT);
    // SSH closes the session: the terminal hangs up.
    s.signal("HUP");
    assert!(s.exit(WAIT).success(), "SIGHUP ends kezek cleanly");
    let note = note_draft(&o, &number);
    assert!(note.contains("до обрыва связи"), "{note}");
}

both_engines! {
    /// With the refresh tick off, a colleague's change reaches an open
    /// console's queue by itself: announced by PostgreSQL, looked up on
    /// SQLite, and only that row is read again.
    fn a_colleagues_change_appears_in_an_open_queue_by_itself(t) {
        let o = office_at(tempfile::tempdir().expect("tmp"), t.path().to_path_buf(), 40);
        let mut s = console(&o, "akhmetova");
        let mut st = store(&o.db);
        let top = st.queue(&Default::default()).expect("queue").remove(0);
        let to = if top.assignee.as_deref() == Some("nurlanov") {
            "li"
        } else {
            "nurlanov"
        };
        let number = top.number.clone();
        s.wait_until("the top case", WAIT, |rows| {
            rows.iter().any(|r| r.contains(&number))
        });
        let seen = st.case(&number).expect("case").row_version;
        let boss = Actor {
            login: "akhmetova".into(),
            role: Role::Supervisor,
        };
        let asked = std::time::Instant::now();
        st.assign(&boss, &number, seen, Some(to), chrono::Utc::now())
            .expect("assign");
        s.wait_until("the new assignee on the top case", WAIT, |rows| {
            rows.iter().any(|r| r.contains(&number) && r.contains(to))
        });
        let took = asked.elapsed();
        // Said, for the record: how long the change took to show.
        {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "{:?}: a colleague's change showed after {} ms",
                t.engine,
                took.as_millis()
            );
        }
        s.keys(b"q");
        assert!(s.exit(WAIT).success());
    }
}
