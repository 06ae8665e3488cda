//! The supervisor's answer to a decision waiting for approval: approve,
//! or return it with a comment.

use super::*;

pub(super) fn fields(f: &Form<'_>, info: &mut Vec<String>) -> Result<Vec<Field>, String> {
    let lang = f.lang;
    let cal = f.cal;
    let c = f.c;
    let m = f.m;
    if m.me.role != Role::Supervisor {
        return Err(t(lang, "dialog.supervisors-only").into());
    }
    let Some(d) = c
        .decision()
        .filter(|d| d.approval == ApprovalState::Pending)
    else {
        return Err(t(lang, "dialog.nothing-pending").into());
    };
    // What the supervisor answers for: the decision, its grounds with
    // what lifts them, who took it and when.
    let grounds = |ids: &[String]| {
        ids.iter()
            .map(|g| {
                f.v.ground(g)
                    .map(|x| x.title.get(lang).to_string())
                    .unwrap_or_else(|| g.clone())
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    info.push(match &d.kind {
        DecisionKind::Issue => t(lang, "decision.issue").to_string(),
        DecisionKind::Refuse { grounds: g } => {
            tf(lang, "decision.refuse", &[("grounds", &grounds(g))])
        }
        DecisionKind::Annul { grounds: g } => {
            tf(lang, "decision.annul", &[("grounds", &grounds(g))])
        }
    });
    info.push(tf(
        lang,
        "dialog.pending-by",
        &[("by", &d.by), ("at", &local(cal, d.at))],
    ));
    Ok(vec![
        Field {
            label: "dialog.approve",
            input: yes_no(lang, true),
        },
        Field {
            label: "dialog.comment",
            input: area(Vec::new()),
        },
    ])
}

pub(super) fn check(d: &Dialog, f: &Form<'_>, lines: &mut Vec<String>) -> Result<Change, String> {
    let lang = f.lang;
    let c = f.c;
    let ctx = &f.ctx;
    let (number, seen) = (d.number.clone(), f.seen);
    Ok(if d.value(0) == "yes" {
        dc::approve(c, ctx).map_err(|e| say(lang, &e))?;
        lines.push(t(lang, "confirm.approve").into());
        Change::Approve { number, seen }
    } else {
        let comment = d.value(1);
        dc::return_decision(c, ctx, &comment).map_err(|e| say(lang, &e))?;
        lines.push(t(lang, "confirm.return").into());
        lines.extend(comment.lines().map(|l| format!("    {l}")));
        Change::Return {
            number,
            seen,
            comment,
        }
    })
}
