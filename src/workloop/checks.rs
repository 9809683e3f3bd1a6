//! The loop's checks (`[loop.checks.<name>]`): after the implementers, each check's command
//! runs in the branch's worktree, against its live stack, one after another in cfn.toml order.
//! A check passes only when it exits 0 within its timeout: one that cannot start or times out
//! fails (closed). Its full output goes to `check-<name>.log` in the iteration's folder; the
//! last lines, with secrets hidden, are recorded and shown to the validators.

use super::phase::RunContext;
use crate::process::Cmd;
use anyhow::Result;
use serde::Serialize;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::Path;
use std::time::{Duration, Instant};

/// How many of a check's last output lines are kept.
const TAIL_LINES: usize = 50;
/// How much of the end of its log is read to find them.
const TAIL_BYTES: u64 = 64 * 1024;
/// A kept line longer than this is cut.
const LINE_CHARS: usize = 500;

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CheckResult {
    pub name: String,
    pub passed: bool,
    /// `None` when it did not exit by itself (could not start, killed at its timeout).
    pub exit_code: Option<i32>,
    pub duration_secs: f64,
    /// Why it failed when not by its exit code: it could not run, or timed out.
    pub reason: Option<String>,
    /// Whether `[loop] gate_requires` names it.
    pub required: bool,
    /// The last lines of its output (stdout and stderr), secrets hidden.
    pub output: String,
}

/// Runs every check for `iteration`, in order; `deadline` (the wall-time budget) cuts timeouts.
pub async fn run_all(
    rc: &RunContext,
    checks: &[(String, Vec<String>, Duration)],
    required: &[String],
    iteration: u32,
    deadline: Option<Instant>,
) -> Result<Vec<CheckResult>> {
    let dir = rc.run_dir.join(format!("iter-{iteration}"));
    super::files::private_dir(&dir)?;
    let env = environment(rc);
    let mut results = Vec::new();
    for (name, argv, timeout) in checks {
        let timeout = match deadline {
            Some(d) => (*timeout).min(d.saturating_duration_since(Instant::now())),
            None => *timeout,
        };
        let log = dir.join(format!("check-{}.log", super::files::folder_name(name)));
        let mut result = run_one(rc, argv, &env, timeout, &log).await?;
        result.name = name.clone();
        result.required = required.contains(name);
        results.push(result);
    }
    // Whatever a check started and left behind must not outlive it (agents/strays.rs).
    crate::agents::kill_strays();
    Ok(results)
}

/// What a check gets: the allowlisted part of cfn's environment (as an agent: no provider's
/// key, nothing a profile did not name) and the branch's variables.
fn environment(rc: &RunContext) -> Vec<(String, String)> {
    let credentials = crate::agents::all_credentials(&rc.providers);
    let mut env = crate::agents::allowlisted(rc.base_env.clone(), &[], &credentials, false);
    env.extend(
        rc.branch_env
            .iter()
            .filter(|(k, _)| !credentials.contains(k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    env
}

async fn run_one(
    rc: &RunContext,
    argv: &[String],
    env: &[(String, String)],
    timeout: Duration,
    log_path: &Path,
) -> Result<CheckResult> {
    let log = private_file(log_path)?;
    let started = Instant::now();
    let (program, args) = argv.split_first().expect("a check's command is not empty (settings)");
    let cmd = Cmd::new(program).args(args).cwd(&rc.worktree).env_clear().envs(env.iter().cloned());
    let (exit_code, reason) = match cmd.spawn_group(&log) {
        Err(e) => (None, Some(format!("{e:#}"))),
        Ok(mut child) => {
            let pid = child.id();
            match tokio::time::timeout(timeout, child.wait()).await {
                Ok(Ok(status)) => {
                    (status.code(), status.code().is_none().then(|| format!("ended by {status}")))
                }
                Ok(Err(e)) => (None, Some(format!("cannot wait for {program}: {e}"))),
                Err(_) => {
                    if let Some(pid) = pid {
                        crate::process::kill_group(pid);
                    }
                    let _ = child.wait().await;
                    (None, Some(format!("timed out after {}s; killed", timeout.as_secs_f64())))
                }
            }
        }
    };
    let duration_secs = started.elapsed().as_secs_f64();
    let output = scrub(&tail(log_path)?, &rc.branch_env);
    Ok(CheckResult {
        name: String::new(),
        passed: exit_code == Some(0) && reason.is_none(),
        exit_code,
        duration_secs: (duration_secs * 1000.0).round() / 1000.0,
        reason: reason.map(|r| scrub(&r, &rc.branch_env)),
        required: false,
        output,
    })
}

fn private_file(path: &Path) -> Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    Ok(std::fs::OpenOptions::new().create(true).write(true).truncate(true).mode(0o600).open(path)?)
}

/// The last [`TAIL_LINES`] lines of the log.
fn tail(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(TAIL_BYTES)))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(TAIL_LINES);
    Ok(lines[start..]
        .iter()
        .map(|l| l.chars().take(LINE_CHARS).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n"))
}

/// Names whose values are secrets wherever they appear in output.
const SECRET_NAMES: &[&str] = &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL"];

/// `text` with secrets hidden as health output hides them: the password of every URL, and
/// the values of the branch's variables that hold one (a URL's password, a `*PASSWORD*`,
/// `*SECRET*`, `*TOKEN*`, `*KEY*` variable).
pub fn scrub(text: &str, branch_env: &indexmap::IndexMap<String, String>) -> String {
    let mut out = crate::health::redact::redact_url(text);
    for (name, value) in branch_env {
        if value.contains("://") {
            out = crate::health::redact::scrub(&out, value);
        }
        let upper = name.to_ascii_uppercase();
        if value.len() >= 4 && SECRET_NAMES.iter().any(|s| upper.contains(s)) {
            out = out.replace(value.as_str(), crate::health::redact::HIDDEN);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_loses_passwords_and_secret_values() {
        let env: indexmap::IndexMap<String, String> = [
            ("DATABASE_URL", "postgres://app:s3cr%40t@127.0.0.1:5432/app"),
            ("API_TOKEN", "tok-123456"),
            ("WEB_PORT", "8080"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let text = "connecting to postgres://app:s3cr%40t@127.0.0.1:5432/app\npassword s3cr@t\n\
                    token tok-123456 on 8080\nredis://:other@host:1";
        let out = scrub(text, &env);
        for secret in ["s3cr", "tok-123456", "other"] {
            assert!(!out.contains(secret), "{secret} left in {out}");
        }
        assert!(out.contains("on 8080"), "{out}");
    }

    #[test]
    fn the_tail_is_the_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let text: String = (1..=120).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&path, text).unwrap();
        let tail = tail(&path).unwrap();
        assert_eq!(tail.lines().count(), TAIL_LINES);
        assert!(tail.starts_with("line 71\n") && tail.ends_with("line 120"), "{tail}");
    }
}
