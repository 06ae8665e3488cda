//! PostgreSQL beside the seam: connecting (Unix socket or TCP with TLS by
//! rustls), statements, cursors, values, the schema version and the
//! announcements of changed cases.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use bytes::BytesMut;
use postgres::types::{IsNull, Type};

use super::{Behavior, Error, Param, Result, ValueRef, to_postgres};

/// The advisory lock every writing transaction takes first: writers take
/// turns, as on SQLite, so a read-check-write inside one never races.
const WRITE_LOCK: i64 = 0x6b657a656b; // "kezek"

/// Rows fetched from a cursor per round trip.
const FETCH: usize = 2000;

/// A prepared statement and the SQL it came from (a cursor declares it again).
#[derive(Clone)]
pub struct PgStmt {
    sql: Arc<str>,
    stmt: postgres::Statement,
}

/// An open PostgreSQL session.
pub struct Pg {
    client: RefCell<postgres::Client>,
    cache: RefCell<HashMap<String, PgStmt>>,
    in_tx: Cell<bool>,
    cursors: Cell<u32>,
    pid: i32,
}

/// `postgres://user:secret@host/db` without the password, for messages.
pub fn redact(target: &str) -> String {
    let mut out = String::with_capacity(target.len());
    if let Some(rest) = target
        .strip_prefix("postgres://")
        .map(|r| ("postgres://", r))
        .or_else(|| {
            target
                .strip_prefix("postgresql://")
                .map(|r| ("postgresql://", r))
        })
    {
        let (scheme, rest) = rest;
        out.push_str(scheme);
        let (auth, tail) = match rest.find('@') {
            Some(at) if !rest[..at].contains('/') => (&rest[..at], &rest[at..]),
            _ => ("", rest),
        };
        match auth.split_once(':') {
            Some((user, _)) => {
                out.push_str(user);
                out.push_str(":***");
            }
            None => out.push_str(auth),
        }
        out.push_str(&redact_pairs(tail, '&'));
        return out;
    }
    redact_pairs(target, ' ')
}

fn redact_pairs(s: &str, sep: char) -> String {
    s.split(sep)
        .map(|part| {
            let lower = part.to_ascii_lowercase();
            let key = lower.trim_start_matches(['?', '&']);
            if key.starts_with("password=") {
                let cut = part.find('=').map_or(part.len(), |i| i + 1);
                format!("{}***", &part[..cut])
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(&sep.to_string())
}

/// The session's settings: the connection string, and where it says
/// nothing, libpq's environment (`PGHOST`, `PGPORT`, `PGUSER`,
/// `PGDATABASE`, `PGPASSWORD`), then the operating-system login.
pub(crate) fn config(target: &str) -> Result<postgres::Config> {
    let mut c: postgres::Config = target
        .parse()
        .map_err(|e: postgres::Error| Error::Other(e.to_string()))?;
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if c.get_hosts().is_empty() {
        match env("PGHOST") {
            Some(h) => {
                for h in h.split(',') {
                    c.host(h);
                }
            }
            None => {
                c.host("/var/run/postgresql");
            }
        }
    }
    if c.get_ports().is_empty()
        && let Some(p) = env("PGPORT").and_then(|p| p.parse().ok())
    {
        c.port(p);
    }
    if c.get_user().is_none() {
        let user = env("PGUSER")
            .or_else(|| uzers::get_current_username().and_then(|n| n.into_string().ok()))
            .ok_or_else(|| Error::Other("no PostgreSQL user given".into()))?;
        c.user(&user);
    }
    if c.get_dbname().is_none() {
        let db = env("PGDATABASE").or_else(|| c.get_user().map(str::to_string));
        if let Some(db) = db {
            c.dbname(&db);
        }
    }
    if c.get_password().is_none()
        && let Some(p) = env("PGPASSWORD")
    {
        c.password(p);
    }
    // A Unix socket carries no TLS (the server refuses it there): with
    // libpq's default `prefer`, do not try.
    let unix_only = c
        .get_hosts()
        .iter()
        .all(|h| matches!(h, postgres::config::Host::Unix(_)));
    if unix_only && c.get_ssl_mode() == postgres::config::SslMode::Prefer {
        c.ssl_mode(postgres::config::SslMode::Disable);
    }
    if c.get_application_name().is_none() {
        c.application_name("kezek");
    }
    Ok(c)
}

/// TLS by rustls, trusting the system's roots and `PGSSLROOTCERT`.
pub(crate) fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = std::env::var_os("PGSSLROOTCERT") {
        let pem = std::fs::read(&path)
            .map_err(|e| Error::Other(format!("{}: {e}", std::path::Path::new(&path).display())))?;
        for cert in rustls::pki_types::pem::PemObject::pem_slice_iter(&pem) {
            let cert: rustls::pki_types::CertificateDer<'static> =
                cert.map_err(|e| Error::Other(format!("PGSSLROOTCERT: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| Error::Other(format!("PGSSLROOTCERT: {e}")))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Other(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

impl Pg {
    pub fn connect(target: &str) -> Result<Pg> {
        let config = config(target)?;
        let mut client = if config.get_ssl_mode() == postgres::config::SslMode::Disable {
            config.connect(postgres::NoTls)?
        } else {
            config.connect(tls()?)?
        };
        // A writer waits for another's transaction as long as on SQLite
        // (`db::BUSY_TIMEOUT`), then the user is told the database is busy.
        client.batch_execute(&format!(
            "SET lock_timeout = '{}ms'",
            crate::store::db::BUSY_TIMEOUT.as_millis()
        ))?;
        let row = client.query_one(
            "SELECT pg_backend_pid(), current_setting('server_encoding')",
            &[],
        )?;
        let pid: i32 = row.try_get(0)?;
        let encoding: String = row.try_get(1)?;
        if !encoding.eq_ignore_ascii_case("UTF8") {
            return Err(Error::Other(format!(
                "the database's encoding is {encoding}; kezek needs UTF8"
            )));
        }
        Ok(Pg {
            client: RefCell::new(client),
            cache: RefCell::new(HashMap::new()),
            in_tx: Cell::new(false),
            cursors: Cell::new(0),
            pid,
        })
    }

    fn client(&self) -> Result<std::cell::RefMut<'_, postgres::Client>> {
        self.client
            .try_borrow_mut()
            .map_err(|_| Error::Other("the PostgreSQL session is in use".into()))
    }

    pub(crate) fn prepare(&self, sql: &str) -> Result<PgStmt> {
        let text = to_postgres(sql);
        let stmt = self.client()?.prepare(&text)?;
        Ok(PgStmt {
            sql: text.into(),
            stmt,
        })
    }

    pub(crate) fn prepare_cached(&self, sql: &str) -> Result<PgStmt> {
        if let Some(s) = self.cache.borrow().get(sql) {
            return Ok(s.clone());
        }
        let s = self.prepare(sql)?;
        let mut cache = self.cache.borrow_mut();
        if cache.len() > 256 {
            cache.clear();
        }
        cache.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    pub(crate) fn execute(&self, s: &PgStmt, values: &[Param<'_>]) -> Result<usize> {
        let params = refs(values);
        let n = self.client()?.execute(&s.stmt, &params)?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub(crate) fn query(&self, s: &PgStmt, values: &[Param<'_>]) -> Result<Vec<postgres::Row>> {
        let params = refs(values);
        Ok(self.client()?.query(&s.stmt, &params)?)
    }

    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
        Ok(self.client()?.batch_execute(sql)?)
    }

    pub(crate) fn begin(&self, behavior: Behavior) -> Result<()> {
        if self.in_tx.get() {
            return Err(Error::Other("a transaction is already open".into()));
        }
        match behavior {
            Behavior::Immediate => self.batch(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
            ))?,
            Behavior::Deferred => self.batch("BEGIN")?,
        }
        self.in_tx.set(true);
        Ok(())
    }

    pub(crate) fn end(&self, how: &str) -> Result<()> {
        self.in_tx.set(false);
        self.batch(how)
    }

    /// A server-side cursor over `s`'s rows, fetched a batch at a time;
    /// outside a transaction it opens one of its own (a cursor lives in
    /// one) and ends it when dropped.
    pub(crate) fn cursor(&self, s: &PgStmt, values: &[Param<'_>]) -> Result<Cursor<'_>> {
        let owns_tx = !self.in_tx.get();
        if owns_tx {
            self.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
            self.in_tx.set(true);
        }
        let depth = self.cursors.get();
        let name = format!("kezek_cursor_{depth}");
        let declared = (|| {
            let declare =
                self.prepare_cached(&format!("DECLARE {name} NO SCROLL CURSOR FOR {}", s.sql))?;
            self.execute(&declare, values)
        })();
        if let Err(e) = declared {
            if owns_tx {
                let _ = self.end("ROLLBACK");
            }
            return Err(e);
        }
        self.cursors.set(depth + 1);
        Ok(Cursor {
            pg: self,
            fetch: format!("FETCH FORWARD {FETCH} FROM {name}"),
            close: format!("CLOSE {name}"),
            buf: VecDeque::new(),
            current: None,
            done: false,
            owns_tx,
        })
    }

    /// This session's server process: its own announcements are not news.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// Start hearing announcements on `channel`.
    pub fn listen(&self, channel: &str) -> Result<()> {
        self.batch(&format!("LISTEN {channel}"))
    }

    /// The case numbers other sessions announced since the last call,
    /// waiting at most `wait` for the first.
    pub fn announced(&self, wait: std::time::Duration) -> Result<Vec<String>> {
        use postgres::fallible_iterator::FallibleIterator;
        let mut client = self.client()?;
        let mut out = Vec::new();
        let mut n = client.notifications();
        // Only a blocking wait reads the socket (`iter` gives what an
        // earlier read buffered): wait at least a moment.
        let wait = wait.max(std::time::Duration::from_millis(1));
        if let Some(first) = n.timeout_iter(wait).next()?
            && first.process_id() != self.pid
        {
            out.push(first.payload().to_string());
        }
        let mut rest = n.iter();
        while let Some(x) = rest.next()? {
            if x.process_id() != self.pid {
                out.push(x.payload().to_string());
            }
        }
        Ok(out)
    }
}

fn refs<'a>(values: &'a [Param<'a>]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    values
        .iter()
        .map(|v| v as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

/// Rows of a server-side cursor.
pub struct Cursor<'p> {
    pg: &'p Pg,
    fetch: String,
    close: String,
    buf: VecDeque<postgres::Row>,
    current: Option<postgres::Row>,
    done: bool,
    owns_tx: bool,
}

impl Cursor<'_> {
    /// The next row, fetching another batch when these are used up.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<&postgres::Row>> {
        if self.buf.is_empty() && !self.done {
            let rows = self.pg.client()?.query(self.fetch.as_str(), &[])?;
            self.done = rows.len() < FETCH;
            self.buf.extend(rows);
        }
        self.current = self.buf.pop_front();
        Ok(self.current.as_ref())
    }
}

impl Drop for Cursor<'_> {
    fn drop(&mut self) {
        self.pg.cursors.set(self.pg.cursors.get().saturating_sub(1));
        if self.owns_tx {
            // Ending the transaction closes the cursor.
            let _ = self.pg.end("COMMIT");
        } else if self.pg.in_tx.get() {
            let _ = self.pg.batch(&self.close);
        }
    }
}

/// Column `i` of a row as one of SQLite's storage classes.
pub(crate) fn value_ref(r: &postgres::Row, i: usize) -> Result<ValueRef<'_>> {
    let ty = r
        .columns()
        .get(i)
        .map(|c| c.type_().clone())
        .ok_or_else(|| Error::Other(format!("no column {i}")))?;
    let v = match ty {
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => r
            .try_get::<_, Option<&str>>(i)?
            .map_or(ValueRef::Null, |s| ValueRef::Text(s.as_bytes())),
        Type::INT8 => r
            .try_get::<_, Option<i64>>(i)?
            .map_or(ValueRef::Null, ValueRef::Integer),
        Type::INT4 => r
            .try_get::<_, Option<i32>>(i)?
            .map_or(ValueRef::Null, |v| ValueRef::Integer(v.into())),
        Type::INT2 => r
            .try_get::<_, Option<i16>>(i)?
            .map_or(ValueRef::Null, |v| ValueRef::Integer(v.into())),
        Type::OID => r
            .try_get::<_, Option<u32>>(i)?
            .map_or(ValueRef::Null, |v| ValueRef::Integer(v.into())),
        Type::BOOL => r
            .try_get::<_, Option<bool>>(i)?
            .map_or(ValueRef::Null, |v| ValueRef::Integer(v.into())),
        Type::FLOAT8 => r
            .try_get::<_, Option<f64>>(i)?
            .map_or(ValueRef::Null, ValueRef::Real),
        Type::FLOAT4 => r
            .try_get::<_, Option<f32>>(i)?
            .map_or(ValueRef::Null, |v| ValueRef::Real(v.into())),
        Type::BYTEA => r
            .try_get::<_, Option<&[u8]>>(i)?
            .map_or(ValueRef::Null, ValueRef::Blob),
        other => {
            return Err(Error::Other(format!(
                "column {i} has a type kezek does not read: {other}"
            )));
        }
    };
    Ok(v)
}

impl postgres::types::ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        let texty = matches!(
            *ty,
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
        );
        match *self {
            Param::Null => Ok(IsNull::Yes),
            Param::Integer(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::FLOAT4 => (i as f32).to_sql(ty, out),
                _ if texty => i.to_string().as_str().to_sql(ty, out),
                _ => Err(format!("an integer cannot be a {ty}").into()),
            },
            Param::Real(r) => match *ty {
                Type::FLOAT8 => r.to_sql(ty, out),
                Type::FLOAT4 => (r as f32).to_sql(ty, out),
                _ if texty => r.to_string().as_str().to_sql(ty, out),
                _ => Err(format!("a number cannot be a {ty}").into()),
            },
            Param::Text(t) => match *ty {
                _ if texty => t.to_sql(ty, out),
                Type::INT8 => t.parse::<i64>()?.to_sql(ty, out),
                Type::INT4 => t.parse::<i32>()?.to_sql(ty, out),
                Type::INT2 => t.parse::<i16>()?.to_sql(ty, out),
                Type::FLOAT8 => t.parse::<f64>()?.to_sql(ty, out),
                Type::BYTEA => t.as_bytes().to_sql(ty, out),
                _ => Err(format!("text cannot be a {ty}").into()),
            },
            Param::Blob(b) => match *ty {
                Type::BYTEA => b.to_sql(ty, out),
                _ if texty => std::str::from_utf8(b)?.to_sql(ty, out),
                _ => Err(format!("bytes cannot be a {ty}").into()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// Bring the schema to this binary's version, all in one transaction under
/// the write lock (several sessions may open a new database at once). A
/// current schema is only read. `Err(Some(found))`: the database is newer.
pub(crate) fn migrate(pg: &Pg, target: i64) -> Result<std::result::Result<(), i64>> {
    let current = |pg: &Pg| -> Result<Option<i64>> {
        let rows = pg.client()?.query(
            "SELECT version FROM schema_version WHERE id = 1 AND to_regclass('schema_version') IS NOT NULL",
            &[],
        );
        match rows {
            Ok(rows) => Ok(rows.first().map(|r| r.try_get::<_, i64>(0)).transpose()?),
            Err(e) if e.code() == Some(&postgres::error::SqlState::UNDEFINED_TABLE) => Ok(None),
            Err(e) => Err(e.into()),
        }
    };
    let exists: bool = pg
        .client()?
        .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])?
        .try_get(0)?;
    if exists && let Some(v) = current(pg)? {
        if v == target {
            return Ok(Ok(()));
        }
        if v > target {
            return Ok(Err(v));
        }
    }
    pg.begin(Behavior::Immediate)?;
    let run = (|| -> Result<std::result::Result<(), i64>> {
        pg.batch(super::pg_schema::BOOTSTRAP)?;
        let found: i64 = pg
            .client()?
            .query_one(
                "SELECT version FROM schema_version WHERE id = 1 FOR UPDATE",
                &[],
            )?
            .try_get(0)?;
        if found > target || found < 0 {
            return Ok(Err(found));
        }
        let steps = super::pg_schema::MIGRATIONS;
        for v in found..target {
            let step = usize::try_from(v)
                .ok()
                .and_then(|i| steps.get(i))
                .ok_or_else(|| Error::Other(format!("no PostgreSQL migration {}", v + 1)))?;
            pg.batch(step)
                .map_err(|e| Error::Other(format!("migration {}: {e}", v + 1)))?;
        }
        pg.client()?.execute(
            "UPDATE schema_version SET version = $1 WHERE id = 1",
            &[&target],
        )?;
        Ok(Ok(()))
    })();
    match run {
        Ok(Ok(())) => {
            pg.end("COMMIT")?;
            Ok(Ok(()))
        }
        other => {
            let _ = pg.end("ROLLBACK");
            other
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_reach_a_message() {
        assert_eq!(
            super::redact("postgres://ivanov:s3cret@db.example/kezek?sslmode=require"),
            "postgres://ivanov:***@db.example/kezek?sslmode=require"
        );
        assert_eq!(
            super::redact("host=db user=li password=s3cret dbname=kezek"),
            "host=db user=li password=*** dbname=kezek"
        );
        assert_eq!(
            super::redact("postgresql:///kezek?host=/run/pg&password=x"),
            "postgresql:///kezek?host=/run/pg&password=***"
        );
    }
}
