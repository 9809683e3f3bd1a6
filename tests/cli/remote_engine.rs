//! Branches whose stacks run on another Docker engine (docs/remote.md), against the real second
//! engine of scripts/second-engine.sh: a dockerd in a network namespace at tcp://10.231.0.2:2375,
//! whose published ports are on 10.231.0.2 only.

use crate::harness::*;
use crate::second_engine::{self, claims_of, lines as remote_lines, Cleanup as RemoteCleanup};
use crate::stack_harness::*;
use std::io::{Read as _, Write as _};
use std::time::Duration;

/// A repository with two port keys, a few slots apart so that adds contend for the same ones.
fn dense_repo(sb: &Sandbox, name: &str) -> std::path::PathBuf {
    let compose = "services:\n  web:\n    image: cfn-test/app:1\n    ports: [\"18080:80\"]\n  \
                   cache:\n    image: cfn-test/redis:1\n    ports: [\"16379:6379\"]\n";
    let root = sb.repo(name, &[("docker-compose.yml", compose)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    // Two preferred slots only: both states start their searches at the same few slots.
    let slots = toml.lines().find(|l| l.starts_with("slots =")).unwrap().to_string();
    let toml = toml.replacen(&slots, "slots = 2", 1);
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    root
}

#[test]
fn two_states_adding_to_one_engine_at_once_never_share_a_port_there() {
    let host = second_engine::host();
    let (a, b) = (Sandbox::new(), Sandbox::new());
    // One repository, cloned by two people: the same project and branch names in both states.
    let (root_a, root_b) = (dense_repo(&a, "dev"), dense_repo(&b, "dev"));
    let _cleanup = RemoteCleanup { projects: Vec::new(), homes: vec![a.home.clone(), b.home.clone()] };

    // 8 adds from each state, all 16 at once.
    let mut children = Vec::new();
    for (sb, root) in [(&a, &root_a), (&b, &root_b)] {
        for i in 0..8 {
            let branch = format!("b{i}");
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"));
            cmd.current_dir(root).args(["worktree", "add", &branch, "--engine", &host]);
            for (k, v) in hermetic_env(&sb.home, sb.path()) {
                cmd.env(k, v);
            }
            cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped());
            children.push((branch, cmd.spawn().unwrap()));
        }
    }
    for (branch, child) in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "add {branch}: {}", stderr(&out));
    }

    let mut ports = Vec::new();
    let mut projects = Vec::new();
    for (sb, root) in [(&a, &root_a), (&b, &root_b)] {
        let list = sb.json(root, &["worktree", "list", "--json"]);
        let worktrees: Vec<&serde_json::Value> =
            list.as_array().unwrap().iter().filter(|w| w["main"] == false).collect();
        assert_eq!(worktrees.len(), 8, "{list}");
        for w in &worktrees {
            assert_eq!(w["engine"], host.as_str(), "{w}");
            ports.extend(ports_of(w));
            projects.push(w["project"].as_str().unwrap().to_string());
        }
    }
    let mut distinct = ports.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 32, "every port of the 16 branches is its own on the engine: {ports:?}");
    projects.sort();
    projects.dedup();
    assert_eq!(
        projects.len(),
        16,
        "and so is every compose project, though both states name them dev-b0…dev-b7"
    );
    // Each lease and project is claimed on the engine, where the other state sees it.
    let claims: Vec<String> = claims_of(&a.home).into_iter().chain(claims_of(&b.home)).collect();
    assert_eq!(claims.iter().filter(|c| c.starts_with("cfn-port-")).count(), 32, "{claims:?}");
    assert_eq!(claims.iter().filter(|c| c.starts_with("cfn-project-")).count(), 16, "{claims:?}");

    // Removing the branches gives their claims back.
    for (sb, root) in [(&a, &root_a), (&b, &root_b)] {
        for i in 0..8 {
            sb.cfn(root, &["worktree", "remove", &format!("b{i}")]).assert().success();
        }
        assert!(claims_of(&sb.home).is_empty(), "{:?}", claims_of(&sb.home));
    }
}

/// PING over RESP to `host:port`.
fn ping(host: &str, port: u16) -> String {
    let mut s = std::net::TcpStream::connect((host, port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"*1\r\n$4\r\nPING\r\n").unwrap();
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[test]
fn a_branch_s_stack_runs_and_is_checked_on_its_remote_engine() {
    if !engine_ready(V2) {
        return;
    }
    let host = second_engine::host();
    let sb = Sandbox::new();
    let compose = "services:\n  cache:\n    image: cfn-test/redis:1\n    ports: [\"16379:6379\"]\n    \
                   volumes: [data:/data]\nvolumes:\n  data:\n";
    let root = sb.repo("remote-stack", &[("docker-compose.yml", compose)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    // A tcp check without a host: it probes where the branch's ports are published.
    toml.push_str("\n[health.cache]\ntype = \"tcp\"\nport = \"{{ ports.cache }}\"\n");
    std::fs::write(root.join("cfn.toml"), toml).unwrap();

    let added = sb.json(&root, &["worktree", "add", "feat", "--engine", &host, "--json"]);
    let project = added["project"].as_str().unwrap().to_string();
    let _cleanup = RemoteCleanup { projects: vec![project.clone()], homes: vec![sb.home.clone()] };
    let wt = std::path::PathBuf::from(added["path"].as_str().unwrap());
    let port = added["ports"]["cache"].as_u64().unwrap() as u16;
    assert_eq!(added["engine"], host.as_str());

    let env = std::fs::read_to_string(wt.join(".cfn/env")).unwrap();
    assert!(env.contains(&format!("CFN_HOST={}", second_engine::address())), "{env}");

    // Branch data goes through this machine's files: refused for a remote branch, before
    // anything is made.
    let refused = sb
        .cfn(&root, &["worktree", "add", "copy", "--engine", &host, "--data-from", "main"])
        .output()
        .unwrap();
    assert!(
        !refused.status.success() && stderr(&refused).contains("--data-from is not available"),
        "{}",
        stderr(&refused)
    );
    let list = sb.json(&root, &["worktree", "list", "--json"]);
    assert!(!list.to_string().contains("\"copy\""), "{list}");
    let snapshot = sb.cfn(&wt, &["data", "snapshot", "before"]).output().unwrap();
    assert!(
        !snapshot.status.success() && stderr(&snapshot).contains("runs on the engine"),
        "{}",
        stderr(&snapshot)
    );
    let rendered = std::fs::read_to_string(wt.join(".cfn/compose.override.yaml")).unwrap();
    assert!(rendered.contains(&format!("{}:{port}:6379", second_engine::address())), "{rendered}");

    let out = sb.cfn(&wt, &["up"]).output().unwrap();
    assert!(out.status.success(), "up: {}", stderr(&out));
    let label = format!("label=com.docker.compose.project={project}");
    assert_eq!(
        remote_lines(&["ps", "-q", "--filter", &label]).len(),
        1,
        "the stack runs on the second engine"
    );
    assert!(
        docker_lines(&["ps", "-aq", "--filter", &label]).is_empty(),
        "and nothing of it on the local one"
    );
    assert!(ping(second_engine::address(), port).contains("PONG"));

    // The branch's bus is its stack's Redis, on the engine host's address.
    let bus = |args: &[&str]| sb.cfn(&wt, args).env_remove("CFN_REDIS_URL").output().unwrap();
    let sent = bus(&["-v", "signal", "send", "--task-id", "t", "--channel", "go", "--payload", "hello"]);
    let url = format!("redis://{}:{port}", second_engine::address());
    assert!(stderr(&sent).contains(&format!("redis at {url} (from branch stack)")), "{}", stderr(&sent));
    let waited = bus(&["signal", "wait", "--task-id", "t", "--channel", "go", "--timeout", "5"]);
    assert_eq!(text(&waited.stdout).trim(), "hello", "{}", stderr(&waited));
    let health = sb.cfn(&wt, &["health"]).output().unwrap();
    assert!(
        health.status.success(),
        "health over the engine's address: {}{}",
        text(&health.stdout),
        stderr(&health)
    );
    let status = sb.json(&wt, &["status", "--json"]);
    let feat = status.as_array().unwrap().iter().find(|s| s["branch"] == "feat").unwrap();
    assert_eq!(feat["engine"], host.as_str());
    assert_eq!(feat["services"].as_array().unwrap().len(), 1, "{feat}");
    let status_text = text(&sb.cfn(&root, &["status"]).output().unwrap().stdout);
    assert!(status_text.contains("ENGINE") && status_text.contains(&host), "{status_text}");
    let doctor = text(&sb.cfn(&root, &["doctor"]).output().unwrap().stdout);
    assert!(doctor.contains(&format!("{host}: Docker")), "doctor checks the engine in use: {doctor}");
    assert!(doctor.contains("GiB free"), "and the engine host's free disk: {doctor}");
    // A nearly full engine host is a warning (debug builds read the free space from
    // CFN_TEST_FREE_KIB, as the data tests do).
    let full = sb.cfn(&root, &["doctor"]).env("CFN_TEST_FREE_KIB", "1024").output().unwrap();
    assert!(text(&full.stdout).contains("only 1 MiB of disk free"), "{}", text(&full.stdout));

    sb.cfn(&wt, &["down"]).assert().success();
    assert!(remote_lines(&["ps", "-q", "--filter", &label]).is_empty());
    assert_eq!(remote_lines(&["volume", "ls", "-q", "--filter", &label]).len(), 1, "down keeps the data");
    sb.cfn(&root, &["worktree", "remove", "feat"]).assert().success();
    assert!(claims_of(&sb.home).is_empty());
}

#[test]
fn a_repository_s_engine_is_used_only_once_approved() {
    let host = second_engine::host();
    let sb = Sandbox::new();
    let root = dense_repo(&sb, "engine-trust");
    let _cleanup = RemoteCleanup { projects: Vec::new(), homes: vec![sb.home.clone()] };
    let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    toml.push_str(&format!("\n[engine]\nhost = \"{host}\"\n"));
    std::fs::write(root.join("cfn.toml"), toml).unwrap();

    let refused = sb.cfn(&root, &["worktree", "add", "feat"]).output().unwrap();
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("engine"), "{}", stderr(&refused));
    assert!(claims_of(&sb.home).is_empty(), "nothing claimed before the approval");
    // The main checkout runs on the repository's engine too: not before the approval either.
    let up = sb.cfn(&root, &["up"]).output().unwrap();
    assert_eq!(up.status.code(), Some(1), "{}", stderr(&up));
    assert!(stderr(&up).contains("not trusted: engine"), "{}", stderr(&up));
    let label = "label=com.docker.compose.project=engine-trust";
    assert!(remote_lines(&["ps", "-aq", "--filter", label]).is_empty(), "nothing of it reached the engine");
    let down = sb.cfn(&root, &["down"]).output().unwrap();
    assert!(stderr(&down).contains("not trusted: engine"), "{}", stderr(&down));
    let status = sb.cfn(&root, &["status"]).output().unwrap();
    assert!(status.status.success() && stderr(&status).contains("not trusted"), "{}", stderr(&status));

    let added = sb.json(&root, &["worktree", "add", "feat", "--yes", "--json"]);
    assert_eq!(added["engine"], host.as_str());
    assert_eq!(claims_of(&sb.home).len(), 3, "two ports and the project");
    sb.cfn(&root, &["worktree", "remove", "feat"]).assert().success();
    assert!(claims_of(&sb.home).is_empty());
}

#[test]
fn the_hostname_proxy_reaches_a_branch_on_its_remote_engine() {
    let host = second_engine::host();
    let sb = Sandbox::new();
    let compose = "services:\n  web:\n    image: cfn-test/app:1\n    ports: [\"8080:8080\"]\n";
    let root = sb.repo("remoteweb", &[("docker-compose.yml", compose)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let port = crate::proxy::free_port();
    let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    toml.push_str(&format!("\n[proxy]\nport = {port}\n"));
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    let added = sb.json(&root, &["worktree", "add", "feat", "--engine", &host, "--json"]);
    let project = added["project"].as_str().unwrap().to_string();
    let _cleanup = RemoteCleanup { projects: vec![project], homes: vec![sb.home.clone()] };
    let wt = std::path::PathBuf::from(added["path"].as_str().unwrap());
    let out = sb.cfn(&wt, &["up", "--timeout", "120"]).output().unwrap();
    assert!(out.status.success(), "up: {}", stderr(&out));

    let _proxy = crate::proxy::Proxy::start(&sb, &root, port);
    let feat_host = "web.feat.remoteweb.localhost";
    let direct = std::process::Command::new("curl")
        .args(["-sf", &format!("http://{}:{}/index.html", second_engine::address(), added["ports"]["web"])])
        .output()
        .unwrap();
    assert!(direct.status.success(), "the service answers on the engine host's address");
    let (status, _, body) = crate::proxy::get(port, &format!("{feat_host}:{port}"), "/index.html", "*/*");
    assert_eq!(status, 200, "the proxy routes the branch's hostname to its remote engine");
    assert_eq!(body, direct.stdout);
}

#[test]
fn doctor_finds_and_fixes_what_a_lost_worktree_left_on_its_remote_engine() {
    let host = second_engine::host();
    let sb = Sandbox::new();
    let compose = "services:\n  cache:\n    image: cfn-test/redis:1\n    ports: [\"16379:6379\"]\n";
    let root = sb.repo("remote-left", &[("docker-compose.yml", compose)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let added = sb.json(&root, &["worktree", "add", "feat", "--engine", &host, "--json"]);
    let project = added["project"].as_str().unwrap().to_string();
    let _cleanup = RemoteCleanup { projects: vec![project.clone()], homes: vec![sb.home.clone()] };
    let wt = added["path"].as_str().unwrap().to_string();
    let out = sb.cfn(std::path::Path::new(&wt), &["up"]).output().unwrap();
    assert!(out.status.success(), "up: {}", stderr(&out));
    let label = format!("label=com.docker.compose.project={project}");
    assert_eq!(remote_lines(&["ps", "-q", "--filter", &label]).len(), 1);

    // The worktree and its registry row are gone (a remove that could not reach the engine, a
    // lost row); its stack and its claims are still on the engine, which no branch uses now.
    git(&root, &["worktree", "remove", "--force", &wt]);
    let db = rusqlite::Connection::open(sb.home.join("state.db")).unwrap();
    db.execute("DELETE FROM worktrees WHERE branch = 'feat'", []).unwrap();
    drop(db);
    assert_eq!(claims_of(&sb.home).len(), 2, "a port and the project");

    let doctor = text(&sb.cfn(&root, &["doctor"]).output().unwrap().stdout);
    assert!(doctor.contains(&format!("{host}: 1 container(s)")), "{doctor}");
    assert!(doctor.contains("port claim of this cfn with no worktree behind"), "{doctor}");
    let fixed = sb.cfn(&root, &["doctor", "--fix"]).output().unwrap();
    assert!(fixed.status.success(), "{}{}", text(&fixed.stdout), stderr(&fixed));
    assert!(remote_lines(&["ps", "-aq", "--filter", &label]).is_empty(), "the stack is stopped");
    assert!(claims_of(&sb.home).is_empty(), "the claims are released: {:?}", claims_of(&sb.home));
    let again = text(&sb.cfn(&root, &["doctor"]).output().unwrap().stdout);
    assert!(!again.contains("of removed worktrees") && !again.contains("no worktree behind"), "{again}");
}

#[test]
fn two_people_s_main_checkouts_never_share_a_project_on_one_engine() {
    let host = second_engine::host();
    let (a, b) = (Sandbox::new(), Sandbox::new());
    let compose = "services:\n  cache:\n    image: cfn-test/redis:1\n    ports: [\"16479:6379\"]\n";
    let mut roots = Vec::new();
    for sb in [&a, &b] {
        let root = sb.repo("shared-main", &[("docker-compose.yml", compose)]);
        sb.cfn(&root, &["init", "--yes"]).assert().success();
        let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
        toml.push_str(&format!("\n[engine]\nhost = \"{host}\"\n"));
        std::fs::write(root.join("cfn.toml"), toml).unwrap();
        roots.push(root);
    }
    let _cleanup =
        RemoteCleanup { projects: vec!["shared-main".into()], homes: vec![a.home.clone(), b.home.clone()] };
    let first = a.cfn(&roots[0], &["up", "--yes"]).output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    let second = b.cfn(&roots[1], &["up", "--yes"]).output().unwrap();
    assert!(!second.status.success());
    assert!(stderr(&second).contains("compose project shared-main is another cfn's"), "{}", stderr(&second));
    let label = "label=com.docker.compose.project=shared-main";
    assert_eq!(remote_lines(&["ps", "-q", "--filter", label]).len(), 1, "the first one's stack is untouched");
    // The owner's own commands go on working, and a later add on the engine keeps its claim.
    a.cfn(&roots[0], &["worktree", "add", "feat", "--yes"]).assert().success();
    a.cfn(&roots[0], &["worktree", "remove", "feat"]).assert().success();
    a.cfn(&roots[0], &["up", "--yes"]).assert().success();
    a.cfn(&roots[0], &["down"]).assert().success();
}

#[test]
fn a_branch_runs_on_an_engine_reached_over_ssh() {
    let host = second_engine::ssh_host();
    let sb = Sandbox::new();
    // ssh reads its configuration from the passwd home, not $HOME: the PATH given here leads
    // to an ssh that reads the sandbox's (the test key and known hosts), for cfn and for the
    // docker CLI under compose alike.
    let path = second_engine::ssh_config_in(sb.path());
    let cfn = |dir: &std::path::Path, args: &[&str]| {
        let mut cmd = sb.cfn(dir, args);
        cmd.env("PATH", &path);
        cmd
    };
    let json = |dir: &std::path::Path, args: &[&str]| -> serde_json::Value {
        let out = cfn(dir, args).output().unwrap();
        assert!(out.status.success(), "cfn {args:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let compose = "services:\n  cache:\n    image: cfn-test/redis:1\n    ports: [\"16379:6379\"]\n";
    let root = sb.repo("ssh-stack", &[("docker-compose.yml", compose)]);
    cfn(&root, &["init", "--yes"]).assert().success();
    let added = json(&root, &["worktree", "add", "feat", "--engine", &host, "--json"]);
    let project = added["project"].as_str().unwrap().to_string();
    let _cleanup = RemoteCleanup { projects: vec![project.clone()], homes: vec![sb.home.clone()] };
    assert_eq!(added["engine"], host.as_str());
    let wt = std::path::PathBuf::from(added["path"].as_str().unwrap());
    let env = std::fs::read_to_string(wt.join(".cfn/env")).unwrap();
    assert!(env.contains(&format!("CFN_HOST={}", second_engine::address())), "{env}");
    assert_eq!(claims_of(&sb.home).len(), 2, "a port and the project, claimed over ssh");

    let up = cfn(&wt, &["up"]).output().unwrap();
    assert!(up.status.success(), "up over ssh: {}", stderr(&up));
    let label = format!("label=com.docker.compose.project={project}");
    assert_eq!(
        remote_lines(&["ps", "-q", "--filter", &label]).len(),
        1,
        "the stack runs on the second engine"
    );
    let port = added["ports"]["cache"].as_u64().unwrap() as u16;
    assert!(ping(second_engine::address(), port).contains("PONG"));
    let status = json(&wt, &["status", "--json"]);
    let feat = status.as_array().unwrap().iter().find(|s| s["branch"] == "feat").unwrap();
    assert_eq!(feat["services"].as_array().unwrap().len(), 1, "{feat}");
    let logs = cfn(&wt, &["logs", "cache"]).output().unwrap();
    assert!(logs.status.success(), "{}", stderr(&logs));
    // The same engine by another address (tcp): an add there keeps the ssh branch's claims.
    let other = json(&root, &["worktree", "add", "other", "--engine", &second_engine::host(), "--json"]);
    let _other =
        RemoteCleanup { projects: vec![other["project"].as_str().unwrap().to_string()], homes: Vec::new() };
    assert_eq!(claims_of(&sb.home).len(), 4, "both branches' port and project: {:?}", claims_of(&sb.home));
    let doctor = text(&cfn(&root, &["doctor"]).output().unwrap().stdout);
    assert!(!doctor.contains("no worktree behind"), "{doctor}");
    cfn(&root, &["worktree", "remove", "other"]).assert().success();
    assert_eq!(claims_of(&sb.home).len(), 2, "{:?}", claims_of(&sb.home));
    cfn(&wt, &["down"]).assert().success();
    cfn(&root, &["worktree", "remove", "feat"]).assert().success();
    assert!(claims_of(&sb.home).is_empty());

    // Without the key ssh cannot log in: one clear line, and nothing is left behind.
    let refused = sb.cfn(&root, &["worktree", "add", "nokey", "--engine", &host]).output().unwrap();
    assert!(!refused.status.success());
    let said = stderr(&refused);
    assert!(
        said.contains(&format!("cannot reach the Docker engine at {host}: ssh: ")),
        "ssh says why: {said}"
    );
    assert!(!json(&root, &["worktree", "list", "--json"]).to_string().contains("nokey"));
}

#[test]
fn a_lost_registry_is_not_rebuilt_with_an_engine_the_worktree_s_files_name() {
    let host = second_engine::host();
    let sb = Sandbox::new();
    let root = dense_repo(&sb, "remote-lost");
    let _cleanup = RemoteCleanup { projects: Vec::new(), homes: vec![sb.home.clone()] };
    sb.cfn(&root, &["worktree", "add", "feat", "--engine", &host]).assert().success();
    for file in ["state.db", "state.db-wal", "state.db-shm"] {
        let _ = std::fs::remove_file(sb.home.join(file));
    }
    let out = sb.cfn(&root, &["worktree", "list", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("feat: it ran on engine {host}")), "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(list.as_array().unwrap().iter().all(|w| w["engine"].is_null()), "{list}");
}
