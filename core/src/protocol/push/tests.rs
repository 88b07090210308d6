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

/// The valid JSON payload with `spaces` blanks between two entries.
fn json_with_blanks(spaces: usize) -> String {
    format!(
        r#"{{"type":"payment_request",{}"payment_id":"pay_demo0001","message_id":"msg_01-AZ_z9"}}"#,
        " ".repeat(spaces)
    )
}

#[test]
fn json_text_is_read_up_to_four_times_the_data_bound() {
    // Blanks, quotes and escapes lengthen the text, not the data: 16 KiB of text is
    // read, one byte more is refused before parsing.
    let blanks = MAX_PUSH_JSON_BYTES - json_with_blanks(0).len();
    let longest = json_with_blanks(blanks);
    assert_eq!(longest.len(), 16 * 1024);
    assert_eq!(parse_push_json(&longest), Ok(expected()));
    let too_long = json_with_blanks(blanks + 1);
    assert_eq!(
        parse_push_json(&too_long),
        Err(PushError::TooLarge {
            size: 16 * 1024 + 1
        })
    );
}

#[test]
fn a_push_lives_at_most_a_day() {
    // The backend sends each push with a time to live of 24 hours and the store drops
    // its copies for that long: written out here, not computed like the constant.
    assert_eq!(PUSH_MAX_AGE_SECS, 86_400);
}

#[test]
fn messages_are_french() {
    let error = PushError::MissingField { field: "type" };
    assert_eq!(
        error.to_string(),
        "Notification incomplète : champ « type » absent."
    );
}
