//! The accept loop: plain HTTP/1.1 or TLS (rustls, ring), one hyper connection per
//! client, the peer address handed to axum as `ConnectInfo`, each request run to its
//! end in a task of its own, and the connection dropped without an answer when a
//! `drop_after_commit` fault marked the response.
//!
//! Connections are bounded: at most `max_connections` at once (the next ones wait in
//! the listen backlog), a request head must arrive within `header_timeout` (which also
//! closes a keep-alive connection left idle that long), and the TLS handshake within
//! the same time. Bodies are bounded in time where they are read (`extract.rs`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::response::IntoResponse as _;
use axum::Router;
use cvconnect_core::protocol::errors::ErrorCode;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tower_service::Service as _;

use crate::config::ConnectionLimits;
use crate::error::ApiError;
use crate::faults::DropConnection;
use crate::secrets::TlsIdentity;

/// rustls server configuration for the self-signed identity (HTTP/1.1 only).
pub fn tls_config(identity: &TlsIdentity) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(identity.cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key_pkcs8_der.clone())),
        )?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Serves until `shutdown` turns true, then lets open connections finish for a short
/// grace period and aborts the rest.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    limits: ConnectionLimits,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut connections = JoinSet::new();
    loop {
        // A free slot first, then a connection: beyond the bound, peers wait.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() { break; }
                continue;
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let connection = Connection {
                        peer,
                        router: router.clone(),
                        header_timeout: limits.header_timeout,
                        shutdown: shutdown.clone(),
                    };
                    let tls = tls.clone();
                    connections.spawn(async move {
                        connection.run(stream, tls).await;
                        drop(slot);
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

/// One accepted connection, before its (optional) TLS handshake.
struct Connection {
    peer: SocketAddr,
    router: Router,
    header_timeout: Duration,
    shutdown: watch::Receiver<bool>,
}

impl Connection {
    async fn run(self, stream: tokio::net::TcpStream, tls: Option<Arc<rustls::ServerConfig>>) {
        let Some(config) = tls else {
            return self.drive(TokioIo::new(stream)).await;
        };
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        match tokio::time::timeout(self.header_timeout, acceptor.accept(stream)).await {
            Ok(Ok(stream)) => self.drive(TokioIo::new(stream)).await,
            _ => tracing::debug!(peer = %self.peer, "TLS handshake failed"),
        }
    }

    async fn drive<I>(self, io: I)
    where
        I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    {
        drive(
            io,
            self.peer,
            self.router,
            self.header_timeout,
            self.shutdown,
        )
        .await
    }
}

#[derive(Debug, thiserror::Error)]
#[error("connection dropped by an injected fault")]
struct DroppedByFault;

async fn drive<I>(
    io: I,
    peer: SocketAddr,
    router: Router,
    header_timeout: Duration,
    mut shutdown: watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let mut router = router.clone();
        async move {
            // Its own task: a request that has arrived is carried to its end even if its
            // client goes away meanwhile, as behind a load balancer. Otherwise what a
            // dying client's confirmation did would depend on whether hyper noticed the
            // closed socket before or after the transaction began.
            let response = match tokio::spawn(async move { router.call(request).await }).await {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                Err(_) => ApiError::new(ErrorCode::InternalError).into_response(),
            };
            if response.extensions().get::<DropConnection>().is_some() {
                return Err(DroppedByFault);
            }
            Ok::<_, DroppedByFault>(response)
        }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_headers(64)
        .max_buf_size(64 * 1024)
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
        }
        _ = shutdown.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}
