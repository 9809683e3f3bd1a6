//! cfn: every git branch its own isolated, running environment — worktree, collision-free
//! ports, rendered env and compose files — and a multi-agent work loop against it.

// Primitives: each talks to one thing (git, the engine, compose files, the state database, a
// bus, a database) and knows nothing of branches or commands.
pub mod bus;
pub(crate) mod compose;
pub mod config;
pub(crate) mod context;
pub(crate) mod crash_point;
pub(crate) mod engine;
pub mod error;
pub(crate) mod git;
pub(crate) mod git_hooks;
pub(crate) mod health;
pub(crate) mod interrupt;
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

// One branch's environment, built on the primitives: its workspace, rendered files,
// migrations, health checks, bus and project hooks.
pub(crate) mod branch;

// What cfn does with branches: worktrees, stacks, data, diagnosis, trust, the proxy and the
// agent loop.
pub(crate) mod agents;
pub(crate) mod data;
pub(crate) mod doctor;
pub(crate) mod init;
pub(crate) mod proxy;
pub(crate) mod stack;
pub mod token;
pub(crate) mod workloop;
pub(crate) mod worktrees;

// The front-ends on top: the command line (arguments, one file per command, output) and the
// MCP server for agents, which calls the same command functions.
pub mod cli;

pub use cli::run;

#[cfg(test)]
mod architecture_tests;
