//! Request bodies the portal will not wait for: a raw TCP client sends its headers and then
//! stalls or trickles the body (slow POST), or announces or sends more than the API takes.

use crate::harness::*;
use crate::portal::{raw_status, Portal};
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn head(addr: &str, token: &str, length: &str) -> String {
    format!(
        "POST /api/worktrees/nope/down HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\n{length}\r\n"
    )
}

/// The status line's code and how long it took to come, or `None` when the connection closed
/// without one.
fn answer_of(mut s: TcpStream) -> (Option<u16>, Duration, String) {
    let started = Instant::now();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut text = Vec::new();
    let _ = s.read_to_end(&mut text);
    let text = String::from_utf8_lossy(&text).to_string();
    let code = text.split(' ').nth(1).and_then(|c| c.parse().ok());
    (code, started.elapsed(), text)
}

#[test]
fn cuts_off_bodies_that_stall_trickle_or_are_too_large() {
    let sb = Sandbox::new();
    let root = sb.repo("portalbody", &[]);
    let (portal, stderr) = Portal::start(&sb, &root, &["--port", "0"]);
    let (addr, token) = (portal.addr.as_str(), portal.token.as_str());

    // Headers, then part of the body, then nothing: 408 once the body timeout passes, and the
    // connection closed.
    let started = Instant::now();
    let mut stalled = TcpStream::connect(addr).unwrap();
    stalled.write_all(head(addr, token, "Content-Length: 100\r\n").as_bytes()).unwrap();
    stalled.write_all(b"{\"a\":").unwrap();
    // A trickle: one byte a second, each one in time for any per-read timeout.
    let mut trickle = TcpStream::connect(addr).unwrap();
    trickle.write_all(head(addr, token, "Content-Length: 100\r\n").as_bytes()).unwrap();
    let trickling = std::thread::spawn(move || {
        for _ in 0..40 {
            if trickle.write_all(b" ").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        trickle
    });
    // Others are served meanwhile.
    assert_eq!(portal.get("/api/worktrees").0, 200);
    let (code, _, text) = answer_of(stalled);
    assert_eq!(code, Some(408), "{text}");
    assert!(text.contains("did not arrive within"), "{text}");
    assert!(text.to_ascii_lowercase().contains("connection: close"), "{text}");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(9) && waited < Duration::from_secs(20), "{waited:?}");
    let trickle = trickling.join().unwrap();
    let (code, _, text) = answer_of(trickle);
    assert_eq!(code, Some(408), "a trickle is cut off too: {text}");

    // Announcing more than the API takes: 413 before any of it is read.
    let mut big = TcpStream::connect(addr).unwrap();
    big.write_all(head(addr, token, "Content-Length: 10000000\r\n").as_bytes()).unwrap();
    let (code, took, text) = answer_of(big);
    assert_eq!(code, Some(413), "{text}");
    assert!(took < Duration::from_secs(5), "at once: {took:?}");
    assert!(text.contains("\"hint\""), "{text}");
    // Sending more without announcing it (chunked): 413 once the limit is passed.
    let mut chunked = TcpStream::connect(addr).unwrap();
    chunked.write_all(head(addr, token, "Transfer-Encoding: chunked\r\n").as_bytes()).unwrap();
    let chunk = vec![b' '; 16 * 1024];
    for _ in 0..5 {
        write!(chunked, "{:x}\r\n", chunk.len()).unwrap();
        chunked.write_all(&chunk).unwrap();
        chunked.write_all(b"\r\n").unwrap();
    }
    let (code, _, text) = answer_of(chunked);
    assert_eq!(code, Some(413), "{text}");

    // A small body sent whole still reaches the route.
    let whole = format!("{}{{}}", head(addr, token, "Content-Length: 2\r\nConnection: close\r\n"));
    assert_eq!(raw_status(addr, &whole), 404, "no such worktree: the route ran");
    drop(portal);
    let log = std::fs::read_to_string(stderr).unwrap();
    assert!(!log.contains("panicked"), "{log}");
}
