//! Shell completions and manual pages, from the same clap tree as `--help`
//! (in the interface language), for the package's build.

use std::path::Path;

use super::{Failure, Outcome, emit};
use crate::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

pub fn completions(shell: Shell, lang: Lang) -> Result<Outcome, Failure> {
    let mut cmd = super::help::command(lang);
    let mut out: Vec<u8> = Vec::new();
    let sh = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(sh, &mut cmd, "kezek", &mut out);
    emit(&String::from_utf8_lossy(&out))?;
    Ok(Outcome::Ok)
}

/// `kezek.1`, `kezek-backup.1`, `kezek-backup-verify.1`, …: one page per
/// command that is not hidden.
pub fn manpages(dir: &Path, lang: Lang) -> Result<Outcome, Failure> {
    let mut cmd = super::help::command(lang);
    cmd.build();
    std::fs::create_dir_all(dir).map_err(|e| super::path_failure(dir, &e))?;
    let mut written = 0usize;
    write_pages(&cmd, "kezek", dir, &mut written)?;
    emit(&format!("{written}\n"))?;
    Ok(Outcome::Ok)
}

fn write_pages(
    cmd: &clap::Command,
    name: &str,
    dir: &Path,
    written: &mut usize,
) -> Result<(), Failure> {
    // clap names are static strings; these few live until the process ends.
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    let page = cmd.clone().name(leaked).bin_name(leaked.replace('-', " "));
    let mut out: Vec<u8> = Vec::new();
    let path = dir.join(format!("{name}.1"));
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(|e| super::path_failure(&path, &e))?;
    std::fs::write(&path, out).map_err(|e| super::path_failure(&path, &e))?;
    *written += 1;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}
