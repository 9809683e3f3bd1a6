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
    #[command(flatten)]
    listen: ListenArgs,
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
    /// The local CA's certificate for `[proxy] tls` (made if there is none) and how to trust it.
    Ca(CaArgs),
}

#[derive(Debug, clap::Args)]
pub struct CaArgs {
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct StartArgs {
    #[command(flatten)]
    listen: ListenArgs,
}

/// Where and how a proxy listens: `cfn proxy` and `cfn proxy start` take the same.
#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    /// Port to listen on (default: `[proxy] port` of the repository you are in, else 7355).
    #[arg(long)]
    port: Option<u16>,
    /// Address to listen on (anything but loopback lets other machines reach your branches)
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Serve HTTPS too, with certificates of a local CA (default: `[proxy] tls`).
    #[arg(long)]
    tls: bool,
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

pub async fn run(ctx: &Context, args: Args) -> Result<()> {
    match args.command {
        Some(ProxyCommand::Status(status_args)) => status(ctx, status_args).await,
        Some(ProxyCommand::Start(start_args)) => start(ctx, start_args).await,
        Some(ProxyCommand::Stop) => stop(ctx),
        Some(ProxyCommand::Ca(ca_args)) => ca(ctx, ca_args),
        None => serve(ctx, args.listen.port, args.listen.bind, args.listen.tls, args.detached),
    }
}

fn serve(ctx: &Context, port: Option<u16>, bind: IpAddr, tls: bool, detached: bool) -> Result<()> {
    let configured = configured(ctx);
    let port = port.unwrap_or(configured.port);
    let tls = tls || configured.tls;
    warn_if_wide(ctx, bind);
    let addr = SocketAddr::new(bind, port);
    let listener = proxy::Probe::bind(addr).map_err(|e| background::listen_error(addr, e))?;
    let tls_config = if tls { Some(proxy::tls_config(&ctx.home)?) } else { None };
    let routes = proxy::RouteCache::open(&ctx.home)?.routes();
    let scheme = if tls { "https" } else { "http" };
    let stops = if detached { "`cfn proxy stop` stops it" } else { "Ctrl-C stops it" };
    if detached {
        background::record_self(&ctx.home, port, bind, tls)?;
    }
    ctx.say(format!("cfn proxy on {scheme}://{addr} with {} routes; {stops}", routes.len()));
    if tls {
        ctx.say(format!(
            "  certificates of the local CA {} (`cfn proxy ca` says how to trust it); http:// answers too",
            proxy::ca::cert_path(&ctx.home).display()
        ));
    }
    for route in routes.iter() {
        ctx.say(format!(
            "  {} -> {} ({} {})",
            proxy::host_url(&route.host, port, tls),
            route.port,
            route.project,
            route.branch
        ));
    }
    let options = proxy::ServeOptions { listener, home: ctx.home.clone(), detached, tls: tls_config };
    let served = proxy::serve_blocking(options);
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

async fn start(ctx: &Context, args: StartArgs) -> Result<()> {
    let args = args.listen;
    let configured = configured(ctx);
    let port = args.port.unwrap_or(configured.port);
    let tls = args.tls || configured.tls;
    warn_if_wide(ctx, args.bind);
    match background::start(&ctx.home, port, args.bind, tls).await? {
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
            "started the proxy in the background on {}://{} (pid {}; output in {})",
            if running.tls { "https" } else { "http" },
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

/// `[proxy]` of the repository `cfn` runs in, else the defaults.
fn configured(ctx: &Context) -> crate::config::proxy::ProxyConfig {
    crate::git::discover(&ctx.cwd)
        .ok()
        .and_then(|checkout| crate::config::Config::load(&checkout.main_root).ok())
        .map(|config| config.proxy)
        .unwrap_or_default()
}

#[derive(Serialize)]
struct StatusView {
    port: u16,
    running: bool,
    /// The URLs say `https://`: the background proxy serves TLS, or (none running) `[proxy] tls`.
    tls: bool,
    /// The local CA's certificate, when `tls`.
    ca: Option<String>,
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

async fn status(ctx: &Context, args: StatusArgs) -> Result<()> {
    let behind = background::running(&ctx.home)?;
    // The background proxy's port unless one is asked for: that is the proxy this user runs.
    let configured = configured(ctx);
    let port = args.port.or(behind.as_ref().map(|b| b.port)).unwrap_or(configured.port);
    let tls = behind.as_ref().filter(|b| b.port == port).map_or(configured.tls, |b| b.tls);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let running = proxy::probe(addr).await;
    let state = crate::state::State::open(&ctx.home)?;
    let routes = proxy::load_routes(state.conn())?;
    let view = StatusView {
        port,
        running,
        tls,
        ca: tls.then(|| proxy::ca::cert_path(&ctx.home).to_string_lossy().into_owned()),
        background: behind,
        routes: routes
            .into_iter()
            .map(|route| RouteView { url: proxy::host_url(&route.host, port, tls), route })
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
    if let Some(ca) = &view.ca {
        crate::cli::output::line(format_args!("TLS: certificates of the local CA {ca} (`cfn proxy ca`)"))?;
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

#[derive(Serialize)]
struct CaView {
    /// The CA certificate to trust.
    certificate: String,
    /// Made by this command (it did not exist yet).
    created: bool,
}

fn ca(ctx: &Context, args: CaArgs) -> Result<()> {
    let (_, origin) = proxy::ca::load_or_create(&ctx.home)?;
    let path = proxy::ca::cert_path(&ctx.home);
    let view = CaView {
        certificate: path.to_string_lossy().into_owned(),
        created: origin == proxy::ca::Origin::Created,
    };
    if args.json {
        return crate::cli::output::json(&view);
    }
    let path = path.display();
    if view.created {
        ctx.say(format!("created the proxy's local CA in {}", proxy::ca::dir(&ctx.home).display()));
    }
    crate::cli::output::line(format_args!(
        "{path}\n\n\
         The proxy's HTTPS certificates ([proxy] tls) are signed by this CA. It may only sign\n\
         names under localhost and the loopback addresses. cfn installs it nowhere; to trust it:\n\
         \n  curl      curl --cacert {path} https://web.<branch>.<project>.localhost:<port>/\n\
         \x20 Node      NODE_EXTRA_CA_CERTS={path} node app.js\n\
         \x20 Python    SSL_CERT_FILE={path} (ssl, httpx); REQUESTS_CA_BUNDLE={path} (requests)\n\
         \x20 Firefox   Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import\n\
         \x20 Chromium  Settings > Privacy and security > Security > Manage certificates > Authorities > Import\n\
         \x20           (or: certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n cfn-proxy -i {path})\n\
         \x20 macOS     security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db {path}\n\
         \n\
         Anyone who can read its key (ca-key.pem, 0600) can sign certificates your browser then\n\
         accepts for those names: keep $CFN_HOME private. docs/proxy.md has more."
    ))
}
