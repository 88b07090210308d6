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
//! Entered digits live in a [`Zeroizing`] buffer (allocated once, never reallocated) and
//! are wiped on erase, clear, expiry and drop; [`Keypad::take_pin`] moves them into a
//! [`Pin`] without copying. `Debug` prints neither digits nor the layout.
//!
//! Entry expires after a period without key presses (PSD2 RTS, art. 4(3)(d): at most
//! five minutes of inactivity), measured with an injectable [`Clock`] so tests need not
//! sleep. Expiry is final: the digits are wiped and the app must build a new keypad,
//! with a new layout.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use ring::error::Unspecified;
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::{Zeroize, Zeroizing};

use crate::pin::Pin;

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

/// Random bytes drawn per refill while shuffling (about 10 are needed per layout).
const RANDOM_CHUNK: usize = 32;

/// Rejected bytes in a row after which the random source is deemed broken. An honest
/// source rejects at most 6 bytes in 256, so 64 in a row does not happen.
const MAX_REJECTIONS: usize = 64;

/// Why a keypad operation failed. Messages are French, fit for display.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeypadError {
    #[error(
        "Longueur de code personnel non prise en charge ({length} chiffres) : 4 à 6 attendus."
    )]
    InvalidPinLength { length: u8 },
    #[error("Touche inconnue ({position}).")]
    InvalidPosition { position: u8 },
    #[error("Le code personnel est déjà complet.")]
    AlreadyComplete,
    #[error("Code personnel incomplet ({entered} chiffres sur {required}).")]
    Incomplete { entered: u8, required: u8 },
    #[error("Saisie interrompue après une période d’inactivité. Veuillez recommencer.")]
    Expired,
    /// The system random generator failed; no layout could be drawn.
    #[error("Le clavier sécurisé est indisponible. Veuillez réessayer.")]
    RandomUnavailable,
}

/// Progress of the entry, safe to show: how many digits, never which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeypadState {
    pub entered: u8,
    pub required: u8,
    pub complete: bool,
}

/// Source of time for the inactivity timeout.
pub trait Clock: Send + Sync {
    fn now(&self) -> Instant;
}

/// The monotonic system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to, for tests.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Instant>,
}

impl ManualClock {
    pub fn new() -> ManualClock {
        ManualClock {
            now: Mutex::new(Instant::now()),
        }
    }

    /// Moves the clock forward. It never moves back, even on overflow.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now = now.checked_add(by).unwrap_or(*now);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
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
    digits: Zeroizing<Vec<u8>>,
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
            digits: Zeroizing::new(Vec::with_capacity(usize::from(pin_length))),
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
            if let Some(last) = self.digits.last_mut() {
                // Wipe before shortening: the byte would otherwise stay in spare capacity.
                last.zeroize();
            }
            let len = self.digits.len().saturating_sub(1);
            self.digits.truncate(len);
            self.touch();
        }
        self.snapshot()
    }

    /// Removes every digit entered.
    pub fn clear(&mut self) -> KeypadState {
        if self.ensure_live().is_ok() {
            self.digits.zeroize();
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
        let digits = std::mem::replace(
            &mut self.digits,
            Zeroizing::new(Vec::with_capacity(capacity)),
        );
        Ok(Pin::from_zeroizing(digits))
    }

    /// Wipes the digits and fails if the keypad has expired.
    fn ensure_live(&mut self) -> Result<(), KeypadError> {
        if self.is_expired() {
            self.expired = true;
            self.digits.zeroize();
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
    }
}

/// Draws a uniformly random permutation of the ten digits (Fisher–Yates). `fill` fills
/// a buffer with random bytes.
fn draw_layout(
    fill: &mut dyn FnMut(&mut [u8]) -> Result<(), Unspecified>,
) -> Result<[u8; KEY_COUNT], Unspecified> {
    let mut layout = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    let mut bytes = RandomBytes::new(fill);
    for i in (1..KEY_COUNT).rev() {
        // `i + 1 <= 10`, so the conversion never fails.
        let bound = u8::try_from(i + 1).map_err(|_| Unspecified)?;
        let j = bytes.uniform_below(bound)?;
        layout.swap(i, usize::from(j));
    }
    Ok(layout)
}

/// Random bytes drawn in chunks, wiped after use (they determine the layout).
struct RandomBytes<'a> {
    fill: &'a mut dyn FnMut(&mut [u8]) -> Result<(), Unspecified>,
    buffer: Zeroizing<[u8; RANDOM_CHUNK]>,
    used: usize,
}

impl<'a> RandomBytes<'a> {
    fn new(fill: &'a mut dyn FnMut(&mut [u8]) -> Result<(), Unspecified>) -> Self {
        RandomBytes {
            fill,
            buffer: Zeroizing::new([0; RANDOM_CHUNK]),
            used: RANDOM_CHUNK,
        }
    }

    fn next_byte(&mut self) -> Result<u8, Unspecified> {
        if self.used == RANDOM_CHUNK {
            (self.fill)(&mut self.buffer[..])?;
            self.used = 0;
        }
        let byte = self.buffer.get(self.used).copied().ok_or(Unspecified)?;
        self.used += 1;
        Ok(byte)
    }

    /// A uniform value in `0..bound` (`bound >= 1`). Bytes at or above the largest
    /// multiple of `bound` not above 256 are rejected, so every residue has exactly
    /// the same number of bytes mapping to it.
    fn uniform_below(&mut self, bound: u8) -> Result<u8, Unspecified> {
        let bound = u16::from(bound.max(1));
        let limit = 256 - 256 % bound;
        for _ in 0..MAX_REJECTIONS {
            let byte = u16::from(self.next_byte()?);
            if byte < limit {
                return u8::try_from(byte % bound).map_err(|_| Unspecified);
            }
        }
        Err(Unspecified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const MINUTE: Duration = Duration::from_secs(60);

    fn manual(pin_length: u8, timeout: Duration) -> (Keypad, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new());
        let keypad = Keypad::with_clock(pin_length, clock.clone(), timeout).unwrap();
        (keypad, clock)
    }

    fn position_of(keypad: &Keypad, digit: u8) -> u8 {
        let position = keypad.layout().iter().position(|&d| d == digit).unwrap();
        u8::try_from(position).unwrap()
    }

    fn type_digits(keypad: &mut Keypad, digits: &[u8]) -> Result<KeypadState, KeypadError> {
        let mut state = keypad.state();
        for &digit in digits {
            state = keypad.press(position_of(keypad, digit))?;
        }
        Ok(state)
    }

    fn state(entered: u8, required: u8) -> KeypadState {
        KeypadState {
            entered,
            required,
            complete: entered == required,
        }
    }

    #[test]
    fn pin_length_is_4_to_6() {
        for length in [0, 1, 3, 7, 10, 255] {
            let error = Keypad::new(length).unwrap_err();
            assert_eq!(error, KeypadError::InvalidPinLength { length });
        }
        for length in 4..=6 {
            assert_eq!(Keypad::new(length).unwrap().state(), state(0, length));
        }
    }

    #[test]
    fn layout_is_a_permutation() {
        let mut layout = Keypad::new(4).unwrap().layout();
        layout.sort_unstable();
        assert_eq!(layout, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }

    #[test]
    fn every_keypad_gets_a_new_layout() {
        let layouts: HashSet<_> = (0..50).map(|_| Keypad::new(4).unwrap().layout()).collect();
        // 10! layouts: two equal draws among 50 happen once in about 3000 runs.
        assert!(layouts.len() >= 49, "{} distinct layouts", layouts.len());
    }

    #[test]
    fn presses_build_the_pin() {
        let mut keypad = Keypad::new(4).unwrap();
        assert_eq!(type_digits(&mut keypad, &[0, 4, 2]), Ok(state(3, 4)));
        assert_eq!(type_digits(&mut keypad, &[9]), Ok(state(4, 4)));
        let pin = keypad.take_pin().unwrap();
        assert_eq!(pin.expose_ascii(), b"0429");
        assert_eq!(keypad.state(), state(0, 4));
    }

    #[test]
    fn positions_are_0_to_9() {
        let mut keypad = Keypad::new(4).unwrap();
        for position in [10, 11, 255] {
            let error = keypad.press(position).unwrap_err();
            assert_eq!(error, KeypadError::InvalidPosition { position });
        }
        assert_eq!(keypad.state(), state(0, 4));
        assert!(keypad.press(9).is_ok());
    }

    #[test]
    fn presses_after_completion_are_refused() {
        let mut keypad = Keypad::new(4).unwrap();
        type_digits(&mut keypad, &[1, 2, 3, 4]).unwrap();
        assert_eq!(keypad.press(0), Err(KeypadError::AlreadyComplete));
        assert_eq!(keypad.take_pin().unwrap().expose_ascii(), b"1234");
    }

    #[test]
    fn an_incomplete_pin_is_not_taken() {
        let mut keypad = Keypad::new(6).unwrap();
        type_digits(&mut keypad, &[1, 2]).unwrap();
        let error = keypad.take_pin().unwrap_err();
        assert_eq!(
            error,
            KeypadError::Incomplete {
                entered: 2,
                required: 6
            }
        );
        assert_eq!(keypad.state(), state(2, 6));
    }

    #[test]
    fn erase_removes_the_last_digit() {
        let mut keypad = Keypad::new(4).unwrap();
        assert_eq!(keypad.erase(), state(0, 4));
        type_digits(&mut keypad, &[7, 7, 8]).unwrap();
        assert_eq!(keypad.erase(), state(2, 4));
        type_digits(&mut keypad, &[1, 2]).unwrap();
        assert_eq!(keypad.take_pin().unwrap().expose_ascii(), b"7712");
    }

    #[test]
    fn clear_removes_every_digit() {
        let mut keypad = Keypad::new(5).unwrap();
        type_digits(&mut keypad, &[5, 5, 5]).unwrap();
        assert_eq!(keypad.clear(), state(0, 5));
        assert_eq!(keypad.clear(), state(0, 5));
        type_digits(&mut keypad, &[1, 2, 3, 4, 0]).unwrap();
        assert_eq!(keypad.take_pin().unwrap().expose_ascii(), b"12340");
    }

    #[test]
    fn idle_keypad_expires_and_stays_expired() {
        let (mut keypad, clock) = manual(4, MINUTE);
        type_digits(&mut keypad, &[3, 1]).unwrap();
        clock.advance(MINUTE);
        assert!(!keypad.is_expired(), "exactly the timeout is still in time");
        clock.advance(Duration::from_nanos(1));
        assert!(keypad.is_expired());
        assert_eq!(keypad.press(0), Err(KeypadError::Expired));
        assert_eq!(keypad.state(), state(0, 4));
        assert_eq!(keypad.take_pin().unwrap_err(), KeypadError::Expired);
        assert_eq!(keypad.erase(), state(0, 4));
        assert_eq!(keypad.clear(), state(0, 4));
        assert_eq!(keypad.press(0), Err(KeypadError::Expired));
    }

    #[test]
    fn state_and_take_pin_notice_expiry() {
        let (mut keypad, clock) = manual(4, MINUTE);
        type_digits(&mut keypad, &[1, 2, 3, 4]).unwrap();
        clock.advance(MINUTE * 2);
        assert_eq!(keypad.state(), state(0, 4));
        assert!(keypad.is_expired());
        let (mut keypad, clock) = manual(4, MINUTE);
        type_digits(&mut keypad, &[1, 2, 3, 4]).unwrap();
        clock.advance(MINUTE * 2);
        assert_eq!(keypad.take_pin().unwrap_err(), KeypadError::Expired);
    }

    #[test]
    fn an_untouched_keypad_expires_too() {
        let (mut keypad, clock) = manual(4, MINUTE);
        clock.advance(MINUTE + Duration::from_secs(1));
        assert_eq!(keypad.press(0), Err(KeypadError::Expired));
    }

    #[test]
    fn activity_restarts_the_timeout() {
        let (mut keypad, clock) = manual(4, MINUTE);
        for digit in [1, 2, 3] {
            clock.advance(Duration::from_secs(50));
            type_digits(&mut keypad, &[digit]).unwrap();
        }
        clock.advance(Duration::from_secs(50));
        keypad.erase();
        clock.advance(Duration::from_secs(50));
        keypad.clear();
        clock.advance(Duration::from_secs(50));
        assert_eq!(type_digits(&mut keypad, &[4]), Ok(state(1, 4)));
    }

    #[test]
    fn timeouts_are_clamped_to_five_minutes() {
        let (mut keypad, clock) = manual(4, Duration::from_secs(3600));
        assert_eq!(keypad.idle_timeout(), MAX_IDLE_TIMEOUT);
        clock.advance(MAX_IDLE_TIMEOUT + Duration::from_secs(1));
        assert_eq!(keypad.press(0), Err(KeypadError::Expired));
        assert_eq!(Keypad::new(4).unwrap().idle_timeout(), DEFAULT_IDLE_TIMEOUT);
    }

    #[test]
    fn debug_shows_neither_digits_nor_layout() {
        let mut keypad = Keypad::new(4).unwrap();
        type_digits(&mut keypad, &[7, 8, 9]).unwrap();
        let text = format!("{keypad:?}");
        assert_eq!(text, "Keypad { entered: 3, required: 4, .. }");
        let pretty = format!("{keypad:#?}");
        assert!(!pretty.contains(['7', '8', '9']), "{pretty}");
    }

    #[test]
    fn keypads_cross_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Keypad>();
        send_sync::<ManualClock>();
    }

    #[test]
    fn rejection_sampling_is_exactly_uniform() {
        // Feeding every byte value gives each residue the same count.
        for bound in 1..=10u8 {
            let mut next = 0u8;
            let mut fill = |buf: &mut [u8]| {
                for b in buf.iter_mut() {
                    *b = next;
                    next = next.wrapping_add(1);
                }
                Ok(())
            };
            let mut bytes = RandomBytes::new(&mut fill);
            let mut counts = [0u32; 10];
            let accepted = 256 - 256 % u32::from(bound);
            // Two cycles of the byte values, so the rejected ones are read in between.
            for _ in 0..2 * accepted {
                counts[usize::from(bytes.uniform_below(bound).unwrap())] += 1;
            }
            let expected = 2 * accepted / u32::from(bound);
            assert!(
                counts[..usize::from(bound)].iter().all(|&c| c == expected),
                "{bound}: {counts:?}"
            );
        }
    }

    #[test]
    fn a_broken_random_source_is_an_error() {
        let mut stuck = |buf: &mut [u8]| {
            buf.fill(255);
            Ok(())
        };
        assert!(draw_layout(&mut stuck).is_err());
        let mut failing = |_: &mut [u8]| Err(Unspecified);
        assert!(draw_layout(&mut failing).is_err());
    }

    /// Chi-square statistic of each position over `draws` fresh keypads.
    fn chi_square_per_position(draws: u32) -> [f64; KEY_COUNT] {
        let mut counts = [[0u32; 10]; KEY_COUNT];
        for _ in 0..draws {
            let layout = Keypad::new(4).unwrap().layout();
            for (position, &digit) in layout.iter().enumerate() {
                counts[position][usize::from(digit)] += 1;
            }
        }
        let expected = f64::from(draws) / 10.0;
        counts.map(|row| {
            row.iter()
                .map(|&c| (f64::from(c) - expected).powi(2) / expected)
                .sum()
        })
    }

    #[test]
    fn layouts_are_uniform() {
        // 9 degrees of freedom, p = 0.001. Ten positions at p = 0.001 each would fail
        // about once in a hundred runs by chance, so a failing sample is drawn again:
        // a biased shuffle fails both, a fair one both only about once in 10 000 runs.
        const CRITICAL: f64 = 27.877;
        const DRAWS: u32 = 100_000;
        let passes = |stats: [f64; KEY_COUNT]| stats.iter().all(|&s| s < CRITICAL);
        let first = chi_square_per_position(DRAWS);
        if !passes(first) {
            let second = chi_square_per_position(DRAWS);
            assert!(passes(second), "biased layouts: {first:?} then {second:?}");
        }
    }
}
