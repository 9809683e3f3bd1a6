//! The hostname proxy (`cfn proxy`): one HTTP reverse proxy per user that sends
//! `<service>.<branch-slug>.<project>.localhost` to that branch's leased port, with routes read
//! live from the state database, in the foreground or in the background (`cfn proxy start`).
//! docs/proxy.md describes the rules.

mod auto;
pub mod background;
pub mod ca;
mod forwarding;
mod listeners;
mod pages;
mod routes;
mod server;
mod threads;
mod tls;

pub use crate::branch::hostnames::host_url;
pub use auto::on_up;
pub use listeners::Probe;
pub use routes::{load_routes, Route, RouteCache};
pub use server::probe;
pub use threads::{serve_blocking, ServeOptions};
pub use tls::server_config as tls_config;
