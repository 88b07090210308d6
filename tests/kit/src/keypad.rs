//! Typing a PIN the way a person does: reading the digits on the shuffled keys and
//! pressing those keys' positions. The keypad takes positions only, so every caller
//! that pays (suites, bench, demo, the memory probe) goes through here.

use std::time::Duration;

use anyhow::anyhow;
use cvconnect_core::client::{PaymentOutcome, PaymentSession};
use cvconnect_core::keypad::{Keypad, KEY_COUNT};

/// The key position showing `digit` on this layout.
pub fn position_of(layout: &[u8; KEY_COUNT], digit: u8) -> Option<u8> {
    layout.iter().position(|&d| d == digit).map(|p| p as u8)
}

/// The positions a person presses to type `pin` on this layout. `None` if `pin` is
/// not made of digits.
pub fn positions_for(layout: &[u8; KEY_COUNT], pin: &str) -> Option<Vec<u8>> {
    positions_of_digits(layout, digit_values(pin))
}

/// Presses the keys of `pin` on `keypad` and returns the positions pressed.
pub fn type_pin(keypad: &mut Keypad, pin: &str) -> anyhow::Result<Vec<u8>> {
    type_digits(keypad, digit_values(pin))
}

/// Presses the keys showing `digits` (values 0 to 9) and returns the positions
/// pressed. The digits are read one at a time and never collected, so that a caller
/// can hand them over without holding the PIN in memory (the memory probe).
pub fn type_digits(
    keypad: &mut Keypad,
    digits: impl IntoIterator<Item = u8>,
) -> anyhow::Result<Vec<u8>> {
    let positions = positions_of_digits(&keypad.layout(), digits)
        .ok_or_else(|| anyhow!("le code personnel doit être fait de chiffres"))?;
    for &position in &positions {
        keypad
            .press(position)
            .map_err(|e| anyhow!("touche {position} : {e}"))?;
    }
    Ok(positions)
}

/// Opens a fresh keypad on `session`, types `pin` on it and confirms.
pub async fn confirm_pin(session: &PaymentSession, pin: &str) -> anyhow::Result<PaymentOutcome> {
    let mut keypad = session.start_pin_entry()?;
    type_pin(&mut keypad, pin)?;
    Ok(session.confirm_keypad(&mut keypad).await?)
}

/// [`confirm_pin`], but the caller waits at most `patience`, as a user leaving the
/// screen: `None` when it gave up before the answer (the core carries on with the
/// submission and records its outcome).
pub async fn confirm_pin_within(
    session: &PaymentSession,
    pin: &str,
    patience: Duration,
) -> anyhow::Result<Option<PaymentOutcome>> {
    let mut keypad = session.start_pin_entry()?;
    type_pin(&mut keypad, pin)?;
    match tokio::time::timeout(patience, session.confirm_keypad(&mut keypad)).await {
        Ok(outcome) => Ok(Some(outcome?)),
        Err(_) => Ok(None),
    }
}

/// The digit values of `pin`; a character that is not a digit gives a value above 9,
/// which no key shows.
fn digit_values(pin: &str) -> impl Iterator<Item = u8> + '_ {
    pin.bytes().map(|b| b.wrapping_sub(b'0'))
}

fn positions_of_digits(
    layout: &[u8; KEY_COUNT],
    digits: impl IntoIterator<Item = u8>,
) -> Option<Vec<u8>> {
    digits
        .into_iter()
        .map(|digit| position_of(layout, digit))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUT: [u8; 10] = [7, 2, 9, 0, 5, 1, 3, 8, 4, 6];

    #[test]
    fn positions_are_found_by_reading_the_keys() {
        assert_eq!(positions_for(&LAYOUT, "4827"), Some(vec![8, 7, 1, 0]));
        assert_eq!(positions_for(&LAYOUT, "6"), Some(vec![9]));
        assert_eq!(positions_for(&LAYOUT, "4a"), None);
        assert_eq!(positions_for(&LAYOUT, "4/"), None);
    }

    #[test]
    fn typing_presses_the_positions_of_the_digits() {
        let mut keypad = Keypad::new(4).unwrap();
        let layout = keypad.layout();
        let positions = type_pin(&mut keypad, "4827").unwrap();
        let typed: Vec<u8> = positions.iter().map(|&p| layout[p as usize]).collect();
        assert_eq!(typed, [4, 8, 2, 7]);
        assert_eq!(keypad.state().entered, 4);
        let mut keypad = Keypad::new(4).unwrap();
        assert!(type_pin(&mut keypad, "48a7").is_err());
        assert_eq!(
            keypad.state().entered,
            0,
            "nothing pressed before the check"
        );
    }
}
