//! The case model and its lifecycle.
//!
//! Every transition is a pure function `(case, context, input) → events`:
//! it validates the input against the rule version that governs the case
//! and returns the events to record, or a [`Violation`] that names the rule
//! and, for dates, the earliest or latest allowed moment. [`apply`] folds an
//! event into the case; the store records the same events in its audit log.

use std::collections::BTreeMap;

use super::msg::{Arg, Localize, Msg};
use crate::msg;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::procedure::{Approval, HearingAnchor, Role, RuleVersion, StageOutcome};
use super::term::{self, Term, TermError, local};

/// Who acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub login: String,
    pub role: Role,
}

/// Everything a transition needs besides the case.
pub struct Ctx<'a> {
    pub cal: &'a Calendar,
    pub version: &'a RuleVersion,
    pub actor: &'a Actor,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// A stable key for the person across cases (document number or IIN).
    pub key: String,
    pub name: String,
    pub iin: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub citizenship: String,
}

/// A host or employer: an individual (IIN) or a legal entity (BIN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub id_number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// The document rule id (`passport`, `employment_contract`, …).
    pub kind: String,
    pub number: String,
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    Failed,
    NotApplicable,
    Pending,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    pub outcome: Outcome,
    pub by: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeChannel {
    InPerson,
    Post,
    Electronic,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingNotice {
    pub sent_at: DateTime<Utc>,
    pub channel: NoticeChannel,
    pub hearing_at: DateTime<Utc>,
    pub place: String,
    /// The day the administrative act is planned for.
    pub planned_decision: NaiveDate,
    pub grounds: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hearing {
    pub held_at: DateTime<Utc>,
    pub applicant_position: String,
    /// Whether the review continues after the hearing.
    pub continue_review: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DecisionKind {
    Issue,
    Refuse {
        grounds: Vec<String>,
    },
    /// Annulment of a permanent residence permit.
    Annul {
        grounds: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum ApprovalState {
    NotRequired,
    Pending,
    Approved {
        by: String,
        at: DateTime<Utc>,
    },
    Returned {
        by: String,
        at: DateTime<Utc>,
        comment: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub kind: DecisionKind,
    pub by: String,
    pub at: DateTime<Utc>,
    pub approval: ApprovalState,
    /// The actual reason in the inspector's words (order 992 §17: the
    /// refusal notice states the reason); empty when none was given.
    #[serde(default)]
    pub reason: String,
}

impl Decision {
    /// In effect: approved, or needing no approval.
    pub fn in_effect(&self) -> bool {
        matches!(
            self.approval,
            ApprovalState::NotRequired | ApprovalState::Approved { .. }
        )
    }

    /// The moment it took effect.
    pub fn effective_at(&self) -> Option<DateTime<Utc>> {
        match &self.approval {
            ApprovalState::NotRequired => Some(self.at),
            ApprovalState::Approved { at, .. } => Some(*at),
            _ => None,
        }
    }
}

/// The exceptions under which an RVP application is accepted after the
/// lawful stay ended (order 992 §9-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LateException {
    /// Applied in time, but the stay expired through an information-system
    /// failure; the failure act is signed by the State Corporation and the
    /// service provider.
    SystemFailure { act: String },
    /// Held administratively liable (art. 517 of the Code of Administrative
    /// Offences) for not leaving within a period not exceeding the window.
    Art517 { ruling: String, overstay_days: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintTo {
    /// Reviewed by the service provider (complaint_review).
    ServiceProvider,
    /// The authority for the quality of state services (complaint_quality_authority).
    QualityAuthority,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    pub registered_at: DateTime<Utc>,
    pub to: ComplaintTo,
    pub text: String,
    pub answered_at: Option<DateTime<Utc>>,
}

/// A request to another state body and its answer (KNB, UMS DP, the bank,
/// CLSSR, the Ministry of Justice, the State Revenue Committee, the
/// Ministry of Defence, the military office).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyRequest {
    pub agency: String,
    pub sent_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub note: String,
}

/// A change of residence (order 992 §17-1): the case file is requested
/// from the unit where the person was registered, and the registration at
/// the new address is made on the day of the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub from_unit: String,
    pub applied_at: DateTime<Utc>,
    pub registered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    Damage,
    Loss,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub by: String,
    pub at: DateTime<Utc>,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Received, not yet accepted.
    Received,
    Accepted,
    RefusedToAccept,
    /// A decision is in effect (approved, where required) and something is
    /// still due: a notice, a hand-over, a deregistration, a complaint.
    Decided,
    /// Nothing remains: the case has left the queue.
    Archived,
}

/// One application and everything recorded on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Application number, e.g. `2026-RVP-00042`.
    pub number: String,
    pub procedure: String,
    /// The rule version in force on the acceptance date.
    pub version: String,
    pub purpose: Option<String>,
    pub channel: super::procedure::Channel,
    pub received_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// The acceptance day (not counted in terms).
    pub acceptance_day: Option<NaiveDate>,
    pub status: Status,
    pub applicant: Person,
    pub host: Option<Party>,
    pub family: Vec<Person>,
    pub documents: Vec<Document>,
    /// The day the foreigner crossed the state border (day 1 of the stay).
    pub entry_date: Option<NaiveDate>,
    /// The last day of the stay the visa or the entry grants, for citizens
    /// of states outside the EAEU (their stay is not the EAEU's 90 days).
    #[serde(default)]
    pub stay_until: Option<NaiveDate>,
    /// The day the foreigner arrived at the host (seed 000: the host
    /// notifies within three working days of the arrival); when unknown,
    /// the border crossing is taken.
    #[serde(default)]
    pub arrival_date: Option<NaiveDate>,
    pub late_acceptance: Option<LateException>,
    pub refusal_to_accept: Vec<String>,
    /// Completion instants, index-aligned with the version's stages.
    pub stages: Vec<Option<DateTime<Utc>>>,
    pub checks: BTreeMap<String, CheckResult>,
    pub notices: Vec<HearingNotice>,
    pub hearings: Vec<Hearing>,
    /// Every decision, the current one last (earlier ones were returned or superseded).
    pub decisions: Vec<Decision>,
    pub duplicates: Vec<(DateTime<Utc>, DuplicateReason)>,
    pub complaints: Vec<Complaint>,
    /// Requests to other state bodies, in the order sent.
    #[serde(default)]
    pub requests: Vec<AgencyRequest>,
    /// Changes of residence with a permit of this case (order 992 §17-1).
    #[serde(default)]
    pub transfers: Vec<Transfer>,
    pub notes: Vec<Note>,
    pub assignee: Option<String>,
}

impl Case {
    /// A new case as received, before acceptance.
    pub fn received(
        number: impl Into<String>,
        procedure: &str,
        version: &RuleVersion,
        channel: super::procedure::Channel,
        received_at: DateTime<Utc>,
        applicant: Person,
    ) -> Case {
        Case {
            number: number.into(),
            procedure: procedure.to_string(),
            version: version.id.clone(),
            purpose: None,
            channel,
            received_at,
            accepted_at: None,
            acceptance_day: None,
            status: Status::Received,
            applicant,
            host: None,
            family: Vec::new(),
            documents: Vec::new(),
            entry_date: None,
            stay_until: None,
            arrival_date: None,
            late_acceptance: None,
            refusal_to_accept: Vec::new(),
            stages: vec![None; version.stages.len()],
            checks: BTreeMap::new(),
            notices: Vec::new(),
            hearings: Vec::new(),
            decisions: Vec::new(),
            duplicates: Vec::new(),
            complaints: Vec::new(),
            requests: Vec::new(),
            transfers: Vec::new(),
            notes: Vec::new(),
            assignee: None,
        }
    }

    /// The current decision, if any.
    pub fn decision(&self) -> Option<&Decision> {
        self.decisions.last()
    }

    /// The latest decision that was not returned: what is in force or pending.
    pub fn standing_decision(&self) -> Option<&Decision> {
        self.decisions
            .iter()
            .rev()
            .find(|d| !matches!(d.approval, ApprovalState::Returned { .. }))
    }

    /// Still being worked on: accepted and without a decision in effect.
    pub fn is_open(&self) -> bool {
        matches!(self.status, Status::Received | Status::Accepted)
    }

    /// The refusal grounds supported by failed checks.
    pub fn grounds_from_checks(&self, version: &RuleVersion) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &version.checks {
            if let (Some(g), Some(r)) = (&c.ground, self.checks.get(&c.id))
                && r.outcome == Outcome::Failed
                && !out.contains(g)
            {
                out.push(g.clone());
            }
        }
        out
    }
}

/// What was recorded; the store keeps these in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Event {
    Accepted {
        at: DateTime<Utc>,
        acceptance_day: NaiveDate,
        late: Option<LateException>,
    },
    RefusedToAccept {
        at: DateTime<Utc>,
        reasons: Vec<String>,
    },
    StageCompleted {
        stage: String,
        at: DateTime<Utc>,
    },
    CheckRecorded {
        check: String,
        result: CheckResult,
    },
    HearingNoticeSent(HearingNotice),
    HearingHeld(Hearing),
    Decided(Decision),
    DecisionApproved {
        by: String,
        at: DateTime<Utc>,
    },
    DecisionReturned {
        by: String,
        at: DateTime<Utc>,
        comment: String,
    },
    DuplicateIssued {
        at: DateTime<Utc>,
        reason: DuplicateReason,
    },
    ComplaintRegistered(Complaint),
    ComplaintAnswered {
        index: usize,
        at: DateTime<Utc>,
    },
    NoteAdded(Note),
    RequestSent(AgencyRequest),
    ResidenceChanged(Transfer),
    ResidenceRegistered {
        at: DateTime<Utc>,
    },
    RequestAnswered {
        index: usize,
        at: DateTime<Utc>,
        note: String,
    },
    /// Nothing remains due after the decision: the case leaves the queue.
    Archived {
        at: DateTime<Utc>,
    },
}

/// A transition that breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} [{rule}]")]
pub struct Violation {
    /// The rule, with its source (e.g. `order 992 §17: hearing notice`).
    pub rule: Msg,
    pub message: Msg,
    pub earliest: Option<DateTime<Utc>>,
    pub latest: Option<DateTime<Utc>>,
}

impl Localize for Violation {
    fn msg(&self) -> Msg {
        msg!(
            "violation.with-rule",
            message = self.message.clone(),
            rule = self.rule.clone()
        )
    }
}

impl Violation {
    fn new(rule: &'static str, message: Msg) -> Violation {
        Violation {
            rule: Msg::key(rule),
            message,
            earliest: None,
            latest: None,
        }
    }

    fn with_rule(rule: Msg, message: Msg) -> Violation {
        Violation {
            rule,
            message,
            earliest: None,
            latest: None,
        }
    }

    fn earliest(mut self, t: DateTime<Utc>) -> Violation {
        self.earliest = Some(t);
        self
    }

    fn latest(mut self, t: DateTime<Utc>) -> Violation {
        self.latest = Some(t);
        self
    }
}

impl From<TermError> for Violation {
    fn from(e: TermError) -> Self {
        Violation::new("rule-ref.calendar", e.msg())
    }
}

type Transition = Result<Vec<Event>, Violation>;

fn may_act(ctx: &Ctx<'_>) -> Result<(), Violation> {
    if ctx.actor.role == Role::Auditor {
        return Err(Violation::new(
            "rule-ref.roles",
            msg!("violation.auditor", login = &ctx.actor.login),
        ));
    }
    Ok(())
}

fn must_be_accepted(case: &Case) -> Result<(), Violation> {
    match case.status {
        Status::Accepted => Ok(()),
        Status::Received => Err(Violation::new(
            "rule-ref.lifecycle",
            Msg::key("violation.not-accepted"),
        )),
        Status::RefusedToAccept => Err(Violation::new(
            "rule-ref.lifecycle",
            Msg::key("violation.refused-acceptance"),
        )),
        Status::Decided | Status::Archived => Err(Violation::new(
            "rule-ref.lifecycle",
            Msg::key("violation.already-decided"),
        )),
    }
}

fn not_in_future(ctx: &Ctx<'_>, at: DateTime<Utc>, what: Msg) -> Result<(), Violation> {
    if at > ctx.now {
        return Err(Violation::new(
            "rule-ref.lifecycle",
            msg!("violation.in-future", what = what),
        )
        .latest(ctx.now));
    }
    Ok(())
}

fn param(version: &RuleVersion, name: &str) -> Result<u32, Violation> {
    version.parameter(name).map(|p| p.value).ok_or_else(|| {
        Violation::new(
            "rule-ref.rules",
            msg!("violation.no-parameter", version = &version.id, name = name),
        )
    })
}

/// A problem with the package that blocks acceptance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageProblem {
    Missing(String),
    Expired {
        document: String,
        valid_until: NaiveDate,
    },
}

impl Localize for PackageProblem {
    fn msg(&self) -> Msg {
        match self {
            PackageProblem::Missing(d) => msg!("violation.missing-document", document = d),
            PackageProblem::Expired {
                document,
                valid_until,
            } => msg!(
                "violation.expired-document",
                document = document,
                day = *valid_until
            ),
        }
    }
}

impl std::fmt::Display for PackageProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.msg().fmt(f)
    }
}

/// Missing required documents and documents expired by `day`.
pub fn package_problems(case: &Case, version: &RuleVersion, day: NaiveDate) -> Vec<PackageProblem> {
    let purpose = case.purpose.as_deref();
    let mut out = Vec::new();
    for rule in version.documents.iter().filter(|d| d.applies_to(purpose)) {
        let given: Vec<&Document> = case
            .documents
            .iter()
            .filter(|d| d.kind == rule.id)
            .collect();
        if given.is_empty() {
            if rule.required {
                out.push(PackageProblem::Missing(rule.id.clone()));
            }
            continue;
        }
        if rule.expires {
            for d in given {
                if let Some(until) = d.valid_until
                    && until < day
                {
                    out.push(PackageProblem::Expired {
                        document: rule.id.clone(),
                        valid_until: until,
                    });
                }
            }
        }
    }
    out
}

/// The last day of lawful stay: the crossing day is day 1 (interpretation,
/// parameter `stay_limit`).
pub fn stay_last_day(version: &RuleVersion, entry: NaiveDate) -> Option<NaiveDate> {
    let limit = version.parameter("stay_limit")?.value;
    entry.checked_add_signed(Duration::days(i64::from(limit.max(1)) - 1))
}

/// The moment intake closes on a working day for an application that
/// came through `channel`: at the office at the calendar's intake hour
/// (001 §8: 17:30); through the portal at the end of working hours (002 §8:
/// "после окончания рабочего времени"); through the State Corporation at
/// its own closing hour, the version's `state_corporation_intake_closes`
/// (003 app. 2 row 9: 09:00-20:00), else at the end of working hours.
pub fn intake_closes(
    cal: &Calendar,
    version: &RuleVersion,
    channel: super::procedure::Channel,
) -> chrono::NaiveTime {
    use super::procedure::Channel;
    match channel {
        Channel::Office => cal.office().intake_closes,
        Channel::Portal => cal.office().closes,
        Channel::StateCorporation => version
            .parameter("state_corporation_intake_closes")
            .and_then(|p| chrono::NaiveTime::from_hms_opt(p.value.min(23), 0, 0))
            .unwrap_or(cal.office().closes),
    }
}

/// When the terms of this case start, by the channel it came through.
pub fn start_of_case(
    cal: &Calendar,
    version: &RuleVersion,
    case: &Case,
) -> Result<term::Start, TermError> {
    term::start_of_term_until(
        cal,
        case.received_at,
        intake_closes(cal, version, case.channel),
    )
}

/// The member states of the Eurasian Economic Union (ISO 3166 alpha-3),
/// whose citizens have the 90-day stay of seed 000 ("для граждан
/// государств-участников ЕАЭС"); Kazakhstan's own citizens need no stay.
pub const EAEU_MEMBERS: [&str; 4] = ["ARM", "BLR", "KGZ", "RUS"];

/// A citizen of another EAEU member state.
pub fn eaeu_citizen(person: &Person) -> bool {
    EAEU_MEMBERS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(person.citizenship.trim()))
}

/// The last day of the applicant's lawful stay, where the version tracks
/// stays: for EAEU citizens the 90 days from the crossing (seed 000), for
/// everyone else the stay their visa or entry grants (`stay_until`);
/// `None` when it is not known.
pub fn lawful_stay_last_day(case: &Case, version: &RuleVersion) -> Option<NaiveDate> {
    version.parameter("stay_limit")?;
    if eaeu_citizen(&case.applicant) {
        stay_last_day(version, case.entry_date?)
    } else {
        case.stay_until
    }
}

/// The day a new PR application becomes possible after a refusal or an
/// annulment on `decided` (order 992 §22: not earlier than one year).
pub fn reapplication_possible_from(version: &RuleVersion, decided: NaiveDate) -> Option<NaiveDate> {
    let years = version.parameter("reapplication_block")?.value as i32;
    let y = decided.year() + years;
    // 29 February + 1 year: the block ends with 28 February, so 1 March is the first day.
    NaiveDate::from_ymd_opt(y, decided.month(), decided.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, 3, 1))
}

/// Where a stage stands, given the case's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "at")]
pub enum StageState {
    Done(DateTime<Utc>),
    /// Work towards the decision, not completed when it was taken: the
    /// decision settles it.
    SettledByDecision,
    /// Belongs to the outcome that was not decided.
    OtherOutcome,
    /// Work after the decision, which is not (yet) in effect.
    AwaitsDecision,
    /// To be done.
    Open,
}

impl StageState {
    /// No longer to be done, whether completed or closed by the decision.
    pub fn closed(self) -> bool {
        matches!(
            self,
            StageState::Done(_) | StageState::SettledByDecision | StageState::OtherOutcome
        )
    }
}

/// The outcome a decision stands for, as the stages know outcomes.
fn decided_outcome(d: &Decision) -> Option<StageOutcome> {
    match d.kind {
        DecisionKind::Issue => Some(StageOutcome::Issue),
        DecisionKind::Refuse { .. } => Some(StageOutcome::Refuse),
        DecisionKind::Annul { .. } => None,
    }
}

/// Where stage `i` of the version stands on this case.
pub fn stage_state(case: &Case, version: &RuleVersion, i: usize) -> StageState {
    if let Some(at) = case.stages.get(i).copied().flatten() {
        return StageState::Done(at);
    }
    let Some(stage) = version.stages.get(i) else {
        return StageState::Open;
    };
    let standing = case.standing_decision();
    match standing {
        None if stage.after_decision => StageState::AwaitsDecision,
        None => StageState::Open,
        Some(_) if !stage.after_decision => StageState::SettledByDecision,
        Some(d) => match (stage.outcome, decided_outcome(d)) {
            // An annulment ends the permit: the stages of issue and refusal are behind it.
            (Some(_), None) => StageState::OtherOutcome,
            (Some(o), Some(k)) if o != k => StageState::OtherOutcome,
            _ if !d.in_effect() => StageState::AwaitsDecision,
            _ => StageState::Open,
        },
    }
}

/// What is still due before the case can be archived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Remaining {
    /// Not accepted yet.
    Acceptance,
    /// No decision yet.
    Decision,
    /// The decision waits for a supervisor's approval.
    Approval,
    /// A stage to complete (its id).
    Stage(String),
    /// An unanswered complaint (its index).
    Complaint(usize),
    /// An awaited answer of a state body (its id).
    Answer(String),
    /// The registration at a new address (order 992 §17-1).
    Registration,
}

/// Everything that keeps the case from the archive; empty when it may go.
pub fn remaining(case: &Case, version: &RuleVersion) -> Vec<Remaining> {
    let mut out = Vec::new();
    match case.status {
        Status::Received => out.push(Remaining::Acceptance),
        // A refused package is handed back with its receipt at once.
        Status::RefusedToAccept => return out,
        _ => {}
    }
    match case.standing_decision() {
        None if case.status != Status::Received => out.push(Remaining::Decision),
        Some(d) if !d.in_effect() => out.push(Remaining::Approval),
        _ => {}
    }
    for (i, stage) in version.stages.iter().enumerate() {
        if matches!(
            stage_state(case, version, i),
            StageState::Open | StageState::AwaitsDecision
        ) && (stage.after_decision || case.standing_decision().is_none())
        {
            out.push(Remaining::Stage(stage.id.clone()));
        }
    }
    for (i, c) in case.complaints.iter().enumerate() {
        if c.answered_at.is_none() {
            out.push(Remaining::Complaint(i));
        }
    }
    if case.transfers.iter().any(|t| t.registered_at.is_none()) {
        out.push(Remaining::Registration);
    }
    // An answer still awaited for work after the decision (the military
    // office's deregistration) keeps the case; the others the decision settled.
    for r in &case.requests {
        if r.answered_at.is_none()
            && version
                .agency_stage(&r.agency)
                .is_some_and(|s| s.after_decision)
            && case.standing_decision().is_some()
        {
            out.push(Remaining::Answer(r.agency.clone()));
        }
    }
    out
}

/// The archive event, when a decided case has nothing left to do after
/// `events` are applied. The store adds it to the same change.
pub fn settle(case: &Case, version: &RuleVersion, now: DateTime<Utc>) -> Option<Event> {
    (case.status == Status::Decided && remaining(case, version).is_empty())
        .then_some(Event::Archived { at: now })
}

/// Facts about other cases that transitions and computed checks need.
/// The store implements it with queries.
pub trait CaseQueries {
    /// Valid RVPs for work in a household issued to this employer (IIN or
    /// BIN) on `day`, excluding `except` (the case being checked).
    fn household_rvps_of_employer(
        &self,
        employer: &str,
        day: NaiveDate,
        except: &str,
    ) -> Vec<CaseRef>;
    /// An open PR application of this person, other than `except`.
    fn pending_pr_of(&self, person_key: &str, except: &str) -> Option<CaseRef>;
    /// The most recent refusal or annulment of a PR for this person.
    fn last_pr_refusal_or_annulment(&self, person_key: &str) -> Option<(String, NaiveDate)>;
}

/// A reference to another case, as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRef {
    pub number: String,
    pub person: String,
    pub valid_until: Option<NaiveDate>,
}

fn check_purpose(case: &Case, version: &RuleVersion) -> Result<(), Violation> {
    if version.purposes.is_empty() {
        return Ok(());
    }
    match case.purpose.as_deref() {
        Some(p) if version.purposes.iter().any(|x| x.id == p) => Ok(()),
        Some(p) => Err(Violation::new(
            "rule-ref.purpose",
            msg!(
                "violation.unknown-purpose",
                purpose = p,
                version = &version.id,
                known = version
                    .purposes
                    .iter()
                    .map(|x| x.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        None => Err(Violation::new(
            "rule-ref.purpose",
            Msg::key("violation.no-purpose"),
        )),
    }
}

// ---------------------------------------------------------------------------
// Transitions

/// Accept the application. Refused when the package is incomplete or a
/// document has expired (use [`refuse_to_accept`]), when the lawful stay has
/// ended without one of the exceptions of order 992 §9-1, or for a PR within
/// a year of a refusal or annulment.
pub fn accept(
    case: &Case,
    ctx: &Ctx<'_>,
    queries: &dyn CaseQueries,
    late: Option<LateException>,
) -> Transition {
    may_act(ctx)?;
    if case.status != Status::Received {
        return Err(Violation::new(
            "rule-ref.lifecycle",
            Msg::key("violation.accept-not-received"),
        ));
    }
    let start = start_of_case(ctx.cal, ctx.version, case)?;
    let day = start.acceptance_day;
    if !ctx.version.in_force_on(day) {
        return Err(Violation::new(
            "rule-ref.rules",
            msg!(
                "violation.version-not-in-force",
                version = &ctx.version.id,
                day = day
            ),
        ));
    }
    if !ctx.version.channels.contains(&case.channel) {
        return Err(Violation::new(
            "rule-ref.channel",
            msg!(
                "violation.channel",
                version = &ctx.version.id,
                channel = serde_json::to_value(case.channel)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            ),
        ));
    }
    check_purpose(case, ctx.version)?;
    let problems = package_problems(case, ctx.version, day);
    if !problems.is_empty() {
        let list: Vec<Msg> = problems.iter().map(Localize::msg).collect();
        return Err(Violation::new(
            "rule-ref.package",
            msg!("violation.cannot-accept", problems = list),
        ));
    }
    // Late RVP applications (order 992 §9-1).
    let mut late_recorded = None;
    let received_day = local(ctx.cal, case.received_at).date();
    if let Some(window) = ctx.version.parameter("late_acceptance_window")
        && let Some(last) = lawful_stay_last_day(case, ctx.version)
        && received_day > last
    {
        // The overstay is kezek's to count: from the end of the lawful stay
        // to the day the application was received.
        let overstay = u32::try_from((received_day - last).num_days()).unwrap_or(u32::MAX);
        let late = match late {
            Some(LateException::Art517 { ruling, .. }) => Some(LateException::Art517 {
                ruling,
                overstay_days: overstay,
            }),
            other => other,
        };
        let rule = "rule-ref.late";
        match &late {
            None => {
                return Err(Violation::new(
                    rule,
                    msg!("violation.stay-ended", day = last, days = window.value),
                ));
            }
            Some(LateException::SystemFailure { act }) if act.trim().is_empty() => {
                return Err(Violation::new(rule, Msg::key("violation.failure-act")));
            }
            Some(LateException::Art517 { ruling, .. }) if ruling.trim().is_empty() => {
                return Err(Violation::new(rule, Msg::key("violation.art517-ruling")));
            }
            Some(LateException::Art517 { overstay_days, .. }) if *overstay_days > window.value => {
                return Err(Violation::new(
                    rule,
                    msg!(
                        "violation.overstay",
                        overstay = *overstay_days,
                        days = window.value
                    ),
                ));
            }
            Some(exception) => late_recorded = Some(exception.clone()),
        }
    }
    // PR re-application block (order 992 §22).
    if ctx.version.parameter("reapplication_block").is_some()
        && let Some((number, decided)) = queries.last_pr_refusal_or_annulment(&case.applicant.key)
        && let Some(from) = reapplication_possible_from(ctx.version, decided)
        && day < from
    {
        let earliest = term::at_local(ctx.cal, from, ctx.cal.office().opens)?;
        return Err(Violation::new(
            "rule-ref.reapplication",
            msg!(
                "violation.reapplication",
                number = number,
                decided = decided,
                from = from
            ),
        )
        .earliest(earliest));
    }
    Ok(vec![Event::Accepted {
        at: start.counts_from,
        acceptance_day: day,
        late: late_recorded,
    }])
}

/// Refuse to accept: the package is incomplete or a document has expired,
/// the purpose is missing, the lawful stay ended before the application
/// (order 992 §9-1), or a PR application comes within the re-application
/// block (order 992 §22). Any other application must be accepted.
pub fn refuse_to_accept(case: &Case, ctx: &Ctx<'_>, queries: &dyn CaseQueries) -> Transition {
    may_act(ctx)?;
    if case.status != Status::Received {
        return Err(Violation::new(
            "rule-ref.lifecycle",
            Msg::key("violation.refuse-not-received"),
        ));
    }
    let day = start_of_case(ctx.cal, ctx.version, case)?.acceptance_day;
    let mut reasons: Vec<String> = package_problems(case, ctx.version, day)
        .iter()
        .map(ToString::to_string)
        .collect();
    if let Err(v) = check_purpose(case, ctx.version) {
        reasons.push(v.message.to_string());
    }
    if ctx.version.parameter("late_acceptance_window").is_some()
        && let Some(last) = lawful_stay_last_day(case, ctx.version)
        && local(ctx.cal, case.received_at).date() > last
    {
        reasons.push(msg!("violation.reason-stay-ended", day = last).to_string());
    }
    if ctx.version.parameter("reapplication_block").is_some()
        && let Some((number, decided)) = queries.last_pr_refusal_or_annulment(&case.applicant.key)
        && let Some(from) = reapplication_possible_from(ctx.version, decided)
        && day < from
    {
        reasons.push(
            msg!(
                "violation.reason-reapplication",
                number = number,
                decided = decided,
                from = from
            )
            .to_string(),
        );
    }
    if reasons.is_empty() {
        return Err(Violation::new(
            "rule-ref.package",
            Msg::key("violation.no-ground-to-refuse"),
        ));
    }
    Ok(vec![Event::RefusedToAccept {
        at: ctx.now,
        reasons,
    }])
}

/// Complete a stage: the stages before it are completed or closed by the
/// decision; work after a decision needs the decision in effect, and a
/// stage of the other outcome is closed.
pub fn complete_stage(case: &Case, ctx: &Ctx<'_>, stage: &str, at: DateTime<Utc>) -> Transition {
    may_act(ctx)?;
    // Some stages come after the decision (PR notification, exit deregistration).
    if case.status != Status::Decided {
        must_be_accepted(case)?;
    }
    not_in_future(ctx, at, Msg::key("violation.what-stage"))?;
    let i = ctx.version.stage_index(stage).ok_or_else(|| {
        Violation::new(
            "rule-ref.rules",
            msg!(
                "violation.no-stage",
                stage = stage,
                version = &ctx.version.id
            ),
        )
    })?;
    let title = &ctx.version.stages[i].title;
    match stage_state(case, ctx.version, i) {
        StageState::Done(_) => {
            return Err(Violation::new(
                "rule-ref.stages",
                msg!("violation.stage-done", stage = title),
            ));
        }
        StageState::SettledByDecision => {
            return Err(Violation::new(
                "rule-ref.stages",
                msg!("violation.stage-settled", stage = title),
            ));
        }
        StageState::OtherOutcome => {
            return Err(Violation::new(
                "rule-ref.stages",
                msg!("violation.stage-other-outcome", stage = title),
            ));
        }
        StageState::AwaitsDecision => {
            return Err(Violation::new(
                "rule-ref.stages",
                msg!("violation.stage-after-decision", stage = title),
            ));
        }
        StageState::Open => {}
    }
    if let Some(open) = (0..i).find(|&j| !stage_state(case, ctx.version, j).closed()) {
        return Err(Violation::new(
            "rule-ref.sequential",
            msg!(
                "violation.stage-first",
                stage = &ctx.version.stages[open].title
            ),
        ));
    }
    let mut after = (0..i)
        .filter_map(|j| case.stages.get(j).copied().flatten())
        .max()
        .or(case.accepted_at)
        .unwrap_or(case.received_at);
    if ctx.version.stages[i].after_decision
        && let Some(effective) = case.standing_decision().and_then(Decision::effective_at)
    {
        after = after.max(effective);
    }
    if at < after {
        return Err(Violation::new(
            "rule-ref.sequential",
            msg!("violation.stage-before", at = local(ctx.cal, after)),
        )
        .earliest(after));
    }
    Ok(vec![Event::StageCompleted {
        stage: stage.to_string(),
        at,
    }])
}

/// Record the outcome of a checklist item.
pub fn record_check(
    case: &Case,
    ctx: &Ctx<'_>,
    check: &str,
    outcome: Outcome,
    note: &str,
) -> Transition {
    may_act(ctx)?;
    must_be_accepted(case)?;
    let c = ctx.version.check(check).ok_or_else(|| {
        Violation::new(
            "rule-ref.rules",
            msg!(
                "violation.no-check",
                check = check,
                version = &ctx.version.id
            ),
        )
    })?;
    let applies = c.applies_to(case.purpose.as_deref());
    if !applies && outcome != Outcome::NotApplicable {
        return Err(Violation::new(
            "rule-ref.checklist",
            msg!("violation.check-not-applicable", check = &c.title),
        ));
    }
    if applies && outcome == Outcome::NotApplicable {
        return Err(Violation::new(
            "rule-ref.checklist",
            msg!("violation.check-applies", check = &c.title),
        ));
    }
    Ok(vec![Event::CheckRecorded {
        check: check.to_string(),
        result: CheckResult {
            outcome,
            by: ctx.actor.login.clone(),
            at: ctx.now,
            note: note.to_string(),
        },
    }])
}

/// What the inspector enters for a hearing notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeInput {
    pub sent_at: DateTime<Utc>,
    pub channel: NoticeChannel,
    pub hearing_at: DateTime<Utc>,
    pub place: String,
    /// The planned day of the administrative act; for procedures whose
    /// notice is anchored on the end of the service term this is ignored.
    pub planned_decision: NaiveDate,
    pub grounds: Vec<String>,
}

/// The window of a hearing notice: the latest moment to send it and the
/// latest moment of the hearing for a notice sent on `sent_day`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HearingWindow {
    /// The day the notice is counted back from.
    pub anchor: NaiveDate,
    pub notice_latest: DateTime<Utc>,
}

/// The service term's end for an accepted case.
pub fn service_due(case: &Case, ctx: &Ctx<'_>) -> Result<term::Due, Violation> {
    let day = case
        .acceptance_day
        .ok_or_else(|| Violation::new("rule-ref.lifecycle", Msg::key("violation.not-accepted")))?;
    Ok(term::due_after_day(
        ctx.cal,
        day,
        ctx.version.service_term.term(),
    )?)
}

/// The latest moment to send a hearing notice for a decision planned on `planned`.
pub fn hearing_window(
    case: &Case,
    ctx: &Ctx<'_>,
    planned: NaiveDate,
) -> Result<HearingWindow, Violation> {
    let n = param(ctx.version, "hearing_notice")?;
    let anchor = match ctx.version.hearing_anchor {
        HearingAnchor::Decision => planned,
        HearingAnchor::ServiceEnd => service_due(case, ctx)?.due_day,
    };
    let (_, latest) = term::latest_before(ctx.cal, anchor, n)?;
    Ok(HearingWindow {
        anchor,
        notice_latest: latest,
    })
}

/// The latest moment of a hearing for a notice sent at `sent_at`.
pub fn hearing_latest(ctx: &Ctx<'_>, sent_at: DateTime<Utc>) -> Result<DateTime<Utc>, Violation> {
    let n = param(ctx.version, "hearing_within")?;
    let day = local(ctx.cal, sent_at).date();
    let last = ctx.cal.add_working_days(day, n).map_err(TermError::from)?;
    Ok(term::at_local(ctx.cal, last, ctx.cal.office().closes)?)
}

/// Send a hearing notice: grounds to refuse exist, the notice goes out at
/// least `hearing_notice` working days before the act, and the hearing is
/// set within `hearing_within` working days of the notice.
pub fn send_hearing_notice(case: &Case, ctx: &Ctx<'_>, input: NoticeInput) -> Transition {
    may_act(ctx)?;
    must_be_accepted(case)?;
    if !ctx.version.hearing {
        return Err(Violation::new(
            "rule-ref.rules",
            Msg::key("violation.no-hearing"),
        ));
    }
    if input.grounds.is_empty() {
        return Err(Violation::new(
            "rule-ref.hearing-grounds",
            Msg::key("violation.notice-needs-grounds"),
        ));
    }
    for g in &input.grounds {
        if ctx.version.ground(g).is_none() {
            return Err(Violation::new(
                "rule-ref.rules",
                msg!("violation.no-ground", ground = g, version = &ctx.version.id),
            ));
        }
    }
    not_in_future(ctx, input.sent_at, Msg::key("violation.what-notice"))?;
    if let Some(accepted) = case.accepted_at
        && input.sent_at < accepted
    {
        return Err(Violation::new(
            "rule-ref.hearing-notice",
            Msg::key("violation.notice-before-acceptance"),
        )
        .earliest(accepted));
    }
    let n = param(ctx.version, "hearing_notice")?;
    let window = hearing_window(case, ctx, input.planned_decision)?;
    let rule = match ctx.version.hearing_anchor {
        HearingAnchor::Decision => msg!("rule-ref.notice-before-act", n = n),
        HearingAnchor::ServiceEnd => msg!("rule-ref.notice-before-term-end", n = n),
    };
    if input.sent_at > window.notice_latest {
        return Err(Violation::with_rule(
            rule,
            msg!(
                "violation.notice-late",
                day = window.anchor,
                by = local(ctx.cal, window.notice_latest)
            ),
        )
        .latest(window.notice_latest));
    }
    let within = param(ctx.version, "hearing_within")?;
    let hearing_latest = hearing_latest(ctx, input.sent_at)?;
    if input.hearing_at < input.sent_at {
        return Err(Violation::new(
            "rule-ref.hearing-after-notice",
            Msg::key("violation.hearing-before-notice"),
        )
        .earliest(input.sent_at));
    }
    if input.hearing_at > hearing_latest {
        return Err(Violation::with_rule(
            msg!("rule-ref.hearing-within", n = within),
            msg!("violation.hearing-by", by = local(ctx.cal, hearing_latest)),
        )
        .earliest(input.sent_at)
        .latest(hearing_latest));
    }
    if input.place.trim().is_empty() {
        return Err(Violation::new(
            "rule-ref.hearing-notice",
            Msg::key("violation.notice-needs-place"),
        ));
    }
    Ok(vec![Event::HearingNoticeSent(HearingNotice {
        sent_at: input.sent_at,
        channel: input.channel,
        hearing_at: input.hearing_at,
        place: input.place,
        planned_decision: window.anchor,
        grounds: input.grounds,
    })])
}

/// Hold the hearing and record its outcome.
pub fn hold_hearing(
    case: &Case,
    ctx: &Ctx<'_>,
    held_at: DateTime<Utc>,
    applicant_position: &str,
    continue_review: bool,
) -> Transition {
    may_act(ctx)?;
    must_be_accepted(case)?;
    let notice = case
        .notices
        .last()
        .ok_or_else(|| Violation::new("rule-ref.hearing", Msg::key("violation.no-notice-sent")))?;
    not_in_future(ctx, held_at, Msg::key("violation.what-hearing"))?;
    if held_at < notice.sent_at {
        return Err(Violation::new(
            "rule-ref.hearing-after-notice",
            Msg::key("violation.hearing-before-notice"),
        )
        .earliest(notice.sent_at));
    }
    let latest = hearing_latest(ctx, notice.sent_at)?;
    if held_at > latest {
        let within = param(ctx.version, "hearing_within")?;
        return Err(Violation::with_rule(
            msg!("rule-ref.hearing-within", n = within),
            msg!("violation.hearing-had-to-be", by = local(ctx.cal, latest)),
        )
        .earliest(notice.sent_at)
        .latest(latest));
    }
    Ok(vec![Event::HearingHeld(Hearing {
        held_at,
        applicant_position: applicant_position.to_string(),
        continue_review,
    })])
}

fn may_decide(ctx: &Ctx<'_>) -> Result<(), Violation> {
    may_act(ctx)?;
    let ok = ctx.actor.role == Role::Supervisor || ctx.actor.role == ctx.version.decided_by;
    if !ok {
        return Err(Violation::new(
            "rule-ref.roles",
            msg!(
                "violation.who-decides",
                role = Msg::key(ctx.version.decided_by.key()),
                version = &ctx.version.id
            ),
        ));
    }
    Ok(())
}

fn approval_for(version: &RuleVersion) -> ApprovalState {
    match version.approval {
        Approval::None => ApprovalState::NotRequired,
        Approval::Supervisor => ApprovalState::Pending,
    }
}

fn check_grounds(version: &RuleVersion, grounds: &[String]) -> Result<(), Violation> {
    if grounds.is_empty() {
        return Err(Violation::new(
            "rule-ref.decision-grounds",
            Msg::key("violation.refusal-needs-ground"),
        ));
    }
    for g in grounds {
        if version.ground(g).is_none() {
            return Err(Violation::new(
                "rule-ref.rules",
                msg!("violation.no-ground", ground = g, version = &version.id),
            ));
        }
    }
    Ok(())
}

/// Decide: issue, or refuse with grounds.
pub fn decide(case: &Case, ctx: &Ctx<'_>, kind: DecisionKind) -> Transition {
    may_decide(ctx)?;
    must_be_accepted(case)?;
    if let Some(d) = case.decision()
        && matches!(d.approval, ApprovalState::Pending)
    {
        return Err(Violation::new(
            "rule-ref.approval",
            Msg::key("violation.already-pending"),
        ));
    }
    let purpose = case.purpose.as_deref();
    match &kind {
        DecisionKind::Issue => {
            for c in ctx.version.checks.iter().filter(|c| c.applies_to(purpose)) {
                match case.checks.get(&c.id).map(|r| r.outcome) {
                    None | Some(Outcome::Pending) | Some(Outcome::NotApplicable) => {
                        return Err(Violation::new(
                            "rule-ref.decision-checklist",
                            msg!("violation.check-not-done", check = &c.title),
                        ));
                    }
                    Some(Outcome::Failed) => {
                        return Err(Violation::new(
                            "rule-ref.decision-checklist",
                            msg!("violation.check-failed", check = &c.title),
                        ));
                    }
                    _ => {}
                }
            }
        }
        DecisionKind::Refuse { grounds } => {
            check_grounds(ctx.version, grounds)?;
            if ctx.version.hearing {
                let notice = case.notices.last().ok_or_else(|| {
                    Violation::new(
                        "rule-ref.heard-before-refusal",
                        Msg::key("violation.refusal-needs-notice"),
                    )
                })?;
                for g in grounds {
                    if !notice.grounds.contains(g) {
                        let ground = match ctx.version.ground(g) {
                            Some(r) => Arg::from(&r.title),
                            None => Arg::from(g),
                        };
                        return Err(Violation::new(
                            "rule-ref.heard-before-refusal",
                            Msg {
                                key: "violation.not-heard-on",
                                args: vec![("ground", ground)],
                            },
                        ));
                    }
                }
                // Order 992 §17 (PR): an act on day X needs the notice by the
                // end of the working day N working days before X; a notice
                // sent after office hours or on a day off counts from the next
                // working day. Order 348 (exit) anchors the notice on the end
                // of the service term instead and states no such gap.
                let n = param(ctx.version, "hearing_notice")?;
                let sent = local(ctx.cal, notice.sent_at);
                let in_office = ctx.cal.is_working(sent.date()).map_err(TermError::from)?
                    && sent.time() <= ctx.cal.office().closes;
                let notice_day = if in_office {
                    sent.date()
                } else {
                    ctx.cal
                        .add_working_days(sent.date(), 1)
                        .map_err(TermError::from)?
                };
                let earliest_day = ctx
                    .cal
                    .add_working_days(notice_day, n)
                    .map_err(TermError::from)?;
                let earliest = term::at_local(ctx.cal, earliest_day, ctx.cal.office().opens)?;
                if ctx.version.hearing_anchor == HearingAnchor::Decision
                    && local(ctx.cal, ctx.now).date() < earliest_day
                {
                    return Err(Violation::with_rule(
                        msg!("rule-ref.notice-before-act", n = n),
                        msg!(
                            "violation.refusal-from",
                            sent = local(ctx.cal, notice.sent_at),
                            day = earliest_day
                        ),
                    )
                    .earliest(earliest));
                }
                let heard = case.hearings.iter().any(|h| h.held_at >= notice.sent_at);
                if !heard && ctx.now <= notice.hearing_at {
                    return Err(Violation::new(
                        "rule-ref.heard-before-refusal",
                        msg!(
                            "violation.hearing-set-for",
                            at = local(ctx.cal, notice.hearing_at)
                        ),
                    )
                    .earliest(notice.hearing_at));
                }
            }
        }
        DecisionKind::Annul { .. } => {
            return Err(Violation::new(
                "rule-ref.lifecycle",
                Msg::key("violation.annul-separately"),
            ));
        }
    }
    Ok(vec![Event::Decided(Decision {
        kind,
        by: ctx.actor.login.clone(),
        at: ctx.now,
        approval: approval_for(ctx.version),
        reason: String::new(),
    })])
}

/// Decide with the actual reason in the inspector's words (order 992 §17:
/// the refusal notice states the reason).
pub fn decide_with_reason(
    case: &Case,
    ctx: &Ctx<'_>,
    kind: DecisionKind,
    reason: &str,
) -> Transition {
    with_reason(decide(case, ctx, kind)?, reason)
}

/// Annul with the actual reason in the inspector's words.
pub fn annul_with_reason(
    case: &Case,
    ctx: &Ctx<'_>,
    grounds: Vec<String>,
    reason: &str,
) -> Transition {
    with_reason(annul(case, ctx, grounds)?, reason)
}

fn with_reason(mut events: Vec<Event>, reason: &str) -> Transition {
    for e in &mut events {
        if let Event::Decided(d) = e {
            d.reason = reason.trim().to_string();
        }
    }
    Ok(events)
}

fn pending_decision(case: &Case) -> Result<&Decision, Violation> {
    match case.decision() {
        Some(d) if d.approval == ApprovalState::Pending => Ok(d),
        _ => Err(Violation::new(
            "rule-ref.approval",
            Msg::key("violation.nothing-pending"),
        )),
    }
}

/// Approving or returning a decision: a supervisor, or a regional role (UMS
/// DP) on a regional server, whose rights admit it only for the
/// conclusions sent up to UMS DP (Order 002 §14 item 2, §15).
fn must_approve(ctx: &Ctx<'_>, what: Msg) -> Result<(), Violation> {
    may_act(ctx)?;
    if !matches!(ctx.actor.role, Role::Supervisor | Role::Regional) {
        return Err(not_supervisor(ctx, what));
    }
    Ok(())
}

fn not_supervisor(ctx: &Ctx<'_>, what: Msg) -> Violation {
    Violation::new(
        "rule-ref.approval-supervisor",
        msg!(
            "violation.only-supervisor",
            what = what,
            login = &ctx.actor.login,
            role = Msg::key(ctx.actor.role.key())
        ),
    )
}

/// Approve a decision that waits for approval (supervisor only).
pub fn approve(case: &Case, ctx: &Ctx<'_>) -> Transition {
    must_approve(ctx, Msg::key("violation.what-approve"))?;
    let d = pending_decision(case)?;
    if d.by == ctx.actor.login {
        return Err(Violation::new(
            "rule-ref.approval-supervisor",
            Msg::key("violation.own-decision"),
        ));
    }
    Ok(vec![Event::DecisionApproved {
        by: ctx.actor.login.clone(),
        at: ctx.now,
    }])
}

/// Return a decision to the inspector with a comment (supervisor only).
pub fn return_decision(case: &Case, ctx: &Ctx<'_>, comment: &str) -> Transition {
    must_approve(ctx, Msg::key("violation.what-return"))?;
    pending_decision(case)?;
    if comment.trim().is_empty() {
        return Err(Violation::new(
            "rule-ref.approval",
            Msg::key("violation.return-needs-comment"),
        ));
    }
    Ok(vec![Event::DecisionReturned {
        by: ctx.actor.login.clone(),
        at: ctx.now,
        comment: comment.to_string(),
    }])
}

/// Annul an issued permanent residence permit (conclusion of annulment;
/// the 30-day exit term runs from its approval).
pub fn annul(case: &Case, ctx: &Ctx<'_>, grounds: Vec<String>) -> Transition {
    may_decide(ctx)?;
    if ctx.version.parameter("exit_after_annulment").is_none() {
        return Err(Violation::new(
            "rule-ref.rules",
            msg!("violation.no-annulment", version = &ctx.version.id),
        ));
    }
    match case.standing_decision() {
        Some(d) if d.kind == DecisionKind::Issue && d.in_effect() => {}
        _ => {
            return Err(Violation::new(
                "rule-ref.annulment",
                Msg::key("violation.annul-needs-permit"),
            ));
        }
    }
    check_grounds(ctx.version, &grounds)?;
    Ok(vec![Event::Decided(Decision {
        kind: DecisionKind::Annul { grounds },
        by: ctx.actor.login.clone(),
        at: ctx.now,
        approval: approval_for(ctx.version),
        reason: String::new(),
    })])
}

/// The day the person must have left by after an approved annulment.
pub fn exit_deadline(case: &Case, ctx_cal: &Calendar, version: &RuleVersion) -> Option<term::Due> {
    let d = case.decision()?;
    if !matches!(d.kind, DecisionKind::Annul { .. }) {
        return None;
    }
    let approved = d.effective_at()?;
    let days = version.parameter("exit_after_annulment")?.value;
    // The person leaves the country: a day off does not extend the term.
    let term = Term::calendar_days(days).without_roll();
    term::due_after_day(ctx_cal, local(ctx_cal, approved).date(), term).ok()
}

/// Issue a duplicate RVP after damage or loss (order 992 §9-2).
pub fn issue_duplicate(case: &Case, ctx: &Ctx<'_>, reason: DuplicateReason) -> Transition {
    may_act(ctx)?;
    if case.procedure != "rvp" {
        return Err(Violation::new(
            "rule-ref.duplicate",
            Msg::key("violation.duplicate-rvp-only"),
        ));
    }
    match case.standing_decision() {
        Some(d) if d.kind == DecisionKind::Issue && d.in_effect() => {}
        _ => {
            return Err(Violation::new(
                "rule-ref.duplicate",
                Msg::key("violation.duplicate-no-rvp"),
            ));
        }
    }
    Ok(vec![Event::DuplicateIssued {
        at: ctx.now,
        reason,
    }])
}

/// Register a complaint.
pub fn register_complaint(
    case: &Case,
    ctx: &Ctx<'_>,
    to: ComplaintTo,
    registered_at: DateTime<Utc>,
    text: &str,
) -> Transition {
    may_act(ctx)?;
    let name = match to {
        ComplaintTo::ServiceProvider => "complaint_review",
        ComplaintTo::QualityAuthority => "complaint_quality_authority",
    };
    param(ctx.version, name)?;
    not_in_future(ctx, registered_at, Msg::key("violation.what-complaint"))?;
    if registered_at < case.received_at {
        return Err(Violation::new(
            "rule-ref.complaint",
            Msg::key("violation.complaint-before-application"),
        )
        .earliest(case.received_at));
    }
    Ok(vec![Event::ComplaintRegistered(Complaint {
        registered_at,
        to,
        text: text.to_string(),
        answered_at: None,
    })])
}

/// The review term of a complaint.
pub fn complaint_due(cal: &Calendar, version: &RuleVersion, c: &Complaint) -> Option<term::Due> {
    let name = match c.to {
        ComplaintTo::ServiceProvider => "complaint_review",
        ComplaintTo::QualityAuthority => "complaint_quality_authority",
    };
    let term = version.parameter(name)?.term()?;
    // "Within N working days of its registration": the registration day is not counted.
    term::due_after_day(cal, local(cal, c.registered_at).date(), term).ok()
}

/// Record the answer to a complaint.
pub fn answer_complaint(case: &Case, ctx: &Ctx<'_>, index: usize) -> Transition {
    may_act(ctx)?;
    match case.complaints.get(index) {
        Some(c) if c.answered_at.is_none() => {
            Ok(vec![Event::ComplaintAnswered { index, at: ctx.now }])
        }
        Some(_) => Err(Violation::new(
            "rule-ref.complaint",
            Msg::key("violation.complaint-answered"),
        )),
        None => Err(Violation::new(
            "rule-ref.complaint",
            msg!("violation.no-complaint", n = index + 1),
        )),
    }
}

/// Send a request to another state body: one the rule version waits for
/// (a stage lists it), not while one to it is still unanswered.
pub fn send_request(case: &Case, ctx: &Ctx<'_>, agency: &str, note: &str) -> Transition {
    may_act(ctx)?;
    if case.status != Status::Decided {
        must_be_accepted(case)?;
    }
    if ctx.version.agency_stage(agency).is_none() {
        return Err(Violation::new(
            "rule-ref.rules",
            msg!(
                "violation.no-agency",
                agency = agency,
                version = &ctx.version.id
            ),
        ));
    }
    if case
        .requests
        .iter()
        .any(|r| r.agency == agency && r.answered_at.is_none())
    {
        return Err(Violation::new(
            "rule-ref.requests",
            msg!("violation.request-open", agency = agency),
        ));
    }
    Ok(vec![Event::RequestSent(AgencyRequest {
        agency: agency.to_string(),
        sent_at: ctx.now,
        answered_at: None,
        note: note.to_string(),
    })])
}

/// Record the answer to the open request to `agency`.
pub fn answer_request(case: &Case, ctx: &Ctx<'_>, agency: &str, note: &str) -> Transition {
    may_act(ctx)?;
    let index = case
        .requests
        .iter()
        .rposition(|r| r.agency == agency && r.answered_at.is_none())
        .ok_or_else(|| {
            Violation::new(
                "rule-ref.requests",
                msg!("violation.no-open-request", agency = agency),
            )
        })?;
    Ok(vec![Event::RequestAnswered {
        index,
        at: ctx.now,
        note: note.to_string(),
    }])
}

/// The day an answer to `request` is due: the term of the stage that waits
/// for that agency, counted from the day the request was sent.
pub fn request_due(
    cal: &Calendar,
    version: &RuleVersion,
    request: &AgencyRequest,
) -> Option<term::Due> {
    let stage = version.agency_stage(&request.agency)?;
    term::due_after_day(cal, local(cal, request.sent_at).date(), stage.term.term()).ok()
}

/// A permit holder applies at a new place of residence (order 992 §17-1):
/// the case file is requested from the previous unit. Only for a permit in
/// effect, and not while an earlier move is unregistered.
pub fn change_residence(case: &Case, ctx: &Ctx<'_>, from_unit: &str) -> Transition {
    may_act(ctx)?;
    match case.standing_decision() {
        Some(d) if d.kind == DecisionKind::Issue && d.in_effect() => {}
        _ => {
            return Err(Violation::new(
                "rule-ref.residence",
                Msg::key("violation.residence-needs-permit"),
            ));
        }
    }
    if from_unit.trim().is_empty() {
        return Err(Violation::new(
            "rule-ref.residence",
            Msg::key("violation.residence-needs-unit"),
        ));
    }
    if case.transfers.iter().any(|t| t.registered_at.is_none()) {
        return Err(Violation::new(
            "rule-ref.residence",
            Msg::key("violation.residence-open"),
        ));
    }
    Ok(vec![Event::ResidenceChanged(Transfer {
        from_unit: from_unit.trim().to_string(),
        applied_at: ctx.now,
        registered_at: None,
    })])
}

/// Register the person at the new address.
pub fn register_residence(case: &Case, ctx: &Ctx<'_>) -> Transition {
    may_act(ctx)?;
    match case.transfers.last() {
        Some(t) if t.registered_at.is_none() => {
            not_in_future(ctx, ctx.now, Msg::key("violation.what-registration"))?;
            Ok(vec![Event::ResidenceRegistered { at: ctx.now }])
        }
        _ => Err(Violation::new(
            "rule-ref.residence",
            Msg::key("violation.no-residence-change"),
        )),
    }
}

/// The end of the day of application: the registration is due then (§17-1).
pub fn residence_due(cal: &Calendar, t: &Transfer) -> Option<DateTime<Utc>> {
    term::at_local(cal, local(cal, t.applied_at).date(), cal.office().closes).ok()
}

/// Add a note.
pub fn add_note(_case: &Case, ctx: &Ctx<'_>, text: &str) -> Transition {
    may_act(ctx)?;
    if text.trim().is_empty() {
        return Err(Violation::new(
            "rule-ref.notes",
            Msg::key("violation.empty-note"),
        ));
    }
    Ok(vec![Event::NoteAdded(Note {
        by: ctx.actor.login.clone(),
        at: ctx.now,
        text: text.to_string(),
    })])
}

/// Fold an event into the case.
pub fn apply(case: &mut Case, version: &RuleVersion, event: &Event) {
    match event {
        Event::Accepted {
            at,
            acceptance_day,
            late,
        } => {
            case.status = Status::Accepted;
            case.accepted_at = Some(*at);
            case.acceptance_day = Some(*acceptance_day);
            case.late_acceptance = late.clone();
        }
        Event::RefusedToAccept { reasons, .. } => {
            case.status = Status::RefusedToAccept;
            case.refusal_to_accept = reasons.clone();
        }
        Event::StageCompleted { stage, at } => {
            if let Some(i) = version.stage_index(stage) {
                if case.stages.len() < version.stages.len() {
                    case.stages.resize(version.stages.len(), None);
                }
                case.stages[i] = Some(*at);
            }
        }
        Event::CheckRecorded { check, result } => {
            case.checks.insert(check.clone(), result.clone());
        }
        Event::HearingNoticeSent(n) => case.notices.push(n.clone()),
        Event::HearingHeld(h) => case.hearings.push(h.clone()),
        Event::Decided(d) => {
            case.decisions.push(d.clone());
            // An annulment of an archived permit brings the case back.
            if d.in_effect() || case.status == Status::Archived {
                case.status = Status::Decided;
            }
        }
        Event::DecisionApproved { by, at } => {
            if let Some(d) = case.decisions.last_mut() {
                d.approval = ApprovalState::Approved {
                    by: by.clone(),
                    at: *at,
                };
                case.status = Status::Decided;
            }
        }
        Event::DecisionReturned { by, at, comment } => {
            if let Some(d) = case.decisions.last_mut() {
                d.approval = ApprovalState::Returned {
                    by: by.clone(),
                    at: *at,
                    comment: comment.clone(),
                };
            }
            // A returned annulment leaves the issued permit in effect.
            let issued_in_effect = case
                .decisions
                .iter()
                .rev()
                .skip(1)
                .find(|d| !matches!(d.approval, ApprovalState::Returned { .. }))
                .is_some_and(|d| d.in_effect());
            case.status = if issued_in_effect {
                Status::Decided
            } else {
                Status::Accepted
            };
        }
        Event::DuplicateIssued { at, reason } => case.duplicates.push((*at, *reason)),
        Event::ComplaintRegistered(c) => {
            case.complaints.push(c.clone());
            // A complaint on an archived case is work again.
            if case.status == Status::Archived {
                case.status = Status::Decided;
            }
        }
        Event::ComplaintAnswered { index, at } => {
            if let Some(c) = case.complaints.get_mut(*index) {
                c.answered_at = Some(*at);
            }
        }
        Event::NoteAdded(n) => case.notes.push(n.clone()),
        Event::Archived { .. } => case.status = Status::Archived,
        Event::RequestSent(r) => case.requests.push(r.clone()),
        Event::ResidenceChanged(t) => {
            case.transfers.push(t.clone());
            // A move of an archived permit holder is work again.
            if case.status == Status::Archived {
                case.status = Status::Decided;
            }
        }
        Event::ResidenceRegistered { at } => {
            if let Some(t) = case.transfers.last_mut() {
                t.registered_at = Some(*at);
            }
        }
        Event::RequestAnswered { index, at, note } => {
            if let Some(r) = case.requests.get_mut(*index) {
                r.answered_at = Some(*at);
                r.note = note.clone();
            }
        }
    }
}

/// Apply every event of a transition's result.
pub fn apply_all(case: &mut Case, version: &RuleVersion, events: &[Event]) {
    for e in events {
        apply(case, version, e);
    }
}
