//! Agents of the loop: their profiles, the provider each one uses and the credentials it may
//! see, the context file it reads, and running it as a process or a container with a deadline.

mod config;
mod container;
mod context_file;
mod process;
mod providers;
mod run;

pub use config::{AgentProfile, LoopConfig, Mode, ProviderConfig, Role};
pub use context_file::{write_context_file, AgentContext};
pub use providers::{agent_environment, route_provider, Routing};
pub use run::{run_agent, AgentOutcome, AgentRun};
