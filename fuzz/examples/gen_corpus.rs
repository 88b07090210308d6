//! Writes the seed corpus of every fuzz target into `fuzz/corpus/<target>/`:
//! the protocol vectors of `docs/protocol-vectors.json`, real answers and pushes of a
//! sandbox driven through a whole payment (enrollment, token, payments, errors), and
//! hand-picked edge cases.
//!
//! ```sh
//! cargo run -p cvconnect-fuzz --example gen_corpus
//! ```
//!
//! Files are overwritten by name and never deleted, so minimised crash inputs added to
//! the same directories stay. Real answers carry random ids: regenerating changes them.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use cvconnect_core::amount::Amount;
use cvconnect_core::crypto::seal::seal_pin;
use cvconnect_core::crypto::signer::{DeviceSigner, SoftwareSigner};
use cvconnect_core::pin::Pin;
use cvconnect_core::protocol::canonical::{
    auth_bytes, enrollment_bytes, pin_seal_aad, ConfirmationFields,
};
use cvconnect_core::protocol::wire::PaymentDetail;
use cvconnect_fuzz::{seal_key, SEAL_NONCE, SEAL_PAYMENT_ID};
use cvconnect_sandbox::{Database, Sandbox, SandboxConfig, Seed};
use cvconnect_sandbox_client::{http_client, AdminClient, BeneficiaryClient, SoftDevice};

const ADMIN: &str = "corpus-admin";
const MERCHANT_KEY: &str = "mk_demo_boutique";
const EMAIL: &str = "camille.martin@example.fr";
const PIN: &str = "4827";

struct Corpus {
    root: PathBuf,
    counts: BTreeMap<&'static str, usize>,
}

impl Corpus {
    fn add(&mut self, target: &'static str, name: &str, bytes: impl AsRef<[u8]>) -> Result<()> {
        let dir = self.root.join(target);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join(name), bytes.as_ref())?;
        *self.counts.entry(target).or_default() += 1;
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vectors: Value = serde_json::from_str(
        &fs::read_to_string(manifest.join("../docs/protocol-vectors.json"))
            .context("docs/protocol-vectors.json")?,
    )?;
    let mut corpus = Corpus {
        root: manifest.join("corpus"),
        counts: BTreeMap::new(),
    };
    push_seeds(&mut corpus)?;
    amount_seeds(&mut corpus)?;
    canonical_seeds(&mut corpus, &vectors)?;
    sealed_pin_seeds(&mut corpus, &vectors)?;
    response_seeds(&mut corpus)?;
    sandbox_seeds(&mut corpus).await?;
    for (target, count) in &corpus.counts {
        println!("fuzz/corpus/{target}: {count} files written");
    }
    Ok(())
}

fn hex(text: &str) -> Result<Vec<u8>> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(|e| anyhow!("hex: {e}")))
        .collect()
}

fn vector_hex(vectors: &Value, group: &str, key: &str) -> Result<Vec<u8>> {
    hex(vectors[group][key]
        .as_str()
        .ok_or_else(|| anyhow!("vector {group}.{key}"))?)
}

// ---------------------------------------------------------------- push

fn push_seeds(c: &mut Corpus) -> Result<()> {
    let t = "push";
    c.add(
        t,
        "json_valid.json",
        r#"{"type":"payment_request","payment_id":"pay_demo0001","message_id":"msg_01-AZ_z9"}"#,
    )?;
    c.add(
        t,
        "json_with_aps_and_platform_keys.json",
        r#"{"aps":{"alert":{"title":"Paiement","body":"150,00 €"}},"type":"payment_request","payment_id":"pay_demo0001","message_id":"msg_1","from":"1234","google.sent_time":1790000000000,"n":3}"#,
    )?;
    c.add(
        t,
        "map_valid.txt",
        "type=payment_request\npayment_id=pay_demo0001\nmessage_id=msg_1\n",
    )?;
    c.add(
        t,
        "map_platform_keys.txt",
        "from=1234567890\ngoogle.sent_time=1790000000000\ncollapse_key=com.example\ntype=payment_request\npayment_id=pay_x\nmessage_id=msg_x\n",
    )?;
    c.add(
        t,
        "json_unknown_type.json",
        r#"{"type":"refund","payment_id":"pay_1","message_id":"msg_1"}"#,
    )?;
    c.add(
        t,
        "json_bad_ids.json",
        r#"{"type":"payment_request","payment_id":"../admin","message_id":"msg 1"}"#,
    )?;
    let longest = "a".repeat(64);
    c.add(
        t,
        "map_id_64_and_65.txt",
        format!("type=payment_request\npayment_id={longest}\nmessage_id={longest}a\n"),
    )?;
    c.add(
        t,
        "json_duplicate_key.json",
        r#"{"type":"payment_request","payment_id":"pay_1","payment_id":"pay_2","message_id":"m"}"#,
    )?;
    c.add(
        t,
        "json_non_string_values.json",
        r#"{"type":null,"payment_id":42,"message_id":["m"]}"#,
    )?;
    c.add(
        t,
        "json_escapes_and_control.json",
        "{\"type\":\"payment_request\\u0000\",\"payment_id\":\"pay_\\u00e9\",\"message_id\":\"a\\nb\\u001b[31m\"}",
    )?;
    c.add(
        t,
        "map_too_large.txt",
        format!(
            "type=payment_request\npayment_id=pay_1\nmessage_id=msg_1\nx={}\n",
            "y".repeat(4096)
        ),
    )?;
    let filler = vec!["0"; 2100].join(",");
    c.add(
        t,
        "json_large_nested_value.json",
        format!(
            r#"{{"type":"payment_request","payment_id":"pay_1","message_id":"msg_1","big":[{filler}]}}"#
        ),
    )?;
    c.add(t, "json_not_an_object.json", r#"["payment_request"]"#)?;
    c.add(
        t,
        "json_trailing_garbage.json",
        r#"{"type":"payment_request","payment_id":"pay_1","message_id":"msg_1"} x"#,
    )?;
    c.add(t, "empty", "")?;
    c.add(
        t,
        "map_invalid_utf8.bin",
        b"type=payment_request\npayment_id=pay_\xff\xfe\nmessage_id=msg_1\n",
    )?;
    Ok(())
}

// ---------------------------------------------------------------- amount

fn amount_seeds(c: &mut Corpus) -> Result<()> {
    let seeds: [(&str, &str); 24] = [
        ("plain_150", "150.00"),
        ("plain_min", "0.01"),
        ("plain_max", "9999999.99"),
        ("plain_too_large", "10000000"),
        ("plain_leading_zeros", "007.10"),
        ("plain_one_decimal", "12.5"),
        ("plain_zero", "0"),
        ("user_grouped_nnbsp", "1\u{202F}234,56\u{A0}€"),
        ("user_grouped_space", "1 234 567,89 €"),
        ("user_comma", "12,50"),
        ("user_euro_no_space", "12€"),
        ("user_blanks", "   12 "),
        ("negative", "-1.00"),
        ("negative_unicode_minus", "\u{2212}5"),
        ("too_many_decimals", "1.234"),
        ("exponent", "1e3"),
        ("explicit_plus", "+5"),
        ("mixed_separators", "1.234,56"),
        ("bad_grouping", "12 34"),
        ("trailing_separator", "12."),
        ("leading_separator", ".5"),
        ("fullwidth_digits", "１２,５０"),
        ("lone_euro", "€"),
        ("huge", "99999999999999999999999999999.99"),
    ];
    for (name, text) in seeds {
        c.add("amount", &format!("{name}.txt"), text)?;
    }
    c.add("amount", "cents_bytes.bin", u64::MAX.to_le_bytes())?;
    Ok(())
}

// ---------------------------------------------------------------- canonical bytes

fn canonical_seeds(c: &mut Corpus, vectors: &Value) -> Result<()> {
    let t = "canonical";
    let confirmation = vector_hex(vectors, "confirmation", "expected_hex")?;
    c.add(t, "vector_confirmation.bin", &confirmation)?;
    c.add(
        t,
        "vector_auth.bin",
        vector_hex(vectors, "auth", "expected_hex")?,
    )?;
    c.add(
        t,
        "vector_enrollment.bin",
        vector_hex(vectors, "enrollment", "expected_hex")?,
    )?;
    c.add(
        t,
        "vector_pin_seal_aad.bin",
        vector_hex(vectors, "pin_seal_aad", "expected_hex")?,
    )?;
    let mut fields = ConfirmationFields::decode(&confirmation)
        .ok_or_else(|| anyhow!("the confirmation vector does not decode"))?;
    c.add(
        t,
        "confirmation_truncated.bin",
        &confirmation[..confirmation.len() - 1],
    )?;
    let mut trailing = confirmation.clone();
    trailing.push(0);
    c.add(t, "confirmation_trailing_byte.bin", trailing)?;
    let mut huge_length = confirmation.clone();
    huge_length[..4].copy_from_slice(&u32::MAX.to_be_bytes());
    c.add(t, "confirmation_huge_length.bin", huge_length)?;
    // Non-canonical spellings that must not decode: "+1790000180" and "150.0".
    let plus = replace_field(&confirmation, 8, b"+1790000180")?;
    c.add(t, "confirmation_plus_expiry.bin", plus)?;
    let short_total = replace_field(&confirmation, 5, b"150.0")?;
    c.add(t, "confirmation_total_one_decimal.bin", short_total)?;
    let bad_utf8 = replace_field(&confirmation, 4, b"Boutique D\xe9mo")?;
    c.add(t, "confirmation_latin1_payee.bin", bad_utf8)?;
    fields.amount = Amount::from_cents(15000);
    c.add(t, "confirmation_amount_150.bin", fields.encode())?;
    fields.expires_at = i64::MIN;
    fields.payee_name = "Café «Noël» \u{202E}evil".into();
    c.add(t, "confirmation_negative_expiry_bidi.bin", fields.encode())?;
    c.add(t, "auth_empty_fields.bin", auth_bytes("", ""))?;
    c.add(
        t,
        "aad_vector_ids.bin",
        pin_seal_aad(SEAL_PAYMENT_ID, SEAL_NONCE),
    )?;
    c.add(t, "empty", b"")?;
    c.add(t, "length_only.bin", [0, 0, 0, 5])?;
    Ok(())
}

/// The confirmation bytes with field `index` replaced.
fn replace_field(bytes: &[u8], index: usize, value: &[u8]) -> Result<Vec<u8>> {
    let fields = cvconnect_core::protocol::canonical::decode_fields(bytes)
        .ok_or_else(|| anyhow!("undecodable"))?;
    let mut writer = cvconnect_core::protocol::canonical::FieldWriter::default();
    for (i, field) in fields.iter().enumerate() {
        writer.field(if i == index { value } else { field });
    }
    Ok(writer.finish())
}

// ---------------------------------------------------------------- sealed PIN

fn sealed_pin_seeds(c: &mut Corpus, vectors: &Value) -> Result<()> {
    let t = "sealed_pin";
    let block = vector_hex(vectors, "pin_seal", "sealed_hex")?;
    c.add(t, "vector_block.bin", &block)?;
    c.add(
        t,
        "vector_block_base64url.txt",
        URL_SAFE_NO_PAD.encode(&block),
    )?;
    c.add(t, "vector_block_padded_base64.txt", URL_SAFE.encode(&block))?;
    c.add(
        t,
        "vector_block_standard_base64.txt",
        STANDARD.encode(&block),
    )?;
    let mut flipped = block.clone();
    flipped[40] ^= 1;
    c.add(t, "vector_block_flipped_ciphertext.bin", flipped)?;
    let mut flipped_tag = block.clone();
    *flipped_tag.last_mut().unwrap() ^= 0x80;
    c.add(t, "vector_block_flipped_tag.bin", flipped_tag)?;
    let mut version_two = block.clone();
    version_two[0] = 2;
    c.add(t, "version_2.bin", version_two)?;
    c.add(t, "truncated_52.bin", &block[..52])?;
    c.add(t, "too_long_56.bin", [1u8; 56])?;
    let mut low_order = vec![1u8];
    low_order.extend_from_slice(&[0u8; 32]);
    low_order.extend_from_slice(&[0u8; 20]);
    c.add(t, "low_order_ephemeral.bin", low_order)?;
    for digits in ["0000", "12345", "987654"] {
        let pin = Pin::from_digits(digits).ok_or_else(|| anyhow!("digits"))?;
        let sealed = seal_pin(pin, &seal_key().public_bytes(), SEAL_PAYMENT_ID, SEAL_NONCE)
            .map_err(|e| anyhow!("seal: {e}"))?;
        c.add(
            t,
            &format!("sealed_{}_digits.bin", digits.len()),
            sealed.as_bytes(),
        )?;
        if digits.len() == 6 {
            c.add(t, "sealed_6_digits_base64url.txt", sealed.to_base64url())?;
        }
    }
    c.add(t, "empty", b"")?;
    c.add(t, "base64url_too_long.txt", "A".repeat(400))?;
    Ok(())
}

// ---------------------------------------------------------------- responses

fn response_seeds(c: &mut Corpus) -> Result<()> {
    let t = "responses";
    c.add(t, "empty", b"")?;
    c.add(t, "null.json", "null")?;
    c.add(
        t,
        "error_unknown_code.json",
        r#"{"error":{"code":"brand_new","message":"x","extra":{"nested":[1,2]}}}"#,
    )?;
    c.add(
        t,
        "balance_float_amount.json",
        r#"{"balance":200.0,"currency":"EUR"}"#,
    )?;
    c.add(
        t,
        "detail_attempts_out_of_range.json",
        r#"{"payment_id":"p","status":"PENDING","payee":{"id":"m","name":"n"},"total":"1.00","currency":"EUR","min_amount":"0.01","max_amount":"1.00","nonce":"n","created_at":0,"expires_at":-1,"pin_length":4,"pin_key":{"key_id":"k","public_key":"x"},"attempts_left":256,"paid_amount":null,"remaining_amount":null}"#,
    )?;
    c.add(t, "deep_nesting.json", "[".repeat(300) + &"]".repeat(300))?;
    Ok(())
}

/// Real answers and pushes of a sandbox, through a whole payment and its errors.
async fn sandbox_seeds(c: &mut Corpus) -> Result<()> {
    let sandbox = Sandbox::start(SandboxConfig {
        admin_token: Some(ADMIN.into()),
        seed: Some(Seed::demo()),
        database: Database::Memory,
        ..SandboxConfig::default()
    })
    .await?;
    let base = sandbox.base_url().to_owned();
    let result = drive(c, &base).await;
    sandbox.shutdown().await;
    result
}

struct Raw {
    http: reqwest::Client,
    base: String,
}

impl Raw {
    async fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Result<(StatusCode, Vec<u8>)> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await?;
        Ok((response.status(), response.bytes().await?.to_vec()))
    }
}

fn field(bytes: &[u8], name: &str) -> Result<String> {
    let value: Value = serde_json::from_slice(bytes)?;
    value[name]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("no {name} in {}", String::from_utf8_lossy(bytes)))
}

async fn drive(c: &mut Corpus, base: &str) -> Result<()> {
    let t = "responses";
    let http = http_client();
    let raw = Raw {
        http: http.clone(),
        base: base.to_owned(),
    };
    let admin = AdminClient::new(http.clone(), base, ADMIN);
    let post = Method::POST;
    let get = Method::GET;

    // Enrollment and token.
    let code = admin.issue_activation_code(EMAIL).await?.code;
    let signer = SoftwareSigner::generate().map_err(|e| anyhow!("{e}"))?;
    let spki = signer.public_key_spki();
    let proof = signer
        .sign(&enrollment_bytes(EMAIL, &code, &spki))
        .map_err(|e| anyhow!("{e}"))?;
    let enroll = json!({"email": EMAIL, "activation_code": code,
        "public_key": URL_SAFE_NO_PAD.encode(&spki), "push_token": "fcm:corpus",
        "platform": "android", "proof": URL_SAFE_NO_PAD.encode(&proof)});
    let (_, body) = raw
        .send(post.clone(), "/v1/devices", None, Some(&enroll), None)
        .await?;
    c.add(t, "real_enroll_201.json", &body)?;
    let device_id = field(&body, "device_id")?;
    let (_, body) = raw
        .send(post.clone(), "/v1/devices", None, Some(&enroll), None)
        .await?;
    c.add(t, "real_invalid_activation_code_403.json", &body)?;
    let (_, body) = raw
        .send(
            post.clone(),
            "/v1/auth/challenge",
            None,
            Some(&json!({"device_id": device_id})),
            None,
        )
        .await?;
    c.add(t, "real_challenge_200.json", &body)?;
    let challenge = field(&body, "challenge")?;
    let signature = signer
        .sign(&auth_bytes(&device_id, &challenge))
        .map_err(|e| anyhow!("{e}"))?;
    let token_request = json!({"device_id": device_id, "challenge": challenge,
        "signature": URL_SAFE_NO_PAD.encode(&signature)});
    let (_, body) = raw
        .send(
            post.clone(),
            "/v1/auth/token",
            None,
            Some(&token_request),
            None,
        )
        .await?;
    c.add(t, "real_token_200.json", &body)?;
    let token = field(&body, "access_token")?;
    let tok = Some(token.as_str());

    let (_, body) = raw
        .send(get.clone(), "/v1/balance", tok, None, None)
        .await?;
    c.add(t, "real_balance_200.json", &body)?;
    let (_, body) = raw
        .send(get.clone(), "/v1/balance", None, None, None)
        .await?;
    c.add(t, "real_unauthorized_401.json", &body)?;

    // Merchant side.
    let merchant = Some(MERCHANT_KEY);
    let create =
        |total: &str, order: &str| json!({"account": EMAIL, "total": total, "order_ref": order});
    let requests = "/v1/merchant/payment-requests";
    let (_, body) = raw
        .send(
            post.clone(),
            requests,
            merchant,
            Some(&create("150.00", "CMD-1")),
            None,
        )
        .await?;
    c.add(t, "real_merchant_payment_201.json", &body)?;
    let payment_id = field(&body, "id")?;
    let (_, body) = raw
        .send(
            post.clone(),
            requests,
            merchant,
            Some(&create("10.00", "CMD-2")),
            None,
        )
        .await?;
    c.add(t, "real_amount_below_minimum_422.json", &body)?;
    let bad_account = json!({"account": "x", "total": "50.00"});
    let (_, body) = raw
        .send(post.clone(), requests, merchant, Some(&bad_account), None)
        .await?;
    c.add(t, "real_validation_failed_422.json", &body)?;
    let unknown_field = json!({"account": EMAIL, "total": "50.00", "tip": "1.00"});
    let (_, body) = raw
        .send(post.clone(), requests, merchant, Some(&unknown_field), None)
        .await?;
    c.add(t, "real_bad_request_400.json", &body)?;

    // The push the device received, as the FCM data map and the APNs payload.
    let feed = admin.push_feed(Some(&device_id), 0, 0).await?;
    let notification = feed
        .notifications
        .first()
        .ok_or_else(|| anyhow!("no push recorded"))?;
    let push = serde_json::to_value(notification)?;
    c.add(
        "push",
        "real_fcm_data.json",
        serde_json::to_vec(&push["data"])?,
    )?;
    c.add("push", "real_apns.json", serde_json::to_vec(&push["apns"])?)?;

    // Beneficiary reads.
    let (_, body) = raw
        .send(get.clone(), "/v1/payments?status=pending", tok, None, None)
        .await?;
    c.add(t, "real_payments_pending_200.json", &body)?;
    let detail_path = format!("/v1/payments/{payment_id}");
    let (_, body) = raw.send(get.clone(), &detail_path, tok, None, None).await?;
    c.add(t, "real_detail_pending_200.json", &body)?;
    let (_, body) = raw
        .send(get.clone(), "/v1/payments/pay_unknown", tok, None, None)
        .await?;
    c.add(t, "real_not_found_404.json", &body)?;

    // Confirmations: wrong PIN, stale nonce, out of bounds, success, then not pending.
    let device = SoftDevice {
        api: BeneficiaryClient::new(http.clone(), base),
        signer,
        device_id: device_id.clone(),
        access_token: token.clone(),
        pin_length: 4,
    };
    let confirm_path = format!("/v1/payments/{payment_id}/confirm");
    let detail = device.payment(&payment_id).await?;
    let confirm = |detail: &PaymentDetail, amount: &str, pin: &str, key: &str| -> Result<Value> {
        let amount = Amount::from_plain(amount).map_err(|e| anyhow!("{e}"))?;
        let request = device
            .confirm_request(detail, amount, pin, key)
            .map_err(|e| anyhow!("{e}"))?;
        Ok(serde_json::to_value(request)?)
    };
    let wrong = confirm(&detail, "120.00", "0000", "idem_corpus_wrong_pin")?;
    c.add(
        "sealed_pin",
        "real_sandbox_block_base64url.txt",
        wrong["sealed_pin"].as_str().unwrap_or_default(),
    )?;
    let (_, body) = raw
        .send(
            post.clone(),
            &confirm_path,
            tok,
            Some(&wrong),
            Some("idem_corpus_wrong_pin"),
        )
        .await?;
    c.add(t, "real_authentication_failed_403.json", &body)?;
    let stale = confirm(&detail, "120.00", PIN, "idem_corpus_stale_nonce")?;
    let (_, body) = raw
        .send(
            post.clone(),
            &confirm_path,
            tok,
            Some(&stale),
            Some("idem_corpus_stale_nonce"),
        )
        .await?;
    c.add(t, "real_nonce_used_409.json", &body)?;
    let detail = device.payment(&payment_id).await?;
    let too_much = confirm(&detail, "999.00", PIN, "idem_corpus_out_of_bounds")?;
    let (_, body) = raw
        .send(
            post.clone(),
            &confirm_path,
            tok,
            Some(&too_much),
            Some("idem_corpus_out_of_bounds"),
        )
        .await?;
    c.add(t, "real_amount_out_of_bounds_422.json", &body)?;
    let detail = device.payment(&payment_id).await?;
    let good = confirm(&detail, "120.00", PIN, "idem_corpus_success_1")?;
    let sealed = URL_SAFE_NO_PAD.decode(good["sealed_pin"].as_str().unwrap_or_default())?;
    let fields = ConfirmationFields::for_payment(
        &detail,
        Amount::from_cents(12000),
        &device_id,
        ring_sha256(&sealed),
    );
    c.add(
        "canonical",
        "real_sandbox_confirmation.bin",
        fields.encode(),
    )?;
    let (_, body) = raw
        .send(
            post.clone(),
            &confirm_path,
            tok,
            Some(&good),
            Some("idem_corpus_success_1"),
        )
        .await?;
    c.add(t, "real_confirm_partially_authorised_200.json", &body)?;
    let (_, body) = raw.send(get.clone(), &detail_path, tok, None, None).await?;
    c.add(t, "real_detail_partially_authorised_200.json", &body)?;
    let again = confirm(&detail, "120.00", PIN, "idem_corpus_success_2")?;
    let (_, body) = raw
        .send(
            post.clone(),
            &confirm_path,
            tok,
            Some(&again),
            Some("idem_corpus_success_2"),
        )
        .await?;
    c.add(t, "real_payment_not_pending_409.json", &body)?;
    let (_, body) = raw
        .send(
            get.clone(),
            &format!("{requests}/{payment_id}"),
            merchant,
            None,
            None,
        )
        .await?;
    c.add(t, "real_merchant_payment_partial_200.json", &body)?;

    // Decline, merchant cancel, expiry.
    let (_, body) = raw
        .send(
            post.clone(),
            requests,
            merchant,
            Some(&create("40.00", "CMD-3")),
            None,
        )
        .await?;
    let declined = field(&body, "id")?;
    let (_, body) = raw
        .send(
            post.clone(),
            &format!("/v1/payments/{declined}/decline"),
            tok,
            None,
            None,
        )
        .await?;
    c.add(t, "real_decline_200.json", &body)?;
    let (_, body) = raw
        .send(
            post.clone(),
            requests,
            merchant,
            Some(&create("60.00", "CMD-4")),
            None,
        )
        .await?;
    let cancelled = field(&body, "id")?;
    raw.send(
        post.clone(),
        &format!("{requests}/{cancelled}/cancel"),
        merchant,
        None,
        None,
    )
    .await?;
    let (_, body) = raw
        .send(
            get.clone(),
            &format!("{requests}/{cancelled}"),
            merchant,
            None,
            None,
        )
        .await?;
    c.add(t, "real_merchant_cancelled_200.json", &body)?;
    let (_, body) = raw
        .send(
            post.clone(),
            requests,
            merchant,
            Some(&create("70.00", "CMD-5")),
            None,
        )
        .await?;
    let expiring = field(&body, "id")?;
    let detail = device.payment(&expiring).await?;
    // Past the 180 s validity, within the 300 s token lifetime.
    admin.advance_clock(200).await?;
    let late = confirm(&detail, "70.00", PIN, "idem_corpus_expired_1")?;
    let (_, body) = raw
        .send(
            post.clone(),
            &format!("/v1/payments/{expiring}/confirm"),
            tok,
            Some(&late),
            Some("idem_corpus_expired_1"),
        )
        .await?;
    c.add(t, "real_payment_expired_410.json", &body)?;
    let (_, body) = raw
        .send(get, &format!("{requests}/{expiring}"), merchant, None, None)
        .await?;
    c.add(t, "real_merchant_expired_200.json", &body)?;
    Ok(())
}

fn ring_sha256(bytes: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}
