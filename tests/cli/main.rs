//! cfn's integration tests: the real binary, real git, in hermetic temporary repositories.
//! One test binary (faster to build and link than one per file); one module per area.

mod harness;

mod branch_names;
mod completions;
mod container_agent;
mod coordination;
mod crash;
mod crash_invariants;
mod crash_signals;
mod doctor;
mod git_hooks;
mod init;
mod isolation;
mod lifecycle;
mod migrate;
mod no_docker;
mod ports_alloc;
mod reference;
mod soak;
mod stack;
mod stack_harness;
mod work_loop;
mod worktree_add;
mod worktree_remove;
