//! A loop that survives its coordinator: `cfn loop run` killed at every step (crash points
//! `loop:1`…`loop:9`) and `cfn loop resume` reaching the same decision as a run never
//! interrupted, with deterministic command agents on the embedded bus; agents that reported are
//! not run again, agents still running are killed and run again; two resumes at once: one wins.

use crate::harness::*;
use crate::work_loop::{repo_with, summary, Team};
use std::path::Path;

/// Implementers report at once; the validator approves; the product owner says ITERATE in
/// iteration 1 and PROCEED in 2. Every agent notes each time it runs in `runs.txt`.
fn team_repo(sb: &Sandbox, implementer_extra: &str) -> std::path::PathBuf {
    let log = sb.path().join("runs.txt");
    let note = format!("echo \"$CFN_AGENT_ID $CFN_ITERATION\" >> '{}'", log.display());
    let implementer = format!("{note}\n{implementer_extra}\nreport 0.95");
    let validator = format!("{note}\nreport 0.95");
    let po = format!(
        "{note}\nif [ \"$CFN_ITERATION\" = 1 ]; then report 0.9 ok '{{\"decision\": \"ITERATE\"}}'; \
         else report 0.9 ok '{{\"decision\": \"PROCEED\"}}'; fi"
    );
    let checks = "\n[loop.checks.ok]\ncommand = [\"true\"]\n";
    let team = Team { implementer: &implementer, validator: &validator, po: &po, extra_config: checks };
    repo_with(sb, &team)
}

fn loop_cmd(sb: &Sandbox, root: &Path, args: &[&str], crash: Option<&str>) -> std::process::Output {
    let mut cmd = sb.cfn(root, args);
    cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn")).env_remove("CFN_REDIS_URL");
    if let Some(at) = crash {
        cmd.env("CFN_CRASH_AT", at);
    }
    cmd.timeout(std::time::Duration::from_secs(120)).output().unwrap()
}

/// What a run decided, in order: (iteration, agent, decision) of the approval history.
fn decisions(sb: &Sandbox, task: &str) -> Vec<(i64, String, String)> {
    let db = sb.db();
    let mut stmt = db
        .prepare("SELECT iteration, agent, decision FROM approval_history WHERE task_id = ?1 ORDER BY id")
        .unwrap();
    stmt.query_map([task], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn runs_of(sb: &Sandbox) -> Vec<String> {
    let text = std::fs::read_to_string(sb.path().join("runs.txt")).unwrap_or_default();
    text.lines().map(str::to_string).collect()
}

#[test]
fn killed_at_every_step_a_resumed_run_decides_as_an_uninterrupted_one() {
    let reference = {
        let sb = Sandbox::new();
        let root = team_repo(&sb, "");
        let out = loop_cmd(
            &sb,
            &root,
            &["loop", "run", "--yes", "--json", "--epic", "x", "--task-id", "ref"],
            None,
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let s = summary(&out);
        (s["status"].clone(), s["decision"].clone(), s["iterations"].clone(), decisions(&sb, "ref"))
    };
    assert_eq!(reference.0, "proceed");
    assert_eq!(reference.2, 2);
    for step in 1..=9 {
        let sb = Sandbox::new();
        // At loop:9 the implementers are still running when the coordinator dies.
        // Implementers started before the resume wait long: they must not outlive the crash.
        let marker = format!("RESUME_MARK={}", sb.path().display());
        let resumed = sb.path().join("resumed");
        let first_waits = format!("export {marker}; [ -e '{}' ] || sleep 30", resumed.display());
        let root = team_repo(&sb, if step == 9 { &first_waits } else { "" });
        let task = format!("crash-{step}");
        let at = format!("loop:{step}");
        let run = ["loop", "run", "--yes", "--json", "--epic", "x", "--task-id", task.as_str()];
        let out = loop_cmd(&sb, &root, &run, Some(&at));
        assert!(!out.status.success(), "{at}: the run was killed");
        assert!(stderr(&out).contains(&format!("crash point {at} reached")), "{at}: {}", stderr(&out));
        let list = sb.json(&root, &["loop", "list", "--json"]);
        assert_eq!(list[0]["status"], "interrupted", "{at}: {list}");
        let reason = list[0]["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains("ended without finishing the run")
                && reason.contains(&format!("cfn loop resume {task}")),
            "{at}: {list}"
        );
        let before = runs_of(&sb);
        std::fs::write(&resumed, "").unwrap();
        let out = loop_cmd(&sb, &root, &["loop", "resume", &task, "--yes", "--json"], None);
        assert!(out.status.success(), "{at}: {}", stderr(&out));
        let s = summary(&out);
        assert_eq!(
            (s["status"].clone(), s["decision"].clone(), s["iterations"].clone(), decisions(&sb, &task)),
            reference,
            "{at}: {}",
            stderr(&out)
        );
        let err = stderr(&out);
        assert!(err.contains(&format!("resuming task {task}")), "{at}: {err}");
        // Every agent turn that ended before the crash is not run again.
        let after = runs_of(&sb);
        for line in &before {
            let again = after.iter().filter(|l| *l == line).count();
            let killed = step == 9 && line.starts_with("impl-");
            assert_eq!(again, if killed { 2 } else { 1 }, "{at}: {line} ran {again} times: {after:?}");
        }
        if step == 9 {
            // Process agents die with their coordinator (a parent-death signal); where one
            // outlives it, the resume kills it. Either way it runs again.
            assert!(
                err.contains("was still running: killed; it runs again")
                    || err.contains("ended unrecorded; it runs again"),
                "{err}"
            );
            let left = crate::work_loop::marked_processes(&marker);
            assert!(crate::work_loop::all_gone_soon(&marker), "implementers still run: {left:?}");
        }
        let status = sb.json(&root, &["loop", "status", &task, "--json"]);
        assert_eq!(status["run"]["status"], "proceed", "{at}");
    }
}

#[test]
fn an_agent_that_reported_is_not_run_again_and_a_second_resume_is_refused() {
    let sb = Sandbox::new();
    let gate = sb.path().join("second-time");
    // impl-2 hangs in its first turn; run again (after the resume killed it), it takes a moment.
    let extra = format!(
        "if [ \"$CFN_AGENT_ID\" = impl-2 ]; then if mkdir '{0}' 2>/dev/null; then sleep 60; else sleep 3; fi; fi",
        gate.display()
    );
    let root = team_repo(&sb, &extra);
    let mut child =
        background(&sb, &root, &["loop", "run", "--yes", "--json", "--epic", "x", "--task-id", "half"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let finished = |agent: &str| {
        sb.count(&format!(
            "SELECT COUNT(*) FROM loop_turns WHERE task_id = 'half' AND agent = '{agent}' AND turn IS NOT NULL"
        ))
    };
    while !(finished("impl-1") == 1 && gate.exists()) {
        assert!(std::time::Instant::now() < deadline, "impl-1 never finished");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let first = background(&sb, &root, &["loop", "resume", "half", "--yes", "--json"]);
    // The second resume comes while the first is running impl-2 again.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while sb.count("SELECT COUNT(*) FROM loop_events WHERE task_id = 'half' AND kind = 'resume'") == 0 {
        assert!(std::time::Instant::now() < deadline, "the first resume never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let second = loop_cmd(&sb, &root, &["loop", "resume", "half", "--yes"], None);
    assert_eq!(second.status.code(), Some(1));
    let err = stderr(&second);
    assert!(err.contains("loop half is being coordinated by pid"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    let out = first.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(summary(&out)["status"], "proceed");
    let err = stderr(&out);
    assert!(err.contains("impl-1 already reported; not run again"), "{err}");
    assert!(err.contains("impl-2 (pid"), "{err}");
    let runs = runs_of(&sb);
    assert_eq!(runs.iter().filter(|l| *l == "impl-1 1").count(), 1, "{runs:?}");
    assert_eq!(runs.iter().filter(|l| *l == "impl-2 1").count(), 2, "{runs:?}");
    let resumed = loop_cmd(&sb, &root, &["loop", "resume", "half", "--yes"], None);
    assert_eq!(resumed.status.code(), Some(2), "a finished run is not resumed");
    assert!(
        stderr(&resumed).contains("ended as proceed; there is nothing to resume"),
        "{}",
        stderr(&resumed)
    );
}

/// `cfn ARGS` in `root`, started and left running, its output piped.
pub(crate) fn background(sb: &Sandbox, root: &Path, args: &[&str]) -> std::process::Child {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"));
    cmd.current_dir(root).args(args);
    for (k, v) in hermetic_env(&sb.home, sb.path()) {
        cmd.env(k, v);
    }
    cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn")).env_remove("CFN_REDIS_URL");
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    cmd.spawn().unwrap()
}

/// Redis (persistence on) stopped while the implementers are about to report and started again
/// on the same port 1.5 s later: their `cfn agent report` and the coordinator's next commands
/// reconnect, and the run proceeds in one iteration with both reports counted.
#[test]
fn redis_restarted_mid_run_loses_no_report() {
    let aof = tempfile::tempdir().unwrap();
    let aof_dir = aof.path().to_string_lossy().into_owned();
    let persist = ["--appendonly", "yes", "--appendfsync", "always", "--dir", aof_dir.as_str()];
    let Some(mut redis) = RedisServer::start(&persist) else { return };
    let sb = Sandbox::new();
    let go = sb.path().join("go");
    let implementer = format!(
        "touch \"{0}/started-$CFN_AGENT_ID\"\nwhile [ ! -f '{1}' ]; do sleep 0.1; done\nreport 0.95",
        sb.path().display(),
        go.display()
    );
    let team = Team {
        implementer: &implementer,
        validator: crate::work_loop::CONFIDENT,
        po: crate::work_loop::PO_PROCEED,
        extra_config: "",
    };
    let root = repo_with(&sb, &team);
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"));
    cmd.current_dir(&root).args(["loop", "run", "--yes", "--json", "--epic", "x", "--task-id", "restart"]);
    for (k, v) in hermetic_env(&sb.home, sb.path()) {
        cmd.env(k, v);
    }
    cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn")).env("CFN_REDIS_URL", redis.url());
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !(sb.path().join("started-impl-1").exists() && sb.path().join("started-impl-2").exists()) {
        assert!(std::time::Instant::now() < deadline, "the implementers never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let port = redis.port;
    redis.kill();
    std::fs::write(&go, "").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    // redis-server ran a moment ago: starting it again cannot be skipped.
    let _again = RedisServer::start_on(port, &persist).expect("redis-server starts again");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!((s["status"].as_str(), s["iterations"].as_u64()), (Some("proceed"), Some(1)));
    assert_eq!(s["gate"].as_f64(), Some(0.95), "both implementers' reports counted");
}
