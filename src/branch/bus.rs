//! Which coordination bus a command uses: `--redis-url` > `CFN_REDIS_URL` > the embedded file
//! named by `CFN_BUS_PATH` (which a loop run gives its agents) > the branch stack's Redis when
//! the configuration gives the stack one (its `CFN_REDIS_URL`) > the embedded bus in the
//! checkout's `.cfn/` (or in `$CFN_HOME` outside any cfn checkout). `-v` says which on stderr.
//!
//! For the primitives ([`choose`]) the choice depends on configuration only, never on whether a
//! server answers right now: a bus that followed the stack up and down would lose a signal sent
//! while the stack was down and hide a stored value once it went down. A configured Redis that
//! does not answer is an error that says how to start it, never a silent switch to the other
//! bus. Only a loop run, when its task starts ([`choose_at_task_start`]), may take the embedded
//! bus for a stack that is not running: it says so, and pins its task and agents to that bus.

use crate::branch::Workspace;
use crate::bus::{self, Bus, BusChoice, BusSource, BusTarget};
use crate::context::Context;
use crate::error::UserError;
use anyhow::Result;

/// The embedded bus's file inside a checkout's `.cfn/`.
pub const EMBEDDED_FILE: &str = "bus.db";

/// The bus of the primitives (`cfn context|signal|agent|results|lock`): by configuration.
pub fn choose(ctx: &Context, flag: Option<&str>) -> Result<BusChoice> {
    choose_with(ctx, flag, false)
}

/// The bus a loop run pins its task to: as [`choose`], except that a stack Redis that does not
/// answer at this moment means the embedded bus (said on stderr), for the task's whole life.
pub fn choose_at_task_start(ctx: &Context, flag: Option<&str>) -> Result<BusChoice> {
    choose_with(ctx, flag, true)
}

fn choose_with(ctx: &Context, flag: Option<&str>, stack_only_if_up: bool) -> Result<BusChoice> {
    let env_url = std::env::var("CFN_REDIS_URL").ok();
    let given = |v: Option<&str>| v.is_some_and(|v| !v.trim().is_empty());
    if given(flag) || given(env_url.as_deref()) {
        return Ok(bus::resolve(flag, env_url.as_deref(), None, &ctx.home.join(EMBEDDED_FILE)));
    }
    // A loop run pins its agents to its embedded bus through CFN_BUS_PATH.
    if let Some(path) = std::env::var_os(crate::bus::BUS_PATH_VAR).filter(|p| !p.is_empty()) {
        return Ok(bus::resolve(None, None, None, std::path::Path::new(&path)));
    }
    let (stack, embedded) = match Workspace::open(ctx) {
        Ok(ws) => match ws.branch_env(None) {
            Ok(branch) => (
                super::files::env_vars(&ws, &branch)?.get("CFN_REDIS_URL").cloned(),
                super::files::cfn_dir(&branch.path).join(EMBEDDED_FILE),
            ),
            Err(_) => (None, super::files::cfn_dir(&ws.checkout.root).join(EMBEDDED_FILE)),
        },
        Err(_) => (None, ctx.home.join(EMBEDDED_FILE)),
    };
    let stack = stack.filter(|url| {
        let use_it = !stack_only_if_up || answers(url);
        if !use_it {
            ctx.say(format!(
                "the branch stack's Redis is not running; this task uses the embedded bus {}",
                embedded.display()
            ));
        }
        use_it
    });
    Ok(bus::resolve(None, None, stack.as_deref(), &embedded))
}

/// Whether something accepts connections at the URL's host and port (within 300 ms).
fn answers(url: &str) -> bool {
    use std::net::ToSocketAddrs as _;
    let Some(rest) = url.split("://").nth(1) else { return false };
    let hostport = rest.rsplit('@').next().unwrap_or(rest).split('/').next().unwrap_or("");
    let Ok(mut addrs) = hostport.to_socket_addrs() else { return false };
    addrs.any(|a| std::net::TcpStream::connect_timeout(&a, std::time::Duration::from_millis(300)).is_ok())
}

/// Opens the chosen bus, saying which it is.
pub async fn open(ctx: &Context, choice: &BusChoice) -> Result<Bus> {
    if ctx.verbose > 0 {
        ctx.say(format!("bus: {choice}"));
    }
    Bus::open(choice).await.map_err(|e| user_error(e, Some(choice)))
}

/// A bus error as the user sees it: usage errors exit 2, an unreachable server names itself.
pub fn user_error(e: bus::BusError, choice: Option<&BusChoice>) -> anyhow::Error {
    let mut user = UserError::from(&e);
    if let Some(c) = choice.filter(|_| e.is_unreachable()) {
        user = user.hint(match (&c.target, c.source) {
            (BusTarget::Redis(url), BusSource::Stack) => format!(
                "the branch's bus is its stack's Redis at {}; run `cfn up` to start it \
                 (or pass --redis-url)",
                bus::redact(url)
            ),
            _ => format!("bus: {c}; start that server, or point --redis-url / CFN_REDIS_URL elsewhere"),
        });
    }
    anyhow::Error::new(e).context(user)
}
