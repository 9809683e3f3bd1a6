//! `cfn portal`: a web page and JSON API over every branch environment and loop run on this
//! machine (docs/portal.md).

use crate::context::Context;
use anyhow::Result;
use std::net::IpAddr;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (anything but loopback lets other machines reach the portal; a
    /// warning says so).
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port to listen on (0: any free port; the printed URL names it).
    #[arg(long, default_value = "7356")]
    port: u16,
}

pub async fn run(ctx: &Context, args: Args) -> Result<()> {
    crate::cli::portal::serve(ctx, args.bind, args.port).await
}
