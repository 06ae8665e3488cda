//! Checks that kezek computes, each with the evidence the inspector sees.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::calendar::Calendar;
use super::case::{Case, CaseQueries, CaseRef, Outcome, lawful_stay_last_day};
use super::iin::{self, IdKind};
use super::procedure::{Check, Computed, RuleVersion};
use super::term::{format_day, local};

/// One identifier on the case and what its check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdFinding {
    /// Whose number: `applicant`, `family: <name>`, `host`.
    pub whose: String,
    pub input: Option<String>,
    pub kind: IdKind,
    pub error: Option<String>,
}

/// The evidence behind a computed check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Evidence {
    Iin {
        findings: Vec<IdFinding>,
    },
    DomesticWorkerQuota {
        employer: Option<String>,
        /// The employer's valid household-work RVPs, other than this case.
        issued: Vec<CaseRef>,
        limit: u32,
        /// The limit as shown everywhere it is used (with its status).
        limit_label: String,
    },
    PendingPr {
        pending: Option<CaseRef>,
    },
    Stay {
        entry: Option<NaiveDate>,
        last_day: Option<NaiveDate>,
        days_left: Option<i64>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Computation {
    pub outcome: Outcome,
    pub summary: String,
    pub evidence: Evidence,
}

/// Compute a check of mode `computed`; `None` for a recorded check.
pub fn compute(
    check: &Check,
    case: &Case,
    version: &RuleVersion,
    cal: &Calendar,
    queries: &dyn CaseQueries,
    now: DateTime<Utc>,
) -> Option<Computation> {
    let today = local(cal, now).date();
    Some(match check.computed? {
        Computed::Iin => iin_check(case),
        Computed::DomesticWorkerQuota => quota_check(case, version, queries, today),
        Computed::PendingPr => {
            let pending = queries.pending_pr_of(&case.applicant.key, &case.number);
            let (outcome, summary) = match &pending {
                Some(p) => (
                    Outcome::Failed,
                    format!("a PR application is in progress: case {}", p.number),
                ),
                None => (Outcome::Passed, "no PR application in progress".to_string()),
            };
            Computation {
                outcome,
                summary,
                evidence: Evidence::PendingPr { pending },
            }
        }
        // Order 992 §9-1 protects whoever applied in time: the stay is
        // judged on the day the application was received, not on review.
        Computed::Stay => stay_check(case, version, local(cal, case.received_at).date()),
    })
}

fn iin_check(case: &Case) -> Computation {
    let mut findings = Vec::new();
    let mut person = |whose: String, value: Option<&String>, expect: Option<IdKind>| {
        let (kind, error) = match value {
            None => (
                expect.unwrap_or(IdKind::Iin),
                Some("no IIN recorded".to_string()),
            ),
            Some(v) => {
                let (kind, result) = match expect {
                    Some(IdKind::Iin) => (IdKind::Iin, iin::validate_iin(v)),
                    _ => iin::validate(v),
                };
                (kind, result.err().map(|e| e.to_string()))
            }
        };
        findings.push(IdFinding {
            whose,
            input: value.cloned(),
            kind,
            error,
        });
    };
    person(
        "applicant".into(),
        case.applicant.iin.as_ref(),
        Some(IdKind::Iin),
    );
    for m in &case.family {
        person(
            format!("family: {}", m.name),
            m.iin.as_ref(),
            Some(IdKind::Iin),
        );
    }
    if let Some(h) = &case.host {
        person("host".into(), Some(&h.id_number), None);
    }
    let bad = findings.iter().filter(|f| f.error.is_some()).count();
    let outcome = if bad == 0 {
        Outcome::Passed
    } else {
        Outcome::Failed
    };
    let summary = if bad == 0 {
        format!("{} identification number(s) well formed", findings.len())
    } else {
        format!(
            "{bad} of {} identification number(s) missing or invalid",
            findings.len()
        )
    };
    Computation {
        outcome,
        summary,
        evidence: Evidence::Iin { findings },
    }
}

fn quota_check(
    case: &Case,
    version: &RuleVersion,
    queries: &dyn CaseQueries,
    today: NaiveDate,
) -> Computation {
    let param = version.parameter("domestic_worker_rvp_limit");
    let limit = param.map(|p| p.value).unwrap_or(0);
    let limit_label = param
        .map(|p| p.label("domestic_worker_rvp_limit"))
        .unwrap_or_else(|| "no limit in the rules".to_string());
    let employer = case.host.as_ref().map(|h| h.id_number.clone());
    let issued = employer
        .as_deref()
        .map(|e| queries.household_rvps_of_employer(e, today, &case.number))
        .unwrap_or_default();
    let (outcome, summary) = match &employer {
        None => (Outcome::Failed, "no employer recorded".to_string()),
        // This case would be one more.
        Some(e) if issued.len() as u32 >= limit => (
            Outcome::Failed,
            format!(
                "employer {e} already holds {} valid household-work RVPs; limit {limit_label}",
                issued.len()
            ),
        ),
        Some(e) => (
            Outcome::Passed,
            format!(
                "employer {e} holds {} valid household-work RVPs; this one makes {}; limit {limit_label}",
                issued.len(),
                issued.len() + 1
            ),
        ),
    };
    Computation {
        outcome,
        summary,
        evidence: Evidence::DomesticWorkerQuota {
            employer,
            issued,
            limit,
            limit_label,
        },
    }
}

fn stay_check(case: &Case, version: &RuleVersion, today: NaiveDate) -> Computation {
    let last_day = lawful_stay_last_day(case, version);
    let days_left = last_day.map(|l| (l - today).num_days());
    let (outcome, summary) = match (last_day, days_left) {
        (Some(l), Some(d)) if d >= 0 => (
            Outcome::Passed,
            format!("lawful stay until {} ({d} days left)", format_day(l)),
        ),
        (Some(l), Some(d)) => (
            Outcome::Failed,
            format!("lawful stay ended on {} ({} days ago)", format_day(l), -d),
        ),
        // Unknown is for the inspector to establish, never a failure.
        _ => (
            Outcome::Pending,
            "the lawful stay is not known: no border crossing (EAEU citizen) or no stay granted by the visa or entry recorded".to_string(),
        ),
    };
    Computation {
        outcome,
        summary,
        evidence: Evidence::Stay {
            entry: case.entry_date,
            last_day,
            days_left,
        },
    }
}
