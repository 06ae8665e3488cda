//! The office installation with real operating-system accounts: the binary
//! setgid to the group `kezek`, the data directory and the audit key the
//! group's alone, inspectors outside the group. Creating accounts needs
//! root: CI runs as root and must run this; elsewhere it is skipped with a
//! printed reason.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

fn must(cmd: &mut Command) {
    let o = cmd.output().expect("run");
    assert!(o.status.success(), "{cmd:?}: {}", text(&o.stderr));
}

/// An account made for this test and removed after it.
struct Account {
    name: String,
    uid: u32,
    gid: u32,
    home: PathBuf,
    /// What this account puts in KEZEK_USER.
    claims: String,
}

impl Account {
    fn create(name: &str, home: &Path) -> Account {
        must(
            Command::new("useradd")
                .args(["-M", "-s", "/bin/sh", "-d"])
                .arg(home)
                .arg(name),
        );
        std::fs::create_dir_all(home).expect("home");
        let user = nix::unistd::User::from_name(name)
            .expect("lookup")
            .expect("the account exists");
        std::os::unix::fs::chown(home, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
            .expect("chown home");
        Account {
            name: name.to_string(),
            uid: user.uid.as_raw(),
            gid: user.gid.as_raw(),
            home: home.to_path_buf(),
            claims: name.to_string(),
        }
    }

    /// A command run as this account, with an environment it chose: every
    /// KEZEK_* variable pointing somewhere else, which kezek must ignore.
    fn cmd(&self, program: &Path) -> Command {
        let mut c = Command::new(program);
        c.uid(self.uid)
            .gid(self.gid)
            .env_clear()
            .env("PATH", "/usr/bin:/bin:/usr/sbin:/sbin")
            .env("HOME", &self.home)
            .env("LC_ALL", "en_US.UTF-8")
            .env("KEZEK_USER", &self.claims)
            .env("KEZEK_DB", self.home.join("mine.db"))
            .env("KEZEK_CONFIG_DIR", self.home.join("evil-config"))
            .current_dir(&self.home)
            .stdin(Stdio::null());
        c
    }

    fn kezek(&self, bin: &Path, db: &str, args: &[&str]) -> Output {
        self.cmd(bin)
            .arg("--db")
            .arg(db)
            .args(args)
            .output()
            .expect("run kezek")
    }

    fn sh(&self, script: &str) -> Output {
        self.cmd(Path::new("/bin/sh"))
            .arg("-c")
            .arg(script)
            .output()
            .expect("run sh")
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        let _ = Command::new("userdel").arg(&self.name).output();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

/// Files and directories this test made outside its temporary directory,
/// and whether it made the group.
struct Cleanup(Vec<PathBuf>, bool);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if self.1 {
            let _ = Command::new("groupdel").arg("kezek").output();
        }
        for p in self.0.iter().rev() {
            let _ = if p.is_dir() {
                std::fs::remove_dir_all(p)
            } else {
                std::fs::remove_file(p)
            };
        }
    }
}

fn ok(o: &Output, what: &str) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{what}: {}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stdout)
}

fn refused(o: &Output, what: &str) -> String {
    assert_ne!(
        o.status.code(),
        Some(0),
        "{what} was allowed: {}",
        text(&o.stdout)
    );
    text(&o.stderr)
}

#[test]
fn an_inspector_account_cannot_bend_the_office_installation() {
    if !nix::unistd::geteuid().is_root() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI must run the office installation test as root"
        );
        eprintln!("skipped: the office installation test creates OS accounts and needs root");
        return;
    }
    let id = std::process::id();
    let data_dir = Path::new(kezek::privilege::OFFICE_DATA_DIR);
    let mut cleanup = Cleanup(Vec::new(), false);

    // The group, the data directory and the setgid binary, as README's
    // office installation makes them.
    let had_group = nix::unistd::Group::from_name("kezek")
        .expect("lookup")
        .is_some();
    if !had_group {
        must(Command::new("groupadd").args(["--system", "kezek"]));
        cleanup.1 = true;
    }
    let group = nix::unistd::Group::from_name("kezek")
        .expect("lookup")
        .expect("group kezek");
    if !data_dir.exists() {
        std::fs::create_dir_all(data_dir).expect("data dir");
        cleanup.0.push(data_dir.to_path_buf());
    }
    std::os::unix::fs::chown(data_dir, Some(0), Some(group.gid.as_raw())).expect("chown");
    std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o2770)).expect("chmod");
    let bin_dir = PathBuf::from(format!("/opt/kezek-office-test-{id}"));
    std::fs::create_dir_all(&bin_dir).expect("bin dir");
    cleanup.0.push(bin_dir.clone());
    std::fs::set_permissions(&bin_dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let bin = bin_dir.join("kezek");
    std::fs::copy(env!("CARGO_BIN_EXE_kezek"), &bin).expect("copy binary");
    std::os::unix::fs::chown(&bin, Some(0), Some(group.gid.as_raw())).expect("chown");
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o2755)).expect("setgid");
    let fixture = bin_dir.join("applications.json");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/applications.json"),
        &fixture,
    )
    .expect("fixture");
    std::fs::set_permissions(&fixture, std::fs::Permissions::from_mode(0o644)).expect("chmod");

    let db_name = format!("office-test-{id}.db");
    let db = data_dir.join(&db_name);
    for suffix in ["", "-wal", "-shm", ".audit-key"] {
        cleanup
            .0
            .push(PathBuf::from(format!("{}{suffix}", db.display())));
    }
    let homes = bin_dir.join("home");
    let boss = Account::create(&format!("kzt-boss-{id}"), &homes.join("boss"));
    let mut insp = Account::create(&format!("kzt-insp-{id}"), &homes.join("insp"));
    let mut none = Account::create(&format!("kzt-none-{id}"), &homes.join("none"));
    // Both claim to be the supervisor.
    insp.claims = boss.name.clone();
    none.claims = boss.name.clone();
    // The inspector's own rules and calendar, which must change nothing.
    for home in [&insp.home, &none.home] {
        for dir in [home.join("evil-config"), home.join(".config/kezek")] {
            std::fs::create_dir_all(dir.join("procedures")).expect("config");
            std::fs::write(dir.join("calendar.toml"), "this is = not [a calendar").expect("cal");
            std::fs::write(dir.join("procedures/pr.toml"), "approval = \"none\"").expect("pr");
        }
        must(
            Command::new("chown")
                .arg("-R")
                .arg(format!(
                    "{}:",
                    if home == &insp.home {
                        &insp.name
                    } else {
                        &none.name
                    }
                ))
                .arg(home),
        );
    }

    // Root sets up: a new database, its supervisor.
    let as_root = |args: &[&str]| {
        Command::new(&bin)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("LC_ALL", "en_US.UTF-8")
            .arg("--db")
            .arg(&db_name)
            .args(args)
            .output()
            .expect("run")
    };
    ok(&as_root(&["init"]), "init");
    ok(
        &as_root(&[
            "user",
            "add",
            &boss.name,
            "--role",
            "supervisor",
            "--name",
            "Boss",
        ]),
        "first user",
    );
    let meta = std::fs::metadata(&db).expect("db");
    assert_eq!(
        meta.gid(),
        group.gid.as_raw(),
        "the database belongs to the group"
    );
    assert_eq!(
        meta.mode() & 0o007,
        0,
        "others have no access to the database"
    );
    let key = PathBuf::from(format!("{}.audit-key", db.display()));
    let kmeta = std::fs::metadata(&key).expect("key");
    assert_eq!(kmeta.gid(), group.gid.as_raw());
    assert_eq!(
        kmeta.mode() & 0o077,
        0o040,
        "the key: owner and group read only"
    );

    let db_s = db_name.as_str();
    ok(
        &boss.kezek(
            &bin,
            db_s,
            &[
                "user",
                "add",
                &insp.name,
                "--role",
                "inspector",
                "--name",
                "Ivanov",
            ],
        ),
        "supervisor adds an inspector",
    );
    ok(
        &boss.kezek(&bin, db_s, &["import", fixture.to_str().expect("path")]),
        "supervisor imports",
    );

    // The inspector: the file itself is out of reach (what sqlite3 would need).
    let full = db.display().to_string();
    refused(
        &insp.sh(&format!("cat '{full}' > /dev/null")),
        "reading the database",
    );
    refused(&insp.sh(&format!(": >> '{full}'")), "writing the database");
    refused(
        &insp.sh(&format!("cat '{}'", key.display())),
        "reading the audit key",
    );
    refused(
        &insp.sh(&format!(": > '{}/planted'", data_dir.display())),
        "a file in the data dir",
    );
    if Path::new("/usr/bin/sqlite3").exists() {
        refused(
            &insp.sh(&format!(
                "sqlite3 '{full}' \"UPDATE users SET role='supervisor'\""
            )),
            "sqlite3 on the database",
        );
    }

    // …and through kezek every rule holds, whatever the environment says.
    let queue = ok(&insp.kezek(&bin, db_s, &["queue"]), "inspector's queue");
    assert!(queue.contains("2026-RVP-10001"), "{queue}");
    let e = refused(
        &insp.kezek(
            &bin,
            db_s,
            &[
                "user",
                "add",
                "eve",
                "--role",
                "supervisor",
                "--name",
                "Eve",
            ],
        ),
        "an inspector adding a supervisor",
    );
    assert!(e.contains("only a supervisor may add users"), "{e}");
    refused(
        &insp.kezek(&bin, db_s, &["export", "--include-pii"]),
        "--include-pii for an inspector",
    );
    let e = refused(
        &insp.kezek(&bin, "/tmp/other.db", &["queue"]),
        "a database outside the office dir",
    );
    assert!(
        e.contains("the office installation opens only databases in"),
        "{e}"
    );
    refused(
        &insp.kezek(&bin, "../../etc/shadow", &["queue"]),
        "a relative path out of the dir",
    );
    // Files the inspector names are opened with the inspector's rights.
    let e = refused(
        &insp.kezek(&bin, db_s, &["import", key.to_str().expect("path")]),
        "importing the audit key",
    );
    assert!(
        e.contains("ermission denied") || e.contains("os error 13"),
        "{e}"
    );
    refused(
        &insp.kezek(&bin, db_s, &["export", "--out", &full]),
        "an export over the database",
    );
    assert!(db.exists() && std::fs::metadata(&db).expect("db").len() > 0);
    let out = insp.home.join("mine.csv");
    ok(
        &insp.kezek(
            &bin,
            db_s,
            &["export", "--out", out.to_str().expect("path")],
        ),
        "an export to the inspector's home",
    );
    let ometa = std::fs::metadata(&out).expect("export");
    assert_eq!(
        (ometa.uid(), ometa.gid()),
        (insp.uid, insp.gid),
        "the export is the inspector's"
    );
    assert_eq!(ometa.mode() & 0o777, 0o600);
    let v = ok(
        &insp.kezek(&bin, db_s, &["audit", "verify"]),
        "audit verify",
    );
    assert!(v.contains("intact"), "{v}");

    // Nor can the inspector make a database of their own in the office dir.
    for args in [vec!["init"], vec!["demo", "--cases", "3", "--no-open"]] {
        let e = refused(
            &insp.kezek(&bin, "mine.db", &args),
            &format!("{args:?} by an inspector"),
        );
        assert!(e.contains("only root creates databases"), "{args:?}: {e}");
    }
    assert!(!data_dir.join("mine.db").exists());

    // Someone who is not a kezek user sees no case data.
    for args in [
        vec!["queue"],
        vec!["report", "daily"],
        vec!["user", "list"],
        vec!["export"],
        vec!["audit", "show", "2026-RVP-10001"],
    ] {
        let e = refused(
            &none.kezek(&bin, db_s, &args),
            &format!("{args:?} for a non-user"),
        );
        assert!(e.contains("is not a kezek user"), "{args:?}: {e}");
    }

    // Accounts first (userdel), then files and the group.
    drop((boss, insp, none));
    drop(cleanup);
}
