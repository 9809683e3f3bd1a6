//! The API's errors: `{"error": …, "hint": …}` with a status a client can act on. A command's
//! error keeps the message and hint the CLI prints; its status comes from what it means.

use crate::error::Kind;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub error: String,
    pub hint: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, error: impl Into<String>, hint: impl Into<String>) -> ApiError {
        ApiError { status, error: error.into(), hint: Some(hint.into()) }
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing or wrong token",
            "send `Authorization: Bearer <token>` (the socket: `?token=<token>`); the token is in \
             $CFN_HOME/portal-<port>.token and in the URL `cfn portal` printed",
        )
    }

    pub fn not_found(what: impl Into<String>, hint: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, what, hint)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> ApiError {
        let (code, lines) = crate::error::report(&err);
        let hint = lines.iter().find_map(|l| l.strip_prefix("hint: ")).map(str::to_string);
        let kind = crate::error::user_error(&err).map(|u| u.kind).unwrap_or_default();
        ApiError { status: status_of(kind, code), error: format!("{err:#}"), hint }
    }
}

/// The status of a command's error, from what it means.
fn status_of(kind: Kind, code: i32) -> StatusCode {
    match kind {
        Kind::NotTrusted => StatusCode::FORBIDDEN,
        Kind::Busy => StatusCode::CONFLICT,
        Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Kind::Usage | Kind::NotFound => StatusCode::UNPROCESSABLE_ENTITY,
        Kind::Failure if code == crate::error::exit::TIMEOUT => StatusCode::GATEWAY_TIMEOUT,
        Kind::Failure => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.error, "hint": self.hint }))).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Runs a command's blocking work off the async workers; a panic becomes a 500.
pub async fn blocking<T, F>(work: F) -> ApiResult<T>
where
    F: FnOnce() -> anyhow::Result<T> + Send + 'static,
    T: Send + 'static,
{
    awaiting(move || async move { work() }).await
}

/// Runs a command's async work (which blocks its thread for as long as the command runs) off
/// the async workers (`runtime::off_the_loop`).
pub async fn awaiting<T, Fut>(make: impl FnOnce() -> Fut + Send + 'static) -> ApiResult<T>
where
    Fut: std::future::Future<Output = anyhow::Result<T>>,
    T: Send + 'static,
{
    crate::runtime::off_the_loop(make).await.map_err(ApiError::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::UserError;

    #[test]
    fn a_commands_error_keeps_its_hint_and_gets_a_status_of_its_meaning() {
        let trust: anyhow::Error =
            UserError::new("not trusted: health command x").kind(Kind::NotTrusted).hint("cfn trust").into();
        let e = ApiError::from(trust);
        assert_eq!(e.status, StatusCode::FORBIDDEN);
        assert_eq!(e.hint.as_deref(), Some("cfn trust"));
        let busy: anyhow::Error = UserError::new("branch busy: up by pid 3").kind(Kind::Busy).into();
        assert_eq!(ApiError::from(busy).status, StatusCode::CONFLICT);
        let usage: anyhow::Error = UserError::usage("bad").into();
        assert_eq!(ApiError::from(usage).status, StatusCode::UNPROCESSABLE_ENTITY);
        let other = ApiError::from(anyhow::anyhow!("disk full"));
        assert_eq!(other.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(other.hint.is_some(), "every error has a hint");
    }
}
