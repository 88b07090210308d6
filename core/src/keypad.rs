//! The dynamic PIN keypad.
//!
//! The phone draws ten keys and reports which **position** was touched; the core alone
//! knows which digit each position shows. So the digits of the PIN never cross the FFI
//! boundary, never sit in a UI framework's text field, and a touch logger, a screen
//! overlay or someone watching the fingers learns positions that mean nothing for the
//! next payment: every [`Keypad`] draws a fresh layout.
//!
//! The layout must be a **uniformly** random permutation, or some digits would be more
//! likely at some positions and positions would leak a little about digits. It is drawn
//! from the operating system's CSPRNG ([`ring::rand::SystemRandom`]) with Fisher–Yates,
//! taking each index by rejection sampling on random bytes: `byte % n` alone would favour
//! small residues whenever `n` does not divide 256.
//!
//! Entered digits live in a buffer allocated once at its final size, never reallocated,
//! and wiped on erase, clear, expiry and drop (`PinBytes`, shared with [`Pin`] and the
//! seal); [`Keypad::take_pin`] moves them into a [`Pin`] without copying. `Debug`
//! prints neither digits nor the layout.
//!
//! Entry expires after a period without key presses (PSD2 RTS, art. 4(3)(d): at most
//! five minutes of inactivity), measured with an injectable [`Clock`] so tests need not
//! sleep. Expiry is final: the digits are wiped and the app must build a new keypad,
//! with a new layout.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroize;

use crate::pin::buffer::{KeypadDigits, PinBytes};
use crate::pin::Pin;
use shuffle::draw_layout;

pub use clock::{Clock, ManualClock, SystemClock};

mod clock;
mod shuffle;
#[cfg(test)]
mod tests;

/// Shortest PIN (protocol.md §2).
pub const MIN_PIN_LENGTH: u8 = 4;

/// Longest PIN (protocol.md §2).
pub const MAX_PIN_LENGTH: u8 = 6;

/// Number of keys: the ten digits.
pub const KEY_COUNT: usize = 10;

/// Longest inactivity allowed (PSD2 RTS art. 4(3)(d)); longer timeouts are clamped.
pub const MAX_IDLE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Inactivity timeout of [`Keypad::new`].
pub const DEFAULT_IDLE_TIMEOUT: Duration = MAX_IDLE_TIMEOUT;

/// Why a keypad operation failed. Messages are French, fit for display.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeypadError {
    /// The PIN length asked for is outside 4 to 6.
    #[error(
        "Longueur de code personnel non prise en charge ({length} chiffres) : 4 à 6 attendus."
    )]
    InvalidPinLength {
        /// The length asked for.
        length: u8,
    },
    /// A key position outside 0 to 9: a bug of the app, not of the user.
    #[error("Touche inconnue ({position}).")]
    InvalidPosition {
        /// The position received.
        position: u8,
    },
    /// A key was pressed after the last digit of the PIN.
    #[error("Le code personnel est déjà complet.")]
    AlreadyComplete,
    /// The PIN was taken before all its digits were entered.
    #[error("Code personnel incomplet ({entered} chiffres sur {required}).")]
    Incomplete {
        /// Digits entered so far.
        entered: u8,
        /// Digits of the PIN.
        required: u8,
    },
    /// The idle timeout passed; the digits are wiped and a new keypad is needed.
    #[error("Saisie interrompue après une période d’inactivité. Veuillez recommencer.")]
    Expired,
    /// The system random generator failed; no layout could be drawn.
    #[error("Le clavier sécurisé est indisponible. Veuillez réessayer.")]
    RandomUnavailable,
}

/// Progress of the entry, safe to show: how many digits, never which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeypadState {
    /// Digits entered so far.
    pub entered: u8,
    /// Digits of the PIN (4 to 6).
    pub required: u8,
    /// True once `entered == required`: the PIN can be taken.
    pub complete: bool,
}

/// A shuffled PIN keypad for one PIN entry.
///
/// `layout()[position]` is the digit shown on key `position` (0 to 9; the phone draws
/// positions 0-8 as a 3×3 grid and position 9 centred on a fourth row). The app
/// forwards positions to [`press`](Keypad::press) and gets back only a [`KeypadState`].
///
/// Once more than the idle timeout has passed since the last key press, erase or clear
/// (or since creation), the keypad is **expired**, for good: the digits are wiped,
/// [`press`](Keypad::press) and [`take_pin`](Keypad::take_pin) fail with
/// [`KeypadError::Expired`], and [`state`](Keypad::state), [`erase`](Keypad::erase) and
/// [`clear`](Keypad::clear) report zero digits entered (use
/// [`is_expired`](Keypad::is_expired) to tell the two apart).
pub struct Keypad {
    layout: [u8; KEY_COUNT],
    digits: PinBytes<KeypadDigits>,
    required: u8,
    clock: Arc<dyn Clock>,
    idle_timeout: Duration,
    last_activity: Instant,
    expired: bool,
}

impl Keypad {
    /// A keypad for a PIN of `pin_length` digits (4 to 6), on the system clock, with
    /// [`DEFAULT_IDLE_TIMEOUT`].
    pub fn new(pin_length: u8) -> Result<Keypad, KeypadError> {
        Keypad::with_clock(pin_length, Arc::new(SystemClock), DEFAULT_IDLE_TIMEOUT)
    }

    /// A keypad with its own clock and idle timeout; timeouts above
    /// [`MAX_IDLE_TIMEOUT`] are clamped to it.
    pub fn with_clock(
        pin_length: u8,
        clock: Arc<dyn Clock>,
        idle_timeout: Duration,
    ) -> Result<Keypad, KeypadError> {
        if !(MIN_PIN_LENGTH..=MAX_PIN_LENGTH).contains(&pin_length) {
            return Err(KeypadError::InvalidPinLength { length: pin_length });
        }
        let rng = SystemRandom::new();
        let layout = draw_layout(&mut |bytes| rng.fill(bytes))
            .map_err(|_| KeypadError::RandomUnavailable)?;
        let last_activity = clock.now();
        Ok(Keypad {
            layout,
            digits: PinBytes::with_capacity(usize::from(pin_length)),
            required: pin_length,
            clock,
            idle_timeout: idle_timeout.min(MAX_IDLE_TIMEOUT),
            last_activity,
            expired: false,
        })
    }

    /// `layout()[position]` is the digit shown on key `position`.
    pub fn layout(&self) -> [u8; KEY_COUNT] {
        self.layout
    }

    /// Number of digits of the PIN.
    pub fn pin_length(&self) -> u8 {
        self.required
    }

    /// The inactivity timeout in force (after clamping).
    pub fn idle_timeout(&self) -> Duration {
        self.idle_timeout
    }

    /// True once the keypad has expired (see [`Keypad`]).
    pub fn is_expired(&self) -> bool {
        self.expired || self.idle_for() > self.idle_timeout
    }

    /// Records a press on key `position`.
    pub fn press(&mut self, position: u8) -> Result<KeypadState, KeypadError> {
        self.ensure_live()?;
        let digit = *self
            .layout
            .get(usize::from(position))
            .ok_or(KeypadError::InvalidPosition { position })?;
        if self.is_complete() {
            return Err(KeypadError::AlreadyComplete);
        }
        self.digits.push(b'0' + digit);
        self.touch();
        Ok(self.snapshot())
    }

    /// Removes the last digit entered, if any.
    pub fn erase(&mut self) -> KeypadState {
        if self.ensure_live().is_ok() {
            // Wiped, not only dropped: it would otherwise stay in spare capacity.
            self.digits.erase_last();
            self.touch();
        }
        self.snapshot()
    }

    /// Removes every digit entered.
    pub fn clear(&mut self) -> KeypadState {
        if self.ensure_live().is_ok() {
            self.digits.clear();
            self.touch();
        }
        self.snapshot()
    }

    /// Progress of the entry; zero digits once expired.
    pub fn state(&mut self) -> KeypadState {
        // An expired keypad reports an empty entry; `ensure_live` has wiped it.
        let _ = self.ensure_live();
        self.snapshot()
    }

    /// Moves the complete PIN out; the keypad is empty afterwards.
    pub fn take_pin(&mut self) -> Result<Pin, KeypadError> {
        self.ensure_live()?;
        if !self.is_complete() {
            return Err(KeypadError::Incomplete {
                entered: self.entered(),
                required: self.required,
            });
        }
        let capacity = usize::from(self.required);
        let digits = std::mem::replace(&mut self.digits, PinBytes::with_capacity(capacity));
        Ok(Pin::from_keypad(digits))
    }

    /// Wipes the digits and fails if the keypad has expired.
    fn ensure_live(&mut self) -> Result<(), KeypadError> {
        if self.is_expired() {
            self.expired = true;
            self.digits.clear();
            return Err(KeypadError::Expired);
        }
        Ok(())
    }

    fn idle_for(&self) -> Duration {
        self.clock
            .now()
            .saturating_duration_since(self.last_activity)
    }

    fn touch(&mut self) {
        self.last_activity = self.clock.now();
    }

    fn entered(&self) -> u8 {
        // At most MAX_PIN_LENGTH digits are ever pushed.
        u8::try_from(self.digits.len()).unwrap_or(u8::MAX)
    }

    fn is_complete(&self) -> bool {
        self.entered() >= self.required
    }

    fn snapshot(&self) -> KeypadState {
        KeypadState {
            entered: self.entered(),
            required: self.required,
            complete: self.is_complete(),
        }
    }
}

impl fmt::Debug for Keypad {
    /// Only the progress: neither the digits nor the layout (which with the positions
    /// pressed would give the PIN away).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keypad")
            .field("entered", &self.entered())
            .field("required", &self.required)
            .finish_non_exhaustive()
    }
}

impl Drop for Keypad {
    fn drop(&mut self) {
        self.layout.zeroize();
        // No safe code can read a value after its drop, so the unit tests look at the
        // layout as the drop leaves it, just before its memory is freed.
        #[cfg(test)]
        tests::record_layout_left_by_drop(self.layout);
    }
}
