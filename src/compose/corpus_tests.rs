//! The whole module against the 16 real compose files in tests/fixtures/compose
//! (see its PROVENANCE.md): loading, port keys, findings and sanitizing.

use std::path::{Path, PathBuf};

use super::*;

pub(super) const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/compose");
pub(super) const WITH_RANGES: [&str; 2] =
    ["PostHog__posthog__docker-compose.dev.yml", "stilliard__docker-pure-ftpd__docker-compose.yml"];

pub(super) fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(CORPUS)
        .expect("the corpus directory")
        .map(|e| e.expect("a corpus entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
}

pub(super) fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

pub(super) fn open(file: &str) -> ComposeFile {
    load(&Path::new(CORPUS).join(file)).unwrap()
}

/// (key, container port, base host port)
type Key = (String, u16, u16);

fn keys_of(file: &str) -> Vec<Key> {
    let ports = published_ports(&[open(file)], &|_| None).unwrap();
    port_keys(&ports).into_iter().map(|k| (k.key, k.target, k.base)).collect()
}

fn k(key: &str, target: u16, base: u16) -> Key {
    (key.to_string(), target, base)
}

#[test]
fn all_sixteen_load_and_only_ranges_fail_port_analysis() {
    let files = corpus();
    assert_eq!(files.len(), 16);
    for path in &files {
        let file = load(path).unwrap_or_else(|e| panic!("{e}"));
        assert!(file.services().count() > 0, "{}", path.display());
        match published_ports(&[file], &|_| None) {
            Ok(_) => assert!(!WITH_RANGES.contains(&name(path).as_str()), "{}", path.display()),
            Err(ComposeError::PortRange { .. }) => {
                assert!(WITH_RANGES.contains(&name(path).as_str()))
            }
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
}

#[test]
fn expected_port_keys() {
    let cases: [(&str, Vec<Key>); 9] = [
        (
            "masharratt__claude-flow-novice__docker-compose.yml",
            vec![k("redis", 6379, 6379), k("postgres", 5432, 5432)],
        ),
        (
            "api-platform__api-platform__compose.yaml",
            vec![k("php_80", 80, 80), k("php_443", 443, 443), k("php_443_udp", 443, 443)],
        ),
        ("immich-app__immich__docker__docker-compose.yml", vec![k("immich_server", 2283, 2283)]),
        ("mastodon__mastodon__docker-compose.yml", vec![k("web", 3000, 3000), k("streaming", 4000, 4000)]),
        (
            "outline__outline__docker-compose.yml",
            vec![k("outline", 3000, 3000), k("redis", 6379, 6379), k("postgres", 5432, 5432)],
        ),
        ("written-here__analytics__compose.yml", vec![]),
        (
            "written-here__vpn__docker-compose.yml",
            vec![k("wg_easy_51820", 51820, 51820), k("wg_easy_51821", 51821, 51821)],
        ),
        (
            "containers__podman-compose__tests__integration__ports__docker-compose.yml",
            vec![
                k("web1", 8000, 8000),
                k("web2_8002", 8002, 8002),
                k("web2_8003", 8003, 8003),
                k("web2_8004", 8004, 8004),
                k("web2_8005", 8005, 8005),
            ],
        ),
        (
            "n8n-io__self-hosted-ai-starter-kit__docker-compose.yml",
            vec![
                k("n8n_5678", 5678, 5678),
                k("n8n_443", 443, 443),
                k("qdrant", 6333, 6333),
                k("ollama_cpu", 11434, 11434),
                k("ollama_gpu", 11434, 11434),
                k("minio_9000", 9000, 9000),
                k("minio_9001", 9001, 9001),
                k("nginx", 81, 81),
            ],
        ),
    ];
    for (file, want) in cases {
        assert_eq!(keys_of(file), want, "{file}");
    }
    let trigger = keys_of("masharratt__claude-flow-novice__docker__trigger-dev__docker-compose.yml");
    assert!(
        trigger.contains(&k("minio_9000", 9000, 9000)) && trigger.contains(&k("clickhouse_9000", 9000, 9000))
    );
    assert!(trigger.contains(&k("trigger_webapp", 3000, 3040)));
    let production = keys_of("masharratt__claude-flow-novice__docker-compose.production.yml");
    assert!(
        production.contains(&k("orchestrator", 3000, 3001)) && production.contains(&k("grafana", 3000, 3001))
    );
    assert_eq!(production.len(), 12);
}

#[test]
fn host_ips_and_protocols() {
    let find = |file: &str, service: &str, target: u16| {
        let ports = published_ports(&[open(file)], &|_| None).unwrap();
        ports.into_iter().find(|p| p.service == service && p.spec.target == target).unwrap()
    };
    let mysql = find("mailcow__mailcow-dockerized__docker-compose.yml", "mysql-mailcow", 3306);
    assert_eq!((mysql.spec.host_ip.as_deref(), mysql.spec.published), (Some("127.0.0.1"), Some(13306)));
    assert_eq!(mysql.raw, "${SQL_PORT:-127.0.0.1:13306}:3306");
    let nginx = find("mailcow__mailcow-dockerized__docker-compose.yml", "nginx-mailcow", 443);
    assert_eq!((nginx.spec.host_ip, nginx.spec.published), (None, Some(443)));
    let immich = find("immich-app__immich__docker__docker-compose.yml", "immich-server", 2283);
    assert_eq!((immich.spec.host_ip, immich.spec.published), (None, Some(2283)));
    let web = find("mastodon__mastodon__docker-compose.yml", "web", 3000);
    assert_eq!(web.spec.host_ip.as_deref(), Some("127.0.0.1"));
    let podman = published_ports(
        &[open("containers__podman-compose__tests__integration__ports__docker-compose.yml")],
        &|_| None,
    )
    .unwrap();
    let ephemeral: Vec<(u16, Protocol)> = podman
        .iter()
        .filter(|p| p.spec.published.is_none())
        .map(|p| (p.spec.target, p.spec.protocol))
        .collect();
    assert_eq!(ephemeral, [(8001, Protocol::Tcp), (8006, Protocol::Udp), (8007, Protocol::Tcp)]);
    assert_eq!(podman.iter().find(|p| p.spec.target == 8003).unwrap().spec.protocol, Protocol::Udp);
    // immich's `-` form: set but empty is an empty entry, which is no port
    let env = |n: &str| (n == "EXPOSE_PORT").then(String::new);
    assert!(published_ports(&[open("immich-app__immich__docker__docker-compose.yml")], &env).is_err());
}
