//! Health checks (DESIGN §7): is a branch's service up?
//!
//! A [`Check`] is a name, a [`CheckKind`] and a timeout; [`run_check`] runs one and
//! [`run_all`] runs several at once. A check never fails: every outcome, an unreachable
//! server or a timeout included, is a [`CheckResult`] with `ok` and a one-line message
//! ("PONG in 2 ms", "connection refused", "timed out after 2 s"). Each check is bounded by
//! its own timeout, so a server that accepts a connection and never answers cannot hang it.
//!
//! - `tcp`: connects. `http`: one `GET` over a plain TCP stream, any 2xx (or the expected
//!   status) is healthy; `https` is reported as not supported. `redis`: `PING` → `PONG`,
//!   authenticating with the URL's user and password. `postgres`: connects, `SELECT 1`.
//!   `sqlite`: opens the file read-only (a missing file fails and is not created), `SELECT 1`.
//!   `command`: runs argv directly (never through a shell); exit 0 is healthy, and it is
//!   killed when its timeout passes.
//! - Passwords never reach a message or a `Debug` output: see [`redact_url`].
//! - [`CheckConfig`] is a check as written in the configuration (after templating);
//!   [`build_check`] validates it into a [`Check`].

mod command;
mod config;
mod http;
mod probes;
pub(crate) mod redact;

#[cfg(test)]
pub(crate) mod tests;

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::task::JoinSet;

pub use config::{build_check, CheckConfig};
pub use redact::redact_url;

/// What a check probes, and how.
#[derive(Clone, PartialEq, Eq)]
pub enum CheckKind {
    Tcp {
        host: String,
        port: u16,
    },
    /// `http://host[:port][/path]`; `expect_status: None` accepts any 2xx.
    Http {
        url: String,
        expect_status: Option<u16>,
    },
    /// `redis://[user][:password@]host[:port][/db]` (or `rediss://`, reported as unsupported).
    Redis {
        url: String,
    },
    /// A `postgres://` URL or a key/value connection string.
    Postgres {
        url: String,
    },
    /// A database file, relative to cfn's working directory unless absolute.
    Sqlite {
        path: PathBuf,
    },
    /// Runs `argv[0]` with the rest as arguments, in `cwd` (or cfn's own directory).
    Command {
        argv: Vec<String>,
        cwd: Option<PathBuf>,
    },
}

impl CheckKind {
    /// The kind's name as written in the configuration: `tcp`, `http`, `redis`, …
    pub fn name(&self) -> &'static str {
        match self {
            CheckKind::Tcp { .. } => "tcp",
            CheckKind::Http { .. } => "http",
            CheckKind::Redis { .. } => "redis",
            CheckKind::Postgres { .. } => "postgres",
            CheckKind::Sqlite { .. } => "sqlite",
            CheckKind::Command { .. } => "command",
        }
    }

    /// The URLs (or arguments) whose passwords must be scrubbed from messages.
    fn urls(&self) -> Vec<&str> {
        match self {
            CheckKind::Http { url, .. } | CheckKind::Redis { url } | CheckKind::Postgres { url } => vec![url],
            CheckKind::Command { argv, .. } => argv.iter().map(String::as_str).collect(),
            CheckKind::Tcp { .. } | CheckKind::Sqlite { .. } => Vec::new(),
        }
    }
}

/// Like the derived `Debug`, with every URL's password hidden.
impl fmt::Debug for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckKind::Tcp { host, port } => {
                f.debug_struct("Tcp").field("host", host).field("port", port).finish()
            }
            CheckKind::Http { url, expect_status } => f
                .debug_struct("Http")
                .field("url", &redact_url(url))
                .field("expect_status", expect_status)
                .finish(),
            CheckKind::Redis { url } => f.debug_struct("Redis").field("url", &redact_url(url)).finish(),
            CheckKind::Postgres { url } => f.debug_struct("Postgres").field("url", &redact_url(url)).finish(),
            CheckKind::Sqlite { path } => f.debug_struct("Sqlite").field("path", path).finish(),
            CheckKind::Command { argv, cwd } => {
                let argv: Vec<String> = argv.iter().map(|a| redact_url(a)).collect();
                f.debug_struct("Command").field("argv", &argv).field("cwd", cwd).finish()
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: String,
    pub kind: CheckKind,
    pub timeout: Duration,
}

impl Check {
    /// Runs a `command` check in `dir` (the branch's worktree); other kinds are unchanged.
    pub fn with_cwd(mut self, dir: impl Into<PathBuf>) -> Check {
        if let CheckKind::Command { cwd, .. } = &mut self.kind {
            *cwd = Some(dir.into());
        }
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CheckResult {
    pub name: String,
    pub kind: &'static str,
    pub ok: bool,
    /// One line: what was found ("PONG in 2 ms") or why it failed ("connection refused").
    pub message: String,
    pub elapsed_ms: u64,
}

/// Runs one check, within its timeout.
pub async fn run_check(check: &Check) -> CheckResult {
    let started = Instant::now();
    let outcome = match &check.kind {
        // Kills its process itself when the timeout passes.
        CheckKind::Command { argv, cwd } => command::probe(argv, cwd.as_deref(), check.timeout).await,
        kind => match tokio::time::timeout(check.timeout, probes::probe(kind, check.timeout)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(timed_out(check.timeout)),
        },
    };
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (ok, message) = match outcome {
        Ok(found) => (true, format!("{found} in {elapsed_ms} ms")),
        Err(why) => (false, why),
    };
    let mut message = redact_url(&message);
    for url in check.kind.urls() {
        message = redact::scrub(&message, url);
    }
    CheckResult { name: check.name.clone(), kind: check.kind.name(), ok, message, elapsed_ms }
}

/// Runs every check concurrently; the results are in the order of `checks`.
pub async fn run_all(checks: &[Check]) -> Vec<CheckResult> {
    let mut set = JoinSet::new();
    for (index, check) in checks.iter().enumerate() {
        let check = check.clone();
        set.spawn(async move { (index, run_check(&check).await) });
    }
    let mut results: Vec<Option<CheckResult>> = vec![None; checks.len()];
    while let Some(joined) = set.join_next().await {
        if let Ok((index, result)) = joined {
            results[index] = Some(result);
        }
    }
    let lost = |check: &Check| CheckResult {
        name: check.name.clone(),
        kind: check.kind.name(),
        ok: false,
        message: "the check stopped unexpectedly".to_string(),
        elapsed_ms: 0,
    };
    results.into_iter().zip(checks).map(|(result, check)| result.unwrap_or_else(|| lost(check))).collect()
}

/// "timed out after 2 s", "timed out after 1.5 s", "timed out after 300 ms".
pub(crate) fn timed_out(timeout: Duration) -> String {
    format!("timed out after {}", human(timeout))
}

fn human(d: Duration) -> String {
    match (d.as_secs(), d.subsec_millis()) {
        (0, ms) => format!("{ms} ms"),
        (s, 0) => format!("{s} s"),
        _ => format!("{:.1} s", d.as_secs_f64()),
    }
}
