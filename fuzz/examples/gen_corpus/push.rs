//! Seeds of `push`: JSON texts and `key=value` data maps, valid, hostile and
//! oversized, and the push a real sandbox sent (its FCM data map and APNs payload).

use anyhow::Result;

use crate::sandbox::Real;
use crate::Seeds;

/// Fixed texts, by seed name.
const FIXED: [(&str, &str); 12] = [
    (
        "json_valid.json",
        r#"{"type":"payment_request","payment_id":"pay_demo0001","message_id":"msg_01-AZ_z9"}"#,
    ),
    (
        "json_with_aps_and_platform_keys.json",
        r#"{"aps":{"alert":{"title":"Paiement","body":"150,00 €"}},"type":"payment_request","payment_id":"pay_demo0001","message_id":"msg_1","from":"1234","google.sent_time":1790000000000,"n":3}"#,
    ),
    (
        "map_valid.txt",
        "type=payment_request\npayment_id=pay_demo0001\nmessage_id=msg_1\n",
    ),
    (
        "map_platform_keys.txt",
        "from=1234567890\ngoogle.sent_time=1790000000000\ncollapse_key=com.example\ntype=payment_request\npayment_id=pay_x\nmessage_id=msg_x\n",
    ),
    (
        "json_unknown_type.json",
        r#"{"type":"refund","payment_id":"pay_1","message_id":"msg_1"}"#,
    ),
    (
        "json_bad_ids.json",
        r#"{"type":"payment_request","payment_id":"../admin","message_id":"msg 1"}"#,
    ),
    (
        "json_duplicate_key.json",
        r#"{"type":"payment_request","payment_id":"pay_1","payment_id":"pay_2","message_id":"m"}"#,
    ),
    (
        "json_non_string_values.json",
        r#"{"type":null,"payment_id":42,"message_id":["m"]}"#,
    ),
    (
        "json_escapes_and_control.json",
        "{\"type\":\"payment_request\\u0000\",\"payment_id\":\"pay_\\u00e9\",\"message_id\":\"a\\nb\\u001b[31m\"}",
    ),
    ("json_not_an_object.json", r#"["payment_request"]"#),
    (
        "json_trailing_garbage.json",
        r#"{"type":"payment_request","payment_id":"pay_1","message_id":"msg_1"} x"#,
    ),
    ("empty", ""),
];

pub fn seeds(real: &Real) -> Result<Seeds> {
    let mut seeds = Seeds::default();
    for (name, text) in FIXED {
        seeds.add(name, text);
    }
    // Not UTF-8, hence not in the table of texts.
    seeds.add(
        "map_invalid_utf8.bin",
        b"type=payment_request\npayment_id=pay_\xff\xfe\nmessage_id=msg_1\n",
    );
    let longest = "a".repeat(64);
    seeds.add(
        "map_id_64_and_65.txt",
        format!("type=payment_request\npayment_id={longest}\nmessage_id={longest}a\n"),
    );
    seeds.add(
        "map_too_large.txt",
        format!(
            "type=payment_request\npayment_id=pay_1\nmessage_id=msg_1\nx={}\n",
            "y".repeat(4096)
        ),
    );
    let filler = vec!["0"; 2100].join(",");
    seeds.add(
        "json_large_nested_value.json",
        format!(
            r#"{{"type":"payment_request","payment_id":"pay_1","message_id":"msg_1","big":[{filler}]}}"#
        ),
    );
    seeds.add("real_fcm_data.json", serde_json::to_vec(&real.push.data)?);
    seeds.add("real_apns.json", serde_json::to_vec(&real.push.apns)?);
    Ok(seeds)
}
