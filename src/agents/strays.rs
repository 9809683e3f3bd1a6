//! Processes an agent leaves behind outside its process group.
//!
//! Each agent runs in a process group that is killed when its turn ends, but a process can leave
//! the group (`setsid`, a double fork) and wait for the next phase — to read a validator's
//! environment, its token, and report in its name. So the orchestrator makes itself the
//! **child subreaper** of everything it starts: an orphaned descendant is re-parented to cfn,
//! not to init, and after every phase [`kill_strays`] kills every process whose parent is cfn.
//! Between phases cfn has no child it wants to keep.

use anyhow::{Context as _, Result};
use rustix::process::{getpid, kill_process, set_child_subreaper, Pid, Signal};

/// Makes orphaned descendants of this process its children instead of init's.
#[cfg(target_os = "linux")]
pub fn adopt_orphans() -> Result<()> {
    set_child_subreaper(Some(getpid())).context("cannot make cfn the subreaper of its agents (prctl)")
}

#[cfg(not(target_os = "linux"))]
pub fn adopt_orphans() -> Result<()> {
    Ok(())
}

/// Kills every live child of this process (agents' escaped descendants, adopted as orphans);
/// repeated, because a killed process's own children are adopted in turn. Returns how many.
pub fn kill_strays() -> usize {
    let mut killed = 0;
    for _round in 0..20 {
        let strays = live_children();
        if strays.is_empty() {
            break;
        }
        for pid in strays {
            if let Some(pid) = Pid::from_raw(pid) {
                if kill_process(pid, Signal::KILL).is_ok() {
                    killed += 1;
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    killed
}

/// Pids whose parent is this process and that are not zombies, from `/proc`.
fn live_children() -> Vec<i32> {
    let me = getpid().as_raw_nonzero().get();
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
            // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so split after the last `)`.
            let mut fields = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("").split_whitespace();
            let state = fields.next().unwrap_or("Z");
            fields.next().and_then(|p| p.parse::<i32>().ok()) == Some(me) && state != "Z"
        })
        .collect()
}
