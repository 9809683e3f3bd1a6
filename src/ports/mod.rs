//! Host ports for branches, with four guarantees (DESIGN §4):
//!
//! 1. no two leases anywhere on the machine could bind the same (port, protocol) at once, and no
//!    lease takes any repository's base port: the allocator checks each candidate inside the
//!    caller's `BEGIN IMMEDIATE` transaction, and the schema refuses a second holder; keys of
//!    one branch that can never bind together share a number ([`lanes`]);
//! 2. every port handed out was bindable at that moment ([`probe`]);
//! 3. a branch re-created gets its slot back if it is free: the first slot tried is derived from
//!    SHA-256 of the repository and the branch ([`scheme::preferred_slot`]), then slots upward;
//! 4. slot 0 is the main checkout; branch ports stay within 1024–65535, a base port below 1024
//!    included ([`lanes::LOW_PORT_LIFT`]).

mod allocate;
pub mod engine_host;
pub mod lanes;
pub mod probe;
pub mod reconcile;
pub mod scheme;
pub mod still_published;

pub use allocate::{allocate, Allocation};
pub use engine_host::{EngineHost, PortHost};
