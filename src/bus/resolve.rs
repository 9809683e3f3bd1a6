//! Which bus a command uses, and the one place a fallback server may be chosen.
//!
//! [`resolve`] picks, in order: `--redis-url`, `CFN_REDIS_URL`, the branch stack's Redis (the
//! caller passes it when the configuration gives the stack one, running or not), else the
//! embedded bus file. Empty values
//! count as unset. The caller prints the choice ([`BusChoice`]'s `Display`, password redacted).
//!
//! **A task is pinned to one server for its whole life.** [`connect_with_fallback`] is called
//! only when a task starts (`cfn loop run`); if the primary cannot be reached at all it tries
//! `REDIS_FALLBACK_1`, and the URL it returns is what the orchestrator hands every agent as
//! `CFN_REDIS_URL` and records with the task. Nothing else falls back: the primitives an agent
//! calls use `resolve`, which never does, and a connection lost mid-operation is an error, never a
//! reconnection elsewhere. (The seed switched servers mid-task: an LPUSH on one server and a
//! BLPOP on the other is a hang, not a failover.) A refused login is not "unreachable": it is a
//! misconfiguration, reported as such, and never hidden by a fallback.

use std::fmt;
use std::path::{Path, PathBuf};

use super::error::Result;
use super::redis_bus::RedisBus;
use super::Bus;

/// Where the bus lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusTarget {
    Redis(String),
    Embedded(PathBuf),
}

/// Why that bus was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusSource {
    Flag,
    Env,
    Stack,
    Embedded,
}

impl BusSource {
    pub fn as_str(self) -> &'static str {
        match self {
            BusSource::Flag => "--redis-url",
            BusSource::Env => "CFN_REDIS_URL",
            BusSource::Stack => "branch stack",
            BusSource::Embedded => "embedded",
        }
    }
}

/// The bus to use and where the choice came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusChoice {
    pub target: BusTarget,
    pub source: BusSource,
}

impl fmt::Display for BusChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            BusTarget::Redis(url) => write!(f, "redis at {} (from {})", redact(url), self.source.as_str()),
            BusTarget::Embedded(path) => {
                write!(f, "embedded bus at {} (no redis configured)", path.display())
            }
        }
    }
}

/// Picks the bus: flag, then environment, then the stack's configured Redis, then the embedded file.
pub fn resolve(
    flag: Option<&str>,
    env_url: Option<&str>,
    stack_redis: Option<&str>,
    embedded_path: &Path,
) -> BusChoice {
    let given = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let redis = |url, source| BusChoice { target: BusTarget::Redis(url), source };
    if let Some(url) = given(flag) {
        redis(url, BusSource::Flag)
    } else if let Some(url) = given(env_url) {
        redis(url, BusSource::Env)
    } else if let Some(url) = given(stack_redis) {
        redis(url, BusSource::Stack)
    } else {
        BusChoice { target: BusTarget::Embedded(embedded_path.to_path_buf()), source: BusSource::Embedded }
    }
}

/// The server a task was started on.
pub struct Connected {
    pub bus: Bus,
    /// The URL to hand to agents as `CFN_REDIS_URL` and to record with the task (unredacted).
    pub url: String,
    pub used_fallback: bool,
}

/// Connects to `primary`, or to `fallback` only if `primary` cannot be reached. Call it when a
/// task starts and at no other time.
pub async fn connect_with_fallback(primary: &str, fallback: Option<&str>) -> Result<Connected> {
    let connected = |bus, url: &str, used_fallback| Connected {
        bus: Bus::Redis(bus),
        url: url.to_string(),
        used_fallback,
    };
    match RedisBus::connect(primary).await {
        Ok(bus) => Ok(connected(bus, primary, false)),
        Err(err) if err.is_unreachable() => match fallback.map(str::trim).filter(|f| !f.is_empty()) {
            Some(fallback) => Ok(connected(RedisBus::connect(fallback).await?, fallback, true)),
            None => Err(err),
        },
        Err(err) => Err(err),
    }
}

/// The URL with its password replaced by `***`: the user-info password and a
/// `redis+unix://…?pass=` parameter alike.
pub fn redact(url: &str) -> String {
    crate::health::redact_url(url)
}

/// Whether the URL carries a password (user-info or `pass=`/`password=` parameter).
pub fn has_password(url: &str) -> bool {
    redact(url) != url
}

/// The URL with `password` added, unless it carries one already: in the user-info of a
/// `redis://` or `rediss://` URL, as the `pass` parameter of a `redis+unix://` one,
/// percent-encoded either way.
pub fn with_password(url: &str, password: &str) -> String {
    if has_password(url) || password.is_empty() {
        return url.to_string();
    }
    let encoded: String = password
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    if scheme.ends_with("unix") {
        let sep = if rest.contains('?') { '&' } else { '?' };
        return format!("{url}{sep}pass={encoded}");
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rsplit_once('@') {
        Some((user, host)) => format!("{scheme}://{user}:{encoded}@{host}{}", &rest[end..]),
        None => format!("{scheme}://:{encoded}@{rest}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_is_flag_env_stack_embedded() {
        let path = Path::new("/w/.cfn/bus.sqlite");
        let pick = |f, e, s| resolve(f, e, s, path).source;
        assert_eq!(pick(Some("redis://a"), Some("redis://b"), Some("redis://c")), BusSource::Flag);
        assert_eq!(pick(None, Some("redis://b"), Some("redis://c")), BusSource::Env);
        assert_eq!(pick(Some(" "), Some(""), Some("redis://c")), BusSource::Stack);
        assert_eq!(pick(None, None, None), BusSource::Embedded);
        let choice = resolve(None, Some("redis://u:secret@h:1/0"), None, path);
        assert_eq!(choice.to_string(), "redis at redis://u:***@h:1/0 (from CFN_REDIS_URL)");
        assert_eq!(
            resolve(None, None, None, path).to_string(),
            "embedded bus at /w/.cfn/bus.sqlite (no redis configured)"
        );
    }

    #[test]
    fn redaction_hides_only_the_password() {
        assert_eq!(redact("redis://h:6379/0"), "redis://h:6379/0");
        assert_eq!(redact("redis://:pw@h:6379"), "redis://:***@h:6379");
        assert_eq!(redact("rediss://user:p@ss@h"), "rediss://user:***@h");
        assert_eq!(redact("redis://user@h"), "redis://user@h");
        assert_eq!(
            redact("redis+unix:///run/r.sock?db=1&pass=s3cret"),
            "redis+unix:///run/r.sock?db=1&pass=***"
        );
        assert!(has_password("redis+unix:///r.sock?pass=x") && !has_password("redis://h:1/0"));
    }

    #[test]
    fn a_password_from_elsewhere_joins_the_url_encoded() {
        assert_eq!(
            with_password("redis://127.0.0.1:6379/0", "p@ss:w"),
            "redis://:p%40ss%3Aw@127.0.0.1:6379/0"
        );
        assert_eq!(with_password("redis://app@h:1", "pw"), "redis://app:pw@h:1");
        assert_eq!(with_password("redis://:given@h", "other"), "redis://:given@h", "the URL's own wins");
        assert_eq!(with_password("redis+unix:///r.sock", "a b"), "redis+unix:///r.sock?pass=a%20b");
        assert_eq!(with_password("redis+unix:///r.sock?db=2", "pw"), "redis+unix:///r.sock?db=2&pass=pw");
    }

    #[cfg(not(feature = "tls"))]
    #[tokio::test]
    async fn rediss_without_the_tls_feature_is_a_clear_error() {
        let err = RedisBus::connect("rediss://h:6380").await.err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("rediss:// needs cfn built with the tls feature"));
    }

    #[tokio::test]
    async fn no_fallback_means_the_primary_error() {
        let err = connect_with_fallback("redis://127.0.0.1:1", None).await.err();
        assert!(err.is_some_and(|e| e.is_unreachable()));
        let unknown = RedisBus::connect("redis://no-such-host.invalid:6379").await.err();
        assert!(unknown.is_some_and(|e| e.is_unreachable()), "no such host counts as unreachable");
    }
}
