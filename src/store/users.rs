//! kezek users: the operating-system user running kezek, mapped to a role.

use super::engine::{OptionalExtension, params};
use crate::domain::msg::{Arg, Msg};
#[allow(unused_imports)]
use crate::msg;
use serde::Serialize;

use super::{Store, StoreError, audit, enum_from, enum_str, ts};
use crate::domain::case::Actor;
use crate::domain::procedure::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub login: String,
    pub name: String,
    pub role: Role,
}

/// The operating-system user running kezek: the real user id, which the
/// kernel sets and a setgid binary does not change. Debug builds (the test
/// suite) may impersonate with `KEZEK_USER`, never with raised privileges;
/// release builds never read it.
pub fn current_login() -> Result<String, StoreError> {
    #[cfg(debug_assertions)]
    if let Some(u) = crate::privilege::env_var_os("KEZEK_USER").and_then(|u| u.into_string().ok())
        && !u.is_empty()
    {
        return Ok(u);
    }
    uzers::get_current_username()
        .and_then(|n| n.into_string().ok())
        .ok_or_else(|| StoreError::Denied(Msg::key("error.store.who")))
}

fn valid_login(login: &str) -> bool {
    !login.is_empty()
        && login.len() <= 64
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

impl Store {
    pub fn user(&self, login: &str) -> Result<Option<User>, StoreError> {
        self.conn
            .query_row(
                "SELECT login, name, role FROM users WHERE login = ?1",
                [login],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()?
            .map(|(login, name, role)| -> Result<User, StoreError> {
                Ok(User {
                    login,
                    name,
                    role: enum_from(&role)?,
                })
            })
            .transpose()
    }

    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT login, name, role FROM users ORDER BY login")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (login, name, role) = row?;
            out.push(User {
                login,
                name,
                role: enum_from(&role)?,
            });
        }
        Ok(out)
    }

    /// On a PostgreSQL server that enforces kezek's rights, the user is the
    /// connection's own role (`session_user`: peer authentication maps the
    /// operating-system user to it, a password or certificate proves it
    /// over TCP); the server refuses an audit row in any other name.
    pub fn server_login(&self) -> Result<Option<String>, StoreError> {
        if self.engine() != super::engine::Engine::Postgres {
            return Ok(None);
        }
        let (login, rights): (String, bool) = self.conn.query_row(
            "SELECT session_user::text, EXISTS (SELECT 1 FROM meta WHERE key = 'rights_version')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(rights.then_some(login))
    }

    /// Whether this session recomputes deadlines after new rules: always,
    /// except on a server with kezek's rights, where only the administrator
    /// and supervisors may (an inspector's commands leave it to them).
    pub fn may_recompute(&self) -> Result<bool, StoreError> {
        if self.server_login()?.is_none() {
            return Ok(true);
        }
        Ok(self
            .conn
            .query_row("SELECT kezek_may_recompute()", [], |r| r.get(0))?)
    }

    /// The kezek user of the operating-system user running kezek (on a
    /// server with kezek's rights, of the connection's role).
    pub fn current_actor(&self) -> Result<Actor, StoreError> {
        let login = match self.server_login()? {
            Some(login) => login,
            None => current_login()?,
        };
        match self.user(&login)? {
            Some(u) => Ok(Actor {
                login: u.login,
                role: u.role,
            }),
            None => Err(StoreError::Denied(msg!(
                "error.store.not-a-user",
                login = &login
            ))),
        }
    }

    /// Add a user. The first user of an empty database becomes a supervisor
    /// whatever role was asked; afterwards only a supervisor may add users.
    /// Returns the role given.
    pub fn add_user(
        &mut self,
        by: &str,
        login: &str,
        role: Role,
        name: &str,
    ) -> Result<Role, StoreError> {
        if !valid_login(login) {
            return Err(StoreError::Invalid(msg!(
                "error.store.bad-login",
                login = login.escape_default().to_string()
            )));
        }
        let name = name.trim();
        if name.is_empty()
            || name.chars().any(crate::domain::text::is_unsafe)
            || name.chars().count() > 200
        {
            return Err(StoreError::Invalid(Msg::key("error.store.bad-name")));
        }
        // Spaces or zero-width characters alone would show as no one.
        if !name.chars().any(char::is_alphabetic) {
            return Err(StoreError::Invalid(Msg::key("error.store.name-no-letter")));
        }
        let now = chrono::Utc::now();
        self.write(|tx, _, _| {
            let count: i64 = tx.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
            let role = if count == 0 {
                Role::Supervisor
            } else {
                let by_role: Option<String> = tx
                    .query_row("SELECT role FROM users WHERE login = ?1", [by], |r| r.get(0))
                    .optional()?;
                match by_role.as_deref() {
                    Some("supervisor") => role,
                    Some(other) => {
                        let role = match other.parse::<Role>() {
                            Ok(r) => Arg::from(Msg::key(r.key())),
                            Err(_) => Arg::from(other),
                        };
                        return Err(StoreError::Denied(Msg {
                            key: "error.store.add-users",
                            args: vec![("login", Arg::from(by)), ("role", role)],
                        }));
                    }
                    None => {
                        return Err(StoreError::Denied(msg!(
                            "error.store.add-users-unknown",
                            login = by
                        )));
                    }
                }
            };
            let exists: i64 = tx.query_row("SELECT count(*) FROM users WHERE login = ?1", [login], |r| r.get(0))?;
            if exists > 0 {
                return Err(StoreError::Invalid(msg!("error.store.user-exists", login = login)));
            }
            tx.execute(
                "INSERT INTO users (login, name, role, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![login, name, enum_str(&role), ts(now), by],
            )?;
            let after = serde_json::json!({ "login": login, "name": name, "role": role });
            audit::append(tx, now, by, None, "user.add", None, Some(&after.to_string()))?;
            Ok(role)
        })
    }
}

impl Store {
    /// Change a user's role: a supervisor's, never their own.
    pub fn set_role(&mut self, by: &str, login: &str, role: Role) -> Result<(), StoreError> {
        if by == login {
            return Err(StoreError::Denied(msg!("error.store.own-role", login = by)));
        }
        let now = chrono::Utc::now();
        self.write(|tx, _, _| {
            let by_role: Option<String> = tx
                .query_row("SELECT role FROM users WHERE login = ?1", [by], |r| {
                    r.get(0)
                })
                .optional()?;
            if by_role.as_deref() != Some("supervisor") {
                return Err(StoreError::Denied(msg!("error.store.set-role", login = by)));
            }
            let old: Option<String> = tx
                .query_row("SELECT role FROM users WHERE login = ?1", [login], |r| {
                    r.get(0)
                })
                .optional()?;
            let Some(old) = old else {
                return Err(StoreError::NotFound(msg!(
                    "error.store.no-user",
                    login = login.escape_default().to_string()
                )));
            };
            tx.execute(
                "UPDATE users SET role = ?1 WHERE login = ?2",
                params![enum_str(&role), login],
            )?;
            let before = serde_json::json!({ "login": login, "role": old });
            let after = serde_json::json!({ "login": login, "role": role });
            audit::append(
                tx,
                now,
                by,
                None,
                "user.role",
                Some(&before.to_string()),
                Some(&after.to_string()),
            )?;
            Ok(())
        })
    }
}
