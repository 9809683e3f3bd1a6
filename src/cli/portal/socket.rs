//! `GET /ws`: the live socket. It pushes `stack:update` and `worktree:update` to everyone, and
//! `loop:progress` for the one run a client subscribed to (`{"subscribe": "<taskId>"}`). It
//! answers `{"type": "ping"}` with `{"type": "pong"}` and pings the client itself, so either
//! side notices a dead peer; the page reconnects by itself.

use super::errors::ApiError;
use super::{guard, log_follow, Shared};
use crate::state::State as StateDb;
use crate::workloop;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

const PING_EVERY: Duration = Duration::from_secs(20);
/// A client message longer than this is not one the portal understands.
const MAX_CLIENT_MESSAGE: usize = 4096;

pub async fn upgrade(
    State(portal): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let tokens: Vec<&str> = query.iter().filter(|(k, _)| k == "token").map(|(_, v)| v.as_str()).collect();
    if let Err(e) = guard::socket(&portal, &headers, &tokens) {
        return e.into_response();
    }
    match ws {
        Ok(ws) => ws.max_message_size(MAX_CLIENT_MESSAGE).on_upgrade(move |socket| serve(portal, socket)),
        Err(rejection) => ApiError::new(
            rejection.status(),
            format!("not a WebSocket request: {rejection}"),
            "open /ws with a WebSocket client",
        )
        .into_response(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientMessage {
    subscribe: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// The run a client follows, and the last event it was sent.
struct Following {
    task: String,
    last_event: i64,
    last_status: Option<crate::workloop::RunStatus>,
    /// Its agents as last sent, to send `agent:update` for those that changed.
    agents: Vec<crate::workloop::AgentView>,
}

async fn serve(portal: Shared, mut socket: WebSocket) {
    let mut updates = portal.live.updates.subscribe();
    let mut db = portal.live.db_changes.clone();
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut following: Option<Following> = None;
    let home = portal.ctx.home.clone();
    // Ended with the socket: dropping them stops their log streams.
    let mut followers = log_follow::Followers::default();
    loop {
        // A database change may bring progress and agents' updates: several messages.
        let outgoing: Vec<String> = tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) if log_follow::is_logs_message(&text) => {
                    log_follow::handle(&portal, &text, &mut followers).await.map(|reply| reply.to_string()).into_iter().collect()
                }
                Some(Ok(Message::Text(text))) => {
                    answer(&home, &text, &mut following).await.map(|reply| reply.to_string()).into_iter().collect()
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => Vec::new(),
            },
            update = updates.recv() => match update {
                Ok(text) => vec![text.to_string()],
                // Too slow a reader missed updates: tell it to read everything again.
                Err(RecvError::Lagged(_)) => vec![json!({ "type": "resync" }).to_string()],
                Err(RecvError::Closed) => return,
            },
            Some(batch) = followers.batches.recv() => vec![batch.to_string()],
            changed = db.changed() => {
                if changed.is_err() {
                    return;
                }
                match following.as_mut() {
                    Some(f) => {
                        let mut batch: Vec<String> = progress(&home, f, false).await.map(|v| v.to_string()).into_iter().collect();
                        let agents = super::agents::changed(&home, &f.task, &mut f.agents).await;
                        batch.extend(agents.iter().map(Value::to_string));
                        batch
                    }
                    None => Vec::new(),
                }
            },
            _ = ping.tick() => {
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    return;
                }
                Vec::new()
            },
        };
        for text in outgoing {
            if socket.send(Message::Text(text.into())).await.is_err() {
                return;
            }
        }
    }
}

/// The reply to a client's message, if any.
async fn answer(home: &std::path::Path, text: &str, following: &mut Option<Following>) -> Option<Value> {
    let message: ClientMessage = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(e) => {
            return Some(json!({ "type": "error", "error": format!("bad message: {e}"),
                                "hint": "send {\"subscribe\": \"<taskId>\"} or {\"type\": \"ping\"}" }))
        }
    };
    let hint = "send {\"subscribe\": \"<taskId>\"} or {\"type\": \"ping\"}";
    match message.kind.as_deref() {
        Some("ping") => return Some(json!({ "type": "pong" })),
        Some(other) => {
            return Some(
                json!({ "type": "error", "error": format!("unknown message type {other:?}"), "hint": hint }),
            )
        }
        None => {}
    }
    let Some(task) = message.subscribe else {
        return Some(json!({ "type": "error", "error": "the message asks for nothing", "hint": hint }));
    };
    let mut f = Following { task, last_event: 0, last_status: None, agents: Vec::new() };
    // The agents so far are read with GET /api/agents/:taskId; the socket sends what changes.
    let _ = super::agents::changed(home, &f.task, &mut f.agents).await;
    let first = progress(home, &mut f, true).await;
    match first {
        Some(reply) if reply["type"] == "loop:progress" => {
            *following = Some(f);
            Some(reply)
        }
        other => other,
    }
}

/// New events of the followed run (all of them the first time), as one `loop:progress`; `None`
/// when nothing changed.
async fn progress(home: &std::path::Path, f: &mut Following, first: bool) -> Option<Value> {
    let home: PathBuf = home.to_path_buf();
    let (task, after) = (f.task.clone(), f.last_event);
    let read = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let state = StateDb::open(&home)?;
        let Some(run) = workloop::run_row(state.conn(), &task)? else { return Ok(None) };
        let events = workloop::run_events(state.conn(), &task, after)?;
        Ok(Some((run, events)))
    })
    .await;
    let (run, events) = match read {
        Ok(Ok(Some(found))) => found,
        Ok(Ok(None)) => {
            let shown: String = f.task.chars().take(80).collect();
            return Some(json!({ "type": "error", "error": format!("no loop run {shown}"),
                                "hint": "GET /api/tasks lists the runs" }));
        }
        Ok(Err(e)) => {
            return Some(
                json!({ "type": "error", "error": format!("{e:#}"), "hint": crate::error::GENERIC_HINT }),
            )
        }
        Err(_) => return None,
    };
    if !first && events.is_empty() && Some(run.status) == f.last_status {
        return None;
    }
    if let Some(last) = events.last() {
        f.last_event = last.id;
    }
    f.last_status = Some(run.status);
    Some(json!({ "type": "loop:progress", "taskId": f.task, "run": run, "events": events }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(text: &str) -> Option<Value> {
        let home = std::path::Path::new("/nonexistent");
        crate::runtime::run_here(async { answer(home, text, &mut None).await }).unwrap()
    }

    #[test]
    fn every_message_but_a_subscription_gets_an_answer() {
        assert_eq!(reply(r#"{"type":"ping"}"#).unwrap()["type"], "pong");
        for text in [r#"{"type":"pong"}"#, r#"{}"#, "not json", r#"{"subscribe":1}"#, r#"{"x":1}"#] {
            let answer = reply(text).unwrap_or_else(|| panic!("{text}: no answer"));
            assert_eq!(answer["type"], "error", "{text}: {answer}");
            assert!(answer["hint"].as_str().is_some_and(|h| h.contains("subscribe")), "{answer}");
        }
    }
}
