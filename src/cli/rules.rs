//! `kezek rules list | show`.

use chrono::NaiveDate;
use clap::Subcommand;
use serde::Serialize;

use super::{Failure, Format, Outcome, emit};
use crate::config;
use crate::domain::procedure::{
    CheckMode, ParamStatus, Procedure, RuleVersion, RunsFrom, TermSpec,
};
use crate::domain::term::Unit;

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Every procedure and its rule versions.
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// One procedure's rule version in force on a day (default: every version).
    Show {
        /// Procedure id or code: registration, rvp, pr, exit, border_zone.
        procedure: String,
        /// The version in force on this day (YYYY-MM-DD).
        #[arg(long, value_parser = super::parse_day)]
        at: Option<NaiveDate>,
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

pub fn run(cmd: RulesCommand) -> Result<Outcome, Failure> {
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
                        name: &p.name.en,
                        version: &v.id,
                        act: &v.act.en,
                        effective_from: v.effective_from,
                        effective_to: v.effective_to,
                    })
                })
                .collect();
            let out = match format {
                Format::Json => serde_json::to_string_pretty(&rows)? + "\n",
                Format::Text => rows
                    .iter()
                    .map(|r| {
                        let to = r
                            .effective_to
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "in force".into());
                        format!(
                            "{:<12} {:<5} {:<28} {} .. {:<10}  {}\n",
                            r.procedure, r.code, r.version, r.effective_from, to, r.act
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
                Format::Json => {
                    serde_json::to_string_pretty(&ShowOutput {
                        procedure: &p.id,
                        code: &p.code,
                        name: &p.name,
                        versions,
                    })? + "\n"
                }
                Format::Text => show_text(p, &versions),
            };
            emit(&out)?;
        }
    }
    Ok(Outcome::Ok)
}

fn term_text(t: &TermSpec, v: &RuleVersion) -> String {
    let unit = match t.unit {
        Unit::WorkingDays => "working",
        Unit::CalendarDays => "calendar",
    };
    let from = match t.from {
        RunsFrom::Acceptance => "acceptance".to_string(),
        RunsFrom::Previous => "the previous stage".to_string(),
        RunsFrom::Stage(i) => format!(
            "stage {}",
            v.stages.get(i).map(|s| s.id.as_str()).unwrap_or("?")
        ),
    };
    let roll = if t.unit == Unit::CalendarDays && !t.roll_to_working_day {
        ", not moved off days off"
    } else {
        ""
    };
    format!(
        "{} {unit} day{} from {from}{roll}",
        t.days,
        if t.days == 1 { "" } else { "s" }
    )
}

fn show_text(p: &Procedure, versions: &[&RuleVersion]) -> String {
    let mut s = format!(
        "{} ({}) — {} / {} / {}\n",
        p.id, p.code, p.name.en, p.name.ru, p.name.kk
    );
    for v in versions {
        s.push_str(&format!("\nversion {}: {}\n", v.id, v.label()));
        s.push_str(&format!("  source      {}\n", v.source));
        if let Some(n) = &v.note {
            s.push_str(&format!("  note        {n}\n"));
        }
        s.push_str(&format!(
            "  decides     {}; approval: {}; hearing: {}\n",
            v.decided_by.as_str(),
            match v.approval {
                crate::domain::procedure::Approval::None => "none",
                crate::domain::procedure::Approval::Supervisor => "supervisor",
            },
            if v.hearing { "yes" } else { "no" }
        ));
        s.push_str(&format!(
            "  service     {}\n",
            term_text(&v.service_term, v)
        ));
        if !v.purposes.is_empty() {
            let ids: Vec<&str> = v.purposes.iter().map(|p| p.id.as_str()).collect();
            s.push_str(&format!("  purposes    {}\n", ids.join(", ")));
        }
        s.push_str("  stages\n");
        for (i, st) in v.stages.iter().enumerate() {
            s.push_str(&format!(
                "    {}. {:<24} {}  ({})\n",
                i + 1,
                st.id,
                term_text(&st.term, v),
                st.title.en
            ));
        }
        s.push_str("  checks\n");
        for c in &v.checks {
            let mode = match c.mode {
                CheckMode::Recorded => "recorded",
                CheckMode::Computed => "computed",
            };
            let only = if c.purposes.is_empty() {
                String::new()
            } else {
                format!(" [{}]", c.purposes.join(", "))
            };
            s.push_str(&format!(
                "    {:<26} {mode:<9} {}{only}\n",
                c.id, c.title.en
            ));
        }
        s.push_str("  refusal grounds\n");
        for g in &v.grounds {
            s.push_str(&format!(
                "    {:<26} {} — lifted when: {}\n",
                g.id, g.title.en, g.lifted_when.en
            ));
        }
        s.push_str("  documents\n");
        for d in &v.documents {
            let only = if d.purposes.is_empty() {
                String::new()
            } else {
                format!(" [{}]", d.purposes.join(", "))
            };
            let req = if d.required { "" } else { " (if applicable)" };
            s.push_str(&format!("    {:<26} {}{req}{only}\n", d.id, d.title.en));
        }
        s.push_str("  forms\n");
        for f in &v.forms {
            s.push_str(&format!("    {:<26} {} ({})\n", f.id, f.title.en, f.source));
        }
        s.push_str("  parameters\n");
        for (name, prm) in &v.parameters {
            let warn = if prm.status == ParamStatus::Unconfirmed {
                "  <-- UNCONFIRMED"
            } else {
                ""
            };
            s.push_str(&format!("    {:<30} {}{warn}\n", name, prm.label(name)));
        }
    }
    s
}
