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

/// The seed's shape: `mcp-*` services on an internal network with a fixed subnet, limits and a
/// healthcheck. init names each MCP server with its branch URL (one without a port is reported),
/// and a branch's compose model keeps the network internal, drops the fixed subnet and keeps
/// the limits and healthchecks.
const MCP_COMPOSE: &str = "\
services:
  app:
    image: cfn-test/app:1
    ports: [\"8090:80\"]
    networks: [mcp]
  mcp-redis:
    image: cfn-test/redis:1
    ports: [\"8391:6379\"]
    networks: [mcp]
    mem_limit: 256m
    healthcheck:
      test: [\"CMD\", \"redis-cli\", \"ping\"]
      interval: 5s
  mcp-scanner:
    image: cfn-test/app:1
    networks: [mcp]
networks:
  mcp:
    internal: true
    ipam:
      config:
        - subnet: 172.31.240.0/24
";

#[test]
fn init_names_the_mcp_services_and_branches_keep_their_network_internal() {
    let sb = Sandbox::new();
    let root = sb.repo("mcpshop", &[("docker-compose.yml", MCP_COMPOSE)]);
    let out = sb.cfn(&root, &["init", "--yes"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
    assert!(said.contains("MCP server mcp-redis (url from port key"), "{said}");
    assert!(said.contains("MCP service mcp-scanner publishes no TCP port"), "{said}");
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let config: toml::Table = toml::from_str(&toml).unwrap();
    let servers = config["mcp_servers"].as_table().unwrap();
    assert_eq!(servers.keys().collect::<Vec<_>>(), ["mcp-redis"], "{toml}");
    let key = config["ports"]["keys"]
        .as_table()
        .unwrap()
        .iter()
        .find(|(_, k)| k["service"].as_str() == Some("mcp-redis"))
        .map(|(name, _)| name.clone())
        .unwrap();
    assert_eq!(
        servers["mcp-redis"]["url"].as_str(),
        Some(format!("http://127.0.0.1:{{{{ ports.{key} }}}}/").as_str())
    );
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "cfn"]);
    sb.cfn(&root, &["worktree", "add", "mcp-feat"]).assert().success();
    let wt = sb.path().join("mcpshop-mcp-feat");
    let out = sb.cfn(&wt, &["compose", "config"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let model: serde_norway::Value = serde_norway::from_slice(&out.stdout).unwrap();
    let network = model["networks"]["mcp"].clone();
    assert_eq!(network["internal"], serde_norway::Value::Bool(true), "{network:?}");
    assert!(!format!("{network:?}").contains("172.31.240.0"), "the fixed subnet is dropped: {network:?}");
    let mcp = &model["services"]["mcp-redis"];
    assert!(mcp.get("healthcheck").is_some(), "{mcp:?}");
    assert!(format!("{mcp:?}").contains("268435456") || format!("{mcp:?}").contains("256m"), "{mcp:?}");
}
