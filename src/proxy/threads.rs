//! How the proxy uses the machine's cores: one thread per core (at most [`MAX_THREADS`]), each
//! with a single-threaded runtime of its own accepting on a listening socket of its own, all on
//! the one address ([`super::listeners`]). A client's
//! connection, its requests and the upstream connection they go out on all live on one thread,
//! so forwarding a request wakes no other thread (a work-stealing runtime moved them between
//! threads, which cost more than it gave on a kept-alive connection); several clients still
//! spread over the cores. The route table is shared ([`RouteCache`]).

use super::routes::RouteCache;
use super::server::{accept_loop, Proxy};
use anyhow::Result;
use std::sync::Arc;

/// The most threads the proxy gets: forwarding is cheap, and the branches' servers need cores.
const MAX_THREADS: usize = 4;

pub struct ServeOptions {
    /// A plain socket bound to the address: proof that it is free (see [`super::listeners`]).
    pub listener: super::listeners::Probe,
    pub home: std::path::PathBuf,
    /// Started by `cfn proxy start`: SIGHUP does not stop it.
    pub detached: bool,
    /// HTTPS too, with the local CA's certificates ([`super::tls::server_config`]).
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

/// Serves until SIGINT or SIGTERM (a detached proxy also outlives SIGHUP, the end of the
/// terminal that started it).
pub fn serve_blocking(options: ServeOptions) -> Result<()> {
    let routes = Arc::new(RouteCache::open(&options.home)?);
    let tls = options.tls.map(tokio_rustls::TlsAcceptor::from);
    RouteCache::watch(&routes)?;
    let mut listeners = super::listeners::bind_group(options.listener, thread_count())?;
    for listener in &listeners {
        listener.set_nonblocking(true)?;
    }
    let main_listener = listeners.remove(0);
    for (n, listener) in listeners.into_iter().enumerate() {
        let n = n + 1;
        let routes = routes.clone();
        let tls = tls.clone();
        // The main thread's end (a signal) ends the process, and these threads with it.
        std::thread::Builder::new().name(format!("cfn-proxy-{n}")).spawn(move || {
            let proxy = Arc::new(Proxy::new(routes));
            let _ = crate::runtime::run_here(accept_loop(listener, proxy, tls, std::future::pending()));
        })?;
    }
    let detached = options.detached;
    crate::runtime::run_here(async move {
        let proxy = Arc::new(Proxy::new(routes));
        let stop = until_stopped(detached)?;
        accept_loop(main_listener, proxy, tls, stop).await
    })?
}

fn thread_count() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).min(MAX_THREADS)
}

/// Completes on SIGINT or SIGTERM, and on SIGHUP unless `detached`. The handlers are in place
/// when this returns, before the first connection is accepted.
fn until_stopped(detached: bool) -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    Ok(async move {
        loop {
            tokio::select! {
                _ = interrupt.recv() => return,
                _ = term.recv() => return,
                _ = hangup.recv() => if !detached { return },
            }
        }
    })
}
