//! The phone's state machine driven as the runtime drives it: pushes, keys, clicks and
//! the core's answers in, effects out.

use super::keypad::DIGIT_KEYS_REFUSED;
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

/// Row and column of the keypad's cursor.
fn cursor(phone: &Phone) -> (u8, u8) {
    match phone.screen {
        Screen::Keypad { row, column, .. } => (row, column),
        _ => panic!("not on the keypad: {:?}", phone.screen),
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
    assert_eq!(cursor(&phone), (3, 1));
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
    assert_eq!(cursor(&phone), (0, 0));
    for _ in 0..9 {
        phone.on_input(Input::Down);
        phone.on_input(Input::Right);
    }
    assert_eq!(cursor(&phone), (3, 2));
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
