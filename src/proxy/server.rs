//! The proxy's server: accepts HTTP/1.1 and HTTP/2 (`hyper_util`'s `auto`), finds the route of
//! the request's host and forwards it to the branch's port over HTTP/1.1. Bodies stream both
//! ways (nothing is buffered); a WebSocket (any `Upgrade`) request is sent on a connection of
//! its own and, once the branch answers 101, the two upgraded connections are copied into each
//! other until either side closes.
//!
//! The `Host` header reaches the branch as the client sent it (dev servers build cookies,
//! redirects and OAuth callbacks from it); `X-Forwarded-For`, `-Host` and `-Proto` are set.

use super::pages::{self, Body};
use super::routes::{Route, RouteCache};
use anyhow::Result;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue, ACCEPT, CONNECTION, HOST, UPGRADE};
use hyper::{Request, Response, StatusCode, Uri, Version};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// How long a client has to send a request's headers.
const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Headers that belong to one connection and are not forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

pub(super) struct Proxy {
    routes: Arc<RouteCache>,
    client: Client<HttpConnector, Incoming>,
}

impl Proxy {
    /// A proxy for one thread: the shared route table, and a pool of upstream connections of
    /// its own. Upstream connections are kept alive and reused, so a request on a kept-alive
    /// client connection costs no new TCP handshake to the branch either.
    pub(super) fn new(routes: Arc<RouteCache>) -> Proxy {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Proxy { routes, client: Client::builder(TokioExecutor::new()).build(connector) }
    }
}

/// Accepts connections on `listener` and serves each on this thread's runtime until `stop`
/// completes. With `tls`, a connection whose first byte opens a TLS handshake is served over
/// TLS and any other as plain HTTP, so one port takes both `https://` and `http://` URLs.
pub(super) async fn accept_loop(
    listener: std::net::TcpListener,
    proxy: Arc<Proxy>,
    tls: Option<TlsAcceptor>,
    stop: impl std::future::Future<Output = ()>,
) -> Result<()> {
    let listener = TcpListener::from_std(listener)?;
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                // Out of file descriptors and the like: that connection is lost, not the proxy.
                Err(_) => continue,
            },
            _ = &mut stop => return Ok(()),
        };
        let _ = stream.set_nodelay(true);
        let proxy = proxy.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let Some(acceptor) = tls else { return serve(TokioIo::new(stream), proxy, peer, false).await };
            // The first byte decides (a TLS record of type handshake is 0x16); a client that
            // sends nothing, or stalls its handshake, is cut off like a slow plain client.
            let mut first = [0u8; 1];
            match tokio::time::timeout(HEADER_READ_TIMEOUT, stream.peek(&mut first)).await {
                Ok(Ok(1)) if first[0] == TLS_HANDSHAKE => {
                    let accepted = tokio::time::timeout(HEADER_READ_TIMEOUT, acceptor.accept(stream)).await;
                    if let Ok(Ok(tls_stream)) = accepted {
                        serve(TokioIo::new(tls_stream), proxy, peer, true).await;
                    }
                }
                Ok(Ok(read)) if read > 0 => serve(TokioIo::new(stream), proxy, peer, false).await,
                // Closed, failed or silent before its first byte.
                _ => {}
            }
        });
    }
}

/// The first byte of a TLS connection (a handshake record).
const TLS_HANDSHAKE: u8 = 0x16;

/// Serves one client connection, plain or TLS (`secure`), until it ends.
async fn serve<I>(io: TokioIo<I>, proxy: Arc<Proxy>, peer: SocketAddr, secure: bool)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| {
        let proxy = proxy.clone();
        async move { Ok::<_, std::convert::Infallible>(proxy.handle(req, peer, secure).await) }
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    // A client that sends part of its headers and stops (one of thousands, slowloris style) is
    // cut off instead of holding a connection and its memory for ever.
    builder.http1().timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    // A client that goes away mid-request ends its connection; nothing to report.
    let _ = builder.serve_connection_with_upgrades(io, service).await;
}

impl Proxy {
    async fn handle(&self, mut req: Request<Incoming>, peer: SocketAddr, secure: bool) -> Response<Body> {
        let wants_json = req
            .headers()
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/json"));
        let Some(host) = request_host(&req) else {
            return pages::answer(
                StatusCode::BAD_REQUEST,
                "text/plain",
                "exactly one Host header is needed\n".into(),
            );
        };
        let route = match self.routes.find(&host_name(&host)) {
            Ok(route) => route,
            Err(routes) => return pages::unknown_host(&host, &routes, wants_json, secure),
        };
        let is_upgrade = req.version() == Version::HTTP_11 && req.headers().contains_key(UPGRADE);
        let upgrade = is_upgrade.then(|| req.headers().get(UPGRADE).cloned()).flatten();
        strip_hop_by_hop(req.headers_mut());
        set_forwarded(req.headers_mut(), &host, peer, secure);
        if req.headers().get(HOST).is_none() {
            if let Ok(value) = HeaderValue::from_str(&host) {
                req.headers_mut().insert(HOST, value);
            }
        }
        *req.version_mut() = Version::HTTP_11;
        let result = match upgrade {
            Some(protocol) => self.forward_upgrade(req, &route, protocol).await,
            None => self.forward(req, &route).await,
        };
        match result {
            Ok(response) => response,
            Err(why) => pages::upstream_down(&route, &why, wants_json),
        }
    }

    async fn forward(&self, mut req: Request<Incoming>, route: &Route) -> Result<Response<Body>, String> {
        *req.uri_mut() = upstream_uri(req.uri(), route)?;
        let mut response = self.client.request(req).await.map_err(|e| describe(&e))?;
        strip_hop_by_hop(response.headers_mut());
        Ok(response.map(|body| body.boxed()))
    }

    /// An `Upgrade` request on a connection of its own; on 101, both sides are joined.
    async fn forward_upgrade(
        &self,
        mut req: Request<Incoming>,
        route: &Route,
        protocol: HeaderValue,
    ) -> Result<Response<Body>, String> {
        let client_side = hyper::upgrade::on(&mut req);
        let path = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        *req.uri_mut() = path.parse().map_err(|e| format!("{e}"))?;
        req.headers_mut().insert(CONNECTION, HeaderValue::from_static("upgrade"));
        req.headers_mut().insert(UPGRADE, protocol.clone());
        let stream = TcpStream::connect(route.upstream).await.map_err(|e| e.to_string())?;
        let _ = stream.set_nodelay(true);
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
        tokio::spawn(connection.with_upgrades());
        let mut response = sender.send_request(req).await.map_err(|e| e.to_string())?;
        if response.status() == StatusCode::SWITCHING_PROTOCOLS {
            let upstream_side = hyper::upgrade::on(&mut response);
            tokio::spawn(async move {
                let (Ok(client), Ok(upstream)) = (client_side.await, upstream_side.await) else { return };
                let _ = tokio::io::copy_bidirectional(&mut TokioIo::new(client), &mut TokioIo::new(upstream))
                    .await;
            });
            strip_hop_by_hop(response.headers_mut());
            response.headers_mut().insert(CONNECTION, HeaderValue::from_static("upgrade"));
            response.headers_mut().insert(UPGRADE, protocol);
        } else {
            strip_hop_by_hop(response.headers_mut());
        }
        Ok(response.map(|body| body.boxed()))
    }
}

/// The host the client asked for: the Host header (HTTP/1.1), else the URI's authority (HTTP/2).
/// The request's one host: its `Host` header, else the authority of an absolute-form target.
/// Two `Host` headers are no host at all (RFC 9112 §3.2: answered 400), so a proxy and the
/// branch behind it can never read different ones.
fn request_host(req: &Request<Incoming>) -> Option<String> {
    let mut headers = req.headers().get_all(HOST).iter();
    let first = headers.next();
    if headers.next().is_some() {
        return None;
    }
    let header = first.and_then(|v| v.to_str().ok()).map(str::to_string);
    header.or_else(|| req.uri().authority().map(|a| a.as_str().to_string())).filter(|h| !h.is_empty())
}

/// `host[:port]` → the name alone, lower case, without a trailing dot.
pub fn host_name(host: &str) -> String {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn upstream_uri(uri: &Uri, route: &Route) -> Result<Uri, String> {
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    format!("http://{}{path}", route.upstream).parse().map_err(|e| format!("{e}"))
}

fn strip_hop_by_hop(headers: &mut hyper::HeaderMap) {
    // Names listed in Connection are hop-by-hop too.
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
    for name in HOP_BY_HOP {
        headers.remove(*name);
    }
}

fn set_forwarded(headers: &mut hyper::HeaderMap, host: &str, peer: SocketAddr, secure: bool) {
    let client = peer.ip().to_string();
    let forwarded_for = match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(earlier) => format!("{earlier}, {client}"),
        None => client,
    };
    if let Ok(value) = HeaderValue::from_str(&forwarded_for) {
        headers.insert("x-forwarded-for", value);
    }
    if let Ok(value) = HeaderValue::from_str(host) {
        headers.insert("x-forwarded-host", value);
    }
    headers.insert("x-forwarded-proto", HeaderValue::from_static(if secure { "https" } else { "http" }));
}

/// The reason of a failed forward, short: "connection refused" rather than a chain of wrappers.
fn describe(error: &hyper_util::client::legacy::Error) -> String {
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

/// Whether a cfn proxy answers on `addr`: it sends its `Server` header on its own pages.
pub async fn probe(addr: SocketAddr) -> bool {
    let Ok(Ok(stream)) =
        tokio::time::timeout(std::time::Duration::from_secs(2), TcpStream::connect(addr)).await
    else {
        return false;
    };
    let Ok((mut sender, connection)) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
    else {
        return false;
    };
    tokio::spawn(connection);
    let request = Request::get("/")
        .header(HOST, "cfn-proxy-status.invalid")
        .header(ACCEPT, "application/json")
        .body(http_body_util::Empty::<bytes::Bytes>::new());
    let Ok(request) = request else { return false };
    let answer = tokio::time::timeout(std::time::Duration::from_secs(2), sender.send_request(request)).await;
    matches!(answer, Ok(Ok(r)) if r.headers().get(hyper::header::SERVER).is_some_and(|v| v == pages::SERVER_NAME))
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
}
