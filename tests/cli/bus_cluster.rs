//! `cfn loop run` with the example agents against a real Redis Cluster (3 primaries, 3
//! replicas, started by the test), given as one node's URL: the loop and every agent's
//! `cfn agent report` find the cluster by themselves, and the task's keys are on it.

use crate::harness::*;
use crate::support::redis::RedisCluster;

#[test]
fn the_loop_runs_on_a_redis_cluster_with_the_example_agents() {
    let Some(cluster) = RedisCluster::start() else { return };
    if !require(crate::support::watchdog::on_path("python3").is_some(), "python3") {
        return;
    }
    let sb = Sandbox::new();
    let root = sb.repo("clusterloop", &[("README.md", "a project\n")]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let agents = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/agents");
    let script = |name: &str| agents.join(name).display().to_string();
    let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    toml.push_str(&format!(
        r#"
[loop]
mode = "mvp"
implementers = ["notes"]
validators = ["health"]
product_owner = "po"

[agents.notes]
role = "implementer"
command = ["python3", "{}"]
env = ["CFN_BIN"]

[agents.health]
role = "validator"
command = ["python3", "{}"]
env = ["CFN_BIN"]

[agents.po]
role = "product-owner"
command = ["python3", "{}"]
env = ["CFN_BIN"]
"#,
        script("implementer.py"),
        script("validator.py"),
        script("product_owner.py"),
    ));
    std::fs::write(root.join("cfn.toml"), toml).unwrap();

    let url = cluster.url();
    let out = sb
        .cfn(
            &root,
            &["loop", "run", "--yes", "--json", "--epic", "Add OAuth login", "--task-id", "on-cluster"],
        )
        .args(["--redis-url", &url])
        .env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn"))
        .env_remove("CFN_REDIS_URL")
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON summary");
    assert_eq!(
        (summary["status"].as_str(), summary["decision"].as_str(), summary["iterations"].as_u64()),
        (Some("proceed"), Some("PROCEED"), Some(1)),
        "{summary}"
    );
    // The run's keys are on the cluster (`-c` follows the redirection to the slot's primary):
    // the event stream and each agent's report.
    let port = cluster.nodes[0].port;
    assert_ne!(cluster.cli(port, &["-c", "XLEN", "events:{on-cluster}"]), "0", "events on the cluster");
    for agent in ["notes", "health", "po"] {
        let key = format!("swarm:{{on-cluster}}:result:{agent}");
        assert_eq!(cluster.cli(port, &["-c", "EXISTS", &key]), "1", "{key} on the cluster");
    }
}
