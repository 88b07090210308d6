//! Drawing of the phone with ratatui. Returns the clickable rectangles of the frame so
//! the runtime can turn a mouse click into an [`Input::Click`](super::state::Input).

use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize as _};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::state::{Button, KeypadCell, Phone, Screen, Target, KEYPAD_COLUMNS, KEYPAD_ROWS};
use crate::keypad_grid::dots;

/// What the screens show besides the state: where to start a payment.
#[derive(Debug, Clone)]
pub struct Context {
    pub checkout_url: String,
    pub account: String,
    /// Shown on the waiting screen for the embedded sandbox's demo account.
    pub pin_hint: Option<String>,
}

const PHONE_WIDTH: u16 = 48;
const PHONE_HEIGHT: u16 = 36;
const KEY_WIDTH: u16 = 11;
const KEY_HEIGHT: u16 = 3;
const KEY_GAP: u16 = 2;

pub type Hits = Vec<(Rect, Target)>;

pub fn draw(frame: &mut Frame, phone: &Phone, context: &Context) -> Hits {
    let area = frame.area();
    let width = PHONE_WIDTH.min(area.width);
    let height = PHONE_HEIGHT.min(area.height);
    let outer = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, outer);
    let block = Block::bordered()
        .title(" Chèque-Vacances Connect ")
        .title_alignment(Alignment::Center);
    let inner = block.inner(outer);
    frame.render_widget(block, outer);
    let inner = Rect::new(
        inner.x + 1,
        inner.y + 1,
        inner.width.saturating_sub(2),
        inner.height.saturating_sub(1),
    );

    let mut hits = Hits::new();
    let mut y = inner.y;
    let text = |frame: &mut Frame, y: &mut u16, lines: Vec<Line<'static>>| {
        let height = lines.len() as u16;
        let rect = Rect::new(
            inner.x,
            *y,
            inner.width,
            height.min(inner.bottom().saturating_sub(*y)),
        );
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), rect);
        *y += height;
        rect
    };

    match &phone.screen {
        Screen::Waiting => {
            let mut lines = vec![
                Line::from("En attente d'une demande de paiement…").bold(),
                Line::from(""),
                Line::from(format!("Compte : {}", context.account)),
            ];
            if let Some(hint) = &context.pin_hint {
                lines.push(Line::from(hint.clone()));
            }
            lines.extend([
                Line::from(""),
                Line::from("Lancez un paiement depuis la page marchand :"),
                Line::from(context.checkout_url.clone()).fg(Color::Cyan),
            ]);
            text(frame, &mut y, lines);
        }
        Screen::Notification(notification) => {
            text(
                frame,
                &mut y,
                vec![Line::from("Nouvelle notification").bold(), Line::from("")],
            );
            let rect = Rect::new(inner.x, y, inner.width, 4);
            let card = Paragraph::new(vec![
                Line::from(notification.title.clone()).bold(),
                Line::from(notification.body.clone()),
            ])
            .wrap(Wrap { trim: true })
            .block(Block::bordered());
            frame.render_widget(card, rect);
            hits.push((rect, Target::OpenNotification));
            y += 5;
            text(
                frame,
                &mut y,
                vec![Line::from("Entrée ou clic : ouvrir · Échap : ignorer").dim()],
            );
        }
        Screen::Opening => {
            text(frame, &mut y, vec![Line::from("Ouverture de la demande…")]);
        }
        Screen::Sending => {
            text(frame, &mut y, vec![Line::from("Validation en cours…")]);
        }
        Screen::Payment { focus } => {
            if let Some(view) = &phone.view {
                text(frame, &mut y, payment_lines(view, None));
                y += 1;
                for button in Button::ALL {
                    let label = match button {
                        Button::Pay => format!("Payer {}", view.amount_text),
                        Button::EditAmount => "Modifier le montant".to_owned(),
                        Button::Decline => "Refuser".to_owned(),
                    };
                    let selected = button == *focus;
                    let line = if selected {
                        Line::from(format!("▶ {label}"))
                            .add_modifier(Modifier::REVERSED | Modifier::BOLD)
                    } else {
                        Line::from(format!("  {label}"))
                    };
                    let rect = text(frame, &mut y, vec![line]);
                    hits.push((rect, Target::Button(button)));
                }
                y += 1;
                text(
                    frame,
                    &mut y,
                    vec![Line::from("↑↓ + Entrée, ou clic · q : quitter").dim()],
                );
            }
        }
        Screen::EditAmount { input } => {
            if let Some(view) = &phone.view {
                text(frame, &mut y, payment_lines(view, Some(input)));
                y += 1;
                text(
                    frame,
                    &mut y,
                    vec![
                        Line::from(format!(
                            "Entre {} et {}.",
                            view.min_amount.format_fr(),
                            view.max_amount.format_fr()
                        ))
                        .dim(),
                        Line::from("Entrée : appliquer · Échap : annuler").dim(),
                    ],
                );
            }
        }
        Screen::Keypad {
            row,
            column,
            entered,
            required,
        } => {
            let amount = phone
                .view
                .as_ref()
                .map(|v| v.amount_text.clone())
                .unwrap_or_default();
            text(
                frame,
                &mut y,
                vec![
                    Line::from(format!("Payer {amount}")).bold(),
                    Line::from("Saisissez votre code personnel"),
                    Line::from(""),
                    Line::from(format!("Code : {}", spaced(&dots(*entered, *required)))).bold(),
                    Line::from(""),
                ],
            );
            if let Some(layout) = phone.layout() {
                let grid_width =
                    KEYPAD_COLUMNS as u16 * KEY_WIDTH + (KEYPAD_COLUMNS as u16 - 1) * KEY_GAP;
                let left = inner.x + inner.width.saturating_sub(grid_width) / 2;
                for r in 0..KEYPAD_ROWS {
                    for c in 0..KEYPAD_COLUMNS {
                        let cell = KeypadCell::at(r, c);
                        let rect = Rect::new(
                            left + c as u16 * (KEY_WIDTH + KEY_GAP),
                            y + r as u16 * KEY_HEIGHT,
                            KEY_WIDTH,
                            KEY_HEIGHT,
                        )
                        .intersection(inner);
                        let label = match cell {
                            KeypadCell::Key(p) => {
                                char::from(b'0' + layout[usize::from(p)]).to_string()
                            }
                            KeypadCell::Erase => "Effacer".to_owned(),
                            KeypadCell::Validate => "Valider".to_owned(),
                        };
                        let mut style = Style::default();
                        if (r, c) == (*row, *column) {
                            style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD);
                        }
                        let key = Paragraph::new(label)
                            .alignment(Alignment::Center)
                            .style(style)
                            .block(Block::bordered().style(style));
                        frame.render_widget(key, rect);
                        hits.push((rect, Target::Cell(cell)));
                    }
                }
                y += KEYPAD_ROWS as u16 * KEY_HEIGHT + 1;
            }
            text(
                frame,
                &mut y,
                vec![
                    Line::from("Flèches + Entrée, ou clic sur une touche.").dim(),
                    Line::from("Retour arrière : effacer · Échap : annuler").dim(),
                ],
            );
        }
        Screen::Result { message, success } => {
            let (mark, color) = if *success {
                ("✔ ", Color::Green)
            } else {
                ("✖ ", Color::Red)
            };
            let lines = wrap(&format!("{mark}{message}"), inner.width)
                .into_iter()
                .map(|l| Line::from(l).fg(color).bold())
                .collect();
            text(frame, &mut y, lines);
            if let Some(view) = &phone.view {
                y += 1;
                text(
                    frame,
                    &mut y,
                    vec![Line::from(format!("Solde : {}", view.balance_text))],
                );
            }
            y += 1;
            let rect = text(
                frame,
                &mut y,
                vec![Line::from("[ OK ]").add_modifier(Modifier::REVERSED)],
            );
            hits.push((Rect::new(rect.x, rect.y, 6, 1), Target::Dismiss));
        }
    }

    if let Some(notice) = &phone.notice {
        y += 1;
        let lines = wrap(notice, inner.width)
            .into_iter()
            .map(|l| Line::from(l).fg(Color::Yellow))
            .collect();
        text(frame, &mut y, lines);
    }
    if phone.pending_notifications() > 0 {
        y += 1;
        text(
            frame,
            &mut y,
            vec![Line::from(format!(
                "{} autre(s) notification(s) en attente",
                phone.pending_notifications()
            ))
            .dim()],
        );
    }
    hits
}

/// The payment screen's figures; `editing` replaces the amount with the text typed.
fn payment_lines(
    view: &cvconnect_core::client::PaymentView,
    editing: Option<&str>,
) -> Vec<Line<'static>> {
    let row = |label: &str, value: String| Line::from(format!("{label:<30}{value:>10}"));
    let amount = match editing {
        Some(input) => Line::from(vec![
            Span::from(format!("{:<30}", "Montant CV Connect")),
            Span::from(format!("{input:>9}▏")).add_modifier(Modifier::REVERSED),
        ]),
        None => row("Montant payé en CV Connect", view.amount_text.clone()).bold(),
    };
    vec![
        Line::from(format!("{} vous demande un paiement", view.payee_name)).bold(),
        Line::from(""),
        row("Solde Chèque-Vacances Connect", view.balance_text.clone()),
        amount,
        row("Total de la commande", view.total_text.clone()),
        row("Reste à payer par carte", view.remainder_text.clone()),
    ]
}

/// Greedy word wrap to `width` columns, each sentence starting a new line.
fn wrap(text: &str, width: u16) -> Vec<String> {
    let width = usize::from(width.max(8));
    let mut lines = Vec::new();
    for sentence in text.split_inclusive(". ") {
        let mut line = String::new();
        for word in sentence.split(' ').filter(|w| !w.is_empty()) {
            let len = line.chars().count();
            if len > 0 && len + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines
}

fn spaced(text: &str) -> String {
    text.chars()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_breaks_sentences_and_long_lines() {
        assert_eq!(
            wrap(
                "✔ Paiement accepté. Reste à payer : 50,00 € par carte bancaire.",
                44
            ),
            [
                "✔ Paiement accepté.",
                "Reste à payer : 50,00 € par carte bancaire."
            ]
        );
        assert_eq!(
            wrap("un deux trois quatre", 9),
            ["un deux", "trois", "quatre"]
        );
    }
}
