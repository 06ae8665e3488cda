//! `kezek iin check`.

use std::io::BufRead;

use clap::Subcommand;
use serde::Serialize;

use super::{Failure, Format, Outcome, emit};
use crate::domain::iin::{self, IdKind};
use crate::domain::msg::Localize;
use crate::i18n::{Lang, t};
use crate::msg;

#[derive(Debug, Subcommand)]
pub enum IinCommand {
    /// Check IINs and BINs: exit 0 when all are valid, 1 when any is not.
    Check {
        /// Numbers to check; `-` reads one value per line from stdin.
        #[arg(required = true, value_name = "NUMBER")]
        values: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Serialize)]
struct Row {
    input: String,
    valid: bool,
    kind: IdKind,
    error: Option<String>,
}

pub fn run(cmd: IinCommand, lang: Lang) -> Result<Outcome, Failure> {
    let IinCommand::Check { values, format } = cmd;
    let mut inputs = Vec::new();
    for v in values {
        if v == "-" {
            for (n, line) in std::io::stdin().lock().lines().enumerate() {
                let line = line
                    .map_err(|e| Failure(msg!("cli.iin.stdin", line = n + 1, detail = e.msg())))?;
                let line = line.trim();
                if !line.is_empty() {
                    inputs.push(line.to_string());
                }
            }
        } else {
            inputs.push(v.trim().to_string());
        }
    }
    let rows: Vec<Row> = inputs
        .into_iter()
        .map(|input| {
            let (kind, result) = iin::validate(&input);
            Row {
                valid: result.is_ok(),
                kind,
                error: result.err().map(|e| e.msg().text(lang)),
                input,
            }
        })
        .collect();
    let all_valid = rows.iter().all(|r| r.valid);
    let out = match format {
        Format::Json => super::json_out(&rows)?,
        Format::Text => rows
            .iter()
            .map(|r| {
                let shown: String = r.input.escape_default().collect();
                let kind = t(lang, r.kind.key());
                match &r.error {
                    None => format!("{shown}\t{}\t{kind}\n", t(lang, "cli.iin.valid")),
                    Some(e) => format!("{shown}\t{}\t{kind}\t{e}\n", t(lang, "cli.iin.invalid")),
                }
            })
            .collect(),
    };
    emit(&out)?;
    Ok(if all_valid {
        Outcome::Ok
    } else {
        Outcome::Invalid
    })
}
