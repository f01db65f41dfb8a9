//! Accepting connections: HTTP/1.1 with a deadline for every request head, a cap on open
//! connections, and graceful shutdown. `axum::serve` has neither a header deadline nor a cap:
//! clients that sent half a header, or opened connections and sent nothing, kept their sockets
//! until the process ran out of file descriptors. TLS and HTTP/2 belong to the reverse proxy.

use axum::extract::connect_info::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

/// The answer to a connection beyond the cap: written at once, without reading the request.
const BUSY: &[u8] = "HTTP/1.1 503 Service Unavailable\r\n\
content-type: application/json; charset=utf-8\r\n\
retry-after: 1\r\n\
cache-control: no-store\r\n\
x-content-type-options: nosniff\r\n\
x-frame-options: DENY\r\n\
connection: close\r\n\
content-length: 78\r\n\r\n\
{\"error\":{\"code\":\"unavailable\",\"message\":\"服务器繁忙，请稍后再试\"}}"
    .as_bytes();
/// How long a refused connection may take to be told so before it is dropped.
const REFUSE_WITHIN: Duration = Duration::from_secs(1);
/// Pause after a failed accept (out of file descriptors, most likely) before trying again:
/// the open connections keep being served meanwhile.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What bounds connections.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnLimits {
    /// Time a client has to send a request head once the server waits for one: on a new
    /// connection, and between requests on a kept-alive one (so it is the idle timeout too).
    pub header_read_timeout: Duration,
    /// Connections open at once; further ones get a 503 and are closed.
    pub max_connections: usize,
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting, lets every
/// connection finish its in-flight request and closes idle ones.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    // `stop` tells connections to finish; every connection task holds a `done` receiver, so
    // the sender's `closed()` resolves when the last one has ended.
    let (stop_tx, stop_rx) = watch::channel(false);
    let (done_tx, done_rx) = watch::channel(());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::warn!(
                max = limits.max_connections,
                "connection refused, server full"
            );
            tokio::spawn(refuse(stream));
            continue;
        };
        let router = router.clone();
        let mut stop = stop_rx.clone();
        let done = done_rx.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                router.clone().oneshot(req)
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            let mut stopping = false;
            loop {
                tokio::select! {
                    result = conn.as_mut() => {
                        if let Err(error) = result {
                            tracing::debug!(%error, "connection ended with an error");
                        }
                        break;
                    }
                    changed = stop.changed(), if !stopping => {
                        stopping = true;
                        if changed.is_ok() {
                            conn.as_mut().graceful_shutdown();
                        }
                    }
                }
            }
            drop(permit);
            drop(done);
        });
    }
    drop(listener);
    // Nobody may be subscribed any more (no connection open): nothing to tell then.
    let _ = stop_tx.send(true);
    drop(done_rx);
    done_tx.closed().await;
    Ok(())
}

/// Tells a connection beyond the cap that the server is busy and closes it. The request is
/// read (and dropped) after the answer so that closing does not reset the connection before
/// the client has read the 503.
async fn refuse(mut stream: TcpStream) {
    let answer = async {
        stream.write_all(BUSY).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 1024];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, std::io::Error>(())
    };
    let _ = tokio::time::timeout(REFUSE_WITHIN, answer).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busy_answer_has_the_right_length() {
        let text = std::str::from_utf8(BUSY).unwrap_or_default();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or_default();
        assert!(head.ends_with(&format!("content-length: {}", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        assert_eq!(json["error"]["code"], "unavailable");
    }
}
