//! `tokenctl serve`: the Bearer check over HTTP for reverse proxies, on hyper's HTTP/1
//! server in a tokio runtime that only this command builds (verify never starts it).

mod http;
mod metrics;
mod net;
mod pool;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::{Semaphore, watch};

pub use net::{Listen, TrustedNet};
use pool::{Clock, Pool};

use crate::error::{Kind, fail};
use crate::store::{Access, Store, Target};

/// Header bytes a request may send (hyper's smallest buffer); more is answered 431.
const MAX_HEADERS: usize = 8 * 1024;
/// A request's headers must arrive within this, and an idle keep-alive connection is
/// closed after it: a slowloris client holds a connection slot this long at most.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections still open at shutdown get this long to finish their request.
const DRAIN: Duration = Duration::from_secs(5);

pub struct Config {
    pub db: Target,
    pub clock: Clock,
    pub listen: Listen,
    pub metrics: Option<std::net::SocketAddr>,
    pub trust: Vec<TrustedNet>,
    pub max_connections: usize,
    pub log_requests: bool,
    /// How long a request waits for the database before it answers 503.
    pub db_timeout: Duration,
}

/// What every request handler shares.
pub struct State {
    pool: Pool,
    metrics: Arc<metrics::Metrics>,
    trust: Vec<TrustedNet>,
    log_requests: bool,
    clock: Arc<Clock>,
    db_timeout: Duration,
}

pub fn run(config: Config) -> Result<()> {
    // Fail at start, with the store's own message, on a database that is missing, foreign
    // or not ours; once running, a database that goes away only gives 503s.
    drop(Store::open(&config.db, Access::ReadWrite)?);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| fail(Kind::Io, format!("cannot start the HTTP server ({e})")))?;
    let clock = Arc::new(config.clock);
    let metrics = Arc::new(metrics::Metrics::default());
    let pool = Pool::start(
        &config.db,
        clock.clone(),
        2,
        metrics.clone(),
        config.db_timeout,
    );
    let state = Arc::new(State {
        pool,
        metrics,
        trust: config.trust,
        log_requests: config.log_requests,
        clock,
        db_timeout: config.db_timeout,
    });
    let served = rt.block_on(serve(
        state.clone(),
        &config.listen,
        config.metrics,
        config.max_connections,
    ));
    drop(rt);
    // Every connection is closed: the workers are idle and hold the last counts.
    let state = Arc::try_unwrap(state)
        .map_err(|_| anyhow::anyhow!("serve: a request outlived shutdown"))?;
    let left = state.pool.shutdown();
    if let Listen::Unix(path) = &config.listen {
        let _ = std::fs::remove_file(path);
    }
    served?;
    if left > 0 {
        return Err(fail(
            Kind::Unreachable,
            format!(
                "the database did not answer at shutdown: {left} usage tallies (uses and failures) were not recorded"
            ),
        ));
    }
    eprintln!("tokenctl serve: stopped, usage flushed");
    Ok(())
}

async fn serve(
    state: Arc<State>,
    listen: &Listen,
    metrics: Option<std::net::SocketAddr>,
    max_connections: usize,
) -> Result<()> {
    let (stop_tx, stop) = watch::channel(false);
    let graceful = Arc::new(GracefulShutdown::new());
    let limit = Arc::new(Semaphore::new(max_connections));
    let mut tasks = tokio::task::JoinSet::new();
    let where_ = match listen {
        Listen::Tcp(addr) => {
            let l = TcpListener::bind(addr)
                .await
                .with_context(|| format!("--listen {addr}: cannot listen there"))?;
            let at = l.local_addr().map_or(addr.to_string(), |a| a.to_string());
            tasks.spawn(accept_tcp(
                l,
                state.clone(),
                graceful.clone(),
                limit.clone(),
                stop.clone(),
                false,
            ));
            at
        }
        Listen::Unix(path) => {
            // A socket left by a server that was killed; anything else is not ours to remove.
            if std::fs::symlink_metadata(path).is_ok_and(|m| {
                use std::os::unix::fs::FileTypeExt as _;
                m.file_type().is_socket()
            }) {
                let _ = std::fs::remove_file(path);
            }
            let l = UnixListener::bind(path).with_context(|| {
                format!("--listen unix:{}: cannot listen there", path.display())
            })?;
            tasks.spawn(accept_unix(
                l,
                state.clone(),
                graceful.clone(),
                limit.clone(),
                stop.clone(),
            ));
            format!("unix:{}", path.display())
        }
    };
    let metrics_at = match metrics {
        None => None,
        Some(addr) => {
            let l = TcpListener::bind(addr)
                .await
                .with_context(|| format!("--metrics-listen {addr}: cannot listen there"))?;
            let at = l.local_addr().map_or(addr.to_string(), |a| a.to_string());
            tasks.spawn(accept_tcp(
                l,
                state.clone(),
                graceful.clone(),
                limit.clone(),
                stop.clone(),
                true,
            ));
            Some(at)
        }
    };
    // The ready line: tests and scripts read the address (with port 0, the one chosen).
    match &metrics_at {
        Some(m) => eprintln!("tokenctl serve: listening on {where_} (metrics on {m})"),
        None => eprintln!("tokenctl serve: listening on {where_}"),
    }
    notify_ready();
    shutdown_signal().await?;
    eprintln!("tokenctl serve: stopping");
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
    if let Ok(graceful) = Arc::try_unwrap(graceful) {
        let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
    }
    Ok(())
}

async fn shutdown_signal() -> Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    Ok(())
}

async fn accept_tcp(
    l: TcpListener,
    state: Arc<State>,
    graceful: Arc<GracefulShutdown>,
    limit: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
    metrics_page: bool,
) {
    loop {
        let Ok(permit) = limit.clone().acquire_owned().await else {
            return;
        };
        let accepted = tokio::select! {
            a = l.accept() => a,
            _ = stop.changed() => return,
        };
        match accepted {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                let peer = Some(peer.ip());
                connection(stream, peer, &state, &graceful, permit, metrics_page);
            }
            // Out of file descriptors, or a connection reset before accept: keep going.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

async fn accept_unix(
    l: UnixListener,
    state: Arc<State>,
    graceful: Arc<GracefulShutdown>,
    limit: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let Ok(permit) = limit.clone().acquire_owned().await else {
            return;
        };
        let accepted = tokio::select! {
            a = l.accept() => a,
            _ = stop.changed() => return,
        };
        match accepted {
            Ok((stream, _)) => connection(stream, None, &state, &graceful, permit, false),
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

fn connection<S>(
    stream: S,
    peer: Option<IpAddr>,
    state: &Arc<State>,
    graceful: &GracefulShutdown,
    permit: tokio::sync::OwnedSemaphorePermit,
    metrics_page: bool,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let state = state.clone();
    let service = service_fn(move |req| {
        let state = state.clone();
        async move {
            if metrics_page {
                http::metrics(state, req).await
            } else {
                http::handle(state, peer, req).await
            }
        }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(MAX_HEADERS)
        .serve_connection(TokioIo::new(stream), service);
    let conn = graceful.watch(conn);
    tokio::spawn(async move {
        // A broken or timed-out connection is the client's business, not a log line each.
        let _ = conn.await;
        drop(permit);
    });
}

/// systemd's readiness notification (sd_notify READY=1) when started as Type=notify.
fn notify_ready() {
    use std::os::unix::net::UnixDatagram;
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    let Ok(sock) = UnixDatagram::unbound() else {
        return;
    };
    let bytes = path.as_encoded_bytes();
    let sent = if let Some(name) = bytes.strip_prefix(b"@") {
        use std::os::linux::net::SocketAddrExt as _;
        std::os::unix::net::SocketAddr::from_abstract_name(name)
            .and_then(|addr| sock.send_to_addr(b"READY=1", &addr))
    } else {
        sock.send_to(b"READY=1", &path)
    };
    if let Err(e) = sent {
        eprintln!("tokenctl serve: cannot notify systemd ({e})");
    }
}
