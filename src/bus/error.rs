//! The bus's error type: one enum, so callers can tell a bad id (a usage error, exit 2) from an
//! unreachable server or a refused login (exit 1). A wait that runs out is never an error: the
//! operations return `Ok(None)` or `complete: false` for that, and the CLI maps it to exit 124.
//!
//! Messages are one lower-case line naming the subject; the underlying cause is kept as the
//! `source` so the one place that prints errors can show it as a "caused by" line. Redis URLs in
//! messages are always redacted (no password).

/// Shorthand used across the bus.
pub type Result<T, E = BusError> = std::result::Result<T, E>;

/// Everything that can go wrong on the bus.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// A task id, agent id, channel, key or resource that cannot be part of a key.
    #[error("invalid {what} {value:?}: {reason}")]
    InvalidName { what: &'static str, value: String, reason: &'static str },
    /// An argument outside its range (a confidence above 1, a zero TTL, ...).
    #[error("invalid {what}: {reason}")]
    InvalidArgument { what: &'static str, reason: String },
    /// A value over the payload limit (`limits.rs`).
    #[error("{what} is {size} bytes, over the limit of {limit} bytes (CFN_MAX_PAYLOAD)")]
    TooLarge { what: &'static str, size: usize, limit: usize },
    /// `rediss://` asked of a build without TLS support.
    #[error("rediss:// needs cfn built with the tls feature")]
    TlsNotBuilt,
    /// The URL does not parse as a Redis URL.
    #[error("invalid redis url {url}")]
    InvalidUrl {
        url: String,
        #[source]
        source: redis::RedisError,
    },
    /// The server answered but refused the user name or password.
    #[error("redis at {url} refused the login (wrong user name or password)")]
    Auth {
        url: String,
        #[source]
        source: redis::RedisError,
    },
    /// The server could not be reached at all: refused, timed out, dropped, or no such host.
    #[error("cannot reach redis at {url}")]
    Unreachable {
        url: String,
        #[source]
        source: redis::RedisError,
    },
    /// The server was reached but the connection could not be set up (a TLS certificate the
    /// client does not trust, a server speaking another protocol...). Not a fallback case.
    #[error("cannot connect to redis at {url}")]
    Connect {
        url: String,
        #[source]
        source: redis::RedisError,
    },
    /// Something answered at the address, but not in the Redis protocol (an HTTP server, a
    /// database on the wrong port...). Its garbled reply is not worth showing.
    #[error("the server at {url} is not a Redis server (it answered in another protocol)")]
    NotRedis { url: String },
    /// A command failed mid-operation: a dropped connection, a server error, no answer in time.
    #[error("redis {op} failed")]
    Redis {
        op: &'static str,
        #[source]
        source: redis::RedisError,
    },
    /// An SQLite statement of the embedded bus failed.
    #[error("embedded bus {op} failed")]
    Sqlite {
        op: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// Something read back from the bus is not what the bus writes.
    #[error("malformed {what} on the bus: {detail}")]
    Malformed { what: &'static str, detail: String },
    /// The embedded bus's file or folder cannot be created.
    #[error("cannot create the embedded bus at {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The embedded bus's worker thread died or its connection lock was poisoned.
    #[error("embedded bus worker failed: {0}")]
    Worker(String),
    /// The operating system's random source failed (lock tokens).
    #[error("cannot draw a random lock token: {0}")]
    Random(String),
}

impl BusError {
    /// Wraps a Redis error raised by `op`.
    pub(crate) fn redis(op: &'static str) -> impl FnOnce(redis::RedisError) -> BusError {
        move |source| BusError::Redis { op, source }
    }

    /// Wraps an SQLite error raised by `op`.
    pub(crate) fn sqlite(op: &'static str) -> impl FnOnce(rusqlite::Error) -> BusError {
        move |source| BusError::Sqlite { op, source }
    }

    pub(crate) fn malformed(what: &'static str, detail: impl Into<String>) -> BusError {
        BusError::Malformed { what, detail: detail.into() }
    }

    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> BusError {
        BusError::InvalidArgument { what, reason: reason.into() }
    }

    /// True for errors caused by what the caller passed in (exit 2 at the CLI).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            BusError::InvalidName { .. }
                | BusError::InvalidArgument { .. }
                | BusError::InvalidUrl { .. }
                | BusError::TooLarge { .. }
        )
    }

    /// True when the connection to a Redis server was lost or it could not be reached: the
    /// server went away, not a command it refused.
    pub fn is_connection_lost(&self) -> bool {
        match self {
            BusError::Unreachable { .. } => true,
            BusError::Redis { source, .. } => {
                source.is_connection_dropped()
                    || source.is_connection_refusal()
                    || source.is_io_error()
                    || source.is_timeout()
            }
            _ => false,
        }
    }

    /// True when the server was never reached, the only case where a fallback may be tried.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, BusError::Unreachable { .. })
    }
}

/// A bus error as the user sees it: a usage error exits 2; the hint says where to look. Callers
/// that know which bus was meant replace the hint (`branch::bus::user_error`).
impl From<&BusError> for crate::error::UserError {
    fn from(e: &BusError) -> Self {
        use crate::error::UserError;
        let user = if e.is_usage() { UserError::usage(e.to_string()) } else { UserError::new(e.to_string()) };
        match e {
            BusError::NotRedis { .. } => user
                .hint("check the port of --redis-url / CFN_REDIS_URL: it belongs to another kind of server"),
            _ => user.hint("see docs/coordination.md"),
        }
    }
}
