//! Every open deadline of a case, and the case's place in the queue.

use std::cmp::Ordering;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use super::calendar::Calendar;
use super::case::{
    Case, DecisionKind, StageState, Status, complaint_due, eaeu_citizen, exit_deadline,
    lawful_stay_last_day, stage_state,
};
use super::procedure::{RuleVersion, RunsFrom};
use super::term::{self, Due, Term, TermError, Unit, format_day, format_local, local};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum DeadlineKind {
    Stage(String),
    Service,
    HearingNotice,
    Hearing,
    Stay,
    HostNotification,
    Birthday16,
    Complaint(usize),
    ExitAfterAnnulment,
    /// Order 992 §15: through the State Corporation, the result reaches it
    /// no later than a day before the service term ends.
    ResultToStateCorporation,
    /// The answer of a state body to a request (its id).
    Answer(String),
    /// Registration at the new address, the day of the application (§17-1).
    Registration,
}

/// One open deadline with a one-line explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseDeadline {
    pub kind: DeadlineKind,
    pub due_day: NaiveDate,
    pub due: DateTime<Utc>,
    pub unit: Unit,
    /// e.g. `service term: 1 working day from acceptance Mon 23.11.2026 → Tue 24.11.2026 18:30`
    pub explanation: String,
    /// The year whose calendar is an estimate, when the deadline used one.
    pub estimate: Option<i32>,
}

/// The planned and actual dates of one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StagePlan {
    pub stage: String,
    /// The day the term counts from (not counted).
    pub from_day: NaiveDate,
    pub due_day: NaiveDate,
    pub due: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub estimate: Option<i32>,
}

/// The projected timeline: each stage's term runs from the actual end of
/// the stage it follows, or from that stage's planned end while it is open.
pub fn stage_plan(
    case: &Case,
    version: &RuleVersion,
    cal: &Calendar,
) -> Result<Vec<StagePlan>, TermError> {
    let Some(accepted) = case.acceptance_day else {
        return Ok(Vec::new());
    };
    let decided_day = case
        .standing_decision()
        .map(|d| local(cal, d.effective_at().unwrap_or(d.at)).date());
    let mut plans: Vec<StagePlan> = Vec::with_capacity(version.stages.len());
    for (i, stage) in version.stages.iter().enumerate() {
        // A stage the decision closed ended on the day the decision took effect.
        let end_of = |j: usize, plans: &[StagePlan]| -> NaiveDate {
            let p = &plans[j];
            match (p.completed_at, stage_state(case, version, j)) {
                (Some(at), _) => local(cal, at).date(),
                (None, StageState::SettledByDecision | StageState::OtherOutcome) => {
                    decided_day.unwrap_or(p.due_day)
                }
                (None, _) => p.due_day,
            }
        };
        let mut from_day = match stage.term.from {
            RunsFrom::Acceptance => accepted,
            RunsFrom::Previous if i > 0 => end_of(i - 1, &plans),
            RunsFrom::Previous => accepted,
            RunsFrom::Stage(j) if j < i => end_of(j, &plans),
            RunsFrom::Stage(_) => accepted,
        };
        // Work after a decision runs from the day it took effect at the earliest.
        if stage.after_decision
            && let Some(day) = decided_day
        {
            from_day = from_day.max(day);
        }
        let due = term::due_after_day(cal, from_day, stage.term.term())?;
        plans.push(StagePlan {
            stage: stage.id.clone(),
            from_day,
            due_day: due.due_day,
            due: due.due,
            completed_at: case.stages.get(i).copied().flatten(),
            estimate: due.estimate,
        });
    }
    Ok(plans)
}

fn describe_due(cal: &Calendar, unit: Unit, due: &Due) -> String {
    match unit {
        Unit::WorkingDays => format_local(cal, due.due),
        Unit::CalendarDays => {
            let rolled = due
                .rolled_from
                .map(|r| format!(", moved from {} (day off)", format_day(r)))
                .unwrap_or_default();
            format!("{} 24:00{rolled}", format_day(due.due_day))
        }
    }
}

fn deadline(
    kind: DeadlineKind,
    cal: &Calendar,
    label: &str,
    term: Term,
    from: &str,
    due: Due,
) -> CaseDeadline {
    CaseDeadline {
        kind,
        due_day: due.due_day,
        due: due.due,
        unit: term.unit,
        explanation: format!(
            "{label}: {term} from {from} → {}",
            describe_due(cal, term.unit, &due)
        ),
        estimate: due.estimate,
    }
}

/// Every open deadline of the case, in no particular order.
pub fn open_deadlines(
    case: &Case,
    version: &RuleVersion,
    cal: &Calendar,
) -> Result<Vec<CaseDeadline>, TermError> {
    let mut out = Vec::new();
    let open = case.is_open();

    // The first open stage is due now; later ones are projections. Some
    // stages come after the decision (notification, deregistration).
    // Stages the decision closed, and work after a decision not yet in
    // effect, are not due.
    if !matches!(case.status, Status::RefusedToAccept | Status::Archived)
        && case.acceptance_day.is_some()
    {
        for (i, (plan, stage)) in stage_plan(case, version, cal)?
            .into_iter()
            .zip(&version.stages)
            .enumerate()
        {
            match stage_state(case, version, i) {
                StageState::Open => {}
                StageState::AwaitsDecision => break,
                _ => continue,
            }
            let term = stage.term.term();
            let due = term::due_after_day(cal, plan.from_day, term)?;
            out.push(deadline(
                DeadlineKind::Stage(stage.id.clone()),
                cal,
                &format!("stage {}", stage.id),
                term,
                &format_day(plan.from_day),
                due,
            ));
            break;
        }
    }

    if open && let Some(day) = case.acceptance_day {
        let accepted = case
            .accepted_at
            .map(|a| format_local(cal, a))
            .unwrap_or_else(|| format_day(day));
        // Service term.
        let term = version.service_term.term();
        let due = term::due_after_day(cal, day, term)?;
        let service_day = due.due_day;
        out.push(deadline(
            DeadlineKind::Service,
            cal,
            "service term",
            term,
            &format!("acceptance {accepted}"),
            due,
        ));
        // Hearing: the notice while grounds exist and none was sent; the hearing once it was.
        if version.hearing {
            let grounds = case.grounds_from_checks(version);
            match case.notices.last() {
                // Only an anchor the rules fix in advance gives a latest notice
                // date; a notice anchored on the planned decision is checked
                // when it is sent.
                None if !grounds.is_empty()
                    && version.hearing_anchor == super::procedure::HearingAnchor::ServiceEnd =>
                {
                    if let Some(p) = version.parameter("hearing_notice") {
                        let (latest_day, latest) = term::latest_before(cal, service_day, p.value)?;
                        out.push(CaseDeadline {
                            kind: DeadlineKind::HearingNotice,
                            due_day: latest_day,
                            due: latest,
                            unit: Unit::WorkingDays,
                            explanation: format!(
                                "hearing notice: no later than {} working days before {} (end of the service term) → {}",
                                p.value,
                                format_day(service_day),
                                format_local(cal, latest)
                            ),
                            estimate: cal.estimate_between(latest_day, service_day).map(|(y, _)| y),
                        });
                    }
                }
                Some(n) if !case.hearings.iter().any(|h| h.held_at >= n.sent_at) => {
                    if let Some(p) = version.parameter("hearing_within") {
                        let term = Term::working_days(p.value);
                        let due = term::due_after_day(cal, local(cal, n.sent_at).date(), term)?;
                        out.push(deadline(
                            DeadlineKind::Hearing,
                            cal,
                            "hearing",
                            term,
                            &format!("notice {}", format_local(cal, n.sent_at)),
                            due,
                        ));
                    }
                }
                _ => {}
            }
        }
    }

    // Order 992 §15: "не позднее чем за сутки до истечения срока оказания
    // государственной услуги": the last stage (the notification) is due a
    // day before the term ends when the application came through the State
    // Corporation, whatever the decision, until it is done.
    if case.channel == super::procedure::Channel::StateCorporation
        && let Some(p) = version.parameter("result_to_state_corporation")
        && let Some(day) = case.acceptance_day
        && let Some(last) = version.stages.len().checked_sub(1)
        && matches!(
            stage_state(case, version, last),
            StageState::Open | StageState::AwaitsDecision
        )
        && !matches!(case.status, Status::RefusedToAccept | Status::Archived)
    {
        let service = term::due_after_day(cal, day, version.service_term.term())?;
        let due_day = service.due_day - chrono::Duration::days(i64::from(p.value));
        let due = term::end_of_day(cal, due_day)?;
        out.push(CaseDeadline {
            kind: DeadlineKind::ResultToStateCorporation,
            due_day,
            due,
            unit: Unit::CalendarDays,
            explanation: format!(
                "result to the State Corporation: {} day(s) before the end of the service term {} → {} 24:00",
                p.value,
                format_day(service.due_day),
                format_day(due_day)
            ),
            estimate: service.estimate,
        });
    }

    // Answers awaited from other state bodies: due within the term of the
    // stage that waits for them, from the day the request went out; the
    // decision settles those that led to it.
    for r in &case.requests {
        if r.answered_at.is_some() {
            continue;
        }
        let Some(stage) = version.agency_stage(&r.agency) else {
            continue;
        };
        let due_now = match case.status {
            Status::Received | Status::Accepted => true,
            Status::Decided => stage.after_decision,
            _ => false,
        };
        if !due_now {
            continue;
        }
        let term = stage.term.term();
        let sent = local(cal, r.sent_at).date();
        let due = term::due_after_day(cal, sent, term)?;
        out.push(deadline(
            DeadlineKind::Answer(r.agency.clone()),
            cal,
            &format!("answer of {}", r.agency),
            term,
            &format!("request {}", format_local(cal, r.sent_at)),
            due,
        ));
    }

    // Order 992 §17-1: registration at the new address the day of the application.
    for t in &case.transfers {
        if t.registered_at.is_none()
            && let Some(due) = super::case::residence_due(cal, t)
        {
            let day = local(cal, t.applied_at).date();
            out.push(CaseDeadline {
                kind: DeadlineKind::Registration,
                due_day: day,
                due,
                unit: Unit::WorkingDays,
                explanation: format!(
                    "registration at the new address: the day of the application {} → {}",
                    format_local(cal, t.applied_at),
                    format_local(cal, due)
                ),
                estimate: None,
            });
        }
    }

    // Stay expiry: the crossing day is day 1; a day off does not extend a stay.
    // A late application accepted under an exception no longer runs on it.
    // EAEU citizens have the 90 days of seed 000; others the stay their
    // visa or entry grants, when it is recorded.
    if open
        && case.late_acceptance.is_none()
        && let Some(last) = lawful_stay_last_day(case, version)
        && let Some(p) = version.parameter("stay_limit")
    {
        let end = term::end_of_day(cal, last)?;
        let explanation = match case.entry_date {
            Some(entry) if eaeu_citizen(&case.applicant) => format!(
                "lawful stay (EAEU citizen): {} calendar days from the border crossing {} (day 1) → {} 24:00",
                p.value,
                format_day(entry),
                format_day(last)
            ),
            _ => format!(
                "lawful stay: as the visa or entry grants → {} 24:00",
                format_day(last)
            ),
        };
        out.push(CaseDeadline {
            kind: DeadlineKind::Stay,
            due_day: last,
            due: end,
            unit: Unit::CalendarDays,
            explanation,
            estimate: None,
        });
    }

    // Host notification (registration): from the arrival.
    // Seed 000: "в течение трех рабочих дней со дня их прибытия": from the
    // arrival at the host; when it is not recorded, from the border crossing,
    // the earliest the arrival can be (parameter host_notification).
    if case.status == Status::Received
        && let Some(entry) = case.arrival_date.or(case.entry_date)
        && let Some(p) = version.parameter("host_notification")
        && let Some(term) = p.term()
    {
        let due = term::due_after_day(cal, entry, term)?;
        out.push(deadline(
            DeadlineKind::HostNotification,
            cal,
            "host notification",
            term,
            &format!("arrival {}", format_day(entry)),
            due,
        ));
    }

    // The host applies within N days of a foreigner's 16th birthday (RVP).
    if case.status == Status::Received
        && let Some(birth) = case.applicant.birth_date
        && let Some(p) = version.parameter("birthday_16_term")
        && let Some(term) = p.term()
        && let Some(sixteen) = sixteenth_birthday(birth)
    {
        let received = local(cal, case.received_at).date();
        if (sixteen - received).num_days().abs() <= 366 {
            let due = term::due_after_day(cal, sixteen, term)?;
            out.push(deadline(
                DeadlineKind::Birthday16,
                cal,
                "application after the 16th birthday",
                term,
                &format!("the birthday {}", format_day(sixteen)),
                due,
            ));
        }
    }

    // Complaints.
    for (i, c) in case.complaints.iter().enumerate() {
        if c.answered_at.is_some() {
            continue;
        }
        if let Some(due) = complaint_due(cal, version, c) {
            let name = match c.to {
                super::case::ComplaintTo::ServiceProvider => "complaint_review",
                super::case::ComplaintTo::QualityAuthority => "complaint_quality_authority",
            };
            if let Some(term) = version.parameter(name).and_then(|p| p.term()) {
                out.push(deadline(
                    DeadlineKind::Complaint(i),
                    cal,
                    "complaint review",
                    term,
                    &format!("registration {}", format_local(cal, c.registered_at)),
                    due,
                ));
            }
        }
    }

    // Exit after an approved annulment.
    if let Some(d) = case.decision()
        && matches!(d.kind, DecisionKind::Annul { .. })
        && let Some(due) = exit_deadline(case, cal, version)
        && let (Some(at), Some(p)) = (d.effective_at(), version.parameter("exit_after_annulment"))
    {
        out.push(CaseDeadline {
            kind: DeadlineKind::ExitAfterAnnulment,
            due_day: due.due_day,
            due: due.due,
            unit: Unit::CalendarDays,
            explanation: format!(
                "exit after annulment: {} calendar days from approval {} → {} 24:00",
                p.value,
                format_local(cal, at),
                format_day(due.due_day)
            ),
            estimate: due.estimate,
        });
    }
    Ok(out)
}

/// When the projected stage plan ends after the service term: the day the
/// last stage is planned for and the term's last day. Shown as a warning
/// (the PR term of 52 days is kezek's own sum of the stage terms).
pub fn plan_overrun(
    case: &Case,
    version: &RuleVersion,
    cal: &Calendar,
) -> Result<Option<(NaiveDate, NaiveDate)>, TermError> {
    let Some(day) = case.acceptance_day else {
        return Ok(None);
    };
    let service = term::due_after_day(cal, day, version.service_term.term())?;
    let plan = stage_plan(case, version, cal)?;
    let end = plan
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            !matches!(
                stage_state(case, version, *i),
                StageState::SettledByDecision | StageState::OtherOutcome
            )
        })
        .map(|(_, p)| {
            p.completed_at
                .map(|t| local(cal, t).date())
                .unwrap_or(p.due_day)
        })
        .max();
    Ok(end
        .filter(|e| *e > service.due_day)
        .map(|e| (e, service.due_day)))
}

fn sixteenth_birthday(birth: NaiveDate) -> Option<NaiveDate> {
    let y = birth.year() + 16;
    NaiveDate::from_ymd_opt(y, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, 3, 1))
}

/// The nearest open deadline.
pub fn nearest(deadlines: &[CaseDeadline]) -> Option<&CaseDeadline> {
    deadlines.iter().min_by_key(|d| d.due)
}

/// A case's place in the queue: overdue first (most overdue first), then
/// least time left, then earliest acceptance; cases with no open deadline
/// last. Ties are broken by the case number, so the order is total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankKey {
    pub overdue: bool,
    pub due: Option<DateTime<Utc>>,
    pub accepted: DateTime<Utc>,
    pub number: String,
}

impl RankKey {
    pub fn new(case: &Case, deadlines: &[CaseDeadline], now: DateTime<Utc>) -> RankKey {
        let due = nearest(deadlines).map(|d| d.due);
        RankKey {
            overdue: due.is_some_and(|d| d < now),
            due,
            accepted: case.accepted_at.unwrap_or(case.received_at),
            number: case.number.clone(),
        }
    }
}

impl Ord for RankKey {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .overdue
            .cmp(&self.overdue)
            .then_with(|| match (self.due, other.due) {
                (Some(a), Some(b)) => a.cmp(&b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
            .then_with(|| self.accepted.cmp(&other.accepted))
            .then_with(|| self.number.cmp(&other.number))
    }
}

impl PartialOrd for RankKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
