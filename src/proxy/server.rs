//! The proxy's server: accepts HTTP/1.1 and HTTP/2 (`hyper_util`'s `auto`), finds the route of
//! the request's host and forwards it to the branch's port over HTTP/1.1. Bodies stream both
//! ways (nothing is buffered); a WebSocket (any `Upgrade`) request is sent on a connection of
//! its own and, once the branch answers 101, the two upgraded connections are copied into each
//! other until either side closes.
//!
//! The `Host` header reaches the branch as the client sent it (dev servers build cookies,
//! redirects and OAuth callbacks from it); `X-Forwarded-For`, `-Host` and `-Proto` are set.

use super::forwarding::{
    describe, host_name, is_h2_websocket, request_host, set_forwarded, strip_hop_by_hop, upstream_uri,
    websocket_key, Peer,
};
use super::pages::{self, Body};
use super::routes::{Route, RouteCache};
use anyhow::Result;
use http_body_util::Either;
use hyper::body::Incoming;
use hyper::header::{
    HeaderValue, ACCEPT, CONNECTION, HOST, SEC_WEBSOCKET_EXTENSIONS, SEC_WEBSOCKET_KEY,
    SEC_WEBSOCKET_PROTOCOL, UPGRADE,
};
use hyper::{Request, Response, StatusCode, Version};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// How long a client has to send a request's headers.
const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

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
    // Made once per connection: every request on it is forwarded for the same client.
    let client = Peer { ip: HeaderValue::from_str(&peer.ip().to_string()).ok(), secure };
    let service = hyper::service::service_fn(move |req| {
        let proxy = proxy.clone();
        let client = client.clone();
        async move { Ok::<_, std::convert::Infallible>(proxy.handle(req, &client).await) }
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    // A client that sends part of its headers and stops (one of thousands, slowloris style) is
    // cut off instead of holding a connection and its memory for ever.
    builder.http1().timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    // WebSockets over HTTP/2 (RFC 8441): the client opens them with an extended CONNECT.
    builder.http2().enable_connect_protocol();
    // A client that goes away mid-request ends its connection; nothing to report.
    let _ = builder.serve_connection_with_upgrades(io, service).await;
}

impl Proxy {
    async fn handle(&self, mut req: Request<Incoming>, client: &Peer) -> Response<Body> {
        let wants_json = req
            .headers()
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/json"));
        // The host as the client sent it (a cheap clone of the header's bytes), so the request
        // stays free to change; requests whose host is no text are refused like those with none.
        let Some((host, from_header)) = request_host(&req) else {
            return pages::answer(
                StatusCode::BAD_REQUEST,
                "text/plain",
                "exactly one Host header is needed\n".into(),
            );
        };
        let Ok(host_text) = host.to_str() else {
            return pages::answer(
                StatusCode::BAD_REQUEST,
                "text/plain",
                "the Host header is not text\n".into(),
            );
        };
        let route = match self.routes.find(&host_name(host_text)) {
            Ok(route) => route,
            Err(routes) => return pages::unknown_host(host_text, &routes, wants_json, client.secure),
        };
        if is_h2_websocket(&req) {
            let result = self.forward_h2_websocket(req, &route, host, client).await;
            return result.unwrap_or_else(|why| pages::upstream_down(&route, &why, wants_json));
        }
        let is_upgrade = req.version() == Version::HTTP_11 && req.headers().contains_key(UPGRADE);
        let upgrade = is_upgrade.then(|| req.headers().get(UPGRADE).cloned()).flatten();
        strip_hop_by_hop(req.headers_mut());
        set_forwarded(req.headers_mut(), &host, client);
        if !from_header {
            req.headers_mut().insert(HOST, host);
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
        Ok(response.map(Either::Left))
    }

    /// A WebSocket opened over HTTP/2 (an extended CONNECT, RFC 8441) goes to the branch as the
    /// HTTP/1.1 upgrade it understands, on a connection of its own; on its 101 the client gets
    /// 200 and the HTTP/2 stream and the upgraded connection are joined.
    async fn forward_h2_websocket(
        &self,
        mut req: Request<Incoming>,
        route: &Route,
        host: HeaderValue,
        client: &Peer,
    ) -> Result<Response<Body>, String> {
        let client_side = hyper::upgrade::on(&mut req);
        let path = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/").to_string();
        let mut upstream = Request::get(path)
            .body(http_body_util::Empty::<bytes::Bytes>::new())
            .map_err(|e| e.to_string())?;
        *upstream.headers_mut() = std::mem::take(req.headers_mut());
        strip_hop_by_hop(upstream.headers_mut());
        set_forwarded(upstream.headers_mut(), &host, client);
        let headers = upstream.headers_mut();
        headers.insert(HOST, host);
        headers.insert(CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
        // HTTP/2 has no key; HTTP/1.1 needs a random one (RFC 6455 §4.1).
        headers.insert(SEC_WEBSOCKET_KEY, websocket_key()?);
        let stream = TcpStream::connect(route.upstream).await.map_err(|e| e.to_string())?;
        let _ = stream.set_nodelay(true);
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
        tokio::spawn(connection.with_upgrades());
        let mut response = sender.send_request(upstream).await.map_err(|e| e.to_string())?;
        if response.status() != StatusCode::SWITCHING_PROTOCOLS {
            strip_hop_by_hop(response.headers_mut());
            return Ok(response.map(Either::Left));
        }
        let upstream_side = hyper::upgrade::on(&mut response);
        tokio::spawn(async move {
            let (Ok(client), Ok(upstream)) = (client_side.await, upstream_side.await) else { return };
            let _ =
                tokio::io::copy_bidirectional(&mut TokioIo::new(client), &mut TokioIo::new(upstream)).await;
        });
        let mut answer = Response::new(Either::Right(http_body_util::Full::new(bytes::Bytes::new())));
        for name in [SEC_WEBSOCKET_PROTOCOL, SEC_WEBSOCKET_EXTENSIONS] {
            if let Some(value) = response.headers().get(&name) {
                answer.headers_mut().insert(name, value.clone());
            }
        }
        Ok(answer)
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
        Ok(response.map(Either::Left))
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
