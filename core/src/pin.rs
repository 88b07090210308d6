//! STUB: contract only.
use zeroize::Zeroizing;

/// A PIN held by the core only. ASCII digits in a zeroizing buffer.
pub struct Pin(Zeroizing<Vec<u8>>);

impl Pin {
    /// Crate-internal: only the keypad builds PINs from key presses; tests and the
    /// sandbox (which knows seeded PINs) use `from_digits`.
    pub fn from_digits(digits: &str) -> Option<Pin> {
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| Pin(Zeroizing::new(digits.as_bytes().to_vec())))
    }
    pub fn expose_ascii(&self) -> &[u8] {
        &self.0
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pin(<{} digits redacted>)", self.0.len())
    }
}
