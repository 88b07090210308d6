//! `cvconnect-sandbox`: runs the reference backend until Ctrl-C.
//!
//! Prints the base URL as its first stdout line (then, with `--tls`, the certificate's
//! SPKI pin as `pin: sha256/…`). Logs go to stderr (`RUST_LOG` filters them).

use std::io::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use cvconnect_core::amount::Amount;
use cvconnect_sandbox::attestation::options::AttestationOptions;
use cvconnect_sandbox::{Database, Sandbox, SandboxConfig, Seed, SeedAccount, SeedMerchant};

fn usage() -> String {
    USAGE.replace("{ATTESTATION}", AttestationOptions::USAGE)
}

const USAGE: &str = "\
Usage: cvconnect-sandbox [OPTIONS]

Reference backend of the Chèque-Vacances Connect protocol v1 (HTTP + SQLite).

Options:
  --host IP                 address to listen on (default 127.0.0.1)
  --port N                  TCP port; 0 picks a free one (default 8787)
  --data-dir DIR            keep state in DIR/sandbox.sqlite3
                            (default $XDG_DATA_HOME/cvconnect-sandbox or ~/.local/share/cvconnect-sandbox)
  --db FILE                 keep state in this SQLite file
  --memory                  keep state in memory only
  --tls                     serve HTTPS with a self-signed certificate (kept in the database)
  --admin-token TOKEN       enable the /admin routes, guarded by this bearer token
  --seed FILE               seed accounts and merchants from a JSON file
  --account E:NUMBER:BALANCE:PIN
                            seed an account (repeatable), e.g. camille@example.fr:12345678901:200.00:4827
  --merchant NAME:API_KEY   seed a merchant (repeatable)
  --no-seed                 do not seed the demo data when no seed is given
  --ttl-secs N              validity of a payment request (default 180)
  --max-attempts N          wrong PINs before the lock, 1 to 5 (default 3)
  --pin-length N            PIN length of new accounts, 4 to 6 (default 4)
  --token-ttl-secs N        bearer token lifetime (default 300)
  --min-total X             minimum order total (default 20.00)
  --public-checkout         serve the checkout page and its API to any peer
                            (by default: only with --admin-token, to loopback peers)
  --merchant-rate N         new payment requests per merchant per minute (default 600)
  --account-rate N          new payment requests per account (e-mail or number as sent)
                            per minute (default 20)
  --max-pending N           pending payment requests per account reference (default 50)
  --challenge-rate N        auth challenges per device id per minute (default 30)
  --max-activation-failures N
                            wrong activation codes per e-mail before its codes are
                            burned (default 5)
  --header-timeout-ms N     time to send a request head; idle keep-alive (default 30000)
  --body-timeout-ms N       time to send a request body (default 30000)
  --max-connections N       connections served at once (default 1024)
  --webhook-retry-base-ms N first wait before retrying a merchant notification,
                            doubled at each failure (default 5000)
  --webhook-retry-max-ms N  longest wait between two attempts (default 3600000)
  --webhook-retry-for-secs N
                            how long a notification is retried (default 86400)
  --webhook-timeout-ms N    longest wait for the merchant's answer (default 10000)
  --expiry-sweep-ms N       how often due payment requests are expired (default 1000)
{ATTESTATION}  -h, --help                this help

Without --seed, --account or --merchant (and without --no-seed), the demo data of
seed/demo.json is seeded: camille.martin@example.fr (12345678901, 200.00 €, PIN 4827)
and the merchant \"Boutique Démo\" (API key mk_demo_boutique).
";

fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("cvconnect-sandbox");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(home).join(".local/share/cvconnect-sandbox");
    }
    PathBuf::from("sandbox-data")
}

fn millis(text: &str) -> anyhow::Result<Duration> {
    Ok(Duration::from_millis(text.parse()?))
}

fn parse_args(args: Vec<String>) -> anyhow::Result<Option<SandboxConfig>> {
    let mut config = SandboxConfig {
        port: 8787,
        database: Database::File(default_data_dir().join("sandbox.sqlite3")),
        ..SandboxConfig::default()
    };
    let mut seed = Seed::default();
    let mut seeded = false;
    let mut no_seed = false;
    let mut attestation = AttestationOptions::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| -> anyhow::Result<String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => args
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("{name} needs a value ({what})")),
            }
        };
        if attestation.take(&name, || value("VALUE"))? {
            continue;
        }
        match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--host" => config.host = value("IP")?.parse::<IpAddr>()?,
            "--port" => config.port = value("N")?.parse()?,
            "--data-dir" => {
                config.database =
                    Database::File(PathBuf::from(value("DIR")?).join("sandbox.sqlite3"))
            }
            "--db" => config.database = Database::File(PathBuf::from(value("FILE")?)),
            "--memory" => config.database = Database::Memory,
            "--tls" => config.tls = true,
            "--admin-token" => {
                let token = value("TOKEN")?;
                anyhow::ensure!(!token.is_empty(), "--admin-token must not be empty");
                config.admin_token = Some(token);
            }
            "--seed" => {
                seed.extend(Seed::from_file(&PathBuf::from(value("FILE")?))?);
                seeded = true;
            }
            "--account" => {
                let text = value("E:NUMBER:BALANCE:PIN")?;
                let parts: Vec<&str> = text.split(':').collect();
                let [email, number, balance, pin] = parts.as_slice() else {
                    anyhow::bail!("--account expects email:number:balance:pin, got {text:?}");
                };
                seed.accounts.push(SeedAccount {
                    email: (*email).to_owned(),
                    account_number: (*number).to_owned(),
                    balance: Amount::from_plain(balance)
                        .map_err(|e| anyhow::anyhow!("--account balance {balance:?}: {e}"))?,
                    pin: (*pin).to_owned(),
                });
                seeded = true;
            }
            "--merchant" => {
                let text = value("NAME:API_KEY")?;
                let (name, api_key) = text
                    .rsplit_once(':')
                    .ok_or_else(|| anyhow::anyhow!("--merchant expects name:api_key"))?;
                seed.merchants.push(SeedMerchant {
                    name: name.to_owned(),
                    api_key: api_key.to_owned(),
                });
                seeded = true;
            }
            "--no-seed" => no_seed = true,
            "--ttl-secs" => config.request_ttl_secs = value("N")?.parse()?,
            "--max-attempts" => config.max_pin_attempts = value("N")?.parse()?,
            "--pin-length" => config.pin_length = value("N")?.parse()?,
            "--token-ttl-secs" => config.token_ttl_secs = value("N")?.parse()?,
            "--min-total" => {
                let text = value("X")?;
                config.min_total = Amount::from_plain(&text)
                    .map_err(|e| anyhow::anyhow!("--min-total {text:?}: {e}"))?;
            }
            "--public-checkout" => config.public_checkout = true,
            "--merchant-rate" => config.limits.merchant_requests_per_min = value("N")?.parse()?,
            "--account-rate" => config.limits.account_requests_per_min = value("N")?.parse()?,
            "--max-pending" => config.limits.max_pending_per_account = value("N")?.parse()?,
            "--challenge-rate" => config.limits.challenges_per_min = value("N")?.parse()?,
            "--max-activation-failures" => {
                config.limits.max_activation_failures = value("N")?.parse()?
            }
            "--header-timeout-ms" => {
                config.connections.header_timeout = Duration::from_millis(value("N")?.parse()?)
            }
            "--body-timeout-ms" => {
                config.connections.body_timeout = Duration::from_millis(value("N")?.parse()?)
            }
            "--max-connections" => config.connections.max_connections = value("N")?.parse()?,
            "--webhook-retry-base-ms" => config.webhooks.retry_base = millis(&value("N")?)?,
            "--webhook-retry-max-ms" => config.webhooks.retry_max_interval = millis(&value("N")?)?,
            "--webhook-retry-for-secs" => {
                config.webhooks.retry_for = Duration::from_secs(value("N")?.parse()?)
            }
            "--webhook-timeout-ms" => config.webhooks.timeout = millis(&value("N")?)?,
            "--expiry-sweep-ms" => config.webhooks.expiry_sweep = millis(&value("N")?)?,
            other => anyhow::bail!("unknown option {other:?} (see --help)"),
        }
    }
    config.seed = if seeded {
        Some(seed)
    } else if no_seed {
        None
    } else {
        Some(Seed::demo())
    };
    config.attestation = attestation.finish()?;
    Ok(Some(config))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let Some(config) = parse_args(std::env::args().skip(1).collect())? else {
        print!("{}", usage());
        return Ok(());
    };
    let sandbox = Sandbox::start(config).await?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", sandbox.base_url())?;
    if let Some(pin) = sandbox.spki_pin() {
        writeln!(stdout, "pin: {pin}")?;
    }
    stdout.flush()?;
    drop(stdout);
    wait_for_signal().await?;
    tracing::info!("shutting down");
    sandbox.shutdown().await;
    Ok(())
}

/// Ctrl-C, or SIGTERM on Unix.
async fn wait_for_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> SandboxConfig {
        parse_args(args.iter().map(|s| s.to_string()).collect())
            .unwrap()
            .unwrap()
    }

    #[test]
    fn flags() {
        let c = parse(&[
            "--port",
            "0",
            "--memory",
            "--tls",
            "--admin-token=t",
            "--account",
            "a@example.fr:12345678901:10.50:1234",
            "--merchant",
            "Shop: A:key_123456",
            "--max-attempts",
            "9",
            "--min-total",
            "25",
        ]);
        assert_eq!(c.port, 0);
        assert_eq!(c.database, Database::Memory);
        assert!(c.tls);
        assert_eq!(c.admin_token.as_deref(), Some("t"));
        let seed = c.seed.clone().unwrap();
        assert_eq!(seed.accounts[0].balance, Amount::from_cents(1050));
        assert_eq!(seed.merchants[0].name, "Shop: A");
        assert_eq!(seed.merchants[0].api_key, "key_123456");
        assert_eq!(c.normalized().max_pin_attempts, 5);
    }

    #[test]
    fn limit_flags() {
        let c = parse(&[
            "--public-checkout",
            "--merchant-rate",
            "7",
            "--account-rate=3",
            "--max-pending",
            "4",
            "--challenge-rate",
            "0",
            "--max-activation-failures",
            "2",
            "--header-timeout-ms",
            "250",
            "--body-timeout-ms",
            "300",
            "--max-connections",
            "9",
        ]);
        assert!(c.public_checkout && c.serves_checkout());
        let c = c.normalized();
        assert_eq!(
            (
                c.limits.merchant_requests_per_min,
                c.limits.account_requests_per_min,
                c.limits.max_pending_per_account,
                c.limits.challenges_per_min,
                c.limits.max_activation_failures
            ),
            (7, 3, 4, 1, 2)
        );
        assert_eq!(c.connections.header_timeout, Duration::from_millis(250));
        assert_eq!(c.connections.body_timeout, Duration::from_millis(300));
        assert_eq!(c.connections.max_connections, 9);
        let w = parse(&[
            "--webhook-retry-base-ms",
            "20",
            "--webhook-retry-max-ms=80",
            "--webhook-retry-for-secs",
            "5",
            "--webhook-timeout-ms",
            "700",
            "--expiry-sweep-ms",
            "50",
        ])
        .webhooks;
        assert_eq!(
            (w.retry_base, w.retry_max_interval, w.retry_for),
            (
                Duration::from_millis(20),
                Duration::from_millis(80),
                Duration::from_secs(5)
            )
        );
        assert_eq!(w.timeout, Duration::from_millis(700));
        assert_eq!(w.expiry_sweep, Duration::from_millis(50));
        assert!(!parse(&["--memory"]).serves_checkout());
        assert!(parse(&["--admin-token", "t"]).serves_checkout());
    }

    #[test]
    fn demo_seed_by_default() {
        let c = parse(&["--memory"]);
        assert_eq!(c.seed, Some(Seed::demo()));
        assert_eq!(parse(&["--no-seed"]).seed, None);
        assert!(parse_args(vec!["--bogus".into()]).is_err());
        assert!(parse_args(vec!["--help".into()]).unwrap().is_none());
    }
}
