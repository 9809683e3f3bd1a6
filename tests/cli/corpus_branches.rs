//! Every real compose file of tests/fixtures/compose that compose v2 accepts gets two branches
//! whose merged configurations (`cfn compose config`, run by compose v2) share no published
//! port, container name, or volume or network name; the files cfn cannot isolate are refused by
//! `cfn init` in one line with a hint.

use crate::harness::*;
use serde_norway::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/compose");
const V2: &[&str] = &["docker", "compose"];

/// Variables some files require, in the repository's `.env`; env files some files read.
const DOTENV: &str = "UPLOAD_LOCATION=./upload\nDB_DATA_LOCATION=./db\n";
const STUBS: [&str; 2] = [".env.production", "docker.env"];

/// Files cfn refuses, with what the refusal must say.
const REFUSED: [(&str, &str); 1] =
    [("stilliard__docker-pure-ftpd__docker-compose.yml", "port range \"30000-30009:30000-30009\"")];

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(CORPUS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
}

/// What a merged configuration uses on the machine: published (port, protocol), container
/// names, volume and network names (compose's normalised output names every one).
#[derive(Default)]
struct Used {
    ports: BTreeSet<(u64, String)>,
    names: BTreeSet<String>,
}

fn used(cfg: &Value) -> Used {
    let mut out = Used::default();
    for (_, service) in cfg["services"].as_mapping().unwrap() {
        if let Some(name) = service.get("container_name").and_then(Value::as_str) {
            out.names.insert(format!("container {name}"));
        }
        for port in service.get("ports").and_then(Value::as_sequence).into_iter().flatten() {
            let published = match &port["published"] {
                Value::String(s) if !s.is_empty() => s.parse().unwrap(),
                Value::Number(n) => n.as_u64().unwrap(),
                _ => continue,
            };
            let protocol = port.get("protocol").and_then(Value::as_str).unwrap_or("tcp");
            out.ports.insert((published, protocol.to_string()));
        }
    }
    for section in ["volumes", "networks"] {
        for (key, def) in cfg.get(section).and_then(Value::as_mapping).into_iter().flatten() {
            assert!(def.get("external").is_none(), "external {section} {key:?} is shared by design");
            let name = def.get("name").and_then(Value::as_str).expect("compose names every resource");
            out.names.insert(format!("{section} {name}"));
        }
    }
    out
}

fn compose_config(sb: &Sandbox, dir: &Path) -> Value {
    // every profile, so services of every profile show their ports
    let mut cmd = sb.cfn(dir, &["compose", "config"]);
    let out = cmd.env("CFN_COMPOSE", "docker compose").env("COMPOSE_PROFILES", "*").output().unwrap();
    assert!(out.status.success(), "cfn compose config in {}: {}", dir.display(), stderr(&out));
    serde_norway::from_slice(&out.stdout).unwrap()
}

fn v2_accepts(root: &Path) -> bool {
    std::process::Command::new("docker")
        .args(["compose", "config", "-q"])
        .current_dir(root)
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROJECT_NAME")
        .output()
        .unwrap()
        .status
        .success()
}

/// Two branches of the project in `root`: each one's merged model and worktree JSON.
fn two_branches(sb: &Sandbox, root: &Path) -> Vec<(serde_json::Value, Used)> {
    ["a", "b"]
        .iter()
        .map(|branch| {
            let v = sb.json(root, &["worktree", "add", branch, "--json"]);
            let used = used(&compose_config(sb, Path::new(v["path"].as_str().unwrap())));
            (v, used)
        })
        .collect()
}

#[test]
fn every_accepted_corpus_file_gets_two_isolated_branches() {
    if !require(compose_available(V2), "docker compose") {
        return;
    }
    let mut isolated = Vec::new();
    let mut refused = Vec::new();
    for path in corpus() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let sb = Sandbox::new();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut files = vec![("docker-compose.yml", text.as_str()), (".env", DOTENV)];
        files.extend(STUBS.iter().map(|s| (*s, "")));
        let root = sb.repo("proj", &files);
        if !v2_accepts(&root) {
            continue;
        }
        let init = sb.cfn(&root, &["init", "--yes"]).output().unwrap();
        if !init.status.success() {
            let err = stderr(&init);
            let lines: Vec<&str> = err.lines().collect();
            let want = REFUSED.iter().find(|(f, _)| *f == name).map(|(_, w)| *w);
            let want = want.unwrap_or_else(|| panic!("{name}: cfn init refused it: {err}"));
            assert_eq!(lines.len(), 2, "{name}: one line and a hint: {err}");
            assert!(lines[0].starts_with("error: ") && lines[0].contains(want), "{name}: {err}");
            assert!(lines[1].starts_with("hint: "), "{name}: {err}");
            refused.push(name);
            continue;
        }
        let main = used(&compose_config(&sb, &root));
        let branches = two_branches(&sb, &root);
        let (a, b) = (&branches[0].1, &branches[1].1);
        for (what, x, y) in [("a/b", a, b), ("main/a", &main, a), ("main/b", &main, b)] {
            let ports: Vec<_> = x.ports.intersection(&y.ports).collect();
            assert!(ports.is_empty(), "{name}: {what} share published ports {ports:?}");
            let names: Vec<_> = x.names.intersection(&y.names).collect();
            assert!(names.is_empty(), "{name}: {what} share {names:?}");
        }
        for (v, used) in &branches {
            let leased: BTreeSet<u64> = ports_of(v).into_iter().map(u64::from).collect();
            let published: BTreeSet<u64> = used.ports.iter().map(|(p, _)| *p).collect();
            assert_eq!(published, leased, "{name}: a branch publishes exactly its leased ports");
            assert!(leased.iter().all(|p| *p >= 1024), "{name}: {leased:?}");
        }
        isolated.push(name);
    }
    assert_eq!(refused, REFUSED.map(|(f, _)| f.to_string()), "refused");
    assert!(isolated.len() >= 13, "only {} isolated: {isolated:?}", isolated.len());
}

/// The port layouts the real files need: one number for 443/tcp and 443/udp (HTTP/3), one for
/// services in disjoint profiles, distinct numbers for a real conflict, which init reports.
#[test]
fn shared_and_conflicting_base_ports_of_real_files() {
    struct Case {
        file: &'static str,
        shared: Option<(&'static str, &'static str)>,
        distinct: Option<(&'static str, &'static str)>,
        conflict: Option<&'static str>,
    }
    let cases = [
        Case {
            file: "api-platform__api-platform__compose.yaml",
            shared: Some(("php_443", "php_443_udp")),
            distinct: None,
            conflict: None,
        },
        Case {
            file: "n8n-io__self-hosted-ai-starter-kit__docker-compose.yml",
            shared: Some(("ollama_cpu", "ollama_gpu")),
            distinct: None,
            conflict: None,
        },
        Case {
            file: "masharratt__claude-flow-novice__docker-compose.production.yml",
            shared: None,
            distinct: Some(("orchestrator", "grafana")),
            conflict: Some("services orchestrator and grafana both publish 3001/tcp"),
        },
        Case {
            file: "masharratt__claude-flow-novice__docker__trigger-dev__docker-compose.yml",
            shared: None,
            distinct: Some(("clickhouse_9000", "minio_9000")),
            conflict: Some("both publish 9000/tcp"),
        },
    ];
    for Case { file, shared, distinct, conflict } in cases {
        let sb = Sandbox::new();
        let text = std::fs::read_to_string(Path::new(CORPUS).join(file)).unwrap();
        let root = sb.repo("proj", &[("docker-compose.yml", &text)]);
        let init = sb.cfn(&root, &["init", "--yes"]).output().unwrap();
        assert!(init.status.success(), "{file}: {}", stderr(&init));
        let said = text_of(&init.stdout) + &stderr(&init);
        match conflict {
            Some(c) => {
                assert!(said.contains(c) && said.contains("conflict on the main checkout"), "{file}: {said}");
                let doctor = sb.cfn(&root, &["doctor"]).output().unwrap();
                let report = text_of(&doctor.stdout) + &stderr(&doctor);
                assert!(report.contains(c), "{file}: doctor says {report}");
            }
            None => assert!(!said.contains("conflict"), "{file}: {said}"),
        }
        for branch in ["a", "b"] {
            let v = sb.json(&root, &["worktree", "add", branch, "--json"]);
            let port = |k: &str| v["ports"][k].as_u64().unwrap_or_else(|| panic!("{file}: no key {k}"));
            if let Some((x, y)) = shared {
                assert_eq!(port(x), port(y), "{file} {branch}: {x} and {y} share one number");
            }
            if let Some((x, y)) = distinct {
                assert_ne!(port(x), port(y), "{file} {branch}: {x} and {y} conflict");
            }
        }
    }
}

fn text_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
