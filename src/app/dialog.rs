//! The case screen's dialogs: hearing notice, hearing, decision, approval.
//!
//! A dialog is a form. On Ctrl-S (or Enter outside a multi-line field) it is
//! checked by running the domain's own transition on the case as loaded, a
//! pure function, so the dialog refuses exactly what the store would refuse
//! and says why (a date outside the window names the allowed range). A form
//! that passes shows a confirmation of what will be recorded and which
//! documents follow; Enter records it, Esc goes back to the form. Esc on the
//! form closes it and keeps what was typed as a draft.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::{Change, DialogKind, Model, Screen};
use crate::domain::calendar::Calendar;
use crate::domain::case::{
    self as dc, ApprovalState, Case, Ctx, DecisionKind, DuplicateReason, NoticeChannel,
    NoticeInput, Outcome, Status,
};
use crate::domain::procedure::{Approval, Role, RuleVersion, Rules};
use crate::domain::term;
use crate::i18n::{Lang, say, t, tf};

/// The calendar and rules a dialog needs to propose and check dates.
#[derive(Debug)]
pub struct World {
    pub cal: Calendar,
    pub rules: Rules,
}

#[derive(Debug, Clone)]
pub enum Input {
    Text(String),
    Area(Box<TextArea<'static>>),
    /// One of several: (value, label).
    Choice(Vec<(String, String)>, usize),
    /// Any of several: (value, label, detail), which are on, and the cursor.
    Multi(Vec<(String, String, String)>, Vec<bool>, usize),
}

#[derive(Debug, Clone)]
pub struct Field {
    /// The catalogue key of the label.
    pub label: &'static str,
    pub input: Input,
}

#[derive(Debug, Clone)]
pub struct Dialog {
    pub kind: DialogKind,
    pub number: String,
    pub seen: i64,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Proposals and windows computed from the rules, shown above the form.
    pub info: Vec<String>,
    pub error: Option<String>,
    /// The confirmation page: what will be recorded, and the change.
    pub confirm: Option<(Vec<String>, Change)>,
}

/// Give back a form whose change the store refused, exactly as it was
/// typed, on the case as it is now: with the reason above it and, when it
/// still passes the domain's checks on the fresh case, at its
/// confirmation page, so one Enter submits it again.
pub fn resume(m: &mut Model, world: Option<&World>, mut d: Dialog, why: String) {
    if let Screen::Case(view) = &m.screen
        && view.loaded.case.number == d.number
        && m.dialog.is_none()
    {
        d.seen = view.loaded.row_version;
        d.confirm = None;
        if let Some(w) = world
            && let Ok(page) = d.check(m, w)
        {
            d.confirm = Some(page);
        }
        d.error = Some(why);
        m.dialog = Some(d);
    } else {
        m.dialog_drafts.insert((d.number.clone(), d.kind), d);
    }
}

/// `dd.mm.yyyy HH:MM` in the calendar's zone (also `yyyy-mm-dd HH:MM`).
pub fn parse_local(cal: &Calendar, lang: Lang, text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(n) = NaiveDateTime::parse_from_str(text, "%d.%m.%Y %H:%M") {
        return term::at_local(cal, n.date(), n.time()).map_err(|e| say(lang, &e));
    }
    term::parse_instant(cal, text).map_err(|e| e.text(lang))
}

/// `dd.mm.yyyy` (also `yyyy-mm-dd`).
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%d.%m.%Y")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .ok()
}

fn local(cal: &Calendar, at: DateTime<Utc>) -> String {
    term::local(cal, at).format("%d.%m.%Y %H:%M").to_string()
}

fn text(s: impl Into<String>) -> Input {
    Input::Text(s.into())
}

fn area(lines: Vec<String>) -> Input {
    let mut a = TextArea::new(lines);
    a.set_block(ratatui::widgets::Block::bordered());
    Input::Area(Box::new(a))
}

fn yes_no(lang: Lang, yes_first: bool) -> Input {
    let yes = ("yes".to_string(), t(lang, "dialog.yes").to_string());
    let no = ("no".to_string(), t(lang, "dialog.no").to_string());
    Input::Choice(vec![yes, no], if yes_first { 0 } else { 1 })
}

/// The refusal grounds of the version, those of failed checks first and on.
fn grounds_input(lang: Lang, v: &RuleVersion, c: &Case) -> Input {
    let failed: Vec<&str> = v
        .checks
        .iter()
        .filter(|k| {
            c.checks
                .get(&k.id)
                .is_some_and(|r| r.outcome == Outcome::Failed)
        })
        .filter_map(|k| k.ground.as_deref())
        .collect();
    let mut options = Vec::new();
    let mut on = Vec::new();
    for g in &v.grounds {
        options.push((
            g.id.clone(),
            g.title.get(lang).to_string(),
            tf(
                lang,
                "checklist.lifted",
                &[("when", &g.lifted_when.get(lang))],
            ),
        ));
        on.push(failed.contains(&g.id.as_str()));
    }
    Input::Multi(options, on, 0)
}

impl Dialog {
    /// Open a dialog for the case on screen, with proposals from the rules.
    pub fn open(m: &Model, world: &World, kind: DialogKind) -> Result<Dialog, String> {
        let lang = m.lang;
        let Screen::Case(view) = &m.screen else {
            return Err(t(lang, "dialog.no-case").into());
        };
        let c = &view.loaded.case;
        let v = world
            .rules
            .version(&c.procedure, &c.version)
            .ok_or_else(|| t(lang, "dialog.no-rules").to_string())?;
        let cal = &world.cal;
        let ctx = Ctx {
            cal,
            version: v,
            actor: &m.me,
            now: m.now,
        };
        let mut info = Vec::new();
        let fields = match kind {
            DialogKind::Hearing if !awaiting_hearing(c) => {
                if !v.hearing {
                    return Err(t(lang, "dialog.no-hearing").into());
                }
                // The decision is planned for the day the notice can still
                // precede by the required working days, or the service end.
                // A notice sent on a day off or after hours counts from the
                // next working day.
                let here = term::local(cal, m.now);
                let today = here.date();
                let in_office =
                    cal.is_working(today).unwrap_or(false) && here.time() <= cal.office().closes;
                let base = if in_office {
                    today
                } else {
                    cal.add_working_days(today, 1).unwrap_or(today)
                };
                let n = v.parameter("hearing_notice").map(|p| p.value).unwrap_or(3);
                let planned = cal.add_working_days(base, n).unwrap_or(today);
                if let Ok(w) = dc::hearing_window(c, &ctx, planned) {
                    info.push(tf(
                        lang,
                        "dialog.notice-latest",
                        &[
                            ("day", &w.anchor.format("%d.%m.%Y")),
                            ("latest", &local(cal, w.notice_latest)),
                        ],
                    ));
                }
                let hearing = dc::hearing_latest(&ctx, m.now)
                    .map(|x| local(cal, x))
                    .unwrap_or_default();
                info.push(tf(
                    lang,
                    "dialog.hearing-window",
                    &[("from", &local(cal, m.now)), ("latest", &hearing)],
                ));
                vec![
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
                ]
            }
            DialogKind::Hearing => vec![
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
            ],
            DialogKind::Decide => {
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
                fields
            }
            DialogKind::Stage => {
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
                vec![
                    Field {
                        label: "dialog.stage",
                        input: Input::Choice(open, 0),
                    },
                    Field {
                        label: "dialog.stage-note",
                        input: area(Vec::new()),
                    },
                ]
            }
            DialogKind::Approve => {
                if m.me.role != Role::Supervisor {
                    return Err(t(lang, "dialog.supervisors-only").into());
                }
                let Some(d) = c
                    .decision()
                    .filter(|d| d.approval == ApprovalState::Pending)
                else {
                    return Err(t(lang, "dialog.nothing-pending").into());
                };
                info.push(tf(
                    lang,
                    "dialog.pending-by",
                    &[("by", &d.by), ("at", &local(cal, d.at))],
                ));
                vec![
                    Field {
                        label: "dialog.approve",
                        input: yes_no(lang, true),
                    },
                    Field {
                        label: "dialog.comment",
                        input: area(Vec::new()),
                    },
                ]
            }
        };
        Ok(Dialog {
            kind,
            number: c.number.clone(),
            seen: view.loaded.row_version,
            fields,
            focus: 0,
            info,
            error: None,
            confirm: None,
        })
    }

    fn value(&self, i: usize) -> String {
        match self.fields.get(i).map(|f| &f.input) {
            Some(Input::Text(s)) => s.clone(),
            Some(Input::Area(a)) => a.lines().join("\n"),
            Some(Input::Choice(o, at)) => o.get(*at).map(|x| x.0.clone()).unwrap_or_default(),
            _ => String::new(),
        }
    }

    fn chosen(&self, i: usize) -> Vec<String> {
        match self.fields.get(i).map(|f| &f.input) {
            Some(Input::Multi(o, on, _)) => o
                .iter()
                .zip(on)
                .filter(|(_, on)| **on)
                .map(|(x, _)| x.0.clone())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Build the change from the form and dry-run it through the domain.
    fn check(&self, m: &Model, world: &World) -> Result<(Vec<String>, Change), String> {
        let lang = m.lang;
        let Screen::Case(view) = &m.screen else {
            return Err(t(lang, "dialog.no-case").into());
        };
        let c = &view.loaded.case;
        let v = world
            .rules
            .version(&c.procedure, &c.version)
            .ok_or_else(|| t(lang, "dialog.no-rules").to_string())?;
        let cal = &world.cal;
        let ctx = Ctx {
            cal,
            version: v,
            actor: &m.me,
            now: m.now,
        };
        let (number, seen) = (self.number.clone(), self.seen);
        let bad = |label: &'static str, e: String| format!("{}: {e}", t(lang, label));
        let grounds_text = |ids: &[String]| {
            ids.iter()
                .filter_map(|g| v.ground(g))
                .map(|g| {
                    format!(
                        "  • {}\n    {}",
                        g.title.get(lang),
                        tf(
                            lang,
                            "checklist.lifted",
                            &[("when", &g.lifted_when.get(lang))]
                        )
                    )
                })
                .collect::<Vec<_>>()
        };
        let mut lines = Vec::new();
        let change = match self.kind {
            DialogKind::Hearing if !awaiting_hearing(c) => {
                let grounds = self.chosen(0);
                let planned = parse_day(&self.value(1))
                    .ok_or_else(|| bad("dialog.planned", t(lang, "dialog.bad-day").into()))?;
                let sent_at =
                    parse_local(cal, lang, &self.value(2)).map_err(|e| bad("dialog.sent-at", e))?;
                let channel = match self.value(3).as_str() {
                    "post" => NoticeChannel::Post,
                    "electronic" => NoticeChannel::Electronic,
                    _ => NoticeChannel::InPerson,
                };
                let hearing_at = parse_local(cal, lang, &self.value(4))
                    .map_err(|e| bad("dialog.hearing-at", e))?;
                let input = NoticeInput {
                    sent_at,
                    channel,
                    hearing_at,
                    place: self.value(5).trim().to_string(),
                    planned_decision: planned,
                    grounds: grounds.clone(),
                };
                dc::send_hearing_notice(c, &ctx, input.clone()).map_err(|e| say(lang, &e))?;
                lines.push(tf(
                    lang,
                    "confirm.notice",
                    &[
                        ("sent", &local(cal, sent_at)),
                        ("channel", &self.field_label(3)),
                        ("at", &local(cal, hearing_at)),
                        ("place", &input.place),
                    ],
                ));
                lines.extend(grounds_text(&grounds));
                lines.push(t(lang, "confirm.doc.hearing-notice").into());
                Change::Notice {
                    number,
                    seen,
                    input,
                }
            }
            DialogKind::Hearing => {
                let held_at =
                    parse_local(cal, lang, &self.value(0)).map_err(|e| bad("dialog.held-at", e))?;
                let position = self.value(1);
                let go_on = self.value(2) == "yes";
                dc::hold_hearing(c, &ctx, held_at, &position, go_on).map_err(|e| say(lang, &e))?;
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
                Change::Hearing {
                    number,
                    seen,
                    held_at,
                    position,
                    continue_review: go_on,
                }
            }
            DialogKind::Decide => {
                let needs_approval = v.approval == Approval::Supervisor;
                let approval = if needs_approval {
                    t(lang, "confirm.to-approval")
                } else {
                    t(lang, "confirm.in-force")
                };
                match self.value(0).as_str() {
                    "issue" => {
                        dc::decide(c, &ctx, DecisionKind::Issue).map_err(|e| say(lang, &e))?;
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
                        let grounds = self.chosen(1);
                        let kind = DecisionKind::Refuse {
                            grounds: grounds.clone(),
                        };
                        dc::decide(c, &ctx, kind.clone()).map_err(|e| say(lang, &e))?;
                        lines.push(t(lang, "confirm.refuse").into());
                        lines.extend(grounds_text(&grounds));
                        lines.push(approval.into());
                        lines.push(t(lang, "confirm.doc.refusal").into());
                        Change::Decide { number, seen, kind }
                    }
                    "annul" => {
                        let grounds = self.chosen(1);
                        dc::annul(c, &ctx, grounds.clone()).map_err(|e| say(lang, &e))?;
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
                        let reason = if self.value(2) == "loss" {
                            DuplicateReason::Loss
                        } else {
                            DuplicateReason::Damage
                        };
                        dc::issue_duplicate(c, &ctx, reason).map_err(|e| say(lang, &e))?;
                        lines.push(tf(
                            lang,
                            "confirm.duplicate",
                            &[("reason", &self.field_label(2))],
                        ));
                        Change::Duplicate {
                            number,
                            seen,
                            reason,
                        }
                    }
                    "accept" => {
                        let reference = self.value(4).trim().to_string();
                        let late = match self.value(3).as_str() {
                            "failure_act" => Some(dc::LateException::SystemFailure {
                                act: reference.clone(),
                            }),
                            // kezek counts the overstay itself.
                            "art_517" => Some(dc::LateException::Art517 {
                                ruling: reference.clone(),
                                overstay_days: 0,
                            }),
                            _ => None,
                        };
                        // The store checks again with the applicant's other cases.
                        dc::accept(c, &ctx, &NoOtherCases, late.clone())
                            .map_err(|e| say(lang, &e))?;
                        lines.push(t(lang, "confirm.accept").into());
                        if late.is_some() {
                            lines.push(tf(
                                lang,
                                "confirm.accept-late",
                                &[
                                    ("exception", &self.field_label(3)),
                                    ("reference", &reference),
                                ],
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
                }
            }
            DialogKind::Stage => {
                let stage = self.value(0);
                let note = self.value(1);
                dc::complete_stage(c, &ctx, &stage, m.now).map_err(|e| say(lang, &e))?;
                lines.push(tf(
                    lang,
                    "confirm.stage",
                    &[("stage", &self.field_label(0)), ("at", &local(cal, m.now))],
                ));
                lines.extend(note.lines().map(|l| format!("    {l}")));
                Change::CompleteStage {
                    number,
                    seen,
                    stage,
                    note,
                }
            }
            DialogKind::Approve => {
                if self.value(0) == "yes" {
                    dc::approve(c, &ctx).map_err(|e| say(lang, &e))?;
                    lines.push(t(lang, "confirm.approve").into());
                    Change::Approve { number, seen }
                } else {
                    let comment = self.value(1);
                    dc::return_decision(c, &ctx, &comment).map_err(|e| say(lang, &e))?;
                    lines.push(t(lang, "confirm.return").into());
                    lines.extend(comment.lines().map(|l| format!("    {l}")));
                    Change::Return {
                        number,
                        seen,
                        comment,
                    }
                }
            }
        };
        Ok((lines, change))
    }

    fn field_label(&self, i: usize) -> String {
        match self.fields.get(i).map(|f| &f.input) {
            Some(Input::Choice(o, at)) => o.get(*at).map(|x| x.1.clone()).unwrap_or_default(),
            _ => self.value(i),
        }
    }

    /// The catalogue key of the dialog's title.
    pub fn title_key(&self, case: Option<&Case>) -> &'static str {
        match self.kind {
            DialogKind::Hearing if case.is_some_and(awaiting_hearing) => "dialog.title.hearing",
            DialogKind::Hearing => "dialog.title.notice",
            DialogKind::Decide => "dialog.title.decide",
            DialogKind::Approve => "dialog.title.approve",
            DialogKind::Stage => "dialog.title.stage",
        }
    }
}

/// The console's dry run of an acceptance knows no other cases: the store
/// checks the re-application block again when the change is applied.
struct NoOtherCases;

impl dc::CaseQueries for NoOtherCases {
    fn household_rvps_of_employer(&self, _: &str, _: NaiveDate, _: &str) -> Vec<dc::CaseRef> {
        Vec::new()
    }
    fn pending_pr_of(&self, _: &str, _: &str) -> Option<dc::CaseRef> {
        None
    }
    fn last_pr_refusal_or_annulment(&self, _: &str) -> Option<(String, NaiveDate)> {
        None
    }
}

/// A notice was sent and its hearing is not recorded yet.
pub fn awaiting_hearing(c: &Case) -> bool {
    c.notices.len() > c.hearings.len()
}

/// What a key does in an open dialog. Returns the change to record when
/// the user confirms.
pub fn key(m: &mut Model, world: Option<&World>, k: KeyEvent) -> Option<Change> {
    let lang = m.lang;
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let mut close = false;
    let mut submit = false;
    let mut record = None;
    {
        let d = m.dialog.as_mut()?;
        if let Some((_, change)) = &d.confirm {
            match k.code {
                KeyCode::Enter | KeyCode::Char('y') => {
                    record = Some(change.clone());
                    close = true;
                }
                KeyCode::Esc | KeyCode::Char('n') => d.confirm = None,
                _ => {}
            }
        } else {
            let n = d.fields.len();
            let in_area = matches!(
                d.fields.get(d.focus).map(|f| &f.input),
                Some(Input::Area(_))
            );
            match (k.code, d.fields.get_mut(d.focus).map(|f| &mut f.input)) {
                (KeyCode::Esc, _) => close = true,
                (KeyCode::Char('s'), _) if ctrl => submit = true,
                (KeyCode::Enter, _) if !in_area => submit = true,
                (KeyCode::Tab, _) => d.focus = (d.focus + 1) % n.max(1),
                (KeyCode::BackTab, _) => d.focus = (d.focus + n.max(1) - 1) % n.max(1),
                (_, Some(Input::Area(a))) => {
                    a.input(k);
                }
                (KeyCode::Backspace, Some(Input::Text(s))) => {
                    s.pop();
                }
                (KeyCode::Char(c), Some(Input::Text(s))) if !ctrl => s.push(c),
                (KeyCode::Left, Some(Input::Choice(o, at))) => {
                    *at = (*at + o.len() - 1) % o.len().max(1)
                }
                (KeyCode::Right | KeyCode::Char(' '), Some(Input::Choice(o, at))) => {
                    *at = (*at + 1) % o.len().max(1)
                }
                (KeyCode::Up, Some(Input::Multi(_, _, cur))) => *cur = cur.saturating_sub(1),
                (KeyCode::Down, Some(Input::Multi(o, _, cur))) => {
                    *cur = (*cur + 1).min(o.len().saturating_sub(1))
                }
                (KeyCode::Char(' '), Some(Input::Multi(_, on, cur))) => {
                    if let Some(x) = on.get_mut(*cur) {
                        *x = !*x;
                    }
                }
                (KeyCode::Down, _) => d.focus = (d.focus + 1) % n.max(1),
                (KeyCode::Up, _) => d.focus = (d.focus + n.max(1) - 1) % n.max(1),
                _ => {}
            }
        }
    }
    if submit {
        let outcome = match (m.dialog.as_ref(), world) {
            (Some(d), Some(w)) => d.check(m, w),
            _ => Err(t(lang, "dialog.no-rules").into()),
        };
        if let Some(d) = m.dialog.as_mut() {
            match outcome {
                Ok(page) => {
                    d.error = None;
                    d.confirm = Some(page);
                }
                Err(e) => d.error = Some(e),
            }
        }
    }
    if close && let Some(d) = m.dialog.take() {
        if record.is_none() {
            m.status = t(lang, "status.dialog-kept").to_string();
        }
        // The form stays as a draft unless it was recorded; a recorded
        // one rides with its change until the store has saved it.
        m.dialog_drafts.remove(&(d.number.clone(), d.kind));
        if record.is_none() {
            m.dialog_drafts.insert((d.number.clone(), d.kind), d);
        } else {
            m.sent = Some(super::Sent {
                dialog: Some(Box::new(d)),
                check_note: None,
            });
        }
    }
    record
}
