//! The hostname proxy (`cfn proxy`): one HTTP reverse proxy per user that sends
//! `<service>.<branch-slug>.<project>.localhost` to that branch's leased port, with routes read
//! live from the state database, in the foreground or in the background (`cfn proxy start`).
//! docs/proxy.md describes the rules.

mod auto;
pub mod background;
mod hostnames;
mod pages;
mod routes;
mod server;
mod threads;

pub use auto::on_up;
pub use hostnames::{host_url, host_url_env_name, hostnames, HostName, HTTP_TARGETS};
pub use routes::{load_routes, Route, RouteCache};
pub use server::probe;
pub use threads::{serve_blocking, ServeOptions};

use serde::{Deserialize, Serialize};

/// The proxy's port when neither `--port` nor `[proxy] port` says otherwise.
pub const DEFAULT_PORT: u16 = 7355;

/// `[proxy]` in cfn.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProxyConfig {
    /// The port `cfn proxy` listens on, and `CFN_<KEY>_HOST_URL` names.
    #[serde(default = "default_port")]
    pub port: u16,
    /// `cfn up` starts the background proxy (`cfn proxy start`) when it does not run. Off by
    /// default: a listening process should be the user's choice.
    #[serde(default)]
    pub auto: bool,
}

fn default_port() -> u16 {
    DEFAULT_PORT
}

impl Default for ProxyConfig {
    fn default() -> Self {
        ProxyConfig { port: DEFAULT_PORT, auto: false }
    }
}

impl ProxyConfig {
    pub fn is_default(&self) -> bool {
        *self == ProxyConfig::default()
    }
}
