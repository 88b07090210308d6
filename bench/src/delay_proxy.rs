//! A TCP relay on 127.0.0.1 that models a network path with latency: every chunk read
//! in either direction is written to the other side `one_way` later, in order. Linux
//! netem is not available on these machines, so the round trips of TCP, TLS and HTTP
//! are modelled in user space.
//!
//! The TCP handshake is modelled too. The kernel completes a loopback connect at once,
//! whereas over a real path the client can send its first byte one round trip after
//! `connect` (SYN, SYN-ACK). So the relay treats a connection as established one round
//! trip after it accepted it: the client's bytes read before that leave at
//! `accepted + RTT`, and arrive at the server `one_way` after, exactly when they would
//! have after a real handshake.
//!
//! Bandwidth is not modelled (a chunk is held, not slowed): the requests of figure 1c
//! are a few kB, within TCP's initial window.
//!
//! Each direction of a connection is two threads, one reading and one writing, that
//! sleep with the kernel's timer: tokio's rounds every deadline up to the next
//! millisecond, which made a 50 ms round trip take 53 ms.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// A running relay; dropping it stops accepting (open connections run to their end).
pub struct DelayProxy {
    pub addr: SocketAddr,
    stopped: Arc<AtomicBool>,
}

impl DelayProxy {
    /// Listens on a free port of 127.0.0.1 and relays every connection to `upstream`,
    /// each chunk held `one_way` in each direction.
    pub fn start(upstream: SocketAddr, one_way: Duration) -> Result<DelayProxy> {
        let listener =
            TcpListener::bind("127.0.0.1:0").context("the delaying relay cannot listen")?;
        let addr = listener.local_addr()?;
        let stopped = Arc::new(AtomicBool::new(false));
        let stop = stopped.clone();
        thread::Builder::new()
            .name("relay-accept".into())
            .spawn(move || {
                for client in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    if let Ok(client) = client {
                        thread::spawn(move || relay(client, upstream, one_way));
                    }
                }
            })?;
        Ok(DelayProxy { addr, stopped })
    }
}

impl Drop for DelayProxy {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Wake the accepting thread up so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// One connection: the client's side and the server's, each direction delayed.
fn relay(client: TcpStream, upstream: SocketAddr, one_way: Duration) {
    let established = Instant::now() + 2 * one_way;
    let Ok(server) = TcpStream::connect(upstream) else {
        return;
    };
    let (Ok(client_out), Ok(server_out)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    for socket in [&client, &server] {
        let _ = socket.set_nodelay(true);
    }
    let upward = thread::spawn(move || delayed_copy(client, server_out, one_way, established));
    delayed_copy(server, client_out, one_way, Instant::now());
    let _ = upward.join();
}

/// Copies `from` to `to`, each chunk written `hold` after it was read (or after
/// `not_before`, when read earlier), in the order read; then closes `to`'s write side.
fn delayed_copy(mut from: TcpStream, mut to: TcpStream, hold: Duration, not_before: Instant) {
    let (chunks, due) = mpsc::channel::<(Instant, Vec<u8>)>();
    let writer = thread::spawn(move || {
        for (at, chunk) in due {
            thread::sleep(at.saturating_duration_since(Instant::now()));
            if to.write_all(&chunk).is_err() {
                return;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
    let mut buffer = vec![0; 64 * 1024];
    while let Ok(read @ 1..) = from.read(&mut buffer) {
        let at = Instant::now().max(not_before) + hold;
        if chunks.send((at, buffer[..read].to_vec())).is_err() {
            break;
        }
    }
    drop(chunks);
    let _ = writer.join();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An echo server on 127.0.0.1: every connection gets its bytes back.
    fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            for socket in listener.incoming().flatten() {
                thread::spawn(move || {
                    let mut write = socket.try_clone().unwrap();
                    let _ = std::io::copy(&mut &socket, &mut write);
                });
            }
        });
        addr
    }

    /// Bytes come back whole and in order, and never before the handshake's round trip
    /// and the request's (a lower bound: holding cannot make anything faster).
    #[test]
    fn chunks_arrive_in_order_and_not_before_their_round_trips() {
        let one_way = Duration::from_millis(5);
        let proxy = DelayProxy::start(echo_server(), one_way).unwrap();
        let start = Instant::now();
        let mut socket = TcpStream::connect(proxy.addr).unwrap();
        socket.set_nodelay(true).unwrap();
        let sent: Vec<u8> = (0..200u32).flat_map(|i| i.to_be_bytes()).collect();
        for chunk in sent.chunks(8) {
            socket.write_all(chunk).unwrap();
        }
        socket.shutdown(Shutdown::Write).unwrap();
        let mut echoed = Vec::new();
        socket.read_to_end(&mut echoed).unwrap();
        assert_eq!(echoed, sent);
        assert!(start.elapsed() >= 4 * one_way, "{:?}", start.elapsed());
    }
}
