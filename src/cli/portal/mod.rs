//! `cfn portal`: a web page and a JSON API (REST and a WebSocket) over every branch environment
//! and loop run on this machine. Its actions call the same command functions as the CLI and
//! the MCP server (`stack::bring_up`, `stack::bring_down`, `status::views`); it never runs `cfn`.
//!
//! Security (docs/portal.md): loopback by default; a random token, written 0600 to
//! `$CFN_HOME/portal-<port>.token` and printed once in the URL, guards every `/api` and `/ws`
//! request; POSTs check `Origin`; no CORS.

mod agents;
mod api;
mod assets;
mod body;
mod checks;
mod errors;
mod guard;
mod inventory;
mod live;
mod log_follow;
mod logs;
mod loops;
mod registry_print;
mod slow_body;
mod socket;
mod system;
mod tasks;
mod token;

use crate::context::Context;
use crate::error::UserError;
use anyhow::{Context as _, Result};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// How long requests may take to finish once the portal is told to stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// What every handler shares.
pub struct Portal {
    /// Where state lives; commands run with a context standing in the branch's checkout.
    pub ctx: Context,
    pub token: token::Token,
    /// The address and port actually listened on (a `--port 0` resolved).
    pub addr: SocketAddr,
    pub live: live::Live,
    /// Each worktree's last health-check run through the portal.
    pub checks: checks::LastChecks,
}

pub type Shared = Arc<Portal>;

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(ctx: &Context, bind: IpAddr, port: u16) -> Result<()> {
    // The state directory exists (0700) before the token is written into it.
    crate::state::State::open(&ctx.home)?;
    let wanted = SocketAddr::new(bind, port);
    let listener = std::net::TcpListener::bind(wanted).map_err(|e| bind_error(wanted, e))?;
    listener.set_nonblocking(true).context("cannot set up the listening socket")?;
    let addr = listener.local_addr().context("cannot read the listening address")?;
    if !bind.is_loopback() {
        ctx.warn(format!(
            "listening on {bind}, not loopback: anyone who can reach this machine and has the token \
             can start and stop every branch's stack"
        ));
    }
    let (token, _token_files) = token::Token::create(&ctx.home, addr.port())?;
    // Nothing the portal runs may prompt on the terminal it was started from (a trust prompt
    // would hang a request): what is not trusted is refused, as for a script.
    detach_stdin()?;
    let quiet = Context { quiet: true, ..ctx.clone() };
    let served = async move {
        let listener = tokio::net::TcpListener::from_std(listener).context("cannot listen")?;
        let live = live::Live::start(quiet.clone());
        let portal = Arc::new(Portal { ctx: quiet, token, addr, live, checks: Default::default() });
        let url = format!("http://{}/?token={}", url_authority(addr), portal.token.reveal());
        crate::cli::output::line(format_args!("{url}"))?;
        ctx.say(format!(
            "cfn portal on http://{}; the token is in {}; Ctrl-C stops it",
            url_authority(addr),
            token::path_for(&ctx.home, addr.port()).display()
        ));
        let app = api::router(portal.clone());
        let (stop, stopping) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            stopped().await;
            let _ = stop.send(true);
        });
        let mut graceful = stopping.clone();
        let mut grace = stopping;
        let serving = accept(listener, app, async move {
            let _ = graceful.wait_for(|s| *s).await;
        });
        // Graceful shutdown waits for every request in flight, and an `up` may wait minutes
        // for its stack: requests get a moment to finish, then the portal stops regardless.
        tokio::select! {
            served = serving => served.context("the portal failed")?,
            _ = async {
                let _ = grace.wait_for(|s| *s).await;
                tokio::time::sleep(SHUTDOWN_GRACE).await;
            } => {}
        }
        anyhow::Ok(())
    };
    // An `up` still running on the blocking pool is abandoned when the command's runtime ends,
    // as Ctrl-C abandons `cfn up` (`runtime::run`).
    served.await
}

/// How long a client may take to send its request headers: one that sends part of them and
/// stops (thousands of them, slowloris style) is cut off instead of holding a connection and its
/// memory for ever.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The most connections served at once; further clients wait to be accepted, so the portal never
/// runs out of file descriptors for the ones it serves.
const MAX_CONNECTIONS: usize = 1024;

/// Serves `app` on `listener` until `stop` completes (connections in flight go on, see
/// [`SHUTDOWN_GRACE`]).
async fn accept(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    stop: impl std::future::Future<Output = ()>,
) -> Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    tokio::pin!(stop);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.context("the connection limit closed")?,
            _ = &mut stop => return Ok(()),
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: that connection is lost, not the portal.
                Err(_) => continue,
            },
            _ = &mut stop => return Ok(()),
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            builder.http1().timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
            // A client that goes away mid-request ends its connection; nothing to report.
            let _ = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).await;
            drop(slot);
        });
    }
}

/// `127.0.0.1:7356`, `[::1]:7356`; an unspecified bind address is shown as loopback, which is
/// where the person who started it reaches it.
fn url_authority(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port()).to_string()
}

fn detach_stdin() -> Result<()> {
    use std::os::fd::AsFd as _;
    let null = std::fs::File::open("/dev/null").context("cannot open /dev/null")?;
    rustix::stdio::dup2_stdin(null.as_fd()).context("cannot detach stdin")?;
    Ok(())
}

async fn stopped() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let term = async {
        match term.as_mut() {
            Some(t) => {
                t.recv().await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

fn bind_error(addr: SocketAddr, e: std::io::Error) -> anyhow::Error {
    let hint = match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "another program listens on port {}: stop it, or pick another port with `--port`",
            addr.port()
        ),
        std::io::ErrorKind::PermissionDenied => {
            "ports below 1024 need privileges: pick one above with `--port`".into()
        }
        _ => "pass `--bind` an address of this machine (127.0.0.1 by default)".into(),
    };
    UserError::new(format!("cannot listen on {addr}: {e}")).hint(hint).into()
}
