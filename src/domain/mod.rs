//! Pure domain logic: no SQLite, no terminal, no clock reads.
//!
//! The current instant is always a parameter, so every computation here is
//! reproducible in a test.

pub mod calendar;
pub mod case;
pub mod checks;
pub mod iin;
pub mod msg;
pub mod procedure;
pub mod rules_error;
pub mod term;
pub mod text;
pub mod urgency;

pub use rules_error::RuleError;
