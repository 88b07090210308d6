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

pub const TYPE_KEY: &str = "type";
pub const PAYMENT_ID_KEY: &str = "payment_id";
pub const MESSAGE_ID_KEY: &str = "message_id";

/// The keys the app reads; every other key is ignored.
const REQUIRED_KEYS: [&str; 3] = [TYPE_KEY, PAYMENT_ID_KEY, MESSAGE_ID_KEY];

/// Why a push payload was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    #[error("Notification trop volumineuse ({size} octets, {MAX_PUSH_BYTES} au plus).")]
    TooLarge { size: usize },
    #[error("Notification incomplète : champ « {field} » absent.")]
    MissingField { field: &'static str },
    /// `kind` is the received value, cut to 32 characters.
    #[error("Type de notification inconnu : {kind:?}.")]
    UnknownType { kind: String },
    #[error("Notification invalide : identifiant « {field} » mal formé.")]
    InvalidId { field: &'static str },
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
    pub kind: PushKind,
    pub payment_id: String,
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
mod tests {
    use super::*;

    fn data(entries: &[(&str, &str)]) -> HashMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn valid() -> HashMap<String, String> {
        data(&[
            ("type", "payment_request"),
            ("payment_id", "pay_demo0001"),
            ("message_id", "msg_01-AZ_z9"),
        ])
    }

    fn expected() -> PushPayload {
        PushPayload {
            kind: PushKind::PaymentRequest,
            payment_id: "pay_demo0001".into(),
            message_id: "msg_01-AZ_z9".into(),
        }
    }

    #[test]
    fn parses_a_payment_request() {
        assert_eq!(parse_push(&valid()), Ok(expected()));
    }

    #[test]
    fn ignores_platform_keys() {
        let mut payload = valid();
        payload.insert("from".into(), "1234567890".into());
        payload.insert("google.sent_time".into(), "1790000000000".into());
        payload.insert("collapse_key".into(), "com.example".into());
        assert_eq!(parse_push(&payload), Ok(expected()));
    }

    #[test]
    fn to_data_round_trips() {
        let data = expected().to_data();
        assert_eq!(data.len(), 3);
        assert_eq!(data["type"], "payment_request");
        let map: HashMap<_, _> = data.into_iter().collect();
        assert_eq!(parse_push(&map), Ok(expected()));
    }

    #[test]
    fn every_field_is_required() {
        for field in REQUIRED_KEYS {
            let mut payload = valid();
            payload.remove(field);
            assert_eq!(parse_push(&payload), Err(PushError::MissingField { field }));
        }
        assert_eq!(
            parse_push(&HashMap::new()),
            Err(PushError::MissingField { field: "type" })
        );
    }

    #[test]
    fn unknown_types_are_refused_and_cut() {
        for kind in ["", "PAYMENT_REQUEST", "payment_request ", "refund"] {
            let mut payload = valid();
            payload.insert("type".into(), kind.into());
            let error = parse_push(&payload).unwrap_err();
            assert_eq!(error, PushError::UnknownType { kind: kind.into() });
        }
        let mut payload = valid();
        payload.insert("type".into(), "é".repeat(100));
        let Err(PushError::UnknownType { kind }) = parse_push(&payload) else {
            panic!("expected UnknownType");
        };
        assert_eq!(kind, "é".repeat(32));
    }

    #[test]
    fn unknown_type_message_escapes_what_it_echoes() {
        let error = PushError::UnknownType {
            kind: "a\nb\u{1b}[31m\"".into(),
        };
        let message = error.to_string();
        assert!(
            !message.contains('\n') && !message.contains('\u{1b}'),
            "{message}"
        );
    }

    #[test]
    fn ids_must_be_in_the_id_charset() {
        let too_long = "a".repeat(65);
        let longest = "a".repeat(64);
        let bad = [
            "",
            "pay 1",
            "pay/1",
            "../x",
            "pay_é",
            "pay\u{0}",
            "pay.1",
            too_long.as_str(),
        ];
        for field in [PAYMENT_ID_KEY, MESSAGE_ID_KEY] {
            for id in bad {
                let mut payload = valid();
                payload.insert(field.into(), id.into());
                assert_eq!(
                    parse_push(&payload),
                    Err(PushError::InvalidId { field }),
                    "{id:?}"
                );
            }
            let mut payload = valid();
            payload.insert(field.into(), longest.clone());
            assert!(parse_push(&payload).is_ok());
        }
    }

    #[test]
    fn payloads_above_4_kib_are_refused() {
        let base: usize = valid().iter().map(|(k, v)| k.len() + v.len()).sum();
        let mut payload = valid();
        // Key "x" plus its value fill the payload up to exactly 4096 bytes.
        payload.insert("x".into(), "y".repeat(MAX_PUSH_BYTES - base - 1));
        assert_eq!(parse_push(&payload), Ok(expected()));
        payload.insert("x".into(), "y".repeat(MAX_PUSH_BYTES - base));
        let error = parse_push(&payload).unwrap_err();
        assert_eq!(
            error,
            PushError::TooLarge {
                size: MAX_PUSH_BYTES + 1
            }
        );
    }

    #[test]
    fn size_is_checked_first() {
        let payload = data(&[("type", &"z".repeat(5000))]);
        assert_eq!(
            parse_push(&payload),
            Err(PushError::TooLarge { size: 5004 })
        );
    }

    #[test]
    fn json_payloads_parse_like_maps() {
        let json =
            r#"{"type":"payment_request","payment_id":"pay_demo0001","message_id":"msg_01-AZ_z9"}"#;
        assert_eq!(parse_push_json(json), Ok(expected()));
        let with_aps = r#"{"aps":{"alert":{"title":"Paiement","body":"150,00 €"}},"type":"payment_request",
            "payment_id":"pay_demo0001","message_id":"msg_01-AZ_z9","n":3}"#;
        assert_eq!(parse_push_json(with_aps), Ok(expected()));
    }

    #[test]
    fn json_errors_are_typed() {
        assert_eq!(
            parse_push_json(r#"{"type":"payment_request"}"#),
            Err(PushError::MissingField {
                field: "payment_id"
            })
        );
        let unknown = r#"{"type":"x","payment_id":"p","message_id":"m"}"#;
        assert_eq!(
            parse_push_json(unknown),
            Err(PushError::UnknownType { kind: "x".into() })
        );
        let bad_id = r#"{"type":"payment_request","payment_id":"p 1","message_id":"m"}"#;
        assert_eq!(
            parse_push_json(bad_id),
            Err(PushError::InvalidId {
                field: "payment_id"
            })
        );
    }

    #[test]
    fn malformed_json_is_refused() {
        let malformed = [
            "",
            "null",
            "[]",
            "\"payment_request\"",
            "{",
            r#"{"type":"payment_request","payment_id":"pay_1","message_id":"msg_1"} x"#,
            r#"{"type":"payment_request","payment_id":42,"message_id":"msg_1"}"#,
            r#"{"type":null,"payment_id":"pay_1","message_id":"msg_1"}"#,
            r#"{"type":"payment_request","payment_id":"pay_1","payment_id":"pay_2","message_id":"m"}"#,
        ];
        for json in malformed {
            assert_eq!(parse_push_json(json), Err(PushError::Malformed), "{json}");
        }
    }

    #[test]
    fn json_size_counts_every_entry() {
        let filler = vec!["0"; 2100].join(",");
        let json = format!(
            r#"{{"type":"payment_request","payment_id":"pay_1","message_id":"msg_1","big":[{filler}]}}"#
        );
        assert!(matches!(
            parse_push_json(&json),
            Err(PushError::TooLarge { .. })
        ));
        let huge = format!(r#"{{"x":"{}"}}"#, "y".repeat(MAX_PUSH_JSON_BYTES));
        let error = parse_push_json(&huge).unwrap_err();
        assert_eq!(error, PushError::TooLarge { size: huge.len() });
    }

    #[test]
    fn messages_are_french() {
        let error = PushError::MissingField { field: "type" };
        assert_eq!(
            error.to_string(),
            "Notification incomplète : champ « type » absent."
        );
    }
}
