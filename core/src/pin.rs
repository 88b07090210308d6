//! The beneficiary's PIN, as the core holds it between the keypad and the seal.
//!
//! The PIN is the knowledge factor of strong customer authentication, so it must not
//! leak through the ordinary ways secrets leak in Rust code: formatting (a `{:?}` in a
//! log line or a panic message), copies (`Clone`), serialization, or memory left behind
//! after use. [`Pin`] therefore:
//!
//! - keeps the ASCII digits in a buffer wiped when the `Pin` drops (`PinBytes`, the
//!   keypad's own buffer moved in without a copy);
//! - implements `Debug` and `Display` by hand, printing neither digits nor length;
//! - derives nothing: no `Clone`, `PartialEq` (which would not be constant time),
//!   `Serialize` or `Deserialize`. The only way to the digits is
//!   [`Pin::expose_ascii`], whose name makes every use easy to find in review.
//!
//! ```compile_fail
//! fn needs_clone<T: Clone>() {}
//! needs_clone::<cvconnect_core::pin::Pin>();
//! ```
//!
//! ```compile_fail
//! fn needs_serialize<T: serde::Serialize>() {}
//! needs_serialize::<cvconnect_core::pin::Pin>();
//! ```
//!
//! ```compile_fail
//! fn needs_eq<T: PartialEq>() {}
//! needs_eq::<cvconnect_core::pin::Pin>();
//! ```

use std::fmt;

use buffer::{KeypadDigits, PinBytes, PinDigits};

pub(crate) mod buffer;

/// What `Debug` and `Display` print instead of the digits.
const REDACTED: &str = "<redacted>";

/// A PIN held by the core only. ASCII digits in a buffer wiped on drop.
pub struct Pin(PinBytes<PinDigits>);

impl Pin {
    /// Crate-internal: only the keypad builds PINs from key presses; tests and the
    /// sandbox (which knows seeded PINs) use `from_digits`.
    pub fn from_digits(digits: &str) -> Option<Pin> {
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| Pin(PinBytes::copy_of(digits.as_bytes())))
    }

    /// Takes ownership of a buffer the keypad filled with ASCII digits, without copying
    /// it (a copy would leave one more unwiped trace of the PIN).
    pub(crate) fn from_keypad(digits: PinBytes<KeypadDigits>) -> Pin {
        Pin(digits.into_holder())
    }

    /// The ASCII digits. Only the PIN seal should need this.
    pub fn expose_ascii(&self) -> &[u8] {
        self.0.as_slice()
    }

    /// Number of digits (the PIN seal accepts 4 to 6).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for a PIN with no digit.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Pin {
    /// Prints `Pin(<redacted>)`: not even the length, which narrows guessing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pin({REDACTED})")
    }
}

impl fmt::Display for Pin {
    /// Prints `<redacted>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: [&str; 5] = ["1234", "0000", "987654", "4444", "135790"];

    fn has_pin_digit(text: &str, pin: &str) -> bool {
        text.chars().any(|c| pin.contains(c))
    }

    #[test]
    fn debug_shows_no_digit() {
        for digits in SAMPLES {
            let pin = Pin::from_digits(digits).unwrap();
            for text in [
                format!("{pin:?}"),
                format!("{pin:#?}"),
                format!("{:?}", Some(&pin)),
            ] {
                assert!(!has_pin_digit(&text, digits), "{text}");
            }
        }
    }

    #[test]
    fn display_shows_no_digit() {
        for digits in SAMPLES {
            let pin = Pin::from_digits(digits).unwrap();
            for text in [format!("{pin}"), format!("{pin:>20}"), pin.to_string()] {
                assert!(!has_pin_digit(&text, digits), "{text}");
            }
        }
    }

    #[test]
    fn formatting_hides_the_length() {
        let short = Pin::from_digits("1234").unwrap();
        let long = Pin::from_digits("123456").unwrap();
        assert_eq!(format!("{short:?}"), format!("{long:?}"));
        assert_eq!(short.to_string(), long.to_string());
    }

    #[test]
    fn formatting_prints_the_redaction_mark() {
        // A formatter that prints nothing would pass the two tests above: the mark
        // tells a reader of a log line that a PIN was there and was hidden.
        let pin = Pin::from_digits("1234").unwrap();
        assert_eq!(format!("{pin:?}"), "Pin(<redacted>)");
        assert_eq!(pin.to_string(), "<redacted>");
    }

    #[test]
    fn a_pin_without_digits_is_empty() {
        let pin = Pin::from_digits("").unwrap();
        assert!(pin.is_empty());
        assert_eq!(pin.len(), 0);
    }

    #[test]
    fn only_ascii_digits_make_a_pin() {
        assert!(Pin::from_digits("12a4").is_none());
        assert!(Pin::from_digits("１２３４").is_none());
        assert!(Pin::from_digits("12 4").is_none());
        let pin = Pin::from_digits("0429").unwrap();
        assert_eq!(pin.expose_ascii(), b"0429");
        assert_eq!(pin.len(), 4);
        assert!(!pin.is_empty());
    }

    #[test]
    fn the_keypad_buffer_is_moved_in() {
        let entry = PinBytes::copy_of(b"5678");
        let held_at = entry.as_slice().as_ptr();
        let pin = Pin::from_keypad(entry);
        assert_eq!(pin.expose_ascii(), b"5678");
        // The same allocation: a copy would leave the keypad's buffer behind.
        assert_eq!(pin.expose_ascii().as_ptr(), held_at);
    }
}
