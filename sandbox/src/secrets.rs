//! Server secrets, drawn at first start and kept in the database so that a restart on
//! the same file keeps working: the X25519 PIN key, the pepper of the PIN hashes and
//! the TLS identity.

use cvconnect_core::crypto::seal::PinKeyPair;
use ring::hmac;
use rusqlite::Connection;
use zeroize::Zeroizing;

use crate::db::{meta_get, meta_set};
use crate::util::{b64url, random_bytes, sha256};

const PIN_KEY: &str = "secret.pin_key_x25519";
const PEPPER: &str = "secret.pin_pepper";
const ACTIVATION_KEY: &str = "secret.activation_code_key";
const TLS_CERT: &str = "tls.cert_der";
const TLS_KEY: &str = "tls.key_pkcs8_der";
const TLS_SPKI: &str = "tls.spki_der";

pub struct Secrets {
    pub pin_key: PinKeyPair,
    /// `pk_` and the first bytes of SHA-256 of the public key.
    pub pin_key_id: String,
    /// base64url of the 32-byte X25519 public key.
    pub pin_public_key: String,
    pepper: hmac::Key,
    /// Key of the activation codes' stored hashes.
    activation_key: hmac::Key,
}

/// A 32-byte secret of the `meta` table, drawn at first use.
fn stored_secret(conn: &Connection, name: &str) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    Ok(match meta_get(conn, name)? {
        Some(bytes) => Zeroizing::new(bytes),
        None => {
            let fresh = random_bytes::<32>();
            meta_set(conn, name, &fresh)?;
            Zeroizing::new(fresh.to_vec())
        }
    })
}

impl Secrets {
    pub fn load_or_create(conn: &Connection) -> anyhow::Result<Secrets> {
        let secret: Zeroizing<[u8; 32]> = match meta_get(conn, PIN_KEY)? {
            Some(bytes) => Zeroizing::new(
                bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| anyhow::anyhow!("stored PIN key has a wrong length"))?,
            ),
            None => {
                let fresh = Zeroizing::new(random_bytes::<32>());
                meta_set(conn, PIN_KEY, fresh.as_slice())?;
                fresh
            }
        };
        let pepper = stored_secret(conn, PEPPER)?;
        let activation_key = stored_secret(conn, ACTIVATION_KEY)?;
        let pin_key = PinKeyPair::from_secret_bytes(*secret);
        let public = pin_key.public_bytes();
        Ok(Secrets {
            pin_key_id: format!("pk_{}", b64url(&sha256(&public)[..9])),
            pin_public_key: b64url(&public),
            pin_key,
            pepper: hmac::Key::new(hmac::HMAC_SHA256, &pepper),
            activation_key: hmac::Key::new(hmac::HMAC_SHA256, &activation_key),
        })
    }

    /// Keyed hash under which an activation code is stored: HMAC-SHA-256 under a
    /// server secret of the code (trimmed, upper case). A leaked table alone does not
    /// let anyone test the 2^40 codes offline.
    pub fn activation_code_hash(&self, code: &str) -> Vec<u8> {
        let normalized = Zeroizing::new(code.trim().to_ascii_uppercase());
        hmac::sign(&self.activation_key, normalized.as_bytes())
            .as_ref()
            .to_vec()
    }

    /// Keyed hash of a PIN: HMAC-SHA-256(pepper, account id ‖ PIN digits).
    pub fn pin_hash(&self, account_id: &str, pin_ascii: &[u8]) -> Vec<u8> {
        let mut ctx = hmac::Context::with_key(&self.pepper);
        ctx.update(account_id.as_bytes());
        ctx.update(pin_ascii);
        ctx.sign().as_ref().to_vec()
    }

    /// Constant-time comparison of a PIN with its stored keyed hash.
    pub fn pin_matches(&self, account_id: &str, pin_ascii: &[u8], stored: &[u8]) -> bool {
        let mut message = Zeroizing::new(Vec::with_capacity(account_id.len() + pin_ascii.len()));
        message.extend_from_slice(account_id.as_bytes());
        message.extend_from_slice(pin_ascii);
        hmac::verify(&self.pepper, &message, stored).is_ok()
    }
}

/// The self-signed TLS certificate of the sandbox.
#[derive(Clone)]
pub struct TlsIdentity {
    pub cert_der: Vec<u8>,
    pub key_pkcs8_der: Vec<u8>,
    pub spki_der: Vec<u8>,
}

impl TlsIdentity {
    /// The stored identity, or a new self-signed one for `localhost` and `127.0.0.1`.
    pub fn load_or_create(conn: &Connection) -> anyhow::Result<TlsIdentity> {
        if let (Some(cert_der), Some(key_pkcs8_der), Some(spki_der)) = (
            meta_get(conn, TLS_CERT)?,
            meta_get(conn, TLS_KEY)?,
            meta_get(conn, TLS_SPKI)?,
        ) {
            return Ok(TlsIdentity {
                cert_der,
                key_pkcs8_der,
                spki_der,
            });
        }
        let certified = rcgen::generate_simple_self_signed(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
        ])?;
        let identity = TlsIdentity {
            cert_der: certified.cert.der().to_vec(),
            key_pkcs8_der: certified.signing_key.serialize_der(),
            spki_der: rcgen::PublicKeyData::subject_public_key_info(&certified.signing_key),
        };
        meta_set(conn, TLS_CERT, &identity.cert_der)?;
        meta_set(conn, TLS_KEY, &identity.key_pkcs8_der)?;
        meta_set(conn, TLS_SPKI, &identity.spki_der)?;
        Ok(identity)
    }
}
