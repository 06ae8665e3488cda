//! What the terminal can show: colour depth and character repertoire.
//!
//! crossterm writes every named colour as a 256-colour index (`38;5;9`),
//! which a VT100 reads as "blink" and a 16-colour terminal may ignore. The
//! console therefore writes through [`Adapt`], which rewrites each colour
//! of each SGR sequence to the depth the terminal has (true colour, 256,
//! 16, none) and, on terminals that lack them, replaces symbols with ASCII
//! characters of the same width. Drawing code stays unaware of either.

use std::io::{self, Write};

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// 24-bit colour (`COLORTERM=truecolor`).
    True,
    /// The xterm 256-colour palette (`TERM=*-256color`).
    Ansi256,
    /// Eight colours and their bright forms (`TERM=xterm`, `screen`, `linux`).
    Ansi16,
    /// None: bold, underline and reverse only (`TERM=vt100`, `dumb`, `NO_COLOR`).
    Mono,
}

/// What the environment says about the terminal.
#[derive(Debug, Clone, Default)]
pub struct TermEnv {
    pub term: String,
    pub colorterm: String,
    pub no_color: bool,
    /// `KEZEK_COLORS`: `truecolor`, `256`, `16` or `none` overrides detection.
    pub forced: Option<String>,
    /// `KEZEK_ASCII=1` forces ASCII symbols.
    pub ascii: bool,
    /// The first of `LC_ALL`, `LC_CTYPE`, `LANG` that is set.
    pub locale: Option<String>,
}

impl TermEnv {
    /// Read from the process environment. These only change how the
    /// screen looks, never what a user may do.
    pub fn from_process() -> TermEnv {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        TermEnv {
            term: var("TERM").unwrap_or_default(),
            colorterm: var("COLORTERM").unwrap_or_default(),
            no_color: var("NO_COLOR").is_some(),
            forced: var("KEZEK_COLORS"),
            ascii: var("KEZEK_ASCII").is_some_and(|v| v != "0"),
            locale: var("LC_ALL")
                .or_else(|| var("LC_CTYPE"))
                .or_else(|| var("LANG")),
        }
    }

    pub fn depth(&self) -> Depth {
        if let Some(f) = self.forced.as_deref() {
            match f.to_ascii_lowercase().as_str() {
                "truecolor" | "24bit" | "true" => return Depth::True,
                "256" => return Depth::Ansi256,
                "16" | "8" => return Depth::Ansi16,
                "none" | "0" | "mono" => return Depth::Mono,
                _ => {}
            }
        }
        if self.no_color {
            return Depth::Mono;
        }
        let term = self.term.to_ascii_lowercase();
        if term.is_empty() || term == "dumb" || is_vt(&term) {
            return Depth::Mono;
        }
        let ct = self.colorterm.to_ascii_lowercase();
        if ct == "truecolor" || ct == "24bit" || term.ends_with("-direct") {
            return Depth::True;
        }
        if term.contains("256col") {
            return Depth::Ansi256;
        }
        Depth::Ansi16
    }

    /// Whether symbols beyond ASCII (`…`, box lines, arrows) are replaced.
    pub fn ascii_only(&self) -> bool {
        if self.ascii {
            return true;
        }
        let term = self.term.to_ascii_lowercase();
        if is_vt(&term) || term == "dumb" {
            return true;
        }
        // A locale that is set and is not UTF-8 cannot show them either.
        self.locale.as_deref().is_some_and(|l| {
            let l = l.to_ascii_lowercase();
            l != "c" && l != "posix" && !l.contains("utf-8") && !l.contains("utf8")
        })
    }
}

/// DEC VT terminals and their emulations (`vt100`, `vt102`, `vt220`…).
fn is_vt(term: &str) -> bool {
    term.strip_prefix("vt")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// The 16 colours' usual RGB values (xterm's defaults).
const ANSI16: [(u8, u8, u8); 16] = [
    (0, 0, 0),
    (205, 0, 0),
    (0, 205, 0),
    (205, 205, 0),
    (0, 0, 238),
    (205, 0, 205),
    (0, 205, 205),
    (229, 229, 229),
    (127, 127, 127),
    (255, 0, 0),
    (0, 255, 0),
    (255, 255, 0),
    (92, 92, 255),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 255),
];

/// The RGB value of a 256-palette index.
fn rgb_of(index: u8) -> (u8, u8, u8) {
    match index {
        0..=15 => ANSI16[usize::from(index)],
        16..=231 => {
            let i = index - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            (level(i / 36), level((i / 6) % 6), level(i % 6))
        }
        _ => {
            let v = 8 + (index - 232) * 10;
            (v, v, v)
        }
    }
}

fn distance(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).unsigned_abs();
    let (r, g, b2) = (d(a.0, b.0), d(a.1, b.1), d(a.2, b.2));
    // Green weighs most, blue least, as the eye sees them.
    3 * r * r + 4 * g * g + 2 * b2 * b2
}

fn nearest(rgb: (u8, u8, u8), range: std::ops::RangeInclusive<u8>) -> u8 {
    let start = *range.start();
    range
        .min_by_key(|&i| distance(rgb, rgb_of(i)))
        .unwrap_or(start)
}

/// A colour as the sequence asked for it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Colour {
    Index(u8),
    Rgb(u8, u8, u8),
}

/// The parameters for one colour (foreground when `fg`) at `depth`;
/// empty when the terminal has no colours.
fn colour_params(c: Colour, fg: bool, depth: Depth, out: &mut Vec<String>) {
    let (base, bright, ext) = if fg { (30, 90, 38) } else { (40, 100, 48) };
    let index16 = |c: Colour| match c {
        Colour::Index(i) if i < 16 => i,
        Colour::Index(i) => nearest(rgb_of(i), 0..=15),
        Colour::Rgb(r, g, b) => nearest((r, g, b), 0..=15),
    };
    match depth {
        Depth::Mono => {}
        Depth::Ansi16 => {
            let i = index16(c);
            out.push(if i < 8 {
                (base + u16::from(i)).to_string()
            } else {
                (bright + u16::from(i) - 8).to_string()
            });
        }
        Depth::Ansi256 => {
            let i = match c {
                Colour::Index(i) => i,
                Colour::Rgb(r, g, b) => nearest((r, g, b), 16..=255),
            };
            out.push(format!("{ext};5;{i}"));
        }
        Depth::True => match c {
            Colour::Index(i) => out.push(format!("{ext};5;{i}")),
            Colour::Rgb(r, g, b) => out.push(format!("{ext};2;{r};{g};{b}")),
        },
    }
}

/// Rewrite the parameters of one SGR sequence (`ESC [ params m`) for
/// `depth`. `None` when nothing is left to send (an empty SGR would reset
/// every attribute, which the original did not ask for).
pub fn rewrite_sgr(params: &str, depth: Depth) -> Option<String> {
    if depth == Depth::True || params.is_empty() {
        return Some(params.to_string());
    }
    let parts: Vec<&str> = params.split([';', ':']).collect();
    let num = |i: usize| parts.get(i).and_then(|p| p.parse::<u16>().ok());
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let Some(p) = num(i) else {
            // Not a number: pass it on as it came.
            out.push(parts[i].to_string());
            i += 1;
            continue;
        };
        match p {
            38 | 48 => {
                let fg = p == 38;
                match num(i + 1) {
                    Some(5) => {
                        let c = num(i + 2).and_then(|v| u8::try_from(v).ok()).unwrap_or(0);
                        colour_params(Colour::Index(c), fg, depth, &mut out);
                        i += 3;
                    }
                    Some(2) => {
                        let ch = |k| num(i + k).and_then(|v| u8::try_from(v).ok()).unwrap_or(0);
                        colour_params(Colour::Rgb(ch(2), ch(3), ch(4)), fg, depth, &mut out);
                        i += 5;
                    }
                    _ => i += 2,
                }
            }
            30..=37 | 40..=47 => {
                let fg = p < 40;
                let idx = (p % 10) as u8;
                colour_params(Colour::Index(idx), fg, depth, &mut out);
                i += 1;
            }
            90..=97 | 100..=107 => {
                let fg = p < 100;
                let idx = (p % 10) as u8 + 8;
                colour_params(Colour::Index(idx), fg, depth, &mut out);
                i += 1;
            }
            39 | 49 => {
                if depth != Depth::Mono {
                    out.push(p.to_string());
                }
                i += 1;
            }
            // VT100 knows bold, underline, blink and reverse; the other
            // attributes are harmless elsewhere and ignored there.
            _ => {
                out.push(p.to_string());
                i += 1;
            }
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(out.join(";"))
    }
}

/// The ASCII stand-in for a symbol, of the same width on the screen.
pub fn ascii_for(c: char) -> Option<&'static str> {
    Some(match c {
        '…' => "~",
        '─' | '━' | '═' | '—' | '–' | '‒' | '―' | '╌' | '┄' => "-",
        '│' | '┃' | '║' | '╎' | '┆' => "|",
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╯' | '╰' | '╔' | '╗'
        | '╚' | '╝' | '╠' | '╣' | '╦' | '╩' | '╬' => "+",
        '→' | '▶' | '►' | '▸' | '›' | '»' | '⇒' => ">",
        '←' | '◀' | '◄' | '◂' | '‹' | '«' | '⇐' => "<",
        '↑' | '▲' | '▴' => "^",
        '↓' | '▼' | '▾' => "v",
        '•' | '●' | '◆' | '■' | '★' | '⧗' | '⌛' | '⏳' => "*",
        '○' | '◇' | '□' | '☆' => "o",
        '✓' | '✔' => "+",
        '✗' | '✘' | '×' => "x",
        '·' | '∙' => ".",
        '█' | '▓' | '▒' => "#",
        '░' => ".",
        '“' | '”' | '„' | '″' => "\"",
        '‘' | '’' | '′' => "'",
        '≤' => "<",
        '≥' => ">",
        '≠' => "#",
        '\u{a0}' | '\u{2007}' | '\u{202f}' => " ",
        _ => return None,
    })
}

/// A symbol the ASCII table does not know: `?` for each column it takes.
fn unknown_symbol(c: char) -> Option<&'static str> {
    let symbol = matches!(u32::from(c), 0x2010..=0x2BFF | 0x1F300..=0x1FAFF);
    if !symbol {
        return None;
    }
    Some(
        if unicode_width::UnicodeWidthChar::width(c).unwrap_or(1) >= 2 {
            "??"
        } else {
            "?"
        },
    )
}

enum State {
    Text,
    Esc,
    Csi(Vec<u8>),
    /// A multibyte character: the bytes so far and how many it needs.
    Utf8(Vec<u8>, usize),
}

/// A writer that adapts the console's output to the terminal (see the
/// module's text). Sequences split across writes are held until complete.
pub struct Adapt<W: Write> {
    inner: W,
    depth: Depth,
    ascii: bool,
    state: State,
    out: Vec<u8>,
}

impl<W: Write> Adapt<W> {
    pub fn new(inner: W, depth: Depth, ascii: bool) -> Adapt<W> {
        Adapt {
            inner,
            depth,
            ascii,
            state: State::Text,
            out: Vec::with_capacity(8192),
        }
    }

    /// Whether the writer changes anything at all.
    fn passthrough(&self) -> bool {
        self.depth == Depth::True && !self.ascii
    }

    fn byte(&mut self, b: u8) {
        match std::mem::replace(&mut self.state, State::Text) {
            State::Text => match b {
                0x1b => self.state = State::Esc,
                0xc0..=0xff if self.ascii => {
                    let need = if b >= 0xf0 {
                        4
                    } else if b >= 0xe0 {
                        3
                    } else {
                        2
                    };
                    self.state = State::Utf8(vec![b], need);
                }
                _ => self.out.push(b),
            },
            State::Esc => {
                if b == b'[' {
                    self.state = State::Csi(Vec::new());
                } else {
                    self.out.extend([0x1b, b]);
                }
            }
            State::Csi(mut buf) => {
                if (0x40..=0x7e).contains(&b) {
                    self.csi(&buf, b);
                } else if buf.len() > 256 {
                    // Not a sequence this writer understands: pass it on.
                    self.out.extend(b"\x1b[");
                    self.out.extend(&buf);
                    self.out.push(b);
                } else {
                    buf.push(b);
                    self.state = State::Csi(buf);
                }
            }
            State::Utf8(mut buf, need) => {
                if b & 0xc0 != 0x80 {
                    // A broken sequence: pass on what came, then this byte.
                    self.out.extend(&buf);
                    self.byte(b);
                    return;
                }
                buf.push(b);
                if buf.len() < need {
                    self.state = State::Utf8(buf, need);
                    return;
                }
                let sub = std::str::from_utf8(&buf)
                    .ok()
                    .and_then(|s| s.chars().next())
                    .and_then(|c| ascii_for(c).or_else(|| unknown_symbol(c)));
                match sub {
                    Some(s) => self.out.extend(s.as_bytes()),
                    None => self.out.extend(&buf),
                }
            }
        }
    }

    fn csi(&mut self, params: &[u8], fin: u8) {
        if fin == b'm'
            && let Ok(p) = std::str::from_utf8(params)
            && !p.starts_with(['?', '<', '=', '>'])
        {
            if let Some(new) = rewrite_sgr(p, self.depth) {
                self.out.extend(b"\x1b[");
                self.out.extend(new.as_bytes());
                self.out.push(b'm');
            }
            return;
        }
        self.out.extend(b"\x1b[");
        self.out.extend(params);
        self.out.push(fin);
    }
}

impl<W: Write> Write for Adapt<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.passthrough() {
            return self.inner.write(buf);
        }
        for &b in buf {
            self.byte(b);
        }
        if !self.out.is_empty() {
            self.inner.write_all(&self.out)?;
            self.out.clear();
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(depth: Depth, ascii: bool, chunks: &[&[u8]]) -> String {
        let mut a = Adapt::new(Vec::new(), depth, ascii);
        for c in chunks {
            a.write_all(c).unwrap();
        }
        String::from_utf8(a.inner).unwrap()
    }

    fn env(term: &str) -> TermEnv {
        TermEnv {
            term: term.into(),
            ..TermEnv::default()
        }
    }

    #[test]
    fn detection_follows_term_colorterm_and_no_color() {
        assert_eq!(env("vt100").depth(), Depth::Mono);
        assert_eq!(env("vt220").depth(), Depth::Mono);
        assert_eq!(env("dumb").depth(), Depth::Mono);
        assert_eq!(env("").depth(), Depth::Mono);
        assert_eq!(env("xterm").depth(), Depth::Ansi16);
        assert_eq!(env("linux").depth(), Depth::Ansi16);
        assert_eq!(env("screen").depth(), Depth::Ansi16);
        assert_eq!(env("xterm-256color").depth(), Depth::Ansi256);
        assert_eq!(env("tmux-256color").depth(), Depth::Ansi256);
        let mut e = env("xterm-256color");
        e.colorterm = "truecolor".into();
        assert_eq!(e.depth(), Depth::True);
        e.no_color = true;
        assert_eq!(e.depth(), Depth::Mono);
        e.forced = Some("16".into());
        assert_eq!(e.depth(), Depth::Ansi16);
        assert!(env("vt100").ascii_only());
        assert!(!env("xterm").ascii_only());
        let mut l = env("xterm");
        l.locale = Some("ru_RU.KOI8-R".into());
        assert!(l.ascii_only());
        l.locale = Some("kk_KZ.UTF-8".into());
        assert!(!l.ascii_only());
    }

    #[test]
    fn named_colours_become_basic_sgr_on_16_colour_terminals() {
        // What crossterm writes for Color::LightRed and Color::Cyan.
        let s = run(
            Depth::Ansi16,
            false,
            &[b"\x1b[38;5;9mA\x1b[48;5;6mB\x1b[0m"],
        );
        assert_eq!(s, "\x1b[91mA\x1b[46mB\x1b[0m");
        // 256-palette and RGB colours go to the nearest of the sixteen.
        let s = run(Depth::Ansi16, false, &[b"\x1b[38;2;250;10;10m"]);
        assert_eq!(s, "\x1b[91m");
        let s = run(Depth::Ansi16, false, &[b"\x1b[38;5;196m"]);
        assert_eq!(s, "\x1b[91m");
    }

    #[test]
    fn a_vt100_gets_no_colour_and_no_blink() {
        let s = run(
            Depth::Mono,
            false,
            &[b"\x1b[1;38;5;9mA\x1b[38;5;9mB\x1b[7mC"],
        );
        // The colour goes; bold and reverse stay; an all-colour SGR is dropped
        // rather than sent empty (which would reset the attributes).
        assert_eq!(s, "\x1b[1mAB\x1b[7mC");
        assert!(!s.contains("5;"));
    }

    #[test]
    fn rgb_is_reduced_to_the_palette_on_256_colour_terminals() {
        let s = run(Depth::Ansi256, false, &[b"\x1b[38;2;255;0;0m"]);
        assert_eq!(s, "\x1b[38;5;196m");
        let s = run(Depth::True, false, &[b"\x1b[38;2;255;0;0m"]);
        assert_eq!(s, "\x1b[38;2;255;0;0m");
    }

    #[test]
    fn sequences_split_across_writes_are_rewritten_whole() {
        let s = run(
            Depth::Ansi16,
            true,
            &[b"\x1b[38;", b"5;1", b"mx\xe2\x80", b"\xa6y"],
        );
        assert_eq!(s, "\x1b[31mx~y");
    }

    #[test]
    fn ascii_mode_replaces_symbols_and_keeps_letters() {
        let s = run(Depth::Mono, true, &["Өтініш … ⧗ → ✓ │ 📁".as_bytes()]);
        assert_eq!(s, "Өтініш ~ * > + | ??");
        // Other escape sequences (cursor moves, modes) pass untouched.
        let s = run(Depth::Mono, true, &[b"\x1b[2;5H\x1b[?2026h\x1b[?25l"]);
        assert_eq!(s, "\x1b[2;5H\x1b[?2026h\x1b[?25l");
    }
}
