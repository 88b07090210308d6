//! STUB: contract only; the implementation replaces the bodies.
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("montant vide")]
    Empty,
    #[error("montant invalide")]
    Invalid,
    #[error("montant négatif")]
    Negative,
    #[error("au plus deux décimales")]
    TooManyDecimals,
    #[error("montant trop grand")]
    TooLarge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(Decimal);

impl Amount {
    pub const ZERO: Amount = Amount(Decimal::ZERO);
    pub fn from_cents(cents: u64) -> Amount {
        Amount(Decimal::new(cents as i64, 2))
    }
    pub fn cents(&self) -> u64 {
        todo!()
    }
    pub fn from_plain(_s: &str) -> Result<Amount, AmountError> {
        todo!()
    }
    pub fn parse_user(_s: &str) -> Result<Amount, AmountError> {
        todo!()
    }
    pub fn to_plain(&self) -> String {
        todo!()
    }
    pub fn format_fr(&self) -> String {
        todo!()
    }
    pub fn as_decimal(&self) -> Decimal {
        self.0
    }
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        todo!("{other:?}")
    }
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        todo!("{other:?}")
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
