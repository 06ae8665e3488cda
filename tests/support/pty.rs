//! A program in a pseudo-terminal, and its screen as a terminal would show
//! it: ratatui sends only the cells that change, so the output is replayed
//! into a vt100 emulator rather than searched as bytes. Shared by
//! `tests/pty.rs` and `benches/console.rs`.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

pub struct Pty {
    out: Arc<Mutex<Vec<u8>>>,
    /// When each read from the terminal arrived, and the output's length after it.
    arrivals: Arc<Mutex<Vec<(Instant, usize)>>>,
    fed: usize,
    screen: vt100::Parser,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    /// When the program was started.
    pub started: Instant,
}

impl Pty {
    /// Start `bin` with `args` and `env` in a `cols`x`rows` terminal.
    pub fn spawn(bin: &str, args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("pty");
        let mut cmd = CommandBuilder::new(bin);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let started = Instant::now();
        let child = pair.slave.spawn_command(cmd).expect("spawn");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let out = Arc::new(Mutex::new(Vec::new()));
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&out);
        let stamps = Arc::clone(&arrivals);
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let at = Instant::now();
                let len = {
                    let mut o = sink.lock().expect("lock");
                    o.extend_from_slice(&buf[..n]);
                    o.len()
                };
                stamps.lock().expect("lock").push((at, len));
            }
        });
        Pty {
            out,
            arrivals,
            fed: 0,
            screen: vt100::Parser::new(rows, cols, 0),
            writer: pair.master.take_writer().expect("writer"),
            child,
            started,
        }
    }

    /// The screen's rows now.
    pub fn rows(&mut self) -> Vec<String> {
        {
            let bytes = self.out.lock().expect("lock");
            self.screen.process(&bytes[self.fed..]);
            self.fed = bytes.len();
        }
        let (_, cols) = self.screen.screen().size();
        self.screen.screen().rows(0, cols).collect()
    }

    /// The rows drawn in reverse video across the whole width (a selected
    /// row), by index.
    #[allow(dead_code)]
    pub fn reversed_rows(&mut self) -> Vec<u16> {
        self.rows();
        let screen = self.screen.screen();
        let (rows, cols) = screen.size();
        (0..rows)
            .filter(|&r| (0..cols).all(|c| screen.cell(r, c).is_some_and(|x| x.inverse())))
            .collect()
    }

    /// Wait until `ready` holds for the screen's rows; the time since start.
    pub fn wait_until(
        &mut self,
        what: &str,
        timeout: Duration,
        ready: impl Fn(&[String]) -> bool,
    ) -> Duration {
        let deadline = Instant::now() + timeout;
        loop {
            let rows = self.rows();
            if ready(&rows) {
                return self.started.elapsed();
            }
            assert!(
                Instant::now() < deadline,
                "{what} never appeared; the screen showed:\n{}",
                rows.join("\n")
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Wait until the screen shows `text` somewhere.
    pub fn wait_for(&mut self, text: &str, timeout: Duration) -> Duration {
        self.wait_until(&format!("'{text}'"), timeout, |rows| {
            rows.iter().any(|r| r.contains(text))
        })
    }

    /// Whether the program is still running.
    #[allow(dead_code)]
    pub fn running(&mut self) -> bool {
        self.child.try_wait().expect("wait").is_none()
    }

    /// The program's process id.
    #[allow(dead_code)]
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("pid")
    }

    /// Send the program a signal by name (`KILL`, `HUP`, `TERM`).
    #[allow(dead_code)]
    pub fn signal(&self, name: &str) {
        let st = std::process::Command::new("kill")
            .args([format!("-{name}"), self.pid().to_string()])
            .status()
            .expect("kill");
        assert!(st.success(), "kill -{name} failed");
    }

    /// Everything written so far, and when each read of it arrived.
    #[allow(dead_code)]
    pub fn snapshot(&self) -> (Vec<u8>, Vec<(Instant, usize)>) {
        let out = self.out.lock().expect("lock").clone();
        let arrivals = self.arrivals.lock().expect("lock").clone();
        (out, arrivals)
    }

    /// How many bytes the program has written so far.
    #[allow(dead_code)]
    pub fn written(&self) -> usize {
        self.out.lock().expect("lock").len()
    }

    /// The output written after byte `from`, once it holds `marker` (or the
    /// timeout passes): (time of the first byte after `from`, time the
    /// marker arrived, bytes up to and including it).
    #[allow(dead_code)]
    pub fn answer_after(
        &self,
        from: usize,
        marker: &[u8],
        timeout: Duration,
    ) -> Option<(Instant, Instant, usize)> {
        let deadline = Instant::now() + timeout;
        loop {
            {
                let out = self.out.lock().expect("lock");
                if let Some(pos) = out[from.min(out.len())..]
                    .windows(marker.len())
                    .position(|w| w == marker)
                {
                    let end = from + pos + marker.len();
                    let arrivals = self.arrivals.lock().expect("lock");
                    let first = arrivals.iter().find(|(_, len)| *len > from);
                    let done = arrivals.iter().find(|(_, len)| *len >= end);
                    // The reader stamps a read just after storing it.
                    if let (Some(first), Some(done)) = (first, done) {
                        return Some((first.0, done.0, end - from));
                    }
                }
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    pub fn keys(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("type");
        self.writer.flush().expect("flush");
    }

    /// Wait for the program to exit.
    pub fn exit(&mut self, timeout: Duration) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(st) = self.child.try_wait().expect("wait") {
                return st;
            }
            assert!(Instant::now() < deadline, "the program did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
