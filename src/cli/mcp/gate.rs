//! The gate in front of the protocol library: every line the client sends is checked before the
//! server reads it, so that malformed input gets the answer JSON-RPC 2.0 prescribes — `-32700`
//! (parse error, `id` null) for a line that is not JSON or not UTF-8, `-32600` (invalid
//! request, with the message's `id` when it has a usable one) for JSON that is no request,
//! notification or response and (`id` null) for a line over the limit
//! ([`max_line_bytes`](super::limits::max_line_bytes)), `-32602` for `tools/call` params that
//! are not an object with a `name` and object `arguments` — instead of a generic error, a wrong
//! code, silence or the end of the session. What passes is handed on unchanged; the server's
//! answers and the gate's go out one whole line at a time.

use super::framing::{self, Line};
use anyhow::{Context as _, Result};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt as _, AsyncRead, AsyncWrite, AsyncWriteExt as _, BufReader, DuplexStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Room in the pipes between the gate and the server.
const PIPE_BYTES: usize = 1 << 20;

/// The server's ends of the gate (what it reads, what it writes) and the task that writes to
/// the client; await the task after the server ends, so that its last answers are flushed.
pub struct Gate {
    pub server_reader: DuplexStream,
    pub server_writer: DuplexStream,
    pub flushed: JoinHandle<Result<()>>,
}

/// Puts the gate between the client's `reader`/`writer` and the server.
pub fn open<R, W>(reader: R, writer: W) -> Gate
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (server_reader, mut to_server) = tokio::io::duplex(PIPE_BYTES);
    let (server_writer, from_server) = tokio::io::duplex(PIPE_BYTES);
    let (refusals, mut refused) = mpsc::unbounded_channel::<Value>();
    tokio::spawn(async move {
        let mut reader = BufReader::new(reader);
        let max = super::limits::max_line_bytes();
        // A read error is the client's stream failing: the session ends as if it closed.
        while let Ok(line) = framing::next_line(&mut reader, max).await {
            let verdict = match line {
                Line::End => break,
                Line::TooLong => Err(too_long(max)),
                Line::Bytes(bytes) => check(&bytes).map(|()| bytes),
            };
            match verdict {
                Ok(mut bytes) => {
                    bytes.push(b'\n');
                    if to_server.write_all(&bytes).await.is_err() {
                        break;
                    }
                }
                Err(answer) => {
                    let _ = refusals.send(answer);
                }
            }
        }
        // The client closed its end: so does the server's reader, which ends the session.
        let _ = to_server.shutdown().await;
    });
    let flushed = tokio::spawn(async move {
        let mut writer = writer;
        let mut answers = BufReader::new(from_server).lines();
        let mut refusals_open = true;
        loop {
            tokio::select! {
                line = answers.next_line() => match line.context("cannot read the server's answer")? {
                    Some(line) => write_line(&mut writer, &line).await?,
                    None => break,
                },
                refusal = refused.recv(), if refusals_open => match refusal {
                    Some(answer) => write_line(&mut writer, &answer.to_string()).await?,
                    None => refusals_open = false,
                },
            }
        }
        // Refusals of the last lines the client sent go out too.
        while let Ok(answer) = refused.try_recv() {
            write_line(&mut writer, &answer.to_string()).await?;
        }
        anyhow::Ok(())
    });
    Gate { server_reader, server_writer, flushed }
}

async fn write_line<W: AsyncWrite + Unpin>(writer: &mut W, line: &str) -> Result<()> {
    writer.write_all(format!("{line}\n").as_bytes()).await.context("cannot answer the client")?;
    writer.flush().await.context("cannot answer the client")
}

/// `Ok` for a line the server may read (blank lines and batches included: the server answers
/// those itself); otherwise the error response to send back.
fn check(line: &[u8]) -> Result<(), Value> {
    let Ok(text) = std::str::from_utf8(line) else {
        return Err(error(Value::Null, -32700, "Parse error: the line is not UTF-8"));
    };
    if text.trim().is_empty() {
        return Ok(());
    }
    let message: Value =
        serde_json::from_str(text).map_err(|e| error(Value::Null, -32700, &format!("Parse error: {e}")))?;
    let Some(fields) = message.as_object() else {
        return match message.is_array() {
            true => Ok(()),
            false => Err(error(Value::Null, -32600, "Invalid Request: not an object")),
        };
    };
    // An id is a string, a number or null; anything else cannot be answered by id.
    let id = fields.get("id").cloned().unwrap_or(Value::Null);
    let usable_id = if id.is_string() || id.is_number() { id.clone() } else { Value::Null };
    if fields.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(error(usable_id, -32600, "Invalid Request: `jsonrpc` must be \"2.0\""));
    }
    if !(id.is_string() || id.is_number() || id.is_null()) {
        return Err(error(Value::Null, -32600, "Invalid Request: `id` must be a string, a number or null"));
    }
    let request = fields.get("method").is_some_and(Value::is_string);
    let response =
        fields.contains_key("id") && (fields.contains_key("result") || fields.contains_key("error"));
    if !(request || response) {
        return Err(error(usable_id, -32600, "Invalid Request: no `method` (nor a `result` or `error`)"));
    }
    if fields.get("method").and_then(Value::as_str) == Some("tools/call") {
        check_tool_call(fields.get("params")).map_err(|why| error(usable_id, -32602, &why))?;
    }
    Ok(())
}

/// The params of `tools/call`: an object with the tool's `name` and, when given, `arguments`
/// as an object. The library would answer others as an unknown method.
fn check_tool_call(params: Option<&Value>) -> Result<(), String> {
    let Some(params) = params.and_then(Value::as_object) else {
        return Err("Invalid params: `params` of tools/call must be an object".into());
    };
    if !params.get("name").is_some_and(Value::is_string) {
        return Err("Invalid params: `name` of tools/call must be a string".into());
    }
    match params.get("arguments") {
        None | Some(Value::Null | Value::Object(_)) => Ok(()),
        Some(_) => Err("Invalid params: `arguments` of tools/call must be an object".into()),
    }
}

/// The answer to a line over the limit; its id cannot be read without reading all of it.
fn too_long(max: usize) -> Value {
    error(Value::Null, -32600, &format!("Invalid Request: the line is over the limit of {max} bytes"))
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_bad_line_gets_its_code_and_good_ones_pass() {
        for good in [
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            r#"{"jsonrpc":"2.0","id":"a","result":{}}"#,
            r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
            "",
        ] {
            assert!(check(good.as_bytes()).is_ok(), "{good}");
        }
        let code = |line: &str| check(line.as_bytes()).unwrap_err()["error"]["code"].as_i64().unwrap();
        let id = |line: &str| check(line.as_bytes()).unwrap_err()["id"].clone();
        assert_eq!(code("not json"), -32700);
        assert_eq!(id("not json"), Value::Null);
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":2}"#), -32600);
        assert_eq!(id(r#"{"jsonrpc":"2.0","id":2}"#), 2);
        assert_eq!(code(r#"{"id":3,"method":"ping"}"#), -32600, "no jsonrpc");
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#), -32600, "an object as id");
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":4,"method":7}"#), -32600);
        assert_eq!(code("42"), -32600);
        assert_eq!(
            check(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}").unwrap_err()["error"]["code"],
            -32700
        );
        for params in [r#""arguments":[]"#, r#""arguments":"x""#, r#""arguments":1"#] {
            let line = format!(
                r#"{{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{{"name":"env",{params}}}}}"#
            );
            assert_eq!((code(&line), id(&line)), (-32602, json!(7)), "{line}");
        }
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":[]}"#), -32602);
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"arguments":{}}}"#),
            -32602
        );
        let line = r#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"env"}}"#;
        assert!(check(line.as_bytes()).is_ok(), "arguments may be left out");
    }
}
