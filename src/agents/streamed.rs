//! A CLI agent's process: run like a process agent (own process group, killed at its deadline
//! and when its turn ends), with its prompt written to its stdin and its stdout streamed line
//! by line into its log as it comes (`tail -f` shows the transcript live) and into the parser
//! of its kind, from which the result is taken when it ends.

use super::adapters::{self, AgentResult, Transcript};
use super::run::{AgentOutcome, AgentRun, Started};
use crate::process::kill_group;
use anyhow::{Context as _, Result};
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};

type Shared = Arc<Mutex<Option<Box<dyn Transcript>>>>;

/// How long output still arriving after the agent's process group is gone is read: a process
/// that left the group may hold the pipe open.
const DRAIN: Duration = Duration::from_secs(2);

pub async fn run(spec: &AgentRun, argv: &[String], on_start: &dyn Fn(Started)) -> Result<AgentOutcome> {
    let adapter = spec.adapter.as_ref().context("not a CLI agent")?;
    let (program, args) = argv.split_first().context("the agent's command is empty")?;
    let log = AgentOutcome::open_log(spec).with_context(|| format!("cannot open {}", spec.log.display()))?;
    let started = Instant::now();
    // In a PID namespace of its own: it cannot read a sibling agent's environment.
    let cmd = super::namespace::command(spec, program, args);
    let mut child = match cmd.and_then(|cmd| cmd.spawn_group_piped(&log)) {
        Ok(child) => child,
        Err(e) => {
            // Still a CLI agent's outcome: it is reported failed, with this as the reason.
            let mut outcome = AgentOutcome::failed_to_start(spec, format!("{e:#}"));
            outcome.result = Some(AgentResult::default());
            return Ok(outcome);
        }
    };
    let pgid = child.id();
    if let Some(pid) = pgid {
        if let Some(start_time) = crate::process::start_time(pid) {
            on_start(Started::Process { pid, start_time });
        }
    }
    let transcript: Shared = Arc::new(Mutex::new(Some(adapters::transcript(adapter.kind))));
    let reader = child.stdout.take().map(|out| tokio::spawn(read(out, log, transcript.clone())));
    let prompt = adapter.stdin.clone().unwrap_or_default();
    if let Some(mut stdin) = child.stdin.take() {
        tokio::spawn(async move {
            // A CLI that exits without reading all of it is judged by its output, not by this.
            let _ = stdin.write_all(prompt.as_bytes()).await;
            let _ = stdin.shutdown().await;
        });
    }
    let waited = tokio::time::timeout(spec.timeout, child.wait()).await;
    if let Some(pgid) = pgid {
        kill_group(pgid);
    }
    if let Some(reader) = reader {
        // Past the drain, whatever arrived so far is parsed; the reader ends with its pipe.
        let _ = tokio::time::timeout(DRAIN, reader).await;
    }
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let mut outcome = match waited {
        Ok(status) => AgentOutcome::exited(spec, status?.code(), elapsed_ms),
        Err(_) => {
            let _ = child.wait().await;
            AgentOutcome::timed_out(spec, elapsed_ms)
        }
    };
    let parsed = transcript.lock().ok().and_then(|mut t| t.take()).map(|t| t.finish()).unwrap_or_default();
    outcome.result = Some(AgentResult::from_parsed(parsed));
    Ok(outcome)
}

/// Copies every line of `out` to the log and feeds it to the transcript, until end of file.
async fn read(out: tokio::process::ChildStdout, mut log: std::fs::File, transcript: Shared) {
    let mut lines = tokio::io::BufReader::new(out);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match lines.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let _ = log.write_all(&buf);
                let line = String::from_utf8_lossy(&buf);
                if let Ok(mut t) = transcript.lock() {
                    if let Some(t) = t.as_mut() {
                        t.line(line.trim_end_matches(['\n', '\r']));
                    }
                }
            }
        }
    }
}
