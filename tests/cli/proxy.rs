//! `cfn proxy` as a real process in front of real branches: one branch's stack on the engine
//! (busybox httpd of cfn-test/app:1, with a 50 MB file), one branch whose leased port a
//! WebSocket-style echo server of this test holds. Plain HTTP by hostname, an upgrade echoed
//! through both upgraded connections, a streamed download that leaves the proxy's memory flat,
//! the unknown-host page and JSON, 502 for a branch that is down, routes that follow the
//! registry within a second, a restart that keeps them, and the proxy's own port taken.

use crate::harness::*;
use crate::stack_harness::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const COMPOSE: &str = "services:
  web:
    image: cfn-test/app:1
    command: [\"sh\", \"-c\", \"dd if=/dev/zero of=/var/www/big bs=1048576 count=50 2>/dev/null; exec /usr/local/bin/serve\"]
    ports: [\"8080:8080\"]
";

const BIG: usize = 50 * 1024 * 1024;

/// A port for a proxy to listen on: from a block this test process holds, below the kernel's
/// ephemeral range, never handed out twice. (A port the kernel said was free could be taken by
/// another test's connection before the proxy binds it.)
pub(crate) fn free_port() -> u16 {
    static BLOCK: std::sync::OnceLock<PortBlock> = std::sync::OnceLock::new();
    static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let block = BLOCK.get_or_init(|| port_block("proxy-listeners"));
    loop {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        assert!(n < 200, "the proxy tests' port block is used up");
        if TcpListener::bind(("127.0.0.1", block.base + n)).is_ok() {
            return block.base + n;
        }
    }
}

/// A running `cfn proxy`, stopped with SIGTERM when dropped.
pub(crate) struct Proxy(Child);

impl Proxy {
    pub(crate) fn start(sb: &Sandbox, dir: &Path, port: u16) -> Proxy {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"));
        cmd.current_dir(dir)
            .args(["proxy", "--port", &port.to_string()])
            .envs(hermetic_env(&sb.home, sb.path()))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let proxy = Proxy(cmd.spawn().unwrap());
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the proxy did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        proxy
    }

    /// Peak resident memory in KiB (VmHWM).
    fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    pub(crate) fn stop(mut self) {
        rustix::process::kill_process(
            rustix::process::Pid::from_raw(self.0.id() as i32).unwrap(),
            rustix::process::Signal::TERM,
        )
        .unwrap();
        let status = self.0.wait().unwrap();
        assert!(status.success(), "the proxy ends cleanly on SIGTERM: {status}");
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 request through the proxy; the status line, headers and body.
pub(crate) fn get(port: u16, host: &str, path: &str, accept: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(stream);
    let head = read_head(&mut reader);
    let mut body = Vec::new();
    reader.read_to_end(&mut body).unwrap();
    let body = dechunk(&head, body);
    (status_of(&head), head, body)
}

pub(crate) fn read_head(reader: &mut impl BufRead) -> String {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "connection closed in the head: {head}");
        if line == "\r\n" {
            return head;
        }
        head.push_str(&line);
    }
}

pub(crate) fn status_of(head: &str) -> u16 {
    head.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// The body of a chunked answer without its chunk framing.
fn dechunk(head: &str, body: Vec<u8>) -> Vec<u8> {
    if !head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        return body;
    }
    let mut out = Vec::new();
    let mut rest = &body[..];
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
        rest = &rest[line_end + 2 + size + 2..];
    }
}

/// An upstream on `port` that answers a plain GET with the request's head as its body, and an
/// `Upgrade` request with 101 and then echoes every byte back. Runs until `stop` is dropped.
pub(crate) fn echo_server(port: u16) -> std::sync::mpsc::Sender<()> {
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    listener.set_nonblocking(true).unwrap();
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || loop {
        if let Err(std::sync::mpsc::TryRecvError::Disconnected) = stopped.try_recv() {
            return;
        }
        let Ok((stream, _)) = listener.accept() else {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        std::thread::spawn(move || serve_one(stream));
    });
    stop
}

fn serve_one(stream: TcpStream) {
    stream.set_nonblocking(false).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let head = read_head(&mut reader);
    let mut stream = stream;
    if head.to_ascii_lowercase().contains("upgrade: websocket") {
        stream
            .write_all(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
            )
            .unwrap();
        let mut buf = [0u8; 4096];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if stream.write_all(&buf[..n]).is_err() {
                        return;
                    }
                }
            }
        }
    }
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}",
        head.len()
    );
}

/// Polls `what` until it holds, for at most `limit`; the time it took.
pub(crate) fn within(limit: Duration, what: impl Fn() -> bool) -> Duration {
    let start = Instant::now();
    while !what() {
        assert!(start.elapsed() < limit, "not within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    start.elapsed()
}

#[test]
fn the_proxy_routes_hostnames_to_live_branches() {
    if !engine_ready(V2) {
        return;
    }
    let sb = Sandbox::new();
    let root = sb.repo("proxyapp", &[("docker-compose.yml", COMPOSE)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let port = free_port();
    let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    toml.push_str(&format!("\n[proxy]\nport = {port}\n"));
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    let feat = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    let sock = sb.json(&root, &["worktree", "add", "sock", "--json"]);
    let feat_project = feat["project"].as_str().unwrap().to_string();
    let _cleanup = Cleanup(vec![feat_project.clone()]);
    let feat_dir = std::path::PathBuf::from(feat["path"].as_str().unwrap());
    let sock_port = sock["ports"]["web"].as_u64().unwrap() as u16;
    cfn_with(&sb, &feat_dir, V2, &["up", "--timeout", "120"]).assert().success();

    // The hostname URL is in the env contract and printed by `cfn url`.
    let feat_host = "web.feat.proxyapp.localhost";
    let url = sb.cfn(&root, &["url", "web", "-b", "feat"]).output().unwrap();
    assert_eq!(text(&url.stdout).trim(), format!("http://{feat_host}:{port}"), "{}", stderr(&url));
    let env = sb.json(&root, &["env", "feat", "--format", "json"]);
    assert_eq!(env["CFN_WEB_HOST_URL"], format!("http://{feat_host}:{port}"));

    let proxy = Proxy::start(&sb, &root, port);

    // Plain HTTP to the branch's stack, by name, with the port in the Host header as browsers send it.
    let (status, _, body) = get(port, &format!("{feat_host}:{port}"), "/index.html", "*/*");
    assert_eq!(status, 200);
    let direct = std::process::Command::new("curl")
        .args(["-sf", &format!("http://127.0.0.1:{}/index.html", feat["ports"]["web"])])
        .output()
        .unwrap();
    assert_eq!(body, direct.stdout, "the proxy answers what the branch's port answers");
    // The same by URL as a person types it (curl resolves *.localhost itself; --resolve makes
    // sure), over HTTP/1.1 and over HTTP/2 without TLS.
    for (flag, version) in [("--http1.1", "1.1"), ("--http2-prior-knowledge", "2")] {
        let out = std::process::Command::new("curl")
            .args([
                "-sS",
                flag,
                "--resolve",
                &format!("{feat_host}:{port}:127.0.0.1"),
                "-w",
                "\n%{http_version}",
            ])
            .arg(format!("http://{feat_host}:{port}/index.html"))
            .output()
            .unwrap();
        let answer = text(&out.stdout);
        let (page, seen_version) = answer.rsplit_once('\n').unwrap();
        assert_eq!((page.as_bytes(), seen_version), (&direct.stdout[..], version), "{}", stderr(&out));
    }

    // The Host header reaches the upstream as sent, with X-Forwarded-*.
    let stop_echo = echo_server(sock_port);
    let (status, _, body) = get(port, "WEB.sock.proxyapp.localhost", "/seen?x=1", "*/*");
    assert_eq!(status, 200);
    let seen = String::from_utf8(body).unwrap().to_ascii_lowercase();
    assert!(seen.starts_with("get /seen?x=1 http/1.1"), "{seen}");
    assert!(seen.contains("host: web.sock.proxyapp.localhost\r\n"), "{seen}");
    assert!(seen.contains("x-forwarded-for: 127.0.0.1"), "{seen}");
    assert!(seen.contains("x-forwarded-host: web.sock.proxyapp.localhost"), "{seen}");
    assert!(seen.contains("x-forwarded-proto: http"), "{seen}");

    // A WebSocket upgrade: 101 through the proxy, then bytes both ways.
    let mut ws = TcpStream::connect(("127.0.0.1", port)).unwrap();
    ws.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    ws.write_all(
        b"GET /ws HTTP/1.1\r\nHost: web.sock.proxyapp.localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
          Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    )
    .unwrap();
    let mut reader = BufReader::new(ws.try_clone().unwrap());
    let head = read_head(&mut reader);
    assert_eq!(status_of(&head), 101, "{head}");
    for message in ["hello", "through the proxy", &"x".repeat(100_000)] {
        ws.write_all(message.as_bytes()).unwrap();
        let mut echoed = vec![0u8; message.len()];
        reader.read_exact(&mut echoed).unwrap();
        assert_eq!(echoed, message.as_bytes());
    }
    drop((ws, reader));

    // 50 MB streamed from the branch's container: the proxy's peak memory barely moves.
    let before = proxy.peak_rss_kib();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(stream, "GET /big HTTP/1.1\r\nHost: {feat_host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut reader = BufReader::new(stream);
    let head = read_head(&mut reader);
    assert_eq!(status_of(&head), 200, "{head}");
    let mut received = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    let started = Instant::now();
    loop {
        let n = reader.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        received += n;
    }
    assert_eq!(received, BIG);
    let grown = proxy.peak_rss_kib().saturating_sub(before);
    eprintln!("50 MB through the proxy in {:?}; peak RSS grew {grown} KiB", started.elapsed());
    assert!(grown < 16 * 1024, "the proxy buffered the download: its peak RSS grew {grown} KiB");

    // An unknown host lists the routes: HTML, or JSON when asked.
    let (status, _, body) = get(port, "nope.proxyapp.localhost", "/", "text/html");
    assert_eq!(status, 404);
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains(feat_host) && html.contains("web.sock.proxyapp.localhost"), "{html}");
    let (status, head, body) = get(port, "nope.proxyapp.localhost", "/", "application/json");
    assert_eq!(status, 404);
    assert!(head.to_ascii_lowercase().contains("content-type: application/json"), "{head}");
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let hosts: Vec<&str> =
        json["routes"].as_array().unwrap().iter().map(|r| r["host"].as_str().unwrap()).collect();
    assert!(hosts.contains(&feat_host) && hosts.contains(&"web.proxyapp.localhost"), "{hosts:?}");

    // A branch whose port does not answer: 502 naming it, with `cfn up`.
    drop(stop_echo);
    within(Duration::from_secs(5), || TcpListener::bind(("127.0.0.1", sock_port)).is_ok());
    let (status, _, body) = get(port, "web.sock.proxyapp.localhost", "/", "text/html");
    assert_eq!(status, 502);
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains("branch sock") && page.contains("cfn up -b sock"), "{page}");

    // A route appears within a second of the branch being registered, and goes when removed.
    let late_host = "web.late.proxyapp.localhost";
    assert_eq!(get(port, late_host, "/", "*/*").0, 404);
    sb.cfn(&root, &["worktree", "add", "late"]).assert().success();
    let took = within(Duration::from_secs(1), || get(port, late_host, "/", "*/*").0 == 502);
    eprintln!("route appeared {took:?} after `worktree add` returned");
    sb.cfn(&root, &["worktree", "remove", "late", "--yes"]).assert().success();
    let took = within(Duration::from_secs(1), || get(port, late_host, "/", "*/*").0 == 404);
    eprintln!("route went {took:?} after `worktree remove` returned");

    // Status sees the proxy and its routes.
    let status = sb.json(&root, &["proxy", "status", "--json"]);
    assert_eq!(status["running"], true, "{status}");
    assert_eq!(status["port"], port);

    // The proxy's own port taken: one error line with a hint, exit 1, nothing started.
    let out = sb
        .cfn(&root, &["proxy", "--port", &port.to_string()])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with(&format!("error: cannot listen on 127.0.0.1:{port}")), "{err}");
    assert!(err.contains("hint: another program listens on port"), "{err}");

    // Another address than loopback: a warning says who can reach the branches.
    let other = free_port();
    let mut wide = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"));
    wide.current_dir(&root)
        .args(["proxy", "--bind", "0.0.0.0", "--port", &other.to_string()])
        .envs(hermetic_env(&sb.home, sb.path()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut wide = Proxy(wide.spawn().unwrap());
    let mut first = String::new();
    // (kept open until the proxy ends: a closed pipe would fail its next line)
    let mut wide_err = BufReader::new(wide.0.stderr.take().unwrap());
    wide_err.read_line(&mut first).unwrap();
    assert!(first.contains("warning:") && first.contains("0.0.0.0, not loopback"), "{first}");
    // (an answer means it serves, and so handles SIGTERM)
    within(Duration::from_secs(20), || {
        TcpStream::connect(("127.0.0.1", other)).is_ok() && get(other, "nope.localhost", "/", "*/*").0 == 404
    });
    wide.stop();
    drop(wide_err);

    // A restart keeps the routes: they live in the registry, not in the proxy.
    proxy.stop();
    let after = sb.json(&root, &["proxy", "status", "--json"]);
    assert_eq!(after["running"], false, "{after}");
    let proxy = Proxy::start(&sb, &root, port);
    let (status, _, body) = get(port, feat_host, "/index.html", "*/*");
    assert_eq!((status, body), (200, direct.stdout));
    proxy.stop();
    cfn_with(&sb, &feat_dir, V2, &["down"]).assert().success();
}

/// A client that sends part of its headers and stops is cut off (after 10 s), so thousands of
/// them cannot hold the proxy's connections and memory for ever.
#[test]
fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let sb = Sandbox::new();
    let root = sb.repo(
        "slowhead",
        &[("docker-compose.yml", "services:\n  web:\n    image: cfn-test/app:1\n    ports: [\"8080:80\"]\n")],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let port = free_port();
    let proxy = Proxy::start(&sb, &root, port);
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: zz\r\nX-a: ").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(25))).unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 512];
    let read = slow.read(&mut buf);
    assert!(
        matches!(read, Ok(0))
            || matches!(&read, Ok(n) if String::from_utf8_lossy(&buf[..*n]).starts_with("HTTP/1.1 408")),
        "the connection is closed (or answered 408), not kept: {read:?} after {:?}",
        started.elapsed()
    );
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    proxy.stop();
}

/// A state database replaced under a running proxy (deleted and rebuilt) is opened again: a
/// branch added afterwards gets its route without restarting the proxy.
#[test]
fn a_replaced_state_database_is_opened_again() {
    let sb = Sandbox::new();
    let root = sb.repo(
        "reopen",
        &[("docker-compose.yml", "services:\n  web:\n    image: cfn-test/app:1\n    ports: [\"8080:80\"]\n")],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    sb.cfn(&root, &["worktree", "add", "first"]).assert().success();
    let port = free_port();
    let proxy = Proxy::start(&sb, &root, port);
    let routes =
        || String::from_utf8_lossy(&get(port, "nowhere.localhost", "/", "application/json").2).into_owned();
    assert!(routes().contains("first"), "{}", routes());

    for f in ["state.db", "state.db-wal", "state.db-shm"] {
        let _ = std::fs::remove_file(sb.home.join(f));
    }
    // The registry is rebuilt from the worktree's files; then a new branch is added.
    sb.cfn(&root, &["worktree", "list"]).assert().success();
    sb.cfn(&root, &["worktree", "add", "second"]).assert().success();
    let waited = within(Duration::from_secs(10), || routes().contains("second"));
    assert!(routes().contains("second") && routes().contains("first"), "after {waited:?}: {}", routes());
    proxy.stop();
}

/// Two `Host` headers are refused (400), never routed by one while the branch reads the other.
#[test]
fn a_request_with_two_host_headers_is_refused() {
    let sb = Sandbox::new();
    let root = sb.repo(
        "twohost",
        &[("docker-compose.yml", "services:\n  web:\n    image: cfn-test/app:1\n    ports: [\"8080:80\"]\n")],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let port = free_port();
    let proxy = Proxy::start(&sb, &root, port);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: web.twohost.localhost\r\nHost: other.localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(stream);
    let head = read_head(&mut reader);
    assert_eq!(status_of(&head), 400, "{head}");
    let (status, _, body) = get(port, "nowhere.localhost", "/", "application/json");
    assert_eq!(status, 404, "one Host header still routes: {}", String::from_utf8_lossy(&body));
    proxy.stop();
}

/// A WebSocket over HTTP/2 (RFC 8441): an extended CONNECT through the proxy reaches the
/// branch as an HTTP/1.1 upgrade, and bytes go both ways on the HTTP/2 stream.
#[tokio::test]
async fn a_websocket_over_http2_is_joined_to_the_branch() {
    use http_body_util::Empty;
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let sb = Sandbox::new();
    let root = sb.repo(
        "h2ws",
        &[("docker-compose.yml", "services:\n  web:\n    image: cfn-test/app:1\n    ports: [\"8080:80\"]\n")],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let sock = sb.json(&root, &["worktree", "add", "sock", "--json"]);
    let _echo = echo_server(sock["ports"]["web"].as_u64().unwrap() as u16);
    let port = free_port();
    let proxy = Proxy::start(&sb, &root, port);

    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tcp)).await.unwrap();
    tokio::spawn(connection);
    let host = "web.sock.h2ws.localhost";
    // A first request makes sure the proxy's settings (extended CONNECT allowed) have arrived.
    let plain =
        hyper::Request::get(format!("http://{host}/seen")).body(Empty::<bytes::Bytes>::new()).unwrap();
    assert_eq!(sender.send_request(plain).await.unwrap().status(), 200);

    let mut connect = hyper::Request::builder()
        .method(hyper::Method::CONNECT)
        .uri(format!("http://{host}/ws"))
        .header("sec-websocket-version", "13")
        .body(Empty::<bytes::Bytes>::new())
        .unwrap();
    connect.extensions_mut().insert(hyper::ext::Protocol::from_static("websocket"));
    let response = sender.send_request(connect).await.unwrap();
    assert_eq!(response.status(), 200, "{response:?}");
    let mut stream = TokioIo::new(hyper::upgrade::on(response).await.unwrap());
    for message in ["hello", "over http/2", &"y".repeat(100_000)] {
        stream.write_all(message.as_bytes()).await.unwrap();
        let mut echoed = vec![0u8; message.len()];
        tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut echoed)).await.unwrap().unwrap();
        assert_eq!(echoed, message.as_bytes());
    }
    drop(stream);
    proxy.stop();
}
