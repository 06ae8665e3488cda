//! The daily report as one self-contained HTML page: inline CSS, inline
//! SVG bar charts, no script and nothing fetched, A4 when printed.

use chrono::{DateTime, NaiveDate};

use super::{DailyFigures, Load};
use crate::domain::text::{Lang, printable};
use crate::notice::escape_html;

/// The page's words in the three languages.
fn t(lang: Lang, key: &str) -> &'static str {
    let (kk, ru, en) = match key {
        "title" => ("Күнделікті есеп", "Ежедневный отчёт", "Daily report"),
        "as_of" => ("Жағдай", "По состоянию на", "As of"),
        "in_queue" => ("Кезекте", "В очереди", "In the queue"),
        "overdue" => ("Мерзімі өткен", "Просрочено", "Overdue"),
        "due_today" => ("Бүгін мерзімі", "Срок сегодня", "Due today"),
        "awaiting" => ("Бекітуді күтуде", "Ждут утверждения", "Awaiting approval"),
        "decided" => ("Бүгін шешілді", "Решений за день", "Decided today"),
        "unassigned" => ("бекітілмеген", "не назначено", "unassigned"),
        "workload" => (
            "Инспекторлардың жүктемесі",
            "Нагрузка инспекторов",
            "Workload by inspector",
        ),
        "by_procedure" => ("Рәсімдер бойынша", "По процедурам", "By procedure"),
        "by_stage" => ("Кезеңдер бойынша", "По этапам", "By stage"),
        "approval_queue" => (
            "Бекітуді күтетін шешімдер",
            "Решения, ожидающие утверждения",
            "Decisions waiting for approval",
        ),
        "overdue_cases" => ("Мерзімі өткен істер", "Просроченные дела", "Overdue cases"),
        "decisions" => (
            "Күн ішінде қабылданған шешімдер",
            "Решения, принятые за день",
            "Decisions taken that day",
        ),
        "open" => ("ашық", "в работе", "open"),
        "other" => ("қалғаны", "остальные", "other open"),
        "case" => ("Іс", "Дело", "Case"),
        "applicant" => ("Өтініш беруші", "Заявитель", "Applicant"),
        "procedure" => ("Рәсім", "Процедура", "Procedure"),
        "stage" => ("Кезең", "Этап", "Stage"),
        "deadline" => ("Мерзімі", "Срок", "Deadline"),
        "late" => ("Кешігу", "Просрочка", "Late by"),
        "assignee" => ("Орындаушы", "Исполнитель", "Assignee"),
        "decision" => ("Шешім", "Решение", "Decision"),
        "by" => ("Кім", "Кто", "By"),
        "when" => ("Қашан", "Когда", "When"),
        "waiting" => ("Күтуде, ж.к.", "Ждёт, раб. дн.", "Waiting, working days"),
        "approval" => ("Бекіту", "Утверждение", "Approval"),
        "none" => ("Жоқ.", "Нет.", "None."),
        "journals" => ("Журналдар", "Журналы", "Journals"),
        "requests_overdue" => (
            "Мемлекеттік органдардың мерзімі өткен жауаптары",
            "Просроченные ответы государственных органов",
            "Overdue answers of state bodies",
        ),
        "complaints_overdue" => (
            "Мерзімі өткен шағымдар",
            "Просроченные жалобы",
            "Overdue complaints",
        ),
        "incidents" => (
            "Ақпараттық жүйелердің іркілістері",
            "Сбои информационных систем",
            "Information-system failures",
        ),
        "due" => ("Мерзімі", "Срок", "Due"),
        "what" => ("Не", "Что", "What"),
        "done" => ("кезеңдер аяқталды", "этапы завершены", "stages done"),
        "more" => ("тағы", "ещё", "more"),
        "issue" => ("беру", "выдать", "issue"),
        "refuse" => ("бас тарту", "отказать", "refuse"),
        "annul" => ("күшін жою", "аннулировать", "annul"),
        "not_required" => ("қажет емес", "не требуется", "not required"),
        "pending" => ("күтуде", "ожидает", "pending"),
        "approved" => ("бекітілді", "утверждено", "approved"),
        "returned" => ("қайтарылды", "возвращено", "returned"),
        "footer" => (
            "kezek жасаған. Мерзімі өткен: ең жақын мерзімі өтіп кеткен істер; бүгін мерзімі: ең жақын мерзімі осы күнге келетін, әлі өтпеген істер.",
            "Сформировано kezek. Просрочено: ближайший срок дела уже истёк; срок сегодня: ближайший срок приходится на этот день и ещё не истёк.",
            "Produced by kezek. Overdue: the case's nearest deadline has passed; due today: it falls on this day and has not passed yet.",
        ),
        "anchor" => (
            "Аудит журналының басы (kezek audit verify --anchor үшін сақтаңыз):",
            "Вершина журнала аудита (сохраните для kezek audit verify --anchor):",
            "Audit chain head (keep it for kezek audit verify --anchor):",
        ),
        _ => ("", "", ""),
    };
    match lang {
        Lang::Kk => kk,
        Lang::Ru => ru,
        Lang::En => en,
    }
}

fn e(s: &str) -> String {
    escape_html(&printable(s))
}

const RED: &str = "#c62828";
const AMBER: &str = "#ef8f00";
const GREY: &str = "#b7c3cc";

const CSS: &str = r#"@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f6; color: #1d232a; font: 10.5pt/1.4 "DejaVu Sans", "Segoe UI", Arial, sans-serif; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.page { max-width: 190mm; margin: 0 auto; padding: 10mm 8mm 14mm; background: #fff; }
header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 2px solid #1d232a; padding-bottom: 3mm; margin-bottom: 5mm; }
header h1 { margin: 0; font-size: 20pt; letter-spacing: -.01em; }
header .date { font-size: 20pt; font-weight: 300; }
header .asof { color: #5b6670; font-size: 9pt; }
.kpis { display: grid; grid-template-columns: repeat(5, 1fr); gap: 3mm; margin-bottom: 6mm; }
.kpi { border-radius: 2mm; padding: 3mm 3.5mm; background: #eef1f4; }
.kpi .n { display: block; font-size: 24pt; font-weight: 700; line-height: 1.1; }
.kpi .l { display: block; font-size: 8.5pt; color: #46515b; text-transform: uppercase; letter-spacing: .04em; }
.kpi.red { background: #fdecea; } .kpi.red .n { color: #c62828; }
.kpi.amber { background: #fff4e0; } .kpi.amber .n { color: #b36200; }
.kpi .sub { display: block; font-size: 8pt; color: #5b6670; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; padding-bottom: 1mm; border-bottom: 1px solid #d5dbe0; }
h2 .count { color: #5b6670; font-weight: 400; }
.legend { font-size: 8.5pt; color: #46515b; margin: 0 0 1.5mm; }
.legend i { display: inline-block; width: 3mm; height: 3mm; margin: 0 1mm 0 3mm; vertical-align: -0.4mm; border-radius: .5mm; }
svg.chart { display: block; width: 100%; height: auto; }
svg.chart text { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 11px; fill: #1d232a; }
svg.chart text.num { fill: #46515b; font-size: 10px; }
svg.chart text.group { font-weight: 700; }
table { width: 100%; border-collapse: collapse; font-size: 8.5pt; }
td { overflow-wrap: break-word; }
td.stage { min-width: 30mm; }
th { text-align: left; font-weight: 600; color: #46515b; border-bottom: 1px solid #9aa5ae; padding: 1mm 1mm; }
td { border-bottom: 1px solid #e3e7ea; padding: 1mm 1mm; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.late { color: #c62828; font-weight: 600; white-space: nowrap; }
td.mono { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 7.5pt; white-space: nowrap; }
.empty { color: #5b6670; font-style: italic; }
.more { color: #5b6670; font-size: 9pt; margin-top: 1mm; }
footer { margin-top: 8mm; color: #5b6670; font-size: 8pt; border-top: 1px solid #d5dbe0; padding-top: 2mm; }
.backup { margin-top: 4mm; font-size: 9pt; }
.backup.alert { color: #a4161a; font-weight: bold; }
section { break-inside: avoid-page; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
@media print { body { background: #fff; } .page { max-width: none; padding: 0; } }
"#;

/// One row of a chart: a label and its load.
struct Bar<'a> {
    label: String,
    group: Option<&'a str>,
    load: Load,
}

/// A horizontal stacked bar chart: overdue, due today, the rest of the open cases.
fn chart(id: &str, title: &str, bars: &[Bar<'_>], lang: Lang) -> String {
    const W: f64 = 720.0;
    const LABEL: f64 = 300.0;
    const ROW: f64 = 22.0;
    const BAR: f64 = 14.0;
    let max = bars.iter().map(|b| b.load.open).max().unwrap_or(0).max(1) as f64;
    let scale = (W - LABEL - 90.0) / max;
    let mut rows = String::new();
    let mut y = 4.0;
    let mut last_group: Option<&str> = None;
    for b in bars {
        if let Some(g) = b.group
            && last_group != Some(g)
        {
            rows.push_str(&format!(
                "<text class=\"group\" x=\"0\" y=\"{:.0}\">{}</text>\n",
                y + 13.0,
                e(g)
            ));
            y += ROW;
            last_group = Some(g);
        }
        let label: String = if b.label.chars().count() > 44 {
            b.label.chars().take(43).collect::<String>() + "…"
        } else {
            b.label.clone()
        };
        let indent = if b.group.is_some() { 10.0 } else { 0.0 };
        let (o, d) = (b.load.overdue, b.load.due_today);
        let rest = (b.load.open - o - d).max(0);
        let wo = o as f64 * scale;
        let wd = d as f64 * scale;
        let wr = rest as f64 * scale;
        rows.push_str(&format!(
            "<g><title>{full}: {ov} {o}, {dt} {d}, {op} {open}</title>\
<text x=\"{indent}\" y=\"{ty:.0}\">{label}</text>\
<rect x=\"{x0:.1}\" y=\"{by:.0}\" width=\"{wo:.1}\" height=\"{BAR}\" fill=\"{RED}\"/>\
<rect x=\"{x1:.1}\" y=\"{by:.0}\" width=\"{wd:.1}\" height=\"{BAR}\" fill=\"{AMBER}\"/>\
<rect x=\"{x2:.1}\" y=\"{by:.0}\" width=\"{wr:.1}\" height=\"{BAR}\" fill=\"{GREY}\"/>\
<text class=\"num\" x=\"{tx:.1}\" y=\"{ty:.0}\">{o} · {d} · {open}</text></g>\n",
            full = e(&b.label),
            ov = t(lang, "overdue"),
            dt = t(lang, "due_today"),
            op = t(lang, "open"),
            open = b.load.open,
            ty = y + 12.0,
            by = y + 1.0,
            label = e(&label),
            x0 = LABEL,
            x1 = LABEL + wo,
            x2 = LABEL + wo + wd,
            tx = LABEL + wo + wd + wr + 6.0,
        ));
        y += ROW;
    }
    let h = y + 4.0;
    format!(
        "<svg class=\"chart\" id=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h:.0}\" role=\"img\" aria-label=\"{title}\">\n{rows}</svg>\n",
        title = e(title),
    )
}

fn legend(lang: Lang) -> String {
    format!(
        "<p class=\"legend\"><i style=\"background:{RED}\"></i>{} <i style=\"background:{AMBER}\"></i>{} <i style=\"background:{GREY}\"></i>{} &nbsp;·&nbsp; {} · {} · {}</p>\n",
        t(lang, "overdue"),
        t(lang, "due_today"),
        t(lang, "other"),
        t(lang, "overdue"),
        t(lang, "due_today"),
        t(lang, "open"),
    )
}

fn day_label(d: &str) -> String {
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_else(|_| d.to_string())
}

/// `2026-11-20T10:00:00+05:00` → `20.11.2026 10:00`
fn moment(s: &str) -> String {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.format("%d.%m.%Y %H:%M").to_string())
        .unwrap_or_else(|_| s.to_string())
}

/// How late, in the page's language.
fn late(lang: Lang, c: &super::OverdueCase) -> String {
    let working = c.late_unit == crate::domain::term::Unit::WorkingDays;
    let d = c.late_days;
    if d > 0 {
        return match (lang, working) {
            (Lang::Kk, true) => format!("{d} жұм. күн"),
            (Lang::Kk, false) => format!("{d} күн"),
            (Lang::Ru, true) => format!("{d} раб. дн."),
            (Lang::Ru, false) => format!("{d} дн."),
            (Lang::En, true) => format!("{d} working day{}", if d == 1 { "" } else { "s" }),
            (Lang::En, false) => format!("{d} day{}", if d == 1 { "" } else { "s" }),
        };
    }
    let (h, m) = (c.late_minutes / 60, c.late_minutes % 60);
    match lang {
        Lang::Kk => format!("{h} сағ {m:02} мин"),
        Lang::Ru => format!("{h} ч {m:02} мин"),
        Lang::En => format!("{h}h{m:02}m"),
    }
}

/// A long text cut to `n` characters, the whole of it in a tooltip.
fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return e(s);
    }
    let short: String = s.chars().take(n - 1).collect();
    format!("<span title=\"{}\">{}…</span>", e(s), e(&short))
}

fn word(lang: Lang, key: &str) -> String {
    let w = t(lang, key);
    if w.is_empty() {
        key.to_string()
    } else {
        w.to_string()
    }
}

/// The report page.
pub fn html(f: &DailyFigures) -> String {
    let lang = f.lang;
    let mut b = String::new();
    b.push_str(&format!(
        "<header><div><h1>{}</h1><span class=\"asof\">{} {}</span></div><div class=\"date\">{}</div></header>\n",
        t(lang, "title"),
        t(lang, "as_of"),
        e(&moment(&f.as_of)),
        e(&day_label(&f.date)),
    ));
    let tot = &f.totals;
    b.push_str("<div class=\"kpis\">\n");
    b.push_str(&format!(
        "<div class=\"kpi\" id=\"kpi-in-queue\"><span class=\"n\">{}</span><span class=\"l\">{}</span><span class=\"sub\">{} {}</span></div>\n",
        tot.in_queue,
        t(lang, "in_queue"),
        tot.unassigned,
        t(lang, "unassigned")
    ));
    b.push_str(&format!(
        "<div class=\"kpi red\" id=\"kpi-overdue\"><span class=\"n\">{}</span><span class=\"l\">{}</span></div>\n",
        tot.overdue,
        t(lang, "overdue")
    ));
    b.push_str(&format!(
        "<div class=\"kpi amber\" id=\"kpi-due-today\"><span class=\"n\">{}</span><span class=\"l\">{}</span></div>\n",
        tot.due_today,
        t(lang, "due_today")
    ));
    b.push_str(&format!(
        "<div class=\"kpi\" id=\"kpi-awaiting\"><span class=\"n\">{}</span><span class=\"l\">{}</span></div>\n",
        tot.awaiting_approval,
        t(lang, "awaiting")
    ));
    b.push_str(&format!(
        "<div class=\"kpi\" id=\"kpi-decided\"><span class=\"n\">{}</span><span class=\"l\">{}</span></div>\n",
        tot.decided_today,
        t(lang, "decided")
    ));
    b.push_str("</div>\n");

    // Charts.
    let bars: Vec<Bar<'_>> = f
        .inspectors
        .iter()
        .map(|i| Bar {
            label: i.name.clone(),
            group: None,
            load: i.load,
        })
        .collect();
    b.push_str(&format!(
        "<section><h2>{}</h2>\n{}{}</section>\n",
        t(lang, "workload"),
        legend(lang),
        chart("chart-inspectors", t(lang, "workload"), &bars, lang)
    ));
    let bars: Vec<Bar<'_>> = f
        .procedures
        .iter()
        .map(|p| Bar {
            label: format!("{} · {}", p.code, p.name),
            group: None,
            load: p.load,
        })
        .collect();
    b.push_str(&format!(
        "<section><h2>{}</h2>\n{}{}</section>\n",
        t(lang, "by_procedure"),
        legend(lang),
        chart("chart-procedures", t(lang, "by_procedure"), &bars, lang)
    ));
    let bars: Vec<Bar<'_>> = f
        .stages
        .iter()
        .map(|s| Bar {
            label: s.title.clone(),
            group: Some(s.code.as_str()),
            load: s.load,
        })
        .collect();
    b.push_str(&format!(
        "<section><h2>{}</h2>\n{}{}</section>\n",
        t(lang, "by_stage"),
        legend(lang),
        chart("chart-stages", t(lang, "by_stage"), &bars, lang)
    ));

    // The approval queue.
    b.push_str(&format!(
        "<section id=\"approval-queue\"><h2>{} <span class=\"count\">({})</span></h2>\n",
        t(lang, "approval_queue"),
        f.approval_queue.len()
    ));
    if f.approval_queue.is_empty() {
        b.push_str(&format!("<p class=\"empty\">{}</p>\n", t(lang, "none")));
    } else {
        b.push_str(&format!(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th></tr></thead><tbody>\n",
            t(lang, "case"),
            t(lang, "applicant"),
            t(lang, "decision"),
            t(lang, "by"),
            t(lang, "when"),
            t(lang, "waiting"),
        ));
        for a in &f.approval_queue {
            b.push_str(&format!(
                "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td class=\"num\">{}</td></tr>\n",
                e(&a.number),
                e(&a.applicant),
                e(&word(lang, &a.decision)),
                e(&a.decided_by),
                e(&moment(&a.decided_at)),
                a.waiting_days
            ));
        }
        b.push_str("</tbody></table>\n");
    }
    b.push_str("</section>\n");

    // Overdue cases.
    b.push_str(&format!(
        "<section id=\"overdue-cases\"><h2>{} <span class=\"count\">({})</span></h2>\n",
        t(lang, "overdue_cases"),
        f.overdue_cases_total
    ));
    if f.overdue_cases.is_empty() {
        b.push_str(&format!("<p class=\"empty\">{}</p>\n", t(lang, "none")));
    } else {
        b.push_str(&format!(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
            t(lang, "case"),
            t(lang, "applicant"),
            t(lang, "stage"),
            t(lang, "deadline"),
            t(lang, "late"),
            t(lang, "assignee"),
        ));
        for c in &f.overdue_cases {
            let stage = c
                .stage_title
                .clone()
                .unwrap_or_else(|| t(lang, "done").to_string());
            b.push_str(&format!(
                "<tr><td class=\"mono\">{}</td><td>{}</td><td class=\"stage\">{}</td><td class=\"mono\">{}</td><td class=\"late\">{}</td><td>{}</td></tr>\n",
                e(&c.number),
                e(&c.applicant),
                cut(&stage, 60),
                e(&moment(&c.deadline)),
                e(&late(lang, c)),
                e(c.assignee.as_deref().unwrap_or("—")),
            ));
        }
        b.push_str("</tbody></table>\n");
        let more = f.overdue_cases_total - f.overdue_cases.len() as i64;
        if more > 0 {
            b.push_str(&format!(
                "<p class=\"more\">… {} {more}</p>\n",
                t(lang, "more")
            ));
        }
    }
    b.push_str("</section>\n");

    // Decisions of the day.
    b.push_str(&format!(
        "<section id=\"decisions\"><h2>{} <span class=\"count\">({})</span></h2>\n",
        t(lang, "decisions"),
        f.decisions.len()
    ));
    if f.decisions.is_empty() {
        b.push_str(&format!("<p class=\"empty\">{}</p>\n", t(lang, "none")));
    } else {
        b.push_str(&format!(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
            t(lang, "when"),
            t(lang, "case"),
            t(lang, "applicant"),
            t(lang, "decision"),
            t(lang, "by"),
            t(lang, "approval"),
        ));
        for d in &f.decisions {
            let approval = match &d.approved_by {
                Some(by) => format!("{} ({})", word(lang, &d.approval), by),
                None => word(lang, &d.approval),
            };
            b.push_str(&format!(
                "<tr><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                e(&moment(&d.at)),
                e(&d.number),
                e(&d.applicant),
                e(&word(lang, &d.decision)),
                e(&d.by),
                e(&approval),
            ));
        }
        b.push_str("</tbody></table>\n");
    }
    b.push_str("</section>\n");
    // The journals: overdue answers and complaints, the day's failures.
    let j = &f.journals;
    b.push_str(&format!(
        "<section id=\"journals\"><h2>{}</h2>\n",
        t(lang, "journals")
    ));
    for (key, items) in [
        ("requests_overdue", &j.requests_overdue),
        ("complaints_overdue", &j.complaints_overdue),
    ] {
        b.push_str(&format!(
            "<h3>{} <span class=\"count\">({})</span></h3>\n",
            t(lang, key),
            items.len()
        ));
        if items.is_empty() {
            b.push_str(&format!("<p class=\"empty\">{}</p>\n", t(lang, "none")));
            continue;
        }
        b.push_str(&format!(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
            t(lang, "case"),
            t(lang, "what"),
            t(lang, "due"),
        ));
        for x in items {
            b.push_str(&format!(
                "<tr><td class=\"mono\">{}</td><td>{}</td><td class=\"mono\">{}</td></tr>\n",
                e(&x.number),
                e(&x.what),
                e(&moment(&x.due)),
            ));
        }
        b.push_str("</tbody></table>\n");
    }
    b.push_str(&format!(
        "<h3>{} <span class=\"count\">({})</span></h3>\n",
        t(lang, "incidents"),
        j.incidents.len()
    ));
    if j.incidents.is_empty() {
        b.push_str(&format!("<p class=\"empty\">{}</p>\n", t(lang, "none")));
    } else {
        b.push_str("<table><tbody>\n");
        for i in &j.incidents {
            b.push_str(&format!(
                "<tr><td class=\"mono\">{} – {}</td><td>{}</td><td class=\"mono\">{}</td></tr>\n",
                e(&moment(&i.started_at)),
                e(&i.ended_at.as_deref().map(moment).unwrap_or_default()),
                e(&i.description),
                e(&i.cases.join(" ")),
            ));
        }
        b.push_str("</tbody></table>\n");
    }
    b.push_str("</section>\n");
    // The nightly backup: the last good one; missing or failed stands out.
    let alert = if f.backup.missing || f.backup.error.is_some() {
        " alert"
    } else {
        ""
    };
    b.push_str(&format!(
        "<p class=\"backup{alert}\">{}</p>\n",
        e(&f.backup.line().text(lang))
    ));
    let anchor = match &f.audit_head {
        Some(h) => format!("<br>{} <code>{}</code>", t(lang, "anchor"), e(h)),
        None => String::new(),
    };
    b.push_str(&format!("<footer>{}{anchor}</footer>\n", t(lang, "footer")));

    let lang_id = crate::notice::lang_id(lang);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang_id}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} {}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main class=\"page\">\n{b}</main>\n</body>\n</html>\n",
        t(lang, "title"),
        e(&day_label(&f.date)),
    )
}
