//! Seeds of `sealed_pin`: the vector's block (raw and in every base64 spelling), that
//! block damaged, fresh seals of 4, 5 and 6 digits under the target's fixed key, and
//! the block a real confirmation sent to the sandbox.

use anyhow::{anyhow, Result};
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use cvconnect_core::crypto::seal::seal_pin;
use cvconnect_core::pin::Pin;
use cvconnect_fuzz::{seal_key, SEAL_NONCE, SEAL_PAYMENT_ID};

use crate::sandbox::Real;
use crate::{Seeds, Vectors};

pub fn seeds(vectors: &Vectors, real: &Real) -> Result<Seeds> {
    let mut seeds = Seeds::default();
    let block = vectors.bytes("pin_seal", "sealed_hex")?;
    seeds.add("vector_block.bin", &block);
    seeds.add("vector_block_base64url.txt", URL_SAFE_NO_PAD.encode(&block));
    seeds.add("vector_block_padded_base64.txt", URL_SAFE.encode(&block));
    seeds.add("vector_block_standard_base64.txt", STANDARD.encode(&block));
    damaged(&mut seeds, &block);
    for digits in ["0000", "12345", "987654"] {
        let pin = Pin::from_digits(digits).ok_or_else(|| anyhow!("digits"))?;
        let sealed = seal_pin(pin, &seal_key().public_bytes(), SEAL_PAYMENT_ID, SEAL_NONCE)
            .map_err(|e| anyhow!("seal: {e}"))?;
        seeds.add(
            format!("sealed_{}_digits.bin", digits.len()),
            sealed.as_bytes(),
        );
        if digits.len() == 6 {
            seeds.add("sealed_6_digits_base64url.txt", sealed.to_base64url());
        }
    }
    seeds.add("empty", b"");
    seeds.add("base64url_too_long.txt", "A".repeat(400));
    seeds.add("real_sandbox_block_base64url.txt", &real.sealed_pin);
    Ok(seeds)
}

/// The vector's block with one part wrong: ciphertext, tag, version, length, key.
fn damaged(seeds: &mut Seeds, block: &[u8]) {
    let flipped = |at: usize, mask: u8| {
        let mut copy = block.to_vec();
        copy[at] ^= mask;
        copy
    };
    seeds.add("vector_block_flipped_ciphertext.bin", flipped(40, 1));
    seeds.add(
        "vector_block_flipped_tag.bin",
        flipped(block.len() - 1, 0x80),
    );
    let mut version_two = block.to_vec();
    version_two[0] = 2;
    seeds.add("version_2.bin", version_two);
    seeds.add("truncated_52.bin", &block[..52]);
    seeds.add("too_long_56.bin", [1u8; 56]);
    let mut low_order = vec![1u8];
    low_order.extend_from_slice(&[0u8; 32]);
    low_order.extend_from_slice(&[0u8; 20]);
    seeds.add("low_order_ephemeral.bin", low_order);
}
