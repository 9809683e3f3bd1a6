//! Request bodies: read by hand so a bad one gets the API's own error shape — 400 for what is
//! not JSON, 422 for JSON of the wrong shape — rather than the framework's plain text.

use super::errors::{ApiError, ApiResult};
use axum::body::Bytes;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// `POST /api/worktrees/:project/up`: every field optional; no body at all means the defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpBody {
    /// Services to start (default: all).
    #[serde(default)]
    pub services: Vec<String>,
    /// Seconds to wait for every service to be ready (default 120, at most 600).
    pub timeout: Option<u64>,
    /// Wait until ready (default true).
    pub wait: Option<bool>,
}

/// The most seconds one `up` request waits.
pub const MAX_UP_TIMEOUT: u64 = 600;

/// `POST /api/worktrees/:project/down`: nothing to say; an object is accepted for symmetry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DownBody {}

/// An empty body is `T::default()`.
pub fn parse<T: DeserializeOwned + Default>(bytes: &Bytes) -> ApiResult<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let status = match e.classify() {
            serde_json::error::Category::Data => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(
            status,
            format!("bad request body: {e}"),
            "see /api/openapi.json for the body this route takes",
        )
    })
}

impl UpBody {
    pub fn check(&self) -> ApiResult<()> {
        match self.timeout {
            Some(t) if t == 0 || t > MAX_UP_TIMEOUT => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("timeout {t} is outside 1..={MAX_UP_TIMEOUT} seconds"),
                "give a timeout of at most 600 seconds, or none for 120",
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_defaults_when_empty_and_refused_with_the_right_status() {
        let up: UpBody = parse(&Bytes::from_static(b"")).unwrap();
        assert!(up.services.is_empty() && up.timeout.is_none());
        let up: UpBody = parse(&Bytes::from_static(br#"{"services":["redis"],"timeout":30}"#)).unwrap();
        assert_eq!(up.services, ["redis"]);
        let bad = parse::<UpBody>(&Bytes::from_static(b"{not json")).unwrap_err();
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let shape = parse::<UpBody>(&Bytes::from_static(br#"{"services":"redis"}"#)).unwrap_err();
        assert_eq!(shape.status, StatusCode::UNPROCESSABLE_ENTITY);
        let unknown = parse::<UpBody>(&Bytes::from_static(br#"{"volumes":true}"#)).unwrap_err();
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        let long: UpBody = parse(&Bytes::from_static(br#"{"timeout":601}"#)).unwrap();
        assert_eq!(long.check().unwrap_err().status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}
