//! The console as the person at the terminal sees it.
//!
//! The real binary runs in a pseudo-terminal at 120x40 on a generated
//! database of KEZEK_BENCH_CASES cases (default 1,000,000, about 55% of
//! them open; kept in target/bench-data/ for later runs). Every figure is
//! taken from outside the process: the time a key is written to the
//! terminal, the time the first byte comes back, and the time the frame
//! that shows the key's result has arrived (the output is replayed into a
//! terminal emulator, vt100, to see when the screen shows it).
//!
//! 1. Start-up: process start to the first queue frame with rows, and to
//!    the frame whose header counts every open case; resident memory then.
//! 2. Typing as a person types (gaps of 150-450 ms): on the queue, in the
//!    filter (over every open case), opening a case, in the case view, the
//!    checklist (cursor and marks, saved through the database worker) and
//!    a dialog. Key to first byte and key to the result's frame: median,
//!    p95, p99, max; bytes written per key.
//! 3. A held key: `j` at 30 Hz for three seconds; frames per second.
//! 4. The same typing through a real SSH connection: an OpenSSH server on
//!    loopback (started and stopped here; skipped with a note when
//!    /usr/sbin/sshd is missing), the client in the pseudo-terminal, and a
//!    counting relay between them for the bytes on the wire per key.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use kezek::domain::calendar::Calendar;
use kezek::domain::case::Actor;
use kezek::domain::procedure::{Role, Rules};
use kezek::store::Store;
use kezek::store::cases::QueueFilter;

#[path = "../tests/support/pty.rs"]
mod support;

const COLS: u16 = 120;
const ROWS: u16 = 40;
const FRAME_END: &[u8] = b"\x1b[?2026l";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T10:00:00+05:00")
        .expect("now")
        .with_timezone(&Utc)
}

fn open(db: &Path) -> Store {
    Store::open(
        db,
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
    )
    .expect("open")
}

/// The benchmark database: generated once, reused afterwards.
fn database(n: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("dir");
    let db = dir.join(format!("console-{n}.db"));
    if !db.exists() {
        let tmp = dir.join(format!("console-{n}.db.partial"));
        let _ = std::fs::remove_file(&tmp);
        let t = Instant::now();
        let mut s = open(&tmp);
        s.add_user("bench", "bench", Role::Supervisor, "Bench")
            .expect("user");
        for (login, name, role) in kezek::demo::STAFF {
            s.add_user("bench", login, *role, name).expect("staff");
        }
        let actor = Actor {
            login: "bench".into(),
            role: Role::Supervisor,
        };
        let batch = 50_000;
        let mut done = 0;
        let mut seed = 1;
        while done < n {
            let k = batch.min(n - done);
            let mut cases = kezek::demo::generate(&s.cal, &s.rules, k, seed, now());
            // Case numbers of separate batches must not collide.
            for c in &mut cases {
                c.number = format!("{}-{seed}", c.number);
            }
            s.insert_cases(&actor, &cases, now(), "bench")
                .expect("insert");
            done += k;
            seed += 1;
        }
        drop(s);
        std::fs::rename(&tmp, &db).expect("rename");
        println!("generated {n} cases in {:.1} s", t.elapsed().as_secs_f64());
    }
    // Whoever runs the benchmark works as an inspector (a migration, if
    // the file is from an older kezek, runs here, outside the figures).
    let t = Instant::now();
    let mut s = open(&db);
    let me = kezek::store::users::current_login().expect("login");
    if s.user(&me).expect("user").is_none() {
        s.add_user("bench", &me, Role::Inspector, "Bench inspector")
            .expect("me");
    }
    let took = t.elapsed();
    if took > Duration::from_secs(1) {
        println!("opened (and migrated) in {:.1} s", took.as_secs_f64());
    }
    db
}

fn open_cases(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("sqlite");
    conn.query_row(
        "SELECT count(*) FROM cases WHERE queue_due IS NOT NULL",
        [],
        |r| r.get(0),
    )
    .expect("count")
}

fn config_dir() -> String {
    let dir = std::env::temp_dir().join("kezek-bench-config");
    let _ = std::fs::create_dir_all(&dir);
    dir.to_string_lossy().to_string()
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// One start of the real binary: (first frame with rows, header counts
/// complete, every case loaded, RSS KiB). "Every case loaded" is when a
/// filter for the least urgent case, typed at the first frame, shows it.
fn start_once(
    db: &Path,
    first_number: &str,
    last_number: &str,
    total: i64,
) -> (Duration, Duration, Duration, Option<u64>) {
    let db_arg = db.to_string_lossy().to_string();
    let config = config_dir();
    let mut p = support::Pty::spawn(
        env!("CARGO_BIN_EXE_kezek"),
        &["--db", &db_arg, "--lang", "en"],
        &[("KEZEK_CONFIG_DIR", &config)],
        COLS,
        ROWS,
    );
    let limit = Duration::from_secs(120);
    let first = p.wait_for(first_number, limit);
    p.keys(format!("/{last_number}").as_bytes());
    let full = p.wait_for(&format!("total {total} ·"), limit);
    // In the table, not on the filter line at the bottom.
    let all = p.wait_until("the least urgent case", limit, |rows| {
        let table = rows.get(2..rows.len().saturating_sub(2)).unwrap_or(&[]);
        table.iter().any(|r| r.contains(last_number))
    });
    let rss = rss_kib(p.pid());
    p.keys(b"\x1b");
    std::thread::sleep(Duration::from_millis(100));
    p.keys(b"q");
    p.exit(Duration::from_secs(20));
    (first, full, all, rss)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// median, p95, p99, max of a sample.
fn spread(v: &[Duration]) -> String {
    let mut v = v.to_vec();
    v.sort();
    let at = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    format!(
        "median {}, p95 {}, p99 {}, max {}",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(at(0.99)),
        ms(at(1.0))
    )
}

/// A small deterministic generator for the human gaps.
struct Lcg(u64);

impl Lcg {
    fn gap(&mut self) -> Duration {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1);
        Duration::from_millis(150 + (self.0 >> 33) % 301)
    }
}

/// What the frame that shows a key's result contains.
enum Shows {
    /// The first frame drawn after the key.
    NextFrame,
    /// The first frame whose screen contains this text.
    Text(&'static str),
}

struct Step {
    place: &'static str,
    keys: Vec<u8>,
    shows: Shows,
}

fn step(place: &'static str, keys: &str, shows: Shows) -> Step {
    Step {
        place,
        keys: keys.as_bytes().to_vec(),
        shows,
    }
}

/// The typing session: what an inspector does in a minute and a half.
fn session() -> Vec<Step> {
    use Shows::*;
    let mut s = Vec::new();
    for k in "jjjjjjjjkkkkjj".chars() {
        s.push(step("queue", &k.to_string(), NextFrame));
    }
    s.push(step("filter", "/", NextFrame));
    for word in ["каримова", "nurlan", "rvp-001"] {
        for c in word.chars() {
            s.push(step("filter", &c.to_string(), NextFrame));
        }
        for _ in word.chars() {
            s.push(step("filter", "\x7f", NextFrame));
        }
    }
    s.push(step("filter", "\x1b", NextFrame));
    s.push(step("queue", "g", NextFrame));
    s.push(step("open a case", "\r", Text("1:summary")));
    for _ in 0..8 {
        s.push(step("case view", "\t", NextFrame));
    }
    s.push(step("checklist", "4", Text("pass/fail")));
    for k in "jjjkkk".chars() {
        s.push(step("checklist", &k.to_string(), NextFrame));
    }
    // The status line after the worker saved the mark ("check …: passed").
    s.push(step("checklist mark (saved)", "p", Text(": passed")));
    s.push(step("checklist", "j", NextFrame));
    s.push(step("checklist mark (saved)", "u", Text(": pending")));
    s.push(step("dialog", "d", Text("Decision ·")));
    for k in ["\t", "\t", "\t", "\x1b[B", "\x1b[A"] {
        s.push(step("dialog", k, NextFrame));
    }
    s.push(step("dialog", "\x1b", Text("kept as a draft")));
    s.push(step("back to the queue", "\x1b", Text("overdue")));
    s
}

struct Typed {
    place: &'static str,
    first_byte: Duration,
    frame: Duration,
    bytes: usize,
    wire: Option<usize>,
}

/// When, after byte `from`, the screen first shows what `shows` says:
/// (first byte, the frame's last byte, bytes in between).
fn find_answer(
    screen: &mut vt100::Parser,
    out: &[u8],
    arrivals: &[(Instant, usize)],
    from: usize,
    shows: &Shows,
) -> Option<(Instant, Instant, usize)> {
    let first = arrivals.iter().find(|(_, len)| *len > from)?.0;
    let mut fed = from;
    for &(at, len) in arrivals.iter().filter(|(_, len)| *len > from) {
        let chunk = &out[fed..len];
        screen.process(chunk);
        fed = len;
        let shown = match shows {
            Shows::NextFrame => out[from..len]
                .windows(FRAME_END.len())
                .any(|w| w == FRAME_END),
            Shows::Text(t) => {
                let ends_frame = out[from..len]
                    .windows(FRAME_END.len())
                    .any(|w| w == FRAME_END);
                ends_frame && screen.screen().contents().contains(t)
            }
        };
        if shown {
            // Keep the emulator in step with everything that follows.
            return Some((first, at, len - from));
        }
    }
    None
}

/// Type the session into `p`; `wire` counts bytes from the server when the
/// session runs over SSH.
fn type_session(p: &mut support::Pty, wire: Option<&AtomicUsize>) -> Vec<Typed> {
    // `live` follows the screen as it arrives; an exact replay from the
    // key's byte finds the moment the answer was complete.
    let mut live = vt100::Parser::new(ROWS, COLS, 0);
    let mut live_fed = 0;
    let mut rng = Lcg(7);
    let mut typed = Vec::new();
    for s in session() {
        let from = p.written();
        let wire_before = wire.map(|w| w.load(Ordering::SeqCst));
        let t = Instant::now();
        p.keys(&s.keys);
        // A person waits a human gap, or longer when the answer is slow.
        std::thread::sleep(rng.gap());
        let deadline = Instant::now() + Duration::from_secs(10);
        let (out, arrivals) = loop {
            let (out, arrivals) = p.snapshot();
            live.process(&out[live_fed..]);
            live_fed = out.len();
            let framed = out[from..].windows(FRAME_END.len()).any(|w| w == FRAME_END);
            let done = framed
                && match s.shows {
                    Shows::NextFrame => true,
                    Shows::Text(t) => live.screen().contents().contains(t),
                };
            if done {
                break (out, arrivals);
            }
            assert!(
                Instant::now() < deadline,
                "no answer to {:?} in {}; the screen shows:\n{}",
                String::from_utf8_lossy(&s.keys),
                s.place,
                live.screen().contents()
            );
            std::thread::sleep(Duration::from_millis(5));
        };
        let mut replay = vt100::Parser::new(ROWS, COLS, 0);
        replay.process(&out[..from]);
        let Some((first, done, bytes)) = find_answer(&mut replay, &out, &arrivals, from, &s.shows)
        else {
            panic!("the answer to {:?} vanished on replay", s.keys);
        };
        typed.push(Typed {
            place: s.place,
            first_byte: first.saturating_duration_since(t),
            frame: done.saturating_duration_since(t),
            bytes,
            wire: wire_before.map(|b| wire.map_or(0, |w| w.load(Ordering::SeqCst)) - b),
        });
    }
    typed
}

fn report(title: &str, typed: &[Typed]) {
    println!("{title}: {} keys typed one at a time", typed.len());
    let all_first: Vec<Duration> = typed.iter().map(|t| t.first_byte).collect();
    let all_frame: Vec<Duration> = typed.iter().map(|t| t.frame).collect();
    println!("  all keys   key to first byte: {}", spread(&all_first));
    println!("  all keys   key to result frame: {}", spread(&all_frame));
    let mut places: Vec<&str> = typed.iter().map(|t| t.place).collect();
    places.dedup();
    let mut seen = std::collections::BTreeSet::new();
    for place in places {
        if !seen.insert(place) {
            continue;
        }
        let here: Vec<&Typed> = typed.iter().filter(|t| t.place == place).collect();
        let frame: Vec<Duration> = here.iter().map(|t| t.frame).collect();
        let first: Vec<Duration> = here.iter().map(|t| t.first_byte).collect();
        let mut bytes: Vec<usize> = here.iter().map(|t| t.bytes).collect();
        bytes.sort();
        let wire = here.iter().filter_map(|t| t.wire).collect::<Vec<usize>>();
        let wire = if wire.is_empty() {
            String::new()
        } else {
            let mut w = wire;
            w.sort();
            format!(", on the wire median {} B", w[w.len() / 2])
        };
        println!(
            "  {place} ({} keys): first byte {}; result frame {}; bytes median {}{wire}",
            here.len(),
            spread(&first),
            spread(&frame),
            bytes[bytes.len() / 2]
        );
    }
}

/// A held `j`: 90 presses at 30 Hz; frames drawn per second and the
/// longest wait between two frames.
fn held_key(p: &mut support::Pty) {
    let from = p.written();
    let t = Instant::now();
    for i in 0..90u32 {
        p.keys(b"j");
        let next = t + Duration::from_micros(33_333 * u64::from(i + 1));
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
    let held = t.elapsed();
    std::thread::sleep(Duration::from_millis(300));
    let (out, arrivals) = p.snapshot();
    let mut frames = Vec::new();
    let mut pos = from;
    while let Some(i) = out[pos..]
        .windows(FRAME_END.len())
        .position(|w| w == FRAME_END)
    {
        let end = pos + i + FRAME_END.len();
        if let Some((at, _)) = arrivals.iter().find(|(_, len)| *len >= end) {
            frames.push(*at);
        }
        pos = end;
    }
    let in_window = frames.iter().filter(|&&f| f <= t + held).count();
    let longest = frames
        .windows(2)
        .map(|w| w[1].saturating_duration_since(w[0]))
        .max()
        .unwrap_or_default();
    println!(
        "  held j at 30 Hz for {:.1} s: {} frames ({:.1} per second), longest gap between frames {}",
        held.as_secs_f64(),
        in_window,
        in_window as f64 / held.as_secs_f64(),
        ms(longest)
    );
}

/// Wait until the console's header counts every open case.
fn settled(p: &mut support::Pty, total: i64) {
    p.wait_for(&format!("total {total} ·"), Duration::from_secs(120));
}

fn local_typing(db: &Path, total: i64) {
    let db_arg = db.to_string_lossy().to_string();
    let config = config_dir();
    // The refresh tick is off so that no frame of the clock is taken for
    // a key's answer (and no key can wait for it).
    let mut p = support::Pty::spawn(
        env!("CARGO_BIN_EXE_kezek"),
        &["--db", &db_arg, "--lang", "en"],
        &[("KEZEK_CONFIG_DIR", &config), ("KEZEK_NO_TICK", "1")],
        COLS,
        ROWS,
    );
    settled(&mut p, total);
    let typed = type_session(&mut p, None);
    report("local pseudo-terminal, 120x40", &typed);
    held_key(&mut p);
    p.keys(b"q");
    p.exit(Duration::from_secs(20));
}

/// A relay on loopback that counts what the server sends.
fn relay(to: u16, down: Arc<AtomicUsize>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("relay");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(("127.0.0.1", to)) else {
                continue;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (mut c_r, mut c_w) = (client.try_clone().expect("clone"), client);
            let (mut s_r, mut s_w) = (server.try_clone().expect("clone"), server);
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                while let Ok(n) = c_r.read(&mut buf) {
                    if n == 0 || s_w.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
            let down = Arc::clone(&down);
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                while let Ok(n) = s_r.read(&mut buf) {
                    if n == 0 || c_w.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    down.fetch_add(n, Ordering::SeqCst);
                }
            });
        }
    });
    port
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port()
}

fn ssh_typing(db: &Path, total: i64) {
    let sshd = Path::new("/usr/sbin/sshd");
    if !sshd.exists() {
        println!(
            "over SSH: skipped, /usr/sbin/sshd is not installed (apt-get install openssh-server)"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let keygen = |name: &str| {
        let ok = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(d.join(name))
            .status()
            .expect("ssh-keygen")
            .success();
        assert!(ok, "ssh-keygen");
    };
    keygen("host");
    keygen("client");
    std::fs::copy(d.join("client.pub"), d.join("authorized_keys")).expect("keys");
    let port = free_port();
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nAuthorizedKeysFile {keys}\n\
         PidFile {pid}\nStrictModes no\nUsePAM no\nPermitRootLogin yes\nPasswordAuthentication no\n\
         KbdInteractiveAuthentication no\nPrintMotd no\nPrintLastLog no\nAcceptEnv LANG\n",
        host = d.join("host").display(),
        keys = d.join("authorized_keys").display(),
        pid = d.join("sshd.pid").display(),
    );
    std::fs::write(d.join("sshd_config"), config).expect("config");
    std::fs::create_dir_all("/run/sshd").ok();
    let mut server = std::process::Command::new(sshd)
        .arg("-D")
        .arg("-e")
        .arg("-f")
        .arg(d.join("sshd_config"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("sshd");
    let up = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(up.elapsed() < Duration::from_secs(10), "sshd did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let down = Arc::new(AtomicUsize::new(0));
    let via = relay(port, Arc::clone(&down));
    let me = kezek::store::users::current_login().expect("login");
    let remote = format!(
        "KEZEK_CONFIG_DIR={} KEZEK_NO_TICK=1 {} --db {} --lang en",
        config_dir(),
        env!("CARGO_BIN_EXE_kezek"),
        db.display()
    );
    let port_arg = via.to_string();
    let key_arg = d.join("client").to_string_lossy().to_string();
    let mut p = support::Pty::spawn(
        "ssh",
        &[
            "-tt",
            "-q",
            "-p",
            &port_arg,
            "-i",
            &key_arg,
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            &format!("{me}@127.0.0.1"),
            &remote,
        ],
        &[],
        COLS,
        ROWS,
    );
    settled(&mut p, total);
    let typed = type_session(&mut p, Some(&down));
    report("over SSH (OpenSSH on loopback), 120x40", &typed);
    held_key(&mut p);
    p.keys(b"q");
    let _ = p.exit(Duration::from_secs(20));
    let _ = server.kill();
    let _ = server.wait();
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n = env_usize("KEZEK_BENCH_CASES", 1_000_000);
    let db = database(n);
    let total = open_cases(&db);
    let store = open(&db);
    let top = store
        .queue(&QueueFilter {
            limit: Some(1),
            ..Default::default()
        })
        .expect("queue");
    let table = store.queue_table(&Default::default()).expect("queue");
    let last_number = table
        .get(table.len().saturating_sub(1))
        .map(|r| r.number().to_string())
        .unwrap_or_default();
    drop(table);
    drop(store);
    let first_number = top.first().map(|r| r.number.clone()).unwrap_or_default();
    println!(
        "kezek console benchmarks: {n} cases in the database, {total} of them open (all held by the console)"
    );

    // 1. Start-up, five runs after one that warms the page cache.
    let _ = start_once(&db, &first_number, &last_number, total);
    let runs: Vec<(Duration, Duration, Duration, Option<u64>)> = (0..5)
        .map(|_| start_once(&db, &first_number, &last_number, total))
        .collect();
    let mut first: Vec<Duration> = runs.iter().map(|r| r.0).collect();
    let mut full: Vec<Duration> = runs.iter().map(|r| r.1).collect();
    let mut all: Vec<Duration> = runs.iter().map(|r| r.2).collect();
    first.sort();
    full.sort();
    all.sort();
    println!(
        "start to the first queue frame with rows (120x40, pty): median {} (runs: {})",
        ms(first[2]),
        runs.iter().map(|r| ms(r.0)).collect::<Vec<_>>().join(", ")
    );
    println!(
        "start to the header counting every open case: median {} (runs: {})",
        ms(full[2]),
        runs.iter().map(|r| ms(r.1)).collect::<Vec<_>>().join(", ")
    );
    println!(
        "start to every open case loaded (a filter typed at the first frame finds the least urgent): median {} (runs: {})",
        ms(all[2]),
        runs.iter().map(|r| ms(r.2)).collect::<Vec<_>>().join(", ")
    );
    let rss: Vec<String> = runs
        .iter()
        .filter_map(|r| r.3)
        .map(|k| format!("{:.0} MiB", k as f64 / 1024.0))
        .collect();
    println!(
        "resident memory with every open case loaded: {}",
        rss.join(", ")
    );

    // 2-3. Typing and a held key, locally and over SSH.
    local_typing(&db, total);
    ssh_typing(&db, total);
}
