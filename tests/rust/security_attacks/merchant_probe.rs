//! A merchant probing for accounts: an unknown account answers like a known one.

use serde_json::Value;

use cvconnect_testkit::{eur, Options, World};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_account_looks_like_a_known_one_to_a_merchant() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let known = h.account("200.00").await?;
    let http = h.http.clone();
    let url = |path: &str| h.url(path);
    let call = |method: reqwest::Method, path: String, body: Option<Value>| {
        let mut request = http
            .request(method, url(&path))
            .bearer_auth(h.merchant_key());
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let ledger_before = h.admin.ledger().await.unwrap().entries.len();

    let accounts = [
        known.email.clone(),
        known.number.clone(),
        "personne.inconnue@example.fr".to_owned(),
        "99999999999".to_owned(),
    ];
    let mut answers = Vec::new();
    for account in &accounts {
        let body = serde_json::json!({"account": account, "total": "80.00", "order_ref": "PROBE"});
        let created = call(
            reqwest::Method::POST,
            "/v1/merchant/payment-requests".into(),
            Some(body),
        )
        .await;
        let id = created.1["id"].as_str().unwrap().to_owned();
        let read = call(
            reqwest::Method::GET,
            format!("/v1/merchant/payment-requests/{id}"),
            None,
        )
        .await;
        let cancelled = call(
            reqwest::Method::POST,
            format!("/v1/merchant/payment-requests/{id}/cancel"),
            None,
        )
        .await;
        answers.push([created, read, cancelled]);
    }

    let (reference, others) = answers.split_first().unwrap();
    for (account, answer) in accounts[1..].iter().zip(others) {
        for ((status, body), (ref_status, ref_body)) in answer.iter().zip(reference) {
            assert_eq!(status, ref_status, "{account}");
            assert_eq!(
                shape(body),
                shape(ref_body),
                "{account}: {body} vs {ref_body}"
            );
            for field in ["status", "total", "currency", "paid_amount", "order_ref"] {
                assert_eq!(body[field], ref_body[field], "{account}: {field}");
            }
            let ttl =
                |b: &Value| b["expires_at"].as_i64().unwrap() - b["created_at"].as_i64().unwrap();
            assert_eq!(ttl(body), ttl(ref_body), "{account}");
        }
    }
    assert_eq!(reference[0].0, 201);
    assert_eq!(reference[2].1["status"], "CANCELLED");
    assert_eq!(h.admin.ledger().await.unwrap().entries.len(), ledger_before);
    assert_eq!(h.balance_of(&known.email).await?, eur("200.00"));
    Ok(())
}

/// The JSON's structure: keys and the type of every value, not the values.
fn shape(value: &Value) -> Value {
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) => "bool".into(),
        Value::Number(_) => "number".into(),
        Value::String(_) => "string".into(),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), shape(value)))
                .collect(),
        ),
    }
}
