//! The CFN loop: implementers (Loop 3) → checks → gate → validators (Loop 2) → consensus →
//! product owner → PROCEED, ITERATE or ABORT, with feedback carried into the next iteration;
//! ESCALATE when an iteration reverts the previous one, `budget` past a budget.
//!
//! Fail closed everywhere: an agent that exits without reporting, crashes or passes its
//! deadline counts as confidence 0; a product-owner answer that is not exactly one of the three
//! decisions is ITERATE; running out of iterations is a failure; a bus that fails mid-run ends
//! the run as failed with the reason. Every step is written to the state database and
//! published on the bus as an event.

mod agents_view;
mod background;
mod budget;
mod checks;
mod control;
mod control_watch;
mod coordinator;
mod decision;
mod driver;
mod evidence;
mod files;
mod iterate;
mod journal;
mod lanes;
mod leftovers;
mod oscillation;
mod person;
mod phase;
mod preflight;
mod prompt;
mod record;
mod settings;
mod status;
mod still_trusted;
mod usage;
mod verify;

pub use agents_view::{agents_of, AgentView};
pub use background::{require_trusted, start as start_in_background, task_id as new_background_task};
pub use control::{
    add_agent, answer as control_answer, decide, kill as kill_agent, Answer, Request, ANSWER_WITHIN,
};
pub use decision::Decision;
pub use driver::{resume, run, RunOptions, Summary};
pub use record::{list_runs, run_events, run_row};
pub use status::RunStatus;
pub use usage::{describe as describe_usage, from_events as usage_of};
