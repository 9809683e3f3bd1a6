//! A branch's endpoints: each port key as service, host port and a URL to paste.

use crate::branch::BranchEnv;
use crate::config::Config;
use crate::protocol::Protocol;
use serde::Serialize;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Endpoint {
    pub key: String,
    pub service: String,
    pub port: u16,
    pub url: String,
}

pub fn endpoints(config: &Config, branch: &BranchEnv) -> Vec<Endpoint> {
    let host = crate::branch::files::host_for_url(&config.ports.bind);
    config
        .ports
        .keys
        .iter()
        .filter_map(|(key, k)| {
            let port = *branch.ports.get(key)?;
            let scheme = match (k.protocol, k.target) {
                (Protocol::Udp, _) => "udp",
                (_, 6379) => "redis",
                (_, 5432) => "postgresql",
                (_, 443 | 8443) => "https",
                _ => "http",
            };
            Some(Endpoint {
                key: key.clone(),
                service: k.service.clone(),
                port,
                url: format!("{scheme}://{host}:{port}"),
            })
        })
        .collect()
}
