//! The two engines a store runs on: SQLite (embedded, one office) and
//! PostgreSQL (one server for many offices).

pub mod pg_schema;
