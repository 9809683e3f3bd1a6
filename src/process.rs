//! The one place cfn starts external programs.
//!
//! Arguments are always passed as an argument vector, never through a shell, so no value that
//! comes from a branch name, a path or task text can change what runs. Failures carry the
//! program, its arguments and the last lines of its stderr.

use anyhow::{Context as _, Result};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

/// A command to run: program, arguments, working directory and environment changes.
#[derive(Debug, Clone)]
pub struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    cwd: Option<PathBuf>,
    env: Vec<(OsString, OsString)>,
    env_remove: Vec<OsString>,
    clear_env: bool,
}

/// What a finished command printed.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        Cmd {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            cwd: None,
            env: Vec::new(),
            env_remove: Vec::new(),
            clear_env: false,
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    pub fn cwd(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env.push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    pub fn envs<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        for (k, v) in vars {
            self = self.env(k, v);
        }
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.env_remove.push(key.as_ref().to_owned());
        self
    }

    /// How the command reads in messages: `git worktree add /x feature`.
    pub fn display(&self) -> String {
        let mut s = self.program.to_string_lossy().into_owned();
        for a in &self.args {
            s.push(' ');
            s.push_str(&a.to_string_lossy());
        }
        s
    }

    fn build(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.args(&self.args);
        if let Some(dir) = &self.cwd {
            c.current_dir(dir);
        }
        if self.clear_env {
            c.env_clear();
        }
        for k in &self.env_remove {
            c.env_remove(k);
        }
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// Runs it with captured output; a non-zero exit is not an error here.
    pub fn output(&self) -> Result<Output> {
        self.captured(Stdio::null())
    }

    /// Like [`Cmd::output`], with `stdin` as the child's standard input: an operation's lock
    /// file given this way stays locked while the child runs (see `state::OpLock`).
    pub fn output_with_stdin(&self, stdin: std::fs::File) -> Result<Output> {
        self.captured(Stdio::from(stdin))
    }

    fn captured(&self, stdin: Stdio) -> Result<Output> {
        let out = self
            .build()
            .stdin(stdin)
            .output()
            .with_context(|| format!("cannot run {}", self.program.to_string_lossy()))?;
        Ok(Output {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    /// Runs it and returns stdout; a non-zero exit is an error carrying stderr.
    pub fn read(&self) -> Result<String> {
        let out = self.output()?;
        if !out.status.success() {
            anyhow::bail!("{} failed ({}): {}", self.display(), out.status, last_lines(&out.stderr, 5));
        }
        Ok(out.stdout)
    }

    /// Runs it with the terminal attached (stdin, stdout, stderr inherited); returns its status.
    pub fn interactive(&self) -> Result<ExitStatus> {
        self.build().status().with_context(|| format!("cannot run {}", self.program.to_string_lossy()))
    }

    /// Like [`Cmd::interactive`], with the program's standard output sent to cfn's standard
    /// error: what a project hook prints must not mix into cfn's own output (`--json`, the
    /// portal's URL line).
    pub fn interactive_on_stderr(&self) -> Result<ExitStatus> {
        use std::os::fd::AsFd as _;
        let stderr =
            std::io::stderr().as_fd().try_clone_to_owned().context("cannot pass on standard error")?;
        self.build()
            .stdout(std::process::Stdio::from(stderr))
            .status()
            .with_context(|| format!("cannot run {}", self.program.to_string_lossy()))
    }
}

/// The last `n` non-empty lines of a program's output, joined for a one-line message.
pub fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let start = lines.len().saturating_sub(n);
    lines[start..].join(" | ")
}

/// Whether `program` can be found on PATH (or is a path that exists).
pub fn on_path(program: &str) -> bool {
    find_on_path(program).is_some()
}

/// The file `program` resolves to on PATH (or the path itself, when it is one and exists).
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return Path::new(program).is_file().then(|| PathBuf::from(program));
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|dir| dir.join(program)).find(|p| p.is_file())
}

impl Cmd {
    /// Starts it in a process group of its own (so the group can be killed with everything it
    /// started), stdin closed, stdout and stderr into `log`. Async, for waiting with a deadline.
    pub fn spawn_group(&self, log: &std::fs::File) -> Result<tokio::process::Child> {
        use std::os::unix::process::CommandExt as _;
        let mut cmd = self.build();
        cmd.process_group(0).stdin(Stdio::null()).stdout(log.try_clone()?).stderr(log.try_clone()?);
        let mut cmd = tokio::process::Command::from(cmd);
        cmd.kill_on_drop(true);
        cmd.spawn().with_context(|| format!("cannot run {}", self.program.to_string_lossy()))
    }

    /// Starts it to outlive cfn: a process group of its own (Ctrl-C in the terminal that started
    /// it does not reach it), stdin closed, stdout and stderr into `log`; not killed on drop.
    pub fn spawn_detached(&self, log: std::fs::File) -> Result<std::process::Child> {
        use std::os::unix::process::CommandExt as _;
        let mut cmd = self.build();
        cmd.process_group(0).stdin(Stdio::null()).stdout(log.try_clone()?).stderr(log);
        cmd.spawn().with_context(|| format!("cannot run {}", self.program.to_string_lossy()))
    }

    /// Like [`Cmd::spawn_group`], with stdin and stdout piped (the caller writes the one and
    /// reads the other) and stderr appended to `log`.
    pub fn spawn_group_piped(&self, log: &std::fs::File) -> Result<tokio::process::Child> {
        use std::os::unix::process::CommandExt as _;
        let mut cmd = self.build();
        cmd.process_group(0).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(log.try_clone()?);
        let mut cmd = tokio::process::Command::from(cmd);
        cmd.kill_on_drop(true);
        cmd.spawn().with_context(|| format!("cannot run {}", self.program.to_string_lossy()))
    }

    /// Starts it with stdin closed and stdout and stderr piped, killed if the handle is dropped.
    pub fn spawn_piped(&self) -> std::io::Result<tokio::process::Child> {
        let mut cmd = self.build();
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut cmd = tokio::process::Command::from(cmd);
        cmd.kill_on_drop(true);
        cmd.spawn()
    }

    /// Starts it with stdin, stdout and stderr piped (a stream carried over the child's stdio),
    /// killed if the handle is dropped.
    pub fn spawn_stdio(&self) -> std::io::Result<tokio::process::Child> {
        let mut cmd = self.build();
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut cmd = tokio::process::Command::from(cmd);
        cmd.kill_on_drop(true);
        cmd.spawn()
    }

    /// Removes every variable of the environment (the caller then sets what the child gets).
    pub fn env_clear(mut self) -> Self {
        self.env_remove.clear();
        self.clear_env = true;
        self
    }
}

impl Cmd {
    /// The same command, run under util-linux's `setpriv --pdeathsig KILL`, so that the kernel
    /// kills it when the thread that started it ends — also when cfn is killed with SIGKILL,
    /// which no handler of cfn's can see. (Setting the signal in the child ourselves would need
    /// `unsafe`, which this crate forbids.) Without `setpriv` the command runs as it is.
    pub(crate) fn dying_with_parent(&self) -> Cmd {
        self.with_parent_death_signal("KILL")
    }

    /// The same command, sent SIGTERM when cfn ends (killed, or exiting on a signal while it
    /// runs): a project hook must not outlive the cfn that started it, and gets to clean up.
    /// `setpriv` execs the program, which keeps its pid and sees its own arguments.
    pub(crate) fn ending_with_cfn(&self) -> Cmd {
        self.with_parent_death_signal("TERM")
    }

    fn with_parent_death_signal(&self, signal: &str) -> Cmd {
        const SETPRIV: &str = "/usr/bin/setpriv";
        if !std::path::Path::new(SETPRIV).is_file() {
            return self.clone();
        }
        self.run_by(Path::new(SETPRIV), &["--pdeathsig", signal, "--"])
    }

    /// The same command run through `wrapper` (a program that execs it, such as `setpriv` or
    /// `unshare`): `wrapper prefix… program args…`, with the same folder and environment.
    pub(crate) fn run_by(&self, wrapper: &Path, prefix: &[&str]) -> Cmd {
        let mut args: Vec<OsString> = prefix.iter().map(OsString::from).collect();
        args.push(self.program.clone());
        args.extend(self.args.iter().cloned());
        Cmd { program: wrapper.as_os_str().to_owned(), args, ..self.clone() }
    }

    /// Runs `self | next`: `self`'s stdout feeds `next`'s stdin through a pipe — two processes,
    /// no shell, no temporary file — while both stderrs are captured and `next`'s stdout is
    /// discarded. Returns both outputs; the caller checks both statuses (a failed writer can
    /// leave the reader successful on a short stream).
    ///
    /// Both die with cfn: killed outright, it must not leave a dump still writing into a
    /// database that `doctor --fix` is about to drop (see [`Cmd::dying_with_parent`]).
    pub fn pipe_into(&self, next: &Cmd) -> Result<(Output, Output)> {
        let (this, that) = (self.dying_with_parent(), next.dying_with_parent());
        let mut first = this
            .build()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot run {}", self.program.to_string_lossy()))?;
        let pipe = first.stdout.take().context("no pipe from the first program")?;
        let second =
            that.build().stdin(Stdio::from(pipe)).stdout(Stdio::null()).stderr(Stdio::piped()).spawn();
        let second = match second {
            Ok(child) => child,
            Err(e) => {
                let _ = first.kill();
                let _ = first.wait();
                return Err(e).with_context(|| format!("cannot run {}", next.program.to_string_lossy()));
            }
        };
        // each waited on its own thread: a full stderr pipe of one must not block the other
        let (a, b) = std::thread::scope(|scope| {
            let a = scope.spawn(move || first.wait_with_output());
            let b = scope.spawn(move || second.wait_with_output());
            (a.join(), b.join())
        });
        let convert = |out: std::thread::Result<std::io::Result<std::process::Output>>| -> Result<Output> {
            let out = out.map_err(|_| anyhow::anyhow!("a pipe waiter panicked"))??;
            Ok(Output {
                status: out.status,
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            })
        };
        Ok((convert(a)?, convert(b)?))
    }
}

/// Field 22 of `/proc/<pid>/stat` (start time, clock ticks after boot); `None` when the process
/// is gone or a zombie. With the pid it names one process for good: a reused pid has another.
pub fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count after the last `)`.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?;
    if state == "Z" || state == "X" {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

/// Whether the process `pid` that started at `started` (see [`start_time`]) still runs.
pub fn still_running(pid: u32, started: u64) -> bool {
    start_time(pid) == Some(started)
}

/// Sends SIGKILL to every process of the group `pgid` (a group cfn started; never another).
pub fn kill_group(pgid: u32) {
    // `kill` is run directly, as an argument vector; a group that is already gone is fine.
    let _ = Cmd::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).output();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_dying_with_its_parent_ends_when_the_thread_that_started_it_ends() {
        // The kernel's parent-death signal follows the thread that forked: a thread that starts
        // `sleep` and ends stands in for cfn killed with SIGKILL.
        let sleeper = Cmd::new("sleep").args(["30"]).dying_with_parent();
        let child = std::thread::spawn(move || {
            let child = sleeper.build().spawn().unwrap();
            // setpriv arms the signal after it starts; a parent already gone would not fire it
            std::thread::sleep(std::time::Duration::from_millis(300));
            child
        })
        .join()
        .unwrap();
        let pid = child.id().to_string();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut child = child;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(!status.success(), "sleep {pid} was killed, not finished");
                return;
            }
            assert!(std::time::Instant::now() < deadline, "sleep {pid} outlived the thread that started it");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}
