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

/// Checks that the transcript `text` holds every line of `expected`.
fn assert_lines(text: &str, expected: &[&str]) {
    for line in expected {
        assert!(text.contains(line), "missing « {line} »:\n{text}");
    }
}

/// Checks that the transcript `text` holds none of `absent`.
fn assert_no_lines(text: &str, absent: &[&str]) {
    for line in absent {
        assert!(!text.contains(line), "unexpected « {line} »:\n{text}");
    }
}

/// What each scenario's transcript shows, besides what every scenario shows.
const SHOWN: &[(&str, &str)] = &[
    ("partial", "« Reste à payer : 30,00 € par carte bancaire »"),
    ("partial", "Solde Chèque-Vacances Connect :    0,00 €"),
    ("full", "Reste à payer par carte :          0,00 €"),
    ("full", "Statut :                           AUTHORISED"),
    ("full", "« Votre achat est validé ! »"),
    ("full", "Solde Chèque-Vacances Connect :    50,00 €"),
    ("wrong-pin", "essai 1 sur 2"),
    ("wrong-pin", "essai 2 sur 2"),
    (
        "wrong-pin",
        "→ Code personnel incorrect. Il vous reste 2 tentatives.",
    ),
    ("wrong-pin", "« Votre achat est validé ! »"),
    ("lock", "essai 3 sur 3"),
    ("lock", "Dernière tentative avant blocage."),
    ("lock", "Statut :                           REFUSED"),
    ("lock", "Solde Chèque-Vacances Connect :    200,00 €"),
    ("decline", "Le bénéficiaire appuie sur « Refuser »."),
    ("decline", "Statut :                           CANCELLED"),
    ("expiry", "l'horloge de la sandbox avance de 181 s"),
    ("expiry", "Statut :                           EXPIRED"),
    ("expiry", "Solde Chèque-Vacances Connect :    200,00 €"),
];

/// What a scenario's transcript must not show.
const NOT_SHOWN: &[(&str, &str)] = &[("full", "Carte bancaire"), ("decline", "Code personnel")];

/// The lines of `table` for the scenario `name`.
fn lines_of<'a>(table: &[(&str, &'a str)], name: &str) -> Vec<&'a str> {
    table
        .iter()
        .filter(|(scenario, _)| *scenario == name)
        .map(|(_, line)| *line)
        .collect()
}

/// Runs a scenario, checks it exits 0 and what its transcript shows (what every
/// scenario shows, and its own lines of [`SHOWN`] and [`NOT_SHOWN`]); returns it.
fn scenario(name: &str) -> String {
    let output = run(&["--scenario", name]);
    let text = stdout(&output);
    assert!(
        output.status.success(),
        "scenario {name} failed ({:?})\n--- stdout\n{text}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert_lines(
        &text,
        &[
            "── Côté marchand · Page de paiement",
            "── Côté téléphone · Notification",
            "── Côté téléphone · Écran de paiement",
            "E-mail saisi :                     camille.martin@example.fr",
            "Total de la commande :             150,00 €",
            "type=payment_request",
            &format!("✔ Scénario « {name} » réussi"),
        ],
    );
    let shown = lines_of(SHOWN, name);
    assert!(!shown.is_empty(), "no lines expected of scenario {name}");
    assert_lines(&text, &shown);
    assert_no_lines(&text, &lines_of(NOT_SHOWN, name));
    // The demo never prints the PIN: only positions and dots.
    assert_no_lines(&text, &["4827"]);
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
    assert_lines(
        &text,
        &[
            "démonstration « partial »",
            "Solde Chèque-Vacances Connect :    120,00 €",
            "Montant payé en CV Connect :       120,00 €",
            "Reste à payer par carte :          30,00 €",
            "Code saisi :                       ●●●●",
            "Statut :                           PARTIALLY_AUTHORISED",
            "« Reste à payer : 30,00 € par carte bancaire »",
            "── Côté marchand · Carte bancaire",
        ],
    );
    assert_no_lines(&text, &["4827"]);
    assert_eq!(typed_digits(&text), ["4827"], "the positions type the PIN");
}

/// One test per scenario whose transcript lines are the whole check.
macro_rules! transcript_tests {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                scenario($name);
            }
        )*
    };
}

transcript_tests! {
    partial => "partial",
    full => "full",
    decline => "decline",
    expiry => "expiry",
}

#[test]
fn wrong_pin_then_right_pin() {
    let typed = typed_digits(&scenario("wrong-pin"));
    assert_eq!(typed.len(), 2);
    assert_ne!(typed[0], "4827");
    assert_eq!(typed[1], "4827");
}

#[test]
fn lock_after_three_wrong_pins() {
    let typed = typed_digits(&scenario("lock"));
    assert!(typed.iter().all(|d| d != "4827"));
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
