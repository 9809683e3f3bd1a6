//! Sanitized corpus files handed to the real compose v1 (`docker-compose`,
//! what Debian bookworm ships), as cfn will hand them: the copy in another
//! directory, `--project-directory` set to the original's. Skipped when
//! `docker-compose` is not on PATH.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_norway::Value;

use super::sanitize::sanitize;
use super::*;

use super::corpus_tests::CORPUS;

fn have_compose_v1() -> bool {
    Command::new("docker-compose").arg("version").output().is_ok_and(|o| o.status.success())
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cfn-compose-cli-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Sanitizes `original` with the keys of its own ports and writes the copy
/// (and `extra` override files) into a fresh directory; runs
/// `docker-compose -f copy [-f extra…] --project-directory <original's dir> config`.
fn config(tag: &str, original: &Path, extra: &[&str], env: &[(&str, &str)], quiet: bool) -> Output {
    let file = load(original).unwrap();
    let keys = port_keys(&published_ports(std::slice::from_ref(&file), &|_| None).unwrap());
    let out = scratch(tag);
    let copy = out.join("compose.sanitized.yml");
    std::fs::write(&copy, to_yaml(&sanitize(&file, &keys).unwrap()).unwrap()).unwrap();
    let mut cmd = Command::new("docker-compose");
    cmd.arg("-f").arg(&copy);
    for (i, text) in extra.iter().enumerate() {
        let path = out.join(format!("extra-{i}.yml"));
        std::fs::write(&path, text).unwrap();
        cmd.arg("-f").arg(path);
    }
    cmd.arg("--project-directory").arg(file.dir()).arg("config");
    if quiet {
        cmd.arg("-q");
    }
    for var in ["COMPOSE_FILE", "COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES", "COMPOSE_PATH_SEPARATOR"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied()).current_dir(&out);
    let output = cmd.output().unwrap();
    let _ = std::fs::remove_dir_all(&out);
    output
}

fn assert_ok(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what}: docker-compose config failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn compose_v1_accepts_the_sanitized_seed_file() {
    if !have_compose_v1() {
        eprintln!("docker-compose not on PATH: skipped");
        return;
    }
    let original = Path::new(CORPUS).join("masharratt__claude-flow-novice__docker-compose.yml");
    let env = [("POSTGRES_PASSWORD", "secret")];
    assert_ok(&config("seed", &original, &[], &env, true), "claude-flow-novice");

    // with a branch's override the merged file publishes the branch's ports and no others
    let branch = "services:\n  redis:\n    ports: ['127.0.0.1:16379:6379']\n  \
                  postgres:\n    ports:\n      - {target: 5432, published: 15432, mode: host}\n";
    let output = config("seed-branch", &original, &[branch], &env, false);
    assert_ok(&output, "claude-flow-novice + branch override");
    let merged = ComposeFile::parse(Path::new("config"), &String::from_utf8_lossy(&output.stdout)).unwrap();
    let mut published: Vec<(String, Option<u16>, u16)> =
        published_ports(std::slice::from_ref(&merged), &|_| None)
            .unwrap()
            .into_iter()
            .map(|p| (p.service, p.spec.published, p.spec.target))
            .collect();
    published.sort();
    assert_eq!(published, [("postgres".into(), Some(15432), 5432), ("redis".into(), Some(16379), 6379)]);
    assert_eq!(merged.doc["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"], Value::from("secret"));
    assert!(merged.services().all(|(_, s)| s.get("container_name").is_none()));
}

#[test]
fn compose_v1_accepts_sanitized_mastodon() {
    if !have_compose_v1() {
        eprintln!("docker-compose not on PATH: skipped");
        return;
    }
    // mastodon reads `env_file: .env.production` from its project directory
    let project = scratch("mastodon-project");
    let original = project.join("docker-compose.yml");
    std::fs::copy(Path::new(CORPUS).join("mastodon__mastodon__docker-compose.yml"), &original).unwrap();
    std::fs::write(project.join(".env.production"), "LOCAL_DOMAIN=example.test\n").unwrap();
    let output = config("mastodon", &original, &[], &[], false);
    assert_ok(&output, "mastodon");
    let merged = ComposeFile::parse(Path::new("config"), &String::from_utf8_lossy(&output.stdout)).unwrap();
    assert!(published_ports(std::slice::from_ref(&merged), &|_| None).unwrap().is_empty());
    // bind mounts stay relative to the original directory
    let web = &merged.doc["services"]["web"];
    let mount = web["volumes"][0].as_str().unwrap_or_default();
    assert!(mount.starts_with(&format!("{}/public/system:", project.display())), "{mount}");
    let _ = std::fs::remove_dir_all(&project);
}

#[test]
fn compose_v1_accepts_every_copy_whose_original_it_accepts() {
    if !have_compose_v1() {
        eprintln!("docker-compose not on PATH: skipped");
        return;
    }
    let env = [("UPLOAD_LOCATION", "/tmp/upload"), ("DB_DATA_LOCATION", "/tmp/db")];
    let mut compared = Vec::new();
    for (i, path) in super::corpus_tests::corpus().into_iter().enumerate() {
        let name = super::corpus_tests::name(&path);
        if super::corpus_tests::WITH_RANGES.contains(&name.as_str()) {
            continue;
        }
        let project = scratch(&format!("all-{i}"));
        let original = project.join("compose.yml");
        std::fs::copy(&path, &original).unwrap();
        for stub in [".env", ".env.production"] {
            std::fs::write(project.join(stub), "").unwrap();
        }
        let mut plain = Command::new("docker-compose");
        plain.arg("-f").arg(&original).args(["config", "-q"]).envs(env).current_dir(&project);
        // v1 refuses some originals itself: top-level `name:` (immich, nextcloud), long
        // `env_file` (outline), `host_ip` (podman), an empty host ip (mailcow), ...
        if plain.output().unwrap().status.success() {
            assert_ok(&config(&format!("all-{i}-copy"), &original, &[], &env, true), &name);
            compared.push(name);
        }
        let _ = std::fs::remove_dir_all(&project);
    }
    assert!(compared.len() >= 7, "only {compared:?} were compared");
}
