//! `cfn proxy`: the hostname proxy in the foreground, and `cfn proxy status`.

use crate::context::Context;
use crate::error::UserError;
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
}

#[derive(Debug, clap::Subcommand)]
pub enum ProxyCommand {
    /// Whether a proxy answers on the port, and the routes it has.
    Status(StatusArgs),
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
        None => serve(ctx, args.port, args.bind),
    }
}

fn serve(ctx: &Context, port: Option<u16>, bind: IpAddr) -> Result<()> {
    let port = port.unwrap_or_else(|| configured_port(ctx));
    if !bind.is_loopback() {
        ctx.warn(format!(
            "listening on {bind}, not loopback: anyone who can reach this machine reaches every branch's services"
        ));
    }
    let addr = SocketAddr::new(bind, port);
    let listener = std::net::TcpListener::bind(addr).map_err(|e| bind_error(addr, e))?;
    let routes = proxy::RouteCache::open(&ctx.home)?.routes();
    ctx.say(format!("cfn proxy on http://{addr} with {} routes; Ctrl-C stops it", routes.len()));
    for route in routes.iter() {
        ctx.say(format!(
            "  {} -> {} ({} {})",
            proxy::host_url(&route.host, port),
            route.port,
            route.project,
            route.branch
        ));
    }
    proxy::serve_blocking(proxy::ServeOptions { listener, home: ctx.home.clone(), detached: false })
}

fn bind_error(addr: SocketAddr, e: std::io::Error) -> anyhow::Error {
    let hint = match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "another program listens on port {}: `cfn proxy status --port {}` says whether it is a cfn proxy; \
             pick another with `--port` (and `[proxy] port` in cfn.toml so the hostname URLs follow)",
            addr.port(),
            addr.port()
        ),
        std::io::ErrorKind::PermissionDenied => "ports below 1024 need privileges: pick one above with `--port`".into(),
        _ => "pass `--bind` an address of this machine (127.0.0.1 by default)".into(),
    };
    UserError::new(format!("cannot listen on {addr}: {e}")).hint(hint).into()
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
    routes: Vec<RouteView>,
}

#[derive(Serialize)]
struct RouteView {
    url: String,
    #[serde(flatten)]
    route: Route,
}

fn status(ctx: &Context, args: StatusArgs) -> Result<()> {
    let port = args.port.unwrap_or_else(|| configured_port(ctx));
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let running = crate::runtime::block_on(proxy::probe(addr))?;
    let state = crate::state::State::open(&ctx.home)?;
    let routes = proxy::load_routes(state.conn())?;
    let view = StatusView {
        port,
        running,
        routes: routes
            .into_iter()
            .map(|route| RouteView { url: proxy::host_url(&route.host, port), route })
            .collect(),
    };
    if args.json {
        return crate::output::json(&view);
    }
    if running {
        crate::output::line(format_args!("proxy: running on {addr}"))?;
    } else {
        crate::output::line(format_args!(
            "proxy: not running on {addr} (start it with `cfn proxy --port {port}`)"
        ))?;
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
    crate::output::table(&["URL", "PROJECT", "BRANCH", "SERVICE", "PORT"], &rows)
}
