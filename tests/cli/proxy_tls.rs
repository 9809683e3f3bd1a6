//! `[proxy] tls`: the proxy serves HTTPS with leaf certificates of a local CA made under
//! `$CFN_HOME/proxy-ca/`. Real requests with curl trusting only that CA (HTTP/1.1 and HTTP/2 by
//! ALPN) to a live branch's container, a WebSocket echo over TLS with a rustls client trusting
//! only the CA, a name outside `localhost` refused by that client, the key's mode, the same CA
//! after a restart and from the background proxy, a damaged CA or a key open to others refused
//! with a hint, and a creation killed half-way that the next command finishes.

use crate::harness::*;
use crate::proxy::{echo_server, free_port, get, read_head, status_of, Proxy};
use crate::stack_harness::*;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn ca_dir(sb: &Sandbox) -> PathBuf {
    sb.home.join("proxy-ca")
}

/// A repository whose web service publishes `web_base`, with `[proxy] port` free and `tls` on.
fn tls_repo(sb: &Sandbox, name: &str, web_base: u16) -> (PathBuf, u16) {
    let compose = format!("services:\n  web:\n    image: cfn-test/app:1\n    ports: [\"{web_base}:8080\"]\n");
    let root = sb.repo(name, &[("docker-compose.yml", &compose)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let port = free_port();
    let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    toml.push_str(&format!("\n[proxy]\nport = {port}\ntls = true\n"));
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    (root, port)
}

/// A TLS connection to the proxy for `name`, trusting only the CA at `ca`.
fn tls_connect(
    ca: &Path,
    port: u16,
    name: &str,
) -> Result<rustls::StreamOwned<rustls::ClientConnection, TcpStream>, rustls::Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_file(ca).unwrap()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let server = ServerName::try_from(name.to_string()).unwrap();
    let mut conn = rustls::ClientConnection::new(Arc::new(config), server).unwrap();
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp).map_err(|e| match e.into_inner() {
            Some(inner) => match inner.downcast::<rustls::Error>() {
                Ok(tls) => *tls,
                Err(other) => rustls::Error::General(other.to_string()),
            },
            None => rustls::Error::General("handshake failed".into()),
        })?;
    }
    Ok(rustls::StreamOwned::new(conn, tcp))
}

/// curl trusting only `ca`; the body and the HTTP version it spoke.
fn curl_https(ca: &Path, flag: &str, host: &str, port: u16, path: &str) -> (Vec<u8>, String) {
    let out = std::process::Command::new("curl")
        .args(["-sS", "--fail", flag, "--cacert"])
        .arg(ca)
        .args(["--resolve", &format!("{host}:{port}:127.0.0.1"), "-w", "\n%{http_version}"])
        .arg(format!("https://{host}:{port}{path}"))
        .output()
        .unwrap();
    assert!(out.status.success(), "curl {flag} https://{host}:{port}{path}: {}", stderr(&out));
    let split = out.stdout.iter().rposition(|b| *b == b'\n').unwrap();
    (out.stdout[..split].to_vec(), text(&out.stdout[split + 1..]))
}

#[test]
fn https_through_the_local_ca_to_a_live_branch() {
    if !engine_ready(V2) {
        return;
    }
    let block = port_block("pxtls");
    let sb = Sandbox::new();
    let (root, port) = tls_repo(&sb, "pxtls", block.base);
    let feat = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    let sock = sb.json(&root, &["worktree", "add", "sock", "--json"]);
    let _cleanup = Cleanup(vec![feat["project"].as_str().unwrap().to_string(), "pxtls".into()]);
    let feat_dir = PathBuf::from(feat["path"].as_str().unwrap());
    cfn_with(&sb, &feat_dir, V2, &["up", "--timeout", "120"]).assert().success();

    // The hostname URLs say https.
    let host = "web.feat.pxtls.localhost";
    let url = sb.cfn(&root, &["url", "web", "-b", "feat"]).output().unwrap();
    assert_eq!(text(&url.stdout).trim(), format!("https://{host}:{port}"), "{}", stderr(&url));
    let env = sb.json(&root, &["env", "feat", "--format", "json"]);
    assert_eq!(env["CFN_WEB_HOST_URL"], format!("https://{host}:{port}"));

    // First use makes the CA: a private folder and key.
    let proxy = Proxy::start(&sb, &root, port);
    let ca = ca_dir(&sb).join("ca.pem");
    assert_eq!(mode(&ca_dir(&sb)), 0o700);
    assert_eq!(mode(&ca_dir(&sb).join("ca-key.pem")), 0o600);
    let first_ca = std::fs::read(&ca).unwrap();

    // curl trusting only the CA, over HTTP/1.1 and HTTP/2 (ALPN), gets what the port serves.
    let direct = std::process::Command::new("curl")
        .args(["-sf", &format!("http://127.0.0.1:{}/index.html", feat["ports"]["web"])])
        .output()
        .unwrap();
    assert!(direct.status.success() && !direct.stdout.is_empty());
    for (flag, version) in [("--http1.1", "1.1"), ("--http2", "2")] {
        let (body, seen) = curl_https(&ca, flag, host, port, "/index.html");
        assert_eq!((body, seen.as_str()), (direct.stdout.clone(), version));
    }
    // Plain HTTP still answers on the same port.
    assert_eq!(get(port, host, "/index.html", "*/*").2, direct.stdout);

    // The branch learns the request came over TLS.
    let sock_port = sock["ports"]["web"].as_u64().unwrap() as u16;
    let stop_echo = echo_server(sock_port);
    let sock_host = "web.sock.pxtls.localhost";
    let mut tls = tls_connect(&ca, port, sock_host).unwrap();
    write!(tls, "GET /seen HTTP/1.1\r\nHost: {sock_host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    assert!(answer.starts_with("http/1.1 200"), "{answer}");
    assert!(answer.contains("x-forwarded-proto: https"), "{answer}");

    // A WebSocket over TLS: 101, then bytes both ways through the proxy.
    let mut ws = tls_connect(&ca, port, sock_host).unwrap();
    ws.write_all(
        format!(
            "GET /ws HTTP/1.1\r\nHost: {sock_host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        )
        .as_bytes(),
    )
    .unwrap();
    let mut reader = BufReader::new(ws);
    let head = read_head(&mut reader);
    assert_eq!(status_of(&head), 101, "{head}");
    for message in ["hello", "over tls", &"x".repeat(100_000)] {
        reader.get_mut().write_all(message.as_bytes()).unwrap();
        let mut echoed = vec![0u8; message.len()];
        reader.read_exact(&mut echoed).unwrap();
        assert_eq!(echoed, message.as_bytes());
    }
    drop(reader);
    drop(stop_echo);

    // A name outside localhost gets no certificate a client of this CA accepts.
    let refused = tls_connect(&ca, port, "example.com");
    assert!(refused.is_err(), "a certificate for example.com from the local CA");

    // A restarted proxy uses the same CA: nothing to trust again.
    proxy.stop();
    let proxy = Proxy::start(&sb, &root, port);
    let (body, _) = curl_https(&ca, "--http1.1", host, port, "/index.html");
    assert_eq!(body, direct.stdout);
    assert_eq!(std::fs::read(&ca).unwrap(), first_ca);
    proxy.stop();
    cfn_with(&sb, &feat_dir, V2, &["down"]).assert().success();
}

/// `cfn proxy ca` makes the CA once and says how to trust it; the background proxy uses the
/// same one; a damaged CA, a key that is not the certificate's, or a key open to others is
/// refused with a hint.
#[test]
fn the_ca_is_made_once_and_a_damaged_one_is_refused() {
    let sb = Sandbox::new();
    let (root, port) = tls_repo(&sb, "pxtlsca", 8080);
    let made = sb.json(&root, &["proxy", "ca", "--json"]);
    assert_eq!(made["created"], true, "{made}");
    let ca = ca_dir(&sb).join("ca.pem");
    assert_eq!(made["certificate"], ca.to_str().unwrap());
    let first = std::fs::read(&ca).unwrap();
    let again = sb.json(&root, &["proxy", "ca", "--json"]);
    assert_eq!(again["created"], false, "{again}");
    let told = sb.cfn(&root, &["proxy", "ca"]).output().unwrap();
    let told = text(&told.stdout);
    assert!(told.starts_with(ca.to_str().unwrap()), "{told}");
    assert!(told.contains("NODE_EXTRA_CA_CERTS=") && told.contains("curl --cacert"), "{told}");

    // The background proxy serves HTTPS with it (and says so).
    let out = sb.cfn(&root, &["proxy", "start"]).output().unwrap();
    let kill = PidOnDrop(sb.home.join("proxy.pid"));
    assert!(stderr(&out).contains(&format!("on https://127.0.0.1:{port}")), "{}", stderr(&out));
    let status = sb.json(&root, &["proxy", "status", "--json"]);
    assert_eq!((&status["tls"], &status["ca"]), (&true.into(), &ca.to_str().unwrap().into()), "{status}");
    let out = std::process::Command::new("curl")
        .args(["-sS", "--cacert"])
        .arg(&ca)
        .args(["--resolve", &format!("nope.localhost:{port}:127.0.0.1"), "-H", "Accept: application/json"])
        .arg(format!("https://nope.localhost:{port}/"))
        .output()
        .unwrap();
    assert!(text(&out.stdout).contains("no route for nope.localhost"), "{}", stderr(&out));
    sb.cfn(&root, &["proxy", "stop"]).assert().success();
    drop(kill);
    assert_eq!(std::fs::read(&ca).unwrap(), first, "the background proxy made no new CA");

    let refused = |what: &str| {
        let out =
            sb.cfn(&root, &["proxy", "--port", &port.to_string()]).timeout(Duration::from_secs(20)).output();
        let out = out.unwrap();
        assert_eq!(out.status.code(), Some(1), "{what}: {}", stderr(&out));
        stderr(&out)
    };
    let key = ca_dir(&sb).join("ca-key.pem");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = refused("key open to others");
    assert!(err.contains("is open to group or others (mode 644)"), "{err}");
    assert!(err.contains(&format!("hint: chmod 600 {}", key.display())), "{err}");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();

    std::fs::write(&ca, "not a certificate\n").unwrap();
    let err = refused("garbage certificate");
    assert!(
        err.starts_with(&format!("error: the proxy's CA in {} is damaged", ca_dir(&sb).display())),
        "{err}"
    );
    assert!(err.contains("hint: move") && err.contains("cfn proxy ca"), "{err}");
    let out = sb.cfn(&root, &["proxy", "start"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("is damaged"), "{}", stderr(&out));
    assert!(!sb.home.join("proxy.pid").exists(), "nothing started");

    std::fs::write(&ca, &first).unwrap();
    std::fs::write(&key, rcgen::KeyPair::generate().unwrap().serialize_pem()).unwrap();
    let err = refused("another key");
    assert!(err.contains("ca-key.pem is not the key of ca.pem"), "{err}");
}

/// A CA creation killed before it is moved into place leaves no CA; the next command makes one.
#[test]
fn a_ca_creation_killed_half_way_is_made_again() {
    let sb = Sandbox::new();
    let (root, _) = tls_repo(&sb, "pxtlscrash", 8080);
    let out = sb.cfn(&root, &["proxy", "ca"]).env("CFN_CRASH_AT", "proxy-ca:1").output().unwrap();
    assert!(!out.status.success(), "the crash point aborts");
    assert!(!ca_dir(&sb).exists() && sb.home.join("proxy-ca.new/ca-key.pem").exists());
    let made = sb.json(&root, &["proxy", "ca", "--json"]);
    assert_eq!(made["created"], true, "{made}");
    assert!(!sb.home.join("proxy-ca.new").exists(), "the half-made CA is gone");
    assert_eq!(mode(&ca_dir(&sb).join("ca-key.pem")), 0o600);
}

/// Kills the background proxy named by a pid file when dropped, however the test ends.
struct PidOnDrop(PathBuf);

impl Drop for PidOnDrop {
    fn drop(&mut self) {
        let pid = std::fs::read_to_string(&self.0)
            .ok()
            .and_then(|t| t.lines().find_map(|l| l.strip_prefix("pid=")).and_then(|p| p.parse().ok()));
        if let Some(pid) = pid.and_then(rustix::process::Pid::from_raw) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
        }
    }
}
