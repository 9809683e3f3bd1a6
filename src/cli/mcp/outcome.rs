//! A tool's result: its data as structured content, or the CLI's error (message and hint) as a
//! tool error. Nothing a tool does can end the server, and no flood of calls can stall it: the
//! work in flight is bounded ([`off_the_loop`]).

use super::limits::MAX_CALLS_IN_FLIGHT;
use crate::error::UserError;
use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

/// The calls running now. Each holds its place for as long as its work runs, even when the
/// client has cancelled the call: the thread is taken until then.
static IN_FLIGHT: Semaphore = Semaphore::const_new(MAX_CALLS_IN_FLIGHT);

/// What rmcp's text says when a tool's arguments do not deserialise.
const ARGUMENTS_REFUSED: &str = "failed to deserialize parameters: ";

/// A tool error (`isError: true`): the command's error and hint, and the exit code it would end
/// with.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ToolError<D = Value> {
    /// What went wrong, as the command's `error:` line says it.
    pub error: String,
    /// What to do about it, as the command's `hint:` line says it; null when it has none.
    pub hint: Option<String>,
    /// What the command would exit with: 1 failure, 2 bad argument, 124 timeout
    /// (docs/exit-codes.md).
    pub exit_code: i32,
    /// What the tool found before it failed, for the tools that say so (`health`: every check).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<D>,
}

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
    match off_the_loop(make).await {
        Ok(data) => success(&data),
        Err(err) => failure(&err),
    }
}

/// Runs `make`'s future on a thread of its own (`runtime::off_the_loop`) when fewer than
/// [`MAX_CALLS_IN_FLIGHT`] calls run; otherwise refuses at once, so that threads stay for
/// reading the client's requests and answering the calls that run.
pub async fn off_the_loop<T, Fut>(make: impl FnOnce() -> Fut + Send + 'static) -> anyhow::Result<T>
where
    T: Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let Ok(place) = IN_FLIGHT.try_acquire() else {
        return Err(UserError::new(format!(
            "too many calls in flight (at most {MAX_CALLS_IN_FLIGHT} at once)"
        ))
        .hint("wait for an answer to one of the calls in flight, then call again")
        .into());
    };
    crate::runtime::off_the_loop(move || async move {
        let _held = place;
        make().await
    })
    .await
}

/// A tool's arguments that do not fit its input schema (a wrong type, a missing or unknown
/// field) get the tool error of every other bad argument: structured, exit code 2. The library
/// answers them with a bare text error, which the tool's output schema does not allow.
pub fn arguments_checked(tool: &str, response: CallToolResponse) -> CallToolResponse {
    let CallToolResponse::Complete(result) = &response else { return response };
    if result.is_error != Some(true) || result.structured_content.is_some() {
        return response;
    }
    let text = result.content.first().and_then(|c| c.as_text()).map(|t| t.text.as_str()).unwrap_or("");
    let Some(why) = text.strip_prefix(ARGUMENTS_REFUSED) else { return response };
    let err = UserError::usage(format!("invalid arguments for {tool}: {why}"))
        .hint(format!("the input schema of {tool} in tools/list names its arguments and their types"));
    failure(&err.into()).into()
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
    failure_with::<Value>(err, None)
}

/// A tool error that may carry data as well (a failed health check still reports every check).
pub fn failure_with<D: Serialize>(err: &anyhow::Error, data: Option<D>) -> CallToolResult {
    let (code, lines) = crate::error::report(err);
    let hint = lines.iter().find_map(|l| l.strip_prefix("hint: ")).map(str::to_string);
    let mut result = CallToolResult::error(vec![ContentBlock::text(lines.join("\n"))]);
    // Data that does not encode is left out: the error itself always goes out.
    let data = data.and_then(|d| serde_json::to_value(d).ok());
    let structured = ToolError { error: crate::error::one_line(err), hint, exit_code: code, data };
    result.structured_content = serde_json::to_value(structured).ok();
    result
}
