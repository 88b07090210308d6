//! The command line's attestation options (`cvconnect-sandbox --help`), turned into an
//! [`AttestationConfig`]. A platform is configured as soon as one of its options is
//! given, and must then be complete: a half-configured platform would refuse every
//! phone of that platform with nothing in the logs to say why.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{anyhow, bail, ensure, Context as _};

use super::{android, AndroidPolicy, AppAttestEnvironment, ApplePolicy, AttestationConfig, Policy};

impl AttestationOptions {
    /// The help text of these options, for the binary's usage.
    pub const USAGE: &'static str = "\
  --attestation POLICY      key attestation at enrollment: off, optional or required
                            (default off)
  --android-package NAME    the app's package name in Android attestations
  --android-cert-digest HEX SHA-256 of the app's signing certificate (repeatable)
  --android-root FILE       a trusted attestation root, PEM or DER (repeatable;
                            Google's hardware attestation roots in production)
  --android-status FILE     revoked attestation certificates, in the JSON format of
                            https://android.googleapis.com/attestation/status
  --apple-app-id ID         TEAMID.bundle.id of the iOS app (App Attest's RP ID)
  --apple-root FILE         the App Attestation root, PEM or DER (repeatable)
  --apple-environment ENV   production (default) or development App Attest keys
";
}

/// Options gathered from the command line, checked by [`AttestationOptions::finish`].
#[derive(Debug, Default)]
pub struct AttestationOptions {
    policy: Policy,
    android_package: Option<String>,
    android_digests: Vec<[u8; 32]>,
    android_roots: Vec<Vec<u8>>,
    android_revoked: HashSet<String>,
    android_given: bool,
    apple_app_id: Option<(String, String)>,
    apple_roots: Vec<Vec<u8>>,
    apple_environment: Option<AppAttestEnvironment>,
    apple_given: bool,
}

impl AttestationOptions {
    /// Takes `name`'s `value` when it is one of these options; `Ok(false)` otherwise.
    pub fn take(
        &mut self,
        name: &str,
        value: impl FnOnce() -> anyhow::Result<String>,
    ) -> anyhow::Result<bool> {
        self.android_given |= name.starts_with("--android-");
        self.apple_given |= name.starts_with("--apple-");
        match name {
            "--attestation" => self.policy = parse_policy(&value()?)?,
            "--android-package" => self.android_package = Some(value()?),
            "--android-cert-digest" => self.android_digests.push(parse_digest(&value()?)?),
            "--android-root" => self.android_roots.push(read_certificate(&value()?)?),
            "--android-status" => {
                let path = value()?;
                let json = std::fs::read_to_string(&path).with_context(|| path.clone())?;
                let revoked = android::revoked_serials_from_status_json(&json)
                    .map_err(|e| anyhow!("--android-status {path}: {e}"))?;
                self.android_revoked.extend(revoked);
            }
            "--apple-app-id" => self.apple_app_id = Some(parse_app_id(&value()?)?),
            "--apple-root" => self.apple_roots.push(read_certificate(&value()?)?),
            "--apple-environment" => self.apple_environment = Some(parse_environment(&value()?)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The configuration, or why the options do not make one.
    pub fn finish(self) -> anyhow::Result<AttestationConfig> {
        let android = if self.android_given {
            let package_name = self
                .android_package
                .ok_or_else(|| anyhow!("--android-package is missing"))?;
            ensure!(
                !self.android_digests.is_empty(),
                "--android-cert-digest is missing"
            );
            ensure!(!self.android_roots.is_empty(), "--android-root is missing");
            Some(AndroidPolicy {
                package_name,
                signing_cert_digests: self.android_digests,
                roots: self.android_roots,
                revoked_serials: self.android_revoked,
            })
        } else {
            None
        };
        let apple = if self.apple_given {
            let (team_id, bundle_id) = self
                .apple_app_id
                .ok_or_else(|| anyhow!("--apple-app-id is missing"))?;
            ensure!(!self.apple_roots.is_empty(), "--apple-root is missing");
            Some(ApplePolicy {
                team_id,
                bundle_id,
                roots: self.apple_roots,
                environment: self
                    .apple_environment
                    .unwrap_or(AppAttestEnvironment::Production),
            })
        } else {
            None
        };
        if self.policy != Policy::Off && android.is_none() && apple.is_none() {
            bail!("--attestation {:?} needs the --android-* or --apple-* options of at least one platform", self.policy);
        }
        Ok(AttestationConfig {
            policy: self.policy,
            android,
            apple,
        })
    }
}

fn parse_policy(text: &str) -> anyhow::Result<Policy> {
    Ok(match text {
        "off" => Policy::Off,
        "optional" => Policy::Optional,
        "required" => Policy::Required,
        other => bail!("--attestation expects off, optional or required, got {other:?}"),
    })
}

fn parse_environment(text: &str) -> anyhow::Result<AppAttestEnvironment> {
    Ok(match text {
        "production" => AppAttestEnvironment::Production,
        "development" => AppAttestEnvironment::Development,
        other => bail!("--apple-environment expects production or development, got {other:?}"),
    })
}

fn parse_digest(text: &str) -> anyhow::Result<[u8; 32]> {
    let hex: String = text.chars().filter(|c| *c != ':').collect();
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect::<Option<Vec<u8>>>();
    bytes
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| anyhow!("--android-cert-digest expects 32 bytes in hex, got {text:?}"))
}

/// `TEAMID.bundle.id`: the team id is the part before the first dot.
fn parse_app_id(text: &str) -> anyhow::Result<(String, String)> {
    match text.split_once('.') {
        Some((team, bundle)) if !team.is_empty() && !bundle.is_empty() => {
            Ok((team.to_owned(), bundle.to_owned()))
        }
        _ => bail!("--apple-app-id expects TEAMID.bundle.id, got {text:?}"),
    }
}

/// A certificate file, PEM or DER, as DER.
fn read_certificate(path: &str) -> anyhow::Result<Vec<u8>> {
    let bytes = std::fs::read(Path::new(path)).with_context(|| path.to_owned())?;
    let der = if bytes.starts_with(b"-----BEGIN") {
        let (_, pem) =
            x509_parser::pem::parse_x509_pem(&bytes).map_err(|e| anyhow!("{path}: {e}"))?;
        pem.contents
    } else {
        bytes
    };
    x509_parser::parse_x509_certificate(&der)
        .map_err(|e| anyhow!("{path}: not a certificate: {e}"))?;
    Ok(der)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(args: &[(&str, &str)]) -> anyhow::Result<AttestationConfig> {
        let mut options = AttestationOptions::default();
        for (name, value) in args {
            assert!(options.take(name, || Ok((*value).to_owned()))?, "{name}");
        }
        options.finish()
    }

    #[test]
    fn attestation_is_off_by_default_and_a_policy_needs_a_platform() {
        assert_eq!(options(&[]).unwrap().policy, Policy::Off);
        let error = options(&[("--attestation", "required")]).unwrap_err();
        assert!(
            error.to_string().contains("at least one platform"),
            "{error}"
        );
        assert!(options(&[("--attestation", "sometimes")]).is_err());
    }

    #[test]
    fn a_half_configured_platform_is_refused_at_start() {
        let error = options(&[("--android-package", "fr.ancv.cvconnect")]).unwrap_err();
        assert!(
            error.to_string().contains("--android-cert-digest"),
            "{error}"
        );
        let error = options(&[("--apple-app-id", "ABCDE12345.fr.ancv.cvconnect")]).unwrap_err();
        assert!(error.to_string().contains("--apple-root"), "{error}");
    }

    #[test]
    fn digests_and_app_ids_are_parsed_strictly() {
        let digest = "AB:".repeat(31) + "AB";
        assert_eq!(parse_digest(&digest).unwrap(), [0xab; 32]);
        assert!(parse_digest("abcd").is_err());
        assert!(parse_digest(&"zz".repeat(32)).is_err());
        assert_eq!(
            parse_app_id("ABCDE12345.fr.ancv.cvconnect").unwrap(),
            ("ABCDE12345".to_owned(), "fr.ancv.cvconnect".to_owned())
        );
        assert!(parse_app_id("nodot").is_err());
        assert!(parse_app_id(".fr.ancv").is_err());
    }
}
