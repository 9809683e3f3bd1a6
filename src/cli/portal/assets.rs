//! The page: plain HTML, CSS and JavaScript modules compiled into the binary (no build step),
//! the OpenAPI document, and the headers every answer carries.

use super::Shared;
use axum::http::{header, HeaderName, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

const INDEX: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const VIEWS_JS: &str = include_str!("assets/views.js");
const CONTROL_JS: &str = include_str!("assets/control.js");
const PANES_JS: &str = include_str!("assets/panes.js");
const STYLE: &str = include_str!("assets/style.css");
pub const OPENAPI: &str = include_str!("assets/openapi.json");

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(|| async { page("text/html; charset=utf-8", INDEX) }))
        .route("/app.js", get(|| async { page("text/javascript; charset=utf-8", APP_JS) }))
        .route("/views.js", get(|| async { page("text/javascript; charset=utf-8", VIEWS_JS) }))
        .route("/control.js", get(|| async { page("text/javascript; charset=utf-8", CONTROL_JS) }))
        .route("/panes.js", get(|| async { page("text/javascript; charset=utf-8", PANES_JS) }))
        .route("/style.css", get(|| async { page("text/css; charset=utf-8", STYLE) }))
}

fn page(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-store")], body)
}

pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// Every answer: scripts and styles from the portal only, no framing, no sniffing, and no
/// referrer (the page's first URL carries the token).
pub fn security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    router
        .layer(set(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
}
