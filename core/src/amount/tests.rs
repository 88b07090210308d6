use super::*;
use proptest::prelude::*;

fn cents(c: u64) -> Amount {
    Amount::from_cents(c)
}

/// Asserts that `parse` refuses every one of `texts` with `error`.
fn refuses(parse: fn(&str) -> Result<Amount, AmountError>, texts: &[&str], error: AmountError) {
    for text in texts {
        assert_eq!(parse(text), Err(error.clone()), "{text:?}");
    }
}

#[test]
fn from_plain_accepts_the_wire_form() {
    assert_eq!(Amount::from_plain("0"), Ok(Amount::ZERO));
    assert_eq!(Amount::from_plain("12"), Ok(cents(1200)));
    assert_eq!(Amount::from_plain("12.5"), Ok(cents(1250)));
    assert_eq!(Amount::from_plain("12.05"), Ok(cents(1205)));
    assert_eq!(Amount::from_plain("0.01"), Ok(cents(1)));
    assert_eq!(Amount::from_plain("007.10"), Ok(cents(710)));
    assert_eq!(Amount::from_plain("9999999.99"), Ok(Amount::MAX));
}

#[test]
fn from_plain_is_strict() {
    assert_eq!(Amount::from_plain(""), Err(AmountError::Empty));
    assert_eq!(Amount::from_plain("-1.00"), Err(AmountError::Negative));
    assert_eq!(
        Amount::from_plain("1.234"),
        Err(AmountError::TooManyDecimals)
    );
    assert_eq!(Amount::from_plain("10000000"), Err(too_large()));
    assert_eq!(Amount::from_plain("00000001"), Err(AmountError::Invalid));
    let invalid = [
        "12,50", " 12", "12 ", "+5", "1e3", ".5", "5.", "1.2.3", "1 234", "12€", "abc", "１２",
        "0x10", "NaN", "1_000",
    ];
    refuses(Amount::from_plain, &invalid, AmountError::Invalid);
}

#[test]
fn parse_user_accepts_what_people_type() {
    let cases = [
        ("12,50", 1250),
        ("12.50", 1250),
        ("1 234,56", 123456),
        ("1\u{A0}234,56", 123456),
        ("1\u{202F}234,56", 123456),
        ("1 234 567,89", 123456789),
        ("12 €", 1200),
        ("12€", 1200),
        ("12,50\u{A0}€", 1250),
        ("  12 ", 1200),
        ("12,5", 1250),
        ("1234", 123400),
        ("0,01", 1),
        ("0", 0),
        ("9 999 999,99", MAX_CENTS),
    ];
    for (text, expected) in cases {
        assert_eq!(Amount::parse_user(text), Ok(cents(expected)), "{text:?}");
    }
}

#[test]
fn parse_user_refuses_with_precise_errors() {
    let parse = Amount::parse_user;
    refuses(
        parse,
        &["", "   ", "\u{A0}", "€", " € "],
        AmountError::Empty,
    );
    refuses(
        parse,
        &["-5", "-0,01", " -12 €", "\u{2212}5"],
        AmountError::Negative,
    );
    refuses(
        parse,
        &["12,505", "0,001", "1.000"],
        AmountError::TooManyDecimals,
    );
    let large = [
        "10000000",
        "10 000 000",
        "99999999999999999999999999999999999",
    ];
    refuses(parse, &large, too_large());
    let invalid = [
        "abc",
        "12a",
        "1,2,3",
        "1.2.3",
        "1.234,56",
        "1,234.56",
        "1e3",
        "+5",
        "12 34",
        "1  234",
        " 1 234 5",
        "12,",
        ",50",
        "12 ,50",
        "12, 50",
        "€12",
        "12 € €",
        "1 2",
        "12\t000",
        "١٢",
        "12 EUR",
        "NaN",
        "inf",
    ];
    refuses(parse, &invalid, AmountError::Invalid);
}

#[test]
fn parse_user_survives_absurd_input() {
    let long = "9".repeat(100_000);
    assert_eq!(Amount::parse_user(&long), Err(too_large()));
    let zeros = format!("{}1", "0".repeat(100_000));
    assert_eq!(Amount::parse_user(&zeros), Ok(cents(100)));
    assert_eq!(
        Amount::parse_user(&"€".repeat(50)),
        Err(AmountError::Invalid)
    );
}

#[test]
fn plain_form_has_two_decimals_and_french_form_follows_cldr() {
    let cases = [
        (Amount::ZERO, "0.00", "0,00\u{A0}€"),
        (cents(5), "0.05", "0,05\u{A0}€"),
        (cents(2000), "20.00", "20,00\u{A0}€"),
        (cents(99999), "999.99", "999,99\u{A0}€"),
        (cents(123456), "1234.56", "1\u{202F}234,56\u{A0}€"),
        (
            Amount::MAX,
            "9999999.99",
            "9\u{202F}999\u{202F}999,99\u{A0}€",
        ),
    ];
    for (amount, plain, french) in cases {
        assert_eq!(amount.to_plain(), plain);
        assert_eq!(amount.format_fr(), french);
        assert_eq!(amount.to_string(), french, "Display is the French form");
    }
}

#[test]
fn errors_read_in_french() {
    let message = too_large().to_string();
    assert_eq!(
        message,
        "Le montant ne peut pas dépasser 9\u{202F}999\u{202F}999,99\u{A0}€."
    );
    assert_eq!(AmountError::Empty.to_string(), "Saisissez un montant.");
}

#[test]
fn cents_constructors_keep_the_invariant() {
    assert_eq!(Amount::from_cents(u64::MAX), Amount::MAX);
    assert_eq!(Amount::try_from_cents(MAX_CENTS + 1), Err(too_large()));
    assert_eq!(Amount::try_from_cents(u64::MAX), Err(too_large()));
    assert_eq!(Amount::try_from_cents(42).map(|a| a.cents()), Ok(42));
}

#[test]
fn decimals_are_checked() {
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    assert_eq!(Amount::try_from_decimal(d("12.500")), Ok(cents(1250)));
    assert_eq!(Amount::try_from_decimal(d("-0.00")), Ok(Amount::ZERO));
    assert_eq!(
        Amount::try_from_decimal(d("-0.01")),
        Err(AmountError::Negative)
    );
    assert_eq!(
        Amount::try_from_decimal(d("0.001")),
        Err(AmountError::TooManyDecimals)
    );
    assert_eq!(Amount::try_from_decimal(d("9999999.99")), Ok(Amount::MAX));
    assert_eq!(Amount::try_from_decimal(d("10000000")), Err(too_large()));
    assert_eq!(
        Amount::try_from_decimal(d("1.5"))
            .unwrap()
            .as_decimal()
            .scale(),
        2
    );
}

#[test]
fn arithmetic_is_checked() {
    assert_eq!(cents(150).checked_add(cents(75)), Some(cents(225)));
    assert_eq!(Amount::MAX.checked_add(cents(1)), None);
    assert_eq!(
        cents(MAX_CENTS - 1).checked_add(cents(1)),
        Some(Amount::MAX)
    );
    assert_eq!(cents(150).checked_sub(cents(150)), Some(Amount::ZERO));
    assert_eq!(cents(150).checked_sub(cents(151)), None);
}

#[test]
fn serde_uses_the_plain_form() {
    let json = serde_json::to_string(&cents(1205)).unwrap();
    assert_eq!(json, "\"12.05\"");
    assert_eq!(
        serde_json::from_str::<Amount>("\"12.5\"").unwrap(),
        cents(1250)
    );
    assert!(serde_json::from_str::<Amount>("12.5").is_err());
    assert!(serde_json::from_str::<Amount>("\"12,50\"").is_err());
    assert!(serde_json::from_str::<Amount>("\"-1\"").is_err());
}

proptest! {
    #[test]
    fn plain_round_trips(c in 0..=MAX_CENTS) {
        let amount = Amount::from_cents(c);
        prop_assert_eq!(amount.cents(), c);
        prop_assert_eq!(Amount::from_plain(&amount.to_plain()), Ok(amount));
    }

    #[test]
    fn french_form_parses_back(c in 0..=MAX_CENTS) {
        let amount = Amount::from_cents(c);
        prop_assert_eq!(Amount::parse_user(&amount.format_fr()), Ok(amount));
    }

    #[test]
    fn parsers_never_panic(s in "\\PC{0,40}") {
        let _ = Amount::parse_user(&s);
        let _ = Amount::from_plain(&s);
    }

    #[test]
    fn parsers_never_panic_on_likely_text(s in "[-+0-9 ,.€\u{A0}\u{202F}eE]{0,24}") {
        if let Ok(amount) = Amount::parse_user(&s) {
            prop_assert!(amount <= Amount::MAX);
            prop_assert_eq!(amount.as_decimal().scale(), 2);
        }
        if let Ok(amount) = Amount::from_plain(&s) {
            prop_assert_eq!(Amount::parse_user(&s), Ok(amount));
        }
    }

    #[test]
    fn arithmetic_matches_cents(a in 0..=MAX_CENTS, b in 0..=MAX_CENTS) {
        let (x, y) = (Amount::from_cents(a), Amount::from_cents(b));
        prop_assert_eq!(x.checked_add(y), Amount::try_from_cents(a + b).ok());
        prop_assert_eq!(x.checked_sub(y), a.checked_sub(b).map(Amount::from_cents));
    }
}
