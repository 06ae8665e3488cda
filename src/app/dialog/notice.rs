//! The hearing notice (rules on refusal with a hearing): the grounds, the
//! planned decision day, when and how the notice is sent, and the hearing's
//! time and place; the latest sending day and hearing are proposed.

use super::*;

pub(super) fn fields(f: &Form<'_>, info: &mut Vec<String>) -> Result<Vec<Field>, String> {
    let lang = f.lang;
    let cal = f.cal;
    let c = f.c;
    let v = f.v;
    let m = f.m;
    let ctx = &f.ctx;
    if !v.hearing {
        return Err(t(lang, "dialog.no-hearing").into());
    }
    // The decision is planned for the day the notice can still
    // precede by the required working days, or the service end.
    // A notice sent on a day off or after hours counts from the
    // next working day.
    let here = term::local(cal, m.now);
    let today = here.date();
    let in_office = cal.is_working(today).unwrap_or(false) && here.time() <= cal.office().closes;
    let base = if in_office {
        today
    } else {
        cal.add_working_days(today, 1).unwrap_or(today)
    };
    let n = v.parameter("hearing_notice").map(|p| p.value).unwrap_or(3);
    let planned = cal.add_working_days(base, n).unwrap_or(today);
    if let Ok(w) = dc::hearing_window(c, ctx, planned) {
        info.push(tf(
            lang,
            "dialog.notice-latest",
            &[
                ("day", &w.anchor.format("%d.%m.%Y")),
                ("latest", &local(cal, w.notice_latest)),
            ],
        ));
    }
    let hearing = dc::hearing_latest(ctx, m.now)
        .map(|x| local(cal, x))
        .unwrap_or_default();
    info.push(tf(
        lang,
        "dialog.hearing-window",
        &[("from", &local(cal, m.now)), ("latest", &hearing)],
    ));
    Ok(vec![
        Field {
            label: "dialog.grounds",
            input: grounds_input(lang, v, c),
        },
        Field {
            label: "dialog.planned",
            input: text(planned.format("%d.%m.%Y").to_string()),
        },
        Field {
            label: "dialog.sent-at",
            input: text(local(cal, m.now)),
        },
        Field {
            label: "dialog.channel",
            input: Input::Choice(
                [
                    ("in_person", "channel.in-person"),
                    ("post", "channel.post"),
                    ("electronic", "channel.electronic"),
                ]
                .iter()
                .map(|(v, k)| (v.to_string(), t(lang, k).to_string()))
                .collect(),
                0,
            ),
        },
        Field {
            label: "dialog.hearing-at",
            input: text(hearing),
        },
        Field {
            label: "dialog.place",
            input: text(String::new()),
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
    let grounds_text = |ids: &[String]| f.grounds_text(ids);
    let grounds = d.chosen(0);
    let planned = parse_day(&d.value(1))
        .ok_or_else(|| bad("dialog.planned", t(lang, "dialog.bad-day").into()))?;
    let sent_at = parse_local(cal, lang, &d.value(2)).map_err(|e| bad("dialog.sent-at", e))?;
    let channel = match d.value(3).as_str() {
        "post" => NoticeChannel::Post,
        "electronic" => NoticeChannel::Electronic,
        _ => NoticeChannel::InPerson,
    };
    let hearing_at =
        parse_local(cal, lang, &d.value(4)).map_err(|e| bad("dialog.hearing-at", e))?;
    let input = NoticeInput {
        sent_at,
        channel,
        hearing_at,
        place: d.value(5).trim().to_string(),
        planned_decision: planned,
        grounds: grounds.clone(),
    };
    dc::send_hearing_notice(c, ctx, input.clone()).map_err(|e| say(lang, &e))?;
    lines.push(tf(
        lang,
        "confirm.notice",
        &[
            ("sent", &local(cal, sent_at)),
            ("channel", &d.field_label(3)),
            ("at", &local(cal, hearing_at)),
            ("place", &input.place),
        ],
    ));
    lines.extend(grounds_text(&grounds));
    lines.push(t(lang, "confirm.doc.hearing-notice").into());
    Ok(Change::Notice {
        number,
        seen,
        input,
    })
}
