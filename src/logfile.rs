//! `kezek.log`, rotated by size: when it passes [`MAX_BYTES`] it becomes
//! `kezek.log.1` (the older ones move up to `.N`, the oldest is dropped)
//! and a new one is started. Several kezek processes may write the same
//! log: rotation takes an advisory lock and looks at the file by its name,
//! so a process whose file was rotated by another follows to the new one.
//!
//! What is logged carries case numbers, logins and timings, never a name,
//! an IIN or a note's text (`tests/logs.rs` checks this).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A log file is rotated when it passes this size.
pub const MAX_BYTES: u64 = 5 * 1024 * 1024;
/// How many rotated generations are kept (`kezek.log.1` … `.3`).
pub const GENERATIONS: u32 = 3;

pub struct RotatingLog {
    path: PathBuf,
    file: File,
    max: u64,
    keep: u32,
    /// Bytes written since the size was last looked at.
    since_check: u64,
}

fn open_append(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

fn generation(path: &Path, n: u32) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(format!(".{n}"));
    PathBuf::from(s)
}

impl RotatingLog {
    pub fn open(path: &Path) -> io::Result<RotatingLog> {
        RotatingLog::with_limits(path, MAX_BYTES, GENERATIONS)
    }

    pub fn with_limits(path: &Path, max: u64, keep: u32) -> io::Result<RotatingLog> {
        Ok(RotatingLog {
            path: path.to_path_buf(),
            file: open_append(path)?,
            max,
            keep: keep.max(1),
            since_check: 0,
        })
    }

    /// Whether our handle is still the file at `path` (another process may
    /// have rotated it away).
    fn still_current(&self) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            match (std::fs::metadata(&self.path), self.file.metadata()) {
                (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
                _ => false,
            }
        }
        #[cfg(not(unix))]
        {
            true
        }
    }

    fn rotate_if_needed(&mut self) -> io::Result<()> {
        if !self.still_current() {
            self.file = open_append(&self.path)?;
        }
        let size = std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        if size < self.max {
            return Ok(());
        }
        // One process rotates at a time; the others find the new file.
        let lock_path = generation(&self.path, 0);
        let lock = open_append(&lock_path)?;
        #[cfg(unix)]
        let _held = nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusive)
            .map_err(|(_, e)| io::Error::from(e))?;
        let size = std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        if size >= self.max {
            let _ = std::fs::remove_file(generation(&self.path, self.keep));
            for n in (1..self.keep).rev() {
                let _ = std::fs::rename(generation(&self.path, n), generation(&self.path, n + 1));
            }
            std::fs::rename(&self.path, generation(&self.path, 1))?;
        }
        self.file = open_append(&self.path)?;
        Ok(())
    }
}

impl Write for RotatingLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Look at the size every 64 KiB written, and before the first write.
        if self.since_check == 0 || self.since_check >= 64 * 1024 {
            self.since_check = 1;
            self.rotate_if_needed()?;
        }
        let n = self.file.write(buf)?;
        self.since_check += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_rotates_by_size_and_keeps_its_generations() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("kezek.log");
        let mut log = RotatingLog::with_limits(&path, 100_000, 2).expect("open");
        let line = [b'x'; 1000];
        for _ in 0..400 {
            log.write_all(&line).expect("write");
            log.write_all(b"\n").expect("write");
        }
        log.flush().expect("flush");
        let size = |p: PathBuf| std::fs::metadata(p).map(|m| m.len()).ok();
        assert!(size(path.clone()).expect("current") < 200_000);
        assert!(size(generation(&path, 1)).is_some());
        assert!(size(generation(&path, 2)).is_some());
        assert!(size(generation(&path, 3)).is_none(), "only two kept");
        // A second writer follows a rotation done by the first.
        let mut other = RotatingLog::with_limits(&path, 100_000, 2).expect("open");
        other.write_all(b"from the other\n").expect("write");
        for _ in 0..200 {
            log.write_all(&line).expect("write");
        }
        other.since_check = 64 * 1024;
        other.write_all(b"after the rotation\n").expect("write");
        let now = std::fs::read_to_string(&path).expect("read");
        assert!(now.contains("after the rotation"), "follows the new file");
    }
}
