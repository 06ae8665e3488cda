//! `kezek case …`: every transition of a case from the command line, with
//! the console's role rules and domain checks, one audit row per change.
//!
//! Exit codes: 0 done; 1 the domain (or the role rules) refused the change,
//! with the reason on stderr; 2 bad arguments or an unusable database.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Subcommand, ValueEnum};
use serde_json::{Value, json};

use super::store_cmds::open_store;
use super::{Failure, Format, Outcome, emit};
use crate::domain::case::{
    self, Case, CaseQueries, Ctx, DecisionKind, DuplicateReason, Event, LateException,
    NoticeChannel, NoticeInput, Remaining, StageState, Violation,
};
use crate::domain::msg::{Localize, Msg};
use crate::domain::procedure::RuleVersion;
use crate::domain::term::{self, local};
use crate::domain::text::printable;
use crate::domain::urgency;
use crate::i18n::{Lang, t};
use crate::msg;
use crate::store::{Store, StoreError};

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Show a case: state, stages with planned and actual dates, checks, open deadlines, what remains before the archive.
    Show {
        /// The case number.
        case: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Accept a received application (after the lawful stay only with an exception of order 992 §9-1).
    Accept {
        /// The case number.
        case: String,
        /// The exception for an application after the lawful stay ended.
        #[arg(long, value_enum, value_name = "EXCEPTION", requires = "reference")]
        late: Option<LateArg>,
        /// The failure act's or the art. 517 ruling's reference.
        #[arg(long = "ref", id = "reference", value_name = "TEXT", requires = "late")]
        reference: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Refuse to accept an incomplete package or expired documents.
    RefuseToAccept {
        /// The case number.
        case: String,
        /// The inspector's words, recorded with the reasons kezek finds.
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Record the outcome of a check.
    Mark {
        /// The case number.
        case: String,
        /// The check's id (kezek rules show PROCEDURE).
        check: String,
        /// The outcome.
        #[arg(value_enum, value_name = "OUTCOME")]
        outcome: MarkArg,
        /// A note with the outcome.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Complete a stage (an inter-agency answer is recorded this way too).
    Stage {
        /// The case number.
        case: String,
        /// The stage's id (kezek rules show PROCEDURE).
        stage: String,
        /// What happened to the stage.
        #[arg(value_enum, value_name = "ACTION")]
        action: StageArg,
        /// A note saved with the completion.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Send a notice of a hearing on the preliminary decision.
    HearingNotice {
        /// The case number.
        case: String,
        /// The refusal grounds, comma-separated ids.
        #[arg(long, value_name = "GROUNDS", value_delimiter = ',', required = true)]
        grounds: Vec<String>,
        /// How the notice is sent.
        #[arg(long, value_enum, value_name = "CHANNEL")]
        channel: ChannelArg,
        /// When the hearing is held ("YYYY-MM-DD HH:MM" in Almaty time, or RFC 3339).
        #[arg(long, value_name = "INSTANT")]
        hearing_at: String,
        /// Where (or how) the hearing is held.
        #[arg(long, value_name = "TEXT")]
        place: String,
        /// The day the administrative act is planned for (default: the earliest the notice allows).
        #[arg(long, value_name = "DAY", value_parser = super::parse_day)]
        planned_decision: Option<NaiveDate>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Record the hearing: the applicant's position and whether the review continues.
    Hearing {
        /// The case number.
        case: String,
        /// When it was held ("YYYY-MM-DD HH:MM" in Almaty time, or RFC 3339).
        #[arg(long, value_name = "INSTANT")]
        held_at: String,
        /// The applicant's position.
        #[arg(long, value_name = "TEXT")]
        position: String,
        /// The review continues.
        #[arg(
            long = "continue",
            id = "continue_review",
            conflicts_with = "stop",
            required_unless_present = "stop"
        )]
        continue_review: bool,
        /// The review stops: the refusal follows.
        #[arg(long)]
        stop: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Decide: issue, refuse, annul a PR, or issue a duplicate RVP.
    Decide {
        /// The case number.
        case: String,
        /// The decision.
        #[arg(value_enum, value_name = "DECISION")]
        decision: DecisionArg,
        /// The refusal or annulment grounds, comma-separated ids.
        #[arg(long, value_name = "GROUNDS", value_delimiter = ',')]
        grounds: Vec<String>,
        /// The actual reason, cited in the refusal notice; for a duplicate: damage or loss.
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Approve the decision that waits for approval (supervisors).
    Approve {
        /// The case number.
        case: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Return the decision to the inspector with a comment (supervisors).
    Return {
        /// The case number.
        case: String,
        /// Why it is returned.
        #[arg(long, value_name = "TEXT")]
        comment: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Send a request to another state body (knb, ums_dp, bank, clssr, moj, src, mod, military_office, dvd).
    Request {
        /// The case number.
        case: String,
        /// The state body, as the rules name it.
        #[arg(value_name = "AGENCY")]
        agency: String,
        /// What was asked.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Record the answer of a state body to its open request.
    Answer {
        /// The case number.
        case: String,
        /// The state body, as the rules name it.
        #[arg(value_name = "AGENCY")]
        agency: String,
        /// What it answered.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// A permit holder applies at a new place of residence: the case file is requested from the previous unit (order 992 §17-1).
    Move {
        /// The case number.
        case: String,
        /// The unit where the person was registered.
        #[arg(long = "from", value_name = "TEXT")]
        from_unit: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Register the person at the new address (the day of the application).
    Register {
        /// The case number.
        case: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Register a complaint about the case (reviewed within the version's complaint term).
    Complaint {
        /// The case number.
        case: String,
        /// Who reviews it.
        #[arg(long, value_enum, value_name = "WHOM")]
        to: ComplaintArg,
        /// When it was registered (default: now).
        #[arg(long, value_name = "INSTANT")]
        registered_at: Option<String>,
        /// The complaint's text.
        #[arg(long, value_name = "TEXT")]
        text: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Record the answer to complaint N (1 for the first).
    AnswerComplaint {
        /// The case number.
        case: String,
        /// The complaint's number on the case.
        #[arg(value_name = "N")]
        n: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Assign the case to an inspector (supervisors; an inspector may take an unassigned case).
    Assign {
        /// The case number.
        case: String,
        /// The inspector's login.
        login: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LateArg {
    // An information-system failure, with the act signed by the State
    // Corporation and the service provider.
    FailureAct,
    // Held liable under art. 517 of the Code of Administrative Offences.
    #[value(name = "art-517")]
    Art517,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ComplaintArg {
    Provider,
    QualityAuthority,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MarkArg {
    Passed,
    Failed,
    Na,
    Pending,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StageArg {
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChannelArg {
    InPerson,
    Post,
    Electronic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecisionArg {
    Issue,
    Refuse,
    Annul,
    Duplicate,
}

/// The moment a change is recorded at. Debug builds take `KEZEK_NOW`
/// (RFC 3339) so that tests can walk a case through its terms; never with
/// raised privileges.
fn now() -> Result<DateTime<Utc>, Failure> {
    #[cfg(debug_assertions)]
    if let Some(s) = crate::privilege::env_var_os("KEZEK_NOW").and_then(|s| s.into_string().ok())
        && !s.is_empty()
    {
        return super::parse_now(Some(&s));
    }
    Ok(Utc::now())
}

/// A refusal by the domain or the role rules: exit 1, the reason on stderr.
struct Refused(Msg);

enum Error {
    Refused(Refused),
    Failure(Failure),
}

impl From<Failure> for Error {
    fn from(f: Failure) -> Self {
        Error::Failure(f)
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Rule(_) | StoreError::Denied(_) | StoreError::Stale { .. } => {
                Error::Refused(Refused(e.msg()))
            }
            other => Error::Failure(other.into()),
        }
    }
}

pub fn run(db: Option<PathBuf>, cmd: CaseCommand, lang: Lang) -> Result<Outcome, Failure> {
    match run_inner(db, cmd, lang) {
        Ok(()) => Ok(Outcome::Ok),
        Err(Error::Refused(Refused(m))) => {
            eprintln!("kezek: {}", super::one_line(&m.text(lang)));
            Ok(Outcome::Invalid)
        }
        Err(Error::Failure(f)) => Err(f),
    }
}

fn run_inner(db: Option<PathBuf>, cmd: CaseCommand, lang: Lang) -> Result<(), Error> {
    let (mut store, _) = open_store(db, lang)?;
    let now = now()?;
    match cmd {
        CaseCommand::Show { case, format } => show(&store, &case, format, lang, now),
        CaseCommand::Accept {
            case,
            late,
            reference,
            format,
        } => {
            let exception = match (late, reference) {
                (Some(LateArg::FailureAct), Some(r)) => {
                    Some(LateException::SystemFailure { act: r })
                }
                // The overstay is counted by kezek from the lawful stay's end.
                (Some(LateArg::Art517), Some(r)) => Some(LateException::Art517 {
                    ruling: r,
                    overstay_days: 0,
                }),
                _ => None,
            };
            let r = act(&mut store, &case, now, |c, x, q| {
                case::accept(c, x, q, exception.clone())
            })?;
            report(&store, &case, &r, format, lang, now)
        }
        CaseCommand::RefuseToAccept {
            case,
            reason,
            format,
        } => {
            let r = act(&mut store, &case, now, |c, x, q| {
                let mut events = case::refuse_to_accept(c, x, q)?;
                if !reason.trim().is_empty() {
                    for e in &mut events {
                        if let Event::RefusedToAccept { reasons, .. } = e {
                            reasons.insert(0, reason.clone());
                        }
                    }
                }
                Ok(events)
            })?;
            report(&store, &case, &r, format, lang, now)
        }
        CaseCommand::Mark {
            case,
            check,
            outcome,
            note,
            format,
        } => {
            let outcome = match outcome {
                MarkArg::Passed => case::Outcome::Passed,
                MarkArg::Failed => case::Outcome::Failed,
                MarkArg::Na => case::Outcome::NotApplicable,
                MarkArg::Pending => case::Outcome::Pending,
            };
            let note = note.unwrap_or_default();
            let r = act(&mut store, &case, now, |c, x, _| {
                case::record_check(c, x, &check, outcome, &note)
            })?;
            report(&store, &case, &r, format, lang, now)
        }
        CaseCommand::Stage {
            case,
            stage,
            action: StageArg::Done,
            note,
            format,
        } => {
            let r = act(&mut store, &case, now, |c, x, _| {
                let mut events = case::complete_stage(c, x, &stage, x.now)?;
                if let Some(text) = note.as_deref().filter(|t| !t.trim().is_empty()) {
                    events.extend(case::add_note(c, x, text)?);
                }
                Ok(events)
            })?;
            report(&store, &case, &r, format, lang, now)
        }
        CaseCommand::HearingNotice {
            case,
            grounds,
            channel,
            hearing_at,
            place,
            planned_decision,
            format,
        } => {
            let hearing_at = term::parse_instant(&store.cal, &hearing_at).map_err(Failure)?;
            let channel = match channel {
                ChannelArg::InPerson => NoticeChannel::InPerson,
                ChannelArg::Post => NoticeChannel::Post,
                ChannelArg::Electronic => NoticeChannel::Electronic,
            };
            let r = act(&mut store, &case, now, |c, x, _| {
                let planned = match planned_decision {
                    Some(d) => d,
                    None => earliest_act_day(x)?,
                };
                case::send_hearing_notice(
                    c,
                    x,
                    NoticeInput {
                        sent_at: x.now,
                        channel,
                        hearing_at,
                        place: place.clone(),
                        planned_decision: planned,
                        grounds: grounds.clone(),
                    },
                )
            })?;
            report(&store, &case, &r, format, lang, now)
        }
        CaseCommand::Hearing {
            case,
            held_at,
            position,
            continue_review,
            stop: _,
            format,
        } => {
            let held_at = term::parse_instant(&store.cal, &held_at).map_err(Failure)?;
            let r = act(&mut store, &case, now, |c, x, _| {
                case::hold_hearing(c, x, held_at, &position, continue_review)
            })?;
            report(&store, &case, &r, format, lang, now)
        }
        CaseCommand::Decide {
            case,
            decision,
            grounds,
            reason,
            format,
        } => {
            let reason_text = reason.clone().unwrap_or_default();
            let duplicate = match (decision, reason.as_deref()) {
                (DecisionArg::Duplicate, Some("damage")) => Some(DuplicateReason::Damage),
                (DecisionArg::Duplicate, Some("loss")) => Some(DuplicateReason::Loss),
                (DecisionArg::Duplicate, other) => {
                    return Err(Error::Failure(Failure(msg!(
                        "cli.case.duplicate-reason",
                        value = printable(other.unwrap_or("")).to_string()
                    ))));
                }
                _ => None,
            };
            let r = act(&mut store, &case, now, |c, x, _| match decision {
                DecisionArg::Issue => {
                    case::decide_with_reason(c, x, DecisionKind::Issue, &reason_text)
                }
                DecisionArg::Refuse => case::decide_with_reason(
                    c,
                    x,
                    DecisionKind::Refuse {
                        grounds: grounds.clone(),
                    },
                    &reason_text,
                ),
                DecisionArg::Annul => case::annul_with_reason(c, x, grounds.clone(), &reason_text),
                DecisionArg::Duplicate => match duplicate {
                    Some(why) => case::issue_duplicate(c, x, why),
                    None => Ok(Vec::new()),
                },
            })?;
            report(&store, &case, &r, format, lang, now)
        }
        CaseCommand::Approve { case, format } => {
            let r = act(&mut store, &case, now, |c, x, _| case::approve(c, x))?;
            report(&store, &case, &r, format, lang, now)
        }
        CaseCommand::Return {
            case,
            comment,
            format,
        } => {
            let r = act(&mut store, &case, now, |c, x, _| {
                case::return_decision(c, x, &comment)
            })?;
            report(&store, &case, &r, format, lang, now)
        }
        CaseCommand::Complaint {
            case,
            to,
            registered_at,
            text,
            format,
        } => {
            let registered = match registered_at {
                Some(r) => term::parse_instant(&store.cal, &r).map_err(Failure)?,
                None => now,
            };
            let to = match to {
                ComplaintArg::Provider => case::ComplaintTo::ServiceProvider,
                ComplaintArg::QualityAuthority => case::ComplaintTo::QualityAuthority,
            };
            let r = act(&mut store, &case, now, |c, x, _| {
                case::register_complaint(c, x, to, registered, &text)
            })?;
            report(&store, &case, &r, format, lang, now)
        }
        CaseCommand::Request {
            case,
            agency,
            note,
            format,
        } => {
            let note = note.unwrap_or_default();
            let r = act(&mut store, &case, now, |c, x, _| {
                case::send_request(c, x, &agency, &note)
            })?;
            report(&store, &case, &r, format, lang, now)
        }
        CaseCommand::Answer {
            case,
            agency,
            note,
            format,
        } => {
            let note = note.unwrap_or_default();
            let r = act(&mut store, &case, now, |c, x, _| {
                case::answer_request(c, x, &agency, &note)
            })?;
            report(&store, &case, &r, format, lang, now)
        }
        CaseCommand::Move {
            case,
            from_unit,
            format,
        } => {
            let r = act(&mut store, &case, now, |c, x, _| {
                case::change_residence(c, x, &from_unit)
            })?;
            report(&store, &case, &r, format, lang, now)
        }
        CaseCommand::Register { case, format } => {
            let r = act(&mut store, &case, now, |c, x, _| {
                case::register_residence(c, x)
            })?;
            report(&store, &case, &r, format, lang, now)
        }
        CaseCommand::AnswerComplaint { case, n, format } => {
            let r = act(&mut store, &case, now, |c, x, _| {
                case::answer_complaint(c, x, n.saturating_sub(1))
            })?;
            report(&store, &case, &r, format, lang, now)
        }
        CaseCommand::Assign {
            case,
            login,
            format,
        } => {
            let actor = store.current_actor()?;
            let version = retry(|| {
                let seen = store.case(&case)?.row_version;
                store.assign(&actor, &case, seen, Some(&login), now)
            })?;
            let r = Recorded {
                version,
                events: vec!["assign".to_string()],
            };
            report(&store, &case, &r, format, lang, now)
        }
    }
}

/// The earliest day an act may be planned for a notice sent now.
fn earliest_act_day(x: &Ctx<'_>) -> Result<NaiveDate, Violation> {
    let n = x
        .version
        .parameter("hearing_notice")
        .map(|p| p.value)
        .unwrap_or(0);
    let sent = local(x.cal, x.now);
    let day =
        if x.cal.is_working(sent.date()).unwrap_or(false) && sent.time() <= x.cal.office().closes {
            sent.date()
        } else {
            x.cal
                .add_working_days(sent.date(), 1)
                .map_err(term::TermError::from)?
        };
    Ok(x.cal
        .add_working_days(day, n)
        .map_err(term::TermError::from)?)
}

/// What a change recorded.
struct Recorded {
    version: i64,
    events: Vec<String>,
}

/// Run a store call again while the database is busy or a colleague's
/// change in between conflicts with this one, for at most a minute.
fn retry<T>(mut f: impl FnMut() -> Result<T, StoreError>) -> Result<T, Error> {
    let started = std::time::Instant::now();
    let mut attempt: u64 = 0;
    loop {
        attempt += 1;
        match f() {
            Ok(v) => return Ok(v),
            Err(StoreError::Busy) if started.elapsed() < std::time::Duration::from_secs(60) => {
                std::thread::sleep(std::time::Duration::from_millis(5 * attempt.min(20)));
            }
            Err(StoreError::Busy) => {
                return Err(Error::Failure(Failure(Msg::key("cli.busy-minute"))));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn act<F>(
    store: &mut Store,
    number: &str,
    now: DateTime<Utc>,
    transition: F,
) -> Result<Recorded, Error>
where
    F: Fn(&Case, &Ctx<'_>, &dyn CaseQueries) -> Result<Vec<Event>, Violation>,
{
    let actor = store.current_actor()?;
    let (version, events) = retry(|| {
        // The store re-reads the case and refuses only a real conflict.
        let seen = store.case(number)?.row_version;
        store.act(&actor, number, seen, now, &transition)
    })?;
    let events = events
        .iter()
        .map(|e| {
            serde_json::to_value(e)
                .ok()
                .and_then(|v| v["event"].as_str().map(str::to_string))
                .unwrap_or_else(|| "change".to_string())
        })
        .collect();
    Ok(Recorded { version, events })
}

pub(crate) fn status_key(s: case::Status) -> &'static str {
    match s {
        case::Status::Received => "case-status.received",
        case::Status::Accepted => "case-status.accepted",
        case::Status::RefusedToAccept => "case-status.refused-to-accept",
        case::Status::Decided => "case-status.decided",
        case::Status::Archived => "case-status.archived",
    }
}

fn code<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// After a change: one line (text) or an object (JSON) with the case's state.
fn report(
    store: &Store,
    number: &str,
    r: &Recorded,
    format: Format,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let loaded = store.case(number)?;
    let c = &loaded.case;
    let version = version_of(store, c)?;
    let remaining = case::remaining(c, version);
    match format {
        Format::Json => {
            let v = json!({
                "case": c.number,
                "version": r.version,
                "events": r.events,
                "status": code(&c.status),
                "archived": c.status == case::Status::Archived,
                "remaining": remaining_json(&remaining),
                "next_deadline": next_deadline_json(store, c, version, now),
            });
            emit(&format!("{v}\n"))?;
        }
        Format::Text => {
            // The events' codes are for scripts (JSON); the line is words.
            let line = msg!(
                "cli.case.recorded",
                case = printable(number).to_string(),
                version = r.version,
                status = Msg::key(status_key(c.status))
            );
            emit(&format!("{}\n", line.text(lang)))?;
        }
    }
    Ok(())
}

fn version_of<'s>(store: &'s Store, c: &Case) -> Result<&'s RuleVersion, Error> {
    store
        .rules
        .version(&c.procedure, &c.version)
        .ok_or_else(|| {
            Error::Failure(Failure(msg!(
                "error.store.unknown-version",
                number = &c.number,
                version = &c.version
            )))
        })
}

fn remaining_json(list: &[Remaining]) -> Value {
    Value::Array(
        list.iter()
            .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
            .collect(),
    )
}

fn next_deadline_json(store: &Store, c: &Case, v: &RuleVersion, now: DateTime<Utc>) -> Value {
    let Ok(list) = urgency::open_deadlines(c, v, &store.cal) else {
        return Value::Null;
    };
    match urgency::nearest(&list) {
        Some(d) => json!({
            "kind": d.kind,
            "due": d.due.with_timezone(&store.cal.zone()).to_rfc3339(),
            "overdue": d.due < now,
        }),
        None => Value::Null,
    }
}

fn stage_state_code(s: StageState) -> &'static str {
    match s {
        StageState::Done(_) => "done",
        StageState::SettledByDecision => "settled_by_decision",
        StageState::OtherOutcome => "other_outcome",
        StageState::AwaitsDecision => "awaits_decision",
        StageState::Open => "open",
    }
}

fn stage_state_key(s: StageState) -> &'static str {
    match s {
        StageState::Done(_) => "cli.case.stage-done",
        StageState::SettledByDecision => "cli.case.stage-settled",
        StageState::OtherOutcome => "cli.case.stage-other-outcome",
        StageState::AwaitsDecision => "cli.case.stage-awaits-decision",
        StageState::Open => "cli.case.stage-open",
    }
}

fn outcome_key(o: case::Outcome) -> &'static str {
    match o {
        case::Outcome::Passed => "outcome.passed",
        case::Outcome::Failed => "outcome.failed",
        case::Outcome::NotApplicable => "outcome.not-applicable",
        case::Outcome::Pending => "outcome.pending",
    }
}

fn remaining_msg(r: &Remaining, v: &RuleVersion) -> Msg {
    match r {
        Remaining::Acceptance => Msg::key("cli.case.remaining-acceptance"),
        Remaining::Decision => Msg::key("cli.case.remaining-decision"),
        Remaining::Approval => Msg::key("cli.case.remaining-approval"),
        Remaining::Stage(id) => match v.stages.iter().find(|s| &s.id == id) {
            Some(s) => msg!("cli.case.remaining-stage", stage = &s.title),
            None => msg!("cli.case.remaining-stage", stage = id),
        },
        Remaining::Complaint(i) => msg!("cli.case.remaining-complaint", n = i + 1),
        Remaining::Answer(a) => msg!("cli.case.remaining-answer", agency = a),
        Remaining::Registration => Msg::key("cli.case.remaining-registration"),
    }
}

/// A deadline's kind in words.
fn deadline_kind(lang: Lang, v: &RuleVersion, kind: &urgency::DeadlineKind) -> String {
    use urgency::DeadlineKind as K;
    match kind {
        K::Stage(id) => v
            .stages
            .iter()
            .find(|s| &s.id == id)
            .map(|s| s.title.get(lang).to_string())
            .unwrap_or_else(|| id.clone()),
        K::Service => t(lang, "deadline.service").to_string(),
        K::HearingNotice => t(lang, "deadline.hearing-notice").to_string(),
        K::Hearing => t(lang, "deadline.hearing").to_string(),
        K::Stay => t(lang, "deadline.stay").to_string(),
        K::HostNotification => t(lang, "deadline.host-notification").to_string(),
        K::Birthday16 => t(lang, "deadline.birthday16").to_string(),
        K::Complaint(_) => t(lang, "deadline.complaint").to_string(),
        K::ExitAfterAnnulment => t(lang, "deadline.exit").to_string(),
        K::ResultToStateCorporation => t(lang, "deadline.result-to-state-corporation").to_string(),
        K::Answer(agency) => crate::i18n::tf(lang, "deadline.answer", &[("agency", agency)]),
        K::Registration => t(lang, "deadline.registration").to_string(),
    }
}

/// The approval as stored, its instant in the office's time like every other.
fn approval_json(store: &Store, a: &crate::domain::case::ApprovalState) -> Value {
    use crate::domain::case::ApprovalState as A;
    match a {
        A::Approved { by, at } => json!({"state": "approved", "by": by, "at": ts(store, *at)}),
        A::Returned { by, at, comment } => json!({
            "state": "returned", "by": by, "at": ts(store, *at), "comment": comment
        }),
        other => serde_json::to_value(other).unwrap_or(Value::Null),
    }
}

fn ts(store: &Store, t: DateTime<Utc>) -> String {
    t.with_timezone(&store.cal.zone()).to_rfc3339()
}

/// `kezek case show`.
fn show(
    store: &Store,
    number: &str,
    format: Format,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let loaded = store.case(number)?;
    let c = &loaded.case;
    let v = version_of(store, c)?;
    let plan = urgency::stage_plan(c, v, &store.cal).unwrap_or_default();
    let deadlines = urgency::open_deadlines(c, v, &store.cal).unwrap_or_default();
    let computed = store.computed_checks(c, now)?;
    let remaining = case::remaining(c, v);
    let overrun = urgency::plan_overrun(c, v, &store.cal).ok().flatten();
    match format {
        Format::Json => {
            let stages: Vec<Value> = v
                .stages
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let state = case::stage_state(c, v, i);
                    let p = plan.get(i);
                    json!({
                        "stage": s.id,
                        "title": s.title.get(lang),
                        "state": stage_state_code(state),
                        "after_decision": s.after_decision,
                        "outcome": s.outcome,
                        "from_day": p.map(|p| p.from_day.to_string()),
                        "planned": p.map(|p| ts(store, p.due)),
                        "completed_at": c.stages.get(i).copied().flatten().map(|t| ts(store, t)),
                    })
                })
                .collect();
            let checks: Vec<Value> = v
                .checks
                .iter()
                .map(|k| {
                    let rec = c.checks.get(&k.id);
                    let comp = computed.iter().find(|(id, _)| id == &k.id).map(|(_, r)| r);
                    json!({
                        "check": k.id,
                        "title": k.title.get(lang),
                        "applies": k.applies_to(c.purpose.as_deref()),
                        "outcome": rec.map(|r| code(&r.outcome)),
                        "by": rec.map(|r| r.by.clone()),
                        "at": rec.map(|r| ts(store, r.at)),
                        "note": rec.map(|r| r.note.clone()),
                        "computed": comp.map(|r| json!({"outcome": code(&r.outcome), "summary": r.summary})),
                    })
                })
                .collect();
            let mut ds: Vec<&urgency::CaseDeadline> = deadlines.iter().collect();
            ds.sort_by_key(|d| d.due);
            let deadlines: Vec<Value> = ds
                .iter()
                .map(|d| {
                    json!({
                        "kind": d.kind,
                        "due": ts(store, d.due),
                        "overdue": d.due < now,
                        "explanation": d.explanation,
                    })
                })
                .collect();
            let decisions: Vec<Value> = c
                .decisions
                .iter()
                .map(|d| {
                    json!({
                        "decision": d.kind,
                        "by": d.by,
                        "at": ts(store, d.at),
                        "approval": approval_json(store, &d.approval),
                        "reason": d.reason,
                    })
                })
                .collect();
            let out = json!({
                "number": c.number,
                "procedure": c.procedure,
                "version": c.version,
                "status": code(&c.status),
                "channel": code(&c.channel),
                "purpose": c.purpose,
                "received_at": ts(store, c.received_at),
                "accepted_at": c.accepted_at.map(|t| ts(store, t)),
                "acceptance_day": c.acceptance_day.map(|d| d.to_string()),
                "applicant": {
                    "name": c.applicant.name,
                    "citizenship": c.applicant.citizenship,
                },
                "entry_date": c.entry_date.map(|d| d.to_string()),
                "stay_until": c.stay_until.map(|d| d.to_string()),
                "arrival_date": c.arrival_date.map(|d| d.to_string()),
                "late_acceptance": c.late_acceptance,
                "assignee": c.assignee,
                "row_version": loaded.row_version,
                "stages": stages,
                "checks": checks,
                "requests": c.requests.iter().map(|r| json!({
                    "agency": r.agency,
                    "sent_at": ts(store, r.sent_at),
                    "due": case::request_due(&store.cal, v, r).map(|d| ts(store, d.due)),
                    "answered_at": r.answered_at.map(|t| ts(store, t)),
                    "note": r.note,
                })).collect::<Vec<_>>(),
                "transfers": c.transfers.iter().map(|t| json!({
                    "from_unit": t.from_unit,
                    "applied_at": ts(store, t.applied_at),
                    "registered_at": t.registered_at.map(|x| ts(store, x)),
                })).collect::<Vec<_>>(),
                "hearing_notices": c.notices,
                "hearings": c.hearings,
                "decisions": decisions,
                "open_deadlines": deadlines,
                "remaining": remaining_json(&remaining),
                "archived": c.status == case::Status::Archived,
                "service_term_is_sum": v.service_term_is_sum,
                "plan_overrun": overrun.map(|(end, due)| json!({"plan_end": end.to_string(), "service_due": due.to_string()})),
            });
            emit(&format!("{out}\n"))?;
        }
        Format::Text => {
            let mut out = String::new();
            let mut line = |m: Msg| {
                out.push_str(&m.text(lang));
                out.push('\n');
            };
            line(msg!(
                "cli.case.head",
                case = printable(&c.number).to_string(),
                procedure = store.rules.procedure_name(&c.procedure, lang),
                version = &c.version,
                status = Msg::key(status_key(c.status))
            ));
            line(msg!(
                "cli.case.applicant",
                name = printable(&c.applicant.name).to_string(),
                citizenship = printable(&c.applicant.citizenship).to_string(),
                assignee = printable(c.assignee.as_deref().unwrap_or("-")).to_string()
            ));
            line(msg!(
                "cli.case.received",
                at = local(&store.cal, c.received_at)
            ));
            if let Some(a) = c.accepted_at {
                line(msg!("cli.case.accepted", at = local(&store.cal, a)));
            }
            line(Msg::key("cli.case.stages"));
            for (i, s) in v.stages.iter().enumerate() {
                let state = case::stage_state(c, v, i);
                let planned = plan
                    .get(i)
                    .map(|p| p.due_day.format("%d.%m.%Y").to_string())
                    .unwrap_or_else(|| "-".to_string());
                let done = match state {
                    StageState::Done(at) => {
                        local(&store.cal, at).format("%d.%m.%Y %H:%M").to_string()
                    }
                    _ => "-".to_string(),
                };
                line(msg!(
                    "cli.case.stage-line",
                    stage = &s.id,
                    title = &s.title,
                    state = Msg::key(stage_state_key(state)),
                    planned = planned,
                    done = done
                ));
            }
            line(Msg::key("cli.case.checks"));
            for k in &v.checks {
                let outcome = match c.checks.get(&k.id) {
                    Some(r) => Msg::key(outcome_key(r.outcome)),
                    None => Msg::key("cli.case.not-recorded"),
                };
                let note = c
                    .checks
                    .get(&k.id)
                    .map(|r| printable(&r.note).to_string())
                    .unwrap_or_default();
                line(msg!(
                    "cli.case.check-line",
                    check = &k.id,
                    title = &k.title,
                    outcome = outcome,
                    note = note
                ));
            }
            line(Msg::key("cli.case.deadlines"));
            let mut ds: Vec<&urgency::CaseDeadline> = deadlines.iter().collect();
            ds.sort_by_key(|d| d.due);
            if ds.is_empty() {
                line(Msg::key("cli.case.none"));
            }
            for d in ds {
                let overdue = if d.due < now {
                    Msg::key("cli.case.overdue")
                } else {
                    Msg::key("cli.case.due")
                };
                line(msg!(
                    "cli.case.deadline-line",
                    what = deadline_kind(lang, v, &d.kind),
                    at = local(&store.cal, d.due),
                    state = overdue
                ));
            }
            for d in &c.decisions {
                let what = match &d.kind {
                    DecisionKind::Issue => Msg::key("decision.issue"),
                    DecisionKind::Refuse { grounds } => {
                        msg!("decision.refuse", grounds = grounds.join(", "))
                    }
                    DecisionKind::Annul { grounds } => {
                        msg!("decision.annul", grounds = grounds.join(", "))
                    }
                };
                line(msg!(
                    "cli.case.decision-line",
                    what = what,
                    by = printable(&d.by).to_string(),
                    at = local(&store.cal, d.at)
                ));
            }
            if let Some((end, due)) = overrun {
                line(msg!("cli.case.plan-overrun", end = end, due = due));
            }
            line(Msg::key("cli.case.remaining"));
            if remaining.is_empty() {
                line(Msg::key("cli.case.nothing-remains"));
            }
            for r in &remaining {
                line(msg!("cli.case.remaining-line", what = remaining_msg(r, v)));
            }
            emit(&out)?;
        }
    }
    Ok(())
}
