//! Leases and what the engine runs stay in step: a lease whose key is gone is kept while a
//! container of the branch still publishes its port, `cfn down` stops the service removed from
//! the files and then releases it, and doctor names a published port no lease covers. Also the
//! configuration limits that keep a branch's cfn.toml from taking ports it cannot use.

use crate::harness::*;
use crate::small_stack::SmallStack;
use crate::stack_harness::*;

const CACHE: &str = "  cache:\n    image: cfn-test/redis:1\n    ports: [\"6390:6379\"]\n";
const CACHE_KEY: &str = "\n[ports.keys.cache]\nservice = \"cache\"\ntarget = 6379\nbase = 6390\n";

fn lease_of(sb: &Sandbox, key: &str) -> Option<u16> {
    let db = sb.db();
    let port = db.query_row(
        "SELECT l.port FROM leases l JOIN worktrees w ON w.id = l.worktree_id
          WHERE w.branch = 'feat' AND l.key = ?1",
        [key],
        |r| r.get::<_, u16>(0),
    );
    port.ok()
}

/// A free port below the ephemeral range (doctor leaves ports the engine picks itself alone).
fn free_port() -> u16 {
    (29000..30000).find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok()).expect("a free port")
}

#[test]
fn a_removed_service_keeps_its_port_until_down_stops_it_and_then_releases_it() {
    let Some(s) = SmallStack::new("leaseguard", "") else { return };
    let compose = std::fs::read_to_string(s.wt.join("docker-compose.yml")).unwrap();
    let with_cache = compose.replace("volumes:\n  data:", &format!("{CACHE}volumes:\n  data:"));
    std::fs::write(s.wt.join("docker-compose.yml"), &with_cache).unwrap();
    let toml = std::fs::read_to_string(s.root.join("cfn.toml")).unwrap();
    std::fs::write(s.wt.join("cfn.toml"), format!("{toml}{CACHE_KEY}")).unwrap();
    let out = s.cfn(&s.wt, &["up", "--timeout", "90"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let cache = lease_of(&s.sb, "cache").expect("cache leased");

    // The branch drops the service and its key again, with the stack still up.
    std::fs::write(s.wt.join("docker-compose.yml"), &compose).unwrap();
    std::fs::write(s.wt.join("cfn.toml"), &toml).unwrap();
    let out = s.cfn(&s.wt, &["ports"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("warning: ports of feat: kept cache={cache}: still published by ")),
        "{err}"
    );
    assert!(err.contains("`cfn down` releases it"), "{err}");
    assert!(!err.contains("released cache"), "{err}");
    assert_eq!(lease_of(&s.sb, "cache"), Some(cache), "kept while its container publishes it");
    assert!(redis(cache, &["PING"]).contains("PONG"), "the removed service still runs");

    // A container of the branch's project publishing a port no lease covers: doctor names it.
    let stray_port = free_port();
    let publish = format!("127.0.0.1:{stray_port}:6379");
    let project_label = format!("com.docker.compose.project={}", s.project);
    assert!(docker_ok(&[
        "run",
        "-d",
        "--label",
        &project_label,
        "--label",
        "com.docker.compose.service=stray",
        "--label",
        "com.docker.compose.oneoff=False",
        "-p",
        &publish,
        "cfn-test/redis:1",
    ]));
    let out = s.cfn(&s.root, &["doctor"]).output().unwrap();
    let report = text(&out.stdout);
    assert!(
        report.contains(&format!("publishes port {stray_port}/tcp, which is not leased to feat")),
        "{report}"
    );
    assert!(!report.contains(&format!("publishes port {cache}/tcp")), "cache is still leased: {report}");

    // down stops every container of the project, the removed service's and the stray one too,
    // keeps the volumes, and then releases the lease.
    let out = s.cfn(&s.wt, &["down"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let label = format!("label={project_label}");
    let left = docker_lines(&["ps", "--format", "{{.Names}} {{.Labels}}", "--filter", &label]);
    assert!(left.is_empty(), "still running: {left:?}\n{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("ports: released cache={cache} for feat")), "{}", stderr(&out));
    assert_eq!(lease_of(&s.sb, "cache"), None);
    assert!(!volumes_of(&s.project).is_empty(), "volumes kept");
}

#[test]
fn a_lease_is_kept_while_the_engine_cannot_be_asked() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let v = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    let wt = std::path::PathBuf::from(v["path"].as_str().unwrap());
    let redis_port = lease_of(&sb, "redis").unwrap();
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let start = toml.find("[ports.keys.redis]").unwrap();
    let end = toml[start + 1..].find("\n[").map_or(toml.len(), |i| start + 2 + i);
    std::fs::write(wt.join("cfn.toml"), format!("{}{}", &toml[..start], &toml[end..])).unwrap();
    let out = sb.cfn(&wt, &["ports"]).env("DOCKER_HOST", "unix:///nonexistent/docker.sock").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("kept redis={redis_port}: cannot check")), "{}", stderr(&out));
    assert_eq!(lease_of(&sb, "redis"), Some(redis_port));
    // with the engine back, nothing of the branch publishes it: released
    let out = sb.cfn(&wt, &["ports"]).output().unwrap();
    if docker_ok(&["info"]) {
        assert!(stderr(&out).contains(&format!("released redis={redis_port}")), "{}", stderr(&out));
        assert_eq!(lease_of(&sb, "redis"), None);
    }
}

#[test]
fn ports_of_a_worktree_whose_directory_is_gone_warn_and_name_prune() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let v = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    std::fs::remove_dir_all(v["path"].as_str().unwrap()).unwrap();
    let out = sb.cfn(&root, &["ports", "feat"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("warning: worktree feat: its directory "), "{err}");
    assert!(err.contains("is gone") && err.contains("`cfn worktree prune`"), "{err}");
}

#[test]
fn two_keys_of_one_variable_and_too_many_keys_are_refused() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let key = |name: &str, base: u32| {
        format!("\n[ports.keys.{name}]\nservice = \"web\"\ntarget = 80\nbase = {base}\n")
    };
    std::fs::write(
        root.join("cfn.toml"),
        format!("{toml}{}{}", key("web-admin", 8091), key("web_admin", 8092)),
    )
    .unwrap();
    let out = sb.cfn(&root, &["ports"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("port keys \"web-admin\" and \"web_admin\" both become the variable CFN_WEB_ADMIN_PORT"),
        "{err}"
    );
    assert!(err.contains("hint: "), "{err}");

    let many: String = (0..300).map(|i| key(&format!("k{i}"), 30000 + i)).collect();
    std::fs::write(root.join("cfn.toml"), format!("{toml}{many}")).unwrap();
    let before = sb.count("SELECT COUNT(*) FROM leases");
    let out = sb.cfn(&root, &["worktree", "add", "feat"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("at most 256 are allowed"), "{}", stderr(&out));
    assert_eq!(sb.count("SELECT COUNT(*) FROM leases"), before, "nothing leased");
}

#[test]
fn doctor_warns_about_a_key_that_matches_no_published_port() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let report = text(&sb.cfn(&root, &["doctor"]).output().unwrap().stdout);
    assert!(!report.contains("matches no port"), "keys written by init match: {report}");
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let ghost = "\n[ports.keys.ghost]\nservice = \"ghost\"\ntarget = 80\nbase = 8099\n";
    std::fs::write(root.join("cfn.toml"), format!("{toml}{ghost}")).unwrap();
    let report = text(&sb.cfn(&root, &["doctor"]).output().unwrap().stdout);
    assert!(
        report.contains("port key ghost (ghost:80/tcp) matches no port the compose files publish"),
        "{report}"
    );
}
