//! Starting a run from somewhere that cannot wait for it (the portal): the team and checks must
//! already be trusted — nothing is approved here, nothing asked — and `cfn loop run` is started
//! detached, without `--yes`, in a process group of its own, so it outlives whoever started it.
//! Its epic goes in a file and its output in a log, both 0600 under `$CFN_HOME/loop-runs/`.

use super::settings::Settings;
use crate::agents::AgentKind;
use crate::branch::{BranchEnv, Workspace};
use crate::error::UserError;
use anyhow::{Context as _, Result};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long the run may take to be recorded once started.
const RECORDED_WITHIN: Duration = Duration::from_secs(30);

/// Refuses (not trusted, with the CLI's hint) unless every agent and check the branch's loop
/// would run is trusted already.
pub fn require_trusted(ws: &Workspace, branch: &BranchEnv, max_iterations: Option<u32>) -> Result<()> {
    let s = Settings::resolve(&ws.config, None, max_iterations)?;
    let team = s.implementers.iter().chain(&s.validators).chain([&s.product_owner]);
    let mut items = crate::branch::trust::inventory::loop_checks(ws, branch);
    items.extend(
        team.filter(|(_, p)| p.kind != AgentKind::Person)
            .map(|(id, p)| crate::branch::trust::inventory::agent(ws, branch, id, p)),
    );
    for item in &items {
        if !crate::branch::trust::is_trusted(ws.state.conn(), ws.repo.id, item)? {
            return Err(crate::branch::trust::not_trusted(item.describe()));
        }
    }
    Ok(())
}

/// A new task id, or `task` once checked to be usable and unused.
pub fn task_id(conn: &rusqlite::Connection, task: Option<String>) -> Result<String> {
    let task = task.unwrap_or_else(super::driver::new_task_id);
    crate::bus::keys::check("task id", &task).map_err(|e| crate::branch::bus::user_error(e, None))?;
    if super::record::run_row(conn, &task)?.is_some() {
        return Err(UserError::new(format!("task {task} has already run"))
            .kind(crate::error::Kind::Busy)
            .hint("pick another task id, or none for a new one")
            .into());
    }
    Ok(task)
}

/// Starts `cfn loop run` for the branch, detached, and returns once the run is recorded.
pub fn start(
    home: &Path,
    branch: &BranchEnv,
    task: &str,
    epic: &str,
    max_iterations: Option<u32>,
) -> Result<PathBuf> {
    let dir = home.join("loop-runs");
    super::files::private_dir(&dir)?;
    let name = super::files::folder_name(task);
    let epic_file = dir.join(format!("{name}.epic"));
    private(&epic_file)?.write_all(epic.as_bytes())?;
    let log_path = dir.join(format!("{name}.log"));
    let log = private(&log_path)?;
    let exe = std::env::current_exe().context("cannot find the cfn program")?;
    // `--name=value`: a value that starts with `-` (a task id may) stays a value.
    let mut epic_arg = std::ffi::OsString::from("--epic-file=");
    epic_arg.push(&epic_file);
    let mut cmd = crate::process::Cmd::new(exe)
        .args(["loop", "run", &format!("--branch={}", branch.branch), &format!("--task-id={task}")])
        .arg(epic_arg)
        .cwd(&branch.path);
    if let Some(n) = max_iterations {
        cmd = cmd.args(["--max-iterations", &n.to_string()]);
    }
    let mut child = cmd.spawn_detached(log)?;
    let until = Instant::now() + RECORDED_WITHIN;
    let state = crate::state::State::open(home)?;
    loop {
        if super::record::run_row(state.conn(), task)?.is_some() {
            // Reaped when it ends, so that it leaves no zombie behind while this process lives.
            std::thread::spawn(move || child.wait());
            return Ok(log_path);
        }
        if let Some(status) = child.try_wait()? {
            let said = std::fs::read_to_string(&log_path).unwrap_or_default();
            return Err(UserError::new(format!(
                "`cfn loop run` ended ({status}) before recording the run: {}",
                crate::process::last_lines(&said, 3)
            ))
            .hint(format!("its output is in {}", log_path.display()))
            .into());
        }
        if Instant::now() >= until {
            return Err(anyhow::anyhow!(
                "the run was not recorded within {RECORDED_WITHIN:?}; see {}",
                log_path.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn private(path: &Path) -> Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))
}
