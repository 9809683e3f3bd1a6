//! Health checks as written in the configuration, and validating them into [`Check`]s.
//!
//! The caller templates every string first (ports, names), then hands each check's table to
//! [`build_check`], which refuses anything it cannot run: an unknown type, a missing or
//! inapplicable field, a port that is not 1–65535, a non-positive timeout, a URL of the wrong
//! scheme. `port` is a string (it is usually a template) but a plain number is accepted too.
//! A `tcp` check without `host` probes `127.0.0.1`. Errors never show a URL's password.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::http::parse_url;
use super::probes::error_line;
use super::redact::redact_url;
use super::{Check, CheckKind};

/// The timeout of a check that sets none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    #[serde(rename = "type")]
    pub kind: String,
    pub host: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    pub port: Option<String>,
    pub url: Option<String>,
    pub path: Option<String>,
    pub command: Option<Vec<String>>,
    /// Seconds.
    pub timeout: Option<f64>,
    pub expect_status: Option<u16>,
}

/// Like the derived `Debug`, with the URL's password hidden.
impl fmt::Debug for CheckConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let command: Option<Vec<String>> =
            self.command.as_ref().map(|c| c.iter().map(|a| redact_url(a)).collect());
        f.debug_struct("CheckConfig")
            .field("kind", &self.kind)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("url", &self.url.as_deref().map(redact_url))
            .field("path", &self.path)
            .field("command", &command)
            .field("timeout", &self.timeout)
            .field("expect_status", &self.expect_status)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HealthError {
    #[error(
        "health check {name}: unknown type {kind:?} (expected tcp, http, redis, postgres, sqlite or command)"
    )]
    UnknownType { name: String, kind: String },
    #[error("health check {name}: a {kind} check needs `{field}`")]
    Missing { name: String, kind: &'static str, field: &'static str },
    #[error("health check {name}: `{field}` does not apply to a {kind} check")]
    NotApplicable { name: String, kind: &'static str, field: &'static str },
    #[error("health check {name}: port {port:?} is not a number from 1 to 65535")]
    BadPort { name: String, port: String },
    #[error("health check {name}: timeout {timeout} is not a positive number of seconds")]
    BadTimeout { name: String, timeout: f64 },
    #[error("health check {name}: expect_status {status} is not an http status (100 to 599)")]
    BadStatus { name: String, status: u16 },
    #[error("health check {name}: invalid url {url}: {reason}")]
    BadUrl { name: String, url: String, reason: String },
    #[error("health check {name}: `{field}` is empty")]
    Empty { name: String, field: &'static str },
}

/// A check the configuration describes wrongly, as the user sees it.
impl From<HealthError> for crate::error::UserError {
    fn from(e: HealthError) -> Self {
        crate::error::UserError::new(e.to_string()).hint("see [health] in docs/configuration.md")
    }
}

/// Validates one configured check named `name` into a runnable [`Check`].
pub fn build_check(name: &str, config: &CheckConfig) -> Result<Check, HealthError> {
    let kind = match config.kind.as_str() {
        "tcp" => "tcp",
        "http" => "http",
        "redis" => "redis",
        "postgres" => "postgres",
        "sqlite" => "sqlite",
        "command" => "command",
        other => return Err(HealthError::UnknownType { name: name.to_string(), kind: other.to_string() }),
    };
    let fields: [(&'static str, bool); 6] = [
        ("host", config.host.is_some()),
        ("port", config.port.is_some()),
        ("url", config.url.is_some()),
        ("path", config.path.is_some()),
        ("command", config.command.is_some()),
        ("expect_status", config.expect_status.is_some()),
    ];
    let allowed: &[&str] = match kind {
        "tcp" => &["host", "port"],
        "http" => &["url", "expect_status"],
        "redis" | "postgres" => &["url"],
        "sqlite" => &["path"],
        _ => &["command"],
    };
    if let Some((field, _)) = fields.iter().find(|(field, set)| *set && !allowed.contains(field)) {
        return Err(HealthError::NotApplicable { name: name.to_string(), kind, field });
    }
    let missing = |field| HealthError::Missing { name: name.to_string(), kind, field };
    let nonempty = |field, value: Option<&String>| match value {
        None => Err(missing(field)),
        Some(v) if v.trim().is_empty() => Err(HealthError::Empty { name: name.to_string(), field }),
        Some(v) => Ok(v.clone()),
    };
    let check_kind = match kind {
        "tcp" => {
            let host = config.host.clone().unwrap_or_else(|| "127.0.0.1".to_string());
            if host.trim().is_empty() {
                return Err(HealthError::Empty { name: name.to_string(), field: "host" });
            }
            let port = nonempty("port", config.port.as_ref())?;
            let bad = || HealthError::BadPort { name: name.to_string(), port: port.clone() };
            let port = port.trim().parse::<u16>().ok().filter(|&p| p > 0).ok_or_else(bad)?;
            CheckKind::Tcp { host, port }
        }
        "http" => {
            let url = nonempty("url", config.url.as_ref())?;
            parse_url(&url).map_err(|reason| bad_url(name, &url, reason))?;
            if let Some(status) = config.expect_status.filter(|s| !(100..600).contains(s)) {
                return Err(HealthError::BadStatus { name: name.to_string(), status });
            }
            CheckKind::Http { url, expect_status: config.expect_status }
        }
        "redis" => {
            let url = nonempty("url", config.url.as_ref())?;
            if !url.starts_with("redis://") && !url.starts_with("rediss://") {
                return Err(bad_url(name, &url, "expected redis:// or rediss://".to_string()));
            }
            if url.starts_with("redis://") {
                redis::Client::open(url.as_str()).map_err(|e| bad_url(name, &url, error_line(&e)))?;
            }
            CheckKind::Redis { url }
        }
        "postgres" => {
            let url = nonempty("url", config.url.as_ref())?;
            let parsed = url.parse::<tokio_postgres::Config>();
            parsed.map_err(|e| bad_url(name, &url, error_line(&e)))?;
            CheckKind::Postgres { url }
        }
        "sqlite" => CheckKind::Sqlite { path: PathBuf::from(nonempty("path", config.path.as_ref())?) },
        _ => {
            let argv = config.command.clone().ok_or_else(|| missing("command"))?;
            if argv.first().is_none_or(|program| program.is_empty()) {
                return Err(HealthError::Empty { name: name.to_string(), field: "command" });
            }
            CheckKind::Command { argv, cwd: None }
        }
    };
    let timeout = match config.timeout {
        None => DEFAULT_TIMEOUT,
        Some(secs) => Duration::try_from_secs_f64(secs)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or(HealthError::BadTimeout { name: name.to_string(), timeout: secs })?,
    };
    Ok(Check { name: name.to_string(), kind: check_kind, timeout })
}

fn bad_url(name: &str, url: &str, reason: String) -> HealthError {
    HealthError::BadUrl {
        name: name.to_string(),
        url: redact_url(url),
        reason: super::redact::scrub(&reason, url),
    }
}

/// Accepts `port = "{{ ports.db }}"` (rendered to a string) and `port = 5432`.
fn string_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Port {
        Text(String),
        Number(u64),
    }
    Ok(Option::<Port>::deserialize(deserializer)?.map(|port| match port {
        Port::Text(text) => text,
        Port::Number(n) => n.to_string(),
    }))
}
