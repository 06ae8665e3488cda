//! A sentence not yet in any language: a catalogue key and its arguments.
//!
//! The domain and the store say *what* is wrong as a [`Msg`]; whoever shows
//! it (the console, the command line) words it in the user's language with
//! [`crate::i18n`]. Dates and moments travel as values, so each language
//! writes them its own way.

use chrono::{NaiveDate, NaiveDateTime};

use super::text::Names;

/// A catalogue key with the values of its `{name}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// One value of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Data (a case number, a login, a file name): shown as it is.
    Text(String),
    Num(i64),
    /// A day: the weekday and `dd.mm.yyyy`.
    Day(NaiveDate),
    /// A moment on the office's wall clock: weekday, `dd.mm.yyyy HH:MM`.
    Local(NaiveDateTime),
    /// A name that exists in every language (a check, a ground, a stage).
    Name(Names),
    /// A nested sentence.
    Msg(Box<Msg>),
    /// Several sentences, joined with `; `.
    List(Vec<Msg>),
}

impl Msg {
    /// A message without arguments.
    pub const fn key(key: &'static str) -> Msg {
        Msg {
            key,
            args: Vec::new(),
        }
    }

    /// The value given for a placeholder.
    pub fn arg(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, a)| a)
    }
}

/// Build a [`Msg`] from a catalogue key and `name = value` pairs.
#[macro_export]
macro_rules! msg {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::domain::msg::Msg {
            key: $key,
            args: vec![$((stringify!($name), $crate::domain::msg::Arg::from($value))),*],
        }
    };
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Num(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
        impl From<&$t> for Arg {
            fn from(n: &$t) -> Arg {
                Arg::from(*n)
            }
        }
    )*};
}
number_arg!(u16, u32, i32, i64, u64, usize);

impl From<NaiveDate> for Arg {
    fn from(d: NaiveDate) -> Arg {
        Arg::Day(d)
    }
}

impl From<NaiveDateTime> for Arg {
    fn from(t: NaiveDateTime) -> Arg {
        Arg::Local(t)
    }
}

impl From<&Names> for Arg {
    fn from(n: &Names) -> Arg {
        Arg::Name(n.clone())
    }
}

impl From<Msg> for Arg {
    fn from(m: Msg) -> Arg {
        Arg::Msg(Box::new(m))
    }
}

impl From<Vec<Msg>> for Arg {
    fn from(list: Vec<Msg>) -> Arg {
        Arg::List(list)
    }
}

/// `Display` (in English, for logs) and `Error` from a type's [`Localize`].
#[macro_export]
macro_rules! localized_error {
    ($($t:ty),* $(,)?) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&$crate::domain::msg::Localize::msg(self), f)
            }
        }
        impl std::error::Error for $t {}
    )*};
}

/// Anything that can say what it is as a [`Msg`] (errors, mostly).
pub trait Localize {
    fn msg(&self) -> Msg;
}

impl Localize for Msg {
    fn msg(&self) -> Msg {
        self.clone()
    }
}
