//! Completing the current stage, with a note.

use super::*;

pub(super) fn fields(f: &Form<'_>, _info: &mut Vec<String>) -> Result<Vec<Field>, String> {
    let lang = f.lang;
    let c = f.c;
    let v = f.v;
    let open: Vec<(String, String)> = v
        .stages
        .iter()
        .enumerate()
        .filter(|(i, _)| dc::stage_state(c, v, *i) == dc::StageState::Open)
        .map(|(_, st)| (st.id.clone(), st.title.get(lang).to_string()))
        .collect();
    if open.is_empty() {
        return Err(t(lang, "dialog.no-open-stage").into());
    }
    Ok(vec![
        Field {
            label: "dialog.stage",
            input: Input::Choice(open, 0),
        },
        Field {
            label: "dialog.stage-note",
            input: area(Vec::new()),
        },
    ])
}

pub(super) fn check(d: &Dialog, f: &Form<'_>, lines: &mut Vec<String>) -> Result<Change, String> {
    let lang = f.lang;
    let cal = f.cal;
    let c = f.c;
    let m = f.m;
    let ctx = &f.ctx;
    let (number, seen) = (d.number.clone(), f.seen);
    let stage = d.value(0);
    let note = d.value(1);
    dc::complete_stage(c, ctx, &stage, m.now).map_err(|e| say(lang, &e))?;
    lines.push(tf(
        lang,
        "confirm.stage",
        &[("stage", &d.field_label(0)), ("at", &local(cal, m.now))],
    ));
    lines.extend(note.lines().map(|l| format!("    {l}")));
    Ok(Change::CompleteStage {
        number,
        seen,
        stage,
        note,
    })
}
