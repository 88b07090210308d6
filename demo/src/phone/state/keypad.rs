//! The keypad screen: four rows of three cells, a cursor moved by the arrows, a cell
//! pressed by Enter or by a click. The keypad takes positions only; digit keys of the
//! keyboard are refused, because which position shows which digit is the point of the
//! keypad.

use cvconnect_core::keypad::KeypadError;

use super::{Button, Effect, Input, Phone, Screen, Target};

/// A cell of the keypad screen: four rows of three. Positions 0-8 fill the first three
/// rows, the fourth row is [Effacer] [position 9] [Valider].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeypadCell {
    Key(u8),
    Erase,
    Validate,
}

pub const KEYPAD_ROWS: u8 = 4;
pub const KEYPAD_COLUMNS: u8 = 3;

impl KeypadCell {
    pub fn at(row: u8, column: u8) -> KeypadCell {
        match (row, column) {
            (3, 0) => KeypadCell::Erase,
            (3, 2) => KeypadCell::Validate,
            (3, _) => KeypadCell::Key(9),
            (row, column) => KeypadCell::Key(row * 3 + column),
        }
    }

    pub fn row_column(self) -> (u8, u8) {
        match self {
            KeypadCell::Erase => (3, 0),
            KeypadCell::Validate => (3, 2),
            KeypadCell::Key(position) => crate::keypad_grid::cell_of(position),
        }
    }
}

pub const DIGIT_KEYS_REFUSED: &str =
    "Touches chiffres désactivées : choisissez les touches à l'écran (flèches + Entrée, ou souris).";

impl Phone {
    /// What `input` does on the keypad screen, the cursor at (`row`, `column`).
    pub(super) fn keypad_input(&mut self, row: u8, column: u8, input: Input) -> Option<Effect> {
        let (row, column) = match input {
            Input::Up => (row.saturating_sub(1), column),
            Input::Down => ((row + 1).min(KEYPAD_ROWS - 1), column),
            Input::Left => (row, column.saturating_sub(1)),
            Input::Right => (row, (column + 1).min(KEYPAD_COLUMNS - 1)),
            Input::Enter => return self.press_cell(KeypadCell::at(row, column)),
            Input::Click(Target::Cell(cell)) => {
                self.move_cursor(cell.row_column());
                return self.press_cell(cell);
            }
            Input::Backspace => return self.press_cell(KeypadCell::Erase),
            Input::Escape => {
                self.keypad = None;
                self.notice = None;
                self.screen = Screen::Payment { focus: Button::Pay };
                return None;
            }
            Input::Char(c) if c.is_ascii_digit() => {
                self.notice = Some(DIGIT_KEYS_REFUSED.into());
                return None;
            }
            _ => return None,
        };
        self.move_cursor((row, column));
        None
    }

    fn move_cursor(&mut self, (to_row, to_column): (u8, u8)) {
        if let Screen::Keypad { row, column, .. } = &mut self.screen {
            *row = to_row;
            *column = to_column;
        }
    }

    fn set_entered(&mut self, count: u8) {
        if let Screen::Keypad { entered, .. } = &mut self.screen {
            *entered = count;
        }
    }

    fn press_cell(&mut self, cell: KeypadCell) -> Option<Effect> {
        let keypad = self.keypad.as_mut()?;
        let result = match cell {
            KeypadCell::Key(position) => keypad.press(position),
            KeypadCell::Erase => Ok(keypad.erase()),
            KeypadCell::Validate => {
                let state = keypad.state();
                if keypad.is_expired() {
                    Err(KeypadError::Expired)
                } else if state.complete {
                    let keypad = self.keypad.take()?;
                    self.notice = None;
                    self.screen = Screen::Sending;
                    return Some(Effect::Confirm(keypad));
                } else {
                    Err(KeypadError::Incomplete {
                        entered: state.entered,
                        required: state.required,
                    })
                }
            }
        };
        match result {
            Ok(state) => {
                self.notice = None;
                self.set_entered(state.entered);
            }
            Err(KeypadError::Expired) => {
                self.keypad = None;
                self.notice = Some(KeypadError::Expired.to_string());
                self.screen = Screen::Payment { focus: Button::Pay };
            }
            Err(error) => self.notice = Some(error.to_string()),
        }
        None
    }
}
