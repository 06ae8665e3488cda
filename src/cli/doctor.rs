//! `kezek doctor`: what is wrong with an office installation (modes, owners,
//! group membership, the audit key), one line per finding.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::{Failure, Outcome, emit};
use crate::domain::msg::Msg;
use crate::i18n::Lang;
use crate::msg;
use crate::privilege::{OFFICE_CONFIG_DIR, OFFICE_DATA_DIR, OFFICE_GROUP};

/// Mode bits as `0640`.
fn mode(m: u32) -> String {
    format!("{:04o}", m & 0o7777)
}

pub fn run(db: Option<PathBuf>, lang: Lang) -> Result<Outcome, Failure> {
    let mut problems: Vec<Msg> = Vec::new();
    let mut fine: Vec<Msg> = Vec::new();
    let group = nix::unistd::Group::from_name(OFFICE_GROUP).ok().flatten();
    let Some(group) = group else {
        problems.push(msg!("cli.doctor.no-group", group = OFFICE_GROUP));
        return report(&fine, &problems, lang);
    };
    let gid = group.gid.as_raw();
    // Nobody but root may be in the group: a member reaches the file directly.
    let members: Vec<String> = group.mem.iter().filter(|m| *m != "root").cloned().collect();
    if members.is_empty() {
        fine.push(msg!("cli.doctor.members-ok", group = OFFICE_GROUP));
    } else {
        problems.push(msg!(
            "cli.doctor.members",
            group = OFFICE_GROUP,
            members = members.join(", ")
        ));
    }
    // The binary: setgid to the group, owned by root, writable by root only.
    match std::env::current_exe().and_then(std::fs::metadata) {
        Ok(m)
            if m.mode() & 0o2000 != 0
                && m.gid() == gid
                && m.uid() == 0
                && m.mode() & 0o022 == 0 =>
        {
            fine.push(Msg::key("cli.doctor.binary-ok"))
        }
        Ok(m) => problems.push(msg!(
            "cli.doctor.binary",
            mode = mode(m.mode()),
            group = OFFICE_GROUP
        )),
        Err(_) => problems.push(msg!("cli.doctor.binary", mode = "?", group = OFFICE_GROUP)),
    }
    // What may hold or decide shared data: the data directory, the database,
    // its key, and root's rules.
    let data = Path::new(OFFICE_DATA_DIR);
    let db = db.unwrap_or_else(|| data.join("kezek.db"));
    let db = if db.is_absolute() { db } else { data.join(db) };
    let key = crate::store::db::key_path(&db);
    let checks: [(&Path, u32, bool); 3] = [
        // (path, bits that must be clear, must belong to the group)
        (data, 0o007, true),
        (&db, 0o007, true),
        (&key, 0o037, true),
    ];
    for (path, forbidden, grouped) in checks {
        let shown = path.display().to_string();
        match std::fs::symlink_metadata(path) {
            Err(_) => problems.push(msg!("cli.doctor.missing", path = &shown)),
            Ok(m) if m.file_type().is_symlink() => {
                problems.push(msg!("cli.doctor.symlink", path = &shown))
            }
            Ok(m) if m.mode() & forbidden != 0 || (grouped && m.gid() != gid) => {
                problems.push(msg!(
                    "cli.doctor.mode",
                    path = &shown,
                    mode = mode(m.mode()),
                    group = OFFICE_GROUP
                ))
            }
            Ok(m) => fine.push(msg!(
                "cli.doctor.path-ok",
                path = &shown,
                mode = mode(m.mode())
            )),
        }
    }
    let etc = Path::new(OFFICE_CONFIG_DIR);
    if let Ok(m) = std::fs::metadata(etc) {
        if m.uid() != 0 || m.mode() & 0o022 != 0 {
            problems.push(msg!(
                "cli.doctor.etc",
                path = etc.display().to_string(),
                mode = mode(m.mode())
            ));
        } else {
            fine.push(msg!(
                "cli.doctor.path-ok",
                path = etc.display().to_string(),
                mode = mode(m.mode())
            ));
        }
    }
    report(&fine, &problems, lang)
}

fn report(fine: &[Msg], problems: &[Msg], lang: Lang) -> Result<Outcome, Failure> {
    let mut out = String::new();
    for m in fine {
        out.push_str(&format!("ok       {}\n", m.text(lang)));
    }
    for m in problems {
        out.push_str(&format!("PROBLEM  {}\n", m.text(lang)));
    }
    emit(&out)?;
    Ok(if problems.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Invalid
    })
}
