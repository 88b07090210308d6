//! The shuffled keypad drawn as the phone draws it: positions 0-8 as a 3×3 grid and
//! position 9 centred on a fourth row. Pure text, shared by the transcript and tests.

use cvconnect_core::keypad::{Keypad, KEY_COUNT};

/// Row and column of a key position on the phone's grid.
pub fn cell_of(position: u8) -> (u8, u8) {
    match position {
        0..=8 => (position / 3, position % 3),
        _ => (3, 1),
    }
}

/// The key position showing `digit` on this layout.
pub fn position_of(layout: &[u8; KEY_COUNT], digit: u8) -> Option<u8> {
    layout.iter().position(|&d| d == digit).map(|p| p as u8)
}

/// The positions a person presses to type `pin` on this layout: they read the digits
/// on the keys. `None` if `pin` is not made of digits.
pub fn positions_for(layout: &[u8; KEY_COUNT], pin: &str) -> Option<Vec<u8>> {
    pin.bytes()
        .map(|b| b.checked_sub(b'0').and_then(|d| position_of(layout, d)))
        .collect()
}

/// Presses the keys of `pin` on `keypad`, as a person reading the keys would, and
/// returns the positions pressed.
pub fn type_pin(keypad: &mut Keypad, pin: &str) -> anyhow::Result<Vec<u8>> {
    let positions = positions_for(&keypad.layout(), pin)
        .ok_or_else(|| anyhow::anyhow!("le code personnel doit être fait de chiffres"))?;
    for &position in &positions {
        keypad
            .press(position)
            .map_err(|e| anyhow::anyhow!("touche {position} : {e}"))?;
    }
    Ok(positions)
}

/// A grid of ten labels in the phone's shape, with box-drawing borders.
pub fn grid(labels: [char; KEY_COUNT]) -> Vec<String> {
    let row = |a: usize| format!("│ {} │ {} │ {} │", labels[a], labels[a + 1], labels[a + 2]);
    vec![
        "┌───┬───┬───┐".to_owned(),
        row(0),
        "├───┼───┼───┤".to_owned(),
        row(3),
        "├───┼───┼───┤".to_owned(),
        row(6),
        "└───┼───┼───┘".to_owned(),
        format!("    │ {} │", labels[9]),
        "    └───┘".to_owned(),
    ]
}

/// The digits shown on the keys.
pub fn digits_grid(layout: &[u8; KEY_COUNT]) -> Vec<String> {
    grid(layout.map(|d| char::from(b'0' + d)))
}

/// The position numbers, in the same shape.
pub fn positions_grid() -> Vec<String> {
    grid(std::array::from_fn(|p| char::from(b'0' + p as u8)))
}

/// Two grids side by side under their headings.
pub fn side_by_side(
    left_title: &str,
    left: &[String],
    right_title: &str,
    right: &[String],
) -> Vec<String> {
    let width = left
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(left_title.chars().count())
        + 6;
    let pad = |s: &str| format!("{s}{}", " ".repeat(width - s.chars().count()));
    let mut lines = vec![format!("{}{right_title}", pad(left_title))];
    for (l, r) in left.iter().zip(right) {
        lines.push(format!("{}{r}", pad(l)));
    }
    lines
}

/// Masked progress: `●●○○`.
pub fn dots(entered: u8, required: u8) -> String {
    (0..required)
        .map(|i| if i < entered { '●' } else { '○' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUT: [u8; 10] = [7, 2, 9, 0, 5, 1, 3, 8, 4, 6];

    #[test]
    fn cells_follow_the_phone_grid() {
        assert_eq!(cell_of(0), (0, 0));
        assert_eq!(cell_of(5), (1, 2));
        assert_eq!(cell_of(8), (2, 2));
        assert_eq!(cell_of(9), (3, 1));
    }

    #[test]
    fn positions_are_found_by_reading_the_keys() {
        assert_eq!(positions_for(&LAYOUT, "4827"), Some(vec![8, 7, 1, 0]));
        assert_eq!(positions_for(&LAYOUT, "6"), Some(vec![9]));
        assert_eq!(positions_for(&LAYOUT, "4a"), None);
    }

    #[test]
    fn grid_has_the_phone_shape() {
        let lines = digits_grid(&LAYOUT);
        assert_eq!(lines[1], "│ 7 │ 2 │ 9 │");
        assert_eq!(lines[5], "│ 3 │ 8 │ 4 │");
        assert_eq!(lines[7], "    │ 6 │");
        // Key 9 sits under the middle column.
        let column = |line: &str, c: char| line.chars().position(|x| x == c);
        assert_eq!(column(&lines[7], '6'), column(&lines[5], '8'));
    }

    #[test]
    fn dots_mask_the_entry() {
        assert_eq!(dots(2, 4), "●●○○");
        assert_eq!(dots(4, 4), "●●●●");
    }
}
