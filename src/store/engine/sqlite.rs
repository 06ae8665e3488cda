//! SQLite beside the seam: values in and out. Opening a file, its pragmas
//! and migrations are in `store::db`, the schema in `store::schema`.

use super::{Param, ValueRef};

pub(crate) fn value_ref(v: rusqlite::types::ValueRef<'_>) -> ValueRef<'_> {
    use rusqlite::types::ValueRef as V;
    match v {
        V::Null => ValueRef::Null,
        V::Integer(i) => ValueRef::Integer(i),
        V::Real(r) => ValueRef::Real(r),
        V::Text(t) => ValueRef::Text(t),
        V::Blob(b) => ValueRef::Blob(b),
    }
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef as V};
        Ok(ToSqlOutput::Borrowed(match *self {
            Param::Null => V::Null,
            Param::Integer(i) => V::Integer(i),
            Param::Real(r) => V::Real(r),
            Param::Text(t) => V::Text(t.as_bytes()),
            Param::Blob(b) => V::Blob(b),
        }))
    }
}
