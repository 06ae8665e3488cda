//! The text of each section of the case screen.

use chrono::{DateTime, NaiveDate, Utc};
use ratatui::text::Line;

use super::{CaseView, SECTIONS};
use crate::domain::calendar::Calendar;
use crate::domain::case::{ApprovalState, DecisionKind, NoticeChannel, Status};
use crate::domain::procedure::RuleVersion;
use crate::domain::term::{self, Unit};
use crate::domain::text::printable;
use crate::i18n::{Lang, t, tf};
use crate::ui::{Ui, day_label, day_reason, instant_label};

/// Label/value lines with the labels padded to the longest one.
struct Pairs {
    rows: Vec<(String, String)>,
}

impl Pairs {
    fn new() -> Pairs {
        Pairs { rows: Vec::new() }
    }

    fn add(&mut self, label: &str, value: impl Into<String>) {
        self.rows.push((label.to_string(), value.into()));
    }

    fn lines(self) -> Vec<String> {
        let w = self
            .rows
            .iter()
            .map(|(l, _)| l.chars().count())
            .max()
            .unwrap_or(0);
        self.rows
            .into_iter()
            .map(|(l, v)| format!("{l:<w$}  {v}"))
            .collect()
    }
}

fn status_key(s: Status) -> &'static str {
    match s {
        Status::Received => "case-status.received",
        Status::Accepted => "case-status.accepted",
        Status::RefusedToAccept => "case-status.refused-to-accept",
        Status::Decided => "case-status.decided",
        Status::Archived => "case-status.archived",
    }
}

fn channel_key(c: NoticeChannel) -> &'static str {
    match c {
        NoticeChannel::InPerson => "channel.in-person",
        NoticeChannel::Post => "channel.post",
        NoticeChannel::Electronic => "channel.electronic",
    }
}

fn ground_titles(v: Option<&RuleVersion>, lang: Lang, ids: &[String]) -> String {
    ids.iter()
        .map(|g| {
            v.and_then(|v| v.ground(g))
                .map(|x| x.title.get(lang).to_string())
                .unwrap_or_else(|| g.clone())
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The lines of the section on show; overdue deadlines and stages
/// finished late are marked `!!` and drawn in the overdue style.
pub(super) fn section_lines(
    lang: Lang,
    view: &CaseView,
    ui: &Ui<'_>,
    now: DateTime<Utc>,
) -> Vec<Line<'static>> {
    // The lines that are late, by index.
    let mut hot: Vec<usize> = Vec::new();
    let c = &view.loaded.case;
    let tr = |k: &'static str| t(lang, k);
    let version = ui.rules.version(&c.procedure, &c.version);
    let mut out: Vec<String> = Vec::new();
    match SECTIONS[view.section] {
        "section.summary" => {
            let mut p = Pairs::new();
            p.add(
                tr("field.procedure"),
                ui.rules.procedure_name(&c.procedure, lang),
            );
            if let Some(v) = version {
                p.add(
                    tr("field.rules"),
                    format!(
                        "{} ({} {})",
                        v.act.get(lang),
                        tr("field.rules-from"),
                        v.effective_from.format("%d.%m.%Y")
                    ),
                );
            }
            p.add(
                tr("field.applicant"),
                format!("{} ({})", c.applicant.name, c.applicant.citizenship),
            );
            p.add(tr("field.status"), tr(status_key(c.status)));
            p.add(tr("field.received"), instant_label(ui.cal, c.received_at));
            if let Some(a) = c.accepted_at {
                p.add(tr("field.accepted"), instant_label(ui.cal, a));
            }
            let purpose = c
                .purpose
                .as_deref()
                .map(|id| {
                    version
                        .and_then(|v| v.purposes.iter().find(|x| x.id == id))
                        .map(|x| x.title.get(lang).to_string())
                        .unwrap_or_else(|| id.to_string())
                })
                .unwrap_or_else(|| "-".into());
            p.add(tr("field.purpose"), purpose);
            p.add(
                tr("field.assignee"),
                c.assignee.clone().unwrap_or_else(|| "-".into()),
            );
            p.add(
                tr("field.version"),
                tf(
                    lang,
                    "field.version-value",
                    &[
                        ("n", &view.loaded.row_version),
                        ("by", &view.loaded.updated_by),
                        (
                            "at",
                            &chrono::DateTime::parse_from_rfc3339(&view.loaded.updated_at)
                                .map(|x| instant_label(ui.cal, x.with_timezone(&chrono::Utc)))
                                .unwrap_or_else(|_| view.loaded.updated_at.clone()),
                        ),
                    ],
                ),
            );
            out.extend(p.lines());
            if let Some(v) = version
                && let Ok(list) = crate::domain::urgency::open_deadlines(c, v, ui.cal)
                && !list.is_empty()
            {
                out.push(String::new());
                out.push(tr("summary.deadlines").to_string());
                let mut list = list;
                list.sort_by_key(|d| d.due);
                for d in list {
                    let what = deadline_kind(lang, v, &d.kind);
                    if d.due < now {
                        let late = term::time_left(ui.cal, d.unit, d.due_day, d.due, now)
                            .map(|x| x.msg().text(lang))
                            .unwrap_or_default();
                        hot.push(out.len());
                        out.push(format!(
                            "!! {}  {}",
                            instant_label(ui.cal, d.due),
                            tf(lang, "summary.overdue", &[("what", &what), ("late", &late)])
                        ));
                    } else {
                        out.push(format!("   {}  {what}", instant_label(ui.cal, d.due)));
                    }
                }
            }
            // The PR term is kezek's own sum of the stage terms: say when
            // the projected stages end after it.
            if let Some(v) = version
                && let Ok(Some((end, due))) = crate::domain::urgency::plan_overrun(c, v, ui.cal)
            {
                out.push(String::new());
                out.push(tf(
                    lang,
                    "summary.plan-overrun",
                    &[
                        ("end", &end.format("%d.%m.%Y")),
                        ("due", &due.format("%d.%m.%Y")),
                    ],
                ));
            }
        }
        "section.applicant" => {
            let a = &c.applicant;
            let mut p = Pairs::new();
            p.add(
                tr("field.applicant"),
                format!("{} ({})", a.name, a.citizenship),
            );
            p.add(tr("field.document"), a.key.clone());
            p.add(tr("field.iin"), a.iin.clone().unwrap_or_else(|| "-".into()));
            if let Some(b) = a.birth_date {
                p.add(tr("field.born"), b.format("%d.%m.%Y").to_string());
            }
            if let Some(h) = &c.host {
                p.add(tr("field.host"), format!("{}  {}", h.name, h.id_number));
            }
            if let Some(e) = c.entry_date {
                p.add(tr("field.entry"), day_label(lang, e));
            }
            if let Some(last) =
                version.and_then(|v| crate::domain::case::lawful_stay_last_day(c, v))
            {
                p.add(tr("field.stay-until"), day_label(lang, last));
            }
            for f in &c.family {
                p.add(
                    tr("field.family"),
                    format!("{}  {}", f.name, f.iin.clone().unwrap_or_default()),
                );
            }
            out.extend(p.lines());
        }
        "section.documents" => {
            for d in &c.documents {
                let title = version
                    .and_then(|v| v.documents.iter().find(|x| x.id == d.kind))
                    .map(|x| x.title.get(lang).to_string())
                    .unwrap_or_else(|| d.kind.clone());
                let until = d
                    .valid_until
                    .map(|x| {
                        tf(
                            lang,
                            "documents.valid-until",
                            &[("day", &x.format("%d.%m.%Y"))],
                        )
                    })
                    .unwrap_or_default();
                out.push(title);
                out.push(format!("    {}  {until}", d.number));
            }
            if c.documents.is_empty() {
                out.push(tr("documents.none").to_string());
            }
        }
        "section.checklist" => {
            crate::app::checklist::checklist_lines(lang, view, version, &mut out)
        }
        "section.timeline" => {
            if let Some(v) = version
                && let Ok(plan) = crate::domain::urgency::stage_plan(c, v, ui.cal)
            {
                for (p, s) in plan.iter().zip(&v.stages) {
                    let done = p
                        .completed_at
                        .map(|x| tf(lang, "timeline.done", &[("at", &instant_label(ui.cal, x))]))
                        .unwrap_or_else(|| tr("timeline.open").to_string());
                    // A stage finished after its planned end says by how much.
                    match p.completed_at.filter(|&x| x > p.due) {
                        Some(x) => {
                            let late =
                                term::time_left(ui.cal, s.term.term().unit, p.due_day, p.due, x)
                                    .map(|t| t.msg().text(lang))
                                    .unwrap_or_default();
                            hot.push(out.len());
                            out.push(format!(
                                "!! {} ({done}) {}",
                                s.title.get(lang),
                                tf(lang, "timeline.late", &[("late", &late)])
                            ));
                        }
                        None => out.push(format!("{} ({done})", s.title.get(lang))),
                    }
                    out.push(format!(
                        "    {}",
                        tf(
                            lang,
                            "timeline.plan",
                            &[
                                ("term", &term_label(lang, s.term.term())),
                                ("from", &day_label(lang, p.from_day)),
                                ("due", &instant_label(ui.cal, p.due)),
                            ]
                        )
                    ));
                    if view.explain && p.completed_at.is_none() {
                        explain_days(lang, ui.cal, p.from_day, p.due_day, s.term.term(), &mut out);
                    }
                }
                if plan.is_empty() {
                    out.push(tr("timeline.not-accepted").to_string());
                } else if !view.explain {
                    out.push(String::new());
                    out.push(tr("timeline.explain-hint").to_string());
                }
            }
        }
        "section.hearing" => {
            for n in &c.notices {
                let mut p = Pairs::new();
                p.add(tr("hearing.notice-sent"), instant_label(ui.cal, n.sent_at));
                p.add(tr("hearing.channel"), tr(channel_key(n.channel)));
                p.add(tr("hearing.at"), instant_label(ui.cal, n.hearing_at));
                p.add(tr("hearing.place"), n.place.clone());
                p.add(
                    tr("hearing.grounds"),
                    ground_titles(version, lang, &n.grounds),
                );
                out.extend(p.lines());
                out.push(String::new());
            }
            for h in &c.hearings {
                out.push(tf(
                    lang,
                    "hearing.held",
                    &[("at", &instant_label(ui.cal, h.held_at))],
                ));
                for l in h.applicant_position.lines() {
                    out.push(format!("    {l}"));
                }
                out.push(
                    if h.continue_review {
                        tr("hearing.continues")
                    } else {
                        tr("hearing.stops")
                    }
                    .to_string(),
                );
            }
            if c.notices.is_empty() {
                out.push(tr("hearing.none").to_string());
            }
        }
        "section.decision" => {
            for d in &c.decisions {
                let kind = match &d.kind {
                    DecisionKind::Issue => tr("decision.issue").to_string(),
                    DecisionKind::Refuse { grounds } => tf(
                        lang,
                        "decision.refuse",
                        &[("grounds", &ground_titles(version, lang, grounds))],
                    ),
                    DecisionKind::Annul { grounds } => tf(
                        lang,
                        "decision.annul",
                        &[("grounds", &ground_titles(version, lang, grounds))],
                    ),
                };
                let approval = match &d.approval {
                    ApprovalState::NotRequired => tr("approval.not-required").to_string(),
                    ApprovalState::Pending => tr("approval.pending").to_string(),
                    ApprovalState::Approved { by, at } => tf(
                        lang,
                        "approval.approved",
                        &[("by", by), ("at", &instant_label(ui.cal, *at))],
                    ),
                    ApprovalState::Returned { by, comment, .. } => tf(
                        lang,
                        "approval.returned",
                        &[("by", by), ("comment", comment)],
                    ),
                };
                out.push(kind);
                out.push(format!(
                    "    {}",
                    tf(
                        lang,
                        "decision.by",
                        &[("by", &d.by), ("at", &instant_label(ui.cal, d.at))]
                    )
                ));
                out.push(format!("    {approval}"));
            }
            if c.decisions.is_empty() {
                out.push(tr("decision.none").to_string());
            }
        }
        "section.notes" => {
            for n in &c.notes {
                out.push(format!("{} {}:", instant_label(ui.cal, n.at), n.by));
                for l in n.text.lines() {
                    out.push(format!("  {l}"));
                }
            }
            if c.notes.is_empty() {
                out.push(tr("notes.none").to_string());
            }
        }
        _ => {
            for r in &view.history {
                out.push(format!(
                    "{:>6} {} {:<10} {}",
                    r.seq, r.at, r.actor, r.action
                ));
            }
        }
    }
    out.into_iter()
        .enumerate()
        .map(|(i, s)| {
            let s = printable(&s).into_owned();
            if hot.contains(&i) {
                Line::styled(s, ui.theme.overdue)
            } else {
                Line::from(s)
            }
        })
        .collect()
}

fn term_label(lang: Lang, term: term::Term) -> String {
    let key = match term.unit {
        Unit::WorkingDays => "term.working-days",
        Unit::CalendarDays => "term.calendar-days",
    };
    tf(lang, key, &[("n", &term.count)])
}

fn deadline_kind(
    lang: Lang,
    v: &RuleVersion,
    kind: &crate::domain::urgency::DeadlineKind,
) -> String {
    deadline_label(
        lang,
        |id| v.stage(id).map(|s| s.title.get(lang).to_string()),
        kind,
    )
}

/// What a deadline is, in the language; a stage by its title.
pub(crate) fn deadline_label(
    lang: Lang,
    stage_title: impl Fn(&str) -> Option<String>,
    kind: &crate::domain::urgency::DeadlineKind,
) -> String {
    use crate::domain::urgency::DeadlineKind as K;
    match kind {
        K::Stage(id) => stage_title(id).unwrap_or_else(|| id.clone()),
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

/// Every day from the day after `from` to `due`: counted or skipped, and
/// why. A calendar-day term counts every day; when its last day is a day
/// off, the days it rolls over are listed as such.
fn explain_days(
    lang: Lang,
    cal: &Calendar,
    from: NaiveDate,
    due: NaiveDate,
    term: term::Term,
    out: &mut Vec<String>,
) {
    out.push(format!(
        "      {}",
        tf(
            lang,
            "timeline.counts-from",
            &[("day", &day_label(lang, from))]
        )
    ));
    let mut n = 0;
    let mut d = from;
    let mut rolled = false;
    while d < due {
        let Some(next) = d.succ_opt() else { break };
        d = next;
        let kind = match cal.kind(d) {
            Ok(k) => k,
            Err(e) => {
                out.push(format!("        ?  {}  {e}", day_label(lang, d)));
                continue;
            }
        };
        let counts = match term.unit {
            Unit::WorkingDays => kind.is_working(),
            Unit::CalendarDays => n < term.count,
        };
        if !counts && term.unit == Unit::CalendarDays && !rolled {
            out.push(format!("      {}", t(lang, "timeline.rolled")));
            rolled = true;
        }
        let number = if counts {
            n += 1;
            format!("{n:>3}")
        } else {
            "  -".to_string()
        };
        out.push(format!(
            "      {number}  {}  {}",
            day_label(lang, d),
            day_reason(cal, lang, kind)
        ));
    }
}
