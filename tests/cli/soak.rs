//! Soak: eight workers add and remove worktrees of a few shared branches for a while, with a
//! share of their cfn processes SIGKILLed at random moments (sometimes with the git they run,
//! by process group). Afterwards `cfn doctor --fix` must leave registry, git and disk in
//! agreement, and every branch must be usable again.
//!
//! `CFN_SOAK_SECS` sets the duration (default 20 s; 60 s for a longer run by hand).

use crate::crash_invariants::*;
use crate::harness::*;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

const BRANCHES: [&str; 5] = ["s0", "s1", "s2", "s3", "s4"];

/// xorshift64*: enough randomness to vary kills, with the seed printed to replay a run.
fn next(state: &AtomicU64) -> u64 {
    let mut x = state.load(Ordering::Relaxed);
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    state.store(x, Ordering::Relaxed);
    x.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

#[test]
fn eight_workers_adding_and_removing_under_random_sigkills() {
    let secs: u64 = std::env::var("CFN_SOAK_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    let seed = std::env::var("CFN_SOAK_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    eprintln!("soak: {secs} s, seed {seed} (CFN_SOAK_SEED repeats the random choices, not the timing)");
    let sb = Arc::new(Sandbox::new());
    let root = sb.shop("shop");
    let deadline = Instant::now() + Duration::from_secs(secs);
    let (runs, killed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let workers: Vec<_> = (0..8u64)
        .map(|w| {
            let (sb, root, runs, killed) = (sb.clone(), root.clone(), runs.clone(), killed.clone());
            std::thread::spawn(move || {
                let rng = AtomicU64::new(seed.wrapping_add(w.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1);
                while Instant::now() < deadline {
                    let branch = BRANCHES[(next(&rng) % BRANCHES.len() as u64) as usize];
                    let args: &[&str] = if next(&rng).is_multiple_of(2) {
                        &["worktree", "add", branch]
                    } else {
                        &["worktree", "remove", "--force", "--delete-branch", branch]
                    };
                    let child = spawn_cfn(&sb, &root, args, &[]);
                    runs.fetch_add(1, Ordering::Relaxed);
                    // Every third run is killed after 0-400 ms; every other kill takes git too.
                    if next(&rng).is_multiple_of(3) {
                        std::thread::sleep(Duration::from_millis(next(&rng) % 400));
                        kill(child.id(), "-KILL", next(&rng).is_multiple_of(2));
                        killed.fetch_add(1, Ordering::Relaxed);
                    }
                    let out = child.wait_with_output().unwrap();
                    let err = stderr(&out);
                    // Losing a race is fine; a raw database error or a panic is not.
                    assert!(
                        !err.contains("UNIQUE constraint") && !err.contains("panicked"),
                        "{args:?}: {err}"
                    );
                    // Losing a race says so; anything else is shown, to explain a failure below.
                    let expected = ["already has a worktree", "is busy", "no worktree for branch"];
                    let killed_run = out.status.code().is_none();
                    if !out.status.success() && !killed_run && !expected.iter().any(|e| err.contains(e)) {
                        eprintln!("soak: {args:?}: {}", err.trim());
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    eprintln!(
        "soak: {} cfn runs, {} SIGKILLed, {} worktrees left",
        runs.load(Ordering::Relaxed),
        killed.load(Ordering::Relaxed),
        rows(&sb).len()
    );
    let log = doctor_fix(&sb, &root);
    eprintln!("soak: doctor --fix said:\n{log}");
    assert_consistent(&sb, &root, &BRANCHES);
    for branch in BRANCHES {
        assert_reusable(&sb, &root, branch);
    }
    assert_consistent(&sb, &root, &BRANCHES);
}
