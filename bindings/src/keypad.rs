//! [`Keypad`]: the shuffled PIN keypad. The app draws `layout()` and forwards the
//! *positions* touched; the digits stay in Rust, and [`crate::PaymentSession::confirm`]
//! takes them out of the keypad itself.

use std::sync::{Mutex, MutexGuard};

use cvconnect_core::keypad::{Keypad as CoreKeypad, KeypadState};
use cvconnect_core::pin::Pin;

use crate::errors::CvError;

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
    /// A keypad for a PIN of `pin_length` digits (4 to 6) with a fresh random layout.
    /// Apps normally get one from `PaymentSession.startPinEntry()`.
    #[uniffi::constructor]
    pub fn new(pin_length: u8) -> Result<Self, CvError> {
        Ok(Keypad::wrap(CoreKeypad::new(pin_length)?))
    }

    /// `layout()[position]` is the digit to draw on key `position` (0 to 9).
    pub fn layout(&self) -> Vec<u8> {
        self.lock().layout().to_vec()
    }

    pub fn pin_length(&self) -> u8 {
        self.lock().pin_length()
    }

    /// Records a touch on key `position`.
    pub fn press(&self, position: u8) -> Result<KeypadState, CvError> {
        Ok(self.lock().press(position)?)
    }

    /// Removes the last digit entered.
    pub fn erase(&self) -> KeypadState {
        self.lock().erase()
    }

    /// Removes every digit entered.
    pub fn clear(&self) -> KeypadState {
        self.lock().clear()
    }

    pub fn state(&self) -> KeypadState {
        self.lock().state()
    }

    /// True once the entry expired after inactivity: build a new keypad.
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
