//! The accept loop: HTTP/1.1 with hyper, under limits that keep one client
//! from starving the others.
//!
//! * A client must send a request's headers within the header timeout
//!   ([`ServerLimits::header_read_timeout`], hyper's own timer): a
//!   slow-loris client that never finishes them, or a keep-alive connection
//!   idle that long, is closed.
//! * At most [`ServerLimits::max_connections`] connections are served at
//!   once; beyond, new connections wait in the listen backlog until one
//!   closes (they are not refused).
//! * A request body must arrive within [`crate::server::BODY_READ_TIMEOUT`]
//!   (408, in the server).
//!
//! There is no timeout on answering: latency faults delay answers on
//! purpose, longer than clients' timeouts.
//!
//! `axum::serve` sets no timer, so it has no header timeout; this loop is
//! its equivalent with one (HTTP/1 only: Aiven's clients speak HTTP/1.1).

use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Semaphore};

/// Connection limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerLimits {
    /// Time allowed to send a request's headers, counted from the
    /// connection's start or the end of the previous answer.
    pub header_read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for ServerLimits {
    /// 10 s for headers (hyper's default is 30 s; any client sends its
    /// headers at once), 512 connections.
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 512,
        }
    }
}

/// Serves `app` until `stop` fires, then waits for the connections in
/// flight to finish their current request.
pub(crate) async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: ServerLimits,
    mut stop: oneshot::Receiver<()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    loop {
        let slot = tokio::select! {
            _ = &mut stop => break,
            s = slots.clone().acquire_owned() => s.expect("the semaphore is never closed"),
        };
        let stream = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let conn =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection closed");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
