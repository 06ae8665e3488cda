//! The rights a PostgreSQL server enforces for kezek (`pg/rights.sql`):
//! group roles, units and regions, row-level security, the audit row every
//! change needs, approvals and user changes only by those entitled to them.
//! Applied by the administrator after the schema; every statement in it can
//! run again, and it records its version in `meta` (`rights_version`).

/// The SQL, as shipped with this kezek.
pub const SQL: &str = include_str!("pg/rights.sql");

/// The version `SQL` records in `meta` under `rights_version`.
pub const VERSION: &str = "2";

/// The kezek roles whose group roles the server grants (`kezek_ROLE`).
pub const GROUP_ROLES: &[&str] = &["inspector", "supervisor", "auditor", "regional"];

#[cfg(test)]
mod tests {
    #[test]
    fn the_sql_records_the_version_it_is() {
        assert!(super::SQL.contains(&format!(
            "INSERT INTO meta (key, value) VALUES ('rights_version', '{}')",
            super::VERSION
        )));
        for r in super::GROUP_ROLES {
            assert!(super::SQL.contains(&format!("'kezek_{r}'")), "{r}");
        }
    }
}
