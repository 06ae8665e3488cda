-- kezek on PostgreSQL: the rights the server itself enforces.
--
-- Applied after the schema, as the role that owns the tables (the
-- administrator: a superuser, or a role with CREATEROLE that owns the
-- database). Every statement can run again: a newer kezek re-applies the
-- file and records its version in meta ('rights_version').
--
-- Identities. Each kezek user is a PostgreSQL login role of the same name
-- (peer authentication on the Unix socket maps the operating-system user to
-- it; password (scram-sha-256) or a client certificate over TCP). Its kezek
-- role is one of four group roles it is a member of:
--   kezek_inspector, kezek_supervisor, kezek_auditor  staff of one unit
--   kezek_regional                                    every unit of a region
-- Users and roles change only through kezek_user_add / kezek_user_set_role
-- (SECURITY DEFINER: they check the caller, create the role, grant the
-- group role and write the audit row).
--
-- What the server refuses, whatever the client (psql included):
--   a change of a case or of anything recorded on it without an audit row
--     for that case, by the same role, in the same transaction;
--   an audit row whose actor is not session_user;
--   updating, deleting or truncating audit rows;
--   deleting or truncating cases;
--   an approval (or return) of a decision by anyone but a supervisor of the
--     case's unit, or a regional role of its region for the procedures whose
--     conclusions go up to UMS DP;
--   changing users or roles except through the functions above, as a
--     supervisor (who may not change their own role) or the administrator.
-- Row-level security keeps each unit's staff to their unit's cases and to
-- every table that carries case data; regional roles read every unit of
-- their region.

SET client_min_messages = warning;

-- ---------------------------------------------------------------------------
-- Group roles.

DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['kezek_inspector', 'kezek_supervisor', 'kezek_auditor', 'kezek_regional'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END $$;

-- Nobody but the owner creates objects in the schema kezek's tables live in.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Units and regions. A case and a user belong to a unit; a regional user
-- belongs to a region.

CREATE TABLE IF NOT EXISTS units (
    name       TEXT PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    region     TEXT NOT NULL CHECK (region ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    title      TEXT NOT NULL DEFAULT ''
);

-- The procedures whose conclusions go up to UMS DP for approval, which a
-- regional role may approve: PR (Order 002 §14 item 2 and §15: the case file
-- goes to UMS DP for approval; the conclusion is approved by ... the head of
-- UMS DP) and exit for permanent residence abroad (Order 003: the stage
-- "send the case to UMS DP (ПД КҚҚБ) for approval").
CREATE TABLE IF NOT EXISTS region_procedures (
    procedure  TEXT PRIMARY KEY,
    source     TEXT NOT NULL
);
INSERT INTO region_procedures (procedure, source) VALUES
    ('pr', 'Order 002 §14 item 2, §15'),
    ('exit', 'Order 003 (rules No. 259), stage send_for_approval')
ON CONFLICT (procedure) DO NOTHING;

ALTER TABLE users ADD COLUMN IF NOT EXISTS unit TEXT REFERENCES units(name);
ALTER TABLE users ADD COLUMN IF NOT EXISTS region TEXT;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('inspector', 'supervisor', 'auditor', 'regional'));
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_place;
ALTER TABLE users ADD CONSTRAINT users_place CHECK (
    (role = 'regional' AND region IS NOT NULL AND unit IS NULL)
    OR (role <> 'regional' AND unit IS NOT NULL));

-- Who is asking: the kezek user of the connection's own role.
CREATE OR REPLACE FUNCTION kezek_is_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
        OR session_user = (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database())
$$;

-- The unit new rows of this connection belong to: the user's own unit; the
-- only unit when the server has one (the administrator's imports); else none.
CREATE OR REPLACE FUNCTION kezek_my_unit() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT coalesce(
        (SELECT unit FROM users WHERE login = session_user),
        (SELECT min(name) FROM units HAVING count(*) = 1 AND kezek_is_admin()))
$$;

-- Every unit this connection may see: its own, or each unit of its region.
CREATE OR REPLACE FUNCTION kezek_my_units() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT CASE
        WHEN kezek_is_admin() THEN (SELECT coalesce(array_agg(name), '{}') FROM units)
        ELSE coalesce((
            SELECT array_agg(u.name) FROM users me JOIN units u
                ON (me.role = 'regional' AND u.region = me.region)
                OR (me.role <> 'regional' AND u.name = me.unit)
            WHERE me.login = session_user), '{}')
    END
$$;

-- The kezek role of the connection: the users row must agree with the
-- group role the server granted, else the connection has no role.
CREATE OR REPLACE FUNCTION kezek_my_role() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT u.role FROM users u
    WHERE u.login = session_user AND pg_has_role(session_user, 'kezek_' || u.role, 'MEMBER')
$$;

-- ---------------------------------------------------------------------------
-- Every table that carries case data gets the unit of its case; a new case
-- gets the unit of the user who creates it.

ALTER TABLE cases ADD COLUMN IF NOT EXISTS unit TEXT REFERENCES units(name);
ALTER TABLE cases ALTER COLUMN unit SET DEFAULT kezek_my_unit();
CREATE INDEX IF NOT EXISTS cases_unit_queue ON cases (unit, queue_due) WHERE queue_due IS NOT NULL;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['persons', 'documents', 'stages', 'check_results',
        'hearing_notices', 'hearings', 'decisions', 'duplicates', 'complaints', 'notes',
        'issued_notices', 'case_touches', 'requests', 'transfers', 'drafts', 'incidents', 'audit'] LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS unit TEXT', t);
    END LOOP;
END $$;

-- A child row's unit is its case's, looked up past row-level security so
-- that a row for a case the user may not see gets that case's unit and is
-- refused by the policy, not accepted as unit-less.
CREATE OR REPLACE FUNCTION kezek_case_unit(n text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT unit FROM cases WHERE number = n
$$;

CREATE OR REPLACE FUNCTION kezek_set_unit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.case_number IS NOT NULL THEN
        NEW.unit := kezek_case_unit(NEW.case_number);
        IF NEW.unit IS NULL THEN
            RAISE EXCEPTION 'kezek: no case %', NEW.case_number USING ERRCODE = '42501';
        END IF;
    ELSIF NEW.unit IS NULL OR NOT kezek_is_admin() THEN
        -- The administrator moving an office up names the unit itself.
        NEW.unit := kezek_my_unit();
    END IF;
    RETURN NEW;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['persons', 'documents', 'stages', 'check_results',
        'hearing_notices', 'hearings', 'decisions', 'duplicates', 'complaints', 'notes',
        'issued_notices', 'case_touches', 'requests', 'transfers', 'drafts', 'audit'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS a0_kezek_unit ON %I', t);
        -- "a0_": before the audit chain's own trigger, which chains per unit.
        EXECUTE format('CREATE TRIGGER a0_kezek_unit BEFORE INSERT OR UPDATE ON %I
            FOR EACH ROW EXECUTE FUNCTION kezek_set_unit()', t);
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION kezek_set_unit_incident() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.unit IS NULL OR NOT kezek_is_admin() THEN
        NEW.unit := kezek_my_unit();
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS a0_kezek_unit ON incidents;
CREATE TRIGGER a0_kezek_unit BEFORE INSERT OR UPDATE ON incidents
    FOR EACH ROW EXECUTE FUNCTION kezek_set_unit_incident();

-- A case stays in its unit (moving a case between units is a transfer, §17-1).
CREATE OR REPLACE FUNCTION kezek_case_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'kezek: cases are never deleted (case %)', OLD.number USING ERRCODE = '42501';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.unit IS NULL THEN
            NEW.unit := kezek_my_unit();
        END IF;
    ELSIF NEW.unit IS DISTINCT FROM OLD.unit OR NEW.number <> OLD.number THEN
        RAISE EXCEPTION 'kezek: a case keeps its number and unit (case %)', OLD.number USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS a0_kezek_case_guard ON cases;
CREATE TRIGGER a0_kezek_case_guard BEFORE INSERT OR UPDATE OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION kezek_case_guard();

CREATE OR REPLACE FUNCTION kezek_no_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'kezek: % is never truncated', TG_TABLE_NAME USING ERRCODE = '42501';
END $$;
DROP TRIGGER IF EXISTS kezek_no_truncate ON cases;
CREATE TRIGGER kezek_no_truncate BEFORE TRUNCATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION kezek_no_truncate();

-- ---------------------------------------------------------------------------
-- The audit log: the actor is the connection's own role; rows are never
-- changed; each row knows the transaction that wrote it.

ALTER TABLE audit ADD COLUMN IF NOT EXISTS xact BIGINT;
CREATE INDEX IF NOT EXISTS audit_xact ON audit (xact, case_number);

CREATE OR REPLACE FUNCTION kezek_audit_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'kezek: audit rows are never changed or deleted (row %)', OLD.seq
            USING ERRCODE = '42501';
    END IF;
    IF NEW.actor IS DISTINCT FROM session_user::text AND NOT kezek_is_admin() THEN
        RAISE EXCEPTION 'kezek: an audit row''s actor is the connection''s own role (%), not %',
            session_user, NEW.actor USING ERRCODE = '42501';
    END IF;
    NEW.xact := txid_current();
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS a1_kezek_audit_guard ON audit;
CREATE TRIGGER a1_kezek_audit_guard BEFORE INSERT OR UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION kezek_audit_guard();
DROP TRIGGER IF EXISTS kezek_no_truncate ON audit;
CREATE TRIGGER kezek_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION kezek_no_truncate();

-- At commit: every case, and every row recorded on one, changed in this
-- transaction has an audit row for its case by the same role in the same
-- transaction (the administrator moving an office up carries the office's
-- rows, each in its own actor's name). A deadline recomputation after new
-- rules (one row for many cases) is the administrator's or a supervisor's,
-- in their own name; an inspector's kezek leaves it to them.
CREATE OR REPLACE FUNCTION kezek_may_recompute() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT kezek_is_admin() OR coalesce(kezek_my_role() = 'supervisor', false)
$$;

CREATE OR REPLACE FUNCTION kezek_audited(n text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT EXISTS (SELECT 1 FROM audit WHERE xact = txid_current() AND case_number = n
                   AND (actor = session_user::text OR kezek_is_admin()))
        OR (EXISTS (SELECT 1 FROM audit WHERE xact = txid_current() AND case_number IS NULL
                    AND action = 'deadlines.recompute' AND actor = session_user::text)
            AND kezek_may_recompute())
$$;

CREATE OR REPLACE FUNCTION kezek_require_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE n text;
BEGIN
    IF TG_TABLE_NAME = 'cases' THEN
        n := CASE WHEN TG_OP = 'DELETE' THEN OLD.number ELSE NEW.number END;
    ELSE
        n := CASE WHEN TG_OP = 'DELETE' THEN OLD.case_number ELSE NEW.case_number END;
    END IF;
    IF NOT kezek_audited(n) THEN
        RAISE EXCEPTION 'kezek: case % changed (%) without its audit row in the same transaction',
            n, TG_TABLE_NAME USING ERRCODE = '42501';
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cases', 'persons', 'documents', 'stages', 'check_results',
        'hearing_notices', 'hearings', 'decisions', 'duplicates', 'complaints', 'notes',
        'issued_notices', 'case_touches', 'requests', 'transfers'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS z_kezek_require_audit ON %I', t);
        EXECUTE format('CREATE CONSTRAINT TRIGGER z_kezek_require_audit
            AFTER INSERT OR UPDATE OR DELETE ON %I DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW EXECUTE FUNCTION kezek_require_audit()', t);
    END LOOP;
END $$;

-- The server's check of the whole chain, for any kezek role: no unit's
-- role can read every row (row-level security) nor holds the key.
CREATE OR REPLACE FUNCTION kezek_audit_verify(OUT rows BIGINT, OUT first_break BIGINT, OUT reason TEXT)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    r RECORD;
    prev TEXT := '0000000000000000000000000000000000000000000000000000000000000000';
    expect BIGINT := 1;
    head RECORD;
BEGIN
    rows := 0;
    FOR r IN SELECT seq, at, actor, case_number, action, before, after, prev_hash, hash
             FROM audit ORDER BY seq LOOP
        rows := rows + 1;
        IF r.seq <> expect THEN
            first_break := expect; reason := 'missing'; RETURN;
        END IF;
        IF r.prev_hash <> prev THEN
            first_break := r.seq; reason := 'link'; RETURN;
        END IF;
        IF r.hash <> kezek_audit_mac(r.seq, r.at, r.actor, r.case_number, r.action, r.before,
                                     r.after, r.prev_hash) THEN
            first_break := r.seq; reason := 'edited'; RETURN;
        END IF;
        prev := r.hash;
        expect := expect + 1;
    END LOOP;
    SELECT seq, hash INTO head FROM audit_head WHERE id = 1;
    IF rows > 0 AND (head.seq IS DISTINCT FROM expect - 1 OR head.hash IS DISTINCT FROM prev) THEN
        first_break := expect; reason := 'head';
    END IF;
END $$;
REVOKE ALL ON FUNCTION kezek_audit_verify() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kezek_audit_verify()
    TO kezek_inspector, kezek_supervisor, kezek_auditor, kezek_regional;

-- ---------------------------------------------------------------------------
-- Approvals. A decision's approval or return is recorded in a ledger only
-- the server writes; a decision row claiming an approval is accepted only
-- when the ledger has it (the row rewritten with its case) or when the
-- caller is entitled to give it now, as themselves.

CREATE TABLE IF NOT EXISTS approvals (
    case_number TEXT NOT NULL,
    ord         INTEGER NOT NULL,
    approval    TEXT NOT NULL,
    approval_by TEXT NOT NULL,
    approval_at TEXT NOT NULL,
    PRIMARY KEY (case_number, ord, approval, approval_by, approval_at)
);
REVOKE ALL ON approvals FROM PUBLIC;

CREATE OR REPLACE FUNCTION kezek_may_approve(n text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT EXISTS (
        SELECT 1 FROM cases c JOIN users me ON me.login = session_user
        WHERE c.number = n AND (
            (me.role = 'supervisor' AND me.unit = c.unit
                AND pg_has_role(session_user, 'kezek_supervisor', 'MEMBER'))
            OR (me.role = 'regional'
                AND pg_has_role(session_user, 'kezek_regional', 'MEMBER')
                AND me.region = (SELECT region FROM units WHERE name = c.unit)
                AND c.procedure IN (SELECT procedure FROM region_procedures))))
$$;

CREATE OR REPLACE FUNCTION kezek_approval_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF NEW.approval NOT IN ('approved', 'returned') THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM approvals a WHERE a.case_number = NEW.case_number AND a.ord = NEW.ord
               AND a.approval = NEW.approval AND a.approval_by = NEW.approval_by
               AND a.approval_at = NEW.approval_at) THEN
        RETURN NEW;
    END IF;
    IF kezek_is_admin()
        OR (NEW.approval_by = session_user::text AND kezek_may_approve(NEW.case_number)) THEN
        INSERT INTO approvals VALUES (NEW.case_number, NEW.ord, NEW.approval, NEW.approval_by,
            NEW.approval_at) ON CONFLICT DO NOTHING;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'kezek: % may not approve or return the decision on case %',
        session_user, NEW.case_number USING ERRCODE = '42501';
END $$;
DROP TRIGGER IF EXISTS a1_kezek_approval_guard ON decisions;
CREATE TRIGGER a1_kezek_approval_guard BEFORE INSERT OR UPDATE ON decisions
    FOR EACH ROW EXECUTE FUNCTION kezek_approval_guard();

-- ---------------------------------------------------------------------------
-- Users and roles: only through these functions.

CREATE OR REPLACE FUNCTION kezek_user_add(p_login text, p_name text, p_role text,
    p_unit text DEFAULT NULL, p_region text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    me users%ROWTYPE;
    admin boolean := kezek_is_admin();
    v_unit text := p_unit;
BEGIN
    IF p_login !~ '^[a-z0-9._-]{1,63}$' THEN
        RAISE EXCEPTION 'kezek: % is not a login', p_login USING ERRCODE = '22023';
    END IF;
    IF p_role NOT IN ('inspector', 'supervisor', 'auditor', 'regional') THEN
        RAISE EXCEPTION 'kezek: % is not a role', p_role USING ERRCODE = '22023';
    END IF;
    SELECT * INTO me FROM users WHERE login = session_user;
    IF NOT admin THEN
        IF me.login IS NULL OR me.role <> 'supervisor'
            OR NOT pg_has_role(session_user, 'kezek_supervisor', 'MEMBER') THEN
            RAISE EXCEPTION 'kezek: only a supervisor adds users (% is not one)', session_user
                USING ERRCODE = '42501';
        END IF;
        IF p_role = 'regional' THEN
            RAISE EXCEPTION 'kezek: only the administrator adds regional users'
                USING ERRCODE = '42501';
        END IF;
        -- A supervisor adds staff to their own unit.
        IF v_unit IS NOT NULL AND v_unit <> me.unit THEN
            RAISE EXCEPTION 'kezek: % adds users to unit % only', session_user, me.unit
                USING ERRCODE = '42501';
        END IF;
        v_unit := me.unit;
    END IF;
    IF p_role = 'regional' THEN
        v_unit := NULL;
    ELSIF v_unit IS NULL THEN
        v_unit := kezek_my_unit();
    END IF;
    IF EXISTS (SELECT 1 FROM users WHERE login = p_login) THEN
        RAISE EXCEPTION 'kezek: user % exists', p_login USING ERRCODE = '23505';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', p_login);
    END IF;
    EXECUTE format('GRANT %I TO %I', 'kezek_' || p_role, p_login);
    INSERT INTO users (login, name, role, created_at, created_by, unit, region)
    VALUES (p_login, p_name, p_role, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            session_user, v_unit, CASE WHEN p_role = 'regional' THEN p_region END);
    INSERT INTO audit (at, actor, case_number, action, before, after)
    VALUES (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), session_user, NULL,
            'user.add', NULL,
            json_build_object('login', p_login, 'name', p_name, 'role', p_role, 'unit', v_unit,
                              'region', p_region)::text);
    RETURN p_role;
END $$;

CREATE OR REPLACE FUNCTION kezek_user_set_role(p_login text, p_role text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    me users%ROWTYPE;
    them users%ROWTYPE;
    r text;
BEGIN
    IF p_role NOT IN ('inspector', 'supervisor', 'auditor') THEN
        RAISE EXCEPTION 'kezek: % is not a unit role', p_role USING ERRCODE = '22023';
    END IF;
    SELECT * INTO me FROM users WHERE login = session_user;
    SELECT * INTO them FROM users WHERE login = p_login;
    IF them.login IS NULL THEN
        RAISE EXCEPTION 'kezek: no user %', p_login USING ERRCODE = '22023';
    END IF;
    IF NOT kezek_is_admin() THEN
        IF me.login IS NULL OR me.role <> 'supervisor'
            OR NOT pg_has_role(session_user, 'kezek_supervisor', 'MEMBER') THEN
            RAISE EXCEPTION 'kezek: only a supervisor changes roles (% is not one)', session_user
                USING ERRCODE = '42501';
        END IF;
        IF p_login = session_user::text THEN
            RAISE EXCEPTION 'kezek: % may not change their own role', session_user
                USING ERRCODE = '42501';
        END IF;
        IF them.unit IS DISTINCT FROM me.unit THEN
            RAISE EXCEPTION 'kezek: % is not in unit %', p_login, me.unit USING ERRCODE = '42501';
        END IF;
    END IF;
    IF them.role = 'regional' THEN
        RAISE EXCEPTION 'kezek: % is a regional user', p_login USING ERRCODE = '42501';
    END IF;
    FOREACH r IN ARRAY ARRAY['kezek_inspector', 'kezek_supervisor', 'kezek_auditor'] LOOP
        EXECUTE format('REVOKE %I FROM %I', r, p_login);
    END LOOP;
    EXECUTE format('GRANT %I TO %I', 'kezek_' || p_role, p_login);
    UPDATE users SET role = p_role WHERE login = p_login;
    INSERT INTO audit (at, actor, case_number, action, before, after)
    VALUES (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), session_user, NULL,
            'user.role', json_build_object('login', p_login, 'role', them.role)::text,
            json_build_object('login', p_login, 'role', p_role)::text);
    RETURN p_role;
END $$;

REVOKE ALL ON FUNCTION kezek_user_add(text, text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION kezek_user_set_role(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kezek_user_add(text, text, text, text, text) TO kezek_supervisor;
GRANT EXECUTE ON FUNCTION kezek_user_set_role(text, text) TO kezek_supervisor;

-- ---------------------------------------------------------------------------
-- Privileges. Nothing for PUBLIC; each group role what kezek does with it.

DO $$
DECLARE
    t text;
    staff text := 'kezek_inspector, kezek_supervisor, kezek_regional';
    everyone text := 'kezek_inspector, kezek_supervisor, kezek_regional, kezek_auditor';
BEGIN
    -- The chain's head (a number and a hash) is read by every writer.
    FOREACH t IN ARRAY ARRAY['schema_version', 'audit_head', 'users', 'units', 'region_procedures', 'cases', 'persons', 'documents',
        'stages', 'check_results', 'hearing_notices', 'hearings', 'decisions', 'duplicates',
        'complaints', 'notes', 'issued_notices', 'case_touches', 'requests', 'transfers',
        'drafts', 'incidents', 'audit', 'meta'] LOOP
        EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', t);
        EXECUTE format('REVOKE ALL ON %I FROM %s', t, everyone);
        EXECUTE format('GRANT SELECT ON %I TO %s', t, everyone);
    END LOOP;
    -- Recorded on a case: rewritten with the case on every save.
    FOREACH t IN ARRAY ARRAY['persons', 'documents', 'stages', 'check_results',
        'hearing_notices', 'hearings', 'decisions', 'duplicates', 'complaints', 'notes',
        'case_touches', 'requests', 'transfers'] LOOP
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %I TO %s', t, staff);
    END LOOP;
    EXECUTE format('GRANT INSERT, UPDATE ON cases TO %s', staff);
    EXECUTE format('GRANT INSERT ON issued_notices, incidents, audit TO %s', staff);
    EXECUTE format('GRANT UPDATE ON incidents TO %s', staff);
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON drafts TO %s', everyone);
    EXECUTE format('GRANT INSERT, UPDATE ON meta TO %s', staff);
END $$;

-- ---------------------------------------------------------------------------
-- Row-level security: a unit's staff see their unit; regional roles their
-- region; drafts are their writer's alone. The administrator (the owner)
-- is not subject to it.

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cases', 'persons', 'documents', 'stages', 'check_results',
        'hearing_notices', 'hearings', 'decisions', 'duplicates', 'complaints', 'notes',
        'issued_notices', 'case_touches', 'requests', 'transfers', 'incidents'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('DROP POLICY IF EXISTS kezek_unit ON %I', t);
        EXECUTE format('CREATE POLICY kezek_unit ON %I
            USING (unit = ANY ((SELECT kezek_my_units())::text[]))
            WITH CHECK (unit = ANY ((SELECT kezek_my_units())::text[]))', t);
    END LOOP;
END $$;

ALTER TABLE audit ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS kezek_unit ON audit;
DROP POLICY IF EXISTS kezek_read ON audit;
DROP POLICY IF EXISTS kezek_write ON audit;
CREATE POLICY kezek_read ON audit FOR SELECT
    USING (unit = ANY ((SELECT kezek_my_units())::text[]) OR actor = session_user::text);
CREATE POLICY kezek_write ON audit FOR INSERT
    WITH CHECK (actor = session_user::text
        AND (unit = ANY ((SELECT kezek_my_units())::text[]) OR (unit IS NULL AND case_number IS NULL)));

ALTER TABLE drafts ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS kezek_unit ON drafts;
DROP POLICY IF EXISTS kezek_own ON drafts;
CREATE POLICY kezek_own ON drafts USING (login = session_user::text)
    WITH CHECK (login = session_user::text AND unit = ANY ((SELECT kezek_my_units())::text[]));

-- Console settings: each user's own, read and written by no one else.
REVOKE ALL ON prefs FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON prefs
    TO kezek_inspector, kezek_supervisor, kezek_auditor, kezek_regional;
ALTER TABLE prefs ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS kezek_own ON prefs;
CREATE POLICY kezek_own ON prefs USING (login = session_user::text)
    WITH CHECK (login = session_user::text);

-- A user sees the users of the units they see, and themselves.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS kezek_unit ON users;
CREATE POLICY kezek_unit ON users FOR SELECT
    USING (login = session_user::text OR unit = ANY ((SELECT kezek_my_units())::text[]));

INSERT INTO meta (key, value) VALUES ('rights_version', '2')
ON CONFLICT (key) DO UPDATE SET value = excluded.value;
