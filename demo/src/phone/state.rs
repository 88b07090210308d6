//! The phone's screens as a plain state machine, free of terminal and network code.
//!
//! The runtime feeds it [`Input`]s (keys, clicks) and [`Event`]s (a push arrived, the
//! core answered) and carries out the [`Effect`]s it returns (calls into the core).
//! The screens follow the app: waiting → notification → payment screen (⇄ amount
//! editing) → keypad → sending → result.
//!
//! The keypad takes positions only: arrows move a cursor over the keys and Enter
//! presses the key under it (or a click presses a key); digit keys of the keyboard are
//! refused, because which position shows which digit is the point of the keypad.

use std::collections::{HashMap, VecDeque};

use cvconnect_core::client::{PaymentOutcome, PaymentView};
use cvconnect_core::keypad::{Keypad, KeypadError};

/// A push as the phone shows it; `data` is what the app hands to the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub title: String,
    pub body: String,
    pub data: HashMap<String, String>,
}

/// The actions of the payment screen, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Button {
    Pay,
    EditAmount,
    Decline,
}

impl Button {
    pub const ALL: [Button; 3] = [Button::Pay, Button::EditAmount, Button::Decline];

    fn index(self) -> usize {
        Button::ALL.iter().position(|b| *b == self).unwrap_or(0)
    }

    fn moved(self, by: isize) -> Button {
        let index = (self.index() as isize + by).clamp(0, Button::ALL.len() as isize - 1);
        Button::ALL[index as usize]
    }
}

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

/// Where a click landed (the drawing tells the runtime which rectangle is which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    OpenNotification,
    Button(Button),
    Cell(KeypadCell),
    Dismiss,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Up,
    Down,
    Left,
    Right,
    Enter,
    Backspace,
    Escape,
    Char(char),
    Click(Target),
    Quit,
}

/// What the core or the push feed reported.
#[derive(Debug)]
pub enum Event {
    Push(Notification),
    Opened(PaymentView),
    AmountChecked(Result<PaymentView, String>),
    KeypadReady(Keypad),
    Finished(Result<PaymentOutcome, String>, Option<PaymentView>),
    Failed(String),
}

/// A call into the core the runtime must make.
#[derive(Debug)]
pub enum Effect {
    Open(HashMap<String, String>),
    SetAmount(String),
    StartPinEntry,
    Confirm(Keypad),
    Decline,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Waiting,
    Notification(Notification),
    Opening,
    Payment {
        focus: Button,
    },
    EditAmount {
        input: String,
    },
    Keypad {
        row: u8,
        column: u8,
        entered: u8,
        required: u8,
    },
    Sending,
    Result {
        message: String,
        success: bool,
    },
}

/// Longest amount text accepted while editing.
const MAX_AMOUNT_INPUT: usize = 12;

pub const DIGIT_KEYS_REFUSED: &str =
    "Touches chiffres désactivées : choisissez les touches à l'écran (flèches + Entrée, ou souris).";

#[derive(Debug)]
pub struct Phone {
    pub screen: Screen,
    /// The payment on screen, as the core shows it.
    pub view: Option<PaymentView>,
    /// An information or error line under the screen.
    pub notice: Option<String>,
    pub quit: bool,
    keypad: Option<Keypad>,
    queue: VecDeque<Notification>,
}

impl Default for Phone {
    fn default() -> Self {
        Phone::new()
    }
}

impl Phone {
    pub fn new() -> Phone {
        Phone {
            screen: Screen::Waiting,
            view: None,
            notice: None,
            quit: false,
            keypad: None,
            queue: VecDeque::new(),
        }
    }

    /// The digit on each key position while the keypad is on screen.
    pub fn layout(&self) -> Option<[u8; 10]> {
        self.keypad.as_ref().map(Keypad::layout)
    }

    pub fn pending_notifications(&self) -> usize {
        self.queue.len()
    }

    pub fn on_input(&mut self, input: Input) -> Option<Effect> {
        if input == Input::Quit {
            self.quit = true;
            return None;
        }
        match self.screen.clone() {
            Screen::EditAmount { input: text } => self.edit_amount(text, input),
            _ if input == Input::Char('q') => {
                self.quit = true;
                None
            }
            Screen::Waiting | Screen::Opening | Screen::Sending => None,
            Screen::Notification(notification) => match input {
                Input::Enter | Input::Click(Target::OpenNotification) => {
                    self.screen = Screen::Opening;
                    self.notice = None;
                    Some(Effect::Open(notification.data))
                }
                Input::Escape => {
                    self.next_notification();
                    None
                }
                _ => None,
            },
            Screen::Payment { focus } => match input {
                Input::Up | Input::Left => self.focus(focus.moved(-1)),
                Input::Down | Input::Right => self.focus(focus.moved(1)),
                Input::Enter => self.press_button(focus),
                Input::Click(Target::Button(button)) => self.press_button(button),
                _ => None,
            },
            Screen::Keypad { row, column, .. } => self.keypad_input(row, column, input),
            Screen::Result { .. } => match input {
                Input::Enter | Input::Escape | Input::Click(Target::Dismiss) => {
                    self.view = None;
                    self.next_notification();
                    None
                }
                _ => None,
            },
        }
    }

    pub fn on_event(&mut self, event: Event) -> Option<Effect> {
        match event {
            Event::Push(notification) => {
                if self.screen == Screen::Waiting {
                    self.screen = Screen::Notification(notification);
                } else {
                    self.queue.push_back(notification);
                }
            }
            Event::Opened(view) => {
                self.view = Some(view);
                self.screen = Screen::Payment { focus: Button::Pay };
            }
            Event::AmountChecked(Ok(view)) => {
                self.view = Some(view);
                self.notice = None;
                self.screen = Screen::Payment { focus: Button::Pay };
            }
            Event::AmountChecked(Err(message)) => self.notice = Some(message),
            Event::KeypadReady(keypad) => {
                let required = keypad.pin_length();
                self.keypad = Some(keypad);
                self.notice = None;
                self.screen = Screen::Keypad {
                    row: 0,
                    column: 0,
                    entered: 0,
                    required,
                };
            }
            Event::Finished(result, view) => {
                if view.is_some() {
                    self.view = view;
                }
                match result {
                    Ok(outcome @ PaymentOutcome::WrongPin { .. }) => {
                        self.notice = Some(outcome.message_fr());
                        self.screen = Screen::Payment { focus: Button::Pay };
                    }
                    Ok(outcome) => {
                        let success = matches!(
                            outcome,
                            PaymentOutcome::PaidInFull { .. } | PaymentOutcome::PaidInPart { .. }
                        );
                        self.notice = None;
                        self.screen = Screen::Result {
                            message: outcome.message_fr(),
                            success,
                        };
                    }
                    Err(message) => {
                        self.screen = Screen::Result {
                            message,
                            success: false,
                        }
                    }
                }
            }
            Event::Failed(message) => {
                self.keypad = None;
                self.screen = Screen::Result {
                    message,
                    success: false,
                };
            }
        }
        None
    }

    fn next_notification(&mut self) {
        self.notice = None;
        self.screen = match self.queue.pop_front() {
            Some(notification) => Screen::Notification(notification),
            None => Screen::Waiting,
        };
    }

    fn focus(&mut self, button: Button) -> Option<Effect> {
        self.screen = Screen::Payment { focus: button };
        None
    }

    fn press_button(&mut self, button: Button) -> Option<Effect> {
        self.screen = Screen::Payment { focus: button };
        match button {
            Button::Pay => {
                if self.view.as_ref().is_some_and(|v| v.can_confirm) {
                    Some(Effect::StartPinEntry)
                } else {
                    self.notice = Some("Montant invalide : modifiez le montant.".into());
                    None
                }
            }
            Button::EditAmount => {
                self.notice = None;
                self.screen = Screen::EditAmount {
                    input: String::new(),
                };
                None
            }
            Button::Decline => {
                self.notice = None;
                self.screen = Screen::Sending;
                Some(Effect::Decline)
            }
        }
    }

    fn edit_amount(&mut self, mut text: String, input: Input) -> Option<Effect> {
        match input {
            Input::Char(c)
                if (c.is_ascii_digit() || matches!(c, ',' | '.' | ' '))
                    && text.chars().count() < MAX_AMOUNT_INPUT =>
            {
                text.push(c);
            }
            Input::Backspace => {
                text.pop();
            }
            Input::Enter if !text.trim().is_empty() => {
                return Some(Effect::SetAmount(text));
            }
            Input::Escape => {
                self.notice = None;
                self.screen = Screen::Payment {
                    focus: Button::EditAmount,
                };
                return None;
            }
            _ => {}
        }
        self.screen = Screen::EditAmount { input: text };
        None
    }

    fn keypad_input(&mut self, row: u8, column: u8, input: Input) -> Option<Effect> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use cvconnect_core::amount::Amount;
    use cvconnect_core::protocol::wire::PaymentStatus;

    fn view(can_confirm: bool) -> PaymentView {
        let eur = |cents| Amount::from_cents(cents);
        PaymentView {
            payment_id: "pay_1".into(),
            payee_id: "mer_1".into(),
            payee_name: "Boutique Démo".into(),
            status: PaymentStatus::Pending,
            total: eur(15_000),
            balance: eur(20_000),
            amount: eur(15_000),
            remainder: Amount::ZERO,
            min_amount: eur(1),
            max_amount: eur(15_000),
            expires_at: 0,
            pin_length: 4,
            attempts_left: 3,
            can_confirm,
            total_text: "150,00 €".into(),
            balance_text: "200,00 €".into(),
            amount_text: "150,00 €".into(),
            remainder_text: "0,00 €".into(),
        }
    }

    fn notification() -> Notification {
        Notification {
            title: "Chèque-Vacances Connect".into(),
            body: "Boutique Démo vous demande 150,00 €".into(),
            data: HashMap::from([("payment_id".into(), "pay_1".into())]),
        }
    }

    /// A phone showing the keypad for `pay_1`.
    fn on_keypad() -> Phone {
        let mut phone = Phone::new();
        phone.on_event(Event::Push(notification()));
        assert!(matches!(
            phone.on_input(Input::Enter),
            Some(Effect::Open(_))
        ));
        phone.on_event(Event::Opened(view(true)));
        assert!(matches!(
            phone.on_input(Input::Enter),
            Some(Effect::StartPinEntry)
        ));
        phone.on_event(Event::KeypadReady(Keypad::new(4).unwrap()));
        phone
    }

    fn go_to(phone: &mut Phone, cell: KeypadCell) {
        let Screen::Keypad { row, column, .. } = phone.screen else {
            panic!("not on the keypad")
        };
        let (to_row, to_column) = cell.row_column();
        let vertical = if to_row > row { Input::Down } else { Input::Up };
        let horizontal = if to_column > column {
            Input::Right
        } else {
            Input::Left
        };
        for _ in 0..to_row.abs_diff(row) {
            phone.on_input(vertical);
        }
        for _ in 0..to_column.abs_diff(column) {
            phone.on_input(horizontal);
        }
    }

    fn entered(phone: &Phone) -> u8 {
        match phone.screen {
            Screen::Keypad { entered, .. } => entered,
            _ => panic!("not on the keypad: {:?}", phone.screen),
        }
    }

    #[test]
    fn a_push_while_busy_waits_its_turn() {
        let mut phone = Phone::new();
        phone.on_event(Event::Push(notification()));
        phone.on_event(Event::Push(notification()));
        assert_eq!(phone.pending_notifications(), 1);
        phone.on_input(Input::Escape);
        assert!(matches!(phone.screen, Screen::Notification(_)));
        phone.on_input(Input::Escape);
        assert_eq!(phone.screen, Screen::Waiting);
    }

    #[test]
    fn cells_map_to_the_phone_grid() {
        assert_eq!(KeypadCell::at(0, 0), KeypadCell::Key(0));
        assert_eq!(KeypadCell::at(2, 2), KeypadCell::Key(8));
        assert_eq!(KeypadCell::at(3, 1), KeypadCell::Key(9));
        assert_eq!(KeypadCell::at(3, 0), KeypadCell::Erase);
        assert_eq!(KeypadCell::at(3, 2), KeypadCell::Validate);
        for row in 0..KEYPAD_ROWS {
            for column in 0..KEYPAD_COLUMNS {
                assert_eq!(KeypadCell::at(row, column).row_column(), (row, column));
            }
        }
    }

    #[test]
    fn arrows_and_enter_type_positions_then_validate_confirms() {
        let mut phone = on_keypad();
        let layout = phone.layout().unwrap();
        for (i, digit) in [4u8, 8, 2, 7].into_iter().enumerate() {
            let position = layout.iter().position(|&d| d == digit).unwrap() as u8;
            go_to(&mut phone, KeypadCell::Key(position));
            phone.on_input(Input::Enter);
            assert_eq!(entered(&phone), i as u8 + 1);
        }
        go_to(&mut phone, KeypadCell::Validate);
        let effect = phone.on_input(Input::Enter);
        let Some(Effect::Confirm(mut keypad)) = effect else {
            panic!("validate confirms: {effect:?}")
        };
        assert_eq!(keypad.take_pin().unwrap().expose_ascii(), b"4827");
        assert_eq!(phone.screen, Screen::Sending);
        assert!(phone.layout().is_none(), "the keypad left the screen");
    }

    #[test]
    fn digit_keys_are_refused_and_clicks_press_keys() {
        let mut phone = on_keypad();
        assert!(phone.on_input(Input::Char('4')).is_none());
        assert_eq!(entered(&phone), 0);
        assert_eq!(phone.notice.as_deref(), Some(DIGIT_KEYS_REFUSED));
        phone.on_input(Input::Click(Target::Cell(KeypadCell::Key(9))));
        assert_eq!(entered(&phone), 1);
        assert!(matches!(
            phone.screen,
            Screen::Keypad {
                row: 3,
                column: 1,
                ..
            }
        ));
        phone.on_input(Input::Backspace);
        assert_eq!(entered(&phone), 0);
        phone.on_input(Input::Click(Target::Cell(KeypadCell::Key(2))));
        assert!(phone
            .on_input(Input::Click(Target::Cell(KeypadCell::Validate)))
            .is_none());
        assert!(phone.notice.as_deref().unwrap().contains("incomplet"));
        phone.on_input(Input::Escape);
        assert_eq!(phone.screen, Screen::Payment { focus: Button::Pay });
        assert!(phone.layout().is_none(), "escape drops the keypad");
    }

    #[test]
    fn the_cursor_stays_on_the_grid() {
        let mut phone = on_keypad();
        phone.on_input(Input::Up);
        phone.on_input(Input::Left);
        assert!(matches!(
            phone.screen,
            Screen::Keypad {
                row: 0,
                column: 0,
                ..
            }
        ));
        for _ in 0..9 {
            phone.on_input(Input::Down);
            phone.on_input(Input::Right);
        }
        assert!(matches!(
            phone.screen,
            Screen::Keypad {
                row: 3,
                column: 2,
                ..
            }
        ));
    }

    #[test]
    fn amount_editing() {
        let mut phone = Phone::new();
        phone.on_event(Event::Push(notification()));
        phone.on_input(Input::Enter);
        phone.on_event(Event::Opened(view(true)));
        phone.on_input(Input::Down);
        assert_eq!(
            phone.screen,
            Screen::Payment {
                focus: Button::EditAmount
            }
        );
        phone.on_input(Input::Enter);
        for c in "100,5x0".chars() {
            phone.on_input(Input::Char(c));
        }
        phone.on_input(Input::Char('q'));
        assert!(!phone.quit, "q is just ignored while typing an amount");
        assert_eq!(
            phone.screen,
            Screen::EditAmount {
                input: "100,50".into()
            }
        );
        let Some(Effect::SetAmount(text)) = phone.on_input(Input::Enter) else {
            panic!("enter applies the amount")
        };
        assert_eq!(text, "100,50");
        phone.on_event(Event::AmountChecked(Err("Montant trop élevé.".into())));
        assert!(matches!(phone.screen, Screen::EditAmount { .. }));
        assert_eq!(phone.notice.as_deref(), Some("Montant trop élevé."));
        phone.on_event(Event::AmountChecked(Ok(view(true))));
        assert_eq!(phone.screen, Screen::Payment { focus: Button::Pay });
        assert!(phone.notice.is_none());
    }

    #[test]
    fn outcomes() {
        let mut phone = on_keypad();
        phone.on_event(Event::Finished(
            Ok(PaymentOutcome::WrongPin { attempts_left: 2 }),
            None,
        ));
        assert_eq!(phone.screen, Screen::Payment { focus: Button::Pay });
        assert!(phone.notice.as_deref().unwrap().contains("2 tentatives"));
        phone.on_event(Event::Finished(
            Ok(PaymentOutcome::PaidInPart {
                paid: Amount::from_cents(10_000),
                remainder: Amount::from_cents(5_000),
                balance: Amount::from_cents(10_000),
            }),
            None,
        ));
        let Screen::Result { message, success } = &phone.screen else {
            panic!("result screen")
        };
        assert!(success);
        assert!(message.contains("Reste à payer : 50,00"));
        phone.on_input(Input::Enter);
        assert_eq!(phone.screen, Screen::Waiting);
        assert!(phone.view.is_none());

        phone.on_input(Input::Char('q'));
        assert!(phone.quit);
    }

    #[test]
    fn decline_and_invalid_amount() {
        let mut phone = Phone::new();
        phone.on_event(Event::Push(notification()));
        phone.on_input(Input::Click(Target::OpenNotification));
        phone.on_event(Event::Opened(view(false)));
        assert!(
            phone.on_input(Input::Enter).is_none(),
            "cannot pay an invalid amount"
        );
        assert!(phone.notice.is_some());
        assert!(matches!(
            phone.on_input(Input::Click(Target::Button(Button::Decline))),
            Some(Effect::Decline)
        ));
        phone.on_event(Event::Finished(Ok(PaymentOutcome::Declined), None));
        assert!(matches!(
            phone.screen,
            Screen::Result { success: false, .. }
        ));
    }
}
