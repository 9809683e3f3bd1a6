//! Plain `docker compose` typed in a worktree runs the branch's stack: the same configuration
//! as `cfn compose` (compose v2 through `.env` and a `!reset` override; compose v1 where the
//! base files need no tags), the user's own `.env` lines kept, a tracked or symlinked `.env`
//! left alone and reported, and a real `docker compose up -d` next to the main checkout's stack.

use crate::harness::*;
use crate::stack_harness::{docker_lines, engine_ready, Cleanup};
use serde_norway::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

pub(crate) const V2: &[&str] = &["docker", "compose"];
const V1: &[&str] = &["docker-compose"];
pub(crate) const BEGIN: &str = "# >>> cfn:";

/// A compose file with everything that defeats isolation: fixed host ports, a container name,
/// a global volume and network name, a fixed subnet and address; plus relative paths.
pub(crate) fn hostile_compose(name: &str, redis: u16, web: u16, net: u8) -> String {
    format!(
        "name: {name}\nservices:\n  redis:\n    image: cfn-test/redis:1\n    container_name: {name}-redis\n    \
         ports: [\"{redis}:6379\"]\n    env_file: conf/redis.env\n    volumes: [\"data:/data\", \"./conf:/conf:ro\"]\n    \
         networks:\n      back: {{ipv4_address: 10.231.{net}.5}}\n  \
         web:\n    build: ./app\n    image: cfn-test/app:1\n    ports: [\"{web}:8080\", \"9229\"]\n    networks: [back]\n\
         volumes:\n  data:\n    name: {name}-data\n\
         networks:\n  back:\n    name: {name}-back\n    ipam:\n      config: [{{subnet: 10.231.{net}.0/24}}]\n"
    )
}

/// A repository `name` whose `.env` git ignores and `.worktreeinclude` copies.
pub(crate) fn repo(sb: &Sandbox, name: &str, compose: &str, extra: &[(&str, &str)]) -> PathBuf {
    let mut files = vec![
        ("docker-compose.yml", compose),
        ("conf/redis.env", "A=1\n"),
        ("app/Dockerfile", "FROM cfn-test/app:1\n"),
    ];
    files.extend_from_slice(extra);
    let root = sb.repo(name, &files);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    root
}

/// `program args` in `dir` as a person types it: no COMPOSE_* variables of the caller.
pub(crate) fn plain(dir: &Path, program: &[&str], args: &[&str]) -> Output {
    std::process::Command::new(program[0])
        .args(&program[1..])
        .args(args)
        .current_dir(dir)
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROJECT_NAME")
        .env_remove("COMPOSE_PATH_SEPARATOR")
        .output()
        .unwrap()
}

pub(crate) fn parsed(out: &Output, what: &str) -> Value {
    assert!(out.status.success(), "{what} failed: {}", stderr(out));
    serde_norway::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{what}: not YAML ({e})"))
}

fn cfn_config(sb: &Sandbox, dir: &Path, program: &[&str]) -> Value {
    let out = sb.cfn(dir, &["compose", "config"]).env("CFN_COMPOSE", program.join(" ")).output().unwrap();
    parsed(&out, "cfn compose config")
}

/// Published host ports (`ip:port/proto`), container names, volume and network names.
pub(crate) fn published_and_named(cfg: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (svc, body) in cfg["services"].as_mapping().unwrap() {
        let svc = svc.as_str().unwrap();
        if let Some(name) = body.get("container_name") {
            out.push(format!("container {svc}: {}", name.as_str().unwrap()));
        }
        for p in body.get("ports").and_then(Value::as_sequence).into_iter().flatten() {
            let field = |k: &str| match p.get(k) {
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::String(s)) => s.clone(),
                _ => String::new(),
            };
            out.push(format!("port {svc}: {}:{}:{}", field("host_ip"), field("published"), field("target")));
        }
    }
    for section in ["volumes", "networks"] {
        for (key, v) in cfg.get(section).and_then(Value::as_mapping).into_iter().flatten() {
            let name = v.get("name").and_then(Value::as_str).unwrap_or("(project-scoped)");
            out.push(format!("{section} {}: {name}", key.as_str().unwrap()));
        }
    }
    out.sort();
    out
}

/// A service joining a network with no settings is `{}` after a `!reset` of its last setting
/// and `null` in a sanitized copy: the same to compose.
fn without_empty_network_settings(mut cfg: Value) -> Value {
    for (_, body) in cfg["services"].as_mapping_mut().unwrap().iter_mut() {
        for (_, settings) in body.get_mut("networks").and_then(Value::as_mapping_mut).into_iter().flatten() {
            if settings.as_mapping().is_some_and(|m| m.is_empty()) {
                *settings = Value::Null;
            }
        }
    }
    cfg
}

pub(crate) fn worktree(
    sb: &Sandbox,
    root: &Path,
    branch: &str,
    program: &[&str],
) -> (serde_json::Value, Output) {
    let out = sb
        .cfn(root, &["worktree", "add", branch, "--json"])
        .env("CFN_COMPOSE", program.join(" "))
        .env("CFN_PLAIN_COMPOSE", program.join(" "))
        .output()
        .unwrap();
    assert!(out.status.success(), "add {branch}: {}", stderr(&out));
    (serde_json::from_slice(&out.stdout).unwrap(), out)
}

pub(crate) fn path_of(v: &serde_json::Value) -> PathBuf {
    PathBuf::from(v["path"].as_str().unwrap())
}

fn user_lines(env: &Path) -> String {
    let text = std::fs::read_to_string(env).unwrap();
    let (before, rest) = text.split_once(BEGIN).unwrap_or((&text, ""));
    let after = rest.split_once("# <<< cfn:").map(|(_, a)| a.split_once('\n').map_or("", |(_, r)| r));
    format!("{before}{}", after.unwrap_or(""))
}

#[test]
fn plain_docker_compose_v2_runs_the_branch_configuration() {
    if !require(compose_available(V2), "docker compose") {
        return;
    }
    let sb = Sandbox::new();
    let name = format!("plainv2{}", std::process::id());
    let root = repo(
        &sb,
        &name,
        &hostile_compose(&name, 46379, 46080, 1),
        &[(".gitignore", ".env\n"), (".worktreeinclude", ".env\n")],
    );
    // only a .worktreeinclude, no [copy] table: ports in the copied .env are still rewritten
    std::fs::write(root.join(".env"), "# mine\nREDIS_URL=redis://localhost:46379/0\nDB_PATH=./mine.db\n")
        .unwrap();
    let (v, _) = worktree(&sb, &root, "feat", V2);
    let wt = path_of(&v);
    let redis = v["ports"]["redis"].as_u64().unwrap();
    let copied = format!("# mine\nREDIS_URL=redis://localhost:{redis}/0\nDB_PATH=./mine.db\n");
    assert_eq!(user_lines(&wt.join(".env")), copied, "copied and port-rewritten without a [copy] table");
    let whole = std::fs::read_to_string(wt.join(".env")).unwrap();
    assert_eq!(whole.matches("DB_PATH=").count(), 1, "a variable of the user's own is left to them: {whole}");
    assert!(whole.contains(&format!("CFN_REDIS_PORT={redis}\n")), "{whole}");

    let plain_cfg = parsed(&plain(&wt, V2, &["config"]), "docker compose config");
    let cfn_cfg = cfn_config(&sb, &wt, V2);
    assert_eq!(published_and_named(&plain_cfg), published_and_named(&cfn_cfg));
    assert_eq!(
        without_empty_network_settings(plain_cfg.clone()),
        without_empty_network_settings(cfn_cfg),
        "the whole merged configuration is the same"
    );
    assert_eq!(plain_cfg["name"].as_str(), v["project"].as_str());
    let shown = published_and_named(&plain_cfg);
    let global = [format!(": {name}-data"), format!(": {name}-back")];
    assert!(
        shown.iter().all(|s| !s.starts_with("container") && !global.iter().any(|g| s.ends_with(g))),
        "{shown:?}"
    );
    assert!(shown.contains(&format!("port redis: 127.0.0.1:{redis}:6379")), "{shown:?}");
    // relative paths resolve from the worktree
    let wt_text = wt.to_str().unwrap();
    assert_eq!(plain_cfg["services"]["web"]["build"]["context"].as_str(), Some(&*format!("{wt_text}/app")));
    assert_eq!(
        plain_cfg["services"]["redis"]["volumes"][1]["source"].as_str(),
        Some(&*format!("{wt_text}/conf"))
    );
    assert_eq!(plain_cfg["services"]["redis"]["environment"]["A"].as_str(), Some("1"));
    assert!(plain_cfg["networks"]["back"].get("ipam").is_none(), "the fixed subnet is gone");

    // The main checkout keeps its own ports and gets no block.
    let main_cfg = parsed(&plain(&root, V2, &["config"]), "docker compose config in main");
    assert!(published_and_named(&main_cfg).contains(&"port redis: :46379:6379".to_string()));
    assert!(!std::fs::read_to_string(root.join(".env")).unwrap().contains(BEGIN));

    // The user's lines survive a re-render, before and after the block; a base-file change is
    // followed by the next cfn command.
    let env_path = wt.join(".env");
    let mut text = std::fs::read_to_string(&env_path).unwrap();
    text.push_str("AFTER=kept\n");
    std::fs::write(&env_path, &text).unwrap();
    let compose = std::fs::read_to_string(wt.join("docker-compose.yml")).unwrap();
    let compose = compose.replace("    build: ./app\n", "    build: ./app\n    container_name: fixed-web\n");
    std::fs::write(wt.join("docker-compose.yml"), compose).unwrap();
    let cfn_cfg = cfn_config(&sb, &wt, V2);
    assert_eq!(user_lines(&env_path), format!("{copied}AFTER=kept\n"));
    assert_eq!(std::fs::read_to_string(&env_path).unwrap().matches(BEGIN).count(), 1);
    let plain_cfg = parsed(&plain(&wt, V2, &["config"]), "docker compose config");
    assert!(plain_cfg["services"]["web"].get("container_name").is_none(), "reset after re-render");
    assert_eq!(published_and_named(&plain_cfg), published_and_named(&cfn_cfg));

    let (checks, _) = doctor(&sb, &root);
    assert!(checks.iter().any(|c| c["name"] == "plain-compose" && c["status"] == "ok"), "{checks:#?}");

    // A block in the main checkout's .env (copied there by hand) is reported, and --fix takes
    // it out, keeping the user's lines.
    let main_env = root.join(".env");
    let user = std::fs::read_to_string(&main_env).unwrap();
    let branch_env = std::fs::read_to_string(&env_path).unwrap();
    std::fs::write(&main_env, format!("{user}{}", &branch_env[branch_env.find(BEGIN).unwrap()..])).unwrap();
    let (checks, _) = doctor(&sb, &root);
    assert!(
        checks.iter().any(
            |c| c["name"] == "rendered" && c["message"].as_str().unwrap().contains("left-over cfn block")
        ),
        "{checks:#?}"
    );
    sb.cfn(&root, &["doctor", "--fix"]).env("CFN_COMPOSE", "docker compose").assert().success();
    assert_eq!(std::fs::read_to_string(&main_env).unwrap(), format!("{user}AFTER=kept\n"));
}

fn doctor(sb: &Sandbox, dir: &Path) -> (Vec<serde_json::Value>, Output) {
    let out = sb.cfn(dir, &["doctor", "--json"]).env("CFN_COMPOSE", "docker compose").output().unwrap();
    let checks: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (checks.as_array().unwrap().clone(), out)
}

#[test]
fn plain_docker_compose_v1_runs_the_branch_configuration_where_v1_can_express_it() {
    if !require(compose_available(V1), "docker-compose") {
        return;
    }
    let sb = Sandbox::new();
    // Nothing to take away: container ports only, project-scoped names.
    let tame = "services:\n  redis:\n    image: cfn-test/redis:1\n    ports: [\"6379\"]\n    env_file: conf/redis.env\n    \
                volumes: [\"data:/data\", \"./conf:/conf:ro\"]\nvolumes:\n  data: {}\n";
    let root = repo(&sb, "tame", tame, &[(".gitignore", ".env\n")]);
    let (v, out) = worktree(&sb, &root, "feat", V1);
    assert!(!stderr(&out).contains("plain `docker compose`"), "{}", stderr(&out));
    let wt = path_of(&v);
    let block = std::fs::read_to_string(wt.join(".env")).unwrap();
    assert!(block.contains("COMPOSE_PROJECT_NAME=tame-feat\n"), "{block}");
    assert!(!block.contains("compose.reset.yaml"), "no tags for v1: {block}");
    let plain_cfg = parsed(&plain(&wt, V1, &["config"]), "docker-compose config");
    assert_eq!(plain_cfg, cfn_config(&sb, &wt, V1));
    let bind = format!("{}/conf:/conf:ro", wt.display());
    let volumes = plain_cfg["services"]["redis"]["volumes"].as_sequence().unwrap();
    assert!(
        volumes.iter().any(|v| v.as_str() == Some(&bind)),
        "relative bind from the worktree: {volumes:?}"
    );

    // Base files that need `!reset`: v1 cannot run them isolated; said at add and in doctor, and
    // no block is written.
    let hostile =
        repo(&sb, "hostile", &hostile_compose("hostile", 47379, 47080, 2), &[(".gitignore", ".env\n")]);
    let (v, out) = worktree(&sb, &hostile, "feat", V1);
    let err = stderr(&out);
    assert!(err.contains("compose v1 cannot express it") && err.contains("hint: "), "{err}");
    assert!(!path_of(&v).join(".env").exists(), ".env is not created");
    let out =
        sb.cfn(&hostile, &["doctor", "--json"]).env("CFN_PLAIN_COMPOSE", "docker-compose").output().unwrap();
    let checks: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let check = checks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "plain-compose")
        .unwrap_or_else(|| panic!("{checks:#?}"));
    assert_eq!(check["status"], "warn");
    assert!(check["hint"].as_str().unwrap().contains("cfn compose"), "{check}");
}

#[test]
fn a_tracked_or_symlinked_env_is_left_alone_and_reported() {
    if !require(compose_available(V2), "docker compose") {
        return;
    }
    let sb = Sandbox::new();
    let tracked_env = "# committed\nLOG_LEVEL=debug\n";
    let root = repo(&sb, "tracked", &hostile_compose("tracked", 48379, 48080, 3), &[(".env", tracked_env)]);
    let (v, out) = worktree(&sb, &root, "feat", V2);
    let err = stderr(&out);
    assert!(err.contains(".env is tracked by git") && err.contains("cfn compose"), "{err}");
    let wt = path_of(&v);
    assert_eq!(std::fs::read_to_string(wt.join(".env")).unwrap(), tracked_env);
    assert_eq!(git(&wt, &["status", "--porcelain"]), "", "the branch stays clean");
    let (checks, _) = doctor(&sb, &root);
    assert!(
        checks.iter().any(|c| c["name"] == "plain-compose"
            && c["status"] == "warn"
            && c["message"].as_str().unwrap().contains("tracked by git")),
        "{checks:#?}"
    );
    // The offered alternative: the same variables, sourced explicitly.
    let vars = std::fs::read_to_string(wt.join(".cfn/compose.env")).unwrap();
    let mut cmd = std::process::Command::new("docker");
    cmd.args(["compose", "config"]).current_dir(&wt);
    for line in vars.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let (k, v) = line.split_once('=').unwrap();
        cmd.env(k, v.trim_matches('\''));
    }
    let sourced = parsed(&cmd.output().unwrap(), "docker compose config with .cfn/compose.env");
    assert_eq!(published_and_named(&sourced), published_and_named(&cfn_config(&sb, &wt, V2)));

    // A .env linked to the main checkout's: never written through.
    let linked =
        repo(&sb, "linked", &hostile_compose("linked", 49379, 49080, 4), &[(".gitignore", ".env\n")]);
    let toml = std::fs::read_to_string(linked.join("cfn.toml")).unwrap();
    std::fs::write(linked.join("cfn.toml"), format!("{toml}\n[copy]\nsymlink = [\".env\"]\n")).unwrap();
    std::fs::write(linked.join(".env"), "MAIN=1\n").unwrap();
    let (v, out) = worktree(&sb, &linked, "feat", V2);
    assert!(stderr(&out).contains("is a symbolic link"), "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(path_of(&v).join(".env")).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(linked.join(".env")).unwrap(), "MAIN=1\n", "main's .env untouched");
}

#[test]
fn plain_docker_compose_up_runs_beside_the_main_checkouts_stack() {
    if !engine_ready("docker compose") {
        return;
    }
    let sb = Sandbox::new();
    let name = format!("plainup{}", std::process::id());
    let compose = format!(
        "services:\n  redis:\n    image: cfn-test/redis:1\n    container_name: {name}-redis\n    ports: [\"45379:6379\"]\n    \
         volumes: [\"data:/data\"]\n    networks: [back]\nvolumes:\n  data:\n    name: {name}-data\n\
         networks:\n  back:\n    name: {name}-back\n"
    );
    let root = repo(&sb, &name, &compose, &[(".gitignore", ".env\n")]);
    let (v, _) = worktree(&sb, &root, "feat", V2);
    let wt = path_of(&v);
    let branch_project = v["project"].as_str().unwrap().to_string();
    let _cleanup = Cleanup(vec![name.clone(), branch_project.clone()]);
    let up = |dir: &Path| {
        let out = plain(dir, V2, &["up", "-d", "--wait"]);
        assert!(out.status.success(), "docker compose up in {}: {}", dir.display(), stderr(&out));
    };
    up(&root);
    up(&wt);
    let running = |project: &str| {
        docker_lines(&[
            "ps",
            "--filter",
            &format!("label=com.docker.compose.project={project}"),
            "--format",
            "{{.Names}} {{.Ports}}",
        ])
    };
    let main = running(&name);
    let branch = running(&branch_project);
    let redis = v["ports"]["redis"].as_u64().unwrap();
    assert_eq!(main.len(), 1, "{main:?}");
    assert!(main[0].starts_with(&format!("{name}-redis ")) && main[0].contains(":45379->6379"), "{main:?}");
    assert_eq!(branch.len(), 1, "{branch:?}");
    assert!(branch[0].contains(&format!("127.0.0.1:{redis}->6379")), "{branch:?}");
    assert!(!branch[0].starts_with(&format!("{name}-redis ")), "{branch:?}");
    let volumes = docker_lines(&[
        "volume",
        "ls",
        "-q",
        "--filter",
        &format!("label=com.docker.compose.project={branch_project}"),
    ]);
    assert_eq!(volumes, [format!("{branch_project}_data")]);
    for dir in [&wt, &root] {
        let out = plain(dir, V2, &["down", "--volumes"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
}
