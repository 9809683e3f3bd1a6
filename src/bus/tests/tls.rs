//! `rediss://` end to end (only in a build with the `tls` feature): a throw-away CA made with
//! the `openssl` CLI, trusted through `SSL_CERT_FILE`, which the native root store honours.

use std::path::Path;
use std::process::Command;

use super::harness::RedisServer;
use super::ms;
use crate::bus::{Bus, RedisBus};
use crate::health::tests::support::ci::require;

fn openssl(dir: &Path, args: &str) -> bool {
    let args: Vec<&str> = args.split_whitespace().collect();
    Command::new("openssl").args(&args).current_dir(dir).output().is_ok_and(|o| o.status.success())
}

/// Writes ca.crt, server.crt and server.key for 127.0.0.1 into `dir`; false if openssl fails.
fn make_certs(dir: &Path) -> bool {
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").is_ok()
        && openssl(dir, "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=cfn-test-ca")
        && openssl(dir, "req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1")
        && openssl(
            dir,
            "x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext",
        )
}

#[tokio::test]
async fn rediss_connects_with_the_tls_feature() {
    let dir = tempfile::tempdir().expect("temp dir");
    if !require(make_certs(dir.path()), "openssl (to make test certificates)") {
        return;
    }
    let path = |f: &str| dir.path().join(f).display().to_string();
    let (cert, key, ca) = (path("server.crt"), path("server.key"), path("ca.crt"));
    let args = [
        "--tls-cert-file",
        &cert,
        "--tls-key-file",
        &key,
        "--tls-ca-cert-file",
        &ca,
        "--tls-auth-clients",
        "no",
    ];
    let Some(server) = RedisServer::start_tls(&args) else { return };
    std::env::set_var("SSL_CERT_FILE", &ca);
    let url = format!("rediss://127.0.0.1:{}/0", server.port);
    let bus = Bus::Redis(RedisBus::connect(&url).await.expect("tls connect"));
    bus.signal_send("t", "c", "over tls").await.expect("send");
    assert_eq!(bus.signal_wait("t", "c", ms(1_000)).await.expect("wait").as_deref(), Some("over tls"));
    let plain = RedisBus::connect(&format!("redis://127.0.0.1:{}/0", server.port)).await;
    assert!(plain.is_err(), "plain text to a tls port must fail");
    let wrong_host = RedisBus::connect(&format!("rediss://localhost:{}/0", server.port)).await;
    let err = wrong_host.err().expect("the certificate names 127.0.0.1, not localhost");
    assert!(
        matches!(err, crate::bus::BusError::Connect { .. }),
        "a bad certificate is no fallback case: {err:?}"
    );
}
