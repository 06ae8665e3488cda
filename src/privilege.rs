//! The office installation's trust boundary.
//!
//! On a shared server the `kezek` binary is installed setgid to the group
//! `kezek`, which alone may read and write the data directory (the case
//! database and its audit key); inspectors are not in that group. Then the
//! only way to change the shared data is through kezek's own rules, so
//! while kezek runs with raised privileges it trusts nothing the person
//! running it controls: the actor is the real user id (never `KEZEK_USER`),
//! `KEZEK_*` variables are ignored, the database must lie in the office data
//! directory, rules, calendar and templates come from the built-in data or
//! root's `/etc/kezek`, and files the user names (an import, an export, a
//! config file) are opened with the user's own credentials.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The office data directory: the only place a privileged kezek opens a
/// database (fixed when kezek is built, so nothing at run time moves it).
pub const OFFICE_DATA_DIR: &str = match option_env!("KEZEK_OFFICE_DATA_DIR") {
    Some(d) => d,
    None => "/var/lib/kezek",
};

/// Rules, calendar and templates of the office installation: root's files.
pub const OFFICE_CONFIG_DIR: &str = match option_env!("KEZEK_OFFICE_CONFIG_DIR") {
    Some(d) => d,
    None => "/etc/kezek",
};

/// The group the binary is setgid to, which owns the data directory.
pub const OFFICE_GROUP: &str = "kezek";

/// Whether this process runs with privileges its user does not have
/// (setgid or setuid), decided once, before anything is switched.
pub fn privileged() -> bool {
    static P: OnceLock<bool> = OnceLock::new();
    *P.get_or_init(|| {
        #[cfg(unix)]
        {
            use nix::unistd::{getegid, geteuid, getgid, getuid};
            getegid() != getgid() || geteuid() != getuid()
        }
        #[cfg(not(unix))]
        {
            false
        }
    })
}

/// An environment variable, or nothing when privileged (the person running
/// kezek sets the environment).
pub fn env_var_os(name: &str) -> Option<std::ffi::OsString> {
    if privileged() {
        return None;
    }
    std::env::var_os(name)
}

/// Run `f` with the real user's credentials: files the user names are
/// opened and created with the user's own rights, never the office group's
/// (so `--out /var/lib/kezek/kezek.db` or an import of the audit key fail
/// as they would for the user).
pub fn as_real_user<T>(f: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    if !privileged() {
        return f();
    }
    #[cfg(unix)]
    {
        use nix::unistd::{getegid, geteuid, getgid, getuid, setegid, seteuid};
        let (egid, euid) = (getegid(), geteuid());
        // Lower the user first only when setuid; the group always.
        setegid(getgid()).map_err(io::Error::from)?;
        if euid != getuid()
            && let Err(e) = seteuid(getuid())
        {
            let _ = setegid(egid);
            return Err(io::Error::from(e));
        }
        let out = f();
        // Raise again through the saved ids (the kernel keeps them for setgid/setuid programs).
        if euid != getuid() {
            seteuid(euid).map_err(io::Error::from)?;
        }
        setegid(egid).map_err(io::Error::from)?;
        out
    }
    #[cfg(not(unix))]
    {
        f()
    }
}

/// Read a file the user names (an import, a setting), as the user.
pub fn read_as_user(path: &Path) -> io::Result<Vec<u8>> {
    as_real_user(|| std::fs::read(path))
}

/// Read a text file the user names, as the user.
pub fn read_to_string_as_user(path: &Path) -> io::Result<String> {
    as_real_user(|| std::fs::read_to_string(path))
}

/// The database a privileged kezek may open: a plain name or a path inside
/// the office data directory (after resolving symlinks and `..`).
pub fn office_db(asked: Option<&Path>) -> Result<PathBuf, PathBuf> {
    let dir = Path::new(OFFICE_DATA_DIR);
    let asked = match asked {
        None => return Ok(dir.join("kezek.db")),
        Some(p) => p,
    };
    let candidate = if asked.is_absolute() {
        asked.to_path_buf()
    } else if asked.components().count() == 1 {
        dir.join(asked)
    } else {
        return Err(asked.to_path_buf());
    };
    // Resolve the directory part: the file itself may not exist yet (init).
    let parent = candidate.parent().unwrap_or(dir);
    let real_dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    match (std::fs::canonicalize(parent), candidate.file_name()) {
        (Ok(p), Some(name)) if p == real_dir => {
            let full = p.join(name);
            // A symlink planted as the database would lead elsewhere.
            match std::fs::symlink_metadata(&full) {
                Ok(m) if m.file_type().is_symlink() => Err(asked.to_path_buf()),
                _ => Ok(full),
            }
        }
        _ => Err(asked.to_path_buf()),
    }
}
