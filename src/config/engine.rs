//! `[engine]`: which Docker engine the repository's stacks run on (docs/remote.md). Absent, the
//! local engine (or whatever `DOCKER_HOST` says) runs them, as before.

use crate::error::UserError;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// `[engine]` in cfn.toml.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    /// The engine's address: `tcp://host:2376` (TLS from `DOCKER_CERT_PATH` when
    /// `DOCKER_TLS_VERIFY` is set), `tcp://host:2375`, or `unix:///path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// A docker context's name (`docker context ls`), instead of `host`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The address on the engine's host that branch ports are published on and URLs name;
    /// by default the engine host's own address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_address: Option<String>,
}

impl EngineConfig {
    pub fn is_default(&self) -> bool {
        *self == EngineConfig::default()
    }

    /// What a branch added without `--engine` runs on: `host` or `context`, `None` for the
    /// local engine.
    pub fn spec(&self) -> Option<&str> {
        self.host.as_deref().or(self.context.as_deref())
    }

    /// Refuses what can never work, naming the key.
    pub fn validate(&self) -> Result<()> {
        let bad =
            |message: String, hint: &str| -> anyhow::Error { UserError::new(message).hint(hint).into() };
        if self.host.is_some() && self.context.is_some() {
            return Err(bad(
                "[engine] names both host and context".into(),
                "keep one: a context already says which host it reaches",
            ));
        }
        if let Some(host) = &self.host {
            crate::engine::EngineSpec::parse(host)
                .map_err(|e| bad(format!("[engine] host: {e}"), HOST_HINT))?;
            if !host.contains("://") {
                return Err(bad(format!("[engine] host {host:?} is not an engine address"), HOST_HINT));
            }
        }
        if let Some(context) = &self.context {
            if context.contains("://") || crate::engine::EngineSpec::parse(context).is_err() {
                return Err(bad(
                    format!("[engine] context {context:?} is not a context name"),
                    "name a context of `docker context ls`, or use [engine] host for an address",
                ));
            }
        }
        if let Some(address) = &self.publish_address {
            if address.parse::<IpAddr>().is_ok_and(|ip| ip.is_unspecified()) {
                return Err(bad(
                    format!("[engine] publish_address {address:?} would publish on every interface of the engine host"),
                    "give the one address of the engine host that this machine reaches",
                ));
            }
            if address.parse::<IpAddr>().is_err() {
                return Err(bad(
                    format!("[engine] publish_address {address:?} is not an IP address"),
                    "give the engine host's address that this machine reaches, e.g. \"10.0.0.5\"",
                ));
            }
        }
        Ok(())
    }
}

const HOST_HINT: &str = "write tcp://HOST:PORT or unix:///PATH (docs/remote.md)";

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(host: Option<&str>, context: Option<&str>, address: Option<&str>) -> EngineConfig {
        EngineConfig {
            host: host.map(str::to_string),
            context: context.map(str::to_string),
            publish_address: address.map(str::to_string),
        }
    }

    #[test]
    fn good_and_bad_engine_settings() {
        assert!(cfg(None, None, None).validate().is_ok());
        assert!(cfg(Some("tcp://10.0.0.5:2375"), None, Some("10.0.0.5")).validate().is_ok());
        assert!(cfg(None, Some("build-box"), None).validate().is_ok());
        for bad in [
            cfg(Some("tcp://a:1"), Some("b"), None),
            cfg(Some("build-box"), None, None),
            cfg(Some("ftp://x"), None, None),
            cfg(Some("tcp://"), None, None),
            cfg(None, Some("tcp://x:1"), None),
            cfg(None, Some("-rm"), None),
            cfg(None, None, Some("build-box")),
            cfg(Some("tcp://a:1"), None, Some("0.0.0.0")),
            cfg(Some("tcp://a:1"), None, Some("::")),
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}
