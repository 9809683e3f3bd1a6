//! Transcripts of the errors of `loop run|status` (a [loop] that cannot run, an epic that
//! cannot be read) and of `data clone|snapshot|restore` refusing before touching any data.

use crate::harness::*;
use crate::transcripts::check;
use std::path::PathBuf;

const WEB: &str = "services:\n  web:\n    image: busybox\n    ports: [\"8080:80\"]\n";

/// A repository whose cfn.toml ends with `extra`.
fn repo(sb: &Sandbox, extra: &str) -> PathBuf {
    let root = sb.repo("team", &[("docker-compose.yml", WEB)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap() + extra;
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    root
}

/// A [loop] naming agents impl, val and po, each defined by `agents` as written.
fn team(agents: &str) -> String {
    format!("\n[loop]\nimplementers = [\"impl\"]\nvalidators = [\"val\"]\nproduct_owner = \"po\"\n{agents}")
}

const AGENTS: &str = "
[agents.impl]
role = \"implementer\"
command = [\"true\"]

[agents.val]
role = \"validator\"
command = [\"true\"]

[agents.po]
role = \"product-owner\"
command = [\"true\"]
";

fn run(sb: &Sandbox, root: &std::path::Path, name: &str, extra: &[&str]) {
    let mut args = vec!["loop", "run", "--yes"];
    args.extend_from_slice(extra);
    check(sb, root, name, &args);
}

#[test]
fn loop_without_a_product_owner() {
    let sb = Sandbox::new();
    let root = repo(&sb, "");
    run(&sb, &root, "loop_without_a_product_owner", &["--epic", "build it"]);
}

#[test]
fn loop_without_validators() {
    let sb = Sandbox::new();
    let root = repo(&sb, &team(AGENTS).replace("validators = [\"val\"]", "validators = []"));
    run(&sb, &root, "loop_without_validators", &["--epic", "build it"]);
}

#[test]
fn loop_naming_an_undefined_agent() {
    let sb = Sandbox::new();
    let root = repo(&sb, &team(""));
    run(&sb, &root, "loop_naming_an_undefined_agent", &["--epic", "build it"]);
}

#[test]
fn loop_agent_of_another_role() {
    let sb = Sandbox::new();
    let root = repo(&sb, &team(&AGENTS.replacen("role = \"implementer\"", "role = \"validator\"", 1)));
    run(&sb, &root, "loop_agent_of_another_role", &["--epic", "build it"]);
}

#[test]
fn loop_agent_without_command_or_image() {
    let sb = Sandbox::new();
    let root = repo(&sb, &team(&AGENTS.replacen("command = [\"true\"]", "", 1)));
    run(&sb, &root, "loop_agent_without_command_or_image", &["--epic", "build it"]);
}

#[test]
fn loop_threshold_out_of_range() {
    let sb = Sandbox::new();
    let root = repo(&sb, &(team(AGENTS).replace("[loop]\n", "[loop]\ngate_threshold = 1.5\n")));
    run(&sb, &root, "loop_threshold_out_of_range", &["--epic", "build it"]);
}

#[test]
fn loop_zero_iterations() {
    let sb = Sandbox::new();
    let root = repo(&sb, &team(AGENTS));
    run(&sb, &root, "loop_zero_iterations", &["--epic", "build it", "--max-iterations", "0"]);
}

#[test]
fn loop_with_an_empty_epic() {
    let sb = Sandbox::new();
    let root = repo(&sb, &team(AGENTS));
    run(&sb, &root, "loop_with_an_empty_epic", &["--epic", "  "]);
}

#[test]
fn loop_with_an_epic_file_that_cannot_be_read() {
    let sb = Sandbox::new();
    let root = repo(&sb, &team(AGENTS));
    run(&sb, &root, "loop_with_an_unreadable_epic_file", &["--epic-file", "/nonexistent/epic.md"]);
}

#[test]
fn loop_status_of_an_unknown_run() {
    let sb = Sandbox::new();
    let root = repo(&sb, "");
    check(&sb, &root, "loop_status_of_an_unknown_run", &["loop", "status", "nope"]);
}

#[test]
fn data_snapshot_with_an_invalid_name() {
    let sb = Sandbox::new();
    let root = repo(&sb, "");
    check(&sb, &root, "data_snapshot_invalid_name", &["data", "snapshot", ".hidden"]);
}

#[test]
fn data_restore_of_an_unknown_snapshot() {
    let sb = Sandbox::new();
    let root = repo(&sb, "");
    check(&sb, &root, "data_restore_unknown_snapshot", &["data", "restore", "nope", "--yes"]);
}

#[test]
fn data_clone_from_an_unknown_branch() {
    let sb = Sandbox::new();
    let root = repo(&sb, "");
    check(&sb, &root, "data_clone_from_unknown_branch", &["data", "clone", "--from", "nope", "--yes"]);
}

#[test]
fn data_clone_onto_itself() {
    let sb = Sandbox::new();
    let root = repo(&sb, "");
    check(&sb, &root, "data_clone_onto_itself", &["data", "clone", "--from", "main", "--yes"]);
}

#[test]
fn data_clone_without_confirmation() {
    let sb = Sandbox::new();
    let root = repo(&sb, "");
    sb.cfn(&root, &["worktree", "add", "feat"]).assert().success();
    let args = ["data", "clone", "--from", "main", "-b", "feat"];
    check(&sb, &root, "data_clone_without_confirmation", &args);
}
