//! cfn: every git branch its own isolated, running environment — worktree, collision-free
//! ports, rendered env and compose files — and a multi-agent work loop against it.

// Only the front-ends write to the terminal (docs/architecture.md); tests may print.
#![cfg_attr(not(test), warn(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro))]

// Primitives: each talks to one thing (git, the engine, compose files, the state database, a
// bus, a database, an agent process) and knows nothing of branches or commands.
pub(crate) mod agents;
pub mod bus;
pub(crate) mod compose;
pub mod config;
#[allow(clippy::print_stderr)] // the one door of lower layers to the person at the terminal
pub(crate) mod context;
#[allow(clippy::print_stderr)] // a crash point's last words before it aborts
pub(crate) mod crash_point;
pub(crate) mod engine;
pub mod error;
pub(crate) mod git;
pub(crate) mod git_hooks;
pub(crate) mod health;
pub(crate) mod interrupt;
pub(crate) mod lock_file;
pub(crate) mod migrate;
pub mod names;
pub(crate) mod pg;
pub mod ports;
pub(crate) mod process;
pub mod protocol;
pub(crate) mod render;
pub(crate) mod runtime;
pub(crate) mod safe_path;
pub mod state;
pub mod token;

// One branch's environment, built on the primitives: its workspace, rendered files,
// migrations, health checks, bus, project hooks, trust and registry rebuild.
pub(crate) mod branch;

// What cfn does with branches: worktrees, stacks, data, diagnosis, init, the proxy and the
// agent loop.
pub(crate) mod data;
pub(crate) mod doctor;
pub(crate) mod init;
pub(crate) mod proxy;
pub(crate) mod stack;
pub(crate) mod workloop;
pub(crate) mod worktrees;

// The front-ends on top: the command line (arguments, one file per command, output) and the
// MCP server for agents, which calls the same command functions.
#[allow(clippy::print_stdout, clippy::print_stderr)]
pub mod cli;

pub use cli::run;

#[cfg(test)]
mod architecture_tests;
