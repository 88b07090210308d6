//! Target `push`: push payloads (protocol.md §9) through both entry points of the core,
//! the JSON text an iOS extension hands over and the data map of an Android service.

use std::collections::HashMap;

use cvconnect_core::protocol::push::{
    is_valid_id, parse_push, parse_push_json, PushError, PushKind, PushPayload, MAX_PUSH_BYTES,
    MAX_PUSH_JSON_BYTES,
};

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
