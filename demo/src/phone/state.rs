//! The phone's screens as a plain state machine, free of terminal and network code.
//!
//! The runtime feeds it [`Input`]s (keys, clicks) and [`Event`]s (a push arrived, the
//! core answered) and carries out the [`Effect`]s it returns (calls into the core).
//! The screens follow the app: waiting → notification → payment screen (⇄ amount
//! editing) → keypad → sending → result.
//!
//! The keypad screen, which takes positions only, is in [`keypad`].

mod keypad;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, VecDeque};

use cvconnect_core::client::{PaymentOutcome, PaymentView};
use cvconnect_core::keypad::Keypad;

pub use keypad::{KeypadCell, KEYPAD_COLUMNS, KEYPAD_ROWS};

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
}
