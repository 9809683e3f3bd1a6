//! Crash points for testing recovery: `CFN_CRASH_AT=<operation>:<step>` makes a debug build
//! abort the process, as abruptly as a SIGKILL (no destructors, no rollback, locks dropped by
//! the operating system), when that operation reaches that numbered step.
//!
//! Only builds with debug assertions (`cargo build`, `cargo test`) honour it; in a release
//! build (`cargo build --release`, `cargo install`) [`reached`] compiles to nothing, so the
//! variable can never break a user's command. tests/cli/crash.rs loops over every step of
//! `worktree add`, `worktree remove` and `migrate up` and checks that `cfn doctor --fix` then
//! leaves the registry, git and the disk in agreement; tests/cli/prune_running.rs crashes
//! `prune:1` and checks that the next prune releases the leases.
//!
//! The steps: `add:1` row and leases committed, `add:2` git checked out, `add:3` ignored files
//! copied, `add:4` files rendered, `add:5` row ready (lock file not yet deleted);
//! `remove:1` remove recorded, `remove:2` stack stopped, `remove:3` worktree removed by git,
//! `remove:4` branch deleted (when asked); `prune:1` a gone worktree's stack stopped, its row and
//! leases not yet released; `migrate:1` migrator lock taken, `migrate:2` a
//! migration's script ran but its transaction is not committed, `migrate:3` that migration
//! committed; `rebuild:1` a rebuilt registry row written, its transaction not committed;
//! `data:1` a volume copy complete (in its temporary volume, not yet journalled; or in a target
//! volume the copy created, not yet marked done), `data:2` the swap journalled, `data:3` the
//! target emptied, the copy not yet in it (tests/cli/data.rs); `data-pg:1` a PostgreSQL copy
//! complete in its temporary database, `data-pg:2` renamed over the target, the old database not
//! yet dropped (tests/cli/data_postgres.rs); `proxy-start:1` the background proxy spawned, not
//! yet seen answering (tests/cli/proxy_background.rs); `proxy-ca:1` the proxy's local CA written
//! in `proxy-ca.new/`, not yet moved into place (tests/cli/proxy_tls.rs); `loop:1`…`loop:8` a loop
//! iteration's step (start, implementers, checks, gate, validators, consensus, product owner,
//! decision) recorded, `loop:9` every agent of a phase started and still running
//! (tests/cli/loop_resume.rs: `cfn loop resume` then reaches the uninterrupted run's decision);
//! `lanes:1` an implementer's lane merged into the branch, not yet removed, `lanes:2` removed
//! (tests/cli/loop_lanes.rs, with `isolation = "worktrees"`).

/// Aborts the process if `CFN_CRASH_AT` names this step (debug builds only).
#[inline]
pub fn reached(operation: &str, step: u32) {
    #[cfg(debug_assertions)]
    if let Some(wanted) = std::env::var_os("CFN_CRASH_AT") {
        if wanted.to_str() == Some(format!("{operation}:{step}").as_str()) {
            eprintln!("cfn: crash point {operation}:{step} reached (CFN_CRASH_AT), aborting");
            std::process::abort();
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = (operation, step);
}
