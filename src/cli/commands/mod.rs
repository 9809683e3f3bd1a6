//! One file per subcommand: its arguments, and one function that calls into the domain.

pub(crate) mod agent;
pub(crate) mod args;
pub(crate) mod bus_args;
mod bus_context;
mod bus_lock;
mod completions;
mod compose;
mod confirm;
pub(crate) mod data;
mod doctor;
pub(crate) mod down;
mod env;
mod git_hooks;
mod health;
mod hook_run;
mod init;
mod logs;
mod loop_cmd;
pub(crate) mod loop_control;
mod loop_events;
mod loop_status;
mod manpage;
mod mcp;
mod migrate;
mod portal;
mod ports;
mod proxy;
mod results;
mod signal;
pub(crate) mod status;
mod token;
mod trust;
pub(crate) mod up;
mod url;
pub mod view;
pub(crate) mod worktree;

use crate::context::Context;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write cfn.toml from the compose files and set up the main checkout (in a worktree: the
    /// branch's own cfn.toml).
    Init(init::Args),
    /// Create, list, remove and prune worktrees.
    #[command(subcommand)]
    Worktree(worktree::WorktreeCommand),
    /// Show a branch's host ports.
    Ports(ports::Args),
    /// Print a branch's hostname URLs through the proxy.
    Url(url::Args),
    /// Run the hostname proxy in the foreground: `<service>.<branch>.<project>.localhost`.
    Proxy(proxy::Args),
    /// Print a branch's environment variables.
    Env(env::Args),
    /// Run compose with the branch's project name, files and variables.
    Compose(compose::Args),
    /// Start the branch's stack and wait until every service is ready.
    Up(up::Args),
    /// Stop the branch's stack, with containers of services no longer in its files; its volumes are kept unless --volumes.
    Down(down::Args),
    /// Copy a branch's data from another branch; snapshot and restore it.
    #[command(subcommand)]
    Data(data::DataCommand),
    /// Every worktree with its slot, ports and per-service state.
    Status(status::Args),
    /// Show the logs of the branch's services.
    Logs(logs::Args),
    /// Find what is wrong with the set-up and say how to fix it.
    Doctor(doctor::Args),
    /// Run the branch's health checks.
    Health(health::Args),
    /// Apply or revert the branch's database migrations.
    Migrate(migrate::Args),
    /// Install, remove or inspect cfn's git hooks.
    #[command(subcommand)]
    Hooks(git_hooks::HooksCommand),
    /// Run by cfn's git hooks.
    #[command(hide = true)]
    HookRun(hook_run::Args),
    /// Store and read values shared by a task's agents.
    #[command(subcommand)]
    Context(bus_context::ContextCommand),
    /// Send and wait for signals between a task's agents.
    #[command(subcommand)]
    Signal(signal::SignalCommand),
    /// Report an agent's result.
    #[command(subcommand)]
    Agent(agent::AgentCommand),
    /// Collect agents' results.
    #[command(subcommand)]
    Results(results::ResultsCommand),
    /// Run the loop for an epic, and inspect runs.
    #[command(subcommand, name = "loop")]
    Loop(loop_cmd::LoopCommand),
    /// Take and release token locks.
    #[command(subcommand)]
    Lock(bus_lock::LockCommand),
    /// Issue, verify, revoke and list agents' tokens for MCP servers.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Review and approve what the repository makes cfn run (hooks, health commands,
    /// migrations, agents).
    Trust(trust::Args),
    /// Serve the branch's environment to agents over the Model Context Protocol (stdio).
    Mcp(mcp::Args),
    /// Serve a web page and JSON API over every branch environment and loop run on this machine.
    Portal(portal::Args),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions(completions::Args),
    /// Print the manual page (roff).
    #[command(hide = true)]
    Manpage(manpage::Args),
}

/// Runs the command on the runtime `cli::run` made; commands that talk to servers are async.
pub async fn run(ctx: &Context, command: Command) -> Result<()> {
    match command {
        Command::Init(args) => init::run(ctx, args),
        Command::Worktree(cmd) => worktree::run(ctx, cmd).await,
        Command::Ports(args) => ports::run(ctx, args),
        Command::Url(args) => url::run(ctx, args),
        Command::Proxy(args) => proxy::run(ctx, args).await,
        Command::Env(args) => env::run(ctx, args),
        Command::Compose(args) => compose::run(ctx, args),
        Command::Up(args) => up::run(ctx, args).await,
        Command::Down(args) => down::run(ctx, args).await,
        Command::Data(cmd) => data::run(ctx, cmd).await,
        Command::Status(args) => status::run(ctx, args).await,
        Command::Logs(args) => logs::run(ctx, args),
        Command::Migrate(args) => migrate::run(ctx, args),
        Command::Health(args) => health::run(ctx, args).await,
        Command::Doctor(args) => doctor::run(ctx, args).await,
        Command::Hooks(cmd) => git_hooks::run(ctx, cmd),
        Command::HookRun(args) => hook_run::run(ctx, args),
        Command::Context(cmd) => bus_context::run(ctx, cmd).await,
        Command::Signal(cmd) => signal::run(ctx, cmd).await,
        Command::Agent(cmd) => agent::run(ctx, cmd).await,
        Command::Results(cmd) => results::run(ctx, cmd).await,
        Command::Lock(cmd) => bus_lock::run(ctx, cmd).await,
        Command::Loop(cmd) => loop_cmd::run(ctx, cmd).await,
        Command::Token(cmd) => token::run(ctx, cmd),
        Command::Trust(args) => trust::run(ctx, args),
        Command::Mcp(args) => mcp::run(ctx, args).await,
        Command::Portal(args) => portal::run(ctx, args).await,
        Command::Completions(args) => completions::run(ctx, args),
        Command::Manpage(args) => manpage::run(ctx, args),
    }
}
