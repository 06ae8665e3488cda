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
    body: Body,
    target: PathBuf,
}

enum Body {
    /// Linux: a file with no name at all (`O_TMPFILE`) until it is linked
    /// into place, so even `kill -9` leaves nothing behind.
    #[cfg(target_os = "linux")]
    Unnamed(std::fs::File),
    /// Elsewhere (or where the file system refuses `O_TMPFILE`): an
    /// exclusive file with a random name, removed on drop and on signals.
    Named(tempfile::NamedTempFile, Pending),
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
        let dir = dir_of(target);
        #[cfg(target_os = "linux")]
        if let Ok(f) = crate::privilege::as_real_user(|| unnamed_in(dir)) {
            return Ok(OutFile {
                body: Body::Unnamed(f),
                target: target.to_path_buf(),
            });
        }
        Ok(OutFile {
            body: named_in(dir)?,
            target: target.to_path_buf(),
        })
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flush to disk and put the file at the target. With `replace` false an
    /// existing target is kept and the error's kind is `AlreadyExists`.
    pub fn commit(self, replace: bool) -> io::Result<()> {
        let OutFile { body, target } = self;
        match body {
            #[cfg(target_os = "linux")]
            Body::Unnamed(f) => {
                f.sync_all()?;
                crate::privilege::as_real_user(|| link_unnamed(&f, &target, replace))
            }
            Body::Named(tmp, _pending) => {
                tmp.as_file().sync_all()?;
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
    }
}

fn dir_of(target: &Path) -> &Path {
    match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A named temporary file, registered for removal on signals.
fn named_in(dir: &Path) -> io::Result<Body> {
    watch_signals();
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
    let registered = Pending(tmp.path().to_path_buf());
    Ok(Body::Named(tmp, registered))
}

#[cfg(target_os = "linux")]
fn unnamed_in(dir: &Path) -> io::Result<std::fs::File> {
    use nix::fcntl::OFlag;
    use nix::sys::stat::Mode;
    let fd = nix::fcntl::open(
        dir,
        OFlag::O_TMPFILE | OFlag::O_WRONLY | OFlag::O_CLOEXEC,
        Mode::from_bits_truncate(0o600),
    )
    .map_err(io::Error::from)?;
    let f = std::fs::File::from(fd);
    give_to_real_user(&f)?;
    Ok(f)
}

/// Give the unnamed file its name. Without `replace`, link it at the target
/// itself (the kernel refuses an existing name). With it, link it at a
/// fresh random name and rename that over the target, so the target is
/// never missing or half written.
#[cfg(target_os = "linux")]
fn link_unnamed(f: &std::fs::File, target: &Path, replace: bool) -> io::Result<()> {
    use nix::fcntl::{AT_FDCWD, AtFlags};
    use std::os::fd::AsRawFd;
    let proc_path = format!("/proc/self/fd/{}", f.as_raw_fd());
    let link = |to: &Path| {
        nix::unistd::linkat(
            AT_FDCWD,
            proc_path.as_str(),
            AT_FDCWD,
            to,
            AtFlags::AT_SYMLINK_FOLLOW,
        )
        .map_err(io::Error::from)
    };
    if !replace {
        return link(target);
    }
    let dir = dir_of(target);
    for _ in 0..16 {
        let name = dir.join(format!(".kezek-{}.tmp", random_hex()?));
        match link(&name) {
            Ok(()) => {
                return std::fs::rename(&name, target).inspect_err(|_| {
                    let _ = std::fs::remove_file(&name);
                });
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::from(io::ErrorKind::AlreadyExists))
}

#[cfg(target_os = "linux")]
fn random_hex() -> io::Result<String> {
    use std::io::Read;
    let mut b = [0u8; 12];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut b)?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.body {
            #[cfg(target_os = "linux")]
            Body::Unnamed(f) => f.write(buf),
            Body::Named(t, _) => t.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.body {
            #[cfg(target_os = "linux")]
            Body::Unnamed(f) => f.write_all(buf),
            Body::Named(t, _) => t.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.body {
            #[cfg(target_os = "linux")]
            Body::Unnamed(f) => f.flush(),
            Body::Named(t, _) => t.flush(),
        }
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
    fn the_named_fallback_cleans_up_and_commits_the_same() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.csv");
        let named = |t: &Path| OutFile {
            body: named_in(dir.path()).expect("named"),
            target: t.to_path_buf(),
        };
        {
            let mut f = named(&target);
            f.write_all(b"half").expect("write");
            assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
            assert_eq!(pending().len(), 1, "registered for signals");
        }
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
        assert!(pending().is_empty());
        let mut f = named(&target);
        f.write_all(b"new").expect("write");
        f.commit(false).expect("commit");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "new");
        let f = named(&target);
        let e = f.commit(false).expect_err("must not clobber");
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
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
