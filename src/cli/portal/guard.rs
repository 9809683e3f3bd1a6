//! Who may use the API: the token on every `/api` and `/ws` request, and for requests that
//! change something, an `Origin` of the portal itself (or none, from a script).
//!
//! The `Host` a request names must be an address, or `localhost`: a page of another site whose
//! name was made to resolve to this machine (DNS rebinding) names its own host and is refused,
//! on top of having no token.

use super::errors::ApiError;
use super::Shared;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use std::net::{IpAddr, SocketAddr};

/// `/api/*`: the bearer header, always; a foreign `Origin` on anything but a read is refused.
pub async fn api(State(portal): State<Shared>, req: Request, next: Next) -> Response {
    if let Err(e) = host_allowed(req.headers(), portal.addr) {
        return e.into_response();
    }
    if !bearer(req.headers()).is_some_and(|t| portal.token.matches(t)) {
        return ApiError::unauthorized().into_response();
    }
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !reads {
        if let Err(e) = origin_allowed(req.headers()) {
            return e.into_response();
        }
    }
    next.run(req).await
}

/// `/ws`: the token as a query parameter (a browser cannot set headers on a socket) or the
/// bearer header; a browser's `Origin` must be the portal's own.
pub fn socket(portal: &Shared, headers: &HeaderMap, query_token: Option<&str>) -> Result<(), ApiError> {
    host_allowed(headers, portal.addr)?;
    let offered = query_token.or_else(|| bearer(headers));
    if !offered.is_some_and(|t| portal.token.matches(t)) {
        return Err(ApiError::unauthorized());
    }
    origin_allowed(headers)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// An `Origin`, when sent, must be `http://` + the request's own `Host`.
fn origin_allowed(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN) else { return Ok(()) };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let same = origin.to_str().ok().and_then(|o| o.strip_prefix("http://")).is_some_and(|o| o == host);
    if same {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        format!("requests from {} are refused", origin.to_str().unwrap_or("another origin")),
        "the portal takes actions from its own page only; a script sends no Origin header",
    ))
}

fn host_allowed(headers: &HeaderMap, addr: SocketAddr) -> Result<(), ApiError> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    if is_own_host(host, addr) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        format!("host {host:?} is not this portal's"),
        "reach the portal by its address (http://127.0.0.1:<port>) or as localhost",
    ))
}

/// `localhost`, or an IP address the portal listens on (any, when it listens on all).
fn is_own_host(host: &str, addr: SocketAddr) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    if name.eq_ignore_ascii_case("localhost") {
        return addr.ip().is_loopback() || addr.ip().is_unspecified();
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => {
            ip == addr.ip() || addr.ip().is_unspecified() || (ip.is_loopback() && addr.ip().is_loopback())
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_addresses_and_localhost_are_own_hosts() {
        let lo: SocketAddr = "127.0.0.1:7356".parse().unwrap();
        assert!(is_own_host("127.0.0.1:7356", lo));
        assert!(is_own_host("localhost:7356", lo));
        assert!(is_own_host("[::1]:7356", lo));
        assert!(!is_own_host("evil.example:7356", lo));
        assert!(!is_own_host("10.0.0.5:7356", lo));
        assert!(!is_own_host("", lo));
        let any: SocketAddr = "0.0.0.0:7356".parse().unwrap();
        assert!(is_own_host("10.0.0.5:7356", any));
        assert!(!is_own_host("evil.example", any));
    }

    #[test]
    fn an_origin_must_be_the_requests_own_host() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:7356".parse().unwrap());
        assert!(origin_allowed(&h).is_ok(), "no Origin: a script");
        h.insert(header::ORIGIN, "http://127.0.0.1:7356".parse().unwrap());
        assert!(origin_allowed(&h).is_ok());
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert_eq!(origin_allowed(&h).unwrap_err().status, StatusCode::FORBIDDEN);
        h.insert(header::ORIGIN, "null".parse().unwrap());
        assert!(origin_allowed(&h).is_err());
    }

    #[test]
    fn the_bearer_scheme_is_read_case_blind() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, "bearer abc".parse().unwrap());
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&h), None);
    }
}
