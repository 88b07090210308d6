//! Every scenario of the demo binary: its exit status and the key lines of its
//! transcript.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_cvconnect-demo");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("the demo binary runs")
}

fn stdout(output: &Output) -> String {
    // The transcript writes amounts the French way, with U+00A0 before "€".
    String::from_utf8_lossy(&output.stdout).replace('\u{a0}', " ")
}

/// Runs a scenario, checks it exits 0 and returns its transcript.
fn scenario(name: &str) -> String {
    let output = run(&["--scenario", name]);
    let text = stdout(&output);
    assert!(
        output.status.success(),
        "scenario {name} failed ({:?})\n--- stdout\n{text}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        text.contains("── Côté marchand · Page de paiement"),
        "{text}"
    );
    assert!(text.contains("── Côté téléphone · Notification"), "{text}");
    assert!(
        text.contains("── Côté téléphone · Écran de paiement"),
        "{text}"
    );
    assert!(
        text.contains("E-mail saisi :                     camille.martin@example.fr"),
        "{text}"
    );
    assert!(
        text.contains("Total de la commande :             150,00 €"),
        "{text}"
    );
    assert!(text.contains("type=payment_request"), "{text}");
    assert!(
        text.contains(&format!("✔ Scénario « {name} » réussi")),
        "{text}"
    );
    // The demo never prints the PIN: only positions and dots.
    assert!(!text.contains("4827"), "the PIN leaked:\n{text}");
    text
}

/// The positions typed on each keypad, checked against the digits drawn on it.
fn typed_digits(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut typed = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !line.contains("chiffres affichés") {
            continue;
        }
        // The digits grid is the right half of the next 9 lines.
        let keys: Vec<char> = lines[i + 1..i + 9]
            .iter()
            .filter_map(|l| l.split("      ").filter(|p| !p.is_empty()).nth(1))
            .flat_map(|right| {
                right
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(keys.len(), 10, "a grid of ten keys: {keys:?}");
        let positions_line = lines[i + 9..]
            .iter()
            .find(|l| l.contains("touche les positions"))
            .expect("positions line");
        let digits: String = positions_line
            .rsplit(" : ")
            .next()
            .unwrap()
            .split(", ")
            .map(|p| keys[p.trim().parse::<usize>().unwrap()])
            .collect();
        typed.push(digits);
    }
    typed
}

#[test]
fn default_is_the_partial_payment_with_a_card_remainder() {
    let output = run(&[]);
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(text.contains("démonstration « partial »"), "{text}");
    assert!(
        text.contains("Solde Chèque-Vacances Connect :    120,00 €"),
        "{text}"
    );
    assert!(
        text.contains("Montant payé en CV Connect :       120,00 €"),
        "{text}"
    );
    assert!(
        text.contains("Reste à payer par carte :          30,00 €"),
        "{text}"
    );
    assert!(
        text.contains("Code saisi :                       ●●●●"),
        "{text}"
    );
    assert!(
        text.contains("Statut :                           PARTIALLY_AUTHORISED"),
        "{text}"
    );
    assert!(
        text.contains("« Reste à payer : 30,00 € par carte bancaire »"),
        "{text}"
    );
    assert!(text.contains("── Côté marchand · Carte bancaire"), "{text}");
    assert!(!text.contains("4827"), "the PIN leaked");
    assert_eq!(typed_digits(&text), ["4827"], "the positions type the PIN");
}

#[test]
fn partial() {
    let text = scenario("partial");
    assert!(text.contains("« Reste à payer : 30,00 € par carte bancaire »"));
    assert!(text.contains("Solde Chèque-Vacances Connect :    0,00 €"));
}

#[test]
fn full() {
    let text = scenario("full");
    assert!(
        text.contains("Reste à payer par carte :          0,00 €"),
        "{text}"
    );
    assert!(
        text.contains("Statut :                           AUTHORISED"),
        "{text}"
    );
    assert!(text.contains("« Votre achat est validé ! »"), "{text}");
    assert!(
        text.contains("Solde Chèque-Vacances Connect :    50,00 €"),
        "{text}"
    );
    assert!(!text.contains("Carte bancaire"), "{text}");
}

#[test]
fn wrong_pin_then_right_pin() {
    let text = scenario("wrong-pin");
    assert!(
        text.contains("essai 1 sur 2") && text.contains("essai 2 sur 2"),
        "{text}"
    );
    assert!(
        text.contains("→ Code personnel incorrect. Il vous reste 2 tentatives."),
        "{text}"
    );
    assert!(text.contains("« Votre achat est validé ! »"), "{text}");
    let typed = typed_digits(&text);
    assert_eq!(typed.len(), 2);
    assert_ne!(typed[0], "4827");
    assert_eq!(typed[1], "4827");
}

#[test]
fn lock_after_three_wrong_pins() {
    let text = scenario("lock");
    assert!(text.contains("essai 3 sur 3"), "{text}");
    assert!(text.contains("Dernière tentative avant blocage."), "{text}");
    assert!(
        text.contains("Statut :                           REFUSED"),
        "{text}"
    );
    assert!(
        text.contains("Solde Chèque-Vacances Connect :    200,00 €"),
        "{text}"
    );
    assert!(typed_digits(&text).iter().all(|d| d != "4827"));
}

#[test]
fn decline() {
    let text = scenario("decline");
    assert!(
        text.contains("Le bénéficiaire appuie sur « Refuser »."),
        "{text}"
    );
    assert!(
        text.contains("Statut :                           CANCELLED"),
        "{text}"
    );
    assert!(!text.contains("Code personnel"), "{text}");
}

#[test]
fn expiry() {
    let text = scenario("expiry");
    assert!(
        text.contains("l'horloge de la sandbox avance de 181 s"),
        "{text}"
    );
    assert!(
        text.contains("Statut :                           EXPIRED"),
        "{text}"
    );
    assert!(
        text.contains("Solde Chèque-Vacances Connect :    200,00 €"),
        "{text}"
    );
}

#[test]
fn list_and_help() {
    let list = run(&["--list"]);
    assert!(list.status.success());
    let text = stdout(&list);
    for name in ["full", "partial", "wrong-pin", "lock", "decline", "expiry"] {
        assert!(text.lines().any(|l| l.starts_with(name)), "{text}");
    }
    let help = run(&["--help"]);
    assert!(help.status.success());
    assert!(stdout(&help).contains("cvconnect-demo phone"));
}

#[test]
fn bad_arguments_fail_with_a_french_message() {
    let output = run(&["--scenario", "nope"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("scénario inconnu « nope »"), "{stderr}");
    assert!(output.stdout.is_empty());

    let output = run(&["phone", "--url", "http://127.0.0.1:9"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--admin-token"));
}

#[test]
fn an_unreachable_sandbox_is_a_clear_failure() {
    // Port 9 (discard) is not listening on loopback.
    let output = run(&["phone", "--url", "http://127.0.0.1:9", "--admin-token", "t"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Erreur : aucune sandbox ne répond à http://127.0.0.1:9"),
        "{stderr}"
    );
}
