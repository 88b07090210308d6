//! The rules that bound what a beneficiary may pay in CV Connect (protocol.md §2).
//!
//! The server enforces these rules at confirmation; the app checks them too, before
//! asking for the PIN, so that a beneficiary who typed too much is told why at once
//! instead of spending a PIN attempt and a nonce on a request that cannot succeed.
//! Both sides must agree, hence one implementation shared with the sandbox.
//!
//! Every computation is [`Amount`] (decimal) arithmetic: the remainder paid by card is
//! exactly `total − paid`, to the cent, by construction.

use crate::amount::Amount;

/// Why an amount cannot be paid in CV Connect. Messages are French, fit for display.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The amount is more than the beneficiary's balance.
    #[error("Le montant dépasse votre solde de {balance}.")]
    AboveBalance {
        /// The balance, shown in the message.
        balance: Amount,
    },
    /// The amount is more than the order total.
    #[error("Le montant dépasse le total de la commande ({total}).")]
    AboveTotal {
        /// The order total, shown in the message.
        total: Amount,
    },
    /// The amount is below the smallest payable amount.
    #[error("Le montant minimum est de {minimum}.")]
    BelowMinimum {
        /// The smallest payable amount, shown in the message.
        minimum: Amount,
    },
    /// The order total is below the minimum for paying in CV Connect.
    #[error(
        "Le paiement en Chèque-Vacances Connect est possible à partir de {minimum_total} d’achat."
    )]
    NotOffered {
        /// The smallest order total for which CV Connect is offered.
        minimum_total: Amount,
    },
    /// The balance is zero: nothing can be paid in CV Connect.
    #[error("Votre solde Chèque-Vacances Connect est épuisé.")]
    NoBalance,
}

/// How an order total is split between CV Connect and the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// Paid in CV Connect.
    pub paid: Amount,
    /// Left to pay by card: `total − paid`.
    pub remainder: Amount,
}

/// Bounds of a CV Connect payment. `Default` gives the protocol defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmountPolicy {
    /// Smallest order total for which CV Connect is offered (20,00 €).
    pub minimum_total: Amount,
    /// Smallest amount payable in CV Connect (0,01 €). Values below one cent are
    /// treated as one cent: a zero payment is never accepted.
    pub minimum_amount: Amount,
}

impl Default for AmountPolicy {
    fn default() -> Self {
        AmountPolicy {
            minimum_total: Amount::from_cents(2000),
            minimum_amount: ONE_CENT,
        }
    }
}

const ONE_CENT: Amount = Amount::from_cents(1);

impl AmountPolicy {
    /// The amount proposed before the beneficiary edits it: as much as possible,
    /// `min(balance, total)`, provided CV Connect is offered at all.
    pub fn default_amount(&self, balance: Amount, total: Amount) -> Result<Amount, PolicyError> {
        self.check_offered(balance, total)?;
        let amount = balance.min(total);
        self.check_minimum(amount)?;
        Ok(amount)
    }

    /// Checks an amount chosen by the beneficiary: CV Connect is offered for `total`,
    /// the balance is not zero, and `minimum_amount ≤ amount ≤ min(balance, total)`.
    /// When the amount exceeds both, the error names the smaller bound.
    pub fn check(
        &self,
        amount: Amount,
        balance: Amount,
        total: Amount,
    ) -> Result<Split, PolicyError> {
        self.check_offered(balance, total)?;
        self.check_minimum(amount)?;
        if amount > balance.min(total) {
            return Err(if balance < total {
                PolicyError::AboveBalance { balance }
            } else {
                PolicyError::AboveTotal { total }
            });
        }
        // Cannot fail after the bound check; no unwrap all the same.
        let remainder = total
            .checked_sub(amount)
            .ok_or(PolicyError::AboveTotal { total })?;
        Ok(Split {
            paid: amount,
            remainder,
        })
    }

    /// The smallest amount actually accepted: `minimum_amount`, but never below a cent.
    pub fn effective_minimum(&self) -> Amount {
        self.minimum_amount.max(ONE_CENT)
    }

    fn check_offered(&self, balance: Amount, total: Amount) -> Result<(), PolicyError> {
        if total < self.minimum_total {
            return Err(PolicyError::NotOffered {
                minimum_total: self.minimum_total,
            });
        }
        if balance.is_zero() {
            return Err(PolicyError::NoBalance);
        }
        Ok(())
    }

    fn check_minimum(&self, amount: Amount) -> Result<(), PolicyError> {
        let minimum = self.effective_minimum();
        if amount < minimum {
            return Err(PolicyError::BelowMinimum { minimum });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn eur(s: &str) -> Amount {
        Amount::from_plain(s).unwrap()
    }

    fn policy() -> AmountPolicy {
        AmountPolicy::default()
    }

    #[test]
    fn defaults_are_the_protocol_ones() {
        assert_eq!(policy().minimum_total, eur("20.00"));
        assert_eq!(policy().minimum_amount, eur("0.01"));
    }

    #[test]
    fn default_amount_is_as_much_as_possible() {
        assert_eq!(
            policy().default_amount(eur("200"), eur("150")),
            Ok(eur("150"))
        );
        assert_eq!(
            policy().default_amount(eur("120"), eur("150")),
            Ok(eur("120"))
        );
        assert_eq!(
            policy().default_amount(eur("0.01"), eur("20")),
            Ok(eur("0.01"))
        );
        assert_eq!(policy().default_amount(eur("20"), eur("20")), Ok(eur("20")));
    }

    #[test]
    fn default_amount_refuses_when_not_offered_or_no_balance() {
        let not_offered = PolicyError::NotOffered {
            minimum_total: eur("20"),
        };
        assert_eq!(
            policy().default_amount(eur("200"), eur("19.99")),
            Err(not_offered)
        );
        assert_eq!(
            policy().default_amount(Amount::ZERO, eur("150")),
            Err(PolicyError::NoBalance)
        );
    }

    #[test]
    fn check_splits_the_total() {
        let split = policy().check(eur("120"), eur("120"), eur("150")).unwrap();
        assert_eq!(
            split,
            Split {
                paid: eur("120"),
                remainder: eur("30")
            }
        );
        let split = policy().check(eur("150"), eur("200"), eur("150")).unwrap();
        assert_eq!(split.remainder, Amount::ZERO);
        let split = policy().check(eur("0.01"), eur("200"), eur("20")).unwrap();
        assert_eq!(split.remainder, eur("19.99"));
    }

    #[test]
    fn check_refuses_out_of_bounds() {
        let p = policy();
        let minimum = PolicyError::BelowMinimum {
            minimum: eur("0.01"),
        };
        assert_eq!(p.check(Amount::ZERO, eur("200"), eur("150")), Err(minimum));
        assert_eq!(
            p.check(eur("150.01"), eur("200"), eur("150")),
            Err(PolicyError::AboveTotal { total: eur("150") })
        );
        assert_eq!(
            p.check(eur("120.01"), eur("120"), eur("150")),
            Err(PolicyError::AboveBalance {
                balance: eur("120")
            })
        );
        // Above both: the smaller bound is named.
        assert_eq!(
            p.check(eur("500"), eur("120"), eur("150")),
            Err(PolicyError::AboveBalance {
                balance: eur("120")
            })
        );
        assert_eq!(
            p.check(eur("500"), eur("200"), eur("150")),
            Err(PolicyError::AboveTotal { total: eur("150") })
        );
        assert_eq!(
            p.check(eur("500"), eur("150"), eur("150")),
            Err(PolicyError::AboveTotal { total: eur("150") })
        );
        assert_eq!(
            p.check(eur("10"), Amount::ZERO, eur("150")),
            Err(PolicyError::NoBalance)
        );
        assert_eq!(
            p.check(eur("10"), eur("200"), eur("19.99")),
            Err(PolicyError::NotOffered {
                minimum_total: eur("20")
            })
        );
    }

    #[test]
    fn a_zero_minimum_still_refuses_zero() {
        let p = AmountPolicy {
            minimum_amount: Amount::ZERO,
            ..policy()
        };
        let minimum = PolicyError::BelowMinimum {
            minimum: eur("0.01"),
        };
        assert_eq!(p.check(Amount::ZERO, eur("200"), eur("150")), Err(minimum));
    }

    #[test]
    fn a_higher_minimum_applies_to_the_default_too() {
        let p = AmountPolicy {
            minimum_amount: eur("1"),
            ..policy()
        };
        let minimum = PolicyError::BelowMinimum { minimum: eur("1") };
        assert_eq!(
            p.default_amount(eur("0.50"), eur("150")),
            Err(minimum.clone())
        );
        assert_eq!(p.check(eur("0.99"), eur("200"), eur("150")), Err(minimum));
    }

    #[test]
    fn messages_are_french() {
        let e = PolicyError::AboveBalance {
            balance: eur("1234.5"),
        };
        assert_eq!(
            e.to_string(),
            "Le montant dépasse votre solde de 1\u{202F}234,50\u{A0}€."
        );
        let e = PolicyError::NotOffered {
            minimum_total: eur("20"),
        };
        assert!(e.to_string().contains("20,00\u{A0}€"));
    }

    fn amount() -> impl Strategy<Value = Amount> {
        prop_oneof![
            (0u64..=100_000).prop_map(Amount::from_cents),
            (0u64..=999_999_999).prop_map(Amount::from_cents),
        ]
    }

    proptest! {
        #[test]
        fn accepted_amounts_split_the_total_exactly(
            amount in amount(), balance in amount(), total in amount()
        ) {
            if let Ok(split) = policy().check(amount, balance, total) {
                prop_assert_eq!(split.paid, amount);
                prop_assert_eq!(split.paid.checked_add(split.remainder), Some(total));
                prop_assert_eq!(
                    split.paid.as_decimal() + split.remainder.as_decimal(),
                    total.as_decimal()
                );
                prop_assert_eq!(split.paid.cents() + split.remainder.cents(), total.cents());
            }
        }

        #[test]
        fn acceptance_matches_the_bounds(
            amount in amount(), balance in amount(), total in amount()
        ) {
            let p = policy();
            let in_bounds = total >= p.minimum_total
                && !balance.is_zero()
                && amount >= p.minimum_amount
                && amount <= balance.min(total);
            prop_assert_eq!(p.check(amount, balance, total).is_ok(), in_bounds);
        }

        #[test]
        fn the_default_amount_is_accepted(balance in amount(), total in amount()) {
            let p = policy();
            if let Ok(amount) = p.default_amount(balance, total) {
                prop_assert_eq!(amount, balance.min(total));
                prop_assert!(p.check(amount, balance, total).is_ok());
            } else {
                prop_assert!(total < p.minimum_total || balance.is_zero());
            }
        }

        #[test]
        fn every_cent_up_to_the_maximum_is_accepted(balance in amount(), total in amount()) {
            let p = policy();
            if let Ok(max) = p.default_amount(balance, total) {
                let one_more = max.checked_add(Amount::from_cents(1));
                if let Some(over) = one_more {
                    prop_assert!(p.check(over, balance, total).is_err());
                }
                prop_assert!(p.check(Amount::from_cents(1), balance, total).is_ok());
            }
        }
    }
}
