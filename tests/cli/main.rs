//! cfn's integration tests: the real binary, real git, in hermetic temporary repositories.
//! One test binary (faster to build and link than one per file); one module per area.

mod harness;
/// The test support shared with the unit tests in src/ (one copy): servers, the CI rule, `race`.
#[path = "../support/mod.rs"]
mod support;

mod agent_adapters;
mod agent_trust;
mod branch_busy;
mod branch_names;
mod bus_choice;
mod bus_secrets;
mod checkout_env;
mod completions;
mod compose_detect;
mod compose_include;
mod container_agent;
mod coordination;
mod corpus_branches;
mod crash;
mod crash_invariants;
mod crash_signals;
mod data;
mod demo;
mod doctor;
mod doctor_many;
mod error_report;
mod git_hooks;
mod hostile_paths;
mod hostile_templates;
mod init;
mod isolation;
mod lease_follow;
mod lease_guard;
mod lifecycle;
mod lost_id;
mod mcp;
mod migrate;
mod moved_checkout;
mod no_docker;
mod orphan_owner;
mod plain_compose;
mod plain_compose_hooks;
mod ports_alloc;
mod proxy;
mod prune_running;
mod reference;
mod registry_rebuild;
mod repo_trust;
mod small_stack;
mod soak;
mod stack;
mod stack_harness;
mod stack_recovery;
mod test_files;
mod token;
mod transcripts;
mod transcripts_config;
mod transcripts_loop;
mod transcripts_outputs;
mod transcripts_token;
mod transcripts_worktree;
mod user_errors;
mod work_loop;
mod worktree_add;
mod worktree_remove;
