//! `[proxy]`: the hostname proxy's settings (docs/proxy.md).

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
    /// The proxy serves HTTPS with certificates of a local CA (docs/proxy.md), and the hostname
    /// URLs say `https://`.
    #[serde(default)]
    pub tls: bool,
}

fn default_port() -> u16 {
    DEFAULT_PORT
}

impl Default for ProxyConfig {
    fn default() -> Self {
        ProxyConfig { port: DEFAULT_PORT, auto: false, tls: false }
    }
}

impl ProxyConfig {
    pub fn is_default(&self) -> bool {
        *self == ProxyConfig::default()
    }
}
