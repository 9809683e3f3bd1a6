//! cfn's integration tests: the real binary, real git, in hermetic temporary repositories.
//! One test binary (faster to build and link than one per file); one module per area.

mod harness;

mod agent_trust;
mod branch_busy;
mod branch_names;
mod bus_choice;
mod bus_secrets;
mod completions;
mod compose_detect;
mod compose_include;
mod container_agent;
mod coordination;
mod corpus_branches;
mod crash;
mod crash_invariants;
mod crash_signals;
mod demo;
mod doctor;
mod doctor_many;
mod git_hooks;
mod hostile_templates;
mod init;
mod isolation;
mod lease_follow;
mod lifecycle;
mod mcp;
mod migrate;
mod moved_checkout;
mod no_docker;
mod plain_compose;
mod plain_compose_hooks;
mod ports_alloc;
mod prune_running;
mod reference;
mod repo_trust;
mod small_stack;
mod soak;
mod stack;
mod stack_harness;
mod stack_recovery;
mod token;
mod user_errors;
mod work_loop;
mod worktree_add;
mod worktree_remove;
