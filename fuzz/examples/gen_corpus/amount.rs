//! Seeds of `amount`: wire amounts, French user input, and what both must refuse.

use crate::Seeds;

/// Texts, by seed name (without `.txt`).
const TEXTS: [(&str, &str); 24] = [
    ("plain_150", "150.00"),
    ("plain_min", "0.01"),
    ("plain_max", "9999999.99"),
    ("plain_too_large", "10000000"),
    ("plain_leading_zeros", "007.10"),
    ("plain_one_decimal", "12.5"),
    ("plain_zero", "0"),
    ("user_grouped_nnbsp", "1\u{202F}234,56\u{A0}€"),
    ("user_grouped_space", "1 234 567,89 €"),
    ("user_comma", "12,50"),
    ("user_euro_no_space", "12€"),
    ("user_blanks", "   12 "),
    ("negative", "-1.00"),
    ("negative_unicode_minus", "\u{2212}5"),
    ("too_many_decimals", "1.234"),
    ("exponent", "1e3"),
    ("explicit_plus", "+5"),
    ("mixed_separators", "1.234,56"),
    ("bad_grouping", "12 34"),
    ("trailing_separator", "12."),
    ("leading_separator", ".5"),
    ("fullwidth_digits", "１２,５０"),
    ("lone_euro", "€"),
    ("huge", "99999999999999999999999999999.99"),
];

pub fn seeds() -> Seeds {
    let mut seeds = Seeds::default();
    for (name, text) in TEXTS {
        seeds.add(format!("{name}.txt"), text);
    }
    // The target also reads its input as cents: the largest u64.
    seeds.add("cents_bytes.bin", u64::MAX.to_le_bytes());
    seeds
}
