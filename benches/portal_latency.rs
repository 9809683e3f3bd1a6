//! The client side of `scripts/bench-portal.sh`: how long a change takes to reach a portal's
//! clients. A loop event is written to the state database as the loop records one, and the time
//! until it arrives is measured (a) at a WebSocket client subscribed to the run and (b) in a
//! headless Chromium page following the run (the page's own clock, read back after the run: a
//! MutationObserver stamps each event row as it is drawn). A container start is measured from
//! the engine's own start time (`State.StartedAt`) to the `stack:update` saying it runs.
//!
//!     cargo bench --bench portal_latency -- <addr> <token> <cfn_home> <task> <events> <driver_port> <container>
//!     cargo bench --bench portal_latency -- follow <addr> <token> <task> <seconds>
//!
//! Prints `name p50 p99 n` lines; `follow` stays subscribed to a run (a page following a live
//! run) and prints how many updates and events it received.

use fantoccini::{ClientBuilder, Locator};
use serde_json::Value;
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tungstenite::stream::MaybeTlsStream;

type Socket = tungstenite::WebSocket<MaybeTlsStream<TcpStream>>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if let [mode, addr, token, task, seconds] = args.as_slice() {
        if mode == "follow" {
            return follow(addr, token, task, seconds.parse().unwrap());
        }
    }
    let [addr, token, home, task, events, driver, container] = args.as_slice() else {
        eprintln!("usage: cargo bench --bench portal_latency -- <addr> <token> <cfn_home> <task> <events> <driver_port> <container>");
        return;
    };
    let events: usize = events.parse().unwrap();
    let db = rusqlite::Connection::open(std::path::Path::new(home).join("state.db")).unwrap();
    db.busy_timeout(Duration::from_secs(5)).unwrap();

    let mut ws = socket(addr, token);
    send(&mut ws, &format!(r#"{{"subscribe":"{task}"}}"#));
    next(&mut ws, |v| v["type"] == "loop:progress");
    let mut took = Vec::new();
    for i in 0..events {
        // Spread over the database check's period, so no phase is favoured.
        std::thread::sleep(Duration::from_millis(20 + (i as u64 * 37) % 100));
        let sent = Instant::now();
        record(&db, task, i);
        next(&mut ws, |v| {
            v["type"] == "loop:progress" && v["events"].as_array().is_some_and(|e| !e.is_empty())
        });
        took.push(sent.elapsed().as_secs_f64() * 1000.0);
    }
    report("event->websocket", &mut took);

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut page = rt.block_on(in_the_page(addr, token, task, driver, &db, events));
    report("event->browser", &mut page);

    let mut starts = Vec::new();
    for _ in 0..10 {
        docker(&["stop", "-t", "0", container]);
        next(&mut ws, |v| v["type"] == "stack:update" && v["services"][0]["state"] != "running");
        docker(&["start", container]);
        next(&mut ws, |v| v["type"] == "stack:update" && v["services"][0]["state"] == "running");
        let received = now_ms();
        let started = docker(&["inspect", "-f", "{{.State.StartedAt}}", container]);
        starts.push(received - rfc3339_ms(started.trim()));
    }
    report("container-start->websocket", &mut starts);
}

fn follow(addr: &str, token: &str, task: &str, seconds: u64) {
    let mut ws = socket(addr, token);
    send(&mut ws, &format!(r#"{{"subscribe":"{task}"}}"#));
    let (mut updates, mut events) = (0, 0);
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    }
    let end = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < end {
        let text = match ws.read() {
            Ok(tungstenite::Message::Text(t)) => t,
            Ok(_) => continue,
            Err(tungstenite::Error::Io(e))
                if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
            {
                continue
            }
            Err(e) => panic!("the socket failed: {e}"),
        };
        let v: Value = serde_json::from_str(&text).unwrap();
        if v["type"] == "error" && updates == 0 {
            // The run is not recorded yet: ask again.
            std::thread::sleep(Duration::from_millis(100));
            send(&mut ws, &format!(r#"{{"subscribe":"{task}"}}"#));
        }
        if v["type"] == "loop:progress" {
            updates += 1;
            events += v["events"].as_array().map_or(0, Vec::len);
        }
    }
    println!("followed {task}: {updates} updates, {events} events");
}

/// A loop event, as the loop records one (one row, its own transaction).
fn record(db: &rusqlite::Connection, task: &str, i: usize) {
    db.execute(
        "INSERT INTO loop_events (task_id, iteration, kind, data) VALUES (?1, 1, 'bench', json_object('n', ?2))",
        rusqlite::params![task, i as i64],
    )
    .unwrap();
}

async fn in_the_page(
    addr: &str,
    token: &str,
    task: &str,
    driver: &str,
    db: &rusqlite::Connection,
    events: usize,
) -> Vec<f64> {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver}"))
        .await
        .unwrap();
    client.goto(&format!("http://{addr}/?token={token}")).await.unwrap();
    let row = format!("#runs tr[data-task=\"{task}\"]");
    let deadline = Instant::now() + Duration::from_secs(20);
    let clicked = loop {
        if let Ok(r) = client.find(Locator::Css(&row)).await {
            break r.click().await.is_ok();
        }
        assert!(Instant::now() < deadline, "the run is not listed on the page");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(clicked);
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Each event row drawn from now on is stamped with the page's clock.
    client
        .execute(
            "window.benchSeen = []; new MutationObserver((records) => { const t = Date.now() + (performance.now() % 1); \
             for (const r of records) for (const n of r.addedNodes) window.benchSeen.push([n.textContent, t]); })\
             .observe(document.getElementById('run-events'), { childList: true });",
            vec![],
        )
        .await
        .unwrap();
    let mut sent = Vec::new();
    for i in 0..events {
        tokio::time::sleep(Duration::from_millis(20 + (i as u64 * 37) % 100)).await;
        sent.push(now_ms());
        record(db, task, 100_000 + i);
        // One at a time: each must be drawn before the next is recorded.
        let want = i + 1;
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let n = client.execute("return window.benchSeen.length", vec![]).await.unwrap();
            if n.as_u64().unwrap_or(0) as usize >= want {
                break;
            }
            assert!(Instant::now() < deadline, "event {i} never drawn");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let seen = client.execute("return window.benchSeen", vec![]).await.unwrap();
    let _ = client.close().await;
    let stamps: Vec<f64> = seen.as_array().unwrap().iter().map(|p| p[1].as_f64().unwrap()).collect();
    stamps.iter().zip(&sent).map(|(drawn, sent)| drawn - sent).collect()
}

fn socket(addr: &str, token: &str) -> Socket {
    let (ws, _) = tungstenite::connect(format!("ws://{addr}/ws?token={token}")).unwrap();
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s.set_nodelay(true).unwrap();
    }
    ws
}

fn send(ws: &mut Socket, text: &str) {
    ws.send(tungstenite::Message::text(text)).unwrap();
}

fn next(ws: &mut Socket, pick: impl Fn(&Value) -> bool) -> Value {
    loop {
        if let tungstenite::Message::Text(t) = ws.read().expect("a message within 20 s") {
            let v: Value = serde_json::from_str(&t).unwrap();
            if pick(&v) {
                return v;
            }
        }
    }
}

fn docker(args: &[&str]) -> String {
    let out = std::process::Command::new("docker").args(args).output().unwrap();
    assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64() * 1000.0
}

/// `2026-11-30T02:40:56.123456789Z` in milliseconds since the epoch.
fn rfc3339_ms(text: &str) -> f64 {
    let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap();
    t.unix_timestamp_nanos() as f64 / 1e6
}

fn report(name: &str, ms: &mut [f64]) {
    ms.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    println!("{name} p50={:.1}ms p99={:.1}ms n={}", at(0.5), at(0.99), ms.len());
}
