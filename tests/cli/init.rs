//! `cfn init`: port keys from the compose file, cfn.toml, `.cfn/` excluded, slot 0 rendered.

use crate::harness::*;

#[test]
fn init_derives_keys_and_sets_up_main() {
    let sb = Sandbox::new();
    let root = sb.repo("shop", &[("docker-compose.yml", COMPOSE)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let config: toml::Table = toml::from_str(&toml).unwrap();
    let keys = config["ports"]["keys"].as_table().unwrap();
    assert_eq!(keys.len(), 3);
    let order: Vec<usize> = ["redis", "postgres", "web"]
        .iter()
        .map(|k| toml.find(&format!("[ports.keys.{k}]")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "keys keep the compose file's order");
    assert_eq!(keys["postgres"]["base"].as_integer(), Some(5432), "${{VAR:-default}} form");
    assert_eq!(keys["web"]["base"].as_integer(), Some(8080), "long syntax");
    assert!(git(&root, &["check-ignore", ".cfn/env"]).contains(".cfn/env"), ".cfn/ must be excluded");
    let env = std::fs::read_to_string(root.join(".cfn/env")).unwrap();
    assert!(env.contains("CFN_SLOT=0") && env.contains("CFN_REDIS_PORT=6379"), "{env}");
    assert!(git(&root, &["status", "--porcelain"]).lines().all(|l| !l.contains(".cfn")));

    let list = sb.json(&root, &["worktree", "list", "--json"]);
    assert_eq!(list[0]["slot"], 0);
    assert_eq!(list[0]["project"], "shop");
    assert_eq!(list[0]["ports"]["redis"], 6379);
}

#[test]
fn init_refuses_port_ranges_with_a_clear_message() {
    let sb = Sandbox::new();
    let compose = "services:\n  ftp:\n    image: x\n    ports:\n      - \"30000-30009:30000-30009\"\n";
    let root = sb.repo("ftp", &[("compose.yaml", compose)]);
    let out = sb.cfn(&root, &["init", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("ftp") && err.contains("range"), "{err}");
    assert!(!root.join("cfn.toml").exists(), "nothing written");
}

#[test]
fn init_twice_needs_force() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let out = sb.cfn(&root, &["init", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--force"));
    sb.cfn(&root, &["init", "--yes", "--force"]).assert().success();
}

#[test]
fn init_without_compose_file_works() {
    let sb = Sandbox::new();
    let root = sb.repo("plain", &[("README", "x")]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let v = sb.json(&root, &["worktree", "add", "feature", "--json"]);
    assert!(v["ports"].as_object().unwrap().is_empty());
    assert!(v["slot"].as_u64().unwrap() >= 1);
}
