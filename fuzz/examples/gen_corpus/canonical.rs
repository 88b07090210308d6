//! Seeds of `canonical`: the four canonical strings of the protocol vectors, the
//! confirmation a real sandbox payment signed, and confirmations that must not decode
//! (truncated, trailing bytes, huge lengths, non-canonical spellings, bad UTF-8).

use anyhow::{anyhow, Result};
use cvconnect_core::amount::Amount;
use cvconnect_core::protocol::canonical::{
    auth_bytes, decode_fields, pin_seal_aad, ConfirmationFields, FieldWriter,
};
use cvconnect_fuzz::{SEAL_NONCE, SEAL_PAYMENT_ID};

use crate::sandbox::Real;
use crate::{Seeds, Vectors};

/// The vectors whose `expected_hex` are seeds, by name.
const VECTORS: [&str; 4] = ["confirmation", "auth", "enrollment", "pin_seal_aad"];

/// Fields of the confirmation vector replaced by a spelling that must not decode.
const BAD_FIELDS: [(&str, usize, &[u8]); 3] = [
    ("confirmation_plus_expiry.bin", 8, b"+1790000180"),
    ("confirmation_total_one_decimal.bin", 5, b"150.0"),
    ("confirmation_latin1_payee.bin", 4, b"Boutique D\xe9mo"),
];

pub fn seeds(vectors: &Vectors, real: &Real) -> Result<Seeds> {
    let mut seeds = Seeds::default();
    for vector in VECTORS {
        seeds.add(
            format!("vector_{vector}.bin"),
            vectors.bytes(vector, "expected_hex")?,
        );
    }
    let confirmation = vectors.bytes("confirmation", "expected_hex")?;
    malformed(&mut seeds, &confirmation)?;
    let mut fields = ConfirmationFields::decode(&confirmation)
        .ok_or_else(|| anyhow!("the confirmation vector does not decode"))?;
    fields.amount = Amount::from_cents(15000);
    seeds.add("confirmation_amount_150.bin", fields.encode());
    fields.expires_at = i64::MIN;
    fields.payee_name = "Café «Noël» \u{202E}evil".into();
    seeds.add("confirmation_negative_expiry_bidi.bin", fields.encode());
    seeds.add("auth_empty_fields.bin", auth_bytes("", ""));
    seeds.add(
        "aad_vector_ids.bin",
        pin_seal_aad(SEAL_PAYMENT_ID, SEAL_NONCE),
    );
    seeds.add("empty", b"");
    seeds.add("length_only.bin", [0, 0, 0, 5]);
    seeds.add("real_sandbox_confirmation.bin", &real.confirmation);
    Ok(seeds)
}

/// The confirmation vector broken in the ways a decoder must refuse.
fn malformed(seeds: &mut Seeds, confirmation: &[u8]) -> Result<()> {
    seeds.add(
        "confirmation_truncated.bin",
        &confirmation[..confirmation.len() - 1],
    );
    let mut trailing = confirmation.to_vec();
    trailing.push(0);
    seeds.add("confirmation_trailing_byte.bin", trailing);
    let mut huge_length = confirmation.to_vec();
    huge_length[..4].copy_from_slice(&u32::MAX.to_be_bytes());
    seeds.add("confirmation_huge_length.bin", huge_length);
    for (name, index, value) in BAD_FIELDS {
        seeds.add(name, replace_field(confirmation, index, value)?);
    }
    Ok(())
}

/// The confirmation bytes with field `index` replaced.
fn replace_field(bytes: &[u8], index: usize, value: &[u8]) -> Result<Vec<u8>> {
    let fields = decode_fields(bytes).ok_or_else(|| anyhow!("undecodable"))?;
    let mut writer = FieldWriter::default();
    for (i, field) in fields.iter().enumerate() {
        writer.field(if i == index { value } else { field });
    }
    Ok(writer.finish())
}
