//! Agents of the loop: their profiles, the provider each one uses and the credentials it may
//! see, the allowlisted environment and the report token it gets, the context file it reads,
//! running it as a process or a hardened container with a deadline, and the skills it is
//! given (registered and versioned in the state database).

pub mod adapters;
mod container;
#[cfg(test)]
mod container_tests;
mod context_file;
mod credentials;
mod environment;
pub mod namespace;
mod process;
mod providers;
pub mod report_token;
mod run;
pub mod skills;
mod strays;
mod streamed;

pub use crate::config::agents::{AgentKind, AgentProfile, Mode, ProviderConfig, Role};
pub use context_file::{write_context_file, AgentContext};
pub use credentials::{make_undumpable, Keyring};
pub use environment::allowlisted;
pub use providers::{all_credentials, route_provider, Routing};
pub use run::{run_agent, AdapterRun, AgentOutcome, AgentRun, Started};
pub use strays::{adopt_orphans, kill_strays};
