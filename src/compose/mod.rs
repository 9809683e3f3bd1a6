//! Compose files: finding, loading, interpolating and analysing them, and
//! rewriting them into a copy that can run once per branch.
//!
//! cfn never hands a user's compose file to compose unchanged: it reads the
//! file untyped, works out its published ports (the port keys), reports what
//! defeats per-branch isolation, and writes a sanitized copy that the
//! per-branch override then completes.

pub mod analyze;
mod depth;
mod detect_cache;
pub mod discover;
pub mod dotenv;
pub mod emit;
pub mod error;
pub mod findings;
pub mod interpolate;
pub mod load;
pub mod port_keys;
mod port_long;
pub mod port_spec;
mod portable;
pub use crate::protocol;
pub mod references;
pub mod reset;
pub mod resolve;
pub mod runner;
pub mod sanitize;
mod scalar;
pub mod value;

#[cfg(test)]
mod compose_cli_tests;
#[cfg(test)]
mod corpus_sanitize_tests;
#[cfg(test)]
mod corpus_tests;

pub use analyze::{published_ports, service_names};
pub use discover::find_compose_files;
pub use error::ComposeError;
pub use findings::{findings, Finding, FindingKind};
pub use interpolate::{interpolate, read_checkout_dotenv};
pub use load::{load, ComposeFile};
pub use port_keys::{port_keys, PortKey};
pub use port_spec::Protocol;
pub use resolve::resolve;
pub use sanitize::{sanitize_with_env, to_yaml};
