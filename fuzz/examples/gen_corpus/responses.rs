//! Seeds of `responses`: every real answer the sandbox gave in [`crate::sandbox`]
//! (successes and protocol errors), and bodies no server should send.

use crate::sandbox::Real;
use crate::Seeds;

/// Hand-written bodies, by seed name.
const FIXED: [(&str, &str); 5] = [
    ("null.json", "null"),
    (
        "error_unknown_code.json",
        r#"{"error":{"code":"brand_new","message":"x","extra":{"nested":[1,2]}}}"#,
    ),
    (
        "balance_float_amount.json",
        r#"{"balance":200.0,"currency":"EUR"}"#,
    ),
    (
        "detail_attempts_out_of_range.json",
        r#"{"payment_id":"p","status":"PENDING","payee":{"id":"m","name":"n"},"total":"1.00","currency":"EUR","min_amount":"0.01","max_amount":"1.00","nonce":"n","created_at":0,"expires_at":-1,"pin_length":4,"pin_key":{"key_id":"k","public_key":"x"},"attempts_left":256,"paid_amount":null,"remaining_amount":null}"#,
    ),
    ("empty", ""),
];

pub fn seeds(real: &Real) -> Seeds {
    let mut seeds = Seeds::default();
    for (name, body) in FIXED {
        seeds.add(name, body);
    }
    seeds.add("deep_nesting.json", "[".repeat(300) + &"]".repeat(300));
    seeds.extend(&real.answers);
    seeds
}
