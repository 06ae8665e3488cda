//! The decision: acceptance or refusal to accept a received application
//! (with the exception for a late one), issue or refusal, annulment, and a
//! duplicate of an issued permit.

use super::*;

pub(super) fn fields(f: &Form<'_>, info: &mut Vec<String>) -> Result<Vec<Field>, String> {
    let lang = f.lang;
    let c = f.c;
    let v = f.v;
    let mut kinds: Vec<(&str, &str)> = Vec::new();
    match c.status {
        Status::Received => {
            kinds.push(("accept", "dialog.kind.accept"));
            kinds.push(("refuse_to_accept", "dialog.kind.refuse-to-accept"));
        }
        Status::Accepted => {
            kinds.push(("issue", "dialog.kind.issue"));
            kinds.push(("refuse", "dialog.kind.refuse"));
        }
        _ => {}
    }
    let issued = c
        .standing_decision()
        .is_some_and(|d| d.in_effect() && d.kind == DecisionKind::Issue);
    if issued && v.parameter("exit_after_annulment").is_some() {
        kinds.push(("annul", "dialog.kind.annul"));
    }
    if issued && c.procedure == "rvp" {
        kinds.push(("duplicate", "dialog.kind.duplicate"));
    }
    if kinds.is_empty() {
        return Err(t(lang, "dialog.nothing-to-decide").into());
    }
    if v.approval == Approval::Supervisor {
        info.push(t(lang, "dialog.needs-approval").to_string());
    }
    let mut fields = vec![
        Field {
            label: "dialog.decision",
            input: Input::Choice(
                kinds
                    .iter()
                    .map(|(v, k)| (v.to_string(), t(lang, k).to_string()))
                    .collect(),
                0,
            ),
        },
        Field {
            label: "dialog.grounds",
            input: grounds_input(lang, v, c),
        },
        Field {
            label: "dialog.duplicate-reason",
            input: Input::Choice(
                vec![
                    ("damage".into(), t(lang, "dialog.damage").into()),
                    ("loss".into(), t(lang, "dialog.loss").into()),
                ],
                0,
            ),
        },
    ];
    // Acceptance after the lawful stay (order 992 §9-1): the
    // exception and its act or ruling.
    if c.status == Status::Received {
        fields.push(Field {
            label: "dialog.late",
            input: Input::Choice(
                vec![
                    ("none".into(), t(lang, "dialog.late-none").into()),
                    (
                        "failure_act".into(),
                        t(lang, "dialog.late-failure-act").into(),
                    ),
                    ("art_517".into(), t(lang, "dialog.late-art-517").into()),
                ],
                0,
            ),
        });
        fields.push(Field {
            label: "dialog.reference",
            input: text(String::new()),
        });
    }
    Ok(fields)
}

pub(super) fn check(d: &Dialog, f: &Form<'_>, lines: &mut Vec<String>) -> Result<Change, String> {
    let lang = f.lang;
    let c = f.c;
    let v = f.v;
    let ctx = &f.ctx;
    let (number, seen) = (d.number.clone(), f.seen);
    let grounds_text = |ids: &[String]| f.grounds_text(ids);
    let needs_approval = v.approval == Approval::Supervisor;
    let approval = if needs_approval {
        t(lang, "confirm.to-approval")
    } else {
        t(lang, "confirm.in-force")
    };
    Ok(match d.value(0).as_str() {
        "issue" => {
            dc::decide(c, ctx, DecisionKind::Issue).map_err(|e| say(lang, &e))?;
            lines.push(t(lang, "confirm.issue").into());
            lines.push(approval.into());
            lines.push(
                t(
                    lang,
                    if c.procedure == "pr" {
                        "confirm.doc.pr-conclusion"
                    } else {
                        "confirm.doc.decision"
                    },
                )
                .into(),
            );
            Change::Decide {
                number,
                seen,
                kind: DecisionKind::Issue,
            }
        }
        "refuse" => {
            let grounds = d.chosen(1);
            let kind = DecisionKind::Refuse {
                grounds: grounds.clone(),
            };
            dc::decide(c, ctx, kind.clone()).map_err(|e| say(lang, &e))?;
            lines.push(t(lang, "confirm.refuse").into());
            lines.extend(grounds_text(&grounds));
            lines.push(approval.into());
            lines.push(t(lang, "confirm.doc.refusal").into());
            Change::Decide { number, seen, kind }
        }
        "annul" => {
            let grounds = d.chosen(1);
            dc::annul(c, ctx, grounds.clone()).map_err(|e| say(lang, &e))?;
            let days = v
                .parameter("exit_after_annulment")
                .map(|p| p.value)
                .unwrap_or(30);
            lines.push(t(lang, "confirm.annul").into());
            lines.extend(grounds_text(&grounds));
            lines.push(tf(lang, "confirm.exit-deadline", &[("n", &days)]));
            lines.push(approval.into());
            lines.push(t(lang, "confirm.doc.annulment").into());
            Change::Annul {
                number,
                seen,
                grounds,
            }
        }
        "duplicate" => {
            let reason = if d.value(2) == "loss" {
                DuplicateReason::Loss
            } else {
                DuplicateReason::Damage
            };
            dc::issue_duplicate(c, ctx, reason).map_err(|e| say(lang, &e))?;
            lines.push(tf(
                lang,
                "confirm.duplicate",
                &[("reason", &d.field_label(2))],
            ));
            Change::Duplicate {
                number,
                seen,
                reason,
            }
        }
        "accept" => {
            let reference = d.value(4).trim().to_string();
            let late = match d.value(3).as_str() {
                "failure_act" => Some(dc::LateException::SystemFailure {
                    act: reference.clone(),
                }),
                // kezek counts the overstay itd.
                "art_517" => Some(dc::LateException::Art517 {
                    ruling: reference.clone(),
                    overstay_days: 0,
                }),
                _ => None,
            };
            // The store checks again with the applicant's other cases.
            dc::accept(c, ctx, &NoOtherCases, late.clone()).map_err(|e| say(lang, &e))?;
            lines.push(t(lang, "confirm.accept").into());
            if late.is_some() {
                lines.push(tf(
                    lang,
                    "confirm.accept-late",
                    &[("exception", &d.field_label(3)), ("reference", &reference)],
                ));
            }
            lines.push(t(lang, "confirm.doc.acceptance").into());
            Change::Accept { number, seen, late }
        }
        _ => {
            // Whether the package is incomplete is checked by the
            // store, which can see the applicant's other cases.
            lines.push(t(lang, "confirm.refuse-to-accept").into());
            lines.push(t(lang, "confirm.doc.refusal-to-accept").into());
            Change::RefuseToAccept { number, seen }
        }
    })
}
