//! Files kezek writes for the user: exports, notices, reports.
//!
//! An output file may hold personal data, and its directory may be shared
//! with colleagues. So the bytes go to a temporary file with an
//! unpredictable name in the target's own directory, created exclusively
//! (`O_CREAT|O_EXCL`: a file or symlink planted there is never opened or
//! followed), readable by its owner only; it is renamed over the target only
//! when complete. A failed write, an early return or SIGTERM/SIGINT/SIGHUP
//! removes it. Nothing is ever written at a fixed, guessable name.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

/// Temporary files not yet renamed into place: removed when a signal ends
/// the process (destructors do not run then).
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// The console ends itself on SIGTERM (restoring the terminal first): then
/// the watcher only removes the files.
static EXIT_ON_SIGNAL: AtomicBool = AtomicBool::new(true);
static WATCHER: OnceLock<()> = OnceLock::new();

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

fn watch_signals() {
    WATCHER.get_or_init(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) else {
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("outfile-signals".into())
            .spawn(move || {
                for sig in signals.forever() {
                    for p in pending().drain(..) {
                        let _ = std::fs::remove_file(p);
                    }
                    if EXIT_ON_SIGNAL.load(Ordering::SeqCst) {
                        // Die of the signal, as if no handler had been installed.
                        let _ = signal_hook::low_level::emulate_default_handler(sig);
                        std::process::exit(128 + sig);
                    }
                }
            });
        drop(spawned);
    });
}

/// The console handles SIGTERM itself: the watcher then removes temporary
/// files and leaves the ending to it.
pub fn leave_exit_to_caller() {
    EXIT_ON_SIGNAL.store(false, Ordering::SeqCst);
}

/// An output file being written: call [`OutFile::commit`] to put it in place.
pub struct OutFile {
    tmp: tempfile::NamedTempFile,
    target: PathBuf,
    _pending: Pending,
}

/// The temporary file's place in [`PENDING`] while it lives.
struct Pending(PathBuf);

impl Drop for Pending {
    fn drop(&mut self) {
        pending().retain(|p| p != &self.0);
    }
}

impl OutFile {
    /// Start writing `target`. Only a fresh, exclusive temporary file
    /// beside it is created now; the target is not touched until `commit`.
    pub fn create(target: &Path) -> io::Result<OutFile> {
        watch_signals();
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut b = tempfile::Builder::new();
        b.prefix(".kezek-").suffix(".tmp").rand_bytes(16);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            b.permissions(std::fs::Permissions::from_mode(0o600));
        }
        // Hold the list while the file is created, so a signal in between
        // waits for its name instead of missing it.
        let mut list = pending();
        // Created with the user's own rights, where the user may write.
        let tmp = crate::privilege::as_real_user(|| b.tempfile_in(dir))?;
        list.push(tmp.path().to_path_buf());
        drop(list);
        give_to_real_user(tmp.as_file())?;
        Ok(OutFile {
            _pending: Pending(tmp.path().to_path_buf()),
            tmp,
            target: target.to_path_buf(),
        })
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flush to disk and rename over the target. With `replace` false an
    /// existing target is kept and the error's kind is `AlreadyExists`.
    pub fn commit(self, replace: bool) -> io::Result<()> {
        self.tmp.as_file().sync_all()?;
        let (tmp, target) = (self.tmp, self.target);
        let mut kept = None;
        let result = crate::privilege::as_real_user(|| {
            let done = if replace {
                tmp.persist(&target).map(drop)
            } else {
                tmp.persist_noclobber(&target).map(drop)
            };
            done.map_err(|e| {
                // The temporary file comes back in the error: removed when it drops.
                kept = Some(e.file);
                e.error
            })
        });
        drop(kept);
        result
    }
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tmp.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.tmp.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.tmp.flush()
    }
}

/// Running setgid to the office group, a new file would belong to that
/// group: hand it to the user's own group, so the export is theirs alone.
fn give_to_real_user(f: &std::fs::File) -> io::Result<()> {
    #[cfg(unix)]
    {
        let real = nix::unistd::getgid();
        if real != nix::unistd::getegid() {
            nix::unistd::fchown(f, None, Some(real)).map_err(io::Error::from)?;
        }
    }
    let _ = f;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unfinished_file_leaves_nothing_and_the_target_untouched() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.csv");
        std::fs::write(&target, "old").expect("write");
        {
            let mut f = OutFile::create(&target).expect("create");
            f.write_all(b"new").expect("write");
        }
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.csv")]);
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "old");
    }

    #[test]
    fn commit_replaces_or_keeps_as_asked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.csv");
        std::fs::write(&target, "old").expect("write");
        let mut f = OutFile::create(&target).expect("create");
        f.write_all(b"new").expect("write");
        let e = f.commit(false).expect_err("must not clobber");
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "old");
        let mut f = OutFile::create(&target).expect("create");
        f.write_all(b"new").expect("write");
        f.commit(true).expect("commit");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "new");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
