//! The two engines a store runs on: SQLite (embedded, one office; the
//! default) and PostgreSQL (one server for many offices).
//!
//! The store's code talks to one small interface, [`Conn`]: `execute`,
//! `query_row`, `prepare(_cached)` → `query_map`/`query`, and
//! [`Conn::transaction`]. SQL is written once with SQLite's `?N`
//! placeholders; on PostgreSQL they become `$N`. What differs between the
//! engines (the schema, pragmas, the schema version, how the audit chain is
//! signed, how a change is announced) lives in [`sqlite`] and [`pg`].
//!
//! Values cross the seam as [`Param`] (in) and [`ValueRef`] (out), the
//! storage classes SQLite has: null, integer, real, text, blob. On
//! PostgreSQL they are converted to and from the column's declared type.

pub mod pg;
pub mod pg_schema;
pub mod sqlite;

use std::fmt;
use std::path::{Path, PathBuf};

/// Which engine a `--db` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file (a plain path or `sqlite:PATH`).
    Sqlite(PathBuf),
    /// A libpq-style connection string: `postgres://…`, `postgresql://…`
    /// or `host=… dbname=…`.
    Postgres(String),
}

/// The engine `--db` (or `KEZEK_DB`) selects: a PostgreSQL URL or
/// `key=value` connection string, else a SQLite file.
pub fn target(db: &Path) -> Target {
    let Some(s) = db.to_str() else {
        return Target::Sqlite(db.to_path_buf());
    };
    if let Some(rest) = s.strip_prefix("sqlite:") {
        return Target::Sqlite(PathBuf::from(rest.strip_prefix("//").unwrap_or(rest)));
    }
    if s.starts_with("postgres://") || s.starts_with("postgresql://") || is_keyword_string(s) {
        return Target::Postgres(s.to_string());
    }
    Target::Sqlite(db.to_path_buf())
}

/// `host=/run/postgresql dbname=kezek`: libpq's `key=value` form. A file
/// path never starts with one of libpq's keywords followed by `=`.
fn is_keyword_string(s: &str) -> bool {
    const KEYS: &[&str] = &[
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "sslmode",
        "application_name",
        "connect_timeout",
        "options",
    ];
    let first = s.split_whitespace().next().unwrap_or_default();
    first
        .split_once('=')
        .is_some_and(|(k, _)| KEYS.contains(&k.trim()))
}

/// Which engine an open connection runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// An error from either engine, or from reading a value of the wrong type.
#[derive(Debug)]
pub enum Error {
    Sqlite(rusqlite::Error),
    Postgres(postgres::Error),
    /// `query_row` found no row.
    NoRows,
    /// A column's value is not of the type asked for.
    Type {
        column: usize,
        found: &'static str,
    },
    Other(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Sqlite(e) => write!(f, "{e}"),
            Error::Postgres(e) => match e.as_db_error() {
                Some(db) => write!(f, "{}: {}", db.severity(), db.message()),
                None => match std::error::Error::source(e) {
                    Some(why) => write!(f, "{e}: {why}"),
                    None => write!(f, "{e}"),
                },
            },
            Error::NoRows => write!(f, "Query returned no rows"),
            Error::Type { column, found } => {
                write!(f, "Invalid column type {found} at index: {column}")
            }
            Error::Other(s) => write!(f, "{s}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => Error::NoRows,
            e => Error::Sqlite(e),
        }
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        Error::Postgres(e)
    }
}

impl Error {
    /// Another session holds what this one waits for (SQLite's busy or
    /// locked; PostgreSQL's serialization failure, deadlock or lock timeout).
    pub fn is_busy(&self) -> bool {
        match self {
            Error::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            Error::Postgres(e) => e.code().is_some_and(|c| {
                use postgres::error::SqlState;
                *c == SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == SqlState::T_R_DEADLOCK_DETECTED
                    || *c == SqlState::LOCK_NOT_AVAILABLE
            }),
            _ => false,
        }
    }
}

/// `.optional()` on a `query_row`: no row is `None`, not an error.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A parameter as it crosses the seam.
#[derive(Debug, Clone, Copy)]
pub enum Param<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// What can be bound to a placeholder.
pub trait ToSql {
    fn to_param(&self) -> Param<'_>;
}

impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_param(&self) -> Param<'_> {
        (**self).to_param()
    }
}
impl ToSql for str {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}
impl ToSql for String {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}
impl ToSql for [u8] {
    fn to_param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}
impl ToSql for Vec<u8> {
    fn to_param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}
impl ToSql for bool {
    fn to_param(&self) -> Param<'_> {
        Param::Integer(i64::from(*self))
    }
}
impl ToSql for f64 {
    fn to_param(&self) -> Param<'_> {
        Param::Real(*self)
    }
}
macro_rules! int_to_sql {
    ($($t:ty),*) => {$(
        impl ToSql for $t {
            fn to_param(&self) -> Param<'_> {
                Param::Integer(*self as i64)
            }
        }
    )*};
}
int_to_sql!(i8, i16, i32, i64, u8, u16, u32, isize);
impl ToSql for usize {
    fn to_param(&self) -> Param<'_> {
        Param::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl ToSql for u64 {
    fn to_param(&self) -> Param<'_> {
        Param::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl<T: ToSql> ToSql for Option<T> {
    fn to_param(&self) -> Param<'_> {
        match self {
            Some(v) => v.to_param(),
            None => Param::Null,
        }
    }
}
impl ToSql for Param<'_> {
    fn to_param(&self) -> Param<'_> {
        *self
    }
}

/// The parameters of one statement, handed to `f` as the seam's values.
pub trait Params {
    fn with<R>(&self, f: impl FnOnce(&[Param<'_>]) -> R) -> R;
}

impl Params for [&(dyn ToSql + Send + Sync); 0] {
    fn with<R>(&self, f: impl FnOnce(&[Param<'_>]) -> R) -> R {
        f(&[])
    }
}
impl Params for &[&dyn ToSql] {
    fn with<R>(&self, f: impl FnOnce(&[Param<'_>]) -> R) -> R {
        let v: Vec<Param<'_>> = self.iter().map(|p| p.to_param()).collect();
        f(&v)
    }
}
impl<T: ToSql, const N: usize> Params for &[T; N] {
    fn with<R>(&self, f: impl FnOnce(&[Param<'_>]) -> R) -> R {
        let v: Vec<Param<'_>> = self.iter().map(|p| p.to_param()).collect();
        f(&v)
    }
}
macro_rules! array_params {
    ($($n:literal),*) => {$(
        impl<T: ToSql> Params for [T; $n] {
            fn with<R>(&self, f: impl FnOnce(&[Param<'_>]) -> R) -> R {
                let v: Vec<Param<'_>> = self.iter().map(|p| p.to_param()).collect();
                f(&v)
            }
        }
    )*};
}
array_params!(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);

/// Parameters from an iterator (`params_from_iter(args.iter())`).
pub struct ParamsFromIter<I>(I);

pub fn params_from_iter<I>(iter: I) -> ParamsFromIter<I>
where
    I: IntoIterator + Clone,
    I::Item: ToSql,
{
    ParamsFromIter(iter)
}

impl<I> Params for ParamsFromIter<I>
where
    I: IntoIterator + Clone,
    I::Item: ToSql,
{
    fn with<R>(&self, f: impl FnOnce(&[Param<'_>]) -> R) -> R {
        let items: Vec<I::Item> = self.0.clone().into_iter().collect();
        let v: Vec<Param<'_>> = items.iter().map(ToSql::to_param).collect();
        f(&v)
    }
}

/// `params![a, b, c]`: parameters of mixed types.
#[macro_export]
macro_rules! sql_params {
    () => {
        &[] as &[&dyn $crate::store::engine::ToSql]
    };
    ($($p:expr),+ $(,)?) => {
        &[$(&$p as &dyn $crate::store::engine::ToSql),+] as &[&dyn $crate::store::engine::ToSql]
    };
}
pub use crate::sql_params as params;

/// A value read from a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

impl<'a> ValueRef<'a> {
    pub fn as_str(&self) -> Result<&'a str> {
        match self {
            ValueRef::Text(t) => std::str::from_utf8(t).map_err(|e| Error::Other(e.to_string())),
            other => Err(Error::Type {
                column: 0,
                found: other.kind(),
            }),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ValueRef::Null => "Null",
            ValueRef::Integer(_) => "Integer",
            ValueRef::Real(_) => "Real",
            ValueRef::Text(_) => "Text",
            ValueRef::Blob(_) => "Blob",
        }
    }
}

/// What a column's value can be read as; the rules are rusqlite's.
pub trait FromSql: Sized {
    fn from_sql(v: ValueRef<'_>) -> std::result::Result<Self, &'static str>;
}

fn wrong(v: ValueRef<'_>) -> &'static str {
    v.kind()
}

impl FromSql for String {
    fn from_sql(v: ValueRef<'_>) -> std::result::Result<Self, &'static str> {
        match v {
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map(str::to_string)
                .map_err(|_| "invalid UTF-8"),
            other => Err(wrong(other)),
        }
    }
}
impl FromSql for i64 {
    fn from_sql(v: ValueRef<'_>) -> std::result::Result<Self, &'static str> {
        match v {
            ValueRef::Integer(i) => Ok(i),
            other => Err(wrong(other)),
        }
    }
}
impl FromSql for i32 {
    fn from_sql(v: ValueRef<'_>) -> std::result::Result<Self, &'static str> {
        match v {
            ValueRef::Integer(i) => i32::try_from(i).map_err(|_| "out of range"),
            other => Err(wrong(other)),
        }
    }
}
impl FromSql for u32 {
    fn from_sql(v: ValueRef<'_>) -> std::result::Result<Self, &'static str> {
        match v {
            ValueRef::Integer(i) => u32::try_from(i).map_err(|_| "out of range"),
            other => Err(wrong(other)),
        }
    }
}
impl FromSql for u64 {
    fn from_sql(v: ValueRef<'_>) -> std::result::Result<Self, &'static str> {
        match v {
            ValueRef::Integer(i) => u64::try_from(i).map_err(|_| "out of range"),
            other => Err(wrong(other)),
        }
    }
}
impl FromSql for usize {
    fn from_sql(v: ValueRef<'_>) -> std::result::Result<Self, &'static str> {
        match v {
            ValueRef::Integer(i) => usize::try_from(i).map_err(|_| "out of range"),
            other => Err(wrong(other)),
        }
    }
}
impl FromSql for bool {
    fn from_sql(v: ValueRef<'_>) -> std::result::Result<Self, &'static str> {
        match v {
            ValueRef::Integer(i) => Ok(i != 0),
            other => Err(wrong(other)),
        }
    }
}
impl FromSql for f64 {
    fn from_sql(v: ValueRef<'_>) -> std::result::Result<Self, &'static str> {
        match v {
            ValueRef::Integer(i) => Ok(i as f64),
            ValueRef::Real(r) => Ok(r),
            other => Err(wrong(other)),
        }
    }
}
impl FromSql for Vec<u8> {
    fn from_sql(v: ValueRef<'_>) -> std::result::Result<Self, &'static str> {
        match v {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            other => Err(wrong(other)),
        }
    }
}
impl<T: FromSql> FromSql for Option<T> {
    fn from_sql(v: ValueRef<'_>) -> std::result::Result<Self, &'static str> {
        match v {
            ValueRef::Null => Ok(None),
            v => T::from_sql(v).map(Some),
        }
    }
}

/// A column's place in a row (`r.get::<_, T>(0)`, as in rusqlite).
pub trait ColumnIndex {
    fn index(self) -> usize;
}

impl ColumnIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// One row of a result.
pub enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r postgres::Row),
}

impl<'r> Row<'r> {
    /// Column `i` as a `T`; a value of another type is an error, as in rusqlite.
    pub fn get<I: ColumnIndex, T: FromSql>(&self, i: I) -> Result<T> {
        let i = i.index();
        let v = self.get_ref(i)?;
        T::from_sql(v).map_err(|found| Error::Type { column: i, found })
    }

    pub fn get_ref(&self, i: usize) -> Result<ValueRef<'_>> {
        match self {
            Row::Sqlite(r) => Ok(sqlite::value_ref(r.get_ref(i)?)),
            Row::Postgres(r) => pg::value_ref(r, i),
        }
    }
}

/// A connection to either engine.
pub struct Conn {
    inner: Inner,
}

enum Inner {
    Sqlite(rusqlite::Connection),
    Postgres(Box<pg::Pg>),
}

/// How a transaction starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behavior {
    /// Takes the write lock at once (SQLite's `BEGIN IMMEDIATE`; on
    /// PostgreSQL a transaction-scoped advisory lock all writers share), so
    /// what it reads stays true until it commits.
    Immediate,
    /// Reads first; a write may wait or fail later.
    Deferred,
}

impl Conn {
    pub fn sqlite(c: rusqlite::Connection) -> Conn {
        Conn {
            inner: Inner::Sqlite(c),
        }
    }

    pub(crate) fn postgres(p: pg::Pg) -> Conn {
        Conn {
            inner: Inner::Postgres(Box::new(p)),
        }
    }

    pub fn engine(&self) -> Engine {
        match self.inner {
            Inner::Sqlite(_) => Engine::Sqlite,
            Inner::Postgres(_) => Engine::Postgres,
        }
    }

    /// The SQLite connection underneath (pragmas, SQL functions).
    pub(crate) fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.inner {
            Inner::Sqlite(c) => Some(c),
            Inner::Postgres(_) => None,
        }
    }

    pub(crate) fn as_pg(&self) -> Option<&pg::Pg> {
        match &self.inner {
            Inner::Sqlite(_) => None,
            Inner::Postgres(p) => Some(p),
        }
    }

    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        match &self.inner {
            Inner::Sqlite(c) => Ok(Stmt::Sqlite(SqliteStmt::Plain(c.prepare(sql)?))),
            Inner::Postgres(p) => Ok(Stmt::Postgres(p, p.prepare(sql)?)),
        }
    }

    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        match &self.inner {
            Inner::Sqlite(c) => Ok(Stmt::Sqlite(SqliteStmt::Cached(c.prepare_cached(sql)?))),
            Inner::Postgres(p) => Ok(Stmt::Postgres(p, p.prepare_cached(sql)?)),
        }
    }

    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    pub fn query_row<T, P: Params, F>(&self, sql: &str, params: P, f: F) -> Result<T>
    where
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// Several statements without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.inner {
            Inner::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Inner::Postgres(p) => p.batch(sql),
        }
    }

    /// Begin a transaction: committed by [`Tx::commit`], rolled back when
    /// dropped without it.
    pub fn transaction(&self, behavior: Behavior) -> Result<Tx<'_>> {
        match &self.inner {
            Inner::Sqlite(c) => c.execute_batch(match behavior {
                Behavior::Immediate => "BEGIN IMMEDIATE",
                Behavior::Deferred => "BEGIN DEFERRED",
            })?,
            Inner::Postgres(p) => p.begin(behavior)?,
        }
        Ok(Tx {
            conn: self,
            done: false,
        })
    }
}

/// An open transaction; everything a [`Conn`] does, inside it.
pub struct Tx<'c> {
    conn: &'c Conn,
    done: bool,
}

impl std::ops::Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl Tx<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        match &self.conn.inner {
            Inner::Sqlite(c) => Ok(c.execute_batch("COMMIT")?),
            Inner::Postgres(p) => p.end("COMMIT"),
        }
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = match &self.conn.inner {
                Inner::Sqlite(c) => c.execute_batch("ROLLBACK").map_err(Error::from),
                Inner::Postgres(p) => p.end("ROLLBACK"),
            };
        }
    }
}

pub enum SqliteStmt<'c> {
    Plain(rusqlite::Statement<'c>),
    Cached(rusqlite::CachedStatement<'c>),
}

impl<'c> std::ops::Deref for SqliteStmt<'c> {
    type Target = rusqlite::Statement<'c>;
    fn deref(&self) -> &rusqlite::Statement<'c> {
        match self {
            SqliteStmt::Plain(s) => s,
            SqliteStmt::Cached(s) => s,
        }
    }
}

impl<'c> std::ops::DerefMut for SqliteStmt<'c> {
    fn deref_mut(&mut self) -> &mut rusqlite::Statement<'c> {
        match self {
            SqliteStmt::Plain(s) => s,
            SqliteStmt::Cached(s) => s,
        }
    }
}

/// A prepared statement.
pub enum Stmt<'c> {
    Sqlite(SqliteStmt<'c>),
    Postgres(&'c pg::Pg, pg::PgStmt),
}

impl<'c> Stmt<'c> {
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        params.with(|values| match self {
            Stmt::Sqlite(s) => s
                .execute(rusqlite::params_from_iter(values.iter()))
                .map_err(Error::from),
            Stmt::Postgres(p, s) => p.execute(s, values),
        })
    }

    pub fn query_row<T, P: Params, F>(&mut self, params: P, f: F) -> Result<T>
    where
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        params.with(|values| match self {
            Stmt::Sqlite(s) => {
                let mut rows = s.query(rusqlite::params_from_iter(values.iter()))?;
                match rows.next()? {
                    Some(r) => f(&Row::Sqlite(r)),
                    None => Err(Error::NoRows),
                }
            }
            Stmt::Postgres(p, s) => {
                let rows = p.query(s, values)?;
                match rows.first() {
                    Some(r) => f(&Row::Postgres(r)),
                    None => Err(Error::NoRows),
                }
            }
        })
    }

    /// Every row, each through `f`; collected before the first is returned.
    pub fn query_map<T, P: Params, F>(
        &mut self,
        params: P,
        mut f: F,
    ) -> Result<std::vec::IntoIter<Result<T>>>
    where
        F: FnMut(&Row<'_>) -> Result<T>,
    {
        let mut out = Vec::new();
        params.with(|values| match self {
            Stmt::Sqlite(s) => {
                let mut rows = s.query(rusqlite::params_from_iter(values.iter()))?;
                while let Some(r) = rows.next()? {
                    out.push(f(&Row::Sqlite(r)));
                }
                Ok::<(), Error>(())
            }
            Stmt::Postgres(p, s) => {
                let rows = p.query(s, values)?;
                out.extend(rows.iter().map(|r| f(&Row::Postgres(r))));
                Ok(())
            }
        })?;
        Ok(out.into_iter())
    }

    /// A cursor over the rows, read as they come: the queue, exports and
    /// the audit walk stream through it instead of holding every row.
    pub fn query<P: Params>(&mut self, params: P) -> Result<Rows<'_>> {
        params.with(move |values| match self {
            Stmt::Sqlite(s) => Ok(Rows::Sqlite(
                s.query(rusqlite::params_from_iter(values.iter()))?,
            )),
            Stmt::Postgres(p, s) => Ok(Rows::Postgres(p.cursor(s, values)?)),
        })
    }

    pub fn exists<P: Params>(&mut self, params: P) -> Result<bool> {
        let mut rows = self.query(params)?;
        Ok(rows.next()?.is_some())
    }
}

/// Rows read one at a time.
pub enum Rows<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Postgres(pg::Cursor<'s>),
}

impl Rows<'_> {
    /// The next row; a lending cursor, as rusqlite's (not an `Iterator`).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match self {
            Rows::Sqlite(r) => Ok(r.next()?.map(Row::Sqlite)),
            Rows::Postgres(c) => Ok(c.next()?.map(Row::Postgres)),
        }
    }
}

/// SQLite's `?N` placeholders as PostgreSQL's `$N` (a bare `?` takes the
/// next number), and SQLite's index hints (`INDEXED BY name`) dropped:
/// PostgreSQL's planner chooses for itself. Quoted text is left alone.
pub fn to_postgres(sql: &str) -> String {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 8);
    let mut i = 0;
    let mut next = 0u32;
    let mut start = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                i += 1;
            }
            b'?' => {
                out.push_str(&sql[start..i]);
                let mut j = i + 1;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                if j > i + 1 {
                    out.push('$');
                    out.push_str(&sql[i + 1..j]);
                } else {
                    next += 1;
                    out.push_str(&format!("${next}"));
                }
                i = j;
                start = i;
            }
            b'I' | b'i'
                if sql[i..].len() >= 10 && sql[i..i + 10].eq_ignore_ascii_case("INDEXED BY") =>
            {
                out.push_str(&sql[start..i]);
                let mut j = i + 10;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                i = j;
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&sql[start.min(sql.len())..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_and_hints_go() {
        assert_eq!(
            to_postgres("SELECT a FROM t INDEXED BY t_i WHERE a = ?1 AND b = ?12 AND c = '?1'"),
            "SELECT a FROM t  WHERE a = $1 AND b = $12 AND c = '?1'"
        );
        assert_eq!(to_postgres("VALUES (?, ?)"), "VALUES ($1, $2)");
    }

    #[test]
    fn a_db_names_its_engine() {
        let t = |s: &str| target(Path::new(s));
        assert_eq!(t("kezek.db"), Target::Sqlite("kezek.db".into()));
        assert_eq!(t("sqlite:/x/k.db"), Target::Sqlite("/x/k.db".into()));
        assert_eq!(t("sqlite:///x/k.db"), Target::Sqlite("/x/k.db".into()));
        assert!(matches!(t("postgres://u@h/db"), Target::Postgres(_)));
        assert!(matches!(
            t("postgresql:///db?host=/run/pg"),
            Target::Postgres(_)
        ));
        assert!(matches!(t("host=/tmp dbname=k"), Target::Postgres(_)));
        assert_eq!(t("./host=x"), Target::Sqlite("./host=x".into()));
        assert_eq!(t("hosts.db"), Target::Sqlite("hosts.db".into()));
    }
}
