//! `kezek rules list | show`.

use chrono::NaiveDate;
use clap::Subcommand;
use serde::Serialize;

use super::{Failure, Format, Outcome, emit};
use crate::config;
use crate::domain::msg::Msg;
use crate::domain::procedure::{
    CheckMode, ParamStatus, ParamUnit, Parameter, Procedure, RuleVersion, RunsFrom, TermSpec,
};
use crate::domain::term::{Term, Unit};
use crate::domain::text::printable;
use crate::i18n::{Lang, t};
use crate::msg;

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Every procedure and its rule versions.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// One procedure's rule version in force on a day (default: every version).
    Show {
        /// Procedure id or code: registration, rvp, pr, exit, border_zone.
        procedure: String,
        /// The version in force on this day (YYYY-MM-DD).
        #[arg(long, value_parser = super::parse_day, value_name = "DAY")]
        at: Option<NaiveDate>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Serialize)]
struct ListRow<'a> {
    procedure: &'a str,
    code: &'a str,
    name: &'a str,
    version: &'a str,
    act: &'a str,
    effective_from: NaiveDate,
    effective_to: Option<NaiveDate>,
}

#[derive(Serialize)]
struct ShowOutput<'a> {
    procedure: &'a str,
    code: &'a str,
    name: &'a crate::domain::text::Names,
    versions: Vec<&'a RuleVersion>,
}

pub fn run(cmd: RulesCommand, lang: Lang) -> Result<Outcome, Failure> {
    let rules = config::load_rules()?;
    match cmd {
        RulesCommand::List { format } => {
            let rows: Vec<ListRow<'_>> = rules
                .procedures
                .iter()
                .flat_map(|p| {
                    p.versions.iter().map(move |v| ListRow {
                        procedure: &p.id,
                        code: &p.code,
                        name: p.name.get(lang),
                        version: &v.id,
                        act: v.act.get(lang),
                        effective_from: v.effective_from,
                        effective_to: v.effective_to,
                    })
                })
                .collect();
            let out = match format {
                Format::Json => super::json_out(&rows)?,
                Format::Text => rows
                    .iter()
                    .map(|r| {
                        let to = r
                            .effective_to
                            .map(|d| d.format("%d.%m.%Y").to_string())
                            .unwrap_or_else(|| t(lang, "cli.rules.in-force").to_string());
                        let code = rules
                            .procedure(r.procedure)
                            .map(|p| crate::i18n::procedure_code(p, lang))
                            .unwrap_or_else(|_| r.code.to_string());
                        format!(
                            "{:<12} {:<5} {:<28} {} .. {:<10}  {}\n",
                            r.procedure,
                            code,
                            r.version,
                            r.effective_from.format("%d.%m.%Y"),
                            to,
                            r.act
                        )
                    })
                    .collect(),
            };
            emit(&out)?;
        }
        RulesCommand::Show {
            procedure,
            at,
            format,
        } => {
            let p = rules.procedure(&procedure)?;
            let versions: Vec<&RuleVersion> = match at {
                Some(day) => vec![p.version_at(day)?],
                None => p.versions.iter().collect(),
            };
            let out = match format {
                Format::Json => super::json_out(&ShowOutput {
                    procedure: &p.id,
                    code: &p.code,
                    name: &p.name,
                    versions,
                })?,
                Format::Text => show_text(p, &versions, lang),
            };
            emit(&out)?;
        }
    }
    Ok(Outcome::Ok)
}

fn term_text(spec: &TermSpec, v: &RuleVersion, lang: Lang) -> String {
    let term = match spec.unit {
        Unit::WorkingDays => Term::working_days(spec.days),
        Unit::CalendarDays => Term::calendar_days(spec.days),
    };
    let from = match spec.from {
        RunsFrom::Acceptance => Msg::key("cli.rules.from-acceptance"),
        RunsFrom::Previous => Msg::key("cli.rules.from-previous"),
        RunsFrom::Stage(i) => msg!(
            "cli.rules.from-stage",
            stage = v.stages.get(i).map(|s| s.id.as_str()).unwrap_or("?")
        ),
    };
    let mut text = msg!("cli.rules.term", term = term.msg(), from = from).text(lang);
    if spec.unit == Unit::CalendarDays && !spec.roll_to_working_day {
        text.push_str(t(lang, "cli.rules.no-roll"));
    }
    text
}

fn param_text(prm: &Parameter, name: &str, lang: Lang) -> String {
    let value = match prm.unit {
        ParamUnit::WorkingDays => msg!("term.working-days", n = prm.value),
        ParamUnit::CalendarDays => msg!("term.calendar-days", n = prm.value),
        ParamUnit::Years => msg!("cli.rules.years", n = prm.value),
        ParamUnit::Hours => msg!("cli.rules.hours", n = prm.value),
        ParamUnit::Count => msg!("cli.rules.count", n = prm.value),
    };
    let status = match prm.status {
        ParamStatus::Confirmed => "",
        ParamStatus::Interpretation => t(lang, "cli.rules.interpretation"),
        ParamStatus::Unconfirmed => t(lang, "cli.rules.unconfirmed"),
    };
    format!("{} [{name}]{status}", value.text(lang))
}

fn show_text(p: &Procedure, versions: &[&RuleVersion], lang: Lang) -> String {
    let l = |k: &'static str| t(lang, k);
    let labels = [
        "cli.rules.source",
        "cli.rules.note",
        "cli.rules.decides",
        "cli.rules.service",
        "cli.rules.purposes",
    ];
    let w = labels
        .iter()
        .map(|k| l(k).chars().count())
        .max()
        .unwrap_or(0);
    let mut s = format!(
        "{} ({}) — {}\n",
        p.id,
        crate::i18n::procedure_code(p, lang),
        p.name.get(lang)
    );
    for v in versions {
        let range = match v.effective_to {
            Some(to) => format!(
                "{} – {}",
                v.effective_from.format("%d.%m.%Y"),
                to.format("%d.%m.%Y")
            ),
            None => msg!(
                "cli.rules.since",
                day = v.effective_from.format("%d.%m.%Y").to_string()
            )
            .text(lang),
        };
        s.push_str(&format!(
            "\n{}\n",
            msg!(
                "cli.rules.version",
                id = &v.id,
                act = v.act.get(lang),
                range = range
            )
            .text(lang)
        ));
        // Where the rule file says it comes from, and its maintainer's note:
        // the rule file's own English words, for whoever maintains the rules
        // (`--lang en`, or the JSON form).
        if lang == Lang::En {
            s.push_str(&format!(
                "  {:<w$}  {}\n",
                l("cli.rules.source"),
                printable(&v.source)
            ));
            if let Some(n) = &v.note {
                s.push_str(&format!(
                    "  {:<w$}  {}\n",
                    l("cli.rules.note"),
                    printable(n)
                ));
            }
        }
        let approval = match v.approval {
            crate::domain::procedure::Approval::None => l("cli.rules.approval-none"),
            crate::domain::procedure::Approval::Supervisor => l("role.supervisor"),
        };
        let decides = msg!(
            "cli.rules.decides-text",
            role = Msg::key(v.decided_by.key()),
            approval = approval,
            hearing = if v.hearing {
                l("dialog.yes")
            } else {
                l("dialog.no")
            }
        );
        s.push_str(&format!(
            "  {:<w$}  {}\n",
            l("cli.rules.decides"),
            decides.text(lang)
        ));
        s.push_str(&format!(
            "  {:<w$}  {}\n",
            l("cli.rules.service"),
            term_text(&v.service_term, v, lang)
        ));
        if !v.purposes.is_empty() {
            let ids: Vec<&str> = v.purposes.iter().map(|p| p.id.as_str()).collect();
            s.push_str(&format!(
                "  {:<w$}  {}\n",
                l("cli.rules.purposes"),
                ids.join(", ")
            ));
        }
        s.push_str(&format!("  {}\n", l("cli.rules.stages")));
        for (i, st) in v.stages.iter().enumerate() {
            s.push_str(&format!(
                "    {}. {:<24} {}  ({})\n",
                i + 1,
                st.id,
                term_text(&st.term, v, lang),
                st.title.get(lang)
            ));
        }
        s.push_str(&format!("  {}\n", l("cli.rules.checks")));
        for c in &v.checks {
            let mode = match c.mode {
                CheckMode::Recorded => l("cli.rules.recorded"),
                CheckMode::Computed => l("cli.rules.computed"),
            };
            let only = if c.purposes.is_empty() {
                String::new()
            } else {
                format!(" [{}]", c.purposes.join(", "))
            };
            s.push_str(&format!(
                "    {:<26} {mode:<9} {}{only}\n",
                c.id,
                c.title.get(lang)
            ));
        }
        s.push_str(&format!("  {}\n", l("cli.rules.grounds")));
        for g in &v.grounds {
            s.push_str(&format!(
                "    {:<26} {} — {}\n",
                g.id,
                g.title.get(lang),
                msg!("checklist.lifted", when = g.lifted_when.get(lang)).text(lang)
            ));
        }
        s.push_str(&format!("  {}\n", l("cli.rules.documents")));
        for d in &v.documents {
            let only = if d.purposes.is_empty() {
                String::new()
            } else {
                format!(" [{}]", d.purposes.join(", "))
            };
            let req = if d.required {
                ""
            } else {
                l("cli.rules.if-applicable")
            };
            s.push_str(&format!(
                "    {:<26} {}{req}{only}\n",
                d.id,
                d.title.get(lang)
            ));
        }
        s.push_str(&format!("  {}\n", l("cli.rules.forms")));
        for f in &v.forms {
            s.push_str(&format!(
                "    {:<26} {} ({})\n",
                f.id,
                f.title.get(lang),
                printable(&f.source)
            ));
        }
        s.push_str(&format!("  {}\n", l("cli.rules.parameters")));
        for (name, prm) in &v.parameters {
            s.push_str(&format!(
                "    {:<30} {}\n",
                name,
                param_text(prm, name, lang)
            ));
        }
    }
    s
}
