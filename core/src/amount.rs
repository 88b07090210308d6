//! Euro amounts, to the cent, as decimals.
//!
//! Money is never a float here: a binary float cannot hold 0.10 exactly, and the
//! rounding it brings would sooner or later make `paid + remainder` differ from the
//! order total by a cent. [`Amount`] wraps a [`Decimal`] and keeps an invariant that
//! every constructor checks, so the rest of the crate never has to:
//!
//! - it is never negative;
//! - it has at most two decimal places (cents);
//! - it is at most [`Amount::MAX`] (9 999 999,99 €), the largest value of the wire form
//!   `^[0-9]{1,7}(\.[0-9]{1,2})?$`.
//!
//! Two textual forms exist and are kept apart on purpose:
//!
//! - the **plain** form of the protocol (`"1234.56"`), strict on input
//!   ([`Amount::from_plain`]) and always written with two decimals
//!   ([`Amount::to_plain`]), because it is signed (canonical bytes) and must have one
//!   spelling only;
//! - the **French** form a person reads and types (`"1 234,56 €"`), lenient on input
//!   ([`Amount::parse_user`]) but never ambiguous: anything that could be read two ways
//!   is refused with a precise [`AmountError`] rather than guessed.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Largest amount, in cents: 9 999 999,99 €.
const MAX_CENTS: u64 = 999_999_999;

/// Most integer digits of an amount (without leading zeros).
const MAX_INT_DIGITS: usize = 7;

/// Most decimal places of an amount.
const MAX_DECIMALS: usize = 2;

/// CLDR `fr` group separator: U+202F NARROW NO-BREAK SPACE.
const GROUP_SEPARATOR_FR: char = '\u{202F}';

/// CLDR `fr` space between the number and the currency sign: U+00A0 NO-BREAK SPACE.
const CURRENCY_SPACE_FR: char = '\u{A0}';

/// Why a text or a value is not an [`Amount`]. Messages are French, fit for display
/// under an input field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Nothing but blanks (or a lone `€`).
    #[error("Saisissez un montant.")]
    Empty,
    /// Not a number in any accepted form: letters, several separators, exponent,
    /// explicit `+`, both `,` and `.`, misplaced spaces…
    #[error("Montant invalide. Saisissez un montant en euros, par exemple 12,50.")]
    Invalid,
    /// A leading minus sign.
    #[error("Le montant ne peut pas être négatif.")]
    Negative,
    /// More than two decimal places (amounts are to the cent).
    #[error("Le montant ne peut pas avoir plus de deux chiffres après la virgule.")]
    TooManyDecimals,
    /// Above [`Amount::MAX`].
    #[error("Le montant ne peut pas dépasser {max}.")]
    TooLarge {
        /// Always [`Amount::MAX`], carried so the message can show it.
        max: Amount,
    },
}

/// A euro amount to the cent: non-negative, at most two decimals, at most
/// [`Amount::MAX`]. Serialized as its plain form (`"1234.56"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(Decimal);

impl Amount {
    /// 0,00 €.
    pub const ZERO: Amount = Amount::from_valid_cents(0);

    /// 9 999 999,99 €, the largest amount the protocol can carry.
    pub const MAX: Amount = Amount::from_valid_cents(MAX_CENTS as u32);

    /// Builds an amount from cents. Values above [`Amount::MAX`] are clamped to it so
    /// the invariant always holds; use [`Amount::try_from_cents`] to be told instead.
    pub const fn from_cents(cents: u64) -> Amount {
        let cents = if cents > MAX_CENTS { MAX_CENTS } else { cents };
        Amount::from_valid_cents(cents as u32)
    }

    /// Builds an amount from cents, refusing values above [`Amount::MAX`].
    pub fn try_from_cents(cents: u64) -> Result<Amount, AmountError> {
        match u32::try_from(cents) {
            Ok(cents) if u64::from(cents) <= MAX_CENTS => Ok(Amount::from_valid_cents(cents)),
            _ => Err(too_large()),
        }
    }

    /// Builds an amount from a decimal, checking the invariant (sign, cents, maximum).
    /// Trailing zeros do not count as decimals: `12.500` is accepted as 12,50 €.
    pub fn try_from_decimal(value: Decimal) -> Result<Amount, AmountError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(AmountError::Negative);
        }
        let value = value.normalize();
        if value.scale() > MAX_DECIMALS as u32 {
            return Err(AmountError::TooManyDecimals);
        }
        if value > Amount::MAX.0 {
            return Err(too_large());
        }
        let mut value = value.abs();
        value.rescale(MAX_DECIMALS as u32);
        let cents = u64::try_from(value.mantissa()).map_err(|_| too_large())?;
        Amount::try_from_cents(cents)
    }

    /// The amount in cents.
    pub fn cents(&self) -> u64 {
        let mut value = self.0;
        value.rescale(MAX_DECIMALS as u32);
        // Cannot fail: the invariant bounds the mantissa to [0, MAX_CENTS].
        u64::try_from(value.mantissa()).unwrap_or(0)
    }

    /// Parses the strict wire form `^[0-9]{1,7}(\.[0-9]{1,2})?$` (protocol.md §1).
    pub fn from_plain(s: &str) -> Result<Amount, AmountError> {
        if s.is_empty() {
            return Err(AmountError::Empty);
        }
        if s.starts_with('-') {
            return Err(AmountError::Negative);
        }
        let (int, frac) = match s.split_once('.') {
            Some((int, frac)) => (int, Some(frac)),
            None => (s, None),
        };
        let amount = from_digit_parts(int, frac)?;
        // The wire form also bounds the spelling, not only the value ("00000001").
        if int.len() > MAX_INT_DIGITS {
            return Err(AmountError::Invalid);
        }
        Ok(amount)
    }

    /// Parses what a French user types: `12,50`, `12.50`, `1 234,56` (plain space,
    /// U+00A0 or U+202F between groups of three digits), `12 €`, `12€`, `  12 `,
    /// `12,5`, `1234`. Anything ambiguous is refused rather than guessed (see
    /// [`AmountError`]).
    pub fn parse_user(s: &str) -> Result<Amount, AmountError> {
        let s = s.trim();
        let s = s.strip_suffix('€').map_or(s, str::trim_end);
        if s.is_empty() {
            return Err(AmountError::Empty);
        }
        if s.starts_with(['-', '\u{2212}']) {
            return Err(AmountError::Negative);
        }
        let (int, frac) = split_user_decimal(s)?;
        let int = join_groups(int)?;
        from_digit_parts(&int, frac)
    }

    /// The plain wire form, always with two decimals: `"1234.56"`, `"0.00"`.
    pub fn to_plain(&self) -> String {
        let cents = self.cents();
        format!("{}.{:02}", cents / 100, cents % 100)
    }

    /// The French display form, as CLDR `fr` writes it: `"1 234,56 €"` with U+202F
    /// between groups and U+00A0 before the euro sign.
    pub fn format_fr(&self) -> String {
        let cents = self.cents();
        let int = group_thousands(&(cents / 100).to_string());
        format!("{int},{:02}{CURRENCY_SPACE_FR}€", cents % 100)
    }

    /// The underlying decimal (always with two decimal places).
    pub fn as_decimal(&self) -> Decimal {
        self.0
    }

    /// `self + other`, or `None` above [`Amount::MAX`].
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        let sum = self.0.checked_add(other.0)?;
        Amount::try_from_decimal(sum).ok()
    }

    /// `self - other`, or `None` if the result would be negative.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        let difference = self.0.checked_sub(other.0)?;
        Amount::try_from_decimal(difference).ok()
    }

    /// True for 0,00 €.
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// Callers guarantee `cents <= MAX_CENTS`.
    const fn from_valid_cents(cents: u32) -> Amount {
        Amount(Decimal::from_parts(cents, 0, 0, false, MAX_DECIMALS as u32))
    }
}

impl fmt::Display for Amount {
    /// Same as [`Amount::format_fr`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_fr())
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_plain())
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
        let s = String::deserialize(d)?;
        Amount::from_plain(&s).map_err(serde::de::Error::custom)
    }
}

fn too_large() -> AmountError {
    AmountError::TooLarge { max: Amount::MAX }
}

/// Builds an amount from ASCII integer digits and optional ASCII decimals. Leading
/// zeros are allowed; a present but empty decimal part is not (`"12."`).
fn from_digit_parts(int: &str, frac: Option<&str>) -> Result<Amount, AmountError> {
    let frac = frac.unwrap_or("00");
    if !is_ascii_digits(int) || !is_ascii_digits(frac) {
        return Err(AmountError::Invalid);
    }
    if frac.len() > MAX_DECIMALS {
        return Err(AmountError::TooManyDecimals);
    }
    let significant = int.trim_start_matches('0');
    if significant.len() > MAX_INT_DIGITS {
        return Err(too_large());
    }
    let euros = digits_value(significant);
    let cents = digits_value(frac) * if frac.len() == 1 { 10 } else { 1 };
    Amount::try_from_cents(euros * 100 + cents)
}

/// Non-empty and only `0`-`9`.
fn is_ascii_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Value of at most [`MAX_INT_DIGITS`] ASCII digits (checked by the callers).
fn digits_value(digits: &str) -> u64 {
    digits
        .bytes()
        .fold(0, |value, b| value * 10 + u64::from(b - b'0'))
}

/// Splits user input at its decimal separator, `,` or `.`. Refuses several
/// separators (`1,2,3`, `1.2.3`) and a mix of both (`1.234,56`): either could be a
/// group separator in some locale, so guessing could be off by a factor of 1000.
fn split_user_decimal(s: &str) -> Result<(&str, Option<&str>), AmountError> {
    let mut separators = s.match_indices([',', '.']);
    match (separators.next(), separators.next()) {
        (None, _) => Ok((s, None)),
        (Some((at, sep)), None) => Ok((&s[..at], Some(&s[at + sep.len()..]))),
        (Some(_), Some(_)) => Err(AmountError::Invalid),
    }
}

/// Group separators a user may type between thousands.
fn is_group_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{A0}' | '\u{202F}')
}

/// Removes group separators from the integer part, checking the grouping: a first
/// group of 1 to 3 digits, then groups of exactly 3, one separator between groups
/// (`1 234 567`). `12 34` is refused: it is more likely a typo than a number.
fn join_groups(int: &str) -> Result<String, AmountError> {
    let mut groups = int.split(is_group_separator);
    let first = groups.next().unwrap_or_default();
    if int.contains(is_group_separator) && !(1..=3).contains(&first.len()) {
        return Err(AmountError::Invalid);
    }
    let mut joined = String::from(first);
    for group in groups {
        if group.len() != 3 {
            return Err(AmountError::Invalid);
        }
        joined.push_str(group);
    }
    Ok(joined)
}

/// Inserts the French group separator every three digits from the right.
fn group_thousands(digits: &str) -> String {
    let mut grouped = String::with_capacity(digits.len() * 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(GROUP_SEPARATOR_FR);
        }
        grouped.push(c);
    }
    grouped
}

#[cfg(test)]
mod tests;
