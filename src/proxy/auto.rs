//! `[proxy] auto`: `cfn up` starts the background proxy when it does not run. The proxy is a
//! convenience beside the stack, so nothing here fails `up`: a proxy that cannot start is a
//! warning.

use super::background::{self, Started};
use crate::context::Context;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// After `cfn up`: starts the background proxy on `[proxy] port` when `[proxy] auto` is on and
/// no cfn proxy answers there yet; one line says so.
pub async fn on_up(ctx: &Context) {
    let Some(config) = crate::git::discover(&ctx.cwd)
        .ok()
        .and_then(|checkout| crate::config::Config::load(&checkout.main_root).ok())
    else {
        return;
    };
    if !config.proxy.auto {
        return;
    }
    let port = config.proxy.port;
    // A proxy run in a terminal (`cfn proxy`) already serves the hostnames.
    let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
    let tls = config.proxy.tls;
    if super::probe(addr).await {
        if let Ok(Some(running)) = background::running(&ctx.home) {
            warn_if_plain(ctx, tls, &running);
        }
        return;
    }
    match background::start(&ctx.home, port, IpAddr::V4(Ipv4Addr::LOCALHOST), tls).await {
        Ok(Started::New(running)) => ctx.say(format!(
            "started the hostname proxy in the background on {}://{} (pid {}; `cfn proxy stop` stops it)",
            if running.tls { "https" } else { "http" },
            running.addr(),
            running.pid
        )),
        Ok(Started::Already(running)) => warn_if_plain(ctx, tls, &running),
        Err(e) => ctx.warn(format!("the hostname proxy did not start ([proxy] auto): {}", one_line(&e))),
    }
}

/// A background proxy started without TLS does not answer the `https://` URLs `[proxy] tls`
/// gives the branches: say how to restart it.
fn warn_if_plain(ctx: &Context, tls: bool, running: &background::Running) {
    if tls && !running.tls {
        ctx.warn(format!(
            "the background proxy on port {} serves plain HTTP, not the https:// URLs of [proxy] tls: \
             `cfn proxy stop`, then `cfn up` again",
            running.port
        ));
    }
}

/// The error and its hint on one line, for a warning.
fn one_line(e: &anyhow::Error) -> String {
    let (_, lines) = crate::error::report(e);
    lines.iter().map(|l| l.trim().trim_start_matches("error: ")).collect::<Vec<_>>().join("; ")
}
