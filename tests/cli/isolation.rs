//! Per-branch isolation as compose itself sees it: `cfn compose config` on compose v1 and v2
//! shows only the branch's host ports, bound to 127.0.0.1, and no name shared between branches.

use crate::harness::*;
use std::collections::HashSet;
use std::path::Path;

const V1: &[&str] = &["docker-compose"];
const V2: &[&str] = &["docker", "compose"];

fn config(sb: &Sandbox, dir: &Path, compose: &[&str], branch: Option<&str>) -> serde_norway::Value {
    let mut args = vec!["compose"];
    if let Some(b) = branch {
        args.extend(["--branch", b]);
    }
    args.push("config");
    let out = sb.cfn(dir, &args).env("CFN_COMPOSE", compose.join(" ")).output().unwrap();
    assert!(out.status.success(), "{compose:?} config failed: {}", stderr(&out));
    serde_norway::from_slice(&out.stdout).unwrap()
}

/// Host ports, names and host IPs a merged configuration uses on the machine.
/// A volume or network without an explicit `name:` is scoped by compose as `<project>_<key>`.
fn global_resources(cfg: &serde_norway::Value, project: &str) -> (Vec<u16>, Vec<String>, Vec<String>) {
    let mut ports = Vec::new();
    let mut names = Vec::new();
    let mut ips = Vec::new();
    for (_, svc) in cfg["services"].as_mapping().unwrap() {
        if let Some(n) = svc.get("container_name") {
            names.push(format!("container:{}", n.as_str().unwrap()));
        }
        for p in svc.get("ports").and_then(|p| p.as_sequence()).into_iter().flatten() {
            let (published, ip) = match p {
                serde_norway::Value::Mapping(m) => (
                    m.get("published").map(|v| match v {
                        serde_norway::Value::Number(n) => n.to_string(),
                        other => other.as_str().unwrap().to_string(),
                    }),
                    m.get("host_ip").and_then(|v| v.as_str()).map(str::to_string),
                ),
                serde_norway::Value::String(s) => {
                    let parts: Vec<&str> = s.split(':').collect();
                    (
                        parts.get(parts.len().wrapping_sub(2)).map(|s| s.to_string()),
                        (parts.len() == 3).then(|| parts[0].to_string()),
                    )
                }
                other => panic!("unexpected port entry {other:?}"),
            };
            if let Some(p) = published.filter(|p| !p.is_empty()) {
                ports.push(p.parse().unwrap());
            }
            ips.push(ip.unwrap_or_default());
        }
    }
    for section in ["volumes", "networks"] {
        for (key, v) in cfg.get(section).and_then(|s| s.as_mapping()).into_iter().flatten() {
            let name = v.get("name").and_then(|n| n.as_str()).map(str::to_string);
            names.push(format!(
                "{section}:{}",
                name.unwrap_or_else(|| format!("{project}_{}", key.as_str().unwrap()))
            ));
        }
    }
    (ports, names, ips)
}

fn check(compose: &[&str]) {
    if !require(compose_available(compose), &compose.join(" ")) {
        return;
    }
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let a = sb.json(&root, &["worktree", "add", "feature-a", "--json"]);
    let b = sb.json(&root, &["worktree", "add", "feature-b", "--json"]);
    let mut all_names = HashSet::new();
    for (v, branch) in [(&a, "feature-a"), (&b, "feature-b")] {
        let dir = Path::new(v["path"].as_str().unwrap());
        let cfg = config(&sb, dir, compose, None);
        let project = v["project"].as_str().unwrap();
        let (ports, names, ips) = global_resources(&cfg, project);
        let mut expected = ports_of(v);
        expected.sort();
        let mut got = ports.clone();
        got.sort();
        assert_eq!(got, expected, "{compose:?} {branch}: only the branch's ports are published");
        assert!(ips.iter().all(|ip| ip == "127.0.0.1"), "{compose:?}: ports bind 127.0.0.1: {ips:?}");
        assert!(
            names.iter().all(|n| !n.starts_with("container:")),
            "{compose:?}: container_name left: {names:?}"
        );
        for name in names {
            assert!(
                !name.contains("shop-redis-data") && !name.contains("shop-backend"),
                "global name left: {name}"
            );
            assert!(all_names.insert(name.clone()), "{compose:?}: {name} shared between branches");
        }
        // The same through --branch from the main checkout.
        let named = config(&sb, &root, compose, Some(branch));
        assert_eq!(global_resources(&named, project).0.len(), ports.len());
    }
    let main = config(&sb, &root, compose, None);
    let (mut ports, _, _) = global_resources(&main, "shop");
    ports.sort();
    assert_eq!(ports, [5432, 6379, 8080], "the main checkout keeps the base ports");
}

#[test]
fn compose_v1_config_is_isolated_per_branch() {
    check(V1);
}

#[test]
fn compose_v2_config_is_isolated_per_branch() {
    check(V2);
}

#[test]
fn rendered_override_parses_with_the_typed_compose_model() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let v = sb.json(&root, &["worktree", "add", "typed", "--json"]);
    let dir = Path::new(v["path"].as_str().unwrap()).join(".cfn");
    let text = std::fs::read_to_string(dir.join("compose.override.yaml")).unwrap();
    let typed: docker_compose_types::Compose = serde_norway::from_str(&text).unwrap();
    assert_eq!(typed.services.0.len(), 3);
    let env = std::fs::read_to_string(dir.join("env")).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(std::fs::metadata(dir.join("env")).unwrap().permissions().mode() & 0o777, 0o600);
    // A POSIX shell reads the env file back verbatim.
    let out = std::process::Command::new("sh")
        .args(["-c", ". \"$1\" && printf '%s|%s' \"$WORKTREE_BRANCH\" \"$CFN_REDIS_PORT\"", "sh"])
        .arg(dir.join("env"))
        .output()
        .unwrap();
    assert_eq!(text_of(&out.stdout), format!("typed|{}", v["ports"]["redis"]), "{env}");
}

fn text_of(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
