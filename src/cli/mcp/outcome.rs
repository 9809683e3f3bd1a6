//! A tool's result: its data as structured content, or the CLI's error (message and hint) as a
//! tool error. Nothing a tool does can end the server.

use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;
use serde_json::{json, Value};

/// Runs a tool's synchronous work off the protocol loop and turns its outcome into a result.
/// A panic in the work becomes a tool error too.
pub async fn run_blocking<T, F>(work: F) -> CallToolResult
where
    T: Serialize,
    F: FnOnce() -> anyhow::Result<T> + Send + 'static,
    T: Send + 'static,
{
    run_async(move || async move { work() }).await
}

/// Runs a tool's async work (which blocks its thread for as long as the command runs) off the
/// protocol loop (`runtime::off_the_loop`) and turns its outcome into a result.
pub async fn run_async<T, Fut>(make: impl FnOnce() -> Fut + Send + 'static) -> CallToolResult
where
    T: Serialize + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    match crate::runtime::off_the_loop(make).await {
        Ok(data) => success(&data),
        Err(err) => failure(&err),
    }
}

/// Structured content must be an object: anything else is wrapped as `{"result": …}`.
pub fn success(data: &impl Serialize) -> CallToolResult {
    match serde_json::to_value(data) {
        Ok(Value::Object(map)) => CallToolResult::structured(Value::Object(map)),
        Ok(other) => CallToolResult::structured(json!({ "result": other })),
        Err(e) => failure(&anyhow::anyhow!("cannot encode the result: {e}")),
    }
}

/// The error as `cfn` prints it (`error: …`, `hint: …`), plus the same in structured form with
/// the exit code the command would have ended with.
pub fn failure(err: &anyhow::Error) -> CallToolResult {
    let (code, lines) = crate::error::report(err);
    let hint = lines.iter().find_map(|l| l.strip_prefix("hint: ")).map(str::to_string);
    let mut result = CallToolResult::error(vec![ContentBlock::text(lines.join("\n"))]);
    result.structured_content = Some(json!({ "error": format!("{err:#}"), "hint": hint, "exit_code": code }));
    result
}

/// A tool error that carries data as well (a failed health check still reports every check).
pub fn failure_with(err: &anyhow::Error, data: &impl Serialize) -> CallToolResult {
    let mut result = failure(err);
    if let (Some(Value::Object(map)), Ok(value)) =
        (result.structured_content.as_mut(), serde_json::to_value(data))
    {
        map.insert("data".into(), value);
    }
    result
}
