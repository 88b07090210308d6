//! The scripted scenarios: one payment from the merchant's checkout to the merchant's
//! result, through the core's public API, the demo playing the beneficiary.

use std::time::Duration;

use anyhow::anyhow;
use cvconnect_core::amount::Amount;
use cvconnect_core::client::{PaymentOutcome, PaymentSession, PaymentView};
use cvconnect_core::protocol::wire::{MerchantPayment, PaymentStatus};

use cvconnect_testkit::{
    core_error, push_data, sandbox_message, type_pin, Options, World, DEMO_EMAIL, DEMO_PIN,
};

use crate::keypad_grid::{digits_grid, dots, positions_grid, side_by_side};
use crate::transcript::{Side, Transcript};
use crate::world::demo_account;

/// Validity of a payment request in the sandbox (protocol default), plus one second.
const EXPIRY_JUMP_SECS: u64 = 181;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Full,
    Partial,
    WrongPin,
    Lock,
    Decline,
    Expiry,
}

impl Scenario {
    pub const ALL: [Scenario; 6] = [
        Scenario::Partial,
        Scenario::Full,
        Scenario::WrongPin,
        Scenario::Lock,
        Scenario::Decline,
        Scenario::Expiry,
    ];

    pub const DEFAULT: Scenario = Scenario::Partial;

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Full => "full",
            Scenario::Partial => "partial",
            Scenario::WrongPin => "wrong-pin",
            Scenario::Lock => "lock",
            Scenario::Decline => "decline",
            Scenario::Expiry => "expiry",
        }
    }

    pub fn parse(name: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.name() == name)
    }

    pub fn description(self) -> &'static str {
        match self {
            Scenario::Full => "paiement intégral : solde 200,00 €, commande 150,00 €",
            Scenario::Partial => {
                "paiement partiel : solde 120,00 €, commande 150,00 €, reste 30,00 € par carte"
            }
            Scenario::WrongPin => "un code personnel erroné, puis le bon",
            Scenario::Lock => "trois codes erronés : code bloqué, paiement refusé",
            Scenario::Decline => "le bénéficiaire refuse la demande de paiement",
            Scenario::Expiry => "la demande expire avant la validation (horloge avancée de 181 s)",
        }
    }

    pub fn balance(self) -> Amount {
        match self {
            Scenario::Partial => Amount::from_cents(12_000),
            _ => Amount::from_cents(20_000),
        }
    }

    pub fn total(self) -> Amount {
        Amount::from_cents(15_000)
    }

    /// The merchant's final status when the scenario goes as planned.
    pub fn expected(self) -> PaymentStatus {
        match self {
            Scenario::Full | Scenario::WrongPin => PaymentStatus::Authorised,
            Scenario::Partial => PaymentStatus::PartiallyAuthorised,
            Scenario::Lock => PaymentStatus::Refused,
            Scenario::Decline => PaymentStatus::Cancelled,
            Scenario::Expiry => PaymentStatus::Expired,
        }
    }

    /// The codes the demo user types, one per attempt.
    fn attempts(self) -> Vec<String> {
        let wrong = wrong_pin(DEMO_PIN);
        match self {
            Scenario::WrongPin => vec![wrong, DEMO_PIN.into()],
            Scenario::Lock => vec![wrong.clone(), wrong.clone(), wrong],
            _ => vec![DEMO_PIN.into()],
        }
    }
}

/// A code that is certainly not `pin`: every digit moved up by one.
fn wrong_pin(pin: &str) -> String {
    pin.bytes()
        .map(|b| char::from(b'0' + (b - b'0' + 1) % 10))
        .collect()
}

/// Runs `scenario` and returns the merchant's final status.
pub async fn run(scenario: Scenario, t: &Transcript) -> anyhow::Result<PaymentStatus> {
    t.title(&format!(
        "Chèque-Vacances Connect : démonstration « {} » ({})",
        scenario.name(),
        scenario.description()
    ));

    t.section(Side::Setup, "Sandbox, marchand, bénéficiaire, téléphone");
    let world = World::start(Options::demo(vec![demo_account(scenario.balance())])).await?;
    let result = play(scenario, &world, t).await;
    world.shutdown().await;
    result
}

async fn play(scenario: Scenario, world: &World, t: &Transcript) -> anyhow::Result<PaymentStatus> {
    t.field("Sandbox (serveur de référence)", &world.base_url);
    if let Some(path) = world.database_path() {
        t.field("Base SQLite", &path.display().to_string());
    }
    if let Some((id, name)) = world.checkout_merchant() {
        t.field("Marchand", &format!("{name} ({id})"));
    }
    t.field(
        "Bénéficiaire",
        &format!("{DEMO_EMAIL}, solde {}", scenario.balance().format_fr()),
    );
    let (phone, enrolled) = world.enroll_phone(DEMO_EMAIL).await?;
    t.field("Code d'activation (API admin)", &enrolled.activation_code);
    t.field(
        "Téléphone activé",
        &format!(
            "{} pour {} (clé P-256 logicielle)",
            enrolled.device.device_id, enrolled.device.email_masked
        ),
    );

    // The merchant's checkout.
    t.section(Side::Merchant, "Page de paiement");
    t.field("Total de la commande", &scenario.total().format_fr());
    t.field("Moyen de paiement choisi", "Chèque-Vacances Connect");
    t.field("E-mail saisi", DEMO_EMAIL);
    let merchant = world.merchant();
    let created = merchant
        .create_payment(DEMO_EMAIL, scenario.total(), Some("CMD-DEMO-0001"))
        .await
        .map_err(|e| {
            anyhow!(
                "le marchand n'a pas pu créer la demande de paiement : {}",
                sandbox_message(&e)
            )
        })?;
    t.line(&format!(
        "→ API marchand : demande {} créée ({}, valable {} s)",
        created.id,
        created.status.as_str(),
        created.expires_at - created.created_at
    ));
    t.line("« Validez le paiement sur votre téléphone. »");

    // The push reaches the phone; the app hands its data map to the core.
    t.section(Side::Phone, "Notification");
    let push = world
        .wait_push(
            &enrolled.device.device_id,
            Some(&created.id),
            Duration::from_secs(15),
        )
        .await?;
    t.field("Titre", &push.title);
    t.field("Texte", &push.body);
    let data = push_data(&push);
    let mut keys: Vec<_> = data.iter().map(|(k, v)| format!("{k}={v}")).collect();
    keys.sort();
    t.field("Données", &keys.join(", "));
    t.line("(seul payment_id compte : le téléphone relit la demande auprès du serveur)");
    let session = phone
        .client
        .open_from_push(&data)
        .await
        .map_err(|e| core_error("le téléphone n'a pas pu ouvrir la demande", &e))?;

    t.section(Side::Phone, "Écran de paiement");
    show_payment(t, &session.view());

    if scenario == Scenario::Decline {
        t.section(Side::Phone, "Refus");
        t.line("Le bénéficiaire appuie sur « Refuser ».");
        let outcome = session
            .decline()
            .await
            .map_err(|e| core_error("le refus n'a pas abouti", &e))?;
        t.line(&format!("→ {}", outcome.message_fr()));
    } else {
        enter_pin_and_confirm(scenario, world, &session, t).await?;
    }

    let final_payment = merchant.payment(&created.id).await.map_err(|e| {
        anyhow!(
            "le marchand n'a pas pu relire la demande : {}",
            sandbox_message(&e)
        )
    })?;
    show_merchant_result(t, &final_payment);

    if let Ok(balance) = phone.client.balance().await {
        t.section(Side::Phone, "Après le paiement");
        t.field("Solde Chèque-Vacances Connect", &balance.text);
    }
    Ok(final_payment.status)
}

fn show_payment(t: &Transcript, view: &PaymentView) {
    t.field("Bénéficiaire du paiement", &view.payee_name);
    t.field("Solde Chèque-Vacances Connect", &view.balance_text);
    t.field("Montant payé en CV Connect", &view.amount_text);
    t.field("Total de la commande", &view.total_text);
    t.field("Reste à payer par carte", &view.remainder_text);
    t.line(&format!(
        "Boutons : [Modifier le montant]  [Payer {}]  [Refuser]",
        view.amount_text
    ));
}

async fn enter_pin_and_confirm(
    scenario: Scenario,
    world: &World,
    session: &PaymentSession,
    t: &Transcript,
) -> anyhow::Result<()> {
    let attempts = scenario.attempts();
    for (index, pin) in attempts.iter().enumerate() {
        let title = if attempts.len() > 1 {
            format!("Code personnel, essai {} sur {}", index + 1, attempts.len())
        } else {
            "Code personnel".to_owned()
        };
        t.section(Side::Phone, &title);
        t.line(&format!(
            "Le bénéficiaire appuie sur « Payer {} ».",
            session.view().amount_text
        ));
        let mut keypad = session
            .start_pin_entry()
            .map_err(|e| core_error("le clavier n'a pas pu s'ouvrir", &e))?;
        t.line("Clavier mélangé (nouveau tirage à chaque saisie) :");
        t.block(&side_by_side(
            "positions",
            &positions_grid(),
            "chiffres affichés",
            &digits_grid(&keypad.layout()),
        ));
        let positions = type_pin(&mut keypad, pin)?;
        let typed: Vec<String> = positions.iter().map(u8::to_string).collect();
        let state = keypad.state();
        let who = if pin == DEMO_PIN {
            "Le bénéficiaire lit les chiffres sur les touches et touche les positions"
        } else {
            "Le bénéficiaire se trompe de code et touche les positions"
        };
        t.line(&format!("{who} : {}", typed.join(", ")));
        t.field("Code saisi", &dots(state.entered, state.required));
        if scenario == Scenario::Expiry {
            world
                .admin
                .advance_clock(EXPIRY_JUMP_SECS)
                .await
                .map_err(|e| {
                    anyhow!(
                        "l'horloge de la sandbox n'a pas avancé : {}",
                        sandbox_message(&e)
                    )
                })?;
            t.line(&format!(
                "… le bénéficiaire tarde : l'horloge de la sandbox avance de {EXPIRY_JUMP_SECS} s (validité : 180 s)."
            ));
        }
        t.line("→ Valider : code scellé pour le serveur, demande signée par l'appareil.");
        let outcome = session
            .confirm_keypad(&mut keypad)
            .await
            .map_err(|e| core_error("la validation n'a pas abouti", &e))?;
        t.line(&format!("→ {}", outcome.message_fr()));
        if !matches!(outcome, PaymentOutcome::WrongPin { .. }) {
            break;
        }
    }
    Ok(())
}

fn show_merchant_result(t: &Transcript, payment: &MerchantPayment) {
    t.section(Side::Merchant, "Résultat (API marchand)");
    t.field("Statut", payment.status.as_str());
    if let Some(paid) = payment.paid_amount {
        t.field("Payé en Chèque-Vacances Connect", &paid.format_fr());
    }
    match payment.status {
        PaymentStatus::Authorised => t.line("« Votre achat est validé ! »"),
        PaymentStatus::PartiallyAuthorised => {
            let remaining = payment.remaining_amount.unwrap_or_else(|| {
                payment
                    .total
                    .checked_sub(payment.paid_amount.unwrap_or(Amount::ZERO))
                    .unwrap_or(Amount::ZERO)
            });
            t.line(&format!(
                "« Reste à payer : {} par carte bancaire »",
                remaining.format_fr()
            ));
            t.section(Side::Merchant, "Carte bancaire");
            t.line(&format!(
                "Le site propose le formulaire de carte bancaire pour {}.",
                remaining.format_fr()
            ));
            t.line("(Le paiement par carte ne passe pas par CV Connect : la démo s'arrête ici.)");
        }
        PaymentStatus::Refused => t.line(
            "« Paiement refusé : code personnel bloqué. Choisissez un autre moyen de paiement. »",
        ),
        PaymentStatus::Cancelled => t.line("« Paiement annulé par le bénéficiaire. »"),
        PaymentStatus::Expired => t.line("« La demande de paiement a expiré. »"),
        PaymentStatus::Pending => t.line("« En attente de validation sur le téléphone… »"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_default_is_partial() {
        for scenario in Scenario::ALL {
            assert_eq!(Scenario::parse(scenario.name()), Some(scenario));
        }
        assert_eq!(Scenario::parse("nope"), None);
        assert_eq!(Scenario::DEFAULT, Scenario::Partial);
        assert_eq!(
            Scenario::DEFAULT.expected(),
            PaymentStatus::PartiallyAuthorised
        );
    }

    #[test]
    fn the_wrong_pin_is_wrong() {
        assert_eq!(wrong_pin("4827"), "5938");
        assert_eq!(wrong_pin("9990"), "0001");
    }
}
