//! `kezek region …` and `kezek migrate`: a region on one PostgreSQL server.

use std::path::PathBuf;

use clap::Subcommand;

use super::{Failure, Format, Outcome, emit, json_out};
use crate::domain::msg::Msg;
use crate::domain::text::printable;
use crate::i18n::{Lang, t};
use crate::msg;
use crate::store::region;

#[derive(Debug, Subcommand)]
pub enum RegionCommand {
    /// Set up the regional database at --db: kezek's schema and the rights the server enforces (the administrator's; can run again).
    Init,
    /// Add a unit to a region (the administrator's).
    Unit {
        /// The unit's short name (a–z, 0–9, “.”, “_”, “-”).
        name: String,
        /// The region it belongs to.
        #[arg(long, value_name = "NAME")]
        region: String,
        /// The unit's full name.
        #[arg(long, default_value = "", value_name = "TEXT")]
        title: String,
    },
    /// The region's board: every unit side by side (open cases, overdue, decisions waiting for approval).
    Board {
        /// Read from this server instead (a streaming replica).
        #[arg(long, value_name = "URL")]
        read_db: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// The moment to count overdue cases at (RFC 3339; default: now).
        #[arg(long, value_name = "INSTANT")]
        now: Option<String>,
    },
    /// The conclusions sent up to UMS DP that wait for the region's approval.
    Waiting {
        /// Read from this server instead (a streaming replica).
        #[arg(long, value_name = "URL")]
        read_db: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The server's check of the whole audit chain: exit 0 when intact, 1 naming the first bad row.
    Verify,
}

/// Whether `--db` names a PostgreSQL server rather than a file.
pub fn is_server(db: &std::path::Path) -> bool {
    let s = db.to_string_lossy();
    s.starts_with("postgres://") || s.starts_with("postgresql://") || s.contains("host=")
}

/// The server `--db` (else `$KEZEK_DB`) names.
fn server_url(db: Option<PathBuf>) -> Result<String, Failure> {
    let db = db.or_else(|| crate::privilege::env_var_os("KEZEK_DB").map(PathBuf::from));
    match db {
        Some(p) if is_server(&p) => Ok(p.to_string_lossy().to_string()),
        Some(p) => Err(Failure(msg!(
            "cli.region.not-a-server",
            db = printable(&p.display().to_string()).to_string()
        ))),
        None => Err(Failure(Msg::key("cli.region.no-server"))),
    }
}

pub fn run(db: Option<PathBuf>, cmd: RegionCommand, lang: Lang) -> Result<Outcome, Failure> {
    match cmd {
        RegionCommand::Init => {
            let url = server_url(db)?;
            let mut c = region::connect(&url)?;
            region::prepare(&mut c)?;
            emit(&format!(
                "{}\n",
                msg!(
                    "cli.region.ready",
                    db = region::redact(&url),
                    version = crate::store::rights::VERSION
                )
                .text(lang)
            ))?;
        }
        RegionCommand::Unit {
            name,
            region: r,
            title,
        } => {
            let mut c = region::connect(&server_url(db)?)?;
            region::add_unit(&mut c, &name, &r, &title)?;
            emit(&format!(
                "{}\n",
                msg!("cli.region.unit-added", unit = &name, region = &r).text(lang)
            ))?;
        }
        RegionCommand::Board {
            read_db,
            format,
            now,
        } => {
            let url = match read_db {
                Some(u) => u,
                None => server_url(db)?,
            };
            let now = super::parse_now(now.as_deref())?;
            let mut c = region::connect(&url)?;
            let rows = region::board(&mut c, now)?;
            let out = match format {
                Format::Json => json_out(&rows)?,
                Format::Text => board_text(&rows, lang),
            };
            emit(&out)?;
        }
        RegionCommand::Waiting { read_db, format } => {
            let url = match read_db {
                Some(u) => u,
                None => server_url(db)?,
            };
            let mut c = region::connect(&url)?;
            let rows = region::waiting_for_region(&mut c)?;
            let out = match format {
                Format::Json => json_out(&rows)?,
                Format::Text => rows
                    .iter()
                    .map(|w| {
                        format!(
                            "{:<12} {:<18} {:<12} {:<16} {}\n",
                            printable(&w.unit),
                            printable(&w.number),
                            printable(&w.procedure),
                            printable(&w.decided_by),
                            printable(&w.decided_at)
                        )
                    })
                    .collect(),
            };
            emit(&out)?;
        }
        RegionCommand::Verify => {
            let mut c = region::connect(&server_url(db)?)?;
            let check = region::verify_chain(&mut c)?;
            if check.first_break.is_some() {
                eprintln!("kezek: {}", region::chain_break(&check).text(lang));
                return Ok(Outcome::Invalid);
            }
            emit(&format!(
                "{}\n",
                msg!("cli.region.intact", rows = check.rows).text(lang)
            ))?;
        }
    }
    Ok(Outcome::Ok)
}

fn board_text(rows: &[region::UnitLoad], lang: Lang) -> String {
    let mut out = format!(
        "{:<16} {:>8} {:>8} {:>8} {:>8}  {}\n",
        t(lang, "cli.region.col-unit"),
        t(lang, "cli.region.col-open"),
        t(lang, "cli.region.col-overdue"),
        t(lang, "cli.region.col-waiting"),
        t(lang, "cli.region.col-ums"),
        t(lang, "cli.region.col-title"),
    );
    let (mut open, mut overdue, mut waiting, mut up) = (0, 0, 0, 0);
    for r in rows {
        out.push_str(&format!(
            "{:<16} {:>8} {:>8} {:>8} {:>8}  {}\n",
            printable(&r.unit),
            r.open,
            r.overdue,
            r.waiting,
            r.waiting_region,
            printable(&r.title)
        ));
        open += r.open;
        overdue += r.overdue;
        waiting += r.waiting;
        up += r.waiting_region;
    }
    out.push_str(&format!(
        "{:<16} {:>8} {:>8} {:>8} {:>8}\n",
        t(lang, "cli.region.total"),
        open,
        overdue,
        waiting,
        up
    ));
    out
}

/// `kezek migrate --from PATH --to URL --unit NAME [--region NAME]`.
pub fn migrate(
    from: PathBuf,
    to: String,
    unit: String,
    region_name: Option<String>,
    lang: Lang,
) -> Result<Outcome, Failure> {
    if !is_server(std::path::Path::new(&to)) {
        return Err(Failure(msg!(
            "cli.region.not-a-server",
            db = printable(&to).to_string()
        )));
    }
    let cal = crate::config::load_calendar()?;
    let rules = crate::config::load_rules()?;
    let office = crate::store::Store::open_existing(&from, cal, rules)?;
    let mut c = region::connect(&to)?;
    let moved =
        crate::store::migrate::migrate(&office, &from, &mut c, &unit, region_name.as_deref())?;
    emit(&format!(
        "{}\n",
        msg!(
            "cli.region.moved",
            path = printable(&from.display().to_string()).to_string(),
            unit = &moved.unit,
            cases = moved.cases,
            users = moved.users as i64,
            rows = moved.audit_rows,
            first = moved.first_seq.unwrap_or(0),
            last = moved.last_seq.unwrap_or(0)
        )
        .text(lang)
    ))?;
    Ok(Outcome::Ok)
}
