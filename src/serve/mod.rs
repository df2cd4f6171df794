//! `tokenctl serve`: the Bearer check over HTTP for reverse proxies, on hyper's HTTP/1
//! server in a tokio runtime that only this command builds (verify never starts it).

mod http;
mod metrics;
mod net;
mod pool;
mod reader;

use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use anyhow::{Context as _, Result};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
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
/// An answer the client does not read (a pipelining client that never reads fills the
/// socket's buffers) is given this long to drain, then the connection is closed: the header
/// timeout does not run while the server waits to write.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// File descriptors kept for everything but connections: listeners, the runtime, the
/// database's files or sockets (a reconnect needs one).
const FD_RESERVE: usize = 64;
/// A Unix socket's mode: serve's user and group (put the proxy's user in the group).
const SOCKET_MODE: u32 = 0o660;

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
    crate::store::long_lived();
    drop(Store::open(&config.db, Access::ReadWrite)?);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| fail(Kind::Io, format!("cannot start the HTTP server ({e})")))?;
    let max_connections = connection_budget(config.max_connections);
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
        max_connections,
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
    let stopped = shutdown_signal()?;
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
            let l = bind_unix(path).with_context(|| {
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
    stopped.await;
    eprintln!("tokenctl serve: stopping");
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
    if let Ok(graceful) = Arc::try_unwrap(graceful) {
        let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
    }
    Ok(())
}

/// Installs the handlers now (a SIGTERM sent as soon as the ready line is read must stop
/// serve cleanly, not kill it); the future ends at the first SIGTERM or SIGINT.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
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
        .serve_connection(TokioIo::new(WriteDeadline::new(stream)), service);
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

/// The socket is made under a umask that leaves it 0600 (other threads making files
/// meanwhile get no more than that either), then opened to the group: never, even for an
/// instant, what the caller's umask (0777 under umask 000) would give.
fn bind_unix(path: &std::path::Path) -> std::io::Result<UnixListener> {
    use nix::sys::stat::{Mode, umask};
    use std::os::unix::fs::PermissionsExt as _;
    let old = umask(Mode::from_bits_truncate(0o177));
    let bound = UnixListener::bind(path);
    umask(old);
    let l = bound?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(SOCKET_MODE))?;
    Ok(l)
}

/// How many connections fit the open-file limit: the soft limit is raised to the hard one
/// (systemd's soft default, 1024, is --max-connections' default), and a limit that still
/// does not leave FD_RESERVE descriptors free is lowered, so that accept() never runs out
/// of descriptors before the connection limit applies.
fn connection_budget(asked: usize) -> usize {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return asked;
    };
    // Linux refuses a soft limit above fs.nr_open (2^20 by default), RLIM_INFINITY too.
    let wanted = hard.min(1 << 20);
    let soft = if wanted > soft && setrlimit(Resource::RLIMIT_NOFILE, wanted, hard).is_ok() {
        wanted
    } else {
        soft
    };
    let fit = usize::try_from(soft)
        .unwrap_or(usize::MAX)
        .saturating_sub(FD_RESERVE)
        .max(1);
    if asked > fit {
        eprintln!(
            "tokenctl serve: --max-connections {asked} lowered to {fit}: the open-file limit is {soft} (raise it, e.g. LimitNOFILE= in the systemd unit)"
        );
        return fit;
    }
    asked
}

/// A connection's stream with a bound on how long one write may wait for the client to
/// read (WRITE_TIMEOUT); then the write fails and hyper closes the connection.
struct WriteDeadline<S> {
    io: S,
    timer: Pin<Box<tokio::time::Sleep>>,
    waiting: bool,
}

impl<S> WriteDeadline<S> {
    fn new(io: S) -> Self {
        WriteDeadline {
            io,
            timer: Box::pin(tokio::time::sleep(WRITE_TIMEOUT)),
            waiting: false,
        }
    }

    /// What a write that returned `polled` means under the deadline.
    fn judge<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<std::io::Result<T>>,
    ) -> Poll<std::io::Result<T>> {
        if polled.is_ready() {
            self.waiting = false;
            return polled;
        }
        if !self.waiting {
            self.waiting = true;
            self.timer
                .as_mut()
                .reset(tokio::time::Instant::now() + WRITE_TIMEOUT);
        }
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client did not read its answer",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteDeadline<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write(cx, buf);
        self.judge(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.judge(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let polled = Pin::new(&mut self.io).poll_flush(cx);
        self.judge(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let polled = Pin::new(&mut self.io).poll_shutdown(cx);
        self.judge(cx, polled)
    }
}
