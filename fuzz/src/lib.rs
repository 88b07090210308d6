//! Fuzz target bodies of `cvconnect-core`, one function per target.
//!
//! Each function takes arbitrary bytes and asserts the target's invariants: it never
//! panics on any input, and what it accepts round-trips. The same functions run in two
//! places:
//!
//! - `fuzz/libfuzzer/fuzz_targets/*.rs` (cargo-fuzz, libFuzzer, nightly) call them on generated
//!   inputs: `fuzz/run.sh <target> [seconds]`;
//! - `tests/corpus.rs` replays every file of `fuzz/corpus/<target>/` through them, so
//!   `cargo test --workspace` (and `cargo xtask test`) keeps every seed and every
//!   minimised crash as a regression test.
//!
//! | target | code under test |
//! | --- | --- |
//! | `push` | `protocol::push::{parse_push_json, parse_push}` |
//! | `responses` | every server response the core decodes (`protocol::wire`), and the core's status/body decoding (`client::decode_response`, the core's own `client::http::decode`) |
//! | `amount` | `Amount::{from_plain, parse_user, to_plain, format_fr}` |
//! | `canonical` | `protocol::canonical`: `decode_fields`, `ConfirmationFields::{encode, decode}` |
//! | `sealed_pin` | `crypto::seal::open_sealed_pin` as the sandbox calls it, `SealedPin::from_base64url`, `seal_pin` |

use std::collections::HashMap;
use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::Serialize;

use cvconnect_core::amount::Amount;
use cvconnect_core::client::{decode_response, HttpError};
use cvconnect_core::crypto::seal::{open_sealed_pin, seal_pin, PinKeyPair, SealedPin};
use cvconnect_core::pin::Pin;
use cvconnect_core::protocol::canonical::{
    auth_bytes, decode_fields, pin_seal_aad, ConfirmationFields, FieldWriter, AUTH_TAG,
    PIN_SEAL_TAG,
};
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::push::{
    is_valid_id, parse_push, parse_push_json, PushError, PushKind, PushPayload, MAX_PUSH_BYTES,
    MAX_PUSH_JSON_BYTES,
};
use cvconnect_core::protocol::wire::{
    BalanceResponse, ChallengeResponse, ConfirmResponse, DeclineResponse, EnrollResponse,
    ErrorBody, MerchantPayment, PaymentDetail, PaymentList, TokenResponse,
};

/// A fuzz target body.
pub type Target = fn(&[u8]);

/// Every target, by the name of its `fuzz/libfuzzer/fuzz_targets/<name>.rs` and
/// `fuzz/corpus/<name>/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("push", push),
    ("responses", responses),
    ("amount", amount),
    ("canonical", canonical),
    ("sealed_pin", sealed_pin),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

// ---------------------------------------------------------------- push

/// Push payloads (protocol.md §9), both entry points.
///
/// The input is tried as a JSON text ([`parse_push_json`]) and as a data map
/// ([`parse_push`]) built by [`push_map_from_bytes`] (`key=value` lines). Invariants:
/// an accepted payload has valid ids and round-trips through its data map; the JSON
/// and map entry points agree on the same map; oversized input is `TooLarge`.
pub fn push(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let result = parse_push_json(text);
        if text.len() > MAX_PUSH_JSON_BYTES {
            assert_eq!(result, Err(PushError::TooLarge { size: text.len() }));
        }
        if let Ok(payload) = &result {
            check_push_payload(payload);
        }
    }

    let map = push_map_from_bytes(data);
    let result = parse_push(&map);
    let size: usize = map.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > MAX_PUSH_BYTES {
        assert_eq!(result, Err(PushError::TooLarge { size }));
    }
    if let Ok(payload) = &result {
        check_push_payload(payload);
        assert_eq!(map.get("payment_id"), Some(&payload.payment_id));
        assert_eq!(map.get("message_id"), Some(&payload.message_id));
    }
    // The JSON entry point reads a JSON object of strings exactly like the map.
    let json = serde_json::to_string(&map).expect("a string map serializes");
    if json.len() <= MAX_PUSH_JSON_BYTES {
        assert_eq!(parse_push_json(&json), result, "{json}");
    }
}

/// `key=value` lines (split at the first `=`; invalid UTF-8 replaced; a later
/// duplicate key wins), as a platform would hand a data map over.
pub fn push_map_from_bytes(data: &[u8]) -> HashMap<String, String> {
    data.split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (key, value) = match line.iter().position(|&b| b == b'=') {
                Some(at) => (&line[..at], &line[at + 1..]),
                None => (line, &[][..]),
            };
            (
                String::from_utf8_lossy(key).into_owned(),
                String::from_utf8_lossy(value).into_owned(),
            )
        })
        .collect()
}

fn check_push_payload(payload: &PushPayload) {
    assert_eq!(payload.kind, PushKind::PaymentRequest);
    assert!(is_valid_id(&payload.payment_id), "{payload:?}");
    assert!(is_valid_id(&payload.message_id), "{payload:?}");
    let map: HashMap<String, String> = payload.to_data().into_iter().collect();
    assert_eq!(parse_push(&map).as_ref(), Ok(payload));
    let json = serde_json::to_string(&map).expect("a string map serializes");
    assert_eq!(parse_push_json(&json).as_ref(), Ok(payload));
}

// ---------------------------------------------------------------- responses

/// Every server response body the core reads.
///
/// The input is decoded as each wire response type; what decodes re-encodes to JSON
/// that decodes again to the same encoding. Then it goes through
/// the core's [`decode_response`] under a success, a client-error and a server-error status.
pub fn responses(data: &[u8]) {
    round_trip::<ChallengeResponse>(data);
    round_trip::<TokenResponse>(data);
    round_trip::<EnrollResponse>(data);
    round_trip::<BalanceResponse>(data);
    round_trip::<PaymentList>(data);
    round_trip::<PaymentDetail>(data);
    round_trip::<ConfirmResponse>(data);
    round_trip::<DeclineResponse>(data);
    round_trip::<MerchantPayment>(data);
    round_trip::<ErrorBody>(data);

    for status in [200, 201, 204] {
        check_success::<PaymentDetail>(status, data);
        check_success::<ConfirmResponse>(status, data);
        check_success::<()>(status, data);
    }
    for status in [400, 401, 403, 404, 409, 410, 413, 422] {
        check_client_error(status, data);
    }
    for status in [500, 502, 503] {
        assert_eq!(
            decode_response::<PaymentDetail>(status, data).unwrap_err(),
            HttpError::Server { status }
        );
    }
}

fn round_trip<T: DeserializeOwned + Serialize>(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<T>(data) else {
        return;
    };
    let json = serde_json::to_vec(&value).expect("a decoded response re-encodes");
    let again: T = serde_json::from_slice(&json).unwrap_or_else(|e| {
        panic!(
            "{} does not decode its own encoding {}: {e}",
            std::any::type_name::<T>(),
            String::from_utf8_lossy(&json)
        )
    });
    let json_again = serde_json::to_vec(&again).expect("re-encodes");
    assert_eq!(json, json_again, "{}", std::any::type_name::<T>());
}

fn check_success<T: DeserializeOwned + Serialize>(status: u16, data: &[u8]) {
    let direct = serde_json::from_slice::<T>(if data.is_empty() { b"null" } else { data });
    match decode_response::<T>(status, data) {
        Ok(value) => {
            let direct = direct.expect("decode accepted what serde_json refuses");
            assert_eq!(
                serde_json::to_vec(&value).unwrap(),
                serde_json::to_vec(&direct).unwrap()
            );
        }
        Err(error) => {
            assert!(direct.is_err());
            assert!(matches!(error, HttpError::Protocol { .. }), "{error:?}");
        }
    }
}

/// Every code of protocol.md §4.
const KNOWN_CODES: [ErrorCode; 17] = [
    ErrorCode::BadRequest,
    ErrorCode::ValidationFailed,
    ErrorCode::PayloadTooLarge,
    ErrorCode::Unauthorized,
    ErrorCode::NotFound,
    ErrorCode::InvalidActivationCode,
    ErrorCode::InvalidChallenge,
    ErrorCode::AmountBelowMinimum,
    ErrorCode::AmountOutOfBounds,
    ErrorCode::NonceUsed,
    ErrorCode::AuthenticationFailed,
    ErrorCode::PinLocked,
    ErrorCode::PaymentExpired,
    ErrorCode::PaymentNotPending,
    ErrorCode::IdempotencyConflict,
    ErrorCode::RateLimited,
    ErrorCode::InternalError,
];

fn check_client_error(status: u16, data: &[u8]) {
    match decode_response::<PaymentDetail>(status, data) {
        Ok(_) => panic!("HTTP {status} decoded as a success"),
        Err(HttpError::Api {
            code,
            status: got,
            message,
            ..
        }) => {
            assert_eq!(got, status);
            let body: ErrorBody = serde_json::from_slice(data).expect("Api from an error body");
            assert_eq!(message, body.error.message);
            // Known codes map to themselves; anything else is `Unknown`, never an error.
            if code == ErrorCode::Unknown {
                assert!(
                    KNOWN_CODES.iter().all(|c| c.as_str() != body.error.code),
                    "{:?} read as unknown",
                    body.error.code
                );
            } else {
                assert_eq!(code.as_str(), body.error.code);
            }
        }
        Err(HttpError::Protocol { .. }) => {
            assert!(serde_json::from_slice::<ErrorBody>(data).is_err());
        }
        Err(other) => panic!("HTTP {status} gave {other:?}"),
    }
}

// ---------------------------------------------------------------- amount

/// The amount parsers and formatters.
///
/// `from_plain` accepts exactly the wire form `^[0-9]{1,7}(\.[0-9]{1,2})?$`;
/// whatever either parser accepts is at most `Amount::MAX`, its `to_plain` re-parses to
/// the same value, its `format_fr` parses back through `parse_user`; the wire form is
/// also valid user input with the same value; serde agrees with `from_plain`.
pub fn amount(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    let plain = Amount::from_plain(text);
    assert_eq!(plain.is_ok(), is_wire_amount(text), "{text:?}: {plain:?}");
    let serde = serde_json::from_value::<Amount>(serde_json::Value::String(text.to_owned()));
    assert_eq!(serde.ok(), plain.clone().ok(), "{text:?}");
    if let Ok(value) = plain {
        check_amount(value);
        assert_eq!(Amount::parse_user(text), Ok(value), "{text:?}");
    }
    if let Ok(value) = Amount::parse_user(text) {
        check_amount(value);
    }

    // Values built from the raw bytes: constructors and arithmetic keep the invariant.
    let mut words = data.chunks(8).map(|chunk| {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        u64::from_le_bytes(word)
    });
    let a = Amount::from_cents(words.next().unwrap_or(0));
    let b = Amount::try_from_cents(words.next().unwrap_or(0));
    check_amount(a);
    if let Ok(b) = b {
        check_amount(b);
        if let Some(sum) = a.checked_add(b) {
            check_amount(sum);
            assert_eq!(sum.cents(), a.cents() + b.cents());
        }
        match a.checked_sub(b) {
            Some(difference) => assert_eq!(difference.cents() + b.cents(), a.cents()),
            None => assert!(a < b),
        }
    }
}

/// `^[0-9]{1,7}(\.[0-9]{1,2})?$`, the protocol's amount form (protocol.md §1).
pub fn is_wire_amount(text: &str) -> bool {
    let digits =
        |s: &str, max: usize| (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    match text.split_once('.') {
        Some((int, frac)) => digits(int, 7) && digits(frac, 2),
        None => digits(text, 7),
    }
}

fn check_amount(value: Amount) {
    assert!(value <= Amount::MAX);
    let plain = value.to_plain();
    assert!(is_wire_amount(&plain), "{plain}");
    assert_eq!(plain.split_once('.').map(|(_, f)| f.len()), Some(2));
    assert_eq!(Amount::from_plain(&plain), Ok(value));
    let french = value.format_fr();
    assert!(french.ends_with("\u{A0}€"), "{french:?}");
    assert_eq!(Amount::parse_user(&french), Ok(value), "{french:?}");
    assert_eq!(Amount::try_from_cents(value.cents()), Ok(value));
}

// ---------------------------------------------------------------- canonical bytes

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
    assert_eq!(
        decode_fields(&auth),
        Some(vec![
            AUTH_TAG.as_bytes(),
            fields.device_id.as_bytes(),
            fields.nonce.as_bytes()
        ])
    );
    let aad = pin_seal_aad(&fields.payment_id, &fields.nonce);
    assert_eq!(
        decode_fields(&aad),
        Some(vec![
            PIN_SEAL_TAG.as_bytes(),
            fields.payment_id.as_bytes(),
            fields.nonce.as_bytes()
        ])
    );
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

// ---------------------------------------------------------------- sealed PIN

/// Payment id of the `pin_seal` vector of `docs/protocol-vectors.json`.
pub const SEAL_PAYMENT_ID: &str = "pay_demo0001";
/// Nonce of the `pin_seal` vector.
pub const SEAL_NONCE: &str = "C1fFGTac0ufPg2CHeEi5oszGudotFcP5xru1OMsM51g";
/// `wrong_nonce` of the `pin_seal` vector.
pub const SEAL_WRONG_NONCE: &str = "K4TVXk-PcMc_-PEXr31eEL6wQBnlNke_XfnwKOjSEnU";
/// `server_secret_hex` of the `pin_seal` vector: the fixed server key, so the vector's
/// sealed block (a seed) opens.
const SEAL_SERVER_SECRET: [u8; 32] = [
    0xe7, 0x49, 0x23, 0x6e, 0x0d, 0xeb, 0xaf, 0xff, 0x01, 0xcb, 0x2a, 0x82, 0xa4, 0xb7, 0x78, 0xd4,
    0x5a, 0x38, 0x06, 0x64, 0xd6, 0x0f, 0x53, 0xb0, 0x70, 0x3b, 0x4f, 0x4d, 0x3d, 0x0b, 0xeb, 0x52,
];

/// The fixed server PIN key pair of the `sealed_pin` target.
pub fn seal_key() -> &'static PinKeyPair {
    static KEY: OnceLock<PinKeyPair> = OnceLock::new();
    KEY.get_or_init(|| PinKeyPair::from_secret_bytes(SEAL_SERVER_SECRET))
}

/// Opening sealed PINs as the sandbox does (`sandbox/src/routes/beneficiary.rs`
/// `confirm`, then `sandbox/src/store/confirm.rs`).
///
/// The input is tried as a raw block and, when it is text, as the `sealed_pin` JSON
/// field: base64url without padding, 1 to 256 bytes, then opened. Invariants: no
/// panic; an opened block gives 4 to 6 ASCII digits and does not open under another
/// nonce or payment; `SealedPin::from_base64url` accepts only well-formed blocks. Then
/// a PIN drawn from the input is sealed with `seal_pin` and must open to itself.
pub fn sealed_pin(data: &[u8]) {
    check_open(data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(block) = URL_SAFE_NO_PAD
            .decode(text.as_bytes())
            .ok()
            .filter(|b| !b.is_empty() && b.len() <= 256)
        {
            check_open(&block);
        }
        if let Ok(sealed) = SealedPin::from_base64url(text) {
            let bytes = sealed.as_bytes();
            assert!((53..=55).contains(&bytes.len()) && bytes[0] == 1, "{text}");
            assert_eq!(sealed.to_base64url(), text);
        }
    }

    // A PIN of 4 to 6 digits drawn from the input seals and opens again.
    let length = 4 + usize::from(data.first().copied().unwrap_or(0) % 3);
    let digits: String = (0..length)
        .map(|i| char::from(b'0' + data.get(i + 1).copied().unwrap_or(0) % 10))
        .collect();
    let key = seal_key();
    let pin = Pin::from_digits(&digits).expect("digits");
    let sealed = seal_pin(pin, &key.public_bytes(), SEAL_PAYMENT_ID, SEAL_NONCE)
        .expect("sealing to a valid key");
    let opened = open_sealed_pin(key, sealed.as_bytes(), SEAL_PAYMENT_ID, SEAL_NONCE)
        .expect("a fresh seal opens");
    assert_eq!(&opened[..], digits.as_bytes());
    assert!(open_sealed_pin(key, sealed.as_bytes(), SEAL_PAYMENT_ID, SEAL_WRONG_NONCE).is_err());
    let round = SealedPin::from_base64url(&sealed.to_base64url()).expect("wire form parses");
    assert_eq!(round, sealed);
}

fn check_open(block: &[u8]) {
    let key = seal_key();
    let Ok(digits) = open_sealed_pin(key, block, SEAL_PAYMENT_ID, SEAL_NONCE) else {
        return;
    };
    assert!((4..=6).contains(&digits.len()), "{} digits", digits.len());
    assert!(digits.iter().all(u8::is_ascii_digit));
    assert!(open_sealed_pin(key, block, SEAL_PAYMENT_ID, SEAL_WRONG_NONCE).is_err());
    assert!(open_sealed_pin(key, block, "pay_demo0002", SEAL_NONCE).is_err());
}
