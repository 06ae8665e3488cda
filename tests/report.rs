//! The daily report: its figures against counts made independently from
//! the cases themselves, the JSON for scripts, and the HTML page as a
//! browser renders it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use kezek::domain::calendar::Calendar;
use kezek::domain::case::{Actor, ApprovalState, Case, Status};
use kezek::domain::procedure::{Role, Rules};
use kezek::domain::term::local;
use kezek::domain::text::Lang;
use kezek::domain::urgency;
use kezek::report::DailyFigures;
use kezek::store::Store;

const NOW: &str = "2026-11-20T10:00:00+05:00";

#[path = "support/engines.rs"]
#[macro_use]
mod engines;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .with_timezone(&Utc)
}

/// A small database and the cases written into it.
fn fixture(t: &engines::TestDb, n: usize) -> (Store, PathBuf, Vec<Case>) {
    let path = t.path().to_path_buf();
    let mut s = Store::open(
        &path,
        Calendar::built_in().expect("calendar"),
        Rules::built_in().expect("rules"),
    )
    .expect("open");
    s.add_user("boss", "boss", Role::Supervisor, "Boss")
        .expect("first");
    for (login, name, role) in kezek::demo::STAFF {
        s.add_user("boss", login, *role, name).expect("staff");
    }
    let cases = kezek::demo::generate(&s.cal, &s.rules, n, 11, at(NOW));
    let boss = Actor {
        login: "boss".into(),
        role: Role::Supervisor,
    };
    s.insert_cases(&boss, &cases, at(NOW), "test")
        .expect("insert");
    (s, path, cases)
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Count {
    open: i64,
    overdue: i64,
    due_today: i64,
}

/// The counts made from the cases with the domain's own functions, no SQL.
struct Independent {
    total: Count,
    by_assignee: BTreeMap<Option<String>, Count>,
    by_procedure: BTreeMap<String, Count>,
    by_stage: BTreeMap<(String, Option<String>), Count>,
    pending: usize,
    decided_on_day: usize,
}

fn count(s: &Store, cases: &[Case], day: NaiveDate, now: DateTime<Utc>) -> Independent {
    let mut ind = Independent {
        total: Count::default(),
        by_assignee: BTreeMap::new(),
        by_procedure: BTreeMap::new(),
        by_stage: BTreeMap::new(),
        pending: 0,
        decided_on_day: 0,
    };
    for c in cases {
        let v = s
            .rules
            .procedure(&c.procedure)
            .expect("procedure")
            .version(&c.version)
            .expect("version");
        if c.decision()
            .is_some_and(|d| d.approval == ApprovalState::Pending)
        {
            ind.pending += 1;
        }
        ind.decided_on_day += c
            .decisions
            .iter()
            .filter(|d| local(&s.cal, d.at).date() == day)
            .count();
        let due = urgency::open_deadlines(c, v, &s.cal)
            .ok()
            .and_then(|l| urgency::nearest(&l).map(|d| d.due));
        // Every case that is not archived nor refused at intake: a decided
        // case stays while something is still due after the decision.
        let in_queue = matches!(
            c.status,
            Status::Received | Status::Accepted | Status::Decided
        );
        if !in_queue {
            continue;
        }
        let overdue = due.is_some_and(|d| d < now);
        let today = due.is_some_and(|d| d >= now && local(&s.cal, d).date() == day);
        // The stage to work on: neither done, nor closed by the decision,
        // nor waiting for a decision in effect.
        let stage = (0..v.stages.len())
            .find(|&i| {
                kezek::domain::case::stage_state(c, v, i) == kezek::domain::case::StageState::Open
            })
            .map(|i| v.stages[i].id.clone());
        for k in [
            &mut ind.total,
            ind.by_assignee.entry(c.assignee.clone()).or_default(),
            ind.by_procedure.entry(c.procedure.clone()).or_default(),
            ind.by_stage
                .entry((c.procedure.clone(), stage))
                .or_default(),
        ] {
            k.open += 1;
            k.overdue += i64::from(overdue);
            k.due_today += i64::from(today);
        }
    }
    ind
}

both_engines! {
    fn figures_match_an_independent_count(t) {
        let (s, _, cases) = fixture(t, 160);
        let now = at(NOW);
        for day in [
            local(&s.cal, now).date(),
            NaiveDate::from_ymd_opt(2026, 11, 23).expect("day"),
            NaiveDate::from_ymd_opt(2026, 11, 16).expect("day"),
        ] {
            let f = DailyFigures::compute(&s, day, now, Lang::En).expect("figures");
            let ind = count(&s, &cases, day, now);
            let t = &f.totals;
            assert_eq!(
                (t.in_queue, t.overdue, t.due_today),
                (ind.total.open, ind.total.overdue, ind.total.due_today),
                "totals on {day}"
            );
            assert!(
                t.in_queue > 0 && t.overdue > 0,
                "the fixture has work: {t:?}"
            );
            assert_eq!(t.awaiting_approval as usize, ind.pending);
            assert_eq!(f.approval_queue.len(), ind.pending);
            assert_eq!(t.decided_today as usize, ind.decided_on_day, "{day}");
            assert_eq!(f.overdue_cases_total, ind.total.overdue);
            assert_eq!(f.overdue_cases.len() as i64, ind.total.overdue.min(500));
            // Most overdue first.
            assert!(f.overdue_cases.windows(2).all(|w| {
                DateTime::parse_from_rfc3339(&w[0].deadline).expect("t")
                    <= DateTime::parse_from_rfc3339(&w[1].deadline).expect("t")
            }));
            let got: BTreeMap<Option<String>, Count> = f
                .inspectors
                .iter()
                .map(|i| {
                    (
                        i.login.clone(),
                        Count {
                            open: i.load.open,
                            overdue: i.load.overdue,
                            due_today: i.load.due_today,
                        },
                    )
                })
                .collect();
            assert_eq!(got, ind.by_assignee, "per inspector on {day}");
            assert_eq!(
                t.unassigned,
                ind.by_assignee.get(&None).map_or(0, |c| c.open)
            );
            let got: BTreeMap<String, Count> = f
                .procedures
                .iter()
                .map(|p| {
                    (
                        p.procedure.clone(),
                        Count {
                            open: p.load.open,
                            overdue: p.load.overdue,
                            due_today: p.load.due_today,
                        },
                    )
                })
                .collect();
            assert_eq!(got, ind.by_procedure, "per procedure on {day}");
            let got: BTreeMap<(String, Option<String>), Count> = f
                .stages
                .iter()
                .map(|x| {
                    (
                        (x.procedure.clone(), x.stage.clone()),
                        Count {
                            open: x.load.open,
                            overdue: x.load.overdue,
                            due_today: x.load.due_today,
                        },
                    )
                })
                .collect();
            assert_eq!(got, ind.by_stage, "per stage on {day}");
        }
    }
}

fn kezek(args: &[&str], db: &Path) -> Output {
    let db = db.display().to_string();
    let mut all = vec!["--db", db.as_str()];
    all.extend_from_slice(args);
    Command::new(env!("CARGO_BIN_EXE_kezek"))
        .args(&all)
        .env(
            "KEZEK_CONFIG_DIR",
            std::env::temp_dir().join("kezek-report-test-config"),
        )
        .env("KEZEK_USER", "boss")
        .env("LC_ALL", "en_US.UTF-8")
        .output()
        .expect("run kezek")
}

both_engines! {
    fn json_parses_with_the_documented_fields_and_matches_the_figures(t) {
        let (s, db, _) = fixture(t, 120);
        let f = DailyFigures::compute(
            &s,
            NaiveDate::from_ymd_opt(2026, 11, 20).expect("d"),
            at(NOW),
            Lang::En,
        )
        .expect("figures");
        drop(s);
        // Both date forms name the same day.
        for date in ["20.11.2026", "2026-11-20"] {
            let o = kezek(
                &[
                    "report", "daily", "--date", date, "--format", "json", "--now", NOW,
                ],
                &db,
            );
            assert_eq!(
                o.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&o.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
            assert_eq!(v["date"], "2026-11-20");
            assert_eq!(v["as_of"], "2026-11-20T10:00:00+05:00");
            for k in [
                "in_queue",
                "overdue",
                "due_today",
                "unassigned",
                "awaiting_approval",
                "decided_today",
            ] {
                assert!(v["totals"][k].is_i64(), "totals.{k}");
            }
            assert_eq!(v["totals"]["overdue"], f.totals.overdue);
            assert_eq!(v["totals"]["in_queue"], f.totals.in_queue);
            for (list, fields) in [
                (
                    "inspectors",
                    &["login", "name", "open", "overdue", "due_today"][..],
                ),
                (
                    "procedures",
                    &["procedure", "code", "name", "open", "overdue", "due_today"][..],
                ),
                (
                    "stages",
                    &[
                        "procedure",
                        "code",
                        "stage",
                        "title",
                        "open",
                        "overdue",
                        "due_today",
                    ][..],
                ),
                (
                    "overdue_cases",
                    &[
                        "number",
                        "applicant",
                        "procedure",
                        "stage",
                        "stage_title",
                        "deadline",
                        "deadline_what",
                        "late",
                        "late_days",
                        "assignee",
                    ][..],
                ),
            ] {
                let first = &v[list][0];
                for k in fields {
                    assert!(first.get(*k).is_some(), "{list}[0].{k} in {first}");
                }
            }
            assert!(v["approval_queue"].is_array() && v["decisions"].is_array());
            assert!(v["overdue_cases_total"].is_i64());
        }
        let o = kezek(&["report", "daily", "--date", "31.02.2026"], &db);
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("31.02.2026"));
    }
}

/// Run a command, killing it if it takes longer than `limit`.
fn run_bounded(cmd: &mut Command, limit: Duration) -> Option<Output> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    loop {
        match child.try_wait().expect("wait") {
            Some(_) => return Some(child.wait_with_output().expect("output")),
            None if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

both_engines! {
    fn report_html_renders_in_chromium(t) {
        let chromium = Path::new("/usr/bin/chromium");
        if !chromium.exists() {
            if std::env::var("CI_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1") {
                panic!("CI_REQUIRE_CHROMIUM=1 but /usr/bin/chromium is missing");
            }
            eprintln!("skipped: /usr/bin/chromium is not installed");
            return;
        }
        let (s, db, _) = fixture(t, 200);
        drop(s);
        let artifacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .map(|p| p.join("test-artifacts"))
            .expect("target dir");
        std::fs::create_dir_all(&artifacts).expect("artifacts dir");
        // Each engine's run has its own files: the two run at once.
        let stem = if t.is_pg() { "report-postgres" } else { "report" };
        let page = artifacts.join(format!("{stem}.html"));
        let png = artifacts.join(format!("{stem}.png"));
        let _ = std::fs::remove_file(&page);
        let _ = std::fs::remove_file(&png);
        let page_s = page.display().to_string();
        let o = kezek(
            &[
                "report", "daily", "--now", NOW, "--lang", "ru", "--out", &page_s,
            ],
            &db,
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let html = std::fs::read_to_string(&page).expect("page");
        assert!(!html.contains("<script"), "no script");
        assert_eq!(
            html.matches("http").count(),
            html.matches("http://www.w3.org/2000/svg").count(),
            "no address but the SVG namespace: nothing is fetched"
        );

        let profile = tempfile::tempdir().expect("profile");
        let base = |cmd: &mut Command| {
            cmd.args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()));
        };
        let url = format!("file://{}", page.display());
        let mut shot = Command::new(chromium);
        base(&mut shot);
        shot.arg(format!("--screenshot={}", png.display()))
            .arg("--window-size=1240,1754")
            .arg(&url);
        let o =
            run_bounded(&mut shot, Duration::from_secs(120)).expect("chromium finished the screenshot");
        let bytes = std::fs::read(&png).unwrap_or_else(|e| {
            panic!(
                "no screenshot at {} ({e}); chromium said: {}",
                png.display(),
                String::from_utf8_lossy(&o.stderr)
            )
        });
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
        let width = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
        let height = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
        assert_eq!((width, height), (1240, 1754));
        assert!(
            bytes.len() > 30_000,
            "a page with content, not a blank: {} bytes",
            bytes.len()
        );

        let mut dom = Command::new(chromium);
        base(&mut dom);
        dom.arg("--dump-dom").arg(&url);
        let o = run_bounded(&mut dom, Duration::from_secs(120)).expect("chromium dumped the DOM");
        let dumped = String::from_utf8_lossy(&o.stdout);
        for id in ["chart-inspectors", "chart-procedures", "chart-stages"] {
            assert!(
                dumped.contains(&format!("id=\"{id}\"")),
                "{id} in the parsed page"
            );
        }
        assert!(dumped.matches("<rect").count() > 20, "the bars were parsed");
        assert!(dumped.contains("id=\"kpi-overdue\""));
        assert!(dumped.contains("<html lang=\"ru\">"));
        eprintln!("screenshot: {}", png.display());
    }
}
