//! The hostname proxy (`cfn proxy`): one HTTP reverse proxy per user that sends
//! `<service>.<branch-slug>.<project>.localhost` to that branch's leased port, with routes read
//! live from the state database. docs/proxy.md describes the rules.

mod pages;
mod routes;
mod server;

pub use crate::branch::hostnames::host_url;
pub use routes::{load_routes, Route, RouteCache};
pub use server::{probe, serve, ServeOptions};

pub use crate::config::proxy::DEFAULT_PORT;
