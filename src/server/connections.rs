//! Every connection the server accepts, plain or TLS, and what it may cost: a client must
//! send its request's headers within a time (which also closes a keep-alive connection
//! left idle that long), and one source address may hold only so many connections open,
//! so a few hosts cannot hold every socket the server has. An authenticated event stream
//! is a workstation doing what it should: it leaves its address's count and has no
//! deadline.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::{Extension, Router};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower_layer::Layer as _;

/// A client that opens a TLS connection and says nothing holds no handshake slot longer.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From when the server waits for a request (a new connection, or a keep-alive one
    /// after its last response) to the end of that request's headers.
    pub header_read_timeout: Duration,
    /// Connections one address may hold open at once, authenticated event streams
    /// aside; 0: no cap.
    pub per_address: usize,
    /// Loopback connections are not counted: a reverse proxy on the same host brings
    /// every client from 127.0.0.1, and limits them itself.
    pub exempt_loopback: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            per_address: 256,
            exempt_loopback: true,
        }
    }
}

type Counts = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// A connection's place in its address's count, held as long as the connection is open
/// (or until it becomes an authenticated event stream). Handlers find it in the
/// request's extensions.
#[derive(Clone)]
pub struct Ticket(Arc<Counted>);

struct Counted {
    counts: Counts,
    ip: IpAddr,
    counted: AtomicBool,
}

impl Counted {
    fn release(&self) {
        if self.counted.swap(false, Ordering::AcqRel) {
            if let Ok(mut counts) = self.counts.lock() {
                if let Some(n) = counts.get_mut(&self.ip) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        counts.remove(&self.ip);
                    }
                }
            }
        }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.release();
    }
}

impl Ticket {
    /// The connection now carries an authenticated event stream: it no longer counts
    /// against its address.
    pub fn exempt(&self) {
        self.0.release();
    }
}

struct Admission {
    counts: Counts,
    limits: Limits,
}

impl Admission {
    fn admit(&self, ip: IpAddr) -> Option<Ticket> {
        let uncounted =
            self.limits.per_address == 0 || (self.limits.exempt_loopback && ip.is_loopback());
        let counted = !uncounted;
        if counted {
            let mut counts = self.counts.lock().ok()?;
            let n = counts.entry(ip).or_insert(0);
            if *n >= self.limits.per_address {
                return None;
            }
            *n += 1;
        }
        Some(Ticket(Arc::new(Counted {
            counts: self.counts.clone(),
            ip,
            counted: AtomicBool::new(counted),
        })))
    }
}

/// Accepts until `shutdown`, then lets each connection finish what it is doing (idle
/// keep-alive connections close at once). Each connection, its TLS handshake included,
/// runs in its own task, so a slow or silent client delays nobody else.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    tokio::pin!(shutdown);
    let graceful = GracefulShutdown::new();
    let admission = Admission {
        counts: Counts::default(),
        limits,
    };
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: pass, and try again shortly.
                    tracing::warn!(error = %e, "accepting a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small writes (an event, a receipt) go out at once rather than wait for the
        // previous segment's ACK.
        let _ = tcp.set_nodelay(true);
        let Some(ticket) = admission.admit(peer.ip()) else {
            // Over its address's share: closed unanswered, before any work.
            drop(tcp);
            continue;
        };
        // As axum's own serve does with connect info: the peer (for the audit log) and the
        // ticket go into each request, wrapped around the router as one service (the
        // router's own `layer` would rebuild every route for each connection: 5,000 idle
        // streams took 400 MiB that way).
        let with_peer = Extension(ConnectInfo::<SocketAddr>(peer)).layer(app.clone());
        let service = TowerToHyperService::new(Extension(ticket).layer(with_peer));
        let watcher = graceful.watcher();
        let tls = tls.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            match tls {
                Some(acceptor) => {
                    // Plaintext, a wrong protocol or silence: the connection just closes.
                    let Ok(Ok(stream)) =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await
                    else {
                        return;
                    };
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(conn).await;
                }
                None => {
                    let conn = builder.serve_connection(TokioIo::new(tcp), service);
                    let _ = watcher.watch(conn).await;
                }
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_share_and_an_exempt_connection_leaves_it() {
        let admission = Admission {
            counts: Counts::default(),
            limits: Limits {
                per_address: 2,
                exempt_loopback: true,
                ..Limits::default()
            },
        };
        let far: IpAddr = "10.1.2.3".parse().unwrap();
        let a = admission.admit(far).unwrap();
        let b = admission.admit(far).unwrap();
        assert!(admission.admit(far).is_none(), "a third is refused");
        assert!(admission.admit("10.9.9.9".parse().unwrap()).is_some());
        a.exempt();
        let c = admission.admit(far).expect("the stream left the count");
        assert!(admission.admit(far).is_none());
        drop(b);
        assert!(admission.admit(far).is_some(), "a closed one leaves it too");
        drop(c);
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let held: Vec<_> = (0..10).filter_map(|_| admission.admit(local)).collect();
        assert_eq!(held.len(), 10, "loopback is not counted");
    }
}
