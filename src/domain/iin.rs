//! IIN (individual identification number) and BIN (business identification
//! number) validation.
//!
//! Both are 12 digits with a check digit computed in two passes of weights.
//! Since Government decree No. 853 of 26.08.2013 the digits are not a
//! guaranteed source of personal data: kezek validates the structure but
//! never derives a date of birth or sex from an IIN; a date of birth that
//! differs from the IIN's digits is only a warning.

use std::fmt;

use super::msg::{Localize, Msg};
use crate::msg;
use chrono::NaiveDate;
use serde::Serialize;

/// Which kind of number a 12-digit value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IdKind {
    Iin,
    Bin,
}

impl IdKind {
    /// Tell the kind from the digits: in a BIN the 5th digit is the entity
    /// type (4, 5 or 6), which in an IIN would be a day of month of 40 or more.
    pub fn guess(input: &str) -> IdKind {
        match input.as_bytes().get(4) {
            Some(b'4'..=b'6') => IdKind::Bin,
            _ => IdKind::Iin,
        }
    }

    /// The kind's name in the catalogue (ИИН / ЖСН / IIN).
    pub fn key(self) -> &'static str {
        match self {
            IdKind::Iin => "id-kind.iin",
            IdKind::Bin => "id-kind.bin",
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdKind::Iin => "IIN",
            IdKind::Bin => "BIN",
        })
    }
}

/// The rule an identifier breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    Length(usize),
    NotDigit { position: usize, found: char },
    CenturyDigit(u8),
    BirthDate(String),
    RegistrationMonth(u32),
    EntityType(u8),
    Division(u8),
    CheckDigit { expected: u8, found: u8 },
    NeverIssued,
}

impl Localize for IdError {
    fn msg(&self) -> Msg {
        match self {
            IdError::Length(n) => msg!("error.id.length", n = *n),
            IdError::NotDigit { position, found } => msg!(
                "error.id.not-digit",
                position = *position,
                found = found.escape_default().to_string()
            ),
            IdError::CenturyDigit(d) => msg!("error.id.century", found = u32::from(*d)),
            IdError::BirthDate(d) => msg!("error.id.birth-date", date = d),
            IdError::RegistrationMonth(m) => {
                msg!("error.id.month", month = format!("{m:02}"))
            }
            IdError::EntityType(d) => msg!("error.id.entity", found = u32::from(*d)),
            IdError::Division(d) => msg!("error.id.division", found = u32::from(*d)),
            IdError::CheckDigit { expected, found } => msg!(
                "error.id.check-digit",
                found = u32::from(*found),
                expected = u32::from(*expected)
            ),
            IdError::NeverIssued => Msg::key("error.id.never-issued"),
        }
    }
}
crate::localized_error!(IdError);

/// A well-formed identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identifier {
    pub kind: IdKind,
    pub digits: [u8; 12],
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.digits {
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

const FIRST_PASS: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SECOND_PASS: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/// The check digit of the first 11 digits, or `None` when the number is never issued.
pub fn check_digit(first11: &[u8; 11]) -> Option<u8> {
    let pass = |w: &[u32; 11]| -> u32 {
        first11
            .iter()
            .zip(w)
            .map(|(&d, &w)| u32::from(d) * w)
            .sum::<u32>()
            % 11
    };
    let r = pass(&FIRST_PASS);
    let r = if r == 10 { pass(&SECOND_PASS) } else { r };
    (r != 10).then_some(r as u8)
}

fn digits(input: &str) -> Result<[u8; 12], IdError> {
    let count = input.chars().count();
    if count == 12
        && let Some((i, c)) = input.chars().enumerate().find(|(_, c)| !c.is_ascii_digit())
    {
        return Err(IdError::NotDigit {
            position: i + 1,
            found: c,
        });
    }
    if count != 12 || !input.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::Length(count));
    }
    let mut out = [0u8; 12];
    for (o, b) in out.iter_mut().zip(input.bytes()) {
        *o = b - b'0';
    }
    Ok(out)
}

fn verify_check_digit(d: &[u8; 12]) -> Result<(), IdError> {
    let mut first11 = [0u8; 11];
    first11.copy_from_slice(&d[..11]);
    match check_digit(&first11) {
        None => Err(IdError::NeverIssued),
        Some(k) if k == d[11] => Ok(()),
        Some(k) => Err(IdError::CheckDigit {
            expected: k,
            found: d[11],
        }),
    }
}

fn two(d: &[u8; 12], at: usize) -> u32 {
    u32::from(d[at]) * 10 + u32::from(d[at + 1])
}

/// The date of birth the IIN's digits encode (for the consistency check only).
fn encoded_birth_date(d: &[u8; 12]) -> Result<NaiveDate, IdError> {
    let century = match d[6] {
        1 | 2 => 1800,
        3 | 4 => 1900,
        5 | 6 => 2000,
        other => return Err(IdError::CenturyDigit(other)),
    };
    let (yy, mm, dd) = (two(d, 0), two(d, 2), two(d, 4));
    let year = century + yy as i32;
    NaiveDate::from_ymd_opt(year, mm, dd)
        .ok_or_else(|| IdError::BirthDate(format!("{dd:02}.{mm:02}.{year}")))
}

/// Validate an IIN.
pub fn validate_iin(input: &str) -> Result<Identifier, IdError> {
    let d = digits(input)?;
    encoded_birth_date(&d)?;
    verify_check_digit(&d)?;
    Ok(Identifier {
        kind: IdKind::Iin,
        digits: d,
    })
}

/// Validate a BIN.
pub fn validate_bin(input: &str) -> Result<Identifier, IdError> {
    let d = digits(input)?;
    let month = two(&d, 2);
    if !(1..=12).contains(&month) {
        return Err(IdError::RegistrationMonth(month));
    }
    if !(4..=6).contains(&d[4]) {
        return Err(IdError::EntityType(d[4]));
    }
    if d[5] > 3 {
        return Err(IdError::Division(d[5]));
    }
    verify_check_digit(&d)?;
    Ok(Identifier {
        kind: IdKind::Bin,
        digits: d,
    })
}

/// Validate a value that may be an IIN or a BIN (told apart by [`IdKind::guess`]).
pub fn validate(input: &str) -> (IdKind, Result<Identifier, IdError>) {
    let kind = IdKind::guess(input);
    let result = match kind {
        IdKind::Iin => validate_iin(input),
        IdKind::Bin => validate_bin(input),
    };
    (kind, result)
}

/// A date of birth that differs from what a valid IIN's digits encode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BirthDateMismatch {
    pub stated: NaiveDate,
    pub encoded: NaiveDate,
}

impl Localize for BirthDateMismatch {
    fn msg(&self) -> Msg {
        msg!(
            "error.id.birth-mismatch",
            stated = self.stated.format("%d.%m.%Y").to_string(),
            encoded = self.encoded.format("%d.%m.%Y").to_string()
        )
    }
}

impl fmt::Display for BirthDateMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.msg().fmt(f)
    }
}

/// A warning (never an error) when a stated date of birth differs from a
/// valid IIN's digits.
pub fn birth_date_warning(iin: &Identifier, stated: NaiveDate) -> Option<BirthDateMismatch> {
    if iin.kind != IdKind::Iin {
        return None;
    }
    let encoded = encoded_birth_date(&iin.digits).ok()?;
    (encoded != stated).then_some(BirthDateMismatch { stated, encoded })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_vectors() {
        for v in [
            "000229500018",
            "991231400026",
            "850615312340",
            "700704350007",
            "900101300811",
            "120930599994",
        ] {
            assert_eq!(validate_iin(v).map(|i| i.kind), Ok(IdKind::Iin), "{v}");
            assert_eq!(validate(v).0, IdKind::Iin, "{v}");
        }
        assert_eq!(
            validate_bin("240140000011").map(|i| i.kind),
            Ok(IdKind::Bin)
        );
        assert_eq!(validate("240140000011").0, IdKind::Bin);
    }

    #[test]
    fn invalid_vectors_name_their_rule() {
        assert_eq!(
            validate_iin("850615312341"),
            Err(IdError::CheckDigit {
                expected: 0,
                found: 1
            })
        );
        assert!(matches!(
            validate_iin("851315312342"),
            Err(IdError::BirthDate(_))
        ));
        assert_eq!(
            validate_iin("000229300015"),
            Err(IdError::BirthDate("29.02.1900".into()))
        );
        assert_eq!(validate_iin("850615712346"), Err(IdError::CenturyDigit(7)));
        assert_eq!(validate_iin("85061531234"), Err(IdError::Length(11)));
        assert_eq!(validate_iin("900101300800"), Err(IdError::NeverIssued));
    }

    #[test]
    fn century_digits_zero_eight_nine_are_not_issued() {
        for c in [0u8, 8, 9] {
            let mut d = [8, 5, 0, 6, 1, 5, c, 1, 2, 3, 4];
            d[6] = c;
            let k = check_digit(&d).unwrap_or(0);
            let s: String = d.iter().chain([k].iter()).map(|x| x.to_string()).collect();
            assert_eq!(validate_iin(&s), Err(IdError::CenturyDigit(c)));
        }
    }

    #[test]
    fn leap_years_by_century() {
        // 29.02.2000 (C=5) exists; 29.02.1900 (C=3) does not; 29.02.1896 (C=1) exists.
        let make = |prefix: &str| -> String {
            let mut d = [0u8; 11];
            for (o, b) in d.iter_mut().zip(prefix.bytes()) {
                *o = b - b'0';
            }
            // pick a serial that is not never-issued
            for s in 0..100u8 {
                d[9] = s / 10;
                d[10] = s % 10;
                if let Some(k) = check_digit(&d) {
                    return d.iter().chain([k].iter()).map(|x| x.to_string()).collect();
                }
            }
            unreachable!()
        };
        assert!(validate_iin(&make("000229500")).is_ok());
        assert!(validate_iin(&make("000229300")).is_err());
        assert!(validate_iin(&make("960229100")).is_ok());
        assert!(validate_iin(&make("970229100")).is_err());
    }

    #[test]
    fn non_digits_and_lengths() {
        assert_eq!(
            validate_iin("85061531234x"),
            Err(IdError::NotDigit {
                position: 12,
                found: 'x'
            })
        );
        assert_eq!(validate_iin(""), Err(IdError::Length(0)));
        assert_eq!(validate_iin("8506153123401"), Err(IdError::Length(13)));
        // Non-ASCII digits are not digits.
        assert!(validate_iin("８50615312340").is_err());
    }

    #[test]
    fn bin_structure() {
        assert!(matches!(
            validate_bin("241340000011"),
            Err(IdError::RegistrationMonth(13))
        ));
        assert_eq!(validate_bin("240170000011"), Err(IdError::EntityType(7)));
        assert_eq!(validate_bin("240147000011"), Err(IdError::Division(7)));
        assert!(matches!(
            validate_bin("240140000012"),
            Err(IdError::CheckDigit { .. })
        ));
    }

    #[test]
    fn birth_date_mismatch_is_a_warning() {
        let iin = validate_iin("850615312340").expect("valid vector");
        let same = NaiveDate::from_ymd_opt(1985, 6, 15).expect("date");
        let other = NaiveDate::from_ymd_opt(1985, 6, 16).expect("date");
        assert_eq!(birth_date_warning(&iin, same), None);
        let w = birth_date_warning(&iin, other).expect("warning");
        assert!(w.to_string().contains("16.06.1985"));
    }
}
