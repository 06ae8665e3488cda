//! Command-line interface. Scripts call these commands, so their output
//! formats are stable and documented in README.md.
//!
//! Exit codes: 0 success; 1 a check found invalid input (e.g. an invalid
//! IIN); 2 bad arguments or input that cannot be used (one line on stderr).

mod backup;
mod calendar;
mod case_cmd;
mod docs_gen;
mod doctor;
pub mod help;
mod iin;
mod journal;
mod notice;
pub(crate) mod region;
mod report;
mod rules;
pub(crate) mod store_cmds;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::{FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::domain::msg::Localize;
use crate::i18n::Lang;
use crate::msg;

/// kezek: the migration-police inspector's console.
#[derive(Debug, Parser)]
#[command(name = "kezek", version, about, long_about = None)]
pub struct Cli {
    /// The case database (default: $KEZEK_DB, else kezek.db in the user's data directory).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<std::path::PathBuf>,
    /// Log to kezek.log in the data directory (never to the screen).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "warn",
        value_name = "LEVEL"
    )]
    log_level: LogLevel,
    /// Interface language: kk, ru or en (default: `lang` in <config>/kezek.toml, else $LANG, else ru).
    #[arg(long, global = true, value_name = "LANG")]
    lang: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Working-day calendar: list days, compute deadlines.
    #[command(subcommand)]
    Calendar(calendar::CalendarCommand),
    /// Identification numbers (IIN, BIN).
    #[command(subcommand)]
    Iin(iin::IinCommand),
    /// Procedure rules: versions, stages, checks, grounds, parameters.
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// kezek users and their roles.
    #[command(subcommand, alias = "users")]
    User(store_cmds::UserCommand),
    /// The audit log: verify the hash chain, show a case's history.
    #[command(subcommand)]
    Audit(store_cmds::AuditCommand),
    /// Create (or refill) a database with a realistic demo caseload.
    Demo {
        /// How many cases to generate.
        #[arg(long, default_value_t = 400, value_name = "N")]
        cases: usize,
        /// Seed of the generator: the same seed and --now give the same caseload.
        #[arg(long, default_value_t = 1, value_name = "N")]
        seed: u64,
        /// The moment the caseload is generated for (RFC 3339; default: now).
        #[arg(long, value_name = "INSTANT")]
        now: Option<String>,
        /// Only create the database and print the top of the queue; do not open the console.
        #[arg(long)]
        no_open: bool,
    },
    /// Import incoming applications from a JSON array or a CSV file: all or nothing.
    Import {
        /// The file to import.
        file: std::path::PathBuf,
        /// The file's format (default: from the extension, else from its first character).
        #[arg(long, value_enum)]
        format: Option<store_cmds::ImportFormat>,
    },
    /// Export cases (CSV or JSON), or the audit log with --audit (JSON lines).
    Export(store_cmds::ExportArgs),
    /// Move a case through its lifecycle, as the console does: accept, checks, stages, hearing, decision, approval.
    #[command(subcommand)]
    Case(case_cmd::CaseCommand),
    /// The journals the rules require: information-system failures, PR cases, complaints.
    #[command(subcommand)]
    Journal(journal::JournalCommand),
    /// Add notes to a case (each --text is one note, saved on its own).
    Note {
        /// The case number.
        case: String,
        /// The text of a note (give --text again for another note).
        #[arg(long = "text", required = true, value_name = "TEXT")]
        texts: Vec<String>,
    },
    /// Open cases in urgency order, for scripts and cron.
    Queue(store_cmds::QueueArgs),
    /// Issue a notice on a case from the templates, or export the one issued before.
    ///
    /// The first time a notice of a KIND in a language is asked for on a case,
    /// it is rendered from the templates and stored with the case (with an
    /// audit row); later calls export that stored text unchanged, even when the
    /// templates have changed since. A new hearing notice or a new decision on
    /// the case is a new subject and gets a new notice. Auditors cannot issue.
    ///
    /// --out never replaces an existing file unless --force is given; the file
    /// is created readable by its owner only. Without --out the notice goes to
    /// standard output.
    Notice(notice::NoticeArgs),
    /// Reports for supervisors.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Create a new, empty case database at --db (or the default place).
    Init,
    /// What is wrong with the office installation: modes, owners, group members, the audit key.
    Doctor,
    /// Back up the database: a consistent compressed copy, checked, named by the date; with --keep, old ones pruned.
    Backup(backup::BackupArgs),
    /// Restore a backup into a new database file (never over an existing one).
    Restore {
        /// The backup file.
        file: std::path::PathBuf,
        /// The new database file.
        #[arg(long, value_name = "PATH")]
        to: std::path::PathBuf,
    },
    /// Print a shell completion script (bash, zsh or fish).
    #[command(hide = true)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: docs_gen::Shell,
    },
    /// Write a manual page per command into DIR.
    #[command(hide = true)]
    Manpages {
        /// The directory.
        dir: std::path::PathBuf,
    },
    /// A region on one PostgreSQL server: set-up, units, the regional board, the server's chain check.
    #[command(subcommand)]
    Region(region::RegionCommand),
    /// Bring the database to this kezek's schema version (a backup is taken first); with --from, --to and --unit: move an office's database into its unit on the regional server: all or nothing, the audit chain verified on arrival.
    Migrate {
        /// The office's database (SQLite).
        #[arg(long, value_name = "PATH", requires_all = ["to", "unit"])]
        from: Option<std::path::PathBuf>,
        /// The regional server (postgres://…), as its administrator.
        #[arg(long, value_name = "URL", requires_all = ["from", "unit"])]
        to: Option<String>,
        /// The unit the office becomes.
        #[arg(long, value_name = "NAME", requires_all = ["from", "to"])]
        unit: Option<String>,
        /// The region of a unit the server does not know yet.
        #[arg(long, value_name = "NAME")]
        region: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
}

/// Logs go to a file; personal data is never logged.
fn init_logging(level: LogLevel) {
    let level = match level {
        LogLevel::Off => return,
        LogLevel::Error => tracing::Level::ERROR,
        LogLevel::Warn => tracing::Level::WARN,
        LogLevel::Info => tracing::Level::INFO,
        LogLevel::Debug => tracing::Level::DEBUG,
    };
    let Some(dir) =
        directories::ProjectDirs::from("kz", "", "kezek").map(|d| d.data_dir().to_path_buf())
    else {
        return;
    };
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    // The user's own file (never the office group's), rotated by size.
    let Ok(file) = crate::privilege::as_real_user(|| {
        crate::logfile::RotatingLog::open(&dir.join("kezek.log"))
    }) else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_max_level(level)
        .try_init();
}

/// Output format of listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

pub use crate::base::{Failure, Outcome};
pub(crate) use crate::base::{parse_now, path_failure};

/// Pretty JSON for stdout, one value and a line break; C1 and direction
/// controls and line separators escaped (see `text::json_safe`).
pub(crate) fn json_out<T: serde::Serialize + ?Sized>(v: &T) -> Result<String, Failure> {
    let text = serde_json::to_string_pretty(v)?;
    Ok(crate::domain::text::json_safe(text) + "\n")
}

/// Write to stdout; a closed pipe (`kezek … | head`) is not an error.
pub(crate) fn emit(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure(msg!("error.output", detail = e.msg()))),
    }
}

/// Standard output that remembers when its reader went away, so that a
/// command writing into `| head` can end quietly instead of reporting it.
pub(crate) struct PipeOut<W: Write> {
    inner: W,
    closed: bool,
}

impl<W: Write> PipeOut<W> {
    pub(crate) fn new(inner: W) -> PipeOut<W> {
        PipeOut {
            inner,
            closed: false,
        }
    }

    /// Whether a write failed because nobody reads any more.
    pub(crate) fn closed(&self) -> bool {
        self.closed
    }

    fn note<T>(&mut self, r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            self.closed = true;
        }
        r
    }
}

impl<W: Write> Write for PipeOut<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.note(r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.note(r)
    }
}

/// A stored instant (`2026-11-20T12:45:00Z`) as a person reads it: the
/// office's wall clock in the interface language (`Пт 20.11.2026 17:45`).
pub(crate) fn wall_clock(
    cal: &crate::domain::calendar::Calendar,
    lang: crate::i18n::Lang,
    stored: &str,
) -> String {
    match chrono::DateTime::parse_from_rfc3339(stored) {
        Ok(t) => crate::i18n::local(
            lang,
            crate::domain::term::local(cal, t.with_timezone(&chrono::Utc)),
        ),
        Err(_) => crate::domain::text::printable(stored).into_owned(),
    }
}

/// One line for the user: no control characters reach the terminal raw.
pub(crate) fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
        .chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

pub(crate) fn parse_day(s: &str) -> Result<chrono::NaiveDate, help::ArgError> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        help::ArgError(msg!(
            "error.not-a-day",
            value = s.escape_default().to_string()
        ))
    })
}

/// What clap says instead of running a command: help and version go to
/// stdout (exit 0); anything else is one line on stderr in `lang` (exit 2).
fn parse_failure(e: &clap::Error, lang: Lang) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = emit(&e.render().to_string());
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // A command group without its subcommand: show the choices, but it is still an error.
            eprint!("{}", e.render());
            ExitCode::from(2)
        }
        _ => {
            eprintln!("kezek: {}", one_line(&help::error_line(e, lang)));
            ExitCode::from(2)
        }
    }
}

/// Parse the arguments and run the command.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // Help and argument errors come before the parse that finds --lang: take
    // it from the raw arguments. When the language cannot be known (a bad
    // --lang or setting), they are in English, and the error itself is
    // reported after the parse.
    let help_lang = crate::config::ui_lang(help::lang_flag(&args).as_deref()).unwrap_or(Lang::En);
    let parsed = help::command(help_lang)
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => return parse_failure(&e, help_lang),
    };
    init_logging(cli.log_level);
    let lang = match crate::config::ui_lang(cli.lang.as_deref()) {
        Ok(l) => l,
        Err(e) => {
            // No language to speak yet: say it in all three.
            let all: Vec<String> = Lang::ALL.iter().map(|&l| e.text(l)).collect();
            eprintln!("kezek: {}", one_line(&all.join(" / ")));
            return ExitCode::from(2);
        }
    };
    let Some(command) = cli.command else {
        return finish(crate::tui::run(cli.db, lang), lang);
    };
    let result = match command {
        Command::Calendar(c) => calendar::run(c, lang),
        Command::Iin(c) => iin::run(c, lang),
        Command::Rules(c) => rules::run(c, lang),
        Command::User(c) => store_cmds::user(cli.db, c, lang),
        Command::Audit(c) => store_cmds::audit(cli.db, c, lang),
        Command::Demo {
            cases,
            seed,
            now,
            no_open,
        } => store_cmds::demo(cli.db, cases, seed, now.as_deref(), no_open, lang),
        Command::Case(c) => case_cmd::run(cli.db, c, lang),
        Command::Journal(c) => journal::run(cli.db, c, lang),
        Command::Note { case, texts } => store_cmds::note(cli.db, case, texts, lang),
        Command::Import { file, format } => store_cmds::import(cli.db, file, format, lang),
        Command::Export(args) => store_cmds::export(cli.db, args, lang),
        Command::Queue(args) => store_cmds::queue(cli.db, args, lang),
        Command::Notice(args) => notice::run(cli.db, args, lang),
        Command::Report(c) => report::run(cli.db, c, lang),
        Command::Init => store_cmds::init(cli.db, lang),
        Command::Doctor => doctor::run(cli.db, lang),
        Command::Backup(args) => backup::run(cli.db, args, lang),
        Command::Restore { file, to } => backup::restore(cli.db, file, to, lang),
        Command::Completions { shell } => docs_gen::completions(shell, lang),
        Command::Manpages { dir } => docs_gen::manpages(&dir, lang),
        Command::Region(c) => region::run(cli.db, c, lang),
        Command::Migrate {
            from: Some(from),
            to: Some(to),
            unit: Some(unit),
            region,
        } => region::migrate(from, to, unit, region, lang),
        Command::Migrate { .. } => backup::migrate(cli.db, lang),
    };
    finish(result, lang)
}

fn finish(result: Result<Outcome, Failure>, lang: Lang) -> ExitCode {
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Invalid) => ExitCode::from(1),
        Ok(Outcome::Unusable) => ExitCode::from(2),
        Err(Failure(msg)) => {
            eprintln!("kezek: {}", one_line(&msg.text(lang)));
            ExitCode::from(2)
        }
    }
}
