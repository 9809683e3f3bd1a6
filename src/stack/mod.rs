//! A branch's stack: bringing it up until it is really ready, taking it down without losing
//! data, and reading its state.

mod bring_up;
mod describe;
mod endpoints;
mod logs;
mod services;
mod up_down;
mod wait;

pub use bring_up::{bring_down, bring_up, DownRequest, UpOutcome, UpRequest};
pub use describe::{describe, describe_short};
pub use endpoints::{endpoints, Endpoint};
pub use logs::{tail as tail_logs, ServiceLog, MAX_LOG_LINES};
pub use services::{check_known as check_services, named_in as services_named_in};
pub use wait::Watch;
