//! Test support shared by cfn's two test binaries, one copy for both: the unit tests inside
//! `src/` include it from `src/health/tests/mod.rs`, the integration tests of `tests/cli/`
//! from `tests/cli/main.rs` (each by a `#[path]` attribute, so it is compiled into each
//! binary but written once).
//!
//! - [`ci`]: the one rule for a missing tool or service: skip with a note outside CI, fail
//!   under `CI`.
//! - [`redis`], [`postgres`]: servers a test starts itself on free loopback ports, stopped by
//!   the [`watchdog`] even when the test process is killed.
//! - [`race`]: one piece of work on several threads released at the same instant.
//!
//! Nothing here may name the `cfn` crate: the two binaries reach it by different paths.

// Each binary uses a different part of this module.
#![allow(dead_code)]

pub mod ci;
pub mod postgres;
pub mod race;
pub mod redis;
pub mod watchdog;
