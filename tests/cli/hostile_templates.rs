//! A repository's templates and configuration values are untrusted: each attack below is
//! performed for real and shown refused. A template includes a file outside its folder (by
//! `..`, by absolute path, through a symbolic link); a health URL reads a secret of cfn's
//! environment and sends it to a listener; a project's `env.j2` renders `$(touch …)` as a
//! variable name for `eval "$(cfn env --format shell)"`; a branch named `feat-${SECRET}` is
//! interpolated by compose (v1 and v2, `cfn compose`, `cfn up` and plain `docker compose`).

use crate::harness::*;
use crate::stack_harness::*;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const SECRET: &str = "s3cr3t-value-9f2c";
const TAME: &str = "services:\n  redis:\n    image: cfn-test/redis:1\n    ports: [\"6379:6379\"]\n";
/// Nothing to take away: plain compose v1 can run it, so only a `${` can keep its block out.
const NO_PORTS: &str = "services:\n  redis:\n    image: cfn-test/redis:1\n";

/// A repository with `compose`, `cfn init`ed, whose `[project]` gets `extra` lines.
fn repo_with(sb: &Sandbox, name: &str, compose: &str, extra: &str, files: &[(&str, &str)]) -> PathBuf {
    let mut all = vec![("docker-compose.yml", compose)];
    all.extend_from_slice(files);
    let root = sb.repo(name, &all);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let toml = toml.replacen("[project]\n", &format!("[project]\n{extra}"), 1);
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    root
}

/// Every file under `dir` (links not followed) whose content holds `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        if meta.is_dir() {
            found.extend(files_holding(&path, needle));
        } else if meta.is_file() && std::fs::read(&path).is_ok_and(|b| text(&b).contains(needle)) {
            found.push(path);
        }
    }
    found
}

#[test]
fn a_template_includes_only_files_of_its_folder() {
    let sb = Sandbox::new();
    let secret_file = sb.path().join("id_key");
    std::fs::write(&secret_file, SECRET).unwrap();
    std::fs::set_permissions(&secret_file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let root = repo_with(&sb, "shop", TAME, "templates_dir = \"tpl\"\n", &[("tpl/part.j2", "X=1\n")]);
    let attacks = [
        ("dotdot", "{% include \"../../id_key\" %}".to_string()),
        ("absolute", format!("{{% include {:?} %}}", secret_file.display().to_string())),
        ("proc", "{% include \"/proc/self/environ\" %}".to_string()),
        ("symlink", "{% include \"leak.j2\" %}".to_string()),
    ];
    std::os::unix::fs::symlink(&secret_file, root.join("tpl/leak.j2")).unwrap();
    for (what, template) in attacks {
        std::fs::write(root.join("tpl/env.j2"), format!("{template}\n")).unwrap();
        let out = sb.cfn(&root, &["env"]).env("CFN_TEST_SECRET", SECRET).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{what}: {err}");
        assert!(err.starts_with("error: template env.j2"), "{what}: {err}");
        assert!(err.contains("templates folder") && err.contains("hint: "), "{what}: {err}");
        assert!(!text(&out.stdout).contains(SECRET) && !err.contains(SECRET), "{what} leaked");

        // `worktree add` renders the same template: it fails and leaves nothing behind
        let out =
            sb.cfn(&root, &["worktree", "add", "feat"]).env("CFN_TEST_SECRET", SECRET).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{what}: {}", stderr(&out));
        assert!(!sb.path().join("shop-feat").exists(), "{what}: a worktree was left");
        assert_eq!(files_holding(sb.path(), SECRET), vec![secret_file.clone()], "{what}");
    }
    // the env.j2 itself a link out of the folder: refused the same way
    std::fs::remove_file(root.join("tpl/env.j2")).unwrap();
    std::os::unix::fs::symlink(&secret_file, root.join("tpl/env.j2")).unwrap();
    let out = sb.cfn(&root, &["env"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("outside the templates folder"), "{}", stderr(&out));
    // a file of the folder is included as before
    std::fs::remove_file(root.join("tpl/env.j2")).unwrap();
    std::fs::write(root.join("tpl/env.j2"), "{% include \"part.j2\" %}").unwrap();
    let out = sb.cfn(&root, &["env"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(text(&out.stdout), "X=1\n");
    // the env file's template has no `env` at all: cfn's environment is not its context
    std::fs::write(root.join("tpl/env.j2"), "S={{ env.CFN_TEST_SECRET }}\n").unwrap();
    let out = sb.cfn(&root, &["env"]).env("CFN_TEST_SECRET", SECRET).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("undefined") && !text(&out.stdout).contains(SECRET), "{}", stderr(&out));
}

/// A one-request-at-a-time HTTP listener answering 200; records every request line.
fn listener() -> (u16, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in l.incoming().flatten() {
            let mut line = String::new();
            let mut reader = BufReader::new(&stream);
            let _ = reader.read_line(&mut line);
            log.lock().unwrap().push(line.trim().to_string());
            let _ = (&stream).write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    (port, seen)
}

#[test]
fn a_health_url_sees_no_secret_of_cfns_environment() {
    let sb = Sandbox::new();
    let (port, seen) = listener();
    let root = repo_with(&sb, "shop", TAME, "", &[]);
    let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    toml.push_str(&format!(
        "\n[health.leak]\ntype = \"http\"\nurl = \"http://127.0.0.1:{port}/{{{{ env.FROM_DOTENV }}}}/{{{{ env.CFN_TEST_SECRET }}}}\"\n"
    ));
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    // the repository's .env refers to the secret: compose would look it up in its environment,
    // cfn's never is (only CFN_TEMPLATE_ENV's variables stand in for it)
    std::fs::write(root.join(".env"), "FROM_DOTENV=dot\nLEAK=${CFN_TEST_SECRET}\n").unwrap();
    let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    toml = toml
        .replace("{{ env.FROM_DOTENV }}/{{ env.CFN_TEST_SECRET }}", "{{ env.FROM_DOTENV }}/{{ env.LEAK }}");
    std::fs::write(root.join("cfn.toml"), &toml).unwrap();
    let out = sb.cfn(&root, &["health"]).env("CFN_TEST_SECRET", SECRET).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(*seen.lock().unwrap(), ["GET /dot/ HTTP/1.1".to_string()], "the reference reads as unset");
    seen.lock().unwrap().clear();
    std::fs::write(root.join("cfn.toml"), toml.replace("{{ env.LEAK }}", "{{ env.CFN_TEST_SECRET }}"))
        .unwrap();

    let out = sb.cfn(&root, &["health"]).env("CFN_TEST_SECRET", SECRET).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: template health.leak.url reads env.CFN_TEST_SECRET, which is not set"),
        "{err}"
    );
    assert!(err.contains("hint: ") && err.contains("CFN_TEMPLATE_ENV=CFN_TEST_SECRET"), "{err}");
    assert!(!err.contains(SECRET));
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(seen.lock().unwrap().is_empty(), "nothing was sent: {:?}", seen.lock().unwrap());

    // the user names the variable: it is passed, alongside the checkout's .env
    let out = sb
        .cfn(&root, &["health"])
        .env("CFN_TEST_SECRET", SECRET)
        .env("CFN_TEMPLATE_ENV", "HOME, CFN_TEST_SECRET")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(*seen.lock().unwrap(), [format!("GET /dot/{SECRET} HTTP/1.1")]);
}

/// `eval "$stdout"` in a real `sh`, in `dir`; returns what `sh` printed after it.
fn eval_in_sh(dir: &Path, script: &str, then: &str) -> std::process::Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("eval \"$1\"; {then}"))
        .arg("sh")
        .arg(script)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn a_hostile_variable_name_never_reaches_a_shell() {
    let sb = Sandbox::new();
    let root = repo_with(&sb, "shop", TAME, "templates_dir = \"tpl\"\n", &[]);
    std::fs::create_dir(root.join("tpl")).unwrap();
    let marker = sb.path().join("ran");
    let m = marker.display();
    for key in [format!("$(touch {m})"), format!("`touch {m}`"), format!("A;touch {m};B")] {
        std::fs::write(root.join("tpl/env.j2"), format!("OK=1\n{key}=1\n")).unwrap();
        for format in ["shell", "dotenv", "json"] {
            let out = sb.cfn(&root, &["env", "--format", format]).output().unwrap();
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{key} {format}: {err}");
            assert!(err.contains("renders a variable named") && err.contains("hint: "), "{err}");
            assert!(out.stdout.is_empty(), "{key} {format}: {}", text(&out.stdout));
            let sh = eval_in_sh(&root, &text(&out.stdout), "true");
            assert!(sh.status.success());
        }
        // nor through `.cfn/compose.env`, which people source: the worktree is not made
        let out = sb.cfn(&root, &["worktree", "add", "feat"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(!sb.path().join("shop-feat").exists());
    }
    assert!(!marker.exists(), "a variable name ran as code");

    // hostile values (branch names) are quoted: eval gives them back verbatim
    std::fs::remove_file(root.join("tpl/env.j2")).unwrap();
    for branch in ["feat-$(touch${IFS}ran)-`touch${IFS}ran`-${HOME}", "feat-'q'-\"dq\"-#x"] {
        sb.cfn(&root, &["worktree", "add", branch]).assert().success();
        let out = sb.cfn(&root, &["env", branch, "--format", "shell"]).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let sh = eval_in_sh(&root, &text(&out.stdout), "printf %s \"$WORKTREE_BRANCH\"");
        assert_eq!(text(&sh.stdout), branch, "{}", text(&sh.stderr));
        // the dotenv format and `.cfn/compose.env`, sourced by a shell, read back the same
        let out = sb.cfn(&root, &["env", branch]).output().unwrap();
        let sh = eval_in_sh(&root, &text(&out.stdout), "printf %s \"$WORKTREE_BRANCH\"");
        assert_eq!(text(&sh.stdout), branch, "{}", text(&sh.stderr));
    }
    // with a single quote too, no quoting reads back the same in shells and compose: refused
    let out = sb.cfn(&root, &["worktree", "add", "feat-'q'-`touch${IFS}ran`"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!marker.exists() && !root.join("ran").exists(), "a value ran as code");
}

/// The `dev.cfn.branch` label of every service of a `config` output.
fn branch_labels(config: &[u8]) -> Vec<String> {
    let v: serde_norway::Value = serde_norway::from_slice(config).unwrap();
    let services = v["services"].as_mapping().unwrap();
    services.values().map(|s| s["labels"]["dev.cfn.branch"].as_str().unwrap_or("-").to_string()).collect()
}

#[test]
fn a_dollar_in_a_branch_name_stays_literal_for_compose_v1_and_v2() {
    if !engine_ready(V2) || !engine_ready(V1) {
        return;
    }
    let sb = Sandbox::new();
    let root = repo_with(&sb, "tmpldollar", NO_PORTS, "", &[(".gitignore", ".env\n")]);
    let mut cleanup = Cleanup(vec!["tmpldollar".into()]);
    let branches =
        ["feat-${CFN_TEST_SECRET}", "feat-$$CFN_TEST_SECRET", "feat-$(id)-`id`", "feat-'q'-\"dq\""];
    // a single quote with `$` or a backtick reads back differently in shells, compose v1 and
    // v2 however it is quoted: refused before anything is created
    for refused in ["feat-'q'-${CFN_TEST_SECRET}", "feat-'q'-`id`"] {
        let out = sb.cfn(&root, &["worktree", "add", refused]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("cannot be written to a dotenv file"), "{}", stderr(&out));
        assert!(!git(&root, &["branch", "--list"]).contains("feat-'q'"), "no branch is created");
    }
    for branch in branches {
        let wt = sb.json(&root, &["worktree", "add", branch, "--json"]);
        let project = wt["project"].as_str().unwrap().to_string();
        cleanup.0.push(project.clone());
        let path = PathBuf::from(wt["path"].as_str().unwrap());
        // the rendered override doubles `$`: compose reads it back as the name
        let override_text = std::fs::read_to_string(path.join(".cfn/compose.override.yaml")).unwrap();
        let in_yaml = branch.replace('$', "$$").replace('"', "\\\"");
        assert!(override_text.contains(&in_yaml), "{override_text}");
        for compose in [V2, V1] {
            let out = cfn_with(&sb, &path, compose, &["compose", "config"])
                .env("CFN_TEST_SECRET", SECRET)
                .output()
                .unwrap();
            assert!(out.status.success(), "{compose}: {}", stderr(&out));
            assert!(!text(&out.stdout).contains(SECRET), "{compose} {branch}: {}", text(&out.stdout));
            // `config` prints `$` escaped again as `$$`
            let labels = branch_labels(&out.stdout);
            assert_eq!(labels, [branch.replace('$', "$$")], "{compose}");
        }
        // plain `docker compose` (v2) in the worktree reads cfn's `.env` block literally
        let out = std::process::Command::new("docker")
            .args(["compose", "config"])
            .current_dir(&path)
            .env("CFN_TEST_SECRET", SECRET)
            .env_remove("COMPOSE_FILE")
            .env_remove("COMPOSE_PROJECT_NAME")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(!text(&out.stdout).contains(SECRET), "plain v2 {branch}: {}", text(&out.stdout));
        assert_eq!(branch_labels(&out.stdout), [branch.replace('$', "$$")]);
    }

    // compose v1 expands `${…}` in `.env` however it is quoted: no block for it there
    let out = sb
        .cfn(&root, &["worktree", "add", "v1-${CFN_TEST_SECRET}", "--json"])
        .env("CFN_PLAIN_COMPOSE", "docker-compose")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("which compose v1 would expand"), "{}", stderr(&out));
    let wt: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    cleanup.0.push(wt["project"].as_str().unwrap().to_string());
    let path = PathBuf::from(wt["path"].as_str().unwrap());
    assert!(!std::fs::read_to_string(path.join(".env")).unwrap_or_default().contains("# >>> cfn:"));
    let out = std::process::Command::new("docker-compose")
        .arg("config")
        .current_dir(&path)
        .env("CFN_TEST_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(out.status.success() && !text(&out.stdout).contains(SECRET), "{}", text(&out.stdout));

    // `up` on both versions: the running containers carry the literal name
    for (compose, branch) in [(V2, branches[0]), (V1, branches[2])] {
        let wt = sb.json(&root, &["env", branch, "--format", "json"]);
        let path = PathBuf::from(wt["CFN_WORKTREE"].as_str().unwrap());
        let project = wt["COMPOSE_PROJECT_NAME"].as_str().unwrap();
        let out = cfn_with(&sb, &path, compose, &["up"]).env("CFN_TEST_SECRET", SECRET).output().unwrap();
        assert!(out.status.success(), "{compose}: {}", stderr(&out));
        let label = format!("label=com.docker.compose.project={project}");
        let ids = docker_lines(&["ps", "-q", "--filter", &label]);
        assert_eq!(ids.len(), 1, "{compose}");
        let got =
            docker_lines(&["inspect", "--format", "{{ index .Config.Labels \"dev.cfn.branch\" }}", &ids[0]]);
        assert_eq!(got, [branch], "{compose}");
        cfn_with(&sb, &path, compose, &["down"]).assert().success();
    }
}

#[test]
fn a_worktree_path_with_a_dollar_is_refused() {
    let sb = Sandbox::new();
    // compose would expand `${…}` in the checkout's absolute paths cfn writes for it
    let root = repo_with(&sb, "shop", TAME, "worktree_dir = \"../wt-${CFN_TEST_SECRET}\"\n", &[]);
    // trusted (--yes): the place is refused for itself
    let out =
        sb.cfn(&root, &["worktree", "add", "feat", "--yes"]).env("CFN_TEST_SECRET", SECRET).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("error: worktree path contains a `$`") && err.contains("hint: "), "{err}");
    let out = sb.cfn(&root, &["worktree", "add", "feat", "--path", "../a$b"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!sb.path().join("wt-${CFN_TEST_SECRET}").exists() && !sb.path().join("a$b").exists());
    assert_eq!(sb.count("SELECT count(*) FROM worktrees"), 0);
    assert_eq!(branches(&root), ["main"], "no branch was left");
}

/// The repository's env.j2 writes values that would run as code in a shell sourcing the env
/// file: cfn writes each value back quoted, and refuses one no quoting carries.
#[test]
fn hostile_values_of_env_j2_are_quoted_or_refused() {
    let sb = Sandbox::new();
    let root = repo_with(&sb, "shop", TAME, "templates_dir = \"tpl\"\n", &[]);
    std::fs::create_dir(root.join("tpl")).unwrap();
    let marker = sb.path().join("ran");
    let m = marker.display();
    let env_j2 = format!(
        "COMPOSE_PROJECT_NAME={{{{ project_name|dotenv }}}}\nX=$(touch {m})\nY=\"`touch {m}`\"\nZ=a\\b\n"
    );
    std::fs::write(root.join("tpl/env.j2"), &env_j2).unwrap();
    let v = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    let wt = PathBuf::from(v["path"].as_str().unwrap());
    for file in [".cfn/env", ".cfn/compose.env"] {
        let script = format!("set -a; . ./{file}; set +a; printf '%s|%s|%s' \"$X\" \"$Y\" \"$Z\"");
        let out = std::process::Command::new("sh").arg("-c").arg(&script).current_dir(&wt).output().unwrap();
        assert_eq!(
            text(&out.stdout),
            format!("$(touch {m})|`touch {m}`|a\\b"),
            "{file}: {}",
            text(&out.stderr)
        );
    }
    assert!(!marker.exists(), "a value ran as code");

    // a quote with `$`: refused, naming the variable
    std::fs::write(root.join("tpl/env.j2"), format!("{env_j2}W=\"b'$(touch {m})\"\n")).unwrap();
    let out = sb.cfn(&wt, &["compose", "config"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("env.j2 gives W a value"), "{}", stderr(&out));
    assert!(!marker.exists());
}

/// A worktree path ending in a backslash is written so that compose reads it back (compose v2
/// reads `\'` inside single quotes as an escaped quote).
#[test]
fn a_worktree_path_ending_in_a_backslash_reads_back_in_compose() {
    if !engine_ready(V2) {
        return;
    }
    let sb = Sandbox::new();
    let root = repo_with(&sb, "tmplbackslash", NO_PORTS, "", &[(".gitignore", ".env\n")]);
    let path = sb.path().join("pb\\");
    let v = sb.json(&root, &["worktree", "add", "feat", "--path", path.to_str().unwrap(), "--json"]);
    let _cleanup = Cleanup(vec![v["project"].as_str().unwrap().to_string()]);
    let out = std::process::Command::new("docker")
        .args(["compose", "config", "--format", "json"])
        .current_dir(&path)
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROJECT_NAME")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let env = sb.json(&root, &["env", "feat", "--format", "json"]);
    assert_eq!(env["CFN_WORKTREE"], path.to_str().unwrap());
}
