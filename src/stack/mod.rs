//! A branch's stack: bringing it up until it is really ready, taking it down without losing
//! data, and reading its state.

mod endpoints;
mod lifecycle;
mod logs;
mod progress;
mod services;
mod wait;

pub use endpoints::{endpoints, Endpoint};
pub use lifecycle::{down, prepare, up, StackHandle, UpOptions};
pub use logs::{tail as tail_logs, ServiceLog, MAX_LOG_LINES};
pub use progress::{describe, describe_short, Progress};
pub use services::{check_known as check_services, named_in as services_named_in};
pub use wait::{wait_ready, Readiness, WaitOutcome};
