//! Commands on the case database: users, audit, demo, queue.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Subcommand, ValueEnum};

use super::{Failure, Format, Outcome, emit, parse_now};
use crate::domain::msg::{Localize, Msg};
use crate::domain::procedure::Role;
use crate::domain::term::{self, Unit};
use crate::domain::text::printable;
use crate::i18n::{Lang, t};
use crate::msg;
use crate::store::cases::{QueueFilter, QueueRow};
use crate::store::{Store, db, users};

pub(crate) use crate::base::{create_store, office_path, open_store, private_file};

/// `kezek init`: create a new, empty database (a database already there is
/// left as it is and the command fails).
pub fn init(db: Option<PathBuf>, lang: Lang) -> Result<Outcome, Failure> {
    let path = office_path(db)?
        .or_else(db::default_path)
        .ok_or_else(|| Failure(Msg::key("cli.no-db")))?;
    if crate::privilege::privileged() && !nix::unistd::getuid().is_root() {
        return Err(Failure(msg!(
            "cli.office-root-only",
            dir = crate::privilege::OFFICE_DATA_DIR
        )));
    }
    let exists = match crate::store::engine::target(&path) {
        crate::store::engine::Target::Sqlite(file) => file.exists(),
        crate::store::engine::Target::Postgres(url) => db::pg_initialized(&url)?,
    };
    if exists {
        return Err(Failure(msg!("cli.init.exists", path = shown(&path))));
    }
    let (_, path) = create_store(Some(path), lang)?;
    let done = msg!("cli.init.created", path = shown(&path));
    emit(&format!("{}\n", done.text(lang)))?;
    Ok(Outcome::Ok)
}

/// A `--db` as said to the user: a PostgreSQL password never is.
pub(crate) fn shown(db: &std::path::Path) -> String {
    match crate::store::engine::target(db) {
        crate::store::engine::Target::Postgres(url) => crate::store::engine::pg::redact(&url),
        crate::store::engine::Target::Sqlite(_) => db.display().to_string(),
    }
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a kezek user for an operating-system login (the first user becomes supervisor).
    Add {
        /// The user's operating-system login.
        login: String,
        /// The user's role.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The user's full name.
        #[arg(long)]
        name: String,
        /// On a regional server: the unit (default: the supervisor's own).
        #[arg(long, value_name = "NAME")]
        unit: Option<String>,
        /// On a regional server: the region of a regional user.
        #[arg(long, value_name = "NAME")]
        region: Option<String>,
    },
    /// Change a user's role (supervisors; never their own).
    Role {
        /// The user's login.
        login: String,
        /// The new role.
        #[arg(value_enum)]
        role: RoleArg,
    },
    /// List users.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Inspector,
    Supervisor,
    Auditor,
    Regional,
}

impl RoleArg {
    fn id(self) -> &'static str {
        match self {
            RoleArg::Inspector => "inspector",
            RoleArg::Supervisor => "supervisor",
            RoleArg::Auditor => "auditor",
            RoleArg::Regional => "regional",
        }
    }

    /// The role on an office database (no regional role there).
    fn office(self) -> Result<Role, Failure> {
        match self {
            RoleArg::Inspector => Ok(Role::Inspector),
            RoleArg::Supervisor => Ok(Role::Supervisor),
            RoleArg::Auditor => Ok(Role::Auditor),
            RoleArg::Regional => Err(Failure(Msg::key("cli.region.regional-office"))),
        }
    }
}

/// `kezek user …` on a regional server: the server creates the login role,
/// grants its group role and checks that the caller may.
fn user_on_server(url: &str, cmd: UserCommand, lang: Lang) -> Result<Outcome, Failure> {
    use crate::store::region;
    let mut c = region::connect(url)?;
    match cmd {
        UserCommand::Add {
            login,
            role,
            name,
            unit,
            region: r,
        } => {
            let given = region::add_user(
                &mut c,
                &login,
                &name,
                role.id(),
                unit.as_deref(),
                r.as_deref(),
            )?;
            emit(&format!(
                "{}\n",
                msg!(
                    "cli.user.added",
                    login = &login,
                    role = Msg::key(role_key(&given))
                )
                .text(lang)
            ))?;
        }
        UserCommand::Role { login, role } => {
            region::set_role(&mut c, &login, role.id())?;
            emit(&format!(
                "{}\n",
                msg!(
                    "cli.user.role-set",
                    login = &login,
                    role = Msg::key(role_key(role.id()))
                )
                .text(lang)
            ))?;
        }
        UserCommand::List { format } => {
            let list = region::users(&mut c)?;
            let out = match format {
                Format::Json => super::json_out(&list)?,
                Format::Text => list
                    .iter()
                    .map(|u| {
                        format!(
                            "{:<16} {:<12} {:<12} {}\n",
                            printable(&u.login),
                            t(lang, role_key(&u.role)),
                            printable(&u.place),
                            printable(&u.name)
                        )
                    })
                    .collect(),
            };
            emit(&out)?;
        }
    }
    Ok(Outcome::Ok)
}

fn role_key(role: &str) -> &'static str {
    match role {
        "supervisor" => "role.supervisor",
        "auditor" => "role.auditor",
        "regional" => "role.regional",
        _ => "role.inspector",
    }
}

pub fn user(db: Option<PathBuf>, cmd: UserCommand, lang: Lang) -> Result<Outcome, Failure> {
    if let Some(url) = db
        .clone()
        .or_else(|| crate::privilege::env_var_os("KEZEK_DB").map(PathBuf::from))
        .filter(|p| super::region::is_server(p))
        .map(|p| p.to_string_lossy().to_string())
    {
        return user_on_server(&url, cmd, lang);
    }
    let (mut store, _) = open_store(db, lang)?;
    match cmd {
        UserCommand::Add {
            login,
            role,
            name,
            unit,
            region,
        } => {
            if unit.is_some() || region.is_some() {
                return Err(Failure(Msg::key("cli.region.units-office")));
            }
            let role = role.office()?;
            let by = users::current_login()?;
            let given = store.add_user(&by, &login, role, &name)?;
            let added = if given != role {
                msg!("cli.user.added-first", login = &login)
            } else {
                msg!(
                    "cli.user.added",
                    login = &login,
                    role = Msg::key(given.key())
                )
            };
            emit(&format!("{}\n", added.text(lang)))?;
        }
        UserCommand::Role { login, role } => {
            let role = role.office()?;
            let by = store.current_actor()?;
            store.set_role(&by.login, &login, role)?;
            emit(&format!(
                "{}\n",
                msg!(
                    "cli.user.role-set",
                    login = &login,
                    role = Msg::key(role.key())
                )
                .text(lang)
            ))?;
        }
        UserCommand::List { format } => {
            // Only kezek users see who the others are.
            store.current_actor()?;
            let list = store.users()?;
            let out = match format {
                Format::Json => super::json_out(&list)?,
                Format::Text => list
                    .iter()
                    .map(|u| {
                        format!(
                            "{:<16} {:<12} {}\n",
                            u.login,
                            t(lang, u.role.key()),
                            printable(&u.name)
                        )
                    })
                    .collect(),
            };
            emit(&out)?;
        }
    }
    Ok(Outcome::Ok)
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain: exit 0 when intact, 1 naming the first bad row.
    Verify {
        /// A chain head kept outside the database (SEQ:HASH, or a file such as
        /// a saved daily report): the log must still hold that row unchanged.
        #[arg(long, value_name = "ANCHOR")]
        anchor: Vec<String>,
    },
    /// Key the audit chain of a database made before audit keys (supervisors or root).
    Seal,
    /// A case's history, oldest first.
    Show {
        /// The case number.
        case: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Show IINs and BINs unmasked in the recorded values (supervisors only).
        #[arg(long)]
        include_pii: bool,
    },
}

pub fn audit(db: Option<PathBuf>, cmd: AuditCommand, lang: Lang) -> Result<Outcome, Failure> {
    let (mut store, path) = open_store(db, lang)?;
    match cmd {
        AuditCommand::Seal => {
            let by = users::current_login()?;
            // Root sets up the office installation (where it is no kezek user).
            let root = crate::privilege::privileged() && nix::unistd::getuid().is_root();
            if !root && store.current_actor()?.role != Role::Supervisor {
                return Err(Failure(msg!("cli.audit.seal-who", login = &by)));
            }
            let rows = store.seal_audit(&path, &by, Utc::now())?;
            let done = msg!(
                "cli.audit.sealed",
                rows = rows,
                key = db::key_path(&path).display().to_string()
            );
            emit(&format!("{}\n", done.text(lang)))?;
            Ok(Outcome::Ok)
        }
        AuditCommand::Verify { anchor } => {
            let mut v = store.verify_audit()?;
            if v.first_break.is_none() {
                for (seq, hash) in anchors(&anchor)? {
                    if !store.audit_has(seq, &hash)? {
                        v.first_break = Some(crate::store::audit::Break {
                            seq,
                            reason: Msg::key("error.audit.anchor"),
                        });
                        break;
                    }
                }
            }
            if !store.audit_keyed() {
                eprintln!("kezek: {}", Msg::key("cli.audit.unkeyed").text(lang));
            }
            match v.first_break {
                None => {
                    let ok = msg!("cli.audit.intact", rows = v.rows, path = shown(&path));
                    emit(&format!("{}\n", ok.text(lang)))?;
                    Ok(Outcome::Ok)
                }
                Some(b) => {
                    let broken = msg!("cli.audit.broken", row = b.seq, reason = b.reason.clone());
                    emit(&format!("{}\n", broken.text(lang)))?;
                    Ok(Outcome::Invalid)
                }
            }
        }
        AuditCommand::Show {
            case,
            format,
            include_pii,
        } => {
            let actor = store.current_actor()?;
            if include_pii && actor.role != Role::Supervisor {
                return Err(pii_refused(&actor));
            }
            store.case(&case)?;
            let mut rows = store.audit_of(&case)?;
            for r in &mut rows {
                r.before = r
                    .before
                    .as_deref()
                    .map(|x| crate::store::export::protect_ids(x, include_pii));
                r.after = r
                    .after
                    .as_deref()
                    .map(|x| crate::store::export::protect_ids(x, include_pii));
            }
            let out = match format {
                Format::Json => super::json_out(&rows)?,
                Format::Text => rows
                    .iter()
                    .map(|r| {
                        format!(
                            "{:>6}  {}  {:<12} {}\n",
                            r.seq,
                            super::wall_clock(&store.cal, lang, &r.at),
                            printable(&r.actor),
                            printable(&r.action)
                        )
                    })
                    .collect(),
            };
            emit(&out)?;
            Ok(Outcome::Ok)
        }
    }
}

/// `SEQ:HASH` anchors, given as such or found in a file (a saved report).
pub(crate) fn anchors(given: &[String]) -> Result<Vec<(i64, String)>, Failure> {
    fn parse(s: &str) -> Option<(i64, String)> {
        let (seq, hash) = s.split_once(':')?;
        let ok = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
        Some((seq.parse().ok()?, hash.to_ascii_lowercase())).filter(|_| ok)
    }
    let mut out = Vec::new();
    for g in given {
        if let Some(a) = parse(g) {
            out.push(a);
            continue;
        }
        let path = std::path::Path::new(g);
        let text = crate::privilege::read_to_string_as_user(path)
            .map_err(|e| super::path_failure(path, &e))?;
        let found: Vec<(i64, String)> = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == ':'))
            .filter_map(parse)
            .collect();
        if found.is_empty() {
            return Err(Failure(msg!("cli.audit.no-anchor", file = g)));
        }
        out.extend(found);
    }
    Ok(out)
}

/// `--include-pii` asked for by someone who is not a supervisor.
fn pii_refused(actor: &crate::domain::case::Actor) -> Failure {
    Failure(msg!(
        "cli.pii-supervisors",
        login = &actor.login,
        role = Msg::key(actor.role.key())
    ))
}

/// The largest demo caseload.
const MAX_DEMO_CASES: usize = 1_000_000;

/// `kezek demo`: create or refill a database with the demo caseload.
pub fn demo(
    db: Option<PathBuf>,
    cases: usize,
    seed: u64,
    now: Option<&str>,
    no_open: bool,
    lang: crate::i18n::Lang,
) -> Result<Outcome, Failure> {
    let now = parse_now(now)?;
    // The demo never goes into the working database: without --db it has a
    // file of its own beside it in the data directory.
    let db = db.or_else(|| db::default_path().map(|p| p.with_file_name("kezek-demo.db")));
    let (mut store, path) = create_store(db, lang)?;
    let me = users::current_login()?;
    // The person running the demo becomes its supervisor, so they can act in it.
    if store.user(&me)?.is_none() {
        let first = store.users()?.is_empty();
        if first {
            store.add_user(&me, &me, Role::Supervisor, &me)?;
        }
    }
    let actor = store.current_actor()?;
    for (login, name, role) in crate::demo::STAFF {
        if store.user(login)?.is_none() {
            store.add_user(&actor.login, login, *role, name)?;
        }
    }
    if cases > MAX_DEMO_CASES {
        return Err(Failure(msg!("cli.demo.too-many", max = MAX_DEMO_CASES)));
    }
    let generated = crate::demo::generate(&store.cal, &store.rules, cases, seed, now);
    // The audit log records when the rows were really written, whatever --now says.
    let (inserted, skipped) =
        store.insert_cases(&actor, &generated, Utc::now(), "case.create (demo)")?;
    let done = msg!(
        "cli.demo.created",
        inserted = inserted,
        skipped = skipped,
        path = shown(&path)
    );
    emit(&format!("{}\n{}\n\n", shown(&path), done.text(lang)))?;
    drop(store);
    use std::io::IsTerminal;
    if !no_open && std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return crate::tui::run(Some(path), lang);
    }
    // Without a terminal (or with --no-open): the most urgent cases as text.
    queue(
        Some(path),
        QueueArgs {
            mine: false,
            assignee: None,
            unassigned: false,
            procedure: None,
            format: QueueFormat::Table,
            limit: Some(15),
            now: Some(now.to_rfc3339()),
        },
        lang,
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum QueueFormat {
    #[default]
    Table,
    Csv,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct QueueArgs {
    /// Only cases assigned to me (the operating-system user).
    #[arg(long, conflicts_with_all = ["assignee", "unassigned"])]
    pub mine: bool,
    /// Only cases assigned to LOGIN.
    #[arg(long, value_name = "LOGIN", conflicts_with = "unassigned")]
    pub assignee: Option<String>,
    /// Only unassigned cases.
    #[arg(long)]
    pub unassigned: bool,
    /// Only one procedure (id or code).
    #[arg(long)]
    pub procedure: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: QueueFormat,
    /// Show at most N cases.
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
    /// Compute time left as of this moment (RFC 3339; default: now).
    #[arg(long, value_name = "INSTANT")]
    pub now: Option<String>,
}

fn time_left(store: &Store, r: &QueueRow, now: DateTime<Utc>, lang: Lang) -> String {
    let Some(due) = r.next_due else {
        return String::new();
    };
    let unit = r.next_due_unit.unwrap_or(Unit::WorkingDays);
    let due_day = term::local(&store.cal, due).date();
    match term::time_left(&store.cal, unit, due_day, due, now) {
        Ok(t) => t.msg().text(lang),
        Err(e) => e.msg().text(lang),
    }
}

fn csv_field(s: &str) -> String {
    let mut out = String::new();
    crate::store::export::csv_cell(&mut out, s);
    out
}

pub fn queue(db: Option<PathBuf>, args: QueueArgs, lang: Lang) -> Result<Outcome, Failure> {
    let now = parse_now(args.now.as_deref())?;
    let (store, _) = open_store(db, lang)?;
    // Case data is for kezek users only.
    store.current_actor()?;
    let assignee = if args.mine {
        Some(users::current_login()?)
    } else {
        args.assignee
    };
    // A login that is no one's would silently list nothing.
    if let Some(login) = assignee.as_deref().filter(|_| !args.mine)
        && store.user(login)?.is_none()
    {
        let known: Vec<String> = store.users()?.into_iter().map(|u| u.login).collect();
        return Err(Failure(msg!(
            "cli.no-such-user",
            login = printable(login).into_owned(),
            users = known.join(", ")
        )));
    }
    if let Some(p) = &args.procedure {
        store.rules.procedure(p)?;
    }
    let procedure = match &args.procedure {
        Some(p) => Some(store.rules.procedure(p)?.id.clone()),
        None => None,
    };
    let rows = store.queue(&QueueFilter {
        assignee,
        unassigned: args.unassigned,
        procedure,
        limit: args.limit,
    })?;
    let zone = store.cal.zone();
    let rfc = |t: Option<DateTime<Utc>>| {
        t.map(|t| {
            t.with_timezone(&zone)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
        })
        .unwrap_or_default()
    };
    let out = match args.format {
        QueueFormat::Json => {
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "number": r.number,
                        "procedure": r.procedure,
                        "applicant": r.applicant,
                        "citizenship": r.citizenship,
                        "status": r.status,
                        "stage": r.stage,
                        "next_deadline": r.next_due.map(|_| rfc(r.next_due)),
                        "deadline": r.next_due_what,
                        "overdue": r.next_due.is_some_and(|d| d < now),
                        "time_left": time_left(&store, r, now, lang),
                        "minutes_left": r.next_due.map(|d| (d - now).num_minutes()),
                        "assignee": r.assignee,
                        "unreadable": r.unreadable,
                    })
                })
                .collect();
            super::json_out(&list)?
        }
        QueueFormat::Csv => {
            // RFC 4180 line ends, as `kezek export` writes them; the time
            // left also as signed minutes (negative: overdue) for sorting.
            let mut s = String::from(
                "number,procedure,applicant,stage,next_deadline,overdue,minutes_left,time_left,assignee\r\n",
            );
            for r in &rows {
                s.push_str(
                    &[
                        csv_field(&r.number),
                        csv_field(&r.procedure),
                        csv_field(&r.applicant),
                        csv_field(r.stage.as_deref().unwrap_or("")),
                        rfc(r.next_due),
                        r.next_due.is_some_and(|d| d < now).to_string(),
                        r.next_due
                            .map(|d| (d - now).num_minutes().to_string())
                            .unwrap_or_default(),
                        csv_field(&time_left(&store, r, now, lang)),
                        csv_field(r.assignee.as_deref().unwrap_or("")),
                    ]
                    .join(","),
                );
                s.push_str("\r\n");
            }
            s
        }
        QueueFormat::Table => {
            let mut s = format!(
                "{:<2} {:<16} {:<12} {:<26} {:<22} {:<25} {:<28} {}\n",
                "",
                t(lang, "col.case"),
                t(lang, "col.procedure"),
                t(lang, "col.applicant"),
                t(lang, "col.stage"),
                t(lang, "col.deadline"),
                t(lang, "col.left"),
                t(lang, "col.assignee")
            );
            for r in &rows {
                let overdue = if r.next_due.is_some_and(|d| d < now) {
                    "!!"
                } else {
                    ""
                };
                let procedure = store.rules.procedure(&r.procedure).ok();
                let code = procedure
                    .map(|p| crate::i18n::procedure_code(p, lang))
                    .unwrap_or_else(|| r.procedure.clone());
                let stage = match (procedure, r.stage.as_deref()) {
                    (Some(p), Some(id)) => p
                        .stage_place(id)
                        .map(|(_, _, st)| st.title.get(lang).to_string())
                        .unwrap_or_else(|| id.to_string()),
                    (None, Some(id)) => id.to_string(),
                    _ => "-".to_string(),
                };
                let due = r
                    .next_due
                    .map(|d| crate::i18n::local(lang, term::local(&store.cal, d)))
                    .unwrap_or_default();
                s.push_str(&format!(
                    "{:<2} {:<16} {:<12} {:<26} {:<22} {:<25} {:<28} {}\n",
                    overdue,
                    r.number,
                    code,
                    match &r.unreadable {
                        Some(_) => t(lang, "queue.unreadable").to_string(),
                        None => crate::i18n::fit(&printable(&r.applicant), 26),
                    },
                    crate::i18n::fit(&printable(&stage), 22),
                    due,
                    time_left(&store, r, now, lang),
                    r.assignee.as_deref().unwrap_or("-")
                ));
            }
            s
        }
    };
    emit(&out)?;
    Ok(Outcome::Ok)
}

/// `kezek import FILE`: all or nothing.
pub fn import(
    db: Option<PathBuf>,
    file: PathBuf,
    format: Option<ImportFormat>,
    lang: Lang,
) -> Result<Outcome, Failure> {
    // Read with the user's own rights: the office group's would let an
    // import read the audit key or another office file.
    let bytes =
        crate::privilege::read_as_user(&file).map_err(|e| super::path_failure(&file, &e))?;
    let csv = match format {
        Some(ImportFormat::Csv) => true,
        Some(ImportFormat::Json) => false,
        None => match file
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => true,
            Some("json") => false,
            // Otherwise JSON starts with '[' (after an optional byte-order mark).
            _ => bytes
                .strip_prefix(&[0xEF, 0xBB, 0xBF])
                .unwrap_or(&bytes)
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_none_or(|&b| b != b'['),
        },
    };
    let (mut store, _) = open_store(db, lang)?;
    let actor = store.current_actor()?;
    // Who may be named as assignee: the same rule as assigning by hand
    // (a supervisor assigns anyone but an auditor; an inspector only themselves).
    let users: std::collections::BTreeSet<String> = store
        .users()?
        .into_iter()
        .filter(|u| u.role != Role::Auditor)
        .filter(|u| actor.role == Role::Supervisor || u.login == actor.login)
        .map(|u| u.login)
        .collect();
    let existing = store.case_numbers_by_key()?;
    let parsed = crate::store::import::parse_against(
        &bytes,
        csv,
        &store.cal,
        &store.rules,
        &users,
        &existing,
    );
    let cases = match parsed {
        Ok(c) => c,
        Err(errors) => {
            for e in &errors {
                eprintln!("{}: {}", file.display(), printable(&e.msg().text(lang)));
            }
            let none = msg!(
                "cli.import.nothing",
                n = errors.len(),
                file = file.display().to_string()
            );
            eprintln!("kezek: {}", none.text(lang));
            // Unusable input: exit 2, as README gives for every command.
            return Ok(Outcome::Unusable);
        }
    };
    let valid = msg!("cli.import.valid", n = cases.len());
    eprintln!("kezek: {}", valid.text(lang));
    let (inserted, skipped) = store.insert_cases(&actor, &cases, Utc::now(), "case.import")?;
    let done = msg!(
        "cli.import.done",
        file = file.display().to_string(),
        inserted = inserted,
        skipped = skipped
    );
    emit(&format!("{}\n", done.text(lang)))?;
    Ok(Outcome::Ok)
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportFormat {
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormatArg {
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum StatusArg {
    Open,
    Decided,
    #[default]
    All,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: ExportFormatArg,
    /// Only one procedure (id or code).
    #[arg(long)]
    pub procedure: Option<String>,
    /// Which cases: open, decided or all.
    #[arg(long, value_enum, default_value_t)]
    pub status: StatusArg,
    /// Received on or after this day (YYYY-MM-DD).
    #[arg(long, value_parser = super::parse_day, value_name = "DAY")]
    pub from: Option<chrono::NaiveDate>,
    /// Received on or before this day (YYYY-MM-DD).
    #[arg(long, value_parser = super::parse_day, value_name = "DAY")]
    pub to: Option<chrono::NaiveDate>,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
    /// Show IINs and BINs unmasked (supervisors only).
    #[arg(long)]
    pub include_pii: bool,
    /// Start a CSV with a byte-order mark, for Excel.
    #[arg(long)]
    pub bom: bool,
    /// Export the audit log instead of the cases.
    #[arg(long)]
    pub audit: bool,
}

/// `kezek export`.
pub fn export(db: Option<PathBuf>, args: ExportArgs, lang: Lang) -> Result<Outcome, Failure> {
    use crate::store::export::{ExportFilter, ExportFormat, StatusFilter};
    let (store, _) = open_store(db, lang)?;
    let actor = store.current_actor()?;
    if args.include_pii && actor.role != Role::Supervisor {
        return Err(pii_refused(&actor));
    }
    if let (Some(f), Some(to)) = (args.from, args.to)
        && f > to
    {
        return Err(Failure(msg!("cli.from-after-to", from = f, to = to)));
    }
    let procedure = match &args.procedure {
        Some(p) => Some(store.rules.procedure(p)?.id.clone()),
        None => None,
    };
    // Write to a temporary file beside the target and rename it into place,
    // so that a failed export never leaves half a file behind.
    let mut file = match &args.out {
        Some(path) => Some(std::io::BufWriter::new(
            private_file(path).map_err(|e| super::path_failure(path, &e))?,
        )),
        None => None,
    };
    let mut stdout = super::PipeOut::new(std::io::BufWriter::new(std::io::stdout().lock()));
    let sink: &mut dyn std::io::Write = match file.as_mut() {
        Some(f) => f,
        None => &mut stdout,
    };
    let result = if args.audit {
        store.export_audit(sink, args.include_pii)
    } else {
        let filter = ExportFilter {
            procedure,
            status: match args.status {
                StatusArg::Open => StatusFilter::Open,
                StatusArg::Decided => StatusFilter::Decided,
                StatusArg::All => StatusFilter::All,
            },
            from: args.from,
            to: args.to,
        };
        let format = match args.format {
            ExportFormatArg::Csv => ExportFormat::Csv { bom: args.bom },
            ExportFormatArg::Json => ExportFormat::Json,
        };
        store.export_cases(sink, &filter, format, args.include_pii)
    };
    // A reader that stopped reading (`kezek export | head`) is not an error.
    if file.is_none() && stdout.closed() {
        return Ok(Outcome::Ok);
    }
    // On an error the temporary file is dropped, and with it removed.
    let n = result?;
    let Some(file) = file else {
        return Ok(Outcome::Ok);
    };
    let path = file.get_ref().target().to_path_buf();
    file.into_inner()
        .map_err(|e| super::path_failure(&path, e.error()))?
        .commit(true)
        .map_err(|e| super::path_failure(&path, &e))?;
    let done = msg!(
        "cli.export.written",
        n = n,
        path = path.display().to_string()
    );
    eprintln!("kezek: {}", done.text(lang));
    Ok(Outcome::Ok)
}

/// Apply a transition, re-reading the case when a colleague changed it in
/// between and waiting out a busy database, within bounds; then a clear message.
fn act_with_retry<F>(store: &mut Store, number: &str, transition: F) -> Result<i64, Failure>
where
    F: Fn(
        &crate::domain::case::Case,
        &crate::domain::case::Ctx<'_>,
        &dyn crate::domain::case::CaseQueries,
    ) -> Result<Vec<crate::domain::case::Event>, crate::domain::case::Violation>,
{
    use crate::store::StoreError;
    let actor = store.current_actor()?;
    let started = std::time::Instant::now();
    let mut attempt: u64 = 0;
    loop {
        attempt += 1;
        let seen = store.case(number)?.row_version;
        match store.act(&actor, number, seen, Utc::now(), &transition) {
            Ok((v, _)) => return Ok(v),
            // Someone saved in between: this command re-reads and applies its own change again.
            Err(StoreError::Stale { .. } | StoreError::Busy)
                if started.elapsed() < std::time::Duration::from_secs(60) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(5 * attempt.min(20)));
            }
            Err(StoreError::Busy) => {
                return Err(Failure(Msg::key("cli.busy-minute")));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// `kezek note CASE --text T…`: each text is one note, one transaction.
pub fn note(
    db: Option<PathBuf>,
    number: String,
    texts: Vec<String>,
    lang: Lang,
) -> Result<Outcome, Failure> {
    let (mut store, _) = open_store(db, lang)?;
    for (i, text) in texts.iter().enumerate() {
        let v = act_with_retry(&mut store, &number, |c, x, _| {
            crate::domain::case::add_note(c, x, text)
        })?;
        let added = msg!(
            "cli.note.added",
            case = printable(&number).to_string(),
            n = i + 1,
            version = v
        );
        emit(&format!("{}\n", added.text(lang)))?;
    }
    Ok(Outcome::Ok)
}
