//! Figure 3: what a confirmation costs on the device before it touches the network:
//! seal the PIN to the server key, encode the canonical confirmation bytes, sign them
//! (software P-256; on phones the platform key store signs instead).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use cvconnect_core::amount::Amount;
use cvconnect_core::crypto::seal::{seal_pin, PinKeyPair};
use cvconnect_core::crypto::signer::{DeviceSigner, SoftwareSigner};
use cvconnect_core::pin::Pin;
use cvconnect_core::protocol::canonical::ConfirmationFields;

use crate::report::{duration_verdict, Figure, Row};
use crate::stats::{human, Samples};

/// The goal: everything the device computes for a confirmation within this.
const CRYPTO_GOAL: Duration = Duration::from_millis(1);

pub struct CryptoCost {
    pub seal: Samples,
    pub encode: Samples,
    pub sign: Samples,
    /// seal + SHA-256 of the block + encode + sign, in one go.
    pub total: Samples,
}

fn fields(hash: [u8; 32]) -> ConfirmationFields {
    ConfirmationFields {
        payment_id: "pay_8Zq3xW4yTb2mK9rL5nV1cQ".into(),
        nonce: "q1Jc9rT0m3xQ2v7b8n4k5l6p0o9i8u7y6t5r4e3w2q1".into(),
        payee_id: "mer_4fG7hJ2kL9pQ3rS8tV1wX".into(),
        payee_name: "Boutique Démo".into(),
        total: Amount::from_cents(15_000),
        amount: Amount::from_cents(12_000),
        expires_at: 1_767_225_600,
        device_id: "dev_7Hk2mP9qR4sT1vW8xY3zA".into(),
        sealed_pin_hash: hash,
    }
}

pub fn run(iterations: usize) -> Result<CryptoCost> {
    let server = PinKeyPair::generate().map_err(|e| anyhow!("{e}"))?;
    let server_key = server.public_bytes();
    let signer = SoftwareSigner::generate()?;
    let pin = || Pin::from_digits("4827").ok_or_else(|| anyhow!("PIN"));

    let mut seal = Samples::new();
    let mut encode = Samples::new();
    let mut sign = Samples::new();
    let mut total = Samples::new();
    let warmup = 50;
    for i in 0..warmup + iterations {
        let record = i >= warmup;
        // The three steps one by one …
        let p = pin()?;
        let start = Instant::now();
        let sealed = seal_pin(p, &server_key, "pay_8Zq3xW4yTb2mK9rL5nV1cQ", "nonce")?;
        let t_seal = start.elapsed();
        let f = fields(sealed.sha256());
        let start = Instant::now();
        let bytes = f.encode();
        let t_encode = start.elapsed();
        let start = Instant::now();
        let signature = signer.sign(&bytes)?;
        let t_sign = start.elapsed();
        std::hint::black_box(&signature);

        // … and together, as `PaymentSession::confirm` runs them.
        let p = pin()?;
        let start = Instant::now();
        let sealed = seal_pin(p, &server_key, "pay_8Zq3xW4yTb2mK9rL5nV1cQ", "nonce")?;
        let bytes = fields(sealed.sha256()).encode();
        let signature = signer.sign(&bytes)?;
        let t_total = start.elapsed();
        std::hint::black_box(&signature);

        if record {
            seal.push(t_seal);
            encode.push(t_encode);
            sign.push(t_sign);
            total.push(t_total);
        }
    }
    Ok(CryptoCost {
        seal,
        encode,
        sign,
        total,
    })
}

impl Figure for CryptoCost {
    const TITLE: &'static str = "3. Confirmation cost";
    const GOAL: &'static str = "< 1 ms";

    const INTRO: &'static str = "## 3. Confirmation cost on the device\n\n\
         What `PaymentSession::confirm` computes before the request leaves: `seal_pin`\n\
         (ephemeral X25519, HKDF-SHA-256, ChaCha20-Poly1305), the SHA-256 of the block,\n\
         `ConfirmationFields::encode` (canonical bytes) and `SoftwareSigner::sign` (ECDSA P-256,\n\
         *ring*). On phones the platform key store signs instead (StrongBox / Secure Enclave:\n\
         tens of ms, outside the core's control).\n\n";

    fn rows(&self) -> Vec<Row> {
        let Some(total) = self.total.summary() else {
            return Vec::new();
        };
        vec![Row {
            figure: "3. Confirmation cost (seal + encode + sign)".into(),
            result: format!("{} / {}", human(total.median), human(total.p99)),
            goal: Self::GOAL.into(),
            status: duration_verdict(total.median, CRYPTO_GOAL),
        }]
    }

    fn operations(&self) -> Vec<(String, &Samples)> {
        vec![
            ("seal_pin".into(), &self.seal),
            ("ConfirmationFields::encode".into(), &self.encode),
            ("SoftwareSigner::sign".into(), &self.sign),
            ("all three (+ SHA-256 of the block)".into(), &self.total),
        ]
    }

    fn details(&self, out: &mut String) {
        if let Some(total) = self.total.summary() {
            if total.median > CRYPTO_GOAL {
                let _ = writeln!(
                    out,
                    "**Goal missed by {}.**\n",
                    human(total.median - CRYPTO_GOAL)
                );
            } else {
                let _ = writeln!(
                    out,
                    "Goal met: {:.0} % of the 1 ms budget at the median.\n",
                    total.median.as_secs_f64() / CRYPTO_GOAL.as_secs_f64() * 100.0
                );
            }
        }
    }
}
