//! `cfn proxy`: the hostname proxy in the foreground, `cfn proxy start|stop` in the background,
//! and `cfn proxy status`.

use crate::context::Context;
use crate::proxy::background::{self, Started, Stopped};
use crate::proxy::{self, Route};
use anyhow::Result;
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<ProxyCommand>,
    /// Port to listen on (default: `[proxy] port` of the repository you are in, else 7355).
    #[arg(long)]
    port: Option<u16>,
    /// Address to listen on (anything but loopback lets other machines reach your branches)
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Run as the background proxy of `cfn proxy start` (which passes it).
    #[arg(long, hide = true)]
    detached: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum ProxyCommand {
    /// Whether a proxy answers on the port (and the background one runs), and the routes.
    Status(StatusArgs),
    /// Start the proxy in the background (output in $CFN_HOME/proxy.log); a no-op if it runs.
    Start(StartArgs),
    /// Stop the background proxy.
    Stop,
}

#[derive(Debug, clap::Args)]
pub struct StartArgs {
    /// Port to listen on (default: `[proxy] port` of the repository you are in, else 7355).
    #[arg(long)]
    port: Option<u16>,
    /// Address to listen on (anything but loopback lets other machines reach your branches)
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The proxy's port (default: `[proxy] port` of the repository you are in, else 7355).
    #[arg(long)]
    port: Option<u16>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    match args.command {
        Some(ProxyCommand::Status(status_args)) => status(ctx, status_args),
        Some(ProxyCommand::Start(start_args)) => start(ctx, start_args),
        Some(ProxyCommand::Stop) => stop(ctx),
        None => serve(ctx, args.port, args.bind, args.detached),
    }
}

fn serve(ctx: &Context, port: Option<u16>, bind: IpAddr, detached: bool) -> Result<()> {
    let port = port.unwrap_or_else(|| configured_port(ctx));
    warn_if_wide(ctx, bind);
    let addr = SocketAddr::new(bind, port);
    let listener = std::net::TcpListener::bind(addr).map_err(|e| background::listen_error(addr, e))?;
    let routes = proxy::RouteCache::open(&ctx.home)?.routes();
    if detached {
        background::record_self(&ctx.home, port, bind)?;
        ctx.say(format!(
            "cfn proxy on http://{addr} with {} routes; `cfn proxy stop` stops it",
            routes.len()
        ));
    } else {
        ctx.say(format!("cfn proxy on http://{addr} with {} routes; Ctrl-C stops it", routes.len()));
    }
    for route in routes.iter() {
        ctx.say(format!(
            "  {} -> {} ({} {})",
            proxy::host_url(&route.host, port, false),
            route.port,
            route.project,
            route.branch
        ));
    }
    let served = proxy::serve_blocking(proxy::ServeOptions { listener, home: ctx.home.clone(), detached });
    if detached {
        background::forget_self(&ctx.home);
    }
    served
}

fn warn_if_wide(ctx: &Context, bind: IpAddr) {
    if !bind.is_loopback() {
        ctx.warn(format!(
            "listening on {bind}, not loopback: anyone who can reach this machine reaches every branch's services"
        ));
    }
}

fn start(ctx: &Context, args: StartArgs) -> Result<()> {
    let port = args.port.unwrap_or_else(|| configured_port(ctx));
    warn_if_wide(ctx, args.bind);
    match background::start(&ctx.home, port, args.bind)? {
        Started::Already(running) => ctx.say(format!(
            "the background proxy already runs on http://{} (pid {}): nothing to do{}",
            running.addr(),
            running.pid,
            if running.port == port {
                String::new()
            } else {
                format!(" (`cfn proxy stop` first to move it to port {port})")
            }
        )),
        Started::New(running) => ctx.say(format!(
            "started the proxy in the background on http://{} (pid {}; output in {})",
            running.addr(),
            running.pid,
            background::log_path(&ctx.home).display()
        )),
    }
    Ok(())
}

fn stop(ctx: &Context) -> Result<()> {
    match background::stop(&ctx.home)? {
        Stopped::NotRunning => ctx.say("no background proxy runs: nothing to stop"),
        Stopped::Stopped { running, killed } => ctx.say(format!(
            "stopped the background proxy (pid {}, port {}){}",
            running.pid,
            running.port,
            if killed { " with SIGKILL: it did not end on SIGTERM" } else { "" }
        )),
    }
    Ok(())
}

/// `[proxy] port` of the repository `cfn` runs in, else the default.
fn configured_port(ctx: &Context) -> u16 {
    crate::git::discover(&ctx.cwd)
        .ok()
        .and_then(|checkout| crate::config::Config::load(&checkout.main_root).ok())
        .map_or(proxy::DEFAULT_PORT, |config| config.proxy.port)
}

#[derive(Serialize)]
struct StatusView {
    port: u16,
    running: bool,
    /// The background proxy (`cfn proxy start`), whatever port it is on.
    background: Option<background::Running>,
    routes: Vec<RouteView>,
}

#[derive(Serialize)]
struct RouteView {
    url: String,
    #[serde(flatten)]
    route: Route,
}

fn status(ctx: &Context, args: StatusArgs) -> Result<()> {
    let behind = background::running(&ctx.home)?;
    // The background proxy's port unless one is asked for: that is the proxy this user runs.
    let port = args.port.or(behind.as_ref().map(|b| b.port)).unwrap_or_else(|| configured_port(ctx));
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let running = crate::runtime::block_on(proxy::probe(addr))?;
    let state = crate::state::State::open(&ctx.home)?;
    let routes = proxy::load_routes(state.conn())?;
    let view = StatusView {
        port,
        running,
        background: behind,
        routes: routes
            .into_iter()
            .map(|route| RouteView { url: proxy::host_url(&route.host, port, false), route })
            .collect(),
    };
    if args.json {
        return crate::cli::output::json(&view);
    }
    match (&view.background, running) {
        (Some(b), _) if b.port == port => crate::cli::output::line(format_args!(
            "proxy: running in the background on {} (pid {}; `cfn proxy stop` stops it)",
            b.addr(),
            b.pid
        ))?,
        (_, true) => crate::cli::output::line(format_args!("proxy: running on {addr}"))?,
        (_, false) => crate::cli::output::line(format_args!(
            "proxy: not running on {addr} (start it with `cfn proxy start --port {port}`)"
        ))?,
    }
    if let Some(b) = view.background.as_ref().filter(|b| b.port != port) {
        crate::cli::output::line(format_args!("background proxy: running on {} (pid {})", b.addr(), b.pid))?;
    }
    let rows: Vec<Vec<String>> = view
        .routes
        .iter()
        .map(|r| {
            vec![
                r.url.clone(),
                r.route.project.clone(),
                r.route.branch.clone(),
                r.route.service.clone(),
                r.route.port.to_string(),
            ]
        })
        .collect();
    crate::cli::output::table(&["URL", "PROJECT", "BRANCH", "SERVICE", "PORT"], &rows)
}
