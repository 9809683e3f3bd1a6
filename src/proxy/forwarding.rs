//! What forwarding a request changes and reads in its headers: the one host it names, the
//! upstream target, hop-by-hop headers removed, `X-Forwarded-*` set, the key of a WebSocket
//! upgrade made for the branch, and a failed forward's reason in a few words.

use super::routes::Route;
use hyper::body::Incoming;
use hyper::header::{
    HeaderName, HeaderValue, CONNECTION, HOST, PROXY_AUTHENTICATE, PROXY_AUTHORIZATION, TE, TRAILER,
    TRANSFER_ENCODING, UPGRADE,
};
use hyper::{Request, Uri};

/// Who a connection's requests come from.
#[derive(Clone)]
pub(super) struct Peer {
    /// Its address, for `X-Forwarded-For`.
    pub(super) ip: Option<HeaderValue>,
    /// Over TLS.
    pub(super) secure: bool,
}

/// The request's one host and whether it came in a `Host` header: that header (HTTP/1.1), else
/// the authority of the target (HTTP/2, or an absolute-form HTTP/1.1 target).
/// Two `Host` headers are no host at all (RFC 9112 §3.2: answered 400), so a proxy and the
/// branch behind it can never read different ones.
pub(super) fn request_host(req: &Request<Incoming>) -> Option<(HeaderValue, bool)> {
    let mut headers = req.headers().get_all(HOST).iter();
    let first = headers.next();
    if headers.next().is_some() {
        return None;
    }
    match first {
        Some(value) if !value.is_empty() => Some((value.clone(), true)),
        _ => {
            let authority = req.uri().authority().filter(|a| !a.as_str().is_empty())?;
            Some((HeaderValue::from_str(authority.as_str()).ok()?, false))
        }
    }
}

/// `host[:port]` → the name alone, lower case, without a trailing dot; borrowed when the host
/// is already that (browsers and curl send lower case), so the usual lookup allocates nothing.
pub fn host_name(host: &str) -> std::borrow::Cow<'_, str> {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    let name = name.trim_end_matches('.');
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(name.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

/// The branch's URI for a request: the route's authority and the request's path, both shared
/// bytes (no text is formatted or parsed again).
pub(super) fn upstream_uri(uri: &Uri, route: &Route) -> Result<Uri, String> {
    let mut parts = hyper::http::uri::Parts::default();
    parts.scheme = Some(hyper::http::uri::Scheme::HTTP);
    parts.authority = Some(route.authority.clone());
    parts.path_and_query = Some(
        uri.path_and_query().cloned().unwrap_or_else(|| hyper::http::uri::PathAndQuery::from_static("/")),
    );
    Uri::from_parts(parts).map_err(|e| e.to_string())
}

/// Hop-by-hop headers (RFC 9110 §7.6.1), by name already parsed.
pub(super) const HOP_BY_HOP: [HeaderName; 9] = [
    CONNECTION,
    HeaderName::from_static("keep-alive"),
    PROXY_AUTHENTICATE,
    PROXY_AUTHORIZATION,
    HeaderName::from_static("proxy-connection"),
    TE,
    TRAILER,
    TRANSFER_ENCODING,
    UPGRADE,
];

pub(super) fn strip_hop_by_hop(headers: &mut hyper::HeaderMap) {
    // Names listed in Connection are hop-by-hop too (rare: only then is anything collected).
    if headers.contains_key(CONNECTION) {
        let listed: Vec<HeaderName> = headers
            .get_all(CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
            .collect();
        for name in listed {
            headers.remove(name);
        }
    }
    for name in &HOP_BY_HOP {
        headers.remove(name);
    }
}

pub(super) fn set_forwarded(headers: &mut hyper::HeaderMap, host: &HeaderValue, client: &Peer) {
    if let Some(ip) = &client.ip {
        let forwarded_for = match headers.get(X_FORWARDED_FOR).and_then(|v| v.to_str().ok()) {
            // Appended to what an earlier proxy said: the rare case, formatted.
            Some(earlier) => {
                HeaderValue::from_str(&format!("{earlier}, {}", ip.to_str().unwrap_or_default())).ok()
            }
            None => Some(ip.clone()),
        };
        if let Some(value) = forwarded_for {
            headers.insert(X_FORWARDED_FOR, value);
        }
    }
    headers.insert(X_FORWARDED_HOST, host.clone());
    headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static(if client.secure { "https" } else { "http" }));
}

/// An HTTP/2 extended CONNECT for a WebSocket (RFC 8441).
pub(super) fn is_h2_websocket(req: &Request<Incoming>) -> bool {
    req.method() == hyper::Method::CONNECT
        && req
            .extensions()
            .get::<hyper::ext::Protocol>()
            .is_some_and(|p| p.as_str().eq_ignore_ascii_case("websocket"))
}

/// 16 random bytes in base64, as `Sec-WebSocket-Key` wants them.
pub(super) fn websocket_key() -> Result<HeaderValue, String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes[..16]).map_err(|e| e.to_string())?;
    let mut key = String::with_capacity(24);
    for chunk in bytes.chunks(3) {
        let n = u32::from(chunk[0]) << 16 | u32::from(chunk[1]) << 8 | u32::from(chunk[2]);
        for shift in [18, 12, 6, 0] {
            key.push(char::from(ALPHABET[(n >> shift & 63) as usize]));
        }
    }
    // 16 bytes are 22 characters and `==`; the two zero bytes of padding made `AA` instead.
    key.truncate(22);
    key.push_str("==");
    HeaderValue::from_str(&key).map_err(|e| e.to_string())
}

pub(super) const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
pub(super) const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
pub(super) const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// The reason of a failed forward, short: "connection refused" rather than a chain of wrappers.
pub(super) fn describe(error: &hyper_util::client::legacy::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    let mut last = error.to_string();
    while let Some(e) = source {
        last = e.to_string();
        source = e.source();
    }
    if error.is_connect() {
        format!("cannot connect ({last})")
    } else {
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_name_drops_port_case_and_trailing_dot() {
        assert_eq!(host_name("Web.Feat.Shop.localhost:7355"), "web.feat.shop.localhost");
        assert_eq!(host_name("web.shop.localhost."), "web.shop.localhost");
        assert_eq!(host_name("[::1]:80"), "[::1]");
    }

    #[test]
    fn a_websocket_key_is_16_bytes_of_base64() {
        let key = websocket_key().unwrap();
        let key = key.to_str().unwrap();
        assert_eq!(key.len(), 24);
        assert!(key.ends_with("==") && !key[..22].contains('='));
        assert_ne!(key, websocket_key().unwrap().to_str().unwrap());
    }
}
