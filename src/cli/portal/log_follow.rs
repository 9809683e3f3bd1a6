//! Following a service's log over the socket: `{"type": "logs:follow", "project", "service",
//! "tail"?}` starts one follower (the engine's log stream with `follow`), which sends
//! `log:lines` as the service writes and `log:end` when its container stops; `{"type":
//! "logs:stop"}` (with `project` and `service`, or without for all) ends followers, and so does
//! the socket closing.
//!
//! Back-pressure: followers hand batches to the socket through a small bounded queue and never
//! wait on it. When a slow client lets the queue fill, lines are dropped and counted, and the
//! next batch says how many (`dropped`): memory per socket stays bounded whatever a service
//! prints.
//!
//! Repeats: when the engine's json-file log rotates under a follower it may send lines it sent
//! already. Lines are asked for with their timestamps, and one stamped earlier than the last
//! line sent (or the same line again at the same instant) is dropped, never shown twice.

use super::errors::ApiError;
use super::{logs, Shared};
use crate::engine::Engine;
use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptionsBuilder;
use futures_util::StreamExt as _;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Services one socket may follow at once.
pub const MAX_FOLLOWED: usize = 8;
/// Batches waiting for a slow socket, over every follower of it.
const QUEUE: usize = 32;
/// How long a batch waits for more lines once it has one: short enough not to be seen, long
/// enough to gather a burst.
const LINGER: std::time::Duration = std::time::Duration::from_millis(5);
/// Bytes of log in one batch; a longer line is cut to this.
const MAX_BATCH_BYTES: usize = 64 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogMessage {
    #[serde(rename = "type")]
    kind: String,
    project: Option<String>,
    service: Option<String>,
    tail: Option<usize>,
}

/// One socket's followers and the queue they write to.
pub struct Followers {
    sender: mpsc::Sender<Value>,
    pub batches: mpsc::Receiver<Value>,
    running: HashMap<(String, String), JoinHandle<()>>,
}

impl Default for Followers {
    fn default() -> Followers {
        let (sender, batches) = mpsc::channel(QUEUE);
        Followers { sender, batches, running: HashMap::new() }
    }
}

impl Drop for Followers {
    fn drop(&mut self) {
        for (_, task) in self.running.drain() {
            task.abort();
        }
    }
}

/// Whether `text` is a logs message at all (the socket answers other messages itself).
pub fn is_logs_message(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Kind {
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    serde_json::from_str::<Kind>(text).is_ok_and(|k| k.kind.is_some_and(|k| k.starts_with("logs:")))
}

/// Handles a `logs:` message; the reply to send, if any.
pub async fn handle(portal: &Shared, text: &str, followers: &mut Followers) -> Option<Value> {
    let hint =
        "send {\"type\": \"logs:follow\", \"project\": …, \"service\": …} or {\"type\": \"logs:stop\"}";
    let message: LogMessage = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(e) => return Some(error(format!("bad message: {e}"), hint)),
    };
    followers.running.retain(|_, task| !task.is_finished());
    match (message.kind.as_str(), message.project, message.service) {
        ("logs:stop", None, None) => {
            followers.running.drain().for_each(|(_, t)| t.abort());
            None
        }
        ("logs:stop", Some(project), Some(service)) => {
            if let Some(task) = followers.running.remove(&(project, service)) {
                task.abort();
            }
            None
        }
        ("logs:follow", Some(project), Some(service)) => {
            let tail = message.tail.unwrap_or(logs::DEFAULT_TAIL);
            if let Err(e) = logs::tail(&tail.to_string()) {
                return Some(error(e.error, &e.hint.unwrap_or_default()));
            }
            let key = (project.clone(), service.clone());
            if !followers.running.contains_key(&key) && followers.running.len() >= MAX_FOLLOWED {
                return Some(error(
                    format!("already following {MAX_FOLLOWED} services"),
                    "send {\"type\": \"logs:stop\", …} for one you no longer watch",
                ));
            }
            match start(portal, &project, &service, tail, followers.sender.clone()).await {
                Ok(task) => {
                    if let Some(old) = followers.running.insert(key, task) {
                        old.abort();
                    }
                    None
                }
                Err(e) => Some(error(e.error, &e.hint.unwrap_or_default())),
            }
        }
        _ => Some(error("a logs message needs a known type and both project and service", hint)),
    }
}

fn error(error: impl Into<String>, hint: &str) -> Value {
    json!({ "type": "error", "error": error.into(), "hint": hint })
}

async fn start(
    portal: &Shared,
    project: &str,
    service: &str,
    tail: usize,
    sender: mpsc::Sender<Value>,
) -> Result<JoinHandle<()>, ApiError> {
    let found = logs::branch_with(portal, project, &[service.to_string()]).await?;
    let engine = Engine::connect().await.map_err(ApiError::from)?;
    let containers = engine.containers(&[found.env.project.as_str()]).await.map_err(ApiError::from)?;
    let Some(container) = containers.into_iter().find(|c| c.service == service) else {
        return Err(ApiError::not_found(
            format!("service {service} of {project} has no container"),
            "start the branch's stack (`up`), then follow its logs",
        ));
    };
    let (project, service) = (project.to_string(), service.to_string());
    Ok(tokio::spawn(async move { follow(engine, container.id, project, service, tail, sender).await }))
}

/// Reads the engine's stream until the container stops or the follower is aborted.
async fn follow(
    engine: Engine,
    id: String,
    project: String,
    service: String,
    tail: usize,
    sender: mpsc::Sender<Value>,
) {
    let options = LogsOptionsBuilder::default()
        .stdout(true)
        .stderr(true)
        .follow(true)
        .timestamps(true)
        .tail(&tail.to_string())
        .build();
    let mut stream = engine.docker.logs(&id, Some(options));
    let mut batch = Batch::default();
    let mut dropped = 0u64;
    loop {
        let Some(Ok(first)) = stream.next().await else { break };
        batch.push(&first);
        // Whatever else comes within a moment goes in the same batch: the backlog (`tail`
        // lines) arrives as many small chunks, which one message each would overflow the queue
        // with at once.
        while batch.bytes < MAX_BATCH_BYTES {
            match tokio::time::timeout(LINGER, stream.next()).await {
                Ok(Some(Ok(more))) => batch.push(&more),
                _ => break,
            }
        }
        let lines = batch.take();
        if lines.is_empty() {
            continue;
        }
        let n = lines.len() as u64;
        let message = json!({ "type": "log:lines", "project": project, "service": service,
                              "lines": lines, "dropped": dropped });
        match sender.try_send(message) {
            Ok(()) => dropped = 0,
            Err(mpsc::error::TrySendError::Full(_)) => dropped += n,
            Err(mpsc::error::TrySendError::Closed(_)) => return,
        }
    }
    let mut rest = batch.take();
    rest.extend(batch.partial.take());
    let end = json!({ "type": "log:end", "project": project, "service": service, "lines": rest,
                      "dropped": dropped });
    let _ = sender.send(end).await;
}

/// Complete lines gathered from the stream's chunks, and the start of a line still coming.
#[derive(Default)]
struct Batch {
    lines: Vec<String>,
    partial: Option<String>,
    bytes: usize,
    /// The stamp and text of the last chunk taken: what a repeat is recognised by.
    last: Option<(String, Vec<u8>)>,
}

impl Batch {
    fn push(&mut self, chunk: &LogOutput) {
        let message = match chunk {
            LogOutput::StdOut { message }
            | LogOutput::StdErr { message }
            | LogOutput::Console { message } => message,
            LogOutput::StdIn { .. } => return,
        };
        let Some(message) = self.unseen(message) else { return };
        let mut text = self.partial.take().unwrap_or_default();
        text.push_str(&String::from_utf8_lossy(message));
        let ends_line = text.ends_with('\n');
        let mut pieces: Vec<&str> = text.split('\n').collect();
        let unfinished =
            if ends_line { pieces.pop().map(|_| String::new()) } else { pieces.pop().map(str::to_string) };
        for line in pieces {
            self.bytes += line.len();
            self.lines.push(cut(line.trim_end_matches('\r')));
        }
        self.partial = unfinished.filter(|p| !p.is_empty()).map(|p| cut(&p));
    }

    /// The chunk's text without its stamp, or nothing when the engine sent it already. A chunk
    /// without a readable stamp is taken as it is.
    fn unseen<'a>(&mut self, chunk: &'a [u8]) -> Option<&'a [u8]> {
        let Some(space) = chunk.iter().position(|&b| b == b' ') else { return Some(chunk) };
        let Some(stamp) = std::str::from_utf8(&chunk[..space]).ok().and_then(sortable_stamp) else {
            return Some(chunk);
        };
        let text = &chunk[space + 1..];
        if let Some((last_stamp, last_text)) = &self.last {
            if stamp < *last_stamp || (stamp == *last_stamp && text == last_text.as_slice()) {
                return None;
            }
        }
        self.last = Some((stamp, text.to_vec()));
        Some(text)
    }

    fn take(&mut self) -> Vec<String> {
        self.bytes = 0;
        std::mem::take(&mut self.lines)
    }
}

/// An engine stamp (`2026-11-30T05:00:00.123456789Z`) as text that sorts as time does: the
/// fraction padded to nanoseconds, since a stamp may come with its trailing zeros left out.
fn sortable_stamp(stamp: &str) -> Option<String> {
    let stamp = stamp.strip_suffix('Z')?;
    let (seconds, fraction) = stamp.split_once('.').unwrap_or((stamp, ""));
    let well_formed = seconds.len() == 19
        && seconds.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            _ => b.is_ascii_digit(),
        })
        && fraction.len() <= 9
        && fraction.bytes().all(|b| b.is_ascii_digit());
    well_formed.then(|| format!("{seconds}.{fraction:0<9}"))
}

/// A line cut to what one batch carries, on a character boundary.
fn cut(line: &str) -> String {
    if line.len() <= MAX_BATCH_BYTES {
        return line.to_string();
    }
    let mut end = MAX_BATCH_BYTES;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    line[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(text: &str) -> LogOutput {
        LogOutput::StdOut { message: text.as_bytes().to_vec().into() }
    }

    #[test]
    fn chunks_become_whole_lines() {
        let mut b = Batch::default();
        b.push(&out("one\ntw"));
        b.push(&out("o\r\nthree"));
        assert_eq!(b.take(), ["one", "two"]);
        b.push(&out("\n"));
        assert_eq!(b.take(), ["three"]);
        assert!(b.partial.is_none());
        b.push(&out(&"x".repeat(MAX_BATCH_BYTES + 10)));
        b.push(&out("\n"));
        assert_eq!(b.take()[0].len(), MAX_BATCH_BYTES, "a huge line is cut");
    }

    #[test]
    fn lines_the_engine_sends_again_are_dropped() {
        let mut b = Batch::default();
        b.push(&out("2026-11-30T05:00:00.1Z one\n"));
        b.push(&out("2026-11-30T05:00:00.2Z two\n"));
        // After a rotation the engine starts over from an earlier line.
        b.push(&out("2026-11-30T05:00:00.1Z one\n"));
        b.push(&out("2026-11-30T05:00:00.200000000Z two\n"));
        // Distinct lines written at the same instant are both kept.
        b.push(&out("2026-11-30T05:00:00.2Z three\n"));
        b.push(&out("2026-11-30T05:00:01Z four\n"));
        b.push(&out("no stamp at all\n"));
        assert_eq!(b.take(), ["one", "two", "three", "four", "no stamp at all"]);
        assert!(sortable_stamp("2026-11-30T05:00:00.1Z") > sortable_stamp("2026-11-30T05:00:00.09Z"));
        assert_eq!(sortable_stamp("yesterday"), None);
    }

    #[test]
    fn only_logs_messages_are_taken() {
        assert!(is_logs_message(r#"{"type":"logs:follow","project":"p","service":"s"}"#));
        assert!(is_logs_message(r#"{"type":"logs:stop"}"#));
        assert!(!is_logs_message(r#"{"type":"ping"}"#));
        assert!(!is_logs_message(r#"{"subscribe":"t"}"#));
        assert!(!is_logs_message("not json"));
    }
}
