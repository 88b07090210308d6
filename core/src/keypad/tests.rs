use super::*;
use std::cell::RefCell;
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
        let mut keypad = Keypad::new(length).unwrap();
        assert_eq!(keypad.pin_length(), length);
        assert_eq!(keypad.state(), state(0, length));
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
    // PSD2 RTS art. 4(3)(d): five minutes, written out rather than read from the constant.
    assert_eq!(MAX_IDLE_TIMEOUT, Duration::from_secs(300));
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

thread_local! {
    /// The layouts as the keypads dropped on this thread (one test) left them.
    static LAYOUTS_LEFT_BY_DROP: RefCell<Vec<[u8; KEY_COUNT]>> = const { RefCell::new(Vec::new()) };
}

/// Called by `Keypad::drop` in test builds, after it wiped the layout.
pub(super) fn record_layout_left_by_drop(layout: [u8; KEY_COUNT]) {
    LAYOUTS_LEFT_BY_DROP.with(|left| left.borrow_mut().push(layout));
}

#[test]
fn a_dropped_keypad_leaves_its_layout_wiped() {
    let (mut keypad, _clock) = manual(4, MINUTE);
    assert!(keypad.layout().iter().any(|&digit| digit != 0));
    type_digits(&mut keypad, &[1, 2]).unwrap();
    LAYOUTS_LEFT_BY_DROP.with(|left| left.take());
    drop(keypad);
    let left = LAYOUTS_LEFT_BY_DROP.with(|left| left.take());
    // With the positions pressed, the layout would give the digits away.
    assert_eq!(left, vec![[0; KEY_COUNT]]);
}
