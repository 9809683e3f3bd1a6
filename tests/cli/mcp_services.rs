//! An MCP service in a branch's live stack (a busybox service named `mcp-echo` on an internal
//! network with a fixed subnet, limits and a healthcheck) gets the token verifier keys through
//! the compose override; a loop run on that branch hands its agent a token for it; the
//! reference verifier of examples/mcp-verifier checks that token with the keys cfn handed out.
//!
//! The verifier is Python 3 and the test images are busybox without Python, so it runs as a
//! host process bound to 127.0.0.1 reading the very file the container has mounted (the test
//! checks the container sees the same bytes). No fixed host port: the port comes from
//! `port_block`.

use crate::harness::*;
use crate::skills::{received, RECORD_MCP};
use crate::small_stack::SmallStack;
use crate::stack_harness::*;
use crate::work_loop::{agent, CONFIDENT, PO_PROCEED};
use std::io::{Read as _, Write as _};
use std::path::Path;

const MCP_SERVICE: &str = "  mcp-echo:\n    image: cfn-test/app:1\n    networks: [mcp-net]\n    \
    deploy:\n      resources:\n        limits: {memory: 64m}\n    \
    healthcheck:\n      test: [\"CMD\", \"wget\", \"-q\", \"-O\", \"-\", \"http://127.0.0.1:8080/health\"]\n      \
    interval: 1s\n      retries: 30\n\
networks:\n  mcp-net:\n    internal: true\n    ipam:\n      config:\n        - subnet: 172.31.250.0/24\n";

fn team(verifier_port: u16) -> String {
    format!(
        r#"
[loop]
mode = "mvp"
implementers = ["impl-1", "impl-2"]
validators = ["val-1"]
product_owner = "po"

[agents.impl-1]
role = "implementer"
command = ["sh", "agents/impl.sh"]
timeout = 30
env = ["CFN_BIN", "SKILL_OUT"]
skills = ["echo"]

[agents.impl-2]
role = "implementer"
command = ["sh", "agents/impl.sh"]
env = ["CFN_BIN", "SKILL_OUT"]

[agents.val-1]
role = "validator"
command = ["sh", "agents/val.sh"]
env = ["CFN_BIN", "SKILL_OUT"]

[agents.po]
role = "product-owner"
command = ["sh", "agents/po.sh"]
env = ["CFN_BIN", "SKILL_OUT"]

[mcp_servers.mcp-echo]
url = "http://127.0.0.1:{verifier_port}/"

[skills.echo]
path = "skills/echo.md"
mcp = ["mcp-echo"]
"#
    )
}

/// The status and body of `GET /` with the token as a bearer token.
fn call(port: u16, token: &str) -> (u16, serde_json::Value) {
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let request = format!("GET / HTTP/1.0\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n");
    conn.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("null");
    (status, serde_json::from_str(body).unwrap_or(serde_json::Value::Null))
}

struct Verifier(std::process::Child);

impl Drop for Verifier {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_verifier(port: u16, keys_file: &Path, task: &str) -> Verifier {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/mcp-verifier/verifier.py");
    let child = std::process::Command::new("python3")
        .arg(script)
        .args(["serve", &port.to_string()])
        .env("CFN_TOKEN_AUDIENCE", "mcp-echo")
        .env("CFN_TOKEN_KEYS_FILE", keys_file)
        .env("CFN_TOKEN_TASK", task)
        .spawn()
        .expect("python3 runs the reference verifier");
    let verifier = Verifier(child);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return verifier;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the verifier did not listen on {port}");
}

fn docker(args: &[&str]) -> String {
    let out = std::process::Command::new("docker").args(args).output().unwrap();
    assert!(out.status.success(), "docker {args:?}: {}", stderr(&out));
    text(&out.stdout).trim().to_string()
}

fn issue(s: &SmallStack, audience: &str, task: &str, ttl: &str) -> String {
    let args = ["token", "issue", "--agent", "probe", "--task", task, "--audience", audience, "--ttl", ttl];
    let out = s.cfn(&s.wt, &args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    text(&out.stdout).trim().to_string()
}

#[test]
fn an_mcp_service_of_the_stack_verifies_the_token_the_loop_gave_its_agent() {
    let Some(s) = SmallStack::new("mcpsvc", MCP_SERVICE) else {
        assert!(std::env::var_os("CI").is_none(), "CI needs the engine and the test images");
        return;
    };
    let port = port_block("mcpsvc-verifier").base + 7;
    let toml = std::fs::read_to_string(s.root.join("cfn.toml")).unwrap() + &team(port);
    std::fs::write(s.root.join("cfn.toml"), toml).unwrap();
    for (file, body) in [
        ("agents/impl.sh", agent(&format!("{RECORD_MCP}\n{CONFIDENT}"))),
        ("agents/val.sh", agent(CONFIDENT)),
        ("agents/po.sh", agent(PO_PROCEED)),
        ("skills/echo.md", "Ask mcp-echo to echo.\n".to_string()),
    ] {
        std::fs::create_dir_all(s.wt.join(file).parent().unwrap()).unwrap();
        std::fs::write(s.wt.join(file), body).unwrap();
    }

    s.cfn(&s.wt, &["up", "--yes"]).assert().success();
    // The service's own folder, holding only its audience's keys: each key's id and the key it
    // derives for mcp-echo, never the signing secret (which would sign for every server).
    let project_keys = s.sb.home.join("mcp-verifier").join(&s.project);
    let keys_file = project_keys.join("mcp-echo").join("keys.json");
    let host_keys = std::fs::read_to_string(&keys_file).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(std::fs::metadata(&keys_file).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(!project_keys.join("keys.json").exists(), "no project-wide keys file");
    let signing: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.sb.home.join("token-keys.json")).unwrap()).unwrap();
    let handed: serde_json::Value = serde_json::from_str(&host_keys).unwrap();
    assert_eq!(handed["audience"], "mcp-echo");
    assert_eq!(handed["keys"][0]["kid"], signing["keys"][0]["kid"]);
    assert_ne!(handed["keys"][0]["secret"], signing["keys"][0]["secret"], "never the signing secret");
    assert!(!host_keys.contains("created"), "only ids and keys are handed out: {host_keys}");

    // The service: the keys mounted, its audience set, its network internal, per branch and
    // without the fixed subnet, its limits and healthcheck kept.
    let label = format!("label=com.docker.compose.project={}", s.project);
    let id =
        docker(&["ps", "-q", "--filter", &label, "--filter", "label=com.docker.compose.service=mcp-echo"]);
    assert!(!id.is_empty(), "mcp-echo runs");
    assert_eq!(docker(&["exec", &id, "cat", "/run/cfn-token/keys.json"]), host_keys.trim());
    let mounts = docker(&["inspect", "-f", "{{json .Mounts}}", &id]);
    assert!(mounts.contains(&format!("{}\"", keys_file.parent().unwrap().display())), "{mounts}");
    let env = docker(&["inspect", "-f", "{{json .Config.Env}}", &id]);
    assert!(env.contains("\"CFN_TOKEN_AUDIENCE=mcp-echo\""), "{env}");
    assert!(env.contains("\"CFN_TOKEN_KEYS_FILE=/run/cfn-token/keys.json\""), "{env}");
    assert_eq!(docker(&["inspect", "-f", "{{.HostConfig.Memory}}", &id]), (64 * 1024 * 1024).to_string());
    assert_ne!(docker(&["inspect", "-f", "{{json .Config.Healthcheck}}", &id]), "null");
    let network = format!("{}_mcp-net", s.project);
    assert_eq!(docker(&["network", "inspect", "-f", "{{.Internal}}", &network]), "true");
    let ipam = docker(&["network", "inspect", "-f", "{{json .IPAM.Config}}", &network]);
    assert!(!ipam.contains("172.31.250."), "each branch gets its own subnet: {ipam}");

    // The loop gives impl-1 a token for mcp-echo; the verifier accepts it.
    let out_dir = s.sb.path().join("received");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = s
        .cfn(&s.wt, &["loop", "run", "--yes", "--json", "--epic", "echo", "--task-id", "mcp-run-1"])
        .env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn"))
        .env("SKILL_OUT", &out_dir)
        .env_remove("CFN_REDIS_URL")
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let got = received(&out_dir, "impl-1");
    assert_eq!(got["CFN_MCP_MCP_ECHO_URL"], format!("http://127.0.0.1:{port}/"));
    let token = got["CFN_MCP_MCP_ECHO_TOKEN"].clone();
    let impl2 = std::fs::read_to_string(out_dir.join("impl-2.env")).unwrap();
    assert!(impl2.trim().is_empty(), "an agent without the skill gets no token: {impl2}");

    let _verifier = start_verifier(port, &keys_file, "mcp-run-1");
    let (status, body) = call(port, &token);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["claims"]["sub"].as_str(), body["claims"]["aud"].as_str()),
        (Some("impl-1"), Some("mcp-echo"))
    );

    // Refused: another audience, another task, expired, tampered.
    let (status, body) = call(port, &issue(&s, "redis", "mcp-run-1", "10m"));
    assert_eq!(
        (status, body["reason"].as_str().unwrap().starts_with("wrong audience")),
        (401, true),
        "{body}"
    );
    let (status, body) = call(port, &issue(&s, "mcp-echo", "another-run", "10m"));
    assert_eq!((status, body["reason"].as_str().unwrap().starts_with("another task")), (401, true), "{body}");
    let short = issue(&s, "mcp-echo", "mcp-run-1", "1s");
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_eq!(call(port, &short).1["reason"], "expired");
    let tampered = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(call(port, &tampered).0, 401);

    // A rotation rewrites the service's file at once (the folder is mounted, so the running
    // container sees the new file), and the verifier takes tokens of the new key without a
    // restart; the old key still verifies its tokens.
    s.cfn(&s.wt, &["token", "rotate"]).assert().success();
    let rotated: serde_json::Value =
        serde_json::from_str(&docker(&["exec", &id, "cat", "/run/cfn-token/keys.json"])).unwrap();
    assert_eq!(rotated["keys"].as_array().unwrap().len(), 2, "{rotated}");
    assert_eq!(call(port, &issue(&s, "mcp-echo", "mcp-run-1", "10m")).0, 200);
    assert_eq!(call(port, &token).0, 200);
}
