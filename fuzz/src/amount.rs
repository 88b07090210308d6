//! Target `amount`: the amount parsers (wire and user input) and formatters.

use cvconnect_core::amount::Amount;

/// The amount parsers and formatters.
///
/// `from_plain` accepts exactly the wire form `^[0-9]{1,7}(\.[0-9]{1,2})?$`;
/// whatever either parser accepts is at most `Amount::MAX`, its `to_plain` re-parses to
/// the same value, its `format_fr` parses back through `parse_user`; the wire form is
/// also valid user input with the same value; serde agrees with `from_plain`.
pub fn amount(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    let plain = Amount::from_plain(text);
    assert_eq!(plain.is_ok(), is_wire_amount(text), "{text:?}: {plain:?}");
    let serde = serde_json::from_value::<Amount>(serde_json::Value::String(text.to_owned()));
    assert_eq!(serde.ok(), plain.clone().ok(), "{text:?}");
    if let Ok(value) = plain {
        check_amount(value);
        assert_eq!(Amount::parse_user(text), Ok(value), "{text:?}");
    }
    if let Ok(value) = Amount::parse_user(text) {
        check_amount(value);
    }

    // Values built from the raw bytes: constructors and arithmetic keep the invariant.
    let mut words = data.chunks(8).map(|chunk| {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        u64::from_le_bytes(word)
    });
    let a = Amount::from_cents(words.next().unwrap_or(0));
    let b = Amount::try_from_cents(words.next().unwrap_or(0));
    check_amount(a);
    if let Ok(b) = b {
        check_amount(b);
        if let Some(sum) = a.checked_add(b) {
            check_amount(sum);
            assert_eq!(sum.cents(), a.cents() + b.cents());
        }
        match a.checked_sub(b) {
            Some(difference) => assert_eq!(difference.cents() + b.cents(), a.cents()),
            None => assert!(a < b),
        }
    }
}

/// `^[0-9]{1,7}(\.[0-9]{1,2})?$`, the protocol's amount form (protocol.md §1).
pub fn is_wire_amount(text: &str) -> bool {
    let digits =
        |s: &str, max: usize| (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    match text.split_once('.') {
        Some((int, frac)) => digits(int, 7) && digits(frac, 2),
        None => digits(text, 7),
    }
}

fn check_amount(value: Amount) {
    assert!(value <= Amount::MAX);
    let plain = value.to_plain();
    assert!(is_wire_amount(&plain), "{plain}");
    assert_eq!(plain.split_once('.').map(|(_, f)| f.len()), Some(2));
    assert_eq!(Amount::from_plain(&plain), Ok(value));
    let french = value.format_fr();
    assert!(french.ends_with("\u{A0}€"), "{french:?}");
    assert_eq!(Amount::parse_user(&french), Ok(value), "{french:?}");
    assert_eq!(Amount::try_from_cents(value.cents()), Ok(value));
}
