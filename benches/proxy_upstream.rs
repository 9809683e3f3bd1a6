//! The upstream of `scripts/bench-proxy.sh`: a keep-alive HTTP/1.1 server on 127.0.0.1:<port>
//! answering every request with a short body, so that the benchmark measures the proxy, not the
//! server behind it; with `--delay-ms N` each answer waits N ms first, as a development server's
//! handler would. Runs until killed.
//!
//!     cargo bench --bench proxy_upstream -- <port> [--delay-ms N]

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let delay_at = args.iter().position(|a| a == "--delay-ms");
    let delay_ms: u64 = delay_at.and_then(|i| args.get(i + 1)).and_then(|a| a.parse().ok()).unwrap_or(0);
    let port: u16 = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with('-') && delay_at.is_none_or(|d| *i != d + 1))
        .and_then(|(_, a)| a.parse().ok())
        .unwrap_or(0);
    let delay = std::time::Duration::from_millis(delay_ms);
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
                let service =
                    hyper::service::service_fn(move |_req: Request<hyper::body::Incoming>| async move {
                        if !delay.is_zero() {
                            tokio::time::sleep(delay).await;
                        }
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
