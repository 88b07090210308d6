//! [`Keypad`]: the shuffled keypad of the personal code. The app draws `layout()` and
//! forwards the *positions* touched; the digits stay in Rust, and
//! [`crate::PaymentSession::confirm`] takes them out of the keypad itself.

use std::sync::{Mutex, MutexGuard};

use cvconnect_core::keypad::{Keypad as CoreKeypad, KeypadError};
use cvconnect_core::pin::Pin;

use crate::errors::{guard, CvError};
use crate::view::KeypadState;

/// The keypad of one personal code entry, with its digits shuffled. Draw the digit
/// `layout()[position]` on key `position`, send each touch as its position, then
/// hand the keypad to the payment's confirmation. The digits typed never leave the
/// library.
#[derive(uniffi::Object)]
pub struct Keypad(Mutex<CoreKeypad>);

impl Keypad {
    pub(crate) fn wrap(keypad: CoreKeypad) -> Self {
        Keypad(Mutex::new(keypad))
    }

    fn lock(&self) -> MutexGuard<'_, CoreKeypad> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Moves the complete PIN out (the keypad is empty afterwards). The guard is dropped
    /// before this returns, so no lock is held across an await.
    pub(crate) fn take_pin(&self) -> Result<Pin, CvError> {
        Ok(self.lock().take_pin()?)
    }
}

#[uniffi::export]
impl Keypad {
    /// The digit to draw on each key: ten digits, key 0 first.
    pub fn layout(&self) -> Vec<i32> {
        self.lock()
            .layout()
            .iter()
            .map(|&digit| digit.into())
            .collect()
    }

    /// How many digits the code has (4 to 6).
    pub fn pin_length(&self) -> i32 {
        self.lock().pin_length().into()
    }

    /// Records a touch on the key at this position (0 to 9).
    pub fn press(&self, position: i32) -> Result<KeypadState, CvError> {
        guard(|| {
            let position = u8::try_from(position)
                .map_err(|_| KeypadError::InvalidPosition { position: u8::MAX })?;
            Ok(self.lock().press(position)?.into())
        })
    }

    /// Removes the last digit typed.
    pub fn erase(&self) -> KeypadState {
        self.lock().erase().into()
    }

    /// Removes every digit typed.
    pub fn clear(&self) -> KeypadState {
        self.lock().clear().into()
    }

    /// How far the entry is: digits typed and digits required.
    pub fn state(&self) -> KeypadState {
        self.lock().state().into()
    }

    /// True once the entry lapsed after a pause: start a new one.
    pub fn is_expired(&self) -> bool {
        self.lock().is_expired()
    }
}

impl std::fmt::Debug for Keypad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The core's Debug prints progress only, never digits nor layout.
        self.lock().fmt(f)
    }
}
