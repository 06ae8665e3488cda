//! Procedures as versioned rules.
//!
//! Each procedure (registration, RVP, PR, exit, border zone) is a TOML file
//! in `rules/procedures/` (see `SCHEMA.md` there) holding one or more rule
//! versions with an effective-date range. A case is governed by the version
//! in force on its acceptance date. Loading validates every cross-reference
//! and reports problems with file, line and reason.

use std::collections::{BTreeMap, BTreeSet};

use super::msg::{Localize, Msg};
use crate::msg;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::rules_error::{RuleError, Source};
use super::term::{Term, Unit};
use super::text::Names;

/// The built-in procedure files, by file name.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "registration.toml",
        include_str!("../../rules/procedures/registration.toml"),
    ),
    ("rvp.toml", include_str!("../../rules/procedures/rvp.toml")),
    ("pr.toml", include_str!("../../rules/procedures/pr.toml")),
    (
        "exit.toml",
        include_str!("../../rules/procedures/exit.toml"),
    ),
    (
        "border_zone.toml",
        include_str!("../../rules/procedures/border_zone.toml"),
    ),
];

/// A user's role in kezek.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Inspector,
    Supervisor,
    /// Read-only.
    Auditor,
    /// Every unit of a region (a regional server only): reads its units and
    /// approves the conclusions sent up to UMS DP (the server decides which).
    Regional,
}

impl std::str::FromStr for Role {
    type Err = ();

    fn from_str(s: &str) -> Result<Role, ()> {
        match s {
            "inspector" => Ok(Role::Inspector),
            "supervisor" => Ok(Role::Supervisor),
            "auditor" => Ok(Role::Auditor),
            "regional" => Ok(Role::Regional),
            _ => Err(()),
        }
    }
}

impl Role {
    /// The role's name in the catalogue.
    pub fn key(self) -> &'static str {
        match self {
            Role::Inspector => "role.inspector",
            Role::Supervisor => "role.supervisor",
            Role::Auditor => "role.auditor",
            Role::Regional => "role.regional",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Inspector => "inspector",
            Role::Supervisor => "supervisor",
            Role::Auditor => "auditor",
            Role::Regional => "regional",
        }
    }
}

/// Who must approve a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    None,
    Supervisor,
}

/// Who files the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Applicant {
    Host,
    Foreigner,
    CitizenOrResident,
}

/// What the hearing notice is counted back from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HearingAnchor {
    /// N working days before the planned decision (order 992 §17).
    Decision,
    /// N working days before the service term ends (order 348, app. 2).
    ServiceEnd,
}

/// How an application reached the service provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Office,
    StateCorporation,
    Portal,
}

/// What a term runs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "stage")]
pub enum RunsFrom {
    Acceptance,
    /// The end of the previous stage.
    Previous,
    /// The end of an earlier stage (index into the version's stages).
    Stage(usize),
}

/// A term as the rules state it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TermSpec {
    pub days: u32,
    pub unit: Unit,
    pub from: RunsFrom,
    pub roll_to_working_day: bool,
}

impl TermSpec {
    pub fn term(&self) -> Term {
        Term {
            count: self.days,
            unit: self.unit,
            roll_to_working_day: self.roll_to_working_day,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Purpose {
    pub id: String,
    pub title: Names,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    pub id: String,
    pub title: Names,
    pub term: TermSpec,
    pub source: String,
    /// Work that follows a decision in effect (notification, hand-over,
    /// deregistration); a stage without it is settled by the decision.
    pub after_decision: bool,
    /// The outcome the stage belongs to; it is closed when the other
    /// outcome is decided.
    pub outcome: Option<StageOutcome>,
    /// The state bodies whose answers this stage waits for: a request to
    /// one of them is due within the stage's term from the day it is sent.
    pub agencies: Vec<String>,
}

/// The outcome a stage belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageOutcome {
    Issue,
    Refuse,
}

/// What kezek computes for a computed check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Computed {
    Iin,
    DomesticWorkerQuota,
    PendingPr,
    Stay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckMode {
    Recorded,
    Computed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub id: String,
    pub title: Names,
    pub source: String,
    pub mode: CheckMode,
    pub computed: Option<Computed>,
    /// Purposes it applies to; empty means all.
    pub purposes: Vec<String>,
    /// The refusal ground a failed check supports.
    pub ground: Option<String>,
}

impl Check {
    pub fn applies_to(&self, purpose: Option<&str>) -> bool {
        self.purposes.is_empty() || purpose.is_some_and(|p| self.purposes.iter().any(|x| x == p))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Ground {
    pub id: String,
    pub title: Names,
    pub lifted_when: Names,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentRule {
    pub id: String,
    pub title: Names,
    pub purposes: Vec<String>,
    pub required: bool,
    pub expires: bool,
}

impl DocumentRule {
    pub fn applies_to(&self, purpose: Option<&str>) -> bool {
        self.purposes.is_empty() || purpose.is_some_and(|p| self.purposes.iter().any(|x| x == p))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Form {
    pub id: String,
    pub title: Names,
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamUnit {
    WorkingDays,
    CalendarDays,
    Years,
    Count,
    Hours,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamStatus {
    Confirmed,
    Interpretation,
    Unconfirmed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Parameter {
    pub value: u32,
    pub unit: ParamUnit,
    pub status: ParamStatus,
    pub title: Names,
    pub source: String,
}

impl Parameter {
    /// The parameter as a term, for day-valued parameters.
    pub fn term(&self) -> Option<Term> {
        match self.unit {
            ParamUnit::WorkingDays => Some(Term::working_days(self.value)),
            ParamUnit::CalendarDays => Some(Term::calendar_days(self.value)),
            _ => None,
        }
    }

    /// How the value is shown wherever it is used: with a warning when it
    /// is not confirmed.
    pub fn label(&self, name: &str) -> String {
        let unit = match self.unit {
            ParamUnit::WorkingDays => " working days",
            ParamUnit::CalendarDays => " calendar days",
            ParamUnit::Years => " years",
            ParamUnit::Count => "",
            ParamUnit::Hours => " hours",
        };
        let status = match self.status {
            ParamStatus::Confirmed => "",
            ParamStatus::Interpretation => " (interpretation)",
            ParamStatus::Unconfirmed => " (UNCONFIRMED: check against the law's text)",
        };
        format!("{}{unit} [parameter {name}]{status}", self.value)
    }
}

/// The parameter names kezek knows.
pub const KNOWN_PARAMETERS: &[&str] = &[
    "hearing_notice",
    "hearing_within",
    "domestic_worker_rvp_limit",
    "stay_limit",
    "host_notification",
    "reregistration",
    "birthday_16_term",
    "late_acceptance_window",
    "reapplication_block",
    "exit_after_annulment",
    "complaint_review",
    "complaint_quality_authority",
    "result_to_state_corporation",
    "state_corporation_intake_closes",
];

/// One version of a procedure's rules.
#[derive(Debug, Clone, Serialize)]
pub struct RuleVersion {
    pub id: String,
    pub act: Names,
    pub source: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub note: Option<String>,
    pub applicant: Applicant,
    pub decided_by: Role,
    pub approval: Approval,
    pub hearing: bool,
    pub hearing_anchor: HearingAnchor,
    pub channels: Vec<Channel>,
    pub service_term: TermSpec,
    /// The service term is kezek's own sum of the stage terms, not a term
    /// the act states (PR: 2+5+7+25+10+3 of order 992 §14 = 52 days).
    pub service_term_is_sum: bool,
    pub purposes: Vec<Purpose>,
    pub stages: Vec<Stage>,
    pub checks: Vec<Check>,
    pub grounds: Vec<Ground>,
    pub documents: Vec<DocumentRule>,
    pub forms: Vec<Form>,
    pub parameters: BTreeMap<String, Parameter>,
}

impl RuleVersion {
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        day >= self.effective_from && self.effective_to.is_none_or(|to| day <= to)
    }

    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.get(name)
    }

    /// The stage that waits for this agency's answer.
    pub fn agency_stage(&self, agency: &str) -> Option<&Stage> {
        self.stages
            .iter()
            .find(|s| s.agencies.iter().any(|a| a == agency))
    }

    pub fn stage_index(&self, id: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.id == id)
    }

    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    pub fn ground(&self, id: &str) -> Option<&Ground> {
        self.grounds.iter().find(|g| g.id == id)
    }

    pub fn stage(&self, id: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// `Order 992 … (in force from 08.12.2024)`, for the UI.
    pub fn label(&self) -> String {
        let range = match self.effective_to {
            Some(to) => format!(
                "{} - {}",
                self.effective_from.format("%d.%m.%Y"),
                to.format("%d.%m.%Y")
            ),
            None => format!("from {}", self.effective_from.format("%d.%m.%Y")),
        };
        format!("{} ({range})", self.act.en)
    }
}

/// A procedure with all its rule versions, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct Procedure {
    pub id: String,
    pub code: String,
    pub name: Names,
    #[serde(skip)]
    pub file: String,
    pub versions: Vec<RuleVersion>,
}

/// No rule version applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    UnknownProcedure(String, String),
    NoVersion {
        procedure: String,
        day: NaiveDate,
        ranges: String,
    },
}

impl Localize for LookupError {
    fn msg(&self) -> Msg {
        match self {
            LookupError::UnknownProcedure(p, known) => {
                msg!(
                    "error.rules.unknown-procedure",
                    procedure = p,
                    known = known
                )
            }
            LookupError::NoVersion {
                procedure,
                day,
                ranges,
            } => msg!(
                "error.rules.no-version",
                procedure = procedure,
                day = *day,
                ranges = ranges
            ),
        }
    }
}
crate::localized_error!(LookupError);

impl Procedure {
    /// The version in force on `day` (a case's acceptance date).
    pub fn version_at(&self, day: NaiveDate) -> Result<&RuleVersion, LookupError> {
        self.versions
            .iter()
            .find(|v| v.in_force_on(day))
            .ok_or_else(|| LookupError::NoVersion {
                procedure: self.id.clone(),
                day,
                ranges: self
                    .versions
                    .iter()
                    .map(|v| match v.effective_to {
                        Some(to) => format!("{}..{to}", v.effective_from),
                        None => format!("{}..", v.effective_from),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    pub fn version(&self, id: &str) -> Option<&RuleVersion> {
        self.versions.iter().find(|v| v.id == id)
    }

    /// A stage by id, with its place: (1-based position, number of stages,
    /// the stage), from the first version that has it.
    pub fn stage_place(&self, id: &str) -> Option<(usize, usize, &Stage)> {
        self.versions.iter().find_map(|v| {
            let i = v.stages.iter().position(|x| x.id == id)?;
            Some((i + 1, v.stages.len(), &v.stages[i]))
        })
    }
}

/// All procedures.
#[derive(Debug, Clone)]
pub struct Rules {
    pub procedures: Vec<Procedure>,
}

impl Rules {
    /// The rules as shipped.
    pub fn built_in() -> Result<Rules, RuleError> {
        let sources: Vec<Source<'_>> = BUILT_IN
            .iter()
            .map(|(name, text)| Source { name, text })
            .collect();
        Rules::from_sources(&sources)
    }

    /// Parse and validate; each source is one procedure file.
    pub fn from_sources(sources: &[Source<'_>]) -> Result<Rules, RuleError> {
        let mut procedures: Vec<Procedure> = Vec::new();
        for src in sources {
            let p = parse_procedure(*src)?;
            if let Some(other) = procedures.iter().find(|o| o.id == p.id || o.code == p.code) {
                return Err(RuleError::new(
                    src.name,
                    1,
                    format!(
                        "procedure id '{}' / code '{}' is already used by {}",
                        p.id, p.code, other.file
                    ),
                ));
            }
            procedures.push(p);
        }
        Ok(Rules { procedures })
    }

    pub fn procedure(&self, id: &str) -> Result<&Procedure, LookupError> {
        self.procedures
            .iter()
            .find(|p| p.id == id || p.code.eq_ignore_ascii_case(id))
            .ok_or_else(|| {
                LookupError::UnknownProcedure(
                    id.to_string(),
                    self.procedures
                        .iter()
                        .map(|p| p.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            })
    }

    /// The version of `procedure` in force on `day`.
    pub fn version_at(&self, procedure: &str, day: NaiveDate) -> Result<&RuleVersion, LookupError> {
        self.procedure(procedure)?.version_at(day)
    }

    /// A case's rule version by its procedure and version ids.
    pub fn version(&self, procedure: &str, version: &str) -> Option<&RuleVersion> {
        self.procedure(procedure).ok()?.version(version)
    }

    /// A procedure's name in a language, or its id when it is unknown.
    pub fn procedure_name(&self, procedure: &str, lang: super::text::Lang) -> String {
        self.procedure(procedure)
            .map(|p| p.name.get(lang).to_string())
            .unwrap_or_else(|_| procedure.to_string())
    }
}

// ---------------------------------------------------------------------------
// Parsing

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcedure {
    id: Spanned<String>,
    code: Spanned<String>,
    name: Spanned<Names>,
    #[serde(default)]
    version: Vec<Spanned<RawVersion>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerm {
    days: Spanned<i64>,
    unit: Spanned<String>,
    from: Option<Spanned<String>>,
    roll_to_working_day: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVersion {
    id: Spanned<String>,
    act: Spanned<Names>,
    source: String,
    effective_from: Spanned<String>,
    effective_to: Option<Spanned<String>>,
    note: Option<String>,
    applicant: Applicant,
    decided_by: Role,
    approval: Approval,
    hearing: bool,
    hearing_anchor: Option<HearingAnchor>,
    channels: Vec<Channel>,
    service_term: Spanned<RawTerm>,
    #[serde(default)]
    service_term_is_sum: bool,
    #[serde(default)]
    purpose: Vec<Spanned<RawPurpose>>,
    #[serde(default)]
    stage: Vec<Spanned<RawStage>>,
    #[serde(default)]
    check: Vec<Spanned<RawCheck>>,
    #[serde(default)]
    ground: Vec<Spanned<RawGround>>,
    #[serde(default)]
    document: Vec<Spanned<RawDocument>>,
    #[serde(default)]
    form: Vec<Spanned<RawForm>>,
    #[serde(default)]
    parameters: BTreeMap<Spanned<String>, Spanned<RawParameter>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPurpose {
    id: String,
    title: Names,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    id: String,
    title: Names,
    term: Spanned<RawTerm>,
    #[serde(default)]
    source: String,
    #[serde(default)]
    after_decision: bool,
    #[serde(default)]
    outcome: Option<StageOutcome>,
    #[serde(default)]
    agencies: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    id: String,
    title: Names,
    #[serde(default)]
    source: String,
    mode: CheckMode,
    computed: Option<Computed>,
    #[serde(default)]
    purposes: Vec<String>,
    ground: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGround {
    id: String,
    title: Names,
    lifted_when: Names,
    #[serde(default)]
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    id: String,
    title: Names,
    #[serde(default)]
    purposes: Vec<String>,
    #[serde(default = "yes")]
    required: bool,
    #[serde(default)]
    expires: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForm {
    id: String,
    title: Names,
    #[serde(default)]
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    value: Spanned<i64>,
    unit: ParamUnit,
    status: ParamStatus,
    title: Names,
    #[serde(default)]
    source: String,
}

fn check_names(src: Source<'_>, at: usize, what: &str, names: &Names) -> Result<(), RuleError> {
    match names.missing() {
        Some(lang) => Err(src.error_at(
            at,
            format!(
                "{what}: missing translation ({} text is empty)",
                lang_code(lang)
            ),
        )),
        None => Ok(()),
    }
}

fn lang_code(lang: super::text::Lang) -> &'static str {
    match lang {
        super::text::Lang::Kk => "kk",
        super::text::Lang::Ru => "ru",
        super::text::Lang::En => "en",
    }
}

fn check_id(src: Source<'_>, at: usize, what: &str, id: &str) -> Result<(), RuleError> {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(src.error_at(
            at,
            format!("{what} id '{id}' must be lowercase letters, digits, '_' or '-'"),
        ))
    }
}

fn unique<'a>(
    src: Source<'_>,
    seen: &mut BTreeSet<&'a str>,
    at: usize,
    what: &str,
    id: &'a str,
) -> Result<(), RuleError> {
    check_id(src, at, what, id)?;
    if !seen.insert(id) {
        return Err(src.error_at(at, format!("{what} '{id}' is defined twice")));
    }
    Ok(())
}

fn parse_day(src: Source<'_>, v: &Spanned<String>, what: &str) -> Result<NaiveDate, RuleError> {
    NaiveDate::parse_from_str(v.get_ref(), "%Y-%m-%d").map_err(|_| {
        src.error_at(
            v.span().start,
            format!("{what}: '{}' is not a real date YYYY-MM-DD", v.get_ref()),
        )
    })
}

fn parse_term(
    src: Source<'_>,
    raw: &Spanned<RawTerm>,
    what: &str,
    earlier_stages: &[String],
) -> Result<TermSpec, RuleError> {
    let t = raw.get_ref();
    let days = *t.days.get_ref();
    if days < 0 {
        return Err(src.error_at(
            t.days.span().start,
            format!("{what}: negative term ({days} days)"),
        ));
    }
    let days = u32::try_from(days)
        .ok()
        .filter(|&d| d <= 3_650)
        .ok_or_else(|| {
            src.error_at(
                t.days.span().start,
                format!("{what}: term of {days} days is too long"),
            )
        })?;
    let unit = match t.unit.get_ref().as_str() {
        "working" => Unit::WorkingDays,
        "calendar" => Unit::CalendarDays,
        other => {
            return Err(src.error_at(
                t.unit.span().start,
                format!("{what}: unit '{other}' is neither 'working' nor 'calendar'"),
            ));
        }
    };
    let from = match &t.from {
        None => RunsFrom::Acceptance,
        Some(f) => match f.get_ref().as_str() {
            "acceptance" => RunsFrom::Acceptance,
            "previous" => {
                if earlier_stages.is_empty() {
                    return Err(src.error_at(
                        f.span().start,
                        format!("{what}: runs from 'previous' but there is no previous stage"),
                    ));
                }
                RunsFrom::Previous
            }
            other => match other.strip_prefix("stage:") {
                Some(id) => match earlier_stages.iter().position(|s| s == id) {
                    Some(i) => RunsFrom::Stage(i),
                    None => {
                        return Err(src.error_at(
                            f.span().start,
                            format!("{what}: runs from unknown stage '{id}' (it must be an earlier stage)"),
                        ));
                    }
                },
                None => {
                    return Err(src.error_at(
                        f.span().start,
                        format!(
                            "{what}: from '{other}' is not 'acceptance', 'previous' or 'stage:<id>'"
                        ),
                    ));
                }
            },
        },
    };
    if unit == Unit::WorkingDays && t.roll_to_working_day == Some(false) {
        return Err(src.error_at(
            raw.span().start,
            format!("{what}: roll_to_working_day applies to calendar-day terms only"),
        ));
    }
    Ok(TermSpec {
        days,
        unit,
        from,
        roll_to_working_day: t.roll_to_working_day.unwrap_or(true),
    })
}

fn parse_procedure(src: Source<'_>) -> Result<Procedure, RuleError> {
    let raw: RawProcedure = toml::from_str(src.text).map_err(|e| src.toml_error(&e))?;
    check_id(src, raw.id.span().start, "procedure", raw.id.get_ref())?;
    check_names(
        src,
        raw.name.span().start,
        "procedure name",
        raw.name.get_ref(),
    )?;
    if raw.code.get_ref().is_empty()
        || !raw
            .code
            .get_ref()
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return Err(src.error_at(
            raw.code.span().start,
            format!(
                "code '{}' must be uppercase letters and digits",
                raw.code.get_ref()
            ),
        ));
    }
    if raw.version.is_empty() {
        return Err(src.error_at(0, "no [[version]] given"));
    }
    let mut versions: Vec<(usize, RuleVersion)> = Vec::new();
    for rv in &raw.version {
        let at = rv.span().start;
        let version = parse_version(src, rv.get_ref())?;
        if versions.iter().any(|(_, v)| v.id == version.id) {
            return Err(src.error_at(at, format!("version '{}' is defined twice", version.id)));
        }
        versions.push((at, version));
    }
    versions.sort_by_key(|(_, v)| v.effective_from);
    for pair in versions.windows(2) {
        let (_, a) = &pair[0];
        let (at, b) = &pair[1];
        let overlaps = a.effective_to.is_none_or(|to| to >= b.effective_from);
        if overlaps {
            return Err(src.error_at(
                *at,
                format!(
                    "version '{}' (from {}) overlaps version '{}' ({}..{})",
                    b.id,
                    b.effective_from,
                    a.id,
                    a.effective_from,
                    a.effective_to.map(|d| d.to_string()).unwrap_or_default()
                ),
            ));
        }
    }
    Ok(Procedure {
        id: raw.id.into_inner(),
        code: raw.code.into_inner(),
        name: raw.name.into_inner(),
        file: src.name.to_string(),
        versions: versions.into_iter().map(|(_, v)| v).collect(),
    })
}

fn parse_version(src: Source<'_>, v: &RawVersion) -> Result<RuleVersion, RuleError> {
    let vid = v.id.get_ref().clone();
    check_id(src, v.id.span().start, "version", &vid)?;
    let ctx = |what: &str| format!("version '{vid}': {what}");
    check_names(src, v.act.span().start, &ctx("act"), v.act.get_ref())?;
    let effective_from = parse_day(src, &v.effective_from, &ctx("effective_from"))?;
    let effective_to = match &v.effective_to {
        Some(t) => {
            let to = parse_day(src, t, &ctx("effective_to"))?;
            if to < effective_from {
                return Err(src.error_at(
                    t.span().start,
                    ctx(&format!(
                        "effective_to {to} is before effective_from {effective_from}"
                    )),
                ));
            }
            Some(to)
        }
        None => None,
    };
    if v.channels.is_empty() {
        return Err(src.error_at(v.id.span().start, ctx("no channels given")));
    }
    if v.decided_by == Role::Auditor {
        return Err(src.error_at(v.id.span().start, ctx("an auditor cannot decide")));
    }

    let mut seen = BTreeSet::new();
    let mut purposes = Vec::new();
    for p in &v.purpose {
        let at = p.span().start;
        let p = p.get_ref();
        unique(src, &mut seen, at, "purpose", &p.id)?;
        check_names(src, at, &ctx(&format!("purpose '{}'", p.id)), &p.title)?;
        purposes.push(Purpose {
            id: p.id.clone(),
            title: p.title.clone(),
        });
    }
    let purpose_known = |at: usize, what: &str, list: &[String]| -> Result<(), RuleError> {
        for p in list {
            if !purposes.iter().any(|x| &x.id == p) {
                return Err(src.error_at(at, ctx(&format!("{what}: unknown purpose '{p}'"))));
            }
        }
        Ok(())
    };

    let service_term = parse_term(src, &v.service_term, &ctx("service_term"), &[])?;
    if service_term.from != RunsFrom::Acceptance {
        return Err(src.error_at(
            v.service_term.span().start,
            ctx("service_term must run from acceptance"),
        ));
    }

    let mut seen = BTreeSet::new();
    let mut stage_ids: Vec<String> = Vec::new();
    let mut stages = Vec::new();
    for s in &v.stage {
        let at = s.span().start;
        let s = s.get_ref();
        unique(src, &mut seen, at, "stage", &s.id)?;
        check_names(src, at, &ctx(&format!("stage '{}'", s.id)), &s.title)?;
        let term = parse_term(src, &s.term, &ctx(&format!("stage '{}'", s.id)), &stage_ids)?;
        // The work after a decision comes after every stage that leads to it.
        if !s.after_decision && stages.iter().any(|x: &Stage| x.after_decision) {
            return Err(src.error_at(
                at,
                ctx(&format!(
                    "stage '{}' comes after a stage with after_decision = true and must have it too",
                    s.id
                )),
            ));
        }
        stage_ids.push(s.id.clone());
        stages.push(Stage {
            id: s.id.clone(),
            title: s.title.clone(),
            term,
            source: s.source.clone(),
            after_decision: s.after_decision,
            outcome: s.outcome,
            agencies: s.agencies.clone(),
        });
    }

    let mut seen = BTreeSet::new();
    let mut grounds = Vec::new();
    for g in &v.ground {
        let at = g.span().start;
        let g = g.get_ref();
        unique(src, &mut seen, at, "ground", &g.id)?;
        check_names(src, at, &ctx(&format!("ground '{}'", g.id)), &g.title)?;
        check_names(
            src,
            at,
            &ctx(&format!("ground '{}' lifted_when", g.id)),
            &g.lifted_when,
        )?;
        grounds.push(Ground {
            id: g.id.clone(),
            title: g.title.clone(),
            lifted_when: g.lifted_when.clone(),
            source: g.source.clone(),
        });
    }

    let mut seen = BTreeSet::new();
    let mut checks = Vec::new();
    for c in &v.check {
        let at = c.span().start;
        let c = c.get_ref();
        let what = ctx(&format!("check '{}'", c.id));
        unique(src, &mut seen, at, "check", &c.id)?;
        check_names(src, at, &what, &c.title)?;
        purpose_known(at, &what, &c.purposes)?;
        match (c.mode, c.computed) {
            (CheckMode::Computed, None) => {
                return Err(src.error_at(at, format!("{what}: mode 'computed' needs computed = …")));
            }
            (CheckMode::Recorded, Some(_)) => {
                return Err(
                    src.error_at(at, format!("{what}: 'computed' given for a recorded check"))
                );
            }
            _ => {}
        }
        if let Some(g) = &c.ground
            && !grounds.iter().any(|x| &x.id == g)
        {
            return Err(src.error_at(at, format!("{what}: unknown ground '{g}'")));
        }
        checks.push(Check {
            id: c.id.clone(),
            title: c.title.clone(),
            source: c.source.clone(),
            mode: c.mode,
            computed: c.computed,
            purposes: c.purposes.clone(),
            ground: c.ground.clone(),
        });
    }

    let mut seen = BTreeSet::new();
    let mut documents = Vec::new();
    for d in &v.document {
        let at = d.span().start;
        let d = d.get_ref();
        let what = ctx(&format!("document '{}'", d.id));
        unique(src, &mut seen, at, "document", &d.id)?;
        check_names(src, at, &what, &d.title)?;
        purpose_known(at, &what, &d.purposes)?;
        documents.push(DocumentRule {
            id: d.id.clone(),
            title: d.title.clone(),
            purposes: d.purposes.clone(),
            required: d.required,
            expires: d.expires,
        });
    }

    let mut seen = BTreeSet::new();
    let mut forms = Vec::new();
    for f in &v.form {
        let at = f.span().start;
        let f = f.get_ref();
        unique(src, &mut seen, at, "form", &f.id)?;
        check_names(src, at, &ctx(&format!("form '{}'", f.id)), &f.title)?;
        forms.push(Form {
            id: f.id.clone(),
            title: f.title.clone(),
            source: f.source.clone(),
        });
    }

    let mut parameters = BTreeMap::new();
    for (name, p) in &v.parameters {
        let at = name.span().start;
        let name = name.get_ref();
        let what = ctx(&format!("parameter '{name}'"));
        if !KNOWN_PARAMETERS.contains(&name.as_str()) {
            return Err(src.error_at(
                at,
                format!(
                    "{what}: unknown parameter (known: {})",
                    KNOWN_PARAMETERS.join(", ")
                ),
            ));
        }
        let p = p.get_ref();
        let value = *p.value.get_ref();
        let value = u32::try_from(value).map_err(|_| {
            src.error_at(
                p.value.span().start,
                format!("{what}: value {value} must be 0 or more"),
            )
        })?;
        check_names(src, at, &what, &p.title)?;
        parameters.insert(
            name.clone(),
            Parameter {
                value,
                unit: p.unit,
                status: p.status,
                title: p.title.clone(),
                source: p.source.clone(),
            },
        );
    }
    if v.hearing {
        for needed in ["hearing_notice", "hearing_within"] {
            if !parameters.contains_key(needed) {
                return Err(src.error_at(
                    v.id.span().start,
                    ctx(&format!("hearing = true needs the parameter '{needed}'")),
                ));
            }
        }
    }
    if checks
        .iter()
        .any(|c| c.computed == Some(Computed::DomesticWorkerQuota))
        && !parameters.contains_key("domestic_worker_rvp_limit")
    {
        return Err(src.error_at(
            v.id.span().start,
            ctx("a domestic_worker_quota check needs the parameter 'domestic_worker_rvp_limit'"),
        ));
    }

    Ok(RuleVersion {
        id: vid,
        act: v.act.get_ref().clone(),
        source: v.source.clone(),
        effective_from,
        effective_to,
        note: v.note.clone(),
        applicant: v.applicant,
        decided_by: v.decided_by,
        approval: v.approval,
        hearing: v.hearing,
        hearing_anchor: v.hearing_anchor.unwrap_or(HearingAnchor::Decision),
        channels: v.channels.clone(),
        service_term,
        service_term_is_sum: v.service_term_is_sum,
        purposes,
        stages,
        checks,
        grounds,
        documents,
        forms,
        parameters,
    })
}
