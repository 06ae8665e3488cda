//! README's "Running an office" runs as written: every block marked
//! `sh office` is run, in order, by bash as root in a fresh directory that
//! holds the package (built from this tree's debug binary by
//! `packaging/build-deb`). It installs the package on this machine, so it
//! needs root and a machine without kezek installed; CI has both. Without
//! root it is skipped with a message, unless `CI` is set.

use std::path::Path;
use std::process::Command;

/// The `sh office` blocks of README.md, in order.
fn office_blocks(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match &mut current {
            None if line.trim_end() == "```sh office" => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_end() == "```" => {
                blocks.extend(current.take());
            }
            Some(b) => {
                b.push_str(line);
                b.push('\n');
            }
        }
    }
    assert!(current.is_none(), "an unclosed sh office block");
    blocks
}

#[test]
fn the_office_chapter_has_its_steps() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let blocks = office_blocks(&readme);
    let all = blocks.join("");
    for step in [
        "dpkg -i",
        "kezek init",
        "kezek user add",
        "backup --keep",
        "report daily",
        "backup verify",
        "kezek restore",
        "kezek migrate",
    ] {
        assert!(all.contains(step), "README's office chapter lacks {step}");
    }
    assert!(blocks.len() >= 4, "{blocks:?}");
}

#[test]
fn readme_running_an_office_runs_as_written() {
    let ci = std::env::var_os("CI").is_some();
    if !nix::unistd::geteuid().is_root() {
        assert!(!ci, "CI must run the README's office chapter as root");
        eprintln!("skipped: README's office chapter installs a package and needs root");
        return;
    }
    let installed = Command::new("dpkg")
        .args(["-s", "kezek"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    let taken = installed
        || Path::new("/var/lib/kezek").exists()
        || nix::unistd::Group::from_name("kezek")
            .ok()
            .flatten()
            .is_some()
        || nix::unistd::User::from_name("asel")
            .ok()
            .flatten()
            .is_some();
    if taken {
        assert!(
            !ci,
            "CI's machine already has kezek, its group or the account asel"
        );
        eprintln!("skipped: kezek (or its group, or the account asel) is already on this machine");
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(repo.join("README.md")).expect("README.md");
    let script = office_blocks(&readme).join("");
    let dir = tempfile::tempdir().expect("tmp");
    // The package, from the binary this test suite built.
    let built = Command::new(repo.join("packaging/build-deb"))
        .args(["--profile", "debug", "--out"])
        .arg(dir.path())
        .output()
        .expect("build-deb");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    struct Cleanup;
    impl Drop for Cleanup {
        fn drop(&mut self) {
            let _ = Command::new("dpkg").args(["-P", "kezek"]).output();
            let _ = Command::new("userdel").args(["-r", "asel"]).output();
        }
    }
    let _cleanup = Cleanup;
    let run = Command::new("bash")
        .args(["-euo", "pipefail", "-x", "-c", &script])
        .current_dir(dir.path())
        .env_remove("KEZEK_DB")
        .env_remove("KEZEK_USER")
        .env_remove("KEZEK_CONFIG_DIR")
        .env("LANG", "en_US.UTF-8")
        .output()
        .expect("bash");
    assert!(
        run.status.success(),
        "README's office chapter failed:\n{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(out.contains("backup written"), "{out}");
    assert!(out.contains("restored:"), "{out}");
    assert!(out.contains("audit chain intact"), "{out}");
    assert!(!out.contains("PROBLEM"), "{out}");
}
