//! The values a notice's placeholders are filled with, in the notice's
//! language. Every piece of data from a case or a user passes through
//! [`clean`], so no control character reaches a printed notice.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::{Input, Kind};
use crate::domain::case::{
    self, ApprovalState, DecisionKind, NoticeChannel, PackageProblem, Status,
};
use crate::domain::procedure::{Channel, RuleVersion};
use crate::domain::term::{self, local};
use crate::domain::text::{Lang, printable};

/// A placeholder's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    List(Vec<String>),
}

impl Value {
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Text(s) => s.is_empty(),
            Value::List(v) => v.is_empty(),
        }
    }
}

/// Data as it may be printed: control characters shown escaped, one line.
fn clean(s: &str) -> String {
    printable(s.trim()).into_owned()
}

/// `05.03.2026`
pub fn day(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// The date with the month in words: `5 марта 2026 г.`, `2026 жылғы 5 наурыз`, `5 March 2026`.
pub fn day_words(d: NaiveDate, lang: Lang) -> String {
    const RU: [&str; 12] = [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ];
    const KK: [&str; 12] = [
        "қаңтар",
        "ақпан",
        "наурыз",
        "сәуір",
        "мамыр",
        "маусым",
        "шілде",
        "тамыз",
        "қыркүйек",
        "қазан",
        "қараша",
        "желтоқсан",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let m = d.month0() as usize;
    match lang {
        Lang::Ru => format!("{} {} {} года", d.day(), RU[m], d.year()),
        Lang::Kk => format!("{} жылғы {} {}", d.year(), d.day(), KK[m]),
        Lang::En => format!("{} {} {}", d.day(), EN[m], d.year()),
    }
}

fn words3(lang: Lang, kk: &str, ru: &str, en: &str) -> String {
    match lang {
        Lang::Kk => kk,
        Lang::Ru => ru,
        Lang::En => en,
    }
    .to_string()
}

fn channel_name(c: Channel, lang: Lang) -> String {
    match c {
        Channel::Office => words3(
            lang,
            "тікелей көрсетілетін қызметті берушіге (полицияның аумақтық органына)",
            "непосредственно услугодателю (в территориальный орган полиции)",
            "directly to the service provider (the territorial police unit)",
        ),
        Channel::StateCorporation => words3(
            lang,
            "«Азаматтарға арналған үкімет» Мемлекеттік корпорациясы арқылы",
            "через Государственную корпорацию «Правительство для граждан»",
            "through the State Corporation 'Government for Citizens'",
        ),
        Channel::Portal => words3(
            lang,
            "«электрондық үкімет» порталы арқылы",
            "через портал «электронного правительства»",
            "through the e-government portal",
        ),
    }
}

fn notice_channel(c: NoticeChannel, lang: Lang) -> String {
    match c {
        NoticeChannel::InPerson => words3(
            lang,
            "қолма-қол, қол қойғызып",
            "лично под подпись",
            "in person, against signature",
        ),
        NoticeChannel::Post => words3(lang, "пошта арқылы", "почтой", "by post"),
        NoticeChannel::Electronic => words3(
            lang,
            "электрондық түрде",
            "в электронной форме",
            "electronically",
        ),
    }
}

fn document_title(version: &RuleVersion, kind: &str, lang: Lang) -> String {
    version
        .documents
        .iter()
        .find(|d| d.id == kind)
        .map(|d| d.title.get(lang).to_string())
        .unwrap_or_else(|| kind.to_string())
}

/// The reasons of a refusal to accept, in the notice's language: derived
/// again from the package as it was on the acceptance day; the reasons
/// recorded on the case are used as they are when nothing can be derived.
fn refusal_reasons(input: &Input<'_>, lang: Lang) -> Vec<String> {
    let c = input.case;
    let v = input.version;
    let mut out = Vec::new();
    let Ok(start) = case::start_of_case(input.cal, v, c) else {
        return c.refusal_to_accept.iter().map(|s| clean(s)).collect();
    };
    for p in case::package_problems(c, v, start.acceptance_day) {
        out.push(match p {
            PackageProblem::Missing(d) => {
                let t = clean(&document_title(v, &d, lang));
                match lang {
                    Lang::Kk => format!("құжат ұсынылмаған: {t}"),
                    Lang::Ru => format!("не представлен документ: {t}"),
                    Lang::En => format!("document not submitted: {t}"),
                }
            }
            PackageProblem::Expired {
                document,
                valid_until,
            } => {
                let t = clean(&document_title(v, &document, lang));
                let until = day(valid_until);
                match lang {
                    Lang::Kk => {
                        format!(
                            "құжаттың қолданылу мерзімі өткен: {t} ({until} дейін жарамды болған)"
                        )
                    }
                    Lang::Ru => {
                        format!("истёк срок действия документа: {t} (действителен до {until})")
                    }
                    Lang::En => format!("document expired: {t} (valid until {until})"),
                }
            }
        });
    }
    if !v.purposes.is_empty() && c.purpose.is_none() {
        out.push(words3(
            lang,
            "болу мақсаты көрсетілмеген",
            "не указана цель пребывания",
            "the purpose of the stay is not stated",
        ));
    }
    if v.parameter("late_acceptance_window").is_some()
        && let Some(last) = case::lawful_stay_last_day(c, v)
        && local(input.cal, c.received_at).date() > last
    {
        let d = day(last);
        out.push(match lang {
            Lang::Kk => format!("заңды болу мерзімі {d} аяқталған"),
            Lang::Ru => format!("срок законного пребывания истёк {d}"),
            Lang::En => format!("the lawful stay ended on {d}"),
        });
    }
    if c.refusal_to_accept.iter().any(|r| r.contains("§22")) {
        out.push(words3(
            lang,
            "тұрақты тұруға рұқсат беруден бас тарту немесе оның күшін жою туралы қорытынды шығарылғаннан кейін бір жыл өтпеген",
            "не истёк один год после вынесения заключения об отказе в выдаче или об аннулировании разрешения на постоянное проживание",
            "less than a year has passed since the conclusion refusing or annulling a permanent residence permit",
        ));
    }
    if out.is_empty() {
        return c.refusal_to_accept.iter().map(|s| clean(s)).collect();
    }
    out
}

/// "Когда …" → "когда …" after a dash; an abbreviation ("КНБ …") stays as it is.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase() => {
            a.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_string(),
    }
}

fn name_of(input: &Input<'_>, login: &str) -> String {
    clean(input.staff.get(login).map(String::as_str).unwrap_or(login))
}

fn put_day(
    v: &mut HashMap<&'static str, Value>,
    key: &'static str,
    words: &'static str,
    d: Option<NaiveDate>,
    lang: Lang,
) {
    if let Some(d) = d {
        v.insert(key, Value::Text(day(d)));
        v.insert(words, Value::Text(day_words(d, lang)));
    }
}

fn local_day(input: &Input<'_>, t: DateTime<Utc>) -> NaiveDate {
    local(input.cal, t).date()
}

/// Every value the notice can use.
pub fn collect(input: &Input<'_>, kind: Kind, lang: Lang) -> HashMap<&'static str, Value> {
    let c = input.case;
    let ver = input.version;
    let mut v: HashMap<&'static str, Value> = HashMap::new();
    let text = |s: String| Value::Text(s);
    put_day(
        &mut v,
        "today",
        "today.words",
        Some(local_day(input, input.now)),
        lang,
    );
    v.insert("inspector", text(clean(&input.issuer.name)));
    v.insert("inspector.login", text(clean(&input.issuer.login)));
    v.insert("case.number", text(clean(&c.number)));
    v.insert("case.channel", text(channel_name(c.channel, lang)));
    // Order 992 §12 (PR) and order 500 §8 (border zone) give a talon, §7
    // (RVP) a receipt: the rule version's forms say which.
    let talon = ver.forms.iter().any(|f| f.id.contains("talon"));
    v.insert(
        if talon {
            "receipt.talon"
        } else {
            "receipt.plain"
        },
        text("+".into()),
    );
    if let Some(p) = &c.purpose {
        let title = ver
            .purposes
            .iter()
            .find(|x| &x.id == p)
            .map(|x| x.title.get(lang).to_string())
            .unwrap_or_else(|| p.clone());
        v.insert("case.purpose", text(clean(&title)));
    }
    put_day(
        &mut v,
        "case.received",
        "case.received.words",
        Some(local_day(input, c.received_at)),
        lang,
    );
    v.insert(
        "case.received.time",
        text(local(input.cal, c.received_at).format("%H:%M").to_string()),
    );
    put_day(
        &mut v,
        "case.accepted",
        "case.accepted.words",
        c.acceptance_day,
        lang,
    );
    if let Some(accepted) = c.acceptance_day
        && let Ok(due) = term::due_after_day(input.cal, accepted, ver.service_term.term())
    {
        put_day(
            &mut v,
            "case.service_due",
            "case.service_due.words",
            Some(due.due_day),
            lang,
        );
        // A term the act does not state is printed as kezek's estimate.
        v.insert(
            if ver.service_term_is_sum {
                "case.service_due.sum"
            } else {
                "case.service_due.stated"
            },
            text("+".into()),
        );
    }
    v.insert(
        "procedure.name",
        text(input.procedure.name.get(lang).to_string()),
    );
    v.insert("procedure.code", text(input.procedure.code.clone()));
    v.insert("act", text(ver.act.get(lang).to_string()));
    v.insert("rule.version", text(ver.id.clone()));
    let a = &c.applicant;
    v.insert("applicant.name", text(clean(&a.name)));
    if let Some(iin) = &a.iin {
        v.insert("applicant.iin", text(clean(iin)));
    }
    v.insert("applicant.citizenship", text(clean(&a.citizenship)));
    if let Some(b) = a.birth_date {
        v.insert("applicant.birth_date", text(day(b)));
    }
    if let Some(h) = &c.host {
        v.insert("host.name", text(clean(&h.name)));
        v.insert("host.id", text(clean(&h.id_number)));
    }
    v.insert(
        "family",
        Value::List(
            c.family
                .iter()
                .map(|p| match &p.iin {
                    Some(iin) => format!("{} ({})", clean(&p.name), clean(iin)),
                    None => clean(&p.name),
                })
                .collect(),
        ),
    );
    v.insert(
        "documents",
        Value::List(
            c.documents
                .iter()
                .map(|d| {
                    let title = clean(&document_title(ver, &d.kind, lang));
                    let number = clean(&d.number);
                    match d.valid_until {
                        Some(until) => {
                            let until = day(until);
                            match lang {
                                Lang::Kk => {
                                    format!("{title}, №\u{a0}{number}, {until} дейін жарамды")
                                }
                                Lang::Ru => {
                                    format!("{title}, №\u{a0}{number}, действителен до {until}")
                                }
                                Lang::En => {
                                    format!("{title}, No.\u{a0}{number}, valid until {until}")
                                }
                            }
                        }
                        None => match lang {
                            Lang::En => format!("{title}, No.\u{a0}{number}"),
                            _ => format!("{title}, №\u{a0}{number}"),
                        },
                    }
                })
                .collect(),
        ),
    );
    if c.status == Status::RefusedToAccept {
        v.insert(
            "refusal_to_accept.reasons",
            Value::List(refusal_reasons(input, lang)),
        );
    }
    // The grounds: of the notice for a hearing notice, else of the decision.
    let notice = c.notices.last();
    let standing = c.standing_decision();
    let ground_ids: Vec<String> = match kind {
        Kind::HearingNotice => notice.map(|n| n.grounds.clone()).unwrap_or_default(),
        _ => match standing.map(|d| &d.kind) {
            Some(DecisionKind::Refuse { grounds } | DecisionKind::Annul { grounds }) => {
                grounds.clone()
            }
            _ => Vec::new(),
        },
    };
    let mut grounds = Vec::new();
    let mut lifted = Vec::new();
    for g in &ground_ids {
        match ver.ground(g) {
            Some(r) => {
                grounds.push(r.title.get(lang).to_string());
                lifted.push(format!(
                    "{} — {}",
                    r.title.get(lang),
                    lower_first(r.lifted_when.get(lang))
                ));
            }
            None => {
                grounds.push(clean(g));
                lifted.push(clean(g));
            }
        }
    }
    v.insert("grounds", Value::List(grounds));
    let mut checks = Vec::new();
    for k in ver
        .checks
        .iter()
        .filter(|k| k.applies_to(c.purpose.as_deref()))
    {
        let Some(r) = c.checks.get(&k.id) else {
            continue;
        };
        let outcome = match r.outcome {
            case::Outcome::Passed => words3(lang, "өтті", "пройдена", "passed"),
            case::Outcome::Failed => words3(lang, "өтпеді", "не пройдена", "failed"),
            case::Outcome::NotApplicable => {
                words3(lang, "қолданылмайды", "не применяется", "not applicable")
            }
            case::Outcome::Pending => words3(lang, "аяқталмаған", "не завершена", "pending"),
        };
        checks.push(format!(
            "{}: {outcome} ({})",
            k.title.get(lang),
            day(local_day(input, r.at))
        ));
    }
    v.insert("checks", Value::List(checks));
    if let Some(p) = ver.parameter("exit_after_annulment") {
        v.insert("exit.days", text(p.value.to_string()));
    }
    v.insert("grounds.lifted", Value::List(lifted));
    if let Some(n) = notice {
        put_day(
            &mut v,
            "notice.sent",
            "notice.sent.words",
            Some(local_day(input, n.sent_at)),
            lang,
        );
        v.insert("notice.channel", text(notice_channel(n.channel, lang)));
        let at = local(input.cal, n.hearing_at);
        v.insert("hearing.at", text(at.format("%d.%m.%Y %H:%M").to_string()));
        put_day(
            &mut v,
            "hearing.date",
            "hearing.date.words",
            Some(at.date()),
            lang,
        );
        v.insert("hearing.time", text(at.format("%H:%M").to_string()));
        v.insert("hearing.place", text(clean(&n.place)));
        put_day(
            &mut v,
            "decision.planned",
            "decision.planned.words",
            Some(n.planned_decision),
            lang,
        );
        if let Some(h) = c.hearings.iter().rev().find(|h| h.held_at >= n.sent_at) {
            v.insert(
                "hearing.held",
                text(
                    local(input.cal, h.held_at)
                        .format("%d.%m.%Y %H:%M")
                        .to_string(),
                ),
            );
            v.insert("hearing.position", text(clean(&h.applicant_position)));
        }
    }
    if let Some(d) = standing {
        put_day(
            &mut v,
            "decision.date",
            "decision.date.words",
            Some(local_day(input, d.at)),
            lang,
        );
        v.insert("decision.by", text(name_of(input, &d.by)));
        // Order 992 §17: the refusal states its reason. The inspector's words
        // when given; else the notes of the failed checks behind the grounds.
        let reason = if d.reason.trim().is_empty() {
            let grounds: &[String] = match &d.kind {
                DecisionKind::Refuse { grounds } | DecisionKind::Annul { grounds } => grounds,
                DecisionKind::Issue => &[],
            };
            input
                .version
                .checks
                .iter()
                .filter(|k| k.ground.as_ref().is_some_and(|g| grounds.contains(g)))
                .filter_map(|k| c.checks.get(&k.id))
                .filter(|r| r.outcome == case::Outcome::Failed && !r.note.trim().is_empty())
                .map(|r| r.note.trim().to_string())
                .collect::<Vec<_>>()
                .join("; ")
        } else {
            d.reason.clone()
        };
        if !reason.is_empty() {
            v.insert("decision.reason", text(clean(&reason)));
        }
        let flag = |b: bool| text(if b { "+".into() } else { String::new() });
        v.insert("decision.issue", flag(d.kind == DecisionKind::Issue));
        v.insert(
            "decision.refuse",
            flag(matches!(d.kind, DecisionKind::Refuse { .. })),
        );
        v.insert(
            "decision.annul",
            flag(matches!(d.kind, DecisionKind::Annul { .. })),
        );
        v.insert(
            "approval.pending",
            flag(d.approval == ApprovalState::Pending),
        );
        if let ApprovalState::Approved { by, at } = &d.approval {
            v.insert("approval.by", text(name_of(input, by)));
            put_day(
                &mut v,
                "approval.date",
                "approval.date.words",
                Some(local_day(input, *at)),
                lang,
            );
        }
        if let Some(due) = case::exit_deadline(c, input.cal, ver) {
            put_day(
                &mut v,
                "exit.deadline",
                "exit.deadline.words",
                Some(due.due_day),
                lang,
            );
        }
        if !matches!(d.kind, DecisionKind::Issue)
            && let Some(from) = case::reapplication_possible_from(ver, local_day(input, d.at))
        {
            put_day(
                &mut v,
                "reapply.from",
                "reapply.from.words",
                Some(from),
                lang,
            );
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_words() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 5).expect("date");
        assert_eq!(day_words(d, Lang::Ru), "5 марта 2026 года");
        assert_eq!(day_words(d, Lang::Kk), "2026 жылғы 5 наурыз");
        assert_eq!(day_words(d, Lang::En), "5 March 2026");
        assert_eq!(day(d), "05.03.2026");
    }
}
