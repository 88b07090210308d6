//! Issue 15, item 5: a request head or body that stops arriving closes the connection
//! within the configured time, and connections beyond the bound wait.
//!
//! Raw TCP on 127.0.0.1. Every wait has a deadline far above the configured timeout;
//! no sleep synchronises anything.

mod common;

use std::time::Duration;

use common::*;
use cvconnect_sandbox::ConnectionLimits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Far above every timeout configured here: reaching it is a failure.
const DEADLINE: Duration = Duration::from_secs(20);

async fn start_with_limits(connections: ConnectionLimits) -> World {
    start_changed(|config| config.connections = connections).await
}

async fn connect(world: &World, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(world.sandbox().unwrap().local_addr())
        .await
        .unwrap();
    stream.write_all(bytes).await.unwrap();
    stream
}

/// Reads until the server closes the connection (or resets it); what it sent before.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let closed = tokio::time::timeout(DEADLINE, async {
        let mut buf = [0u8; 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "still open after {DEADLINE:?}");
    received
}

fn short(header_ms: u64, body_ms: u64, max_connections: usize) -> ConnectionLimits {
    ConnectionLimits {
        header_timeout: Duration::from_millis(header_ms),
        body_timeout: Duration::from_millis(body_ms),
        max_connections,
    }
}

#[tokio::test]
async fn a_request_line_and_one_header_then_silence_is_closed() {
    let world = start_with_limits(short(300, 30_000, 64)).await;
    let mut stream = connect(&world, b"GET /healthz HTTP/1.1\r\nHost: sandbox\r\n").await;
    let received = read_until_closed(&mut stream).await;
    // Closed without an answer to the request it never finished.
    assert!(!received.starts_with(b"HTTP/1.1 200"), "{received:?}");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let world = start_with_limits(short(300, 30_000, 64)).await;
    let mut stream = connect(
        &world,
        b"GET /healthz HTTP/1.1\r\nHost: sandbox\r\nConnection: keep-alive\r\n\r\n",
    )
    .await;
    let received = read_until_closed(&mut stream).await;
    assert!(received.starts_with(b"HTTP/1.1 200"), "{received:?}");
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_answered_408_and_closed() {
    let world = start_with_limits(short(30_000, 300, 64)).await;
    let head = format!(
        "POST /v1/merchant/payment-requests HTTP/1.1\r\nHost: sandbox\r\n\
         Authorization: Bearer {DEMO_MERCHANT_KEY}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"account\":"
    );
    let mut stream = connect(&world, head.as_bytes()).await;
    let received = String::from_utf8_lossy(&read_until_closed(&mut stream).await).into_owned();
    assert!(received.starts_with("HTTP/1.1 408"), "{received}");
    assert!(received.contains("bad_request"), "{received}");
}

#[tokio::test]
async fn connections_beyond_the_bound_wait_for_a_free_slot() {
    let world = start_with_limits(short(30_000, 30_000, 2)).await;
    let partial = b"GET /healthz HTTP/1.1\r\nHost: sandbox\r\n";
    let first = connect(&world, partial).await;
    let _second = connect(&world, partial).await;
    let mut third = connect(
        &world,
        b"GET /healthz HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n",
    )
    .await;
    // Both slots are held: the third is not served (a bounded wait for nothing).
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(300), third.read(&mut buf)).await;
    assert!(early.is_err(), "served beyond the bound: {early:?}");
    // A slot frees up: the third is served.
    drop(first);
    let received = read_until_closed(&mut third).await;
    assert!(received.starts_with(b"HTTP/1.1 200"), "{received:?}");
}
