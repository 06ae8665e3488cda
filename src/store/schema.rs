//! Schema migrations, applied in order on open; `PRAGMA user_version`
//! records how many have run. Never edit a shipped migration: add one.

pub const MIGRATIONS: &[&str] = &[
    // 1: users, cases and everything recorded on them, the audit chain.
    r#"
CREATE TABLE users (
    login       TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('inspector', 'supervisor', 'auditor')),
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
);

CREATE TABLE cases (
    number          TEXT PRIMARY KEY,
    procedure       TEXT NOT NULL,
    version_id      TEXT NOT NULL,
    purpose         TEXT,
    channel         TEXT NOT NULL,
    status          TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    accepted_at     TEXT,
    acceptance_day  TEXT,
    entry_date      TEXT,
    late_acceptance TEXT,
    refusal_to_accept TEXT NOT NULL DEFAULT '[]',
    host_name       TEXT,
    host_id         TEXT,
    assignee        TEXT REFERENCES users(login),
    -- Kept for the queue: the nearest open deadline (UTC, RFC 3339) and what it is.
    next_due        TEXT,
    next_due_kind   TEXT,
    next_due_unit   TEXT,
    -- The queue's sort key: next_due for a case in the queue ('~' when it has
    -- no deadline, so it sorts last), NULL when it is not in the queue.
    queue_due       TEXT,
    queue_since     TEXT,
    -- Case-folded applicant name for search.
    search_key      TEXT NOT NULL DEFAULT '',
    row_version     INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL
);
CREATE INDEX cases_queue ON cases (queue_due, queue_since, number) WHERE queue_due IS NOT NULL;
CREATE INDEX cases_assignee ON cases (assignee);
CREATE INDEX cases_host ON cases (host_id);

CREATE TABLE persons (
    case_number TEXT NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord         INTEGER NOT NULL,   -- 0: the applicant; 1..: family members
    person_key  TEXT NOT NULL,
    name        TEXT NOT NULL,
    iin         TEXT,
    birth_date  TEXT,
    citizenship TEXT NOT NULL,
    PRIMARY KEY (case_number, ord)
);
CREATE INDEX persons_key ON persons (person_key);

CREATE TABLE documents (
    case_number TEXT NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    number      TEXT NOT NULL,
    valid_until TEXT,
    PRIMARY KEY (case_number, ord)
);

CREATE TABLE stages (
    case_number  TEXT NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord          INTEGER NOT NULL,
    completed_at TEXT,
    PRIMARY KEY (case_number, ord)
);

CREATE TABLE check_results (
    case_number TEXT NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    check_id    TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    by_login    TEXT NOT NULL,
    at          TEXT NOT NULL,
    note        TEXT NOT NULL,
    PRIMARY KEY (case_number, check_id)
);

CREATE TABLE hearing_notices (
    case_number      TEXT NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord              INTEGER NOT NULL,
    sent_at          TEXT NOT NULL,
    channel          TEXT NOT NULL,
    hearing_at       TEXT NOT NULL,
    place            TEXT NOT NULL,
    planned_decision TEXT NOT NULL,
    grounds          TEXT NOT NULL,
    PRIMARY KEY (case_number, ord)
);

CREATE TABLE hearings (
    case_number        TEXT NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord                INTEGER NOT NULL,
    held_at            TEXT NOT NULL,
    applicant_position TEXT NOT NULL,
    continue_review    INTEGER NOT NULL,
    PRIMARY KEY (case_number, ord)
);

CREATE TABLE decisions (
    case_number TEXT NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord         INTEGER NOT NULL,
    kind        TEXT NOT NULL,      -- issue | refuse | annul
    grounds     TEXT NOT NULL,      -- JSON array of ground ids
    by_login    TEXT NOT NULL,
    at          TEXT NOT NULL,
    approval    TEXT NOT NULL,      -- not_required | pending | approved | returned
    approval_by TEXT,
    approval_at TEXT,
    approval_comment TEXT,
    PRIMARY KEY (case_number, ord)
);

CREATE TABLE duplicates (
    case_number TEXT NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord         INTEGER NOT NULL,
    at          TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (case_number, ord)
);

CREATE TABLE complaints (
    case_number   TEXT NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord           INTEGER NOT NULL,
    registered_at TEXT NOT NULL,
    to_whom       TEXT NOT NULL,
    text          TEXT NOT NULL,
    answered_at   TEXT,
    PRIMARY KEY (case_number, ord)
);

CREATE TABLE notes (
    case_number TEXT NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord         INTEGER NOT NULL,
    by_login    TEXT NOT NULL,
    at          TEXT NOT NULL,
    text        TEXT NOT NULL,
    PRIMARY KEY (case_number, ord)
);

-- Append-only, hash-chained: hash = SHA-256 over prev_hash and the row's fields.
CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    case_number TEXT,
    action      TEXT NOT NULL,
    before      TEXT,
    after       TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_case ON audit (case_number, seq);

-- The head of the audit chain, so that removing the newest rows shows too.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
"#,
    // 2: notices issued to applicants, kept word for word; indexes for the
    // daily report (decisions waiting for approval, decisions of a day).
    r#"
CREATE TABLE issued_notices (
    id              INTEGER PRIMARY KEY,
    case_number     TEXT NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    lang            TEXT NOT NULL CHECK (lang IN ('kk', 'ru', 'en')),
    -- What on the case the notice is about: acceptance, notice:N, decision:N[:state].
    subject         TEXT NOT NULL,
    -- The exact text and page issued, whatever the templates say later.
    text            TEXT NOT NULL,
    html            TEXT NOT NULL,
    template        TEXT NOT NULL,
    template_sha256 TEXT NOT NULL,
    issued_at       TEXT NOT NULL,
    issued_by       TEXT NOT NULL REFERENCES users(login),
    UNIQUE (case_number, kind, lang, subject)
);
CREATE INDEX decisions_pending ON decisions (case_number) WHERE approval = 'pending';
CREATE INDEX decisions_at ON decisions (at);
"#,
    // 3: what each saved version of a case touched (a save based on an
    // older version is refused only when someone else changed the same
    // thing), and each user's unsaved drafts (notes, check notes, forms),
    // kept until they are saved or thrown away.
    r#"
CREATE TABLE case_touches (
    case_number TEXT NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    row_version INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    -- Space-separated parts: check:ID stage:ID hearing decision assign intake complaint note
    parts       TEXT NOT NULL,
    PRIMARY KEY (case_number, row_version)
);
CREATE TABLE drafts (
    login       TEXT NOT NULL,
    case_number TEXT NOT NULL,
    -- note | check-note | dialog:KIND
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (login, case_number, kind)
);
"#,
    // 4: the stay a visa or entry grants (citizens of states outside the
    // EAEU), the day of arrival at the host, and a decision's reason in
    // the inspector's words.
    r#"
ALTER TABLE cases ADD COLUMN stay_until TEXT;
ALTER TABLE cases ADD COLUMN arrival_date TEXT;
ALTER TABLE decisions ADD COLUMN reason TEXT NOT NULL DEFAULT '';
-- The stage to work on now (its ord): a stage the decision closed is not it.
ALTER TABLE cases ADD COLUMN current_stage INTEGER;
UPDATE cases SET current_stage =
    (SELECT min(ord) FROM stages s WHERE s.case_number = cases.number AND s.completed_at IS NULL);
-- What the stored deadlines were computed with (a fingerprint of the
-- calendar and the procedure rules): a new decree or rule file recomputes them.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#,
    // 5: the console keeps every open case: what its queue shows is kept
    // on the case row and in one covering index, so the whole queue is one
    // ordered read of the index instead of three look-ups per case.
    r#"
ALTER TABLE cases ADD COLUMN q_applicant TEXT;
ALTER TABLE cases ADD COLUMN q_citizenship TEXT;
-- The latest decision's approval state.
ALTER TABLE cases ADD COLUMN q_approval TEXT;
UPDATE cases SET
    q_applicant = (SELECT name FROM persons p WHERE p.case_number = cases.number AND p.ord = 0),
    q_citizenship = (SELECT citizenship FROM persons p WHERE p.case_number = cases.number AND p.ord = 0),
    q_approval = (SELECT approval FROM decisions d WHERE d.case_number = cases.number ORDER BY d.ord DESC LIMIT 1);
CREATE INDEX cases_queue_all ON cases (queue_due, queue_since, number, procedure, version_id,
    q_applicant, q_citizenship, current_stage, q_approval, assignee, next_due, next_due_unit, status)
    WHERE queue_due IS NOT NULL;
"#,
    // 6: the journals the rules require: requests to other state bodies,
    // changes of residence (§17-1), information-system failures (§9-5).
    r#"
-- Requests to other state bodies and their answers.
CREATE TABLE requests (
    case_number TEXT NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord         INTEGER NOT NULL,
    agency      TEXT NOT NULL,
    sent_at     TEXT NOT NULL,
    answered_at TEXT,
    note        TEXT NOT NULL,
    PRIMARY KEY (case_number, ord)
);
-- Order 992 §17-1: changes of residence of a permit holder.
CREATE TABLE transfers (
    case_number   TEXT NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord           INTEGER NOT NULL,
    from_unit     TEXT NOT NULL,
    applied_at    TEXT NOT NULL,
    registered_at TEXT,
    PRIMARY KEY (case_number, ord)
);
-- Order 992 §9-5: the special journal of information-system failures.
CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    description TEXT NOT NULL,
    -- JSON array of the case numbers it affected
    cases       TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
"#,
];

/// A database of main's first migration 4 (the console's queue columns,
/// with `q_stage` for the stage, before the stay and `meta` came in as 4):
/// the same database as migrations 4 and 5 make, in one step.
pub const FROM_CONSOLE_V4: &str = r#"
DROP INDEX cases_queue_all;
ALTER TABLE cases ADD COLUMN stay_until TEXT;
ALTER TABLE cases ADD COLUMN arrival_date TEXT;
ALTER TABLE decisions ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN current_stage INTEGER;
UPDATE cases SET current_stage =
    (SELECT min(ord) FROM stages s WHERE s.case_number = cases.number AND s.completed_at IS NULL);
ALTER TABLE cases DROP COLUMN q_stage;
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
UPDATE cases SET
    q_applicant = (SELECT name FROM persons p WHERE p.case_number = cases.number AND p.ord = 0),
    q_citizenship = (SELECT citizenship FROM persons p WHERE p.case_number = cases.number AND p.ord = 0),
    q_approval = (SELECT approval FROM decisions d WHERE d.case_number = cases.number ORDER BY d.ord DESC LIMIT 1);
CREATE INDEX cases_queue_all ON cases (queue_due, queue_since, number, procedure, version_id,
    q_applicant, q_citizenship, current_stage, q_approval, assignee, next_due, next_due_unit, status)
    WHERE queue_due IS NOT NULL;
"#;
