//! `cvconnect-demo`: a Chèque-Vacances Connect payment end to end, through the core,
//! against the embedded sandbox (scripted scenarios), or a terminal phone a person
//! plays (`phone`).

mod keypad_grid;
mod phone;
mod scenarios;
mod transcript;
mod world;

use std::process::ExitCode;

use scenarios::Scenario;
use transcript::Transcript;

const USAGE: &str = "\
Usage :
  cvconnect-demo [--scenario NOM]      joue un paiement de bout en bout (défaut : partial)
  cvconnect-demo --list                liste les scénarios
  cvconnect-demo phone [OPTIONS]       téléphone interactif dans le terminal
  cvconnect-demo --help

Scénario : démarre une sandbox locale (port libre, base SQLite temporaire), crée le
marchand « Boutique Démo » et une bénéficiaire, active un téléphone logiciel par le
cœur Rust, puis joue le paiement : page du marchand, notification, écran de paiement,
clavier mélangé, résultat chez le marchand. Code de sortie 0 seulement si le statut
final chez le marchand est celui attendu par le scénario.

Options de « phone » :
  --url URL            sandbox déjà démarrée (par ex. http://127.0.0.1:8787) ;
                       sans --url, une sandbox locale est démarrée avec les données de démo
  --admin-token T      jeton d'administration de cette sandbox (obligatoire avec --url)
  --email E            compte du bénéficiaire (défaut : camille.martin@example.fr)
";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Command {
    Help,
    List,
    Scenario(Scenario),
    Phone(phone::Options),
}

fn parse_args(args: &[String]) -> Result<Command, String> {
    let mut args = args.iter();
    let mut command = Command::Scenario(Scenario::DEFAULT);
    let mut phone: Option<phone::Options> = None;
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| args.next().cloned())
                .ok_or_else(|| format!("{name} attend une valeur ({what})"))
        };
        match (name, phone.as_mut()) {
            ("-h" | "--help", _) => return Ok(Command::Help),
            ("--list", None) => command = Command::List,
            ("--scenario", None) => {
                let wanted = value("NOM")?;
                let scenario = Scenario::parse(&wanted)
                    .ok_or_else(|| format!("scénario inconnu « {wanted} » (voir --list)"))?;
                command = Command::Scenario(scenario);
            }
            ("phone", None) => phone = Some(phone::Options::default()),
            ("--url", Some(options)) => options.url = Some(value("URL")?),
            ("--admin-token", Some(options)) => options.admin_token = Some(value("JETON")?),
            ("--email", Some(options)) => options.email = value("E-MAIL")?,
            (other, _) => return Err(format!("option inconnue « {other} » (voir --help)")),
        }
    }
    match phone {
        Some(options) if options.url.is_some() && options.admin_token.is_none() => Err(
            "--url demande aussi --admin-token (le jeton d'administration de la sandbox)".into(),
        ),
        Some(options) => Ok(Command::Phone(options)),
        None => Ok(command),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match parse_args(&args) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("Erreur : {message}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Command::List => {
            for scenario in Scenario::ALL {
                let default = if scenario == Scenario::DEFAULT {
                    " (défaut)"
                } else {
                    ""
                };
                println!(
                    "{:<10} {}{default}",
                    scenario.name(),
                    scenario.description()
                );
            }
            ExitCode::SUCCESS
        }
        Command::Scenario(scenario) => run_scenario(scenario),
        Command::Phone(options) => match phone::run(options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("Erreur : {error:#}");
                ExitCode::FAILURE
            }
        },
    }
}

fn run_scenario(scenario: Scenario) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("Erreur : impossible de démarrer le moteur asynchrone ({error}).");
            return ExitCode::FAILURE;
        }
    };
    let transcript = Transcript;
    let started = std::time::Instant::now();
    match runtime.block_on(scenarios::run(scenario, &transcript)) {
        Ok(status) if status == scenario.expected() => {
            transcript.blank();
            println!(
                "✔ Scénario « {} » réussi : statut final chez le marchand {}, comme attendu ({} ms).",
                scenario.name(),
                status.as_str(),
                started.elapsed().as_millis()
            );
            ExitCode::SUCCESS
        }
        Ok(status) => {
            eprintln!(
                "Échec du scénario « {} » : statut final chez le marchand {}, attendu {}.",
                scenario.name(),
                status.as_str(),
                scenario.expected().as_str()
            );
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("Échec du scénario « {} » : {error:#}.", scenario.name());
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn default_is_the_partial_scenario() {
        assert_eq!(parse(&[]), Ok(Command::Scenario(Scenario::Partial)));
        assert_eq!(
            parse(&["--scenario", "lock"]),
            Ok(Command::Scenario(Scenario::Lock))
        );
        assert_eq!(
            parse(&["--scenario=expiry"]),
            Ok(Command::Scenario(Scenario::Expiry))
        );
        assert_eq!(parse(&["--list"]), Ok(Command::List));
        assert_eq!(parse(&["-h"]), Ok(Command::Help));
        assert!(parse(&["--scenario", "nope"]).is_err());
        assert!(parse(&["--scenario"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
    }

    #[test]
    fn phone_options() {
        let Ok(Command::Phone(options)) = parse(&[
            "phone",
            "--url",
            "http://127.0.0.1:8787",
            "--admin-token",
            "t",
            "--email=a@b.fr",
        ]) else {
            panic!("phone command");
        };
        assert_eq!(options.url.as_deref(), Some("http://127.0.0.1:8787"));
        assert_eq!(options.admin_token.as_deref(), Some("t"));
        assert_eq!(options.email, "a@b.fr");
        assert!(parse(&["phone", "--url", "http://127.0.0.1:1"]).is_err());
        assert!(parse(&["phone", "--scenario", "full"]).is_err());
        assert_eq!(
            parse(&["phone"]),
            Ok(Command::Phone(phone::Options::default()))
        );
    }
}
