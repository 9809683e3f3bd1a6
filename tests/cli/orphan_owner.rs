//! Orphans are judged by the repository id cfn labels every service with: another repository
//! of the same project name (in another `CFN_HOME`) never calls this one's running stack an
//! orphan, and a container without the id (an older cfn's) is reported as "owner unknown" and
//! left alone by `doctor --fix`.

use crate::harness::*;
use crate::stack_harness::*;
use serde_json::Value;
use std::path::Path;

fn compose() -> String {
    "services:\n  web:\n    image: cfn-test/app:1\n    ports: [\"43181:80\"]\n".to_string()
}

fn orphan_checks(sb: &Sandbox, dir: &Path) -> Vec<Value> {
    let out = sb.cfn(dir, &["doctor", "--json"]).output().unwrap();
    let checks: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", text(&out.stdout), stderr(&out)));
    checks.as_array().unwrap().iter().filter(|c| c["name"] == "orphans").cloned().collect()
}

#[test]
fn a_repository_of_the_same_name_never_removes_anothers_stack() {
    if !engine_ready(V2) {
        return;
    }
    let name = format!("orphown{}", std::process::id());
    let feat_project = format!("{name}-feat1");
    let old_project = format!("{name}-old");
    let _cleanup = Cleanup(vec![feat_project.clone(), old_project.clone()]);
    let a = Sandbox::new();
    let root_a = a.repo(&name, &[("docker-compose.yml", &compose()), (".gitignore", ".env\n")]);
    a.cfn(&root_a, &["init", "--yes"]).assert().success();
    let feat = a.json(&root_a, &["worktree", "add", "feat1", "--json"]);
    let feat = std::path::PathBuf::from(feat["path"].as_str().unwrap());
    cfn_with(&a, &feat, V2, &["up"]).assert().success();
    let running = containers_of(&feat_project);
    assert_eq!(running.len(), 1, "feat1's stack runs");
    let uid = std::fs::read_to_string(root_a.join(".git/cfn-repository-id")).unwrap();
    let labels = docker_lines(&["inspect", "-f", "{{json .Config.Labels}}", &running[0]]).join("");
    assert!(labels.contains(&format!("\"dev.cfn.repository\":\"{}\"", uid.trim())), "{labels}");

    // An unrelated repository, also named `name`, with its own CFN_HOME.
    let b = Sandbox::new();
    let root_b = b.repo(&name, &[("docker-compose.yml", &compose()), (".gitignore", ".env\n")]);
    b.cfn(&root_b, &["init", "--yes"]).assert().success();
    let checks = orphan_checks(&b, &root_b);
    assert!(checks.iter().all(|c| c["status"] == "ok"), "A's stack is not B's orphan: {checks:#?}");
    let out = b.cfn(&root_b, &["doctor", "--fix", "--yes"]).output().unwrap();
    assert!(!stderr(&out).contains(&feat_project), "{}", stderr(&out));
    assert_eq!(containers_of(&feat_project), running, "A's stack survives B's doctor --fix");
    assert!(!volumes_of(&feat_project).is_empty() || networks_of(&feat_project).len() == 1);

    // A container of an older cfn: the project name, no repository id.
    let project_label = format!("com.docker.compose.project={old_project}");
    let cfn_label = format!("dev.cfn.project={name}");
    assert!(docker_ok(&["run", "-d", "--label", &cfn_label, "--label", &project_label, "cfn-test/app:1"]));
    let old = containers_of(&old_project);
    let checks = orphan_checks(&a, &root_a);
    let unknown = checks
        .iter()
        .find(|c| c["message"].as_str().unwrap().contains(&format!("(compose project {old_project})")))
        .unwrap_or_else(|| panic!("the old container is reported: {checks:#?}"));
    assert_eq!(unknown["status"], "warn");
    assert!(unknown["message"].as_str().unwrap().contains("owner unknown"), "{unknown}");
    assert!(unknown["hint"].as_str().unwrap().contains("docker rm -f"), "{unknown}");
    for (sb, root) in [(&a, &root_a), (&b, &root_b)] {
        let out = sb.cfn(root, &["doctor", "--fix", "--yes"]).output().unwrap();
        assert!(!stderr(&out).contains("removed orphaned"), "{}", stderr(&out));
    }
    assert_eq!(containers_of(&old_project), old, "an owner-unknown container is never removed");
    assert_eq!(containers_of(&feat_project), running);
}
