//! Compose files that pull services in with `include:` and `extends: {file: …}` are isolated
//! like any other: their ports become keys, their names are dropped per branch, their relative
//! paths resolve from their own folder, and `cfn doctor` judges the merged model.

use crate::harness::*;
use serde_norway::Value;
use std::path::Path;

const COMPOSE: &str = "\
include:
  - infra/db.yaml
services:
  web:
    extends:
      file: infra/common.yaml
      service: webbase
    environment:
      GREETING: ${GREETING:-hello}
";

const DB: &str = "\
services:
  db:
    image: postgres:15
    container_name: shop-db
    ports: [\"5432:5432\"]
    volumes:
      - dbdata:/var/lib/postgresql/data
      - ./init:/docker-entrypoint-initdb.d
volumes:
  dbdata:
    name: shop-dbdata
";

const COMMON: &str = "\
services:
  webbase:
    image: busybox
    container_name: shop-web
    ports: [\"8080:8080\"]
    volumes: [\"./static:/static\"]
";

fn shop(sb: &Sandbox) -> std::path::PathBuf {
    sb.repo("shop", &[("compose.yaml", COMPOSE), ("infra/db.yaml", DB), ("infra/common.yaml", COMMON)])
}

fn config(sb: &Sandbox, dir: &Path, compose: &str) -> Value {
    let out = sb.cfn(dir, &["compose", "config"]).env("CFN_COMPOSE", compose).output().unwrap();
    assert!(out.status.success(), "{compose} config in {}: {}", dir.display(), stderr(&out));
    serde_norway::from_slice(&out.stdout).unwrap()
}

/// Every published port, container name, volume and network name, and bind-mount source.
fn resources(cfg: &Value) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (mut ports, mut names, mut mounts) = (Vec::new(), Vec::new(), Vec::new());
    for (_, svc) in cfg["services"].as_mapping().unwrap() {
        if let Some(n) = svc.get("container_name").and_then(Value::as_str) {
            names.push(format!("container {n}"));
        }
        for p in svc.get("ports").and_then(Value::as_sequence).into_iter().flatten() {
            match p {
                // compose v1 writes `127.0.0.1:5992:5432/tcp`
                Value::String(s) => ports.push(s.rsplit(':').nth(1).unwrap().to_string()),
                _ => match &p["published"] {
                    Value::String(s) => ports.push(s.clone()),
                    Value::Number(n) => ports.push(n.to_string()),
                    _ => {}
                },
            }
        }
        for v in svc.get("volumes").and_then(Value::as_sequence).into_iter().flatten() {
            match v {
                Value::String(s) => mounts.push(s.split(':').next().unwrap().to_string()),
                other => mounts.push(other["source"].as_str().unwrap_or_default().to_string()),
            }
        }
    }
    for section in ["volumes", "networks"] {
        for (_, def) in cfg.get(section).and_then(Value::as_mapping).into_iter().flatten() {
            if let Some(n) = def.get("name").and_then(Value::as_str) {
                names.push(format!("{section} {n}"));
            }
        }
    }
    (ports, names, mounts)
}

#[test]
fn included_and_extended_services_are_isolated() {
    if !require(compose_available(&["docker", "compose"]), "docker compose") {
        return;
    }
    let sb = Sandbox::new();
    let root = shop(&sb);
    let init = sb.json(&root, &["init", "--yes", "--json"]);
    let keys: Vec<(&str, u64)> = init["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["key"].as_str().unwrap(), k["base"].as_u64().unwrap()))
        .collect();
    assert_eq!(keys, [("db", 5432), ("web", 8080)]);

    let mut seen_ports = Vec::new();
    let mut seen_names = Vec::new();
    for branch in ["a", "b"] {
        let v = sb.json(&root, &["worktree", "add", branch, "--json"]);
        let dir = Path::new(v["path"].as_str().unwrap());
        let (mut ports, names, mounts) = resources(&config(&sb, dir, "docker compose"));
        ports.sort();
        let mut leased: Vec<String> = ports_of(&v).iter().map(u16::to_string).collect();
        leased.sort();
        assert_eq!(ports, leased, "{branch} publishes its own ports only");
        for name in &names {
            assert!(!name.contains("shop-db") && !name.contains("shop-web"), "{branch}: {name}");
            assert!(!seen_names.contains(name), "{name} shared between branches");
        }
        // relative paths of the included and extended files resolve from their own folder,
        // inside this branch's checkout
        for sub in ["infra/init", "infra/static"] {
            let want = dir.join(sub).to_string_lossy().into_owned();
            assert!(mounts.contains(&want), "{branch}: {want} not in {mounts:?}");
        }
        // compose v1 runs the same merged copy
        if compose_available(&["docker-compose"]) {
            let (mut v1_ports, _, _) = resources(&config(&sb, dir, "docker-compose"));
            v1_ports.sort();
            assert_eq!(v1_ports, ports, "{branch}: v1 publishes the same ports");
        }
        for p in &ports {
            assert!(!seen_ports.contains(p), "port {p} shared between branches");
        }
        seen_ports.extend(ports);
        seen_names.extend(names);
    }

    // doctor judges the merged model: the included file's names are reported
    let doctor = sb.cfn(&root, &["doctor"]).output().unwrap();
    let report = String::from_utf8_lossy(&doctor.stdout).into_owned();
    assert!(report.contains("`container_name: shop-db`"), "{report}");
    assert!(report.contains("`name: shop-dbdata`"), "{report}");
    assert!(!report.contains("keep branches apart"), "{report}");
}

#[test]
fn what_cannot_be_flattened_is_refused_in_one_line() {
    if !require(compose_available(&["docker", "compose"]), "docker compose") {
        return;
    }
    let sb = Sandbox::new();
    let with_env = "include:\n  - path: infra/db.yaml\n    env_file: infra/db.env\nservices: {}\n";
    let missing = "services:\n  web:\n    extends: {file: nowhere.yaml, service: web}\n";
    for (name, text, want) in [
        ("env", with_env, "with its own env_file (infra/db.env) cannot be isolated per branch"),
        ("missing", missing, "cannot resolve the `extends:` of"),
    ] {
        let root = sb.repo(name, &[("compose.yaml", text), ("infra/db.yaml", DB), ("infra/db.env", "")]);
        let out = sb.cfn(&root, &["init", "--yes"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = stderr(&out);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{name}: {err}");
        assert!(lines[0].starts_with("error: ") && lines[0].contains(want), "{name}: {err}");
        assert!(lines[1].starts_with("hint: "), "{name}: {err}");
        assert!(!root.join("cfn.toml").exists(), "{name}: nothing written");
    }
}
