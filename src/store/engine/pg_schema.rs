//! The PostgreSQL schema: the SQLite migrations of `store::schema`
//! translated one for one, so that a database's `schema_version` means the
//! same on both engines. Never edit a shipped migration: add one to both lists.
//!
//! Types follow SQLite's usage: `TEXT` stays text (timestamps are the same
//! fixed-width RFC 3339 text, so exports and audit chains are byte-identical
//! on both engines), `INTEGER` becomes `BIGINT`. Every text column sorts
//! bytewise (`COLLATE "C"`), as SQLite's does, whatever the server's locale:
//! the queue's `'~'` (no deadline) must sort after every date.
//!
//! The audit chain is computed by the server: a `BEFORE INSERT` trigger
//! numbers the row, links it to the chain head and signs it with
//! HMAC-SHA-256 under the key kept in `audit_key`, over exactly the bytes
//! `store::audit::row_input` feeds and with the hex `store::audit::mac_hex`
//! gives. A client only says who did what when.

/// What `kezek` runs before the migrations: the table that records the
/// schema version (SQLite keeps it in `PRAGMA user_version`) and pgcrypto.
pub const BOOTSTRAP: &str = r#"
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE TABLE IF NOT EXISTS schema_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO schema_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
"#;

/// The notification channel a committed change of a case is announced on;
/// the payload is the case number.
pub const CHANNEL: &str = "kezek_cases";

pub const MIGRATIONS: &[&str] = &[
    // 1: users, cases and everything recorded on them, the audit chain.
    r#"
CREATE TABLE users (
    login       TEXT COLLATE "C" PRIMARY KEY,
    name        TEXT COLLATE "C" NOT NULL,
    role        TEXT COLLATE "C" NOT NULL CHECK (role IN ('inspector', 'supervisor', 'auditor')),
    created_at  TEXT COLLATE "C" NOT NULL,
    created_by  TEXT COLLATE "C" NOT NULL
);

CREATE TABLE cases (
    number          TEXT COLLATE "C" PRIMARY KEY,
    procedure       TEXT COLLATE "C" NOT NULL,
    version_id      TEXT COLLATE "C" NOT NULL,
    purpose         TEXT COLLATE "C",
    channel         TEXT COLLATE "C" NOT NULL,
    status          TEXT COLLATE "C" NOT NULL,
    received_at     TEXT COLLATE "C" NOT NULL,
    accepted_at     TEXT COLLATE "C",
    acceptance_day  TEXT COLLATE "C",
    entry_date      TEXT COLLATE "C",
    late_acceptance TEXT COLLATE "C",
    refusal_to_accept TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    host_name       TEXT COLLATE "C",
    host_id         TEXT COLLATE "C",
    assignee        TEXT COLLATE "C" REFERENCES users(login),
    next_due        TEXT COLLATE "C",
    next_due_kind   TEXT COLLATE "C",
    next_due_unit   TEXT COLLATE "C",
    queue_due       TEXT COLLATE "C",
    queue_since     TEXT COLLATE "C",
    search_key      TEXT COLLATE "C" NOT NULL DEFAULT '',
    row_version     BIGINT NOT NULL DEFAULT 1,
    updated_at      TEXT COLLATE "C" NOT NULL,
    updated_by      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX cases_queue ON cases (queue_due, queue_since, number) WHERE queue_due IS NOT NULL;
CREATE INDEX cases_assignee ON cases (assignee);
CREATE INDEX cases_host ON cases (host_id);

CREATE TABLE persons (
    case_number TEXT COLLATE "C" NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord         BIGINT NOT NULL,
    person_key  TEXT COLLATE "C" NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    iin         TEXT COLLATE "C",
    birth_date  TEXT COLLATE "C",
    citizenship TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (case_number, ord)
);
CREATE INDEX persons_key ON persons (person_key);

CREATE TABLE documents (
    case_number TEXT COLLATE "C" NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord         BIGINT NOT NULL,
    kind        TEXT COLLATE "C" NOT NULL,
    number      TEXT COLLATE "C" NOT NULL,
    valid_until TEXT COLLATE "C",
    PRIMARY KEY (case_number, ord)
);

CREATE TABLE stages (
    case_number  TEXT COLLATE "C" NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord          BIGINT NOT NULL,
    completed_at TEXT COLLATE "C",
    PRIMARY KEY (case_number, ord)
);

CREATE TABLE check_results (
    case_number TEXT COLLATE "C" NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    check_id    TEXT COLLATE "C" NOT NULL,
    outcome     TEXT COLLATE "C" NOT NULL,
    by_login    TEXT COLLATE "C" NOT NULL,
    at          TEXT COLLATE "C" NOT NULL,
    note        TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (case_number, check_id)
);

CREATE TABLE hearing_notices (
    case_number      TEXT COLLATE "C" NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord              BIGINT NOT NULL,
    sent_at          TEXT COLLATE "C" NOT NULL,
    channel          TEXT COLLATE "C" NOT NULL,
    hearing_at       TEXT COLLATE "C" NOT NULL,
    place            TEXT COLLATE "C" NOT NULL,
    planned_decision TEXT COLLATE "C" NOT NULL,
    grounds          TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (case_number, ord)
);

CREATE TABLE hearings (
    case_number        TEXT COLLATE "C" NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord                BIGINT NOT NULL,
    held_at            TEXT COLLATE "C" NOT NULL,
    applicant_position TEXT COLLATE "C" NOT NULL,
    continue_review    BIGINT NOT NULL,
    PRIMARY KEY (case_number, ord)
);

CREATE TABLE decisions (
    case_number TEXT COLLATE "C" NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord         BIGINT NOT NULL,
    kind        TEXT COLLATE "C" NOT NULL,
    grounds     TEXT COLLATE "C" NOT NULL,
    by_login    TEXT COLLATE "C" NOT NULL,
    at          TEXT COLLATE "C" NOT NULL,
    approval    TEXT COLLATE "C" NOT NULL,
    approval_by TEXT COLLATE "C",
    approval_at TEXT COLLATE "C",
    approval_comment TEXT COLLATE "C",
    PRIMARY KEY (case_number, ord)
);

CREATE TABLE duplicates (
    case_number TEXT COLLATE "C" NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord         BIGINT NOT NULL,
    at          TEXT COLLATE "C" NOT NULL,
    reason      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (case_number, ord)
);

CREATE TABLE complaints (
    case_number   TEXT COLLATE "C" NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord           BIGINT NOT NULL,
    registered_at TEXT COLLATE "C" NOT NULL,
    to_whom       TEXT COLLATE "C" NOT NULL,
    text          TEXT COLLATE "C" NOT NULL,
    answered_at   TEXT COLLATE "C",
    PRIMARY KEY (case_number, ord)
);

CREATE TABLE notes (
    case_number TEXT COLLATE "C" NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord         BIGINT NOT NULL,
    by_login    TEXT COLLATE "C" NOT NULL,
    at          TEXT COLLATE "C" NOT NULL,
    text        TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (case_number, ord)
);

-- Append-only, hash-chained. The client gives at, actor, case_number,
-- action, before and after; the trigger below sets seq, prev_hash and hash.
CREATE TABLE audit (
    seq         BIGINT PRIMARY KEY,
    at          TEXT COLLATE "C" NOT NULL,
    actor       TEXT COLLATE "C" NOT NULL,
    case_number TEXT COLLATE "C",
    action      TEXT COLLATE "C" NOT NULL,
    before      TEXT COLLATE "C",
    after       TEXT COLLATE "C",
    prev_hash   TEXT COLLATE "C" NOT NULL,
    hash        TEXT COLLATE "C" NOT NULL
);
CREATE INDEX audit_case ON audit (case_number, seq);

CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT COLLATE "C" NOT NULL
);

-- The chain's key: 32 random bytes, made with the database. Only the
-- functions below (SECURITY DEFINER, owned by the schema's owner) read it.
CREATE TABLE audit_key (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    key BYTEA NOT NULL
);
INSERT INTO audit_key (id, key) VALUES (1, gen_random_bytes(32));
REVOKE ALL ON audit_key FROM PUBLIC;

-- A length as 8 little-endian bytes (Rust's u64::to_le_bytes).
CREATE FUNCTION kezek_le64(n BIGINT) RETURNS BYTEA
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    b BYTEA := '\x0000000000000000'::bytea;
    i INTEGER;
BEGIN
    FOR i IN 0..7 LOOP
        b := set_byte(b, i, ((n >> (8 * i)) & 255)::integer);
    END LOOP;
    RETURN b;
END $$;

-- One field of a row's input: its length, then its UTF-8 bytes; absent: eight 0xff.
CREATE FUNCTION kezek_audit_field(v TEXT) RETURNS BYTEA
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN v IS NULL THEN '\xffffffffffffffff'::bytea
                ELSE kezek_le64(octet_length(convert_to(v, 'UTF8'))) || convert_to(v, 'UTF8') END
$$;

-- store::audit::row_input, byte for byte.
CREATE FUNCTION kezek_audit_input(seq BIGINT, at TEXT, actor TEXT, case_number TEXT,
    action TEXT, before TEXT, after TEXT, prev TEXT) RETURNS BYTEA
LANGUAGE sql IMMUTABLE AS $$
    SELECT kezek_audit_field(seq::text) || kezek_audit_field(at) || kezek_audit_field(actor)
        || kezek_audit_field(case_number) || kezek_audit_field(action)
        || kezek_audit_field(before) || kezek_audit_field(after) || kezek_audit_field(prev)
$$;

-- store::audit::mac_hex with the database's key: the MAC a row with these
-- fields must carry (`kezek audit verify` compares it with the stored one).
CREATE FUNCTION kezek_audit_mac(seq BIGINT, at TEXT, actor TEXT, case_number TEXT,
    action TEXT, before TEXT, after TEXT, prev TEXT) RETURNS TEXT
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT encode(hmac(kezek_audit_input(seq, at, actor, case_number, action, before, after, prev),
                       (SELECT key FROM audit_key WHERE id = 1), 'sha256'), 'hex')
$$;

-- Number, link and sign a new row, and move the head, under the head's row
-- lock: concurrent writers take their turns, the chain never forks.
CREATE FUNCTION kezek_audit_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    h RECORD;
BEGIN
    SELECT seq, hash INTO h FROM audit_head WHERE id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        NEW.seq := 1;
        NEW.prev_hash := '0000000000000000000000000000000000000000000000000000000000000000';
    ELSE
        NEW.seq := h.seq + 1;
        NEW.prev_hash := h.hash;
    END IF;
    NEW.hash := kezek_audit_mac(NEW.seq, NEW.at, NEW.actor, NEW.case_number, NEW.action,
                                NEW.before, NEW.after, NEW.prev_hash);
    INSERT INTO audit_head (id, seq, hash) VALUES (1, NEW.seq, NEW.hash)
        ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_chain BEFORE INSERT ON audit
    FOR EACH ROW EXECUTE FUNCTION kezek_audit_chain();
"#,
    // 2: notices issued to applicants, kept word for word; indexes for the
    // daily report.
    r#"
CREATE TABLE issued_notices (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    case_number     TEXT COLLATE "C" NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    kind            TEXT COLLATE "C" NOT NULL,
    lang            TEXT COLLATE "C" NOT NULL CHECK (lang IN ('kk', 'ru', 'en')),
    subject         TEXT COLLATE "C" NOT NULL,
    text            TEXT COLLATE "C" NOT NULL,
    html            TEXT COLLATE "C" NOT NULL,
    template        TEXT COLLATE "C" NOT NULL,
    template_sha256 TEXT COLLATE "C" NOT NULL,
    issued_at       TEXT COLLATE "C" NOT NULL,
    issued_by       TEXT COLLATE "C" NOT NULL REFERENCES users(login),
    UNIQUE (case_number, kind, lang, subject)
);
CREATE INDEX decisions_pending ON decisions (case_number) WHERE approval = 'pending';
CREATE INDEX decisions_at ON decisions (at);
"#,
    // 3: what each saved version of a case touched, and each user's drafts.
    r#"
CREATE TABLE case_touches (
    case_number TEXT COLLATE "C" NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    row_version BIGINT NOT NULL,
    actor       TEXT COLLATE "C" NOT NULL,
    at          TEXT COLLATE "C" NOT NULL,
    parts       TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (case_number, row_version)
);
CREATE TABLE drafts (
    login       TEXT COLLATE "C" NOT NULL,
    case_number TEXT COLLATE "C" NOT NULL,
    kind        TEXT COLLATE "C" NOT NULL,
    body        TEXT COLLATE "C" NOT NULL,
    updated_at  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (login, case_number, kind)
);
"#,
    // 4: stay, arrival, a decision's reason, the current stage, meta.
    r#"
ALTER TABLE cases ADD COLUMN stay_until TEXT COLLATE "C";
ALTER TABLE cases ADD COLUMN arrival_date TEXT COLLATE "C";
ALTER TABLE decisions ADD COLUMN reason TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN current_stage BIGINT;
UPDATE cases SET current_stage =
    (SELECT min(ord) FROM stages s WHERE s.case_number = cases.number AND s.completed_at IS NULL);
CREATE TABLE meta (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT COLLATE "C" NOT NULL
);
"#,
    // 5: the queue's columns on the case row and its covering index.
    r#"
ALTER TABLE cases ADD COLUMN q_applicant TEXT COLLATE "C";
ALTER TABLE cases ADD COLUMN q_citizenship TEXT COLLATE "C";
ALTER TABLE cases ADD COLUMN q_approval TEXT COLLATE "C";
UPDATE cases SET
    q_applicant = (SELECT name FROM persons p WHERE p.case_number = cases.number AND p.ord = 0),
    q_citizenship = (SELECT citizenship FROM persons p WHERE p.case_number = cases.number AND p.ord = 0),
    q_approval = (SELECT approval FROM decisions d WHERE d.case_number = cases.number ORDER BY d.ord DESC LIMIT 1);
CREATE INDEX cases_queue_all ON cases (queue_due, queue_since, number, procedure, version_id,
    q_applicant, q_citizenship, current_stage, q_approval, assignee, next_due, next_due_unit, status)
    WHERE queue_due IS NOT NULL;
"#,
    // 6: the journals: requests, transfers, incidents. And (PostgreSQL
    // only) the announcement of every committed change of a case, so that
    // consoles refresh without polling: NOTIFY is delivered on commit.
    r#"
CREATE TABLE requests (
    case_number TEXT COLLATE "C" NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord         BIGINT NOT NULL,
    agency      TEXT COLLATE "C" NOT NULL,
    sent_at     TEXT COLLATE "C" NOT NULL,
    answered_at TEXT COLLATE "C",
    note        TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (case_number, ord)
);
CREATE TABLE transfers (
    case_number   TEXT COLLATE "C" NOT NULL REFERENCES cases(number) ON DELETE CASCADE,
    ord           BIGINT NOT NULL,
    from_unit     TEXT COLLATE "C" NOT NULL,
    applied_at    TEXT COLLATE "C" NOT NULL,
    registered_at TEXT COLLATE "C",
    PRIMARY KEY (case_number, ord)
);
CREATE TABLE incidents (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    started_at  TEXT COLLATE "C" NOT NULL,
    ended_at    TEXT COLLATE "C",
    description TEXT COLLATE "C" NOT NULL,
    cases       TEXT COLLATE "C" NOT NULL,
    recorded_by TEXT COLLATE "C" NOT NULL,
    recorded_at TEXT COLLATE "C" NOT NULL
);

CREATE FUNCTION kezek_case_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kezek_cases', COALESCE(NEW.number, OLD.number));
    RETURN NULL;
END $$;
CREATE TRIGGER cases_notify AFTER INSERT OR UPDATE OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION kezek_case_changed();
"#,
    // 7: each user's console settings (no audit row: not a record of a case).
    r#"
CREATE TABLE prefs (
    login      TEXT COLLATE "C" NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    value      TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (login, key)
);
"#,
];

#[cfg(test)]
mod tests {
    #[test]
    fn one_postgres_migration_for_each_sqlite_one() {
        assert_eq!(
            super::MIGRATIONS.len(),
            crate::store::schema::MIGRATIONS.len()
        );
    }
}
