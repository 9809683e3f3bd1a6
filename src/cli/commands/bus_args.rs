//! The flags every coordination command shares, and running one async step against the bus.

use crate::branch;
use crate::bus::{self, Bus, BusChoice, BusTarget};
use crate::context::Context;
use crate::error::UserError;
use anyhow::Result;
use std::future::Future;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct BusArgs {
    /// Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack's Redis,
    /// else the embedded bus). Keep its password out of it: see --redis-password-file.
    #[arg(long, value_name = "URL")]
    pub redis_url: Option<String>,
    /// A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none).
    #[arg(long, value_name = "PATH", env = "CFN_REDIS_PASSWORD_FILE")]
    pub redis_password_file: Option<PathBuf>,
}

impl BusArgs {
    /// The flags' defaults, taking the password file from `CFN_REDIS_PASSWORD_FILE` as the
    /// flag does: for callers that have no command line (the MCP server).
    pub fn from_env() -> BusArgs {
        BusArgs {
            redis_url: None,
            redis_password_file: std::env::var_os("CFN_REDIS_PASSWORD_FILE")
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
        }
    }

    /// The bus to use, with the password from `--redis-password-file` or `CFN_REDIS_PASSWORD`
    /// joined to a Redis URL that has none. Warns when the URL on the command line carries a
    /// password: every user of the machine can read a process's arguments.
    pub fn choose(&self, ctx: &Context) -> Result<BusChoice> {
        self.choose_by(ctx, branch::bus::choose)
    }

    /// As [`BusArgs::choose`], for the bus a loop run pins its task to
    /// ([`branch::bus::choose_at_task_start`]).
    pub fn choose_at_task_start(&self, ctx: &Context) -> Result<BusChoice> {
        self.choose_by(ctx, branch::bus::choose_at_task_start)
    }

    fn choose_by(
        &self,
        ctx: &Context,
        chooser: fn(&Context, Option<&str>) -> Result<BusChoice>,
    ) -> Result<BusChoice> {
        if self.redis_url.as_deref().is_some_and(bus::has_password) {
            ctx.warn("--redis-url carries a password, which other users can read in the process list");
            ctx.say("hint: put the password in CFN_REDIS_PASSWORD or a file named by --redis-password-file");
        }
        let mut choice = chooser(ctx, self.redis_url.as_deref())?;
        if let (BusTarget::Redis(url), Some(password)) = (&choice.target, self.password()?) {
            choice.target = BusTarget::Redis(bus::with_password(url, &password));
        }
        Ok(choice)
    }

    fn password(&self) -> Result<Option<String>> {
        if let Some(path) = &self.redis_password_file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                UserError::usage(format!("cannot read the redis password file {}: {e}", path.display()))
                    .hint("pass a readable file to --redis-password-file (CFN_REDIS_PASSWORD_FILE)")
            })?;
            return Ok(Some(text.trim_end_matches(['\n', '\r']).to_string()));
        }
        Ok(std::env::var("CFN_REDIS_PASSWORD").ok().filter(|p| !p.is_empty()))
    }
}

#[derive(Debug, clap::Args)]
pub struct TaskArg {
    /// The task (loop run) id.
    #[arg(long, env = "CFN_TASK_ID", value_name = "T")]
    pub task_id: String,
}

/// Opens the bus and runs `f` on it; bus errors become user errors.
pub async fn with_bus<T, F, Fut>(ctx: &Context, args: &BusArgs, f: F) -> Result<T>
where
    F: FnOnce(Bus) -> Fut,
    Fut: Future<Output = Result<T, crate::bus::BusError>>,
{
    let choice = args.choose(ctx)?;
    let bus = branch::bus::open(ctx, &choice).await?;
    f(bus).await.map_err(|e| branch::bus::user_error(e, Some(&choice)))
}

/// `@path` reads a file; anything else is the value itself.
/// Refuses a value over the payload limit before any bus is chosen or reached: its size alone
/// decides, whether or not the branch's bus is up.
pub fn within_limit(what: &'static str, len: usize) -> Result<()> {
    crate::bus::limits::check(what, len).map_err(|e| branch::bus::user_error(e, None))
}

pub fn value_or_file(value: &str) -> Result<String> {
    match value.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).map_err(|e| {
            crate::error::UserError::usage(format!("cannot read {path}: {e}"))
                .hint("@<file> reads the value from that file; pass the value itself without @")
                .into()
        }),
        None => Ok(value.to_string()),
    }
}

/// Seconds from the command line as a Duration, refusing negatives and NaN.
pub fn seconds(secs: f64) -> Result<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(secs).map_err(|_| {
        crate::error::UserError::usage(format!("not a number of seconds: {secs}"))
            .hint("pass a number of seconds of 0 or more, e.g. 30 or 0.5")
            .into()
    })
}
