//! Which compose answers is asked once and remembered until a compose program changes.
//!
//! The compose programs here are stand-ins (shell scripts that log how they are called): what
//! is tested is how often cfn asks `version`, which a real compose cannot report.

use crate::harness::*;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

/// `docker` answers `compose version` only while the v2 plugin file exists in
/// `$HOME/.docker/cli-plugins`, as the real CLI does; `docker-compose` is v1.
const FAKE_DOCKER: &str = r#"#!/bin/sh
echo "docker $*" >>"$FAKE_LOG"
[ -e "$HOME/.docker/cli-plugins/docker-compose" ] || exit 1
[ "$1 $2 $3" = "compose version --short" ] && echo 2.99.0
exit 0
"#;
const FAKE_V1: &str = r#"#!/bin/sh
echo "docker-compose $*" >>"$FAKE_LOG"
[ "$1 $2" = "version --short" ] && echo 1.29.9
exit 0
"#;

fn script(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn compose_is_detected_once_and_again_when_a_program_changes() {
    let sb = Sandbox::new();
    let bin = sb.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let git = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join("git"))
        .find(|p| p.is_file())
        .unwrap();
    std::os::unix::fs::symlink(git, bin.join("git")).unwrap();
    script(&bin.join("docker"), FAKE_DOCKER);
    script(&bin.join("docker-compose"), FAKE_V1);
    let log = sb.path().join("calls.log");
    let root = sb.repo("shop", &[("docker-compose.yml", COMPOSE)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let compose_ps = || {
        std::fs::write(&log, "").unwrap();
        sb.cfn(&root, &["compose", "ps"]).env("PATH", &bin).env("FAKE_LOG", &log).assert().success();
        let calls = std::fs::read_to_string(&log).unwrap();
        calls.lines().map(|l| l.split(" -p ").next().unwrap().to_string()).collect::<Vec<_>>()
    };

    // No plugin: v2 is asked and does not answer, v1 does; v1 runs.
    assert_eq!(
        compose_ps(),
        ["docker compose version --short", "docker-compose version --short", "docker-compose"]
    );
    assert!(sb.home.join("compose-program.json").is_file());
    // Remembered: no `version` call at all.
    assert_eq!(compose_ps(), ["docker-compose"]);
    // The v2 plugin is installed: asked again, and v2 runs from now on.
    let plugins = sb.path().join(".docker/cli-plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    script(&plugins.join("docker-compose"), "#!/bin/sh\n");
    assert_eq!(compose_ps(), ["docker compose version --short", "docker compose"]);
    assert_eq!(compose_ps(), ["docker compose"]);
    // The plugin is upgraded (a different file): asked again.
    script(&plugins.join("docker-compose"), "#!/bin/sh\n# 2.99.1\n");
    assert_eq!(compose_ps(), ["docker compose version --short", "docker compose"]);
    // CFN_COMPOSE is a request of its own, remembered beside the automatic one.
    let pinned = |expect: &[&str]| {
        std::fs::write(&log, "").unwrap();
        sb.cfn(&root, &["compose", "ps"])
            .env("PATH", &bin)
            .env("FAKE_LOG", &log)
            .env("CFN_COMPOSE", "docker-compose")
            .assert()
            .success();
        let calls = std::fs::read_to_string(&log).unwrap();
        let calls: Vec<&str> = calls.lines().map(|l| l.split(" -p ").next().unwrap()).collect();
        assert_eq!(calls, expect);
    };
    pinned(&["docker-compose version --short", "docker-compose"]);
    pinned(&["docker-compose"]);
    assert_eq!(compose_ps(), ["docker compose"]);
}
