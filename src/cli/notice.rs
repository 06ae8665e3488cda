//! `kezek notice`: issue a notice on a case, or export one issued before.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::Utc;

use super::{Failure, Outcome, emit};
use crate::domain::msg::Msg;
use crate::domain::text::{Lang, printable};
use crate::msg;
use crate::notice::{self, Kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum NoticeFormat {
    #[default]
    Txt,
    Html,
}

fn parse_kind(s: &str) -> Result<Kind, super::help::ArgError> {
    Kind::parse(s).map_err(|_| {
        super::help::ArgError(crate::msg!(
            "cli.args.notice-kind",
            value = s.escape_default().to_string(),
            kinds = Kind::ALL.map(Kind::id).join(", ")
        ))
    })
}

/// `kezek notice` (the behaviour is explained in the command's long help, in cli/mod.rs).
#[derive(Debug, clap::Args)]
pub struct NoticeArgs {
    /// The case number.
    pub case: String,
    /// acceptance, refusal-to-accept, hearing-notice, refusal, decision, annulment, pr-conclusion.
    #[arg(value_parser = parse_kind, required_unless_present = "list")]
    pub kind: Option<Kind>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: NoticeFormat,
    /// Write to FILE (refused if it exists, unless --force).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
    /// List the notices issued on the case instead.
    #[arg(long, conflicts_with_all = ["kind", "out"])]
    pub list: bool,
}

fn exists(path: &Path) -> Failure {
    Failure(msg!("cli.notice.exists", path = path.display().to_string()))
}

/// `lang` is the global `--lang`: the notice's language (the applicant's choice).
pub fn run(db: Option<PathBuf>, args: NoticeArgs, lang: Lang) -> Result<Outcome, Failure> {
    let (mut store, _) = super::store_cmds::open_store(db, lang)?;
    if args.list {
        store.case(&args.case)?;
        let list = store.notices_of(&args.case)?;
        let mut out = String::new();
        for n in &list {
            out.push_str(&format!(
                "{:>5}  {:<18} {}  {:<22} {}  {}\n",
                n.id,
                n.kind,
                notice::lang_id(n.lang),
                printable(&n.subject),
                super::wall_clock(&store.cal, lang, &n.issued_at),
                printable(&n.issued_by)
            ));
        }
        emit(&out)?;
        return Ok(Outcome::Ok);
    }
    let Some(kind) = args.kind else {
        return Err(Failure(Msg::key("cli.notice.give-kind")));
    };
    let templates = notice::load()?;
    let actor = store.current_actor()?;
    // Check the target before anything is issued, so a refused --out issues nothing.
    if let Some(path) = &args.out
        && path.exists()
        && !args.force
    {
        return Err(exists(path));
    }
    let (issued, new) =
        store.issue_notice(&actor, &args.case, kind, lang, &templates, Utc::now())?;
    let body = match args.format {
        NoticeFormat::Txt => &issued.text,
        NoticeFormat::Html => &issued.html,
    };
    let what = if new {
        msg!("cli.notice.issued", kind = kind.id(), id = issued.id)
    } else {
        msg!(
            "cli.notice.reissued",
            kind = kind.id(),
            id = issued.id,
            at = &issued.issued_at,
            by = printable(&issued.issued_by).to_string()
        )
    };
    match &args.out {
        Some(path) => {
            let mut f =
                super::store_cmds::private_file(path).map_err(|e| super::path_failure(path, &e))?;
            f.write_all(body.as_bytes())
                .map_err(|e| super::path_failure(path, &e))?;
            // Without --force an existing file is never replaced, even one
            // that appeared while the notice was being issued.
            f.commit(args.force).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    exists(path)
                } else {
                    super::path_failure(path, &e)
                }
            })?;
            let done = msg!(
                "cli.notice.written",
                case = printable(&args.case).to_string(),
                what = what,
                path = path.display().to_string()
            );
            eprintln!("kezek: {}", done.text(lang));
        }
        None => {
            emit(body)?;
            eprintln!("kezek: {}: {}", printable(&args.case), what.text(lang));
        }
    }
    Ok(Outcome::Ok)
}
