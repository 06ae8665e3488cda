//! The hearing itself: when it was held, the applicant's position, and
//! whether the review goes on.

use super::*;

pub(super) fn fields(f: &Form<'_>, info: &mut Vec<String>) -> Result<Vec<Field>, String> {
    let lang = f.lang;
    let cal = f.cal;
    let m = f.m;
    // The time and place the notice set: the hearing is recorded as held
    // then (order 002 §17).
    if let Some(n) = f.c.notices.get(f.c.hearings.len()) {
        info.push(tf(
            lang,
            "dialog.hearing-scheduled",
            &[("at", &local(cal, n.hearing_at)), ("place", &n.place)],
        ));
    }
    Ok(vec![
        Field {
            label: "dialog.held-at",
            input: text(local(cal, m.now)),
        },
        Field {
            label: "dialog.position",
            input: area(Vec::new()),
        },
        Field {
            label: "dialog.continue",
            input: yes_no(lang, false),
        },
    ])
}

pub(super) fn check(d: &Dialog, f: &Form<'_>, lines: &mut Vec<String>) -> Result<Change, String> {
    let lang = f.lang;
    let cal = f.cal;
    let c = f.c;
    let ctx = &f.ctx;
    let (number, seen) = (d.number.clone(), f.seen);
    let bad = |label: &'static str, e: String| f.bad(label, e);
    let held_at = parse_local(cal, lang, &d.value(0)).map_err(|e| bad("dialog.held-at", e))?;
    let position = d.value(1);
    let go_on = d.value(2) == "yes";
    dc::hold_hearing(c, ctx, held_at, &position, go_on).map_err(|e| say(lang, &e))?;
    // Order 002 §17: the notice names the time and place of the hearing
    // so that the applicant can state their position there. A hearing
    // recorded before that time, or within the hour of the notice, is
    // lawful to record but probably a mistake: the confirmation says so.
    if let Some(n) = c.notices.get(c.hearings.len()) {
        if held_at < n.hearing_at {
            lines.push(tf(
                lang,
                "confirm.hearing-early",
                &[("at", &local(cal, n.hearing_at))],
            ));
        } else if held_at < n.sent_at + chrono::TimeDelta::hours(1) {
            lines.push(tf(
                lang,
                "confirm.hearing-soon",
                &[("sent", &local(cal, n.sent_at))],
            ));
        }
    }
    lines.push(tf(lang, "confirm.hearing", &[("at", &local(cal, held_at))]));
    lines.extend(position.lines().map(|l| format!("    {l}")));
    lines.push(
        t(
            lang,
            if go_on {
                "hearing.continues"
            } else {
                "hearing.stops"
            },
        )
        .to_string(),
    );
    Ok(Change::Hearing {
        number,
        seen,
        held_at,
        position,
        continue_review: go_on,
    })
}
