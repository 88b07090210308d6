//! Seeds of `attestation`: the `attestation_evidence` vector's Android chain and App
//! Attest object in the target's input format (both verify), the leaf's KeyDescription
//! alone, each of them damaged (truncated, a byte flipped, reordered, repeated, the wrong
//! key id), and edge cases: empty, one byte, lengths past the end, oversized and deeply
//! nested CBOR, a CBOR byte string claiming 2^64 - 1 bytes.

use anyhow::{anyhow, Result};
use cvconnect_fuzz::{attestation_vector, encode_android, encode_apple, encode_key_description};

use crate::Seeds;

/// The DER of the KeyDescription extension's OID, 1.3.6.1.4.1.11129.2.1.17.
const KEY_DESCRIPTION_OID: [u8; 12] = [
    0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x01, 0x11,
];

pub fn seeds() -> Result<Seeds> {
    let mut seeds = Seeds::default();
    android(&mut seeds);
    apple(&mut seeds);
    let vector = attestation_vector();
    let description = key_description(&vector.chain[0])?;
    seeds.add(
        "key_description_vector.bin",
        encode_key_description(description),
    );
    seeds.add(
        "key_description_truncated.bin",
        encode_key_description(&description[..description.len() / 2]),
    );
    seeds.add("empty", b"");
    seeds.add("one_byte_key_description.bin", [2]);
    Ok(seeds)
}

/// The vector's chain as sent, and broken in the ways the chain walk refuses.
fn android(seeds: &mut Seeds) {
    let chain = &attestation_vector().chain;
    let encoded = encode_android(chain);
    seeds.add("android_vector_chain.bin", &encoded);
    // The root may be left out: the intermediate is signed by a configured root.
    seeds.add(
        "android_vector_without_root.bin",
        encode_android(&chain[..2]),
    );
    seeds.add("android_leaf_only.bin", encode_android(&chain[..1]));
    let reversed: Vec<&Vec<u8>> = chain.iter().rev().collect();
    seeds.add("android_reversed.bin", encode_android(&reversed));
    let root = &chain[chain.len() - 1];
    let seven: Vec<&Vec<u8>> = chain.iter().chain([root; 4]).collect();
    seeds.add("android_seven_certificates.bin", encode_android(&seven));
    seeds.add("android_truncated.bin", &encoded[..encoded.len() / 2]);
    let mut leaf = chain.clone();
    *leaf[0].last_mut().expect("a leaf") ^= 1;
    seeds.add("android_leaf_signature_flipped.bin", encode_android(&leaf));
    leaf = chain.clone();
    let middle = leaf[0].len() / 2;
    leaf[0][middle] ^= 0x80;
    seeds.add("android_leaf_body_flipped.bin", encode_android(&leaf));
    // A length prefix of 65535 with three bytes after it.
    seeds.add(
        "android_length_past_end.bin",
        [0, 0xff, 0xff, 0x30, 0x82, 0x01],
    );
}

/// The vector's App Attest object as sent, damaged, and CBOR a decoder must bound.
fn apple(seeds: &mut Seeds) {
    let vector = attestation_vector();
    let (key_id, object) = (&vector.key_id[..], &vector.object[..]);
    seeds.add("apple_vector.bin", encode_apple(key_id, object));
    seeds.add(
        "apple_truncated.bin",
        encode_apple(key_id, &object[..object.len() / 2]),
    );
    let mut flipped = object.to_vec();
    *flipped.last_mut().expect("an object") ^= 1;
    seeds.add(
        "apple_last_byte_flipped.bin",
        encode_apple(key_id, &flipped),
    );
    let mut other_key = key_id.to_vec();
    other_key[0] ^= 1;
    seeds.add("apple_other_key_id.bin", encode_apple(&other_key, object));
    let mut trailing = object.to_vec();
    trailing.push(0);
    seeds.add("apple_trailing_byte.bin", encode_apple(key_id, &trailing));
    let oversized = [object, &vec![0; 32 * 1024]].concat();
    seeds.add("apple_oversized.bin", encode_apple(key_id, &oversized));
    seeds.add("apple_key_id_length_past_end.bin", [1, 0xff, 1, 2, 3]);
    let nested = [vec![0x81; 200], vec![0x00]].concat();
    seeds.add("apple_deep_cbor_nesting.bin", encode_apple(key_id, &nested));
    let mut huge = vec![0x5b];
    huge.extend_from_slice(&u64::MAX.to_be_bytes());
    seeds.add(
        "apple_cbor_huge_byte_string.bin",
        encode_apple(key_id, &huge),
    );
}

/// The KeyDescription extension's value in `leaf`: the OCTET STRING after its OID (and
/// after the `critical` BOOLEAN, when present).
fn key_description(leaf: &[u8]) -> Result<&[u8]> {
    let at = leaf
        .windows(KEY_DESCRIPTION_OID.len())
        .position(|window| window == KEY_DESCRIPTION_OID)
        .ok_or_else(|| anyhow!("the vector's leaf has no KeyDescription"))?;
    let mut rest = &leaf[at + KEY_DESCRIPTION_OID.len()..];
    if rest.first() == Some(&0x01) {
        rest = rest.get(3..).ok_or_else(|| anyhow!("critical flag"))?;
    }
    let (&tag, rest) = rest.split_first().ok_or_else(|| anyhow!("no value"))?;
    anyhow::ensure!(tag == 0x04, "the extension value is not an OCTET STRING");
    let (length, rest) = der_length(rest)?;
    rest.get(..length)
        .ok_or_else(|| anyhow!("KeyDescription past the leaf's end"))
}

/// A DER length and what follows it.
fn der_length(bytes: &[u8]) -> Result<(usize, &[u8])> {
    let (&first, rest) = bytes.split_first().ok_or_else(|| anyhow!("no length"))?;
    if first < 0x80 {
        return Ok((usize::from(first), rest));
    }
    let count = usize::from(first & 0x7f);
    anyhow::ensure!((1..=2).contains(&count), "length of {count} bytes");
    let (digits, rest) = rest
        .split_at_checked(count)
        .ok_or_else(|| anyhow!("length"))?;
    let length = digits
        .iter()
        .fold(0, |length, &digit| length << 8 | usize::from(digit));
    Ok((length, rest))
}
