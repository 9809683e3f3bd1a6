//! The upstream of `scripts/bench-proxy.sh`: a keep-alive HTTP/1.1 server on 127.0.0.1:<port>
//! answering every request with a short body, so that the benchmark measures the proxy, not the
//! server behind it. Runs until killed.
//!
//!     cargo bench --bench proxy_upstream -- <port>

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;

fn main() {
    let port: u16 =
        std::env::args().skip(1).find(|a| !a.starts_with('-')).and_then(|a| a.parse().ok()).unwrap_or(0);
    if port == 0 {
        // `cargo bench` without a port (the whole suite): nothing to serve.
        eprintln!("usage: cargo bench --bench proxy_upstream -- <port>");
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        eprintln!("upstream on 127.0.0.1:{port}");
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|_req: Request<hyper::body::Incoming>| async {
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(
                        b"hello from the branch\n",
                    ))))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}
