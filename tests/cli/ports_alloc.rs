//! The allocator's guarantees, through the real binary: machine-wide uniqueness across
//! repositories, base ports never handed out, ports in use never handed out, concurrency.

use crate::harness::*;
use std::collections::HashSet;
use std::net::TcpListener;

/// A second repository whose base ports are ports the first one's slot 1 would use.
const OTHER: &str = "\
services:
  cache:
    image: redis
    ports: [\"6389:6379\"]
  app:
    image: busybox
    ports: [\"5442:80\"]
";

fn all_leases(sb: &Sandbox) -> Vec<u16> {
    let db = sb.db();
    let mut stmt = db.prepare("SELECT port FROM leases").unwrap();
    stmt.query_map([], |r| r.get::<_, u16>(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_hundred_and_twenty_branches_in_two_repositories_never_share_a_port() {
    let sb = Sandbox::new();
    let shop = sb.shop("shop");
    let other = sb.repo("other", &[("compose.yaml", OTHER)]);
    sb.cfn(&other, &["init", "--yes"]).assert().success();

    // Something else listens on many ports the offset scheme would produce.
    let mut listened = HashSet::new();
    let mut listeners = Vec::new();
    for base in [6379u16, 5432, 8080] {
        for slot in (3..400).step_by(7) {
            let port = base + slot * 10;
            if let Ok(l) = TcpListener::bind(("127.0.0.1", port)) {
                listened.insert(port);
                listeners.push(l);
            }
        }
    }
    assert!(listened.len() > 100);

    let mut seen = HashSet::new();
    for (repo, count) in [(&shop, 100), (&other, 20)] {
        for i in 0..count {
            let v = sb.json(repo, &["worktree", "add", &format!("branch-{i}"), "--json"]);
            for port in ports_of(&v) {
                assert!(seen.insert(port), "port {port} handed out twice");
                assert!(!listened.contains(&port), "port {port} was in use by another process");
                assert!(port >= 1024);
            }
        }
    }
    drop(listeners);
    for base in [6379, 5432, 8080, 6389, 5442] {
        assert!(!seen.contains(&base), "base port {base} handed out");
    }
    let leases = all_leases(&sb);
    assert_eq!(leases.len(), 100 * 3 + 20 * 2);
    assert_eq!(leases.iter().collect::<HashSet<_>>().len(), leases.len());
}

#[test]
fn sixteen_concurrent_adds_all_succeed_with_disjoint_ports() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let children: Vec<_> = (0..16)
        .map(|i| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"));
            cmd.current_dir(&root).args(["worktree", "add", &format!("par-{i}"), "--json"]);
            for (k, v) in hermetic_env(&sb.home, sb.path()) {
                cmd.env(k, v);
            }
            cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap()
        })
        .collect();
    let mut ports = HashSet::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "concurrent add failed: {}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for p in ports_of(&v) {
            assert!(ports.insert(p), "port {p} shared");
        }
    }
    assert_eq!(ports.len(), 16 * 3);
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees WHERE state = 'ready'"), 16);
}

#[test]
fn block_scheme_allocates_inside_its_block() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    std::fs::write(
        root.join("cfn.toml"),
        toml.replace("scheme = \"offset\"", "scheme = \"block\"\nblock_start = 30000\nblock_width = 5"),
    )
    .unwrap();
    let v = sb.json(&root, &["worktree", "add", "blocky", "--json"]);
    let slot = v["slot"].as_u64().unwrap() as u16;
    let start = 30000 + slot * 5;
    let p = |k: &str| v["ports"][k].as_u64().unwrap() as u16;
    assert_eq!(
        [p("redis"), p("postgres"), p("web")],
        [start, start + 1, start + 2],
        "keys in cfn.toml order"
    );
}
