//! The shuffled keypad drawn as the phone draws it: positions 0-8 as a 3×3 grid and
//! position 9 centred on a fourth row. Pure text, shared by the transcript and tests.

use cvconnect_core::keypad::KEY_COUNT;

/// Row and column of a key position on the phone's grid.
pub fn cell_of(position: u8) -> (u8, u8) {
    match position {
        0..=8 => (position / 3, position % 3),
        _ => (3, 1),
    }
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
