//! Push notification payloads (protocol.md §9).
//!
//! A push only tells the app *that* something happened; it is never trusted for *what*:
//! the app reads the payment from the API, over an authenticated connection, before
//! showing anything. Anyone able to inject a push (a compromised push provider, a
//! malicious app on a rooted phone) can therefore at most make the app fetch a payment
//! that does or does not exist.
//!
//! Parsing is still strict, because a push reaches the core before any authentication:
//! the payload is bounded (4 KiB, the FCM data limit), ids must be in the protocol's id
//! charset (so they are safe to put in a URL path and a log line), and unknown `type`
//! values are refused rather than guessed. Keys added by the platforms (`from`,
//! `google.*`, `aps`…) are ignored. Errors echo at most a short, escaped excerpt of what
//! they refuse.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// Largest payload: keys plus values, in bytes.
pub const MAX_PUSH_BYTES: usize = 4096;

/// Largest JSON text [`parse_push_json`] reads. Quotes, colons and escapes add to the
/// data itself; this bounds the parsing work before the data size can be measured.
pub const MAX_PUSH_JSON_BYTES: usize = 4 * MAX_PUSH_BYTES;

/// Longest id (protocol.md §1).
pub const MAX_ID_LEN: usize = 64;

/// Characters of an unknown `type` echoed in [`PushError::UnknownType`].
const MAX_ECHO_CHARS: usize = 32;

/// Key of the push's kind ([`PushKind::as_str`]).
pub const TYPE_KEY: &str = "type";
/// Key of the payment to fetch.
pub const PAYMENT_ID_KEY: &str = "payment_id";
/// Key of the message id, to drop a push delivered twice.
pub const MESSAGE_ID_KEY: &str = "message_id";

/// How long a push may take to arrive, in seconds (protocol.md §9): the backend sends it
/// with at most this time to live (FCM `ttl`, APNs `apns-expiration`), so every copy of
/// a push arrives within this time of its sending, hence of its first arrival. A device
/// remembers the message ids it received for this long, to drop the copies.
pub const PUSH_MAX_AGE_SECS: i64 = 24 * 60 * 60;

/// The keys the app reads; every other key is ignored.
const REQUIRED_KEYS: [&str; 3] = [TYPE_KEY, PAYMENT_ID_KEY, MESSAGE_ID_KEY];

/// Why a push payload was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// Above [`MAX_PUSH_BYTES`] of keys and values (or [`MAX_PUSH_JSON_BYTES`] of JSON).
    #[error("Notification trop volumineuse ({size} octets, {MAX_PUSH_BYTES} au plus).")]
    TooLarge {
        /// The size measured, in bytes.
        size: usize,
    },
    /// A key the app reads is absent.
    #[error("Notification incomplète : champ « {field} » absent.")]
    MissingField {
        /// The missing key.
        field: &'static str,
    },
    /// A `type` this app does not know.
    #[error("Type de notification inconnu : {kind:?}.")]
    UnknownType {
        /// The received value, cut to 32 characters.
        kind: String,
    },
    /// An id outside `^[A-Za-z0-9_-]{1,64}$`.
    #[error("Notification invalide : identifiant « {field} » mal formé.")]
    InvalidId {
        /// The key whose value is refused.
        field: &'static str,
    },
    /// Not a JSON object, duplicate keys, or a non-string value for a key the app reads.
    #[error("Notification illisible.")]
    Malformed,
}

/// What a push announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PushKind {
    /// A merchant created a payment request for the account (`"payment_request"`).
    PaymentRequest,
}

impl PushKind {
    /// The `type` value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            PushKind::PaymentRequest => "payment_request",
        }
    }

    /// Inverse of [`as_str`](Self::as_str).
    pub fn parse(value: &str) -> Option<PushKind> {
        match value {
            "payment_request" => Some(PushKind::PaymentRequest),
            _ => None,
        }
    }
}

/// A parsed push: which payment to fetch, and a message id to drop duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushPayload {
    /// What happened.
    pub kind: PushKind,
    /// The payment to fetch from the API (never trusted beyond that).
    pub payment_id: String,
    /// Set by the backend per message; a push delivered twice carries the same one.
    pub message_id: String,
}

impl PushPayload {
    /// The flat string map the backend hands to FCM (`data`) or APNs (custom keys).
    pub fn to_data(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (TYPE_KEY.to_owned(), self.kind.as_str().to_owned()),
            (PAYMENT_ID_KEY.to_owned(), self.payment_id.clone()),
            (MESSAGE_ID_KEY.to_owned(), self.message_id.clone()),
        ])
    }
}

/// True for `^[A-Za-z0-9_-]{1,64}$`, the protocol's id form.
pub fn is_valid_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Parses a push data map as the platform delivers it (FCM `data`, APNs custom keys).
pub fn parse_push(data: &HashMap<String, String>) -> Result<PushPayload, PushError> {
    let size = data.iter().fold(0usize, |size, (k, v)| {
        size.saturating_add(k.len()).saturating_add(v.len())
    });
    check_size(size)?;
    let kind = parse_kind(required(data, TYPE_KEY)?)?;
    let payment_id = parse_id(data, PAYMENT_ID_KEY)?;
    let message_id = parse_id(data, MESSAGE_ID_KEY)?;
    Ok(PushPayload {
        kind,
        payment_id,
        message_id,
    })
}

/// Parses a push handed over as a JSON object, for platforms that pass the payload as
/// text. Values of the keys the app reads must be strings; other keys may hold any JSON
/// value and count towards the size limit with their compact JSON length.
pub fn parse_push_json(json: &str) -> Result<PushPayload, PushError> {
    if json.len() > MAX_PUSH_JSON_BYTES {
        return Err(PushError::TooLarge { size: json.len() });
    }
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let object = deserializer
        .deserialize_map(ObjectVisitor)
        .map_err(|_| PushError::Malformed)?;
    deserializer.end().map_err(|_| PushError::Malformed)?;
    check_size(object.size)?;
    parse_push(&object.strings)
}

fn check_size(size: usize) -> Result<(), PushError> {
    if size > MAX_PUSH_BYTES {
        return Err(PushError::TooLarge { size });
    }
    Ok(())
}

fn required<'a>(
    data: &'a HashMap<String, String>,
    field: &'static str,
) -> Result<&'a str, PushError> {
    data.get(field)
        .map(String::as_str)
        .ok_or(PushError::MissingField { field })
}

fn parse_kind(value: &str) -> Result<PushKind, PushError> {
    PushKind::parse(value).ok_or_else(|| PushError::UnknownType {
        kind: value.chars().take(MAX_ECHO_CHARS).collect(),
    })
}

fn parse_id(data: &HashMap<String, String>, field: &'static str) -> Result<String, PushError> {
    let id = required(data, field)?;
    if !is_valid_id(id) {
        return Err(PushError::InvalidId { field });
    }
    Ok(id.to_owned())
}

/// A JSON object read by [`ObjectVisitor`]: its string entries, and the size of all
/// entries (keys plus values).
struct JsonObject {
    strings: HashMap<String, String>,
    size: usize,
}

/// Reads a JSON object, refusing duplicate keys (which parsers resolve differently, so
/// two readers of one payload could disagree) and non-string values for the keys the
/// app reads.
struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = JsonObject;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of strings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonObject, A::Error> {
        let mut object = JsonObject {
            strings: HashMap::new(),
            size: 0,
        };
        let mut keys = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !keys.insert(key.clone()) {
                return Err(de::Error::custom("duplicate key"));
            }
            let value_size = match map.next_value::<Value>()? {
                Value::String(value) => {
                    let size = value.len();
                    object.strings.insert(key.clone(), value);
                    size
                }
                _ if REQUIRED_KEYS.contains(&key.as_str()) => {
                    return Err(de::Error::custom("non-string value"));
                }
                other => other.to_string().len(),
            };
            object.size = object
                .size
                .saturating_add(key.len())
                .saturating_add(value_size);
        }
        Ok(object)
    }
}

#[cfg(test)]
mod tests;
