//! Each agent process in a PID namespace of its own.
//!
//! The kernel lets a process read `/proc/<pid>/environ` of any process of the same user that is
//! dumpable — every agent is, once it has exec'd its program. Agents of one phase run at the same
//! time as the same user, so without this an implementer could read its sibling's report token
//! and provider key and report in its name. cfn runs each process agent under util-linux's
//! `unshare --user --map-current-user --pid --fork --mount-proc --kill-child`: a user namespace
//! mapping the caller to itself (no privilege needed; files keep their owner, access checks are
//! the caller's), a PID namespace whose init is the agent's program, and a `/proc` that shows
//! that namespace only. An agent sees its own processes and nobody else's (not cfn, not another
//! agent), and every process it leaves behind dies with it. The whole runs under `setpriv
//! --pdeathsig KILL`, so an agent dies with cfn even when cfn is killed outright.
//!
//! Where the kernel or util-linux does not allow it (user namespaces turned off, util-linux older
//! than 2.38) agents run without it, and the loop says so at its start (docs/security.md).

use super::run::AgentRun;
use crate::process::{find_on_path, last_lines, Cmd};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const FLAGS: [&str; 7] =
    ["--user", "--map-current-user", "--pid", "--fork", "--mount-proc", "--kill-child", "--"];

/// `unshare` when it can give agents a PID namespace here, else why not.
pub fn available() -> Result<PathBuf, String> {
    static PROBED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PROBED.get_or_init(probe).clone()
}

fn probe() -> Result<PathBuf, String> {
    let unshare = find_on_path("unshare").ok_or("util-linux's `unshare` is not installed")?;
    let out = Cmd::new(&unshare).args(FLAGS).arg("true").output().map_err(|e| format!("{e:#}"))?;
    if out.status.success() {
        Ok(unshare)
    } else {
        Err(format!("`unshare` cannot make a user and PID namespace here: {}", last_lines(&out.stderr, 1)))
    }
}

/// The agent's command (`program args…` in its folder, with exactly its environment), in a PID
/// namespace of its own when namespaces are available. A program that is not there fails here,
/// as it would to start without the namespace, not as an exit status of `unshare`.
pub fn command(spec: &AgentRun, program: &str, args: &[String]) -> anyhow::Result<Cmd> {
    let cmd = Cmd::new(program).args(args).cwd(&spec.workdir).env_clear().envs(spec.env.iter().cloned());
    // Killed with cfn, even by SIGKILL: an agent no coordinator waits for must not run on.
    let Ok(unshare) = available() else { return Ok(cmd.dying_with_parent()) };
    let path = spec.env.iter().find(|(k, _)| k == "PATH").map(|(_, v)| v.as_str());
    if !startable(program, &spec.workdir, path) {
        anyhow::bail!("cannot run {program}: not found (No such file or directory)");
    }
    Ok(cmd.run_by(&unshare, &FLAGS).dying_with_parent())
}

/// Whether `program` names a file: a path (relative to `dir`), or a name on `path`.
fn startable(program: &str, dir: &Path, path: Option<&str>) -> bool {
    if program.contains('/') {
        return dir.join(program).is_file();
    }
    std::env::split_paths(path.unwrap_or_default()).any(|d| dir.join(d).join(program).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_isolated_process_sees_only_its_own_namespace() {
        if available().is_err() {
            assert!(std::env::var_os("CI").is_none(), "user namespaces are needed in CI: {:?}", available());
            return;
        }
        let unshare = available().unwrap();
        let probe = Cmd::new("sh").args(["-c", "echo $$; ls /proc | grep -c '^[0-9]'"]);
        let out = probe.run_by(&unshare, &FLAGS).output().unwrap();
        assert!(out.status.success(), "{}", out.stderr);
        let mut lines = out.stdout.lines();
        assert_eq!(lines.next(), Some("1"), "the agent is its namespace's init");
        let processes: u32 = lines.next().unwrap().trim().parse().unwrap();
        assert!(processes <= 3, "only its own processes are visible: {processes}");
    }

    #[test]
    fn a_program_is_startable_by_path_or_on_the_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("run.sh"), "").unwrap();
        assert!(startable("./run.sh", dir.path(), None));
        assert!(!startable("./missing.sh", dir.path(), None));
        assert!(startable("sh", dir.path(), Some("/nonexistent:/bin:/usr/bin")));
        assert!(!startable("no-such-program-here", dir.path(), Some("/bin:/usr/bin")));
    }
}
