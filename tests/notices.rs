//! Notices: every template rendered for a demo case in the right state and
//! compared with the files under tests/expected/notices/ (set KEZEK_BLESS=1
//! to rewrite them after a deliberate change), template load errors, the
//! issued text kept through a template change, roles, and the command.

mod snapshot;

use std::collections::BTreeMap;
use std::process::{Command, Output};

use chrono::{DateTime, Utc};
use kezek::domain::calendar::Calendar;
use kezek::domain::case::{self, Actor, ApprovalState, Case, DecisionKind, Status};
use kezek::domain::procedure::{Role, Rules};
use kezek::notice::{self, Kind, Templates};
use kezek::store::{Store, StoreError};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .with_timezone(&Utc)
}

fn actor(login: &str, role: Role) -> Actor {
    Actor {
        login: login.into(),
        role,
    }
}

#[path = "support/engines.rs"]
#[macro_use]
mod engines;

const NOW: &str = "2026-11-20T10:00:00+05:00";
/// When the snapshot notices are issued: after every transition the tests make.
const ISSUED: &str = "2026-11-27T12:00:00+05:00";

/// A name that tries to paint a terminal and to break out of HTML.
const HOSTILE: &str = "Smith <b>John</b> & \u{1b}[31mRed\u{7}";

/// A database with staff and a demo caseload; one accepted case carries a hostile name.
fn seeded(t: &engines::TestDb) -> (Store, std::path::PathBuf, String) {
    let path = t.path().to_path_buf();
    let mut s = Store::open(
        &path,
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
    )
    .expect("open");
    s.add_user("boss", "boss", Role::Supervisor, "Ахметова Гульнара")
        .expect("first");
    s.add_user("boss", "ivanov", Role::Inspector, "Иванов Павел")
        .expect("inspector");
    s.add_user("boss", "audit", Role::Auditor, "Сапарова Айгуль")
        .expect("auditor");
    for (login, name, role) in kezek::demo::STAFF {
        if s.user(login).expect("user").is_none() {
            s.add_user("boss", login, *role, name).expect("staff");
        }
    }
    let now = at(NOW);
    let mut cases = kezek::demo::generate(&s.cal, &s.rules, 400, 3, now);
    let hostile = cases
        .iter_mut()
        .find(|c| c.procedure == "rvp" && c.status == Status::Accepted && !c.family.is_empty())
        .expect("an accepted RVP case");
    hostile.applicant.name = HOSTILE.to_string();
    let hostile = hostile.number.clone();
    s.insert_cases(&actor("boss", Role::Supervisor), &cases, now, "test")
        .expect("insert");
    (s, path, hostile)
}

fn all_cases(s: &Store) -> Vec<Case> {
    let mut numbers: Vec<String> = Vec::new();
    for p in ["registration", "rvp", "pr", "exit", "border_zone"] {
        for i in 1..=400 {
            let code = s.rules.procedure(p).expect("procedure").code.clone();
            numbers.push(format!("2026-{code}-{i:05}"));
        }
    }
    numbers
        .iter()
        .filter_map(|n| s.case(n).ok().map(|l| l.case))
        .collect()
}

fn first(cases: &[Case], what: &str, f: impl Fn(&Case) -> bool) -> String {
    cases
        .iter()
        .find(|c| f(c))
        .unwrap_or_else(|| panic!("the demo caseload has no case with {what}"))
        .number
        .clone()
}

fn in_effect(c: &Case, pred: impl Fn(&DecisionKind) -> bool) -> bool {
    c.standing_decision()
        .is_some_and(|d| d.in_effect() && pred(&d.kind))
}

/// Annul an issued PR and have it approved, so an annulment notice fits.
fn annulled_pr(s: &mut Store, cases: &[Case]) -> String {
    let number = first(cases, "an issued PR in effect", |c| {
        c.procedure == "pr" && in_effect(c, |k| *k == DecisionKind::Issue)
    });
    let now = at(NOW);
    let seen = s.case(&number).expect("case").row_version;
    let grounds = vec!["migration_law_49".to_string()];
    s.act(
        &actor("ivanov", Role::Inspector),
        &number,
        seen,
        now,
        |c, x, _| case::annul(c, x, grounds.clone()),
    )
    .expect("annul");
    let seen = s.case(&number).expect("case").row_version;
    s.act(
        &actor("boss", Role::Supervisor),
        &number,
        seen,
        now,
        |c, x, _| case::approve(c, x),
    )
    .expect("approve");
    number
}

type Transition<'a> =
    dyn Fn(&Case, &case::Ctx<'_>) -> Result<Vec<case::Event>, case::Violation> + 'a;

/// A PR taken through the hearing path: notice on Fri 20.11.2026, hearing
/// on Mon 23.11, refusal on Thu 26.11, approved the same day.
fn heard_and_refused_pr(s: &mut Store, cases: &[Case]) -> String {
    let number = first(cases, "an accepted PR without a notice", |c| {
        c.procedure == "pr"
            && c.status == Status::Accepted
            && c.notices.is_empty()
            && c.decisions.is_empty()
    });
    let grounds = vec!["state_services_19_1".to_string()];
    let inspector = actor("ivanov", Role::Inspector);
    let mut step = |who: &Actor, now: &str, f: &Transition<'_>| {
        let seen = s.case(&number).expect("case").row_version;
        s.act(who, &number, seen, at(now), |c, x, _| f(c, x))
            .unwrap_or_else(|e| panic!("{number} at {now}: {e}"));
    };
    let notice = case::NoticeInput {
        sent_at: at(NOW),
        channel: case::NoticeChannel::InPerson,
        hearing_at: at("2026-11-23T11:00:00+05:00"),
        place: "г. Алматы, ул. Толе би, 80, каб. 214".into(),
        planned_decision: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("day"),
        grounds: grounds.clone(),
    };
    step(&inspector, NOW, &|c, x| {
        case::send_hearing_notice(c, x, notice.clone())
    });
    step(&inspector, "2026-11-23T12:00:00+05:00", &|c, x| {
        case::hold_hearing(
            c,
            x,
            at("2026-11-23T11:30:00+05:00"),
            "Не согласен; обещает представить справку банка.",
            false,
        )
    });
    step(&inspector, "2026-11-26T10:00:00+05:00", &|c, x| {
        case::decide(
            c,
            x,
            DecisionKind::Refuse {
                grounds: grounds.clone(),
            },
        )
    });
    step(
        &actor("boss", Role::Supervisor),
        "2026-11-26T15:00:00+05:00",
        &|c, x| case::approve(c, x),
    );
    number
}

/// One case for each kind, in a state the kind fits.
fn cases_by_kind(s: &mut Store) -> BTreeMap<Kind, String> {
    let cases = all_cases(s);
    let mut m = BTreeMap::new();
    m.insert(
        Kind::Acceptance,
        first(&cases, "an accepted RVP", |c| {
            c.procedure == "rvp" && c.status == Status::Accepted && !c.family.is_empty()
        }),
    );
    m.insert(
        Kind::RefusalToAccept,
        first(&cases, "a refusal to accept", |c| {
            c.status == Status::RefusedToAccept
        }),
    );
    let heard = heard_and_refused_pr(s, &cases);
    m.insert(Kind::HearingNotice, heard.clone());
    m.insert(Kind::Refusal, heard);
    m.insert(
        Kind::Decision,
        first(&cases, "an issued RVP", |c| {
            c.procedure == "rvp" && in_effect(c, |k| *k == DecisionKind::Issue)
        }),
    );
    m.insert(
        Kind::PrConclusion,
        first(&cases, "a PR decision waiting for approval", |c| {
            c.procedure == "pr"
                && c.decision()
                    .is_some_and(|d| d.approval == ApprovalState::Pending)
        }),
    );
    m.insert(Kind::Annulment, annulled_pr(s, &cases));
    m
}

both_engines! {
    fn every_template_renders_for_a_demo_case_in_the_right_state(t) {
        let (mut s, _, _) = seeded(t);
        let templates = Templates::built_in().expect("templates");
        let by_kind = cases_by_kind(&mut s);
        let inspector = actor("ivanov", Role::Inspector);
        let mut failures = Vec::new();
        for (kind, number) in &by_kind {
            for lang in notice::LANGS {
                let (n, new) = s
                    .issue_notice(&inspector, number, *kind, lang, &templates, at(ISSUED))
                    .unwrap_or_else(|e| panic!("{} {number}: {e}", kind.id()));
                assert!(new, "{} {number} issued for the first time", kind.id());
                for (name, _) in notice::template::PLACEHOLDERS {
                    assert!(
                        !n.text.contains(&format!("{{{name}}}")),
                        "a placeholder left in:\n{}",
                        n.text
                    );
                }
                assert!(
                    n.html
                        .contains(&format!("<html lang=\"{}\">", notice::lang_id(lang))),
                    "lang attribute"
                );
                assert!(n.html.contains("@page { size: A4"), "print stylesheet");
                let name = notice::file_name(*kind, lang);
                let stem = name.trim_end_matches(".txt");
                for (ext, body) in [("txt", &n.text), ("html", &n.html)] {
                    if let Err(e) = snapshot::check(&format!("notices/{stem}.{ext}"), body) {
                        failures.push(e);
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }
}

both_engines! {
    fn dates_in_words_follow_the_notice_language(t) {
        let (mut s, _, _) = seeded(t);
        let templates = Templates::built_in().expect("templates");
        let by_kind = cases_by_kind(&mut s);
        let number = &by_kind[&Kind::HearingNotice];
        let me = actor("ivanov", Role::Inspector);
        let ru = s
            .issue_notice(
                &me,
                number,
                Kind::HearingNotice,
                kezek::domain::text::Lang::Ru,
                &templates,
                at(NOW),
            )
            .expect("ru")
            .0;
        let kk = s
            .issue_notice(
                &me,
                number,
                Kind::HearingNotice,
                kezek::domain::text::Lang::Kk,
                &templates,
                at(NOW),
            )
            .expect("kk")
            .0;
        // The hearing is on Mon 23.11.2026.
        assert!(
            ru.text.contains("23 ноября 2026 года, 11:00"),
            "{}",
            ru.text
        );
        assert!(
            kk.text.contains("2026 жылғы 23 қараша, сағат 11:00"),
            "{}",
            kk.text
        );
        assert!(ru.text.contains("20.11.2026"), "{}", ru.text);
    }
}

both_engines! {
    fn values_are_escaped_in_html_and_cleaned_in_text(t) {
        let (mut s, _, hostile) = seeded(t);
        let templates = Templates::built_in().expect("templates");
        let me = actor("ivanov", Role::Inspector);
        let (n, _) = s
            .issue_notice(
                &me,
                &hostile,
                Kind::Acceptance,
                kezek::domain::text::Lang::Ru,
                &templates,
                at(NOW),
            )
            .expect("issue");
        assert!(
            !n.text.contains('\u{1b}') && !n.text.contains('\u{7}'),
            "{}",
            n.text
        );
        assert!(n.text.contains("\\u{1b}[31mRed"), "{}", n.text);
        assert!(!n.html.contains("<b>John"), "raw markup in the page");
        assert!(
            n.html
                .contains("Smith &lt;b&gt;John&lt;/b&gt; &amp; \\u{1b}[31mRed"),
            "{}",
            n.html
        );
    }
}

both_engines! {
    fn a_kind_that_does_not_fit_the_case_is_refused(t) {
        let (mut s, _, _) = seeded(t);
        let templates = Templates::built_in().expect("templates");
        let cases = all_cases(&s);
        let me = actor("ivanov", Role::Inspector);
        let lang = kezek::domain::text::Lang::Ru;
        let no_notice = first(&cases, "a PR without a notice", |c| {
            c.procedure == "pr" && c.status == Status::Accepted && c.notices.is_empty()
        });
        let e = s
            .issue_notice(
                &me,
                &no_notice,
                Kind::HearingNotice,
                lang,
                &templates,
                at(NOW),
            )
            .expect_err("no notice recorded");
        assert!(
            e.to_string().contains("no hearing notice is recorded"),
            "{e}"
        );
        let issued = first(&cases, "an issued RVP", |c| {
            c.procedure == "rvp" && in_effect(c, |k| *k == DecisionKind::Issue)
        });
        let e = s
            .issue_notice(&me, &issued, Kind::Refusal, lang, &templates, at(NOW))
            .expect_err("no refusal");
        assert!(e.to_string().contains("needs a refusal decision"), "{e}");
        let e = s
            .issue_notice(
                &me,
                &issued,
                Kind::RefusalToAccept,
                lang,
                &templates,
                at(NOW),
            )
            .expect_err("accepted");
        assert!(e.to_string().contains("was not refused acceptance"), "{e}");
        let e = s
            .issue_notice(&me, &issued, Kind::PrConclusion, lang, &templates, at(NOW))
            .expect_err("not PR");
        assert!(e.to_string().contains("PR cases"), "{e}");
        assert!(s.notices_of(&issued).expect("list").is_empty());
    }
}

#[test]
fn unknown_placeholder_or_unbalanced_brace_is_a_load_error_naming_file_and_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("refusal.kk.txt");
    std::fs::write(
        &file,
        "# Хабарлама\n\nКімге: {applicant.name}\nІс: {case.nomer}\n",
    )
    .expect("write");
    let e = Templates::from_dir(dir.path()).expect_err("unknown placeholder");
    assert_eq!(e.file, file.display().to_string());
    assert_eq!(e.line, 4);
    assert!(e.reason.contains("{case.nomer}"), "{e}");
    assert!(e.to_string().contains("refusal.kk.txt:4:"), "{e}");

    std::fs::write(&file, "# Хабарлама\nІс: {case.number\n").expect("write");
    let e = Templates::from_dir(dir.path()).expect_err("unclosed");
    assert_eq!(e.line, 2);
    assert!(e.reason.contains("not closed"), "{e}");

    std::fs::write(&file, "# Хабарлама }\n").expect("write");
    let e = Templates::from_dir(dir.path()).expect_err("stray brace");
    assert_eq!(e.line, 1);

    std::fs::remove_file(&file).expect("rm");
    std::fs::write(dir.path().join("refusal.kz.txt"), "x\n").expect("write");
    let e = Templates::from_dir(dir.path()).expect_err("unknown file");
    assert!(e.to_string().contains("refusal.kz.txt"), "{e}");
}

both_engines! {
    fn issued_text_survives_a_template_change(t) {
        let (mut s, _, _) = seeded(t);
        let cases = all_cases(&s);
        let number = first(&cases, "an accepted case", |c| c.status == Status::Accepted);
        let me = actor("ivanov", Role::Inspector);
        let ru = kezek::domain::text::Lang::Ru;
        let built_in = Templates::built_in().expect("templates");
        let (first_issue, new) = s
            .issue_notice(&me, &number, Kind::Acceptance, ru, &built_in, at(NOW))
            .expect("issue");
        assert!(new);

        let over = tempfile::tempdir().expect("tmp");
        std::fs::write(
            over.path().join("acceptance.ru.txt"),
            "# Расписка (новая редакция)\nДело № {case.number}\n",
        )
        .expect("write");
        std::fs::write(
            over.path().join("acceptance.kk.txt"),
            "# Қолхат (жаңа редакция)\nІс № {case.number}\n",
        )
        .expect("write");
        let changed = Templates::from_dir(over.path()).expect("override");
        let later = at("2026-11-21T11:00:00+05:00");
        let (again, new) = s
            .issue_notice(&me, &number, Kind::Acceptance, ru, &changed, later)
            .expect("re-export");
        assert!(!new, "the same notice is not issued twice");
        assert_eq!(again, first_issue, "the stored text is returned as issued");
        assert!(!again.text.contains("новая редакция"));
        // Another language is a new notice, from the template in force.
        let (kk, new) = s
            .issue_notice(
                &me,
                &number,
                Kind::Acceptance,
                kezek::domain::text::Lang::Kk,
                &changed,
                later,
            )
            .expect("kk");
        assert!(new);
        assert!(kk.text.contains("ЖАҢА РЕДАКЦИЯ"), "{}", kk.text);
        assert_ne!(kk.template_sha256, first_issue.template_sha256);
        assert!(
            kk.template.ends_with("acceptance.kk.txt"),
            "{}",
            kk.template
        );

        let list = s.notices_of(&number).expect("list");
        assert_eq!(list.len(), 2);
        assert_eq!(s.issued_notice(list[0].id).expect("get"), first_issue);
        let audit = s.audit_of(&number).expect("audit");
        assert_eq!(
            audit.iter().filter(|r| r.action == "notice.issue").count(),
            2,
            "one audit row per notice issued"
        );
        assert!(s.verify_audit().expect("verify").first_break.is_none());
    }
}

both_engines! {
    fn auditors_cannot_issue_notices(t) {
        let (mut s, _, _) = seeded(t);
        let cases = all_cases(&s);
        let number = first(&cases, "an accepted case", |c| c.status == Status::Accepted);
        let templates = Templates::built_in().expect("templates");
        let e = s
            .issue_notice(
                &actor("audit", Role::Auditor),
                &number,
                Kind::Acceptance,
                kezek::domain::text::Lang::Ru,
                &templates,
                at(NOW),
            )
            .expect_err("auditor");
        assert!(matches!(e, StoreError::Denied(_)), "{e}");
        assert!(s.notices_of(&number).expect("list").is_empty());
    }
}

fn kezek(args: &[&str], config: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kezek"))
        .args(args)
        .env("KEZEK_CONFIG_DIR", config)
        .env("KEZEK_USER", "ivanov")
        .env("LC_ALL", "en_US.UTF-8")
        .output()
        .expect("run kezek")
}

both_engines! {
    fn the_command_issues_once_writes_privately_and_never_overwrites_by_surprise(t) {
        let (s, db, _) = seeded(t);
        let cases = all_cases(&s);
        drop(s);
        let number = first(&cases, "an accepted case", |c| c.status == Status::Accepted);
        let db = db.display().to_string();
        let out = t.dir().join("receipt.html");
        let out_s = out.display().to_string();
        let cfg = t.dir().join("config");
        let args = [
            "--db",
            &db,
            "notice",
            &number,
            "acceptance",
            "--lang",
            "kk",
            "--format",
            "html",
            "--out",
            &out_s,
        ];
        let o = kezek(&args, &cfg);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        // --lang is the notice's language and the interface's: kezek reports in Kazakh.
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("берілді: acceptance"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let page = std::fs::read_to_string(&out).expect("written");
        assert!(page.contains("<html lang=\"kk\">"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "owner only: {mode:o}");
        }
        // Again: the file exists, so nothing is written and the exit code is 2.
        let o = kezek(&args, &cfg);
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("бұрыннан бар") && err.contains("--force"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        // With --force it exports the notice issued before.
        let mut forced = args.to_vec();
        forced.push("--force");
        let o = kezek(&forced, &cfg);
        assert_eq!(o.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&o.stderr).contains("берілген күйінде жүктелді"));
        assert_eq!(std::fs::read_to_string(&out).expect("read"), page);
        // A kind that does not fit: one line, exit 2.
        let o = kezek(&["--db", &db, "notice", &number, "annulment"], &cfg);
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(String::from_utf8_lossy(&o.stderr).lines().count(), 1);
        let o = kezek(&["--db", &db, "notice", &number, "--list"], &cfg);
        assert_eq!(o.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&o.stdout).contains("acceptance"));
    }
}
