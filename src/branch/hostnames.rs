//! The hostname rules: which name under `.localhost` reaches which port key of a checkout.
//!
//! Names are derived from names only — project, branch slug, service, key — never from slots or
//! port numbers, so a branch re-created under the same name gets the same hostnames (cookies,
//! OAuth callbacks and CORS origins stay valid).
//!
//! - Each service's *web key* is reached as `<service>.<branch-slug>.<project>.localhost`
//!   (main checkout: `<service>.<project>.localhost`). The web key is the service's first TCP
//!   key whose container port looks like HTTP ([`HTTP_TARGETS`]), else its first TCP key.
//! - Every other TCP key is reached as `<key>.<branch-slug>.<project>.localhost`.
//! - A key name that would repeat a service's hostname gets none (the service wins).
//! - UDP and SCTP keys get no hostname: the proxy speaks HTTP over TCP.

use crate::branch::{BranchEnv, Workspace};
use crate::config::proxy::ProxyConfig;
use crate::config::PortKeyConfig;
use crate::protocol::Protocol;
use anyhow::Result;
use indexmap::IndexMap;
use serde::Serialize;

/// Container ports that make a key its service's web key.
pub const HTTP_TARGETS: &[u16] = &[80, 443, 3000, 4000, 4200, 5000, 5173, 8000, 8080, 8443, 8888, 9000];

/// One hostname of a checkout and the port key behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostName {
    /// The full hostname, lower case, without a port.
    pub host: String,
    pub key: String,
    pub service: String,
}

/// The hostnames of one checkout. `branch_slug` is `None` for the main checkout.
pub fn hostnames(
    project: &str,
    branch_slug: Option<&str>,
    keys: &IndexMap<String, PortKeyConfig>,
) -> Vec<HostName> {
    let suffix = match branch_slug {
        Some(branch) => format!("{}.{}.localhost", label(branch), label(project)),
        None => format!("{}.localhost", label(project)),
    };
    let tcp: Vec<(&String, &PortKeyConfig)> =
        keys.iter().filter(|(_, k)| k.protocol == Protocol::Tcp).collect();
    let mut names: Vec<HostName> = Vec::new();
    let mut web_keys: Vec<&str> = Vec::new();
    for (_, k) in &tcp {
        if names.iter().any(|n| n.service == k.service) {
            continue;
        }
        let of_service = || tcp.iter().filter(|(_, o)| o.service == k.service);
        let web =
            of_service().find(|(_, o)| HTTP_TARGETS.contains(&o.target)).or_else(|| of_service().next());
        let Some((web_key, _)) = web else { continue };
        web_keys.push(web_key);
        names.push(HostName {
            host: format!("{}.{suffix}", label(&k.service)),
            key: (*web_key).clone(),
            service: k.service.clone(),
        });
    }
    for (key, k) in &tcp {
        if web_keys.contains(&key.as_str()) {
            continue;
        }
        let host = format!("{}.{suffix}", label(key));
        if names.iter().any(|n| n.host == host) {
            continue;
        }
        names.push(HostName { host, key: (*key).clone(), service: k.service.clone() });
    }
    names
}

/// One hostname of a branch with its URL: what `cfn url`, `cfn status` and the portal show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct HostUrl {
    pub service: String,
    pub key: String,
    pub host: String,
    /// The branch's host port for the key, where the proxy forwards (none while unleased).
    pub port: Option<u16>,
    /// `http://<host>:<proxy port>`, `https://` with `[proxy] tls`.
    pub url: String,
    /// `CFN_<KEY>_HOST_URL`, which holds `url` in the branch's environment.
    pub variable: String,
}

/// Every hostname URL of `env`, in [`hostnames`] order, with the repository's `[proxy]`
/// settings (the proxy is one per user, so the main checkout's cfn.toml says where it listens).
pub fn urls_of(ws: &Workspace, env: &BranchEnv) -> Result<Vec<HostUrl>> {
    let config = ws.config_of(env)?;
    let slug = env.slug(&ws.repo.project);
    Ok(urls(&ws.repo.project, slug.as_deref(), &config.ports.keys, &env.ports, &ws.config.proxy))
}

/// [`urls_of`] from its parts.
pub fn urls(
    project: &str,
    branch_slug: Option<&str>,
    keys: &IndexMap<String, PortKeyConfig>,
    ports: &IndexMap<String, u16>,
    proxy: &ProxyConfig,
) -> Vec<HostUrl> {
    hostnames(project, branch_slug, keys)
        .into_iter()
        .map(|name| HostUrl {
            port: ports.get(&name.key).copied(),
            url: host_url(&name.host, proxy.port, proxy.tls),
            variable: host_url_env_name(&name.key),
            service: name.service,
            key: name.key,
            host: name.host,
        })
        .collect()
}

/// The hostname URL through the proxy on `proxy_port`; `https` when it serves TLS.
pub fn host_url(host: &str, proxy_port: u16, tls: bool) -> String {
    let scheme = if tls { "https" } else { "http" };
    format!("{scheme}://{host}:{proxy_port}")
}

pub use crate::names::host_url_env_name;

/// One DNS label: the slug of `text`, lower case (slugs are; project names may carry `_`,
/// which browsers and curl accept under `.localhost`).
fn label(text: &str) -> String {
    crate::names::slug(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(service: &str, target: u16, protocol: &str) -> PortKeyConfig {
        PortKeyConfig {
            service: service.into(),
            target,
            protocol: Protocol::parse(protocol).unwrap(),
            base: 1,
            profiles: vec![],
        }
    }

    #[test]
    fn the_web_key_takes_the_service_name_and_others_their_key() {
        let mut keys = IndexMap::new();
        keys.insert("api_debug".to_string(), key("api", 9229, "tcp"));
        keys.insert("api".to_string(), key("api", 8080, "tcp"));
        keys.insert("redis".to_string(), key("redis", 6379, "tcp"));
        keys.insert("dns".to_string(), key("dns", 53, "udp"));
        let names = hostnames("shop", Some("feature-auth"), &keys);
        let pairs: Vec<(&str, &str)> = names.iter().map(|n| (n.host.as_str(), n.key.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("api.feature-auth.shop.localhost", "api"),
                ("redis.feature-auth.shop.localhost", "redis"),
                ("api_debug.feature-auth.shop.localhost", "api_debug"),
            ]
        );
        let main = hostnames("shop", None, &keys);
        assert_eq!(main[0].host, "api.shop.localhost");
    }

    #[test]
    fn a_branch_name_gives_the_same_hostname_every_time() {
        let mut keys = IndexMap::new();
        keys.insert("web".to_string(), key("web", 80, "tcp"));
        let slug = crate::names::slug("Feature/Auth");
        assert_eq!(hostnames("shop", Some(&slug), &keys)[0].host, "web.feature-auth.shop.localhost");
        assert_eq!(host_url_env_name("web_443"), "CFN_WEB_443_HOST_URL");
        assert_eq!(host_url("web.shop.localhost", 7355, false), "http://web.shop.localhost:7355");
        assert_eq!(host_url("web.shop.localhost", 7355, true), "https://web.shop.localhost:7355");
    }
}
