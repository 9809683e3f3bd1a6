//! Request bodies are read whole, within a time and a size, before any route sees them: a client
//! that sends its headers and then trickles or stalls its body (slow POST) is cut off with 408
//! instead of holding a connection and a worker's attention for ever, and one that sends more
//! than the API ever takes gets 413 — at once when its `Content-Length` says so.
//!
//! The header read timeout (`HEADER_READ_TIMEOUT` in `mod.rs`) covers the headers; this covers
//! what follows them.

use super::errors::ApiError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use http_body_util::BodyExt as _;
use std::time::Duration;

/// The whole body must arrive within this, however it is sent (one byte at a time included).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest body any route takes; the API's bodies are a few hundred bytes.
pub const MAX_BODY: usize = 64 * 1024;

pub async fn read_whole(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return closing(too_large());
    }
    let (parts, body) = req.into_parts();
    let limited = http_body_util::Limited::new(body, MAX_BODY);
    let bytes = match tokio::time::timeout(BODY_READ_TIMEOUT, limited.collect()).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => return closing(too_large()),
        // The client went away or sent a broken chunked body: nothing left to answer well.
        Ok(Err(_)) => {
            return closing(ApiError::new(
                StatusCode::BAD_REQUEST,
                "the request body could not be read",
                "send the whole body, with a Content-Length that matches it",
            ))
        }
        Err(_) => {
            return closing(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!("the request body did not arrive within {} s", BODY_READ_TIMEOUT.as_secs()),
                "send the whole body at once; the API's bodies are small JSON objects",
            ))
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is over {} KiB", MAX_BODY / 1024),
        "the API's bodies are small JSON objects: see /api/openapi.json",
    )
}

/// The rest of the body may still be on its way: the connection is not reused.
fn closing(e: ApiError) -> Response {
    let mut res = e.into_response();
    res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}
