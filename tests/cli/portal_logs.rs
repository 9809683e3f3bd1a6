//! The portal on a real stack: a service's logs, read and followed live over the socket (with a
//! slow reader getting counted drops, not an unbounded queue), the branch's health checks run
//! on request (never approving a command check) and its pending migrations in its status.

use crate::portal::{next_of, Portal};
use crate::small_stack::SmallStack;
use serde_json::Value;
use std::time::{Duration, Instant};

/// A service that prints `tick N` five times a second, and one that prints 60 000 lines of
/// 200 bytes in a burst every 8 s (a reader that stops reading falls behind).
const EXTRA: &str = "  ticker:\n    image: cfn-test/app:1\n    healthcheck: {disable: true}\n    \
    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; i=0; while true; do i=$$((i+1)); echo tick $$i; sleep 0.2; done\"]\n  \
    flood:\n    image: cfn-test/app:1\n    healthcheck: {disable: true}\n    \
    logging: {driver: json-file, options: {max-size: 20m, max-file: \"2\"}}\n    \
    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; l=$$(printf '%0200d' 0); while true; do i=0; \
    while [ $$i -lt 60000 ]; do echo $$i$$l; i=$$((i+1)); done; sleep 8; done\"]\n";

fn ticks(lines: &Value) -> Vec<u64> {
    let lines = lines.as_array().unwrap();
    lines.iter().filter_map(|l| l.as_str()?.strip_prefix("tick ")?.parse().ok()).collect()
}

#[test]
fn follows_logs_runs_health_checks_and_counts_migrations() {
    let Some(st) = SmallStack::new("portallogs", EXTRA) else { return };
    let mut toml = std::fs::read_to_string(st.root.join("cfn.toml")).unwrap();
    toml.push_str(
        "\n[health.cache]\ntype = \"redis\"\nurl = \"redis://127.0.0.1:{{ ports.redis }}\"\n\
         [health.probe]\ntype = \"command\"\n\
         command = [\"sh\", \"-c\", \"test -z \\\"$OPENAI_API_KEY\\\" || { echo \\\"$OPENAI_API_KEY\\\"; exit 1; }\"]\n",
    );
    std::fs::write(st.root.join("cfn.toml"), &toml).unwrap();
    std::fs::write(st.wt.join("cfn.toml"), &toml).unwrap();
    std::fs::create_dir_all(st.wt.join("migrations")).unwrap();
    std::fs::write(st.wt.join("migrations/0001_notes.up.sql"), "CREATE TABLE notes (body TEXT);").unwrap();
    // A provider's key in the portal's environment never reaches a repository's check (whose
    // output the portal serves): the probe fails, printing it, if it does.
    let secret = std::path::Path::new("sk-portal-secret-4242");
    let (portal, stderr) =
        Portal::start_with(&st.sb, &st.root, &["--port", "0"], &[("OPENAI_API_KEY", secret)]);
    let base = format!("/api/worktrees/{}", st.project);

    // Before anything ran: no health result, the migration pending (and no database made).
    let (status, view) = portal.get(&format!("{base}/status"));
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["health"], Value::Null, "{view}");
    assert_eq!(view["migrations"]["available"], 1, "{view}");
    assert_eq!(view["migrations"]["pending"], 1, "{view}");
    assert!(!st.wt.join(".cfn/data/app.db").exists(), "reading the status creates no database");

    // Health checks on request: the command check needs trust, which the portal never gives.
    let (status, body) = portal.post(&format!("{base}/health"), "", None);
    assert_eq!(status, 403, "{body}");
    assert!(body["hint"].as_str().unwrap().contains("cfn trust"), "{body}");
    assert_eq!(portal.post(&format!("{base}/health"), r#"{"x":1}"#, None).0, 422);
    st.cfn(&st.wt, &["trust", "--yes"]).assert().success();
    let (status, body) = portal.post(&format!("{base}/health"), "{}", None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["health"]["ok"], false, "redis is down: {body}");
    let names: Vec<&str> =
        body["health"]["checks"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["cache", "probe"], "{body}");
    let (_, view) = portal.get(&format!("{base}/status"));
    assert_eq!(view["health"], body["health"], "the status shows the last run");

    // Up (from the command line): the migration is applied, the checks pass.
    st.cfn(&st.wt, &["up", "--timeout", "90"]).assert().success();
    let (_, view) = portal.get(&format!("{base}/status"));
    assert_eq!(
        (&view["migrations"]["applied"], &view["migrations"]["pending"]),
        (&1.into(), &0.into()),
        "{view}"
    );
    let (_, body) = portal.post(&format!("{base}/health"), "", None);
    assert_eq!(body["health"]["ok"], true, "{body}");
    assert!(!body.to_string().contains("sk-portal-secret"), "{body}");

    // The last lines, bounded.
    std::thread::sleep(Duration::from_secs(2));
    let (status, logs) = portal.get(&format!("{base}/logs?service=ticker&tail=3"));
    assert_eq!(status, 200, "{logs}");
    assert_eq!(logs["services"].as_array().unwrap().len(), 1, "{logs}");
    let got = ticks(&logs["services"][0]["lines"]);
    assert_eq!(got.len(), 3, "{logs}");
    assert!(got.windows(2).all(|w| w[1] == w[0] + 1), "the last three in order: {got:?}");
    assert_eq!(portal.get(&format!("{base}/logs?tail=1001")).0, 422);
    let (status, body) = portal.get(&format!("{base}/logs?service=nosuch"));
    assert_eq!(status, 422, "{body}");
    assert!(body["hint"].as_str().unwrap().contains("ticker"), "names the services: {body}");
    assert_eq!(portal.get("/api/worktrees/nosuch/logs").0, 404);

    // Following live: new lines as the service prints them, until the client stops.
    let mut ws = portal.socket();
    let follow = |service: &str, tail: u32| {
        tungstenite::Message::text(format!(
            r#"{{"type":"logs:follow","project":"{}","service":"{service}","tail":{tail}}}"#,
            st.project
        ))
    };
    ws.send(follow("nosuch", 0)).unwrap();
    let e = next_of(&mut ws, "error", Duration::from_secs(5), |_| true);
    assert!(e["error"].as_str().unwrap().contains("no such service"), "{e}");
    ws.send(follow("ticker", 0)).unwrap();
    let first = next_of(&mut ws, "log:lines", Duration::from_secs(5), |v| v["service"] == "ticker");
    let later = next_of(&mut ws, "log:lines", Duration::from_secs(5), |v| v["service"] == "ticker");
    let (a, b) = (ticks(&first["lines"]), ticks(&later["lines"]));
    assert!(!a.is_empty() && !b.is_empty() && b[0] > *a.last().unwrap(), "live and in order: {a:?} {b:?}");
    assert_eq!(later["project"], st.project.as_str());
    ws.send(tungstenite::Message::text(format!(
        r#"{{"type":"logs:stop","project":"{}","service":"ticker"}}"#,
        st.project
    )))
    .unwrap();
    ws.send(tungstenite::Message::text(r#"{"type":"ping"}"#)).unwrap();
    next_of(&mut ws, "pong", Duration::from_secs(5), |_| true);
    let quiet_from = Instant::now();
    while quiet_from.elapsed() < Duration::from_secs(2) {
        if let Ok(tungstenite::Message::Text(t)) = ws.read() {
            let v: Value = serde_json::from_str(&t).unwrap();
            assert_ne!(v["type"], "log:lines", "stopped: {v}");
        }
    }

    // A reader that stops reading while a service floods: lines are dropped and counted, the
    // portal's memory stays bounded, and the lines that come are whole and in order.
    ws.send(follow("flood", 0)).unwrap();
    next_of(&mut ws, "log:lines", Duration::from_secs(15), |v| v["service"] == "flood");
    std::thread::sleep(Duration::from_secs(12));
    let mut dropped = 0;
    let mut last = None;
    let deadline = Instant::now() + Duration::from_secs(30);
    while dropped == 0 && Instant::now() < deadline {
        let v = next_of(&mut ws, "log:lines", Duration::from_secs(30), |v| v["service"] == "flood");
        dropped = v["dropped"].as_u64().unwrap();
        for line in v["lines"].as_array().unwrap() {
            let line = line.as_str().unwrap();
            let n: u64 =
                line[..line.len() - 200].parse().unwrap_or_else(|_| panic!("a whole line: {line:.40}"));
            if let Some(l) = last {
                assert!(n > l || n == 0, "in order: {l} then {n}");
            }
            last = Some(n);
        }
    }
    assert!(dropped > 0, "a reader that fell behind is told how many lines it missed");
    let rss = rss_kib(portal.pid());
    assert!(rss < 300 * 1024, "the portal's memory stays bounded: {rss} KiB");
    drop(ws);
    drop(portal);
    let log = std::fs::read_to_string(stderr).unwrap();
    assert!(!log.contains("panicked"), "{log}");
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}
