//! Who may use the API: the token on every `/api` and `/ws` request, and for requests that
//! change something, an `Origin` of the portal itself (or none, from a script).
//!
//! The `Host` a request names must be an address, or `localhost`, with the portal's port: a
//! page of another site whose name was made to resolve to this machine (DNS rebinding) names its
//! own host and is refused, on top of having no token. A request naming its host twice (two
//! `Host` headers, or a target in absolute form naming another) is refused, as is one with two
//! `Origin` or `Authorization` headers: which one a proxy in front would have checked is unknown.
//! A request that changes something and says its body is not JSON gets 415.

use super::errors::ApiError;
use super::Shared;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use std::net::{IpAddr, SocketAddr};

/// `/api/*`: the bearer header, always; a foreign `Origin` on anything but a read is refused.
pub async fn api(State(portal): State<Shared>, req: Request, next: Next) -> Response {
    match api_allowed(&portal, &req) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

fn api_allowed(portal: &Shared, req: &Request) -> Result<(), ApiError> {
    let headers = req.headers();
    host_allowed(headers, portal.addr)?;
    target_allowed(req.uri(), headers)?;
    // Checked on reads too: an Origin sent twice is ambiguous whatever the method.
    single(headers, header::ORIGIN)?;
    if !bearer(headers)?.is_some_and(|t| portal.token.matches(t)) {
        return Err(ApiError::unauthorized());
    }
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !reads {
        origin_allowed(headers)?;
        json_body(headers)?;
    }
    Ok(())
}

/// `/ws`: the token as a query parameter (a browser cannot set headers on a socket) or the
/// bearer header; a browser's `Origin` must be the portal's own.
pub fn socket(portal: &Shared, headers: &HeaderMap, query_tokens: &[&str]) -> Result<(), ApiError> {
    host_allowed(headers, portal.addr)?;
    let header = bearer(headers)?;
    let offered = match (query_tokens, header) {
        ([], header) => header,
        ([token], None) => Some(*token),
        // Which of two credentials a proxy in front checked cannot be known.
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "the request carries more than one token",
                "send the token once: `?token=` or the bearer header",
            ))
        }
    };
    if !offered.is_some_and(|t| portal.token.matches(t)) {
        return Err(ApiError::unauthorized());
    }
    origin_allowed(headers)
}

/// The one value of header `name`, if sent; two or more are refused (400), as is one that is
/// not visible ASCII.
fn single(headers: &HeaderMap, name: header::HeaderName) -> Result<Option<&str>, ApiError> {
    let mut values = headers.get_all(&name).iter();
    let Some(first) = values.next() else { return Ok(None) };
    if values.next().is_some() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("the request has more than one {name} header"),
            format!("send {name} once"),
        ));
    }
    first.to_str().map(Some).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("the {name} header is not text"),
            format!("send {name} as ASCII"),
        )
    })
}

fn bearer(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = single(headers, header::AUTHORIZATION)? else { return Ok(None) };
    let token = value
        .split_once(' ')
        .and_then(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()));
    Ok(token)
}

/// An `Origin`, when sent, must be `http://` + the request's own `Host`.
fn origin_allowed(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(origin) = single(headers, header::ORIGIN)? else { return Ok(()) };
    let host = single(headers, header::HOST)?.unwrap_or_default();
    if origin.strip_prefix("http://").is_some_and(|o| o == host) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        format!("requests from {origin} are refused"),
        "the portal takes actions from its own page only; a script sends no Origin header",
    ))
}

/// A target in absolute form (`POST http://host/api/...`) names the same host as `Host`.
fn target_allowed(uri: &axum::http::Uri, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(authority) = uri.authority() else { return Ok(()) };
    let host = single(headers, header::HOST)?.unwrap_or_default();
    if authority.as_str().eq_ignore_ascii_case(host) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::BAD_REQUEST,
        format!("the request's target names {authority}, its Host header {host:?}"),
        "send the path only, or a target naming the portal's own address",
    ))
}

/// A body that says what it is must say JSON: the API reads nothing else.
fn json_body(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(kind) = single(headers, header::CONTENT_TYPE)? else { return Ok(()) };
    let media = kind.split(';').next().unwrap_or_default().trim();
    if media.eq_ignore_ascii_case("application/json") {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        format!("the API reads JSON bodies, not {media}"),
        "send `Content-Type: application/json`, or no body",
    ))
}

fn host_allowed(headers: &HeaderMap, addr: SocketAddr) -> Result<(), ApiError> {
    let host = single(headers, header::HOST)?.unwrap_or_default();
    if is_own_host(host, addr) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        format!("host {host:?} is not this portal's"),
        "reach the portal by its address (http://127.0.0.1:<port>) or as localhost",
    ))
}

/// `localhost`, or an IP address the portal listens on (any, when it listens on all), with the
/// portal's port (none means 80).
fn is_own_host(host: &str, addr: SocketAddr) -> bool {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((name, after)) => (name, after.strip_prefix(':')),
            None => return false,
        },
        None => match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        },
    };
    let port_matches = match port {
        // Digits only, without a leading zero: the port as a browser writes it.
        Some(port) => !port.starts_with('0') && port.parse::<u16>().is_ok_and(|p| p == addr.port()),
        None => addr.port() == 80,
    };
    if !port_matches {
        return false;
    }
    if name.eq_ignore_ascii_case("localhost") {
        return addr.ip().is_loopback() || addr.ip().is_unspecified();
    }
    // The address it listens on, exactly (any address when it listens on all).
    match name.parse::<IpAddr>() {
        Ok(ip) => ip == addr.ip() || addr.ip().is_unspecified(),
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
        assert!(!is_own_host("[::1]:7356", lo), "not the address it listens on");
        assert!(!is_own_host("127.0.0.2:7356", lo));
        assert!(!is_own_host("evil.example:7356", lo));
        assert!(!is_own_host("127.0.0.1:7357", lo), "another port");
        assert!(!is_own_host("127.0.0.1", lo), "no port is 80");
        assert!(!is_own_host("localhost:", lo));
        assert!(!is_own_host("[::1", lo));
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
        assert_eq!(bearer(&h).unwrap(), Some("abc"));
        h.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&h).unwrap(), None);
    }

    #[test]
    fn a_header_sent_twice_is_refused() {
        for name in [header::HOST, header::ORIGIN, header::AUTHORIZATION] {
            let mut h = HeaderMap::new();
            h.append(name.clone(), "127.0.0.1:7356".parse().unwrap());
            h.append(name.clone(), "evil.example:7356".parse().unwrap());
            assert_eq!(single(&h, name).unwrap_err().status, StatusCode::BAD_REQUEST);
        }
    }

    #[test]
    fn an_absolute_target_must_name_the_host() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:7356".parse().unwrap());
        assert!(target_allowed(&"/api/worktrees".parse().unwrap(), &h).is_ok());
        assert!(target_allowed(&"http://127.0.0.1:7356/api/worktrees".parse().unwrap(), &h).is_ok());
        let other = target_allowed(&"http://evil.example/api/worktrees".parse().unwrap(), &h).unwrap_err();
        assert_eq!(other.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn a_body_must_be_json_when_it_says_what_it_is() {
        let mut h = HeaderMap::new();
        assert!(json_body(&h).is_ok(), "no body, or a script's plain POST");
        h.insert(header::CONTENT_TYPE, "application/json; charset=utf-8".parse().unwrap());
        assert!(json_body(&h).is_ok());
        h.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert_eq!(json_body(&h).unwrap_err().status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        h.insert(header::CONTENT_TYPE, "application/x-www-form-urlencoded".parse().unwrap());
        assert!(json_body(&h).is_err());
    }
}
