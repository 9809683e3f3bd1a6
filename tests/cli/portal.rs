//! `cfn portal` as a client uses it: the built binary serving on a free port, reached over
//! HTTP and a WebSocket, acting on a real stack in the real engine.

use crate::harness::*;
use crate::small_stack::SmallStack;
use crate::stack_harness::*;
use serde_json::Value;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tungstenite::stream::MaybeTlsStream;

pub type Socket = tungstenite::WebSocket<MaybeTlsStream<TcpStream>>;

/// A running portal, killed on drop.
pub struct Portal {
    child: Child,
    /// `127.0.0.1:<port>`
    pub addr: String,
    pub token: String,
    agent: ureq::Agent,
}

impl Portal {
    pub fn start(sb: &Sandbox, dir: &Path, args: &[&str]) -> (Portal, std::path::PathBuf) {
        Portal::start_with(sb, dir, args, &[])
    }

    /// As [`Portal::start`], with more variables in its environment (what runs it starts inherit).
    pub fn start_with(
        sb: &Sandbox,
        dir: &Path,
        args: &[&str],
        env: &[(&str, &Path)],
    ) -> (Portal, std::path::PathBuf) {
        let stderr = sb.path().join(format!("portal-{}.stderr", std::process::id()));
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("cfn"))
            .current_dir(dir)
            .arg("portal")
            .args(args)
            .envs(hermetic_env(&sb.home, sb.path()))
            .env("CFN_COMPOSE", V2)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.trim().to_string();
        let rest = url.strip_prefix("http://").unwrap_or_else(|| panic!("no URL printed: {url:?}"));
        let (addr, query) = rest.split_once("/?token=").unwrap();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(180)))
            .build()
            .into();
        (Portal { child, addr: addr.to_string(), token: query.to_string(), agent }, stderr)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// GET with the token; the status and the JSON body.
    pub fn get(&self, path: &str) -> (u16, Value) {
        let res =
            self.agent.get(self.url(path)).header("Authorization", format!("Bearer {}", self.token)).call();
        answer(res)
    }

    pub fn post(&self, path: &str, body: &str, origin: Option<&str>) -> (u16, Value) {
        let mut req = self
            .agent
            .post(self.url(path))
            .header("Authorization", format!("Bearer {}", self.token))
            .header("Content-Type", "application/json");
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        answer(req.send(body))
    }

    /// DELETE with the token (and an `Origin`, if given).
    pub fn delete(&self, path: &str, origin: Option<&str>) -> (u16, Value) {
        let mut req =
            self.agent.delete(self.url(path)).header("Authorization", format!("Bearer {}", self.token));
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        answer(req.call())
    }

    /// The status of a request without the token.
    pub fn status_without_token(&self, method: &str, path: &str) -> u16 {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.addr
        );
        raw_status(&self.addr, &request)
    }

    pub fn socket(&self) -> Socket {
        let (ws, _) = tungstenite::connect(format!("ws://{}/ws?token={}", self.addr, self.token)).unwrap();
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
        }
        ws
    }
}

impl Portal {
    /// SIGTERM, and the exit status if it ends within `within`.
    fn terminate(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn answer(res: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Value) {
    let mut res = res.unwrap();
    let status = res.status().as_u16();
    let text = res.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// One raw HTTP/1.1 request (headers as given, nothing added): the status code.
pub fn raw_status(addr: &str, request: &str) -> u16 {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).unwrap();
    let head = String::from_utf8_lossy(&buf[..n]);
    head.split(' ').nth(1).unwrap().parse().unwrap()
}

/// The next message of `kind` (others are skipped) within `within`.
pub fn next_of(ws: &mut Socket, kind: &str, within: Duration, pick: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match ws.read() {
            Ok(tungstenite::Message::Text(text)) => {
                let v: Value = serde_json::from_str(&text).unwrap();
                if v["type"] == kind && pick(&v) {
                    return v;
                }
                seen.push(v["type"].to_string());
            }
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) => panic!("socket failed: {e}"),
        }
    }
    panic!("no {kind} message within {within:?}; saw {seen:?}");
}

#[test]
fn guards_the_api_and_reports_loop_runs() {
    let sb = Sandbox::new();
    let root = sb.repo("portalguard", &[]);
    let (portal, stderr) = Portal::start(&sb, &root, &["--port", "0"]);

    // The token: 256 bits in hex, in a 0600 file, the same as in the printed URL.
    let file = sb.home.join("portal.token");
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), portal.token);
    assert_eq!(portal.token.len(), 64);

    // The page needs no token and carries its security headers.
    let mut page = portal.agent.get(portal.url("/")).call().unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let csp = page.headers().get("content-security-policy").unwrap().to_str().unwrap().to_string();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert_eq!(page.headers().get("x-content-type-options").unwrap(), "nosniff");
    assert!(page.headers().get("access-control-allow-origin").is_none(), "no CORS");
    assert!(page.body_mut().read_to_string().unwrap().contains("/app.js"));

    // 401 without the token, or with a wrong one, as JSON with a hint.
    let (status, body) = answer(portal.agent.get(portal.url("/api/worktrees")).call());
    assert_eq!(status, 401);
    assert!(body["hint"].as_str().unwrap().contains(".token"), "{body}");
    let wrong = portal.agent.get(portal.url("/api/worktrees")).header("Authorization", "Bearer 00").call();
    assert_eq!(answer(wrong).0, 401);
    let as_query = portal.agent.get(portal.url(&format!("/api/worktrees?token={}", portal.token))).call();
    assert_eq!(answer(as_query).0, 401, "the query parameter is for the socket only");
    let (status, body) = portal.get("/api/worktrees");
    assert_eq!(status, 200, "{body}");
    assert!(body["worktrees"].is_array());

    // A foreign Origin on a POST: 403 before anything is looked up; the portal's own passes.
    let (status, body) = portal.post("/api/worktrees/nope/up", "", Some("http://evil.example"));
    assert_eq!(status, 403, "{body}");
    let own = format!("http://{}", portal.addr);
    assert_eq!(portal.post("/api/worktrees/nope/up", "", Some(&own)).0, 404);
    // A Host that is a name (DNS rebinding) is refused even with the token.
    let rebound = format!(
        "GET /api/worktrees HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        portal.token
    );
    assert_eq!(raw_status(&portal.addr, &rebound), 403);

    // Bad bodies: 400 for what is not JSON, 422 for the wrong shape.
    assert_eq!(portal.post("/api/worktrees/nope/up", "{not json", None).0, 400);
    let (status, body) = portal.post("/api/worktrees/nope/up", r#"{"services": "redis"}"#, None);
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].as_str().unwrap().starts_with("bad request body"), "{body}");
    assert_eq!(portal.post("/api/worktrees/nope/up", r#"{"timeout": 9999}"#, None).0, 422);
    assert_eq!(portal.post("/api/worktrees/nope/down", r#"{"volumes": true}"#, None).0, 422);
    let (status, body) = portal.post("/api/worktrees/nope/down", "", None);
    assert_eq!(status, 404, "{body}");

    // 404 for an unknown task and an unknown route.
    let (status, body) = portal.get("/api/tasks/no-such-task/status");
    assert_eq!(status, 404);
    assert!(body["hint"].is_string(), "{body}");
    assert_eq!(portal.get("/api/nothing-here").0, 404);

    // Every route of the OpenAPI document is served.
    let (status, doc) = portal.get("/api/openapi.json");
    assert_eq!(status, 200);
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{project}", "nope").replace("{taskId}", "nope").replace("{id}", "nope");
        for method in item.as_object().unwrap().keys() {
            let (status, body) = match method.as_str() {
                "get" if path == "/ws" => (portal.get(&concrete).0, Value::Null),
                "get" => portal.get(&concrete),
                "post" => portal.post(&concrete, "", None),
                "delete" => portal.delete(&concrete, None),
                other => panic!("unexpected method {other}"),
            };
            assert_ne!(body["error"], "no such route", "{method} {path}");
            assert_ne!(status, 405, "{method} {path}");
        }
    }
    let (status, health) = portal.get("/api/health/system");
    assert_eq!(status, 200);
    assert_eq!(health["state_db"]["ok"], true, "{health}");
    assert!(health["cfn_version"].is_string());

    // The socket: 401 without the token, 403 from a foreign page.
    let refused = tungstenite::connect(format!("ws://{}/ws", portal.addr)).unwrap_err();
    assert!(matches!(refused, tungstenite::Error::Http(ref r) if r.status() == 401), "{refused}");
    let mut foreign = tungstenite::client::IntoClientRequest::into_client_request(format!(
        "ws://{}/ws?token={}",
        portal.addr, portal.token
    ))
    .unwrap();
    foreign.headers_mut().insert("Origin", "http://evil.example".parse().unwrap());
    let refused = tungstenite::connect(foreign).unwrap_err();
    assert!(matches!(refused, tungstenite::Error::Http(ref r) if r.status() == 403), "{refused}");

    // A loop run recorded in the state database, as the loop records one: status, metrics,
    // and `loop:progress` over the socket for a subscriber, first the backlog then what follows.
    let db = sb.db();
    db.execute(
        "INSERT INTO loop_runs (task_id, branch, epic, mode, bus) VALUES ('t-1', 'main', 'an epic', 'single', 'embedded')",
        [],
    )
    .unwrap();
    db.execute("INSERT INTO loop_events (task_id, iteration, kind, data) VALUES ('t-1', 1, 'spawned', '{\"agent\":\"dev\"}')", [])
        .unwrap();
    let (status, run) = portal.get("/api/tasks/t-1/status");
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["run"]["status"], "running");
    assert_eq!(run["events"][0]["kind"], "spawned");
    let (_, metrics) = portal.get("/api/metrics/tasks");
    assert_eq!(metrics["runs"], 1);
    assert_eq!(metrics["by_status"]["running"], 1);
    let (_, runs) = portal.get("/api/tasks");
    assert_eq!(runs["runs"][0]["task_id"], "t-1");

    let mut ws = portal.socket();
    ws.send(tungstenite::Message::text(r#"{"type":"ping"}"#)).unwrap();
    next_of(&mut ws, "pong", Duration::from_secs(5), |_| true);
    ws.send(tungstenite::Message::text(r#"{"subscribe":"unknown-task"}"#)).unwrap();
    let e = next_of(&mut ws, "error", Duration::from_secs(5), |_| true);
    assert!(e["error"].as_str().unwrap().contains("no loop run"), "{e}");
    ws.send(tungstenite::Message::text(r#"{"subscribe":"t-1"}"#)).unwrap();
    let first = next_of(&mut ws, "loop:progress", Duration::from_secs(5), |_| true);
    assert_eq!(first["taskId"], "t-1");
    assert_eq!(first["events"].as_array().unwrap().len(), 1, "{first}");
    let sent = Instant::now();
    db.execute(
        "INSERT INTO loop_events (task_id, iteration, kind, data) VALUES ('t-1', 1, 'reported', '{}')",
        [],
    )
    .unwrap();
    let next = next_of(&mut ws, "loop:progress", Duration::from_secs(5), |_| true);
    assert_eq!(next["events"].as_array().unwrap().len(), 1, "only what is new: {next}");
    assert_eq!(next["events"][0]["kind"], "reported");
    assert!(sent.elapsed() < Duration::from_secs(2), "seen within the database check: {:?}", sent.elapsed());
    db.execute("UPDATE loop_runs SET status = 'proceed', iterations = 1 WHERE task_id = 't-1'", []).unwrap();
    let done = next_of(&mut ws, "loop:progress", Duration::from_secs(5), |_| true);
    assert_eq!(done["run"]["status"], "proceed");

    // A second portal on the same port: one error line with a hint, and the first one's token
    // still opens the API.
    let port = portal.addr.rsplit(':').next().unwrap();
    let out = sb.cfn(&root, &["portal", "--port", port]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.starts_with("error: cannot listen on"), "{err}");
    assert!(err.contains("hint: another program listens on port"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), portal.token);
    assert_eq!(portal.get("/api/worktrees").0, 200);
    drop(portal);
    let log = std::fs::read_to_string(stderr).unwrap();
    assert!(!log.contains("warning"), "loopback: no warning: {log}");
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn stops_on_sigterm_with_a_page_open() {
    let sb = Sandbox::new();
    let root = sb.repo("portalstop", &[]);
    let (mut portal, _) = Portal::start(&sb, &root, &["--port", "0"]);
    let port = portal.addr.rsplit(':').next().unwrap().to_string();
    let own = sb.home.join(format!("portal-{port}.token"));
    assert_eq!(std::fs::read_to_string(&own).unwrap().trim(), portal.token, "each portal's own file");
    let mut ws = portal.socket();
    ws.send(tungstenite::Message::text(r#"{"type":"ping"}"#)).unwrap();
    next_of(&mut ws, "pong", Duration::from_secs(5), |_| true);
    let status = portal.terminate(Duration::from_secs(10)).expect("the portal stopped with a socket open");
    assert!(status.success(), "{status}");
    assert!(!own.exists() && !sb.home.join("portal.token").exists(), "a stopped portal leaves no token");
}

#[test]
fn warns_when_listening_beyond_loopback() {
    let sb = Sandbox::new();
    let root = sb.repo("portalbind", &[]);
    let (portal, stderr) = Portal::start(&sb, &root, &["--bind", "0.0.0.0", "--port", "0"]);
    assert!(portal.addr.starts_with("127.0.0.1:"), "the URL names loopback: {}", portal.addr);
    assert_eq!(portal.get("/api/worktrees").0, 200);
    drop(portal);
    let log = std::fs::read_to_string(stderr).unwrap();
    let warning = log.lines().find(|l| l.contains("warning:")).unwrap_or_else(|| panic!("no warning: {log}"));
    assert!(warning.contains("0.0.0.0") && warning.contains("not loopback"), "{warning}");
}

/// A client that sends part of its headers and stops is cut off (slowloris), while others are
/// still served.
#[test]
fn cuts_off_a_client_that_never_finishes_its_headers() {
    use std::io::{Read as _, Write as _};
    let sb = Sandbox::new();
    let root = sb.repo("portalslow", &[]);
    let (portal, _) = Portal::start(&sb, &root, &["--port", "0"]);
    let mut slow = std::net::TcpStream::connect(&portal.addr).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nX: ").unwrap();
    assert_eq!(portal.get("/api/worktrees").0, 200, "others are served meanwhile");
    slow.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let started = std::time::Instant::now();
    let mut buf = Vec::new();
    // the portal closes the connection (maybe after a 408) instead of waiting for ever
    let _ = slow.read_to_end(&mut buf);
    assert!(started.elapsed() < Duration::from_secs(15), "cut off after {:?}", started.elapsed());
}

#[test]
fn drives_a_live_stack() {
    let Some(st) = SmallStack::new("portallive", "") else { return };
    // A health command makes `up` need trust, which the portal never gives.
    let mut toml = std::fs::read_to_string(st.root.join("cfn.toml")).unwrap();
    toml.push_str("\n[health.probe]\ntype = \"command\"\ncommand = [\"sh\", \"-c\", \"echo PROBE\"]\n");
    std::fs::write(st.root.join("cfn.toml"), &toml).unwrap();
    std::fs::write(st.wt.join("cfn.toml"), &toml).unwrap();
    let (portal, stderr) = Portal::start(&st.sb, &st.root, &["--port", "0"]);

    let (status, listed) = portal.get("/api/worktrees");
    assert_eq!(status, 200);
    let feat = listed["worktrees"].as_array().unwrap().iter().find(|w| w["project"] == st.project.as_str());
    let feat = feat.unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(feat["branch"], "feat");
    assert_eq!(feat["ports"]["redis"], st.redis_port);
    assert_eq!(feat["endpoints"][0]["url"], format!("redis://127.0.0.1:{}", st.redis_port));
    // The hostname URL beside the port it goes to, as `cfn url` prints it.
    let hostname = &feat["hostnames"][0];
    assert_eq!((&hostname["key"], &hostname["port"]), (&"redis".into(), &st.redis_port.into()), "{feat}");
    let url = st.cfn(&st.root, &["url", "redis", "-b", "feat"]).output().unwrap();
    assert_eq!(hostname["url"].as_str().unwrap(), text(&url.stdout).trim());
    assert_eq!(hostname["host"], "redis.feat.portallive.localhost");
    assert_eq!(listed["problems"], serde_json::json!([]), "{listed}");
    // A repository whose cfn.toml breaks is named with the error, not left out silently.
    std::fs::write(st.root.join("cfn.toml"), format!("{toml}\n[project]\nname = \"twice\"\n")).unwrap();
    let (_, broken) = portal.get("/api/worktrees");
    let problem = &broken["problems"][0];
    assert_eq!(problem["repository"], st.root.canonicalize().unwrap().to_string_lossy().as_ref(), "{broken}");
    assert!(problem["error"].as_str().unwrap().contains("cfn.toml"), "{broken}");
    std::fs::write(st.root.join("cfn.toml"), &toml).unwrap();
    assert_eq!(portal.get("/api/worktrees").1["problems"], serde_json::json!([]));
    let up_path = format!("/api/worktrees/{}/up", st.project);

    // Not trusted: refused with the CLI's hint, nothing started.
    let (status, body) = portal.post(&up_path, r#"{"timeout": 60}"#, None);
    assert_eq!(status, 403, "{body}");
    assert!(body["error"].as_str().unwrap().starts_with("not trusted"), "{body}");
    assert!(body["hint"].as_str().unwrap().contains("cfn trust"), "{body}");
    assert!(st.running().is_empty(), "nothing started");
    st.cfn(&st.wt, &["trust", "--yes"]).assert().success();

    // Up through the API, while a socket watches: the engine's events reach it.
    let mut ws = portal.socket();
    let (status, body) = portal.post(&up_path, r#"{"timeout": 90}"#, None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["project"], st.project.as_str());
    assert_eq!(redis(st.redis_port, &["PING"]).trim(), "+PONG");
    let update = next_of(&mut ws, "stack:update", Duration::from_secs(30), |v| {
        v["services"].as_array().is_some_and(|s| s.iter().any(|c| c["state"] == "running"))
    });
    assert_eq!(update["project"], st.project.as_str());
    assert_eq!(update["services"][0]["service"], "redis");

    let (status, view) = portal.get(&format!("/api/worktrees/{}/status", st.project));
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["branch"], "feat");
    let redis_svc = &view["services"][0];
    assert_eq!(redis_svc["service"], "redis");
    assert_eq!(redis_svc["state"], "running", "{view}");
    assert_eq!(redis_svc["health"], "healthy", "{view}");
    assert_eq!(view["hostnames"][0], *hostname, "the status has the worktree's hostnames");

    // A worktree added from the command line shows up on the socket.
    st.cfn(&st.root, &["worktree", "add", "other"]).assert().success();
    next_of(&mut ws, "worktree:update", Duration::from_secs(10), |v| {
        v["worktrees"].as_array().is_some_and(|w| w.iter().any(|w| w["branch"] == "other"))
    });

    // Down keeps the volume, and the data in it.
    redis(st.redis_port, &["SET", "kept", "yes"]);
    redis(st.redis_port, &["SAVE"]);
    let (status, body) = portal.post(&format!("/api/worktrees/{}/down", st.project), "", None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["volumes_kept"], true);
    assert!(st.running().is_empty(), "stopped");
    assert!(!volumes_of(&st.project).is_empty(), "volumes kept");
    next_of(&mut ws, "stack:update", Duration::from_secs(30), |v| {
        v["project"] == st.project.as_str()
            && v["services"].as_array().is_some_and(|s| s.iter().all(|c| c["state"] != "running"))
    });
    drop(portal);
    let log = std::fs::read_to_string(stderr).unwrap();
    assert!(!log.contains("panicked"), "{log}");
}

/// Requests whose host, origin or token is ambiguous, or whose body is not JSON, are refused
/// before any route runs; the same request made plainly is served.
#[test]
fn refuses_ambiguous_requests_and_bodies_that_are_not_json() {
    let sb = Sandbox::new();
    let root = sb.repo("portalstrict", &[]);
    let (portal, _) = Portal::start(&sb, &root, &["--port", "0"]);
    let (addr, token) = (&portal.addr, &portal.token);
    let port = addr.rsplit(':').next().unwrap();
    let get = |extra: &str| {
        raw_status(
            addr,
            &format!("GET /api/worktrees HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n{extra}Connection: close\r\n\r\n"),
        )
    };
    assert_eq!(get(""), 200);
    assert_eq!(get("Host: evil.example\r\n"), 400, "two Host headers");
    assert_eq!(get(&format!("Authorization: Bearer {token}\r\n")), 400, "two Authorization headers");
    let other_port = format!("GET /api/worktrees HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n", port.parse::<u16>().unwrap().wrapping_add(1));
    assert_eq!(raw_status(addr, &other_port), 403, "a Host with another port");
    let absolute = format!(
        "GET http://evil.example/api/worktrees HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    assert_eq!(raw_status(addr, &absolute), 400, "an absolute target naming another host");
    let post = |kind: &str| {
        raw_status(
            addr,
            &format!(
                "POST /api/worktrees/nosuch/down HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
                 Content-Type: {kind}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
            ),
        )
    };
    assert_eq!(post("text/plain"), 415);
    assert_eq!(post("application/x-www-form-urlencoded"), 415);
    assert_eq!(post("application/json"), 404, "JSON reaches the route: no such worktree");
    assert_eq!(get("Origin: http://a\r\nOrigin: http://b\r\n"), 400, "two Origin headers on a read");
    let host = |h: &str| {
        raw_status(addr, &format!("GET /api/worktrees HTTP/1.1\r\nHost: {h}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"))
    };
    assert_eq!(host(&format!("[::1]:{port}")), 403, "not the address it listens on");
    assert_eq!(host(&format!("localhost:{port}")), 200);
    // the socket: one token, by query or by header, never two
    let ws = |target: &str, extra: &str| {
        raw_status(
            addr,
            &format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n"),
        )
    };
    assert_eq!(ws(&format!("/ws?token=bad&token={token}"), ""), 400);
    assert_eq!(ws(&format!("/ws?token={token}"), "Authorization: Bearer bad\r\n"), 400);
    // one token passes the guard; the request then fails as not a WebSocket upgrade
    let mut one = TcpStream::connect(addr.as_str()).unwrap();
    write!(one, "GET /ws?token={token} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    one.read_to_string(&mut answer).unwrap();
    assert!(answer.contains("not a WebSocket request"), "{answer}");
}
