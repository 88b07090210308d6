//! Target `canonical`: the canonical bytes that devices sign and servers verify
//! (protocol.md §6), decoded from arbitrary bytes and encoded from arbitrary fields.

use cvconnect_core::amount::Amount;
use cvconnect_core::protocol::canonical::{
    auth_bytes, decode_fields, pin_seal_aad, ConfirmationFields, FieldWriter, AUTH_TAG,
    PIN_SEAL_TAG,
};

/// Canonical bytes (protocol.md §6).
///
/// Arbitrary bytes: `decode_fields` and `ConfirmationFields::decode` never panic, and
/// what they accept re-encodes to the same bytes. Arbitrary fields (built from the
/// input by [`confirmation_fields_from_bytes`]): `decode(encode(f)) == f`, and the
/// other canonical strings split back into their fields.
pub fn canonical(data: &[u8]) {
    if let Some(fields) = decode_fields(data) {
        let mut writer = FieldWriter::default();
        for field in &fields {
            writer.field(field);
        }
        assert_eq!(writer.finish(), data);
    }
    if let Some(fields) = ConfirmationFields::decode(data) {
        assert_eq!(fields.encode(), data);
    }

    let fields = confirmation_fields_from_bytes(data);
    let encoded = fields.encode();
    assert_eq!(ConfirmationFields::decode(&encoded), Some(fields.clone()));
    let split = decode_fields(&encoded).expect("an encoding splits into fields");
    assert_eq!(split.len(), 11);
    assert_eq!(split[1], fields.payment_id.as_bytes());
    assert_eq!(split[10], fields.sealed_pin_hash);

    let auth = auth_bytes(&fields.device_id, &fields.nonce);
    assert_splits_into(&auth, [AUTH_TAG, &fields.device_id, &fields.nonce]);
    let aad = pin_seal_aad(&fields.payment_id, &fields.nonce);
    assert_splits_into(&aad, [PIN_SEAL_TAG, &fields.payment_id, &fields.nonce]);
}

/// `bytes` decode into exactly `fields`: the tag, then the texts it was built from.
fn assert_splits_into(bytes: &[u8], fields: [&str; 3]) {
    let expected: Vec<&[u8]> = fields.iter().map(|field| field.as_bytes()).collect();
    assert_eq!(decode_fields(bytes), Some(expected));
}

/// Confirmation fields read from bytes: five texts (a length byte, then that many
/// bytes, invalid UTF-8 replaced), two amounts (4 bytes of cents each, clamped to the
/// maximum), the expiry (8 bytes, any `i64`), the device id and the hash (32 bytes,
/// zero-padded). Missing bytes read as zeros.
pub fn confirmation_fields_from_bytes(data: &[u8]) -> ConfirmationFields {
    let mut cursor = Cursor(data);
    let payment_id = cursor.text();
    let nonce = cursor.text();
    let payee_id = cursor.text();
    let payee_name = cursor.text();
    let total = Amount::from_cents(u64::from(u32::from_le_bytes(cursor.array())));
    let amount = Amount::from_cents(u64::from(u32::from_le_bytes(cursor.array())));
    let expires_at = i64::from_le_bytes(cursor.array());
    let device_id = cursor.text();
    ConfirmationFields {
        payment_id,
        nonce,
        payee_id,
        payee_name,
        total,
        amount,
        expires_at,
        device_id,
        sealed_pin_hash: cursor.array(),
    }
}

struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let (head, tail) = self.0.split_at(n.min(self.0.len()));
        self.0 = tail;
        head
    }

    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let head = self.take(N);
        out[..head.len()].copy_from_slice(head);
        out
    }

    fn text(&mut self) -> String {
        let [len] = self.array::<1>();
        String::from_utf8_lossy(self.take(usize::from(len))).into_owned()
    }
}
