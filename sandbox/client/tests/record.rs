//! The recorder keeps every answer byte for byte, with the request it answers, for
//! successes and protocol errors alike. A canned HTTP/1.1 server on a thread stands in
//! for the sandbox, so that this crate's tests need no server crate.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;

use cvconnect_core::amount::Amount;
use cvconnect_sandbox_client::{
    http_client, AdminClient, Answer, BeneficiaryClient, MerchantClient, Recorder,
};
use reqwest::Method;

/// Serves `answers` in order, one connection each, and returns the request lines seen.
fn canned_server(answers: Vec<(u16, &'static str)>) -> (String, JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for (status, body) in answers {
            let (stream, _) = listener.accept().expect("accept");
            let mut reader = BufReader::new(stream);
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            seen.push(request_line.trim_end().to_owned());
            let mut length = 0;
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                if header.trim_end().is_empty() {
                    break;
                }
                if let Some((name, value)) = header.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().unwrap();
                    }
                }
            }
            reader.read_exact(&mut vec![0; length]).unwrap();
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            reader.get_mut().write_all(answer.as_bytes()).unwrap();
        }
        seen
    });
    (base, server)
}

const PAYMENT: &str = r#"{"id":"pay_1","status":"PENDING","total":"150.00","currency":"EUR","paid_amount":null,"remaining_amount":null,"order_ref":null,"created_at":1,"expires_at":181}"#;
const NOT_FOUND: &str = r#"{"error":{"code":"not_found","message":"Élément introuvable."}}"#;
const LIST: &str = r#"{"payments":[]}"#;

fn answer(method: Method, path: &str, status: u16, body: &str) -> Answer {
    Answer {
        method,
        path: path.into(),
        status,
        body: body.as_bytes().to_vec(),
    }
}

#[tokio::test]
async fn answers_are_recorded_byte_for_byte_in_order() {
    let (base, server) = canned_server(vec![(201, PAYMENT), (404, NOT_FOUND), (200, LIST)]);
    let recorder = Recorder::new();
    let merchant = MerchantClient::new(http_client(), &base, "mk_test").recorded_by(&recorder);
    let phone = BeneficiaryClient::new(http_client(), &base).recorded_by(&recorder);

    let created = merchant
        .create_payment("a@example.fr", Amount::from_cents(15000), None)
        .await
        .expect("created");
    assert_eq!(created.id, "pay_1");
    let missing = merchant.payment("pay_unknown").await.unwrap_err();
    assert_eq!(missing.code_text(), Some("not_found"));
    phone.payments("tok", true).await.expect("a list");

    assert_eq!(
        recorder.take(),
        vec![
            answer(Method::POST, "/v1/merchant/payment-requests", 201, PAYMENT),
            answer(
                Method::GET,
                "/v1/merchant/payment-requests/pay_unknown",
                404,
                NOT_FOUND
            ),
            answer(Method::GET, "/v1/payments?status=pending", 200, LIST),
        ]
    );
    assert_eq!(recorder.take(), Vec::new(), "take empties the record");
    assert_eq!(
        server.join().unwrap(),
        [
            "POST /v1/merchant/payment-requests HTTP/1.1",
            "GET /v1/merchant/payment-requests/pay_unknown HTTP/1.1",
            "GET /v1/payments?status=pending HTTP/1.1",
        ]
    );
}

#[tokio::test]
async fn answers_that_do_not_decode_are_recorded_too_and_unrecorded_clients_keep_nothing() {
    let (base, server) = canned_server(vec![(200, "not json"), (200, "not json")]);
    let recorder = Recorder::new();
    let recorded = AdminClient::new(http_client(), &base, "admin").recorded_by(&recorder);
    let unrecorded = AdminClient::new(http_client(), &base, "admin");

    let error = recorded.ledger().await.unwrap_err();
    assert_eq!(error.status(), Some(200));
    unrecorded.ledger().await.unwrap_err();

    assert_eq!(
        recorder.take(),
        vec![answer(Method::GET, "/admin/ledger", 200, "not json")]
    );
    server.join().unwrap();
}
