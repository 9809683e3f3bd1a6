//! Transcripts of what a repository's configuration can get wrong: untrusted or failing hooks,
//! refused migrations, templates that render what cfn refuses, compose files and programs that
//! are missing, a Docker engine that does not answer.

use crate::harness::*;
use crate::transcripts::{check, Filters};
use std::path::{Path, PathBuf};

const WEB: &str = "services:\n  web:\n    image: busybox\n    ports: [\"8080:80\"]\n";

/// A repository with `files`, `cfn init`ed, and `extra` appended to its cfn.toml; `project`
/// lines go into `[project]`.
fn repo(sb: &Sandbox, files: &[(&str, &str)], project: &str, extra: &str) -> PathBuf {
    let mut all = vec![("docker-compose.yml", WEB)];
    all.extend_from_slice(files);
    let root = sb.repo("shop", &all);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let toml = toml.replacen("[project]\n", &format!("[project]\n{project}"), 1) + extra;
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    root
}

/// A repository whose `env.j2` (in its templates folder) is `template`.
fn with_env_template(sb: &Sandbox, template: &str) -> PathBuf {
    repo(sb, &[("tpl/env.j2", template)], "templates_dir = \"tpl\"\n", "")
}

#[test]
fn trust_lists_what_is_pending_and_refuses_without_yes() {
    let sb = Sandbox::new();
    let root = repo(&sb, &[], "", "\n[hooks]\npost_create = [[\"true\"]]\n");
    let out = sb.cfn(&root, &["trust"]).output().unwrap();
    Filters::new(&sb).ids().assert("trust_refuses_without_yes", &out);
}

#[test]
fn an_untrusted_health_command_is_refused() {
    let sb = Sandbox::new();
    let root = repo(&sb, &[], "", "\n[health.ready]\ntype = \"command\"\ncommand = [\"true\"]\n");
    let out = sb.cfn(&root, &["health"]).output().unwrap();
    Filters::new(&sb).ids().assert("health_command_not_trusted", &out);
}

#[test]
fn a_failing_pre_remove_hook_vetoes_the_removal() {
    let sb = Sandbox::new();
    let root = repo(&sb, &[], "", "\n[hooks]\npre_remove = [[\"false\"]]\n");
    sb.cfn(&root, &["worktree", "add", "feat"]).assert().success();
    check(&sb, &root, "hook_pre_remove_fails", &["worktree", "remove", "feat", "--yes"]);
}

#[test]
fn a_migration_that_attaches_another_database_is_refused() {
    let sb = Sandbox::new();
    let attach = "ATTACH DATABASE '/tmp/cfn-elsewhere.db' AS elsewhere;\n";
    let root = repo(&sb, &[("migrations/0001_attach.up.sql", attach)], "", "");
    check(&sb, &root, "migrate_attach_refused", &["migrate", "up", "--yes"]);
}

#[test]
fn a_migration_with_a_syntax_error() {
    let sb = Sandbox::new();
    let root = repo(&sb, &[("migrations/0001_bad.up.sql", "CREATE TABLE (;\n")], "", "");
    check(&sb, &root, "migrate_syntax_error", &["migrate", "up", "--yes"]);
}

#[test]
fn env_template_with_an_invalid_name() {
    let sb = Sandbox::new();
    let root = with_env_template(&sb, "1BAD=x\n");
    check(&sb, &root, "template_env_invalid_name", &["worktree", "add", "feat"]);
}

#[test]
fn env_template_setting_a_program_variable() {
    let sb = Sandbox::new();
    let root = with_env_template(&sb, "LD_PRELOAD=/tmp/x.so\n");
    check(&sb, &root, "template_env_sets_ld_preload", &["worktree", "add", "feat"]);
}

#[test]
fn env_template_setting_a_compose_variable() {
    let sb = Sandbox::new();
    let root = with_env_template(&sb, "COMPOSE_PROJECT_NAME=other\n");
    check(&sb, &root, "template_env_sets_compose_project", &["worktree", "add", "feat"]);
}

#[test]
fn env_template_that_does_not_parse() {
    let sb = Sandbox::new();
    let root = with_env_template(&sb, "A={{ branch\n");
    check(&sb, &root, "template_env_syntax_error", &["worktree", "add", "feat"]);
}

#[test]
fn a_health_url_reading_a_variable_not_passed() {
    let sb = Sandbox::new();
    let health = "\n[health.web]\ntype = \"http\"\nurl = \"http://127.0.0.1:1/{{ env.SECRET_TOKEN }}\"\n";
    let root = repo(&sb, &[], "", health);
    check(&sb, &root, "health_url_reads_unpassed_variable", &["health"]);
}

#[test]
fn a_compose_file_that_is_missing() {
    let sb = Sandbox::new();
    let root = repo(&sb, &[], "", "");
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let toml = toml.replace("[\"docker-compose.yml\"]", "[\"docker-compose.yml\", \"extra.yml\"]");
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    check(&sb, &root, "compose_file_missing", &["worktree", "add", "feat"]);
}

#[test]
fn a_service_publishing_a_port_without_a_key() {
    let sb = Sandbox::new();
    let root = repo(&sb, &[], "", "");
    let more = "services:\n  web:\n    image: busybox\n    ports: [\"8080:80\", \"9090:90\"]\n";
    std::fs::write(root.join("docker-compose.yml"), more).unwrap();
    git(&root, &["commit", "-q", "-am", "another port"]);
    check(&sb, &root, "compose_port_without_a_key", &["worktree", "add", "feat"]);
}

/// `cfn up` in `root` with one more environment variable.
fn up_with(sb: &Sandbox, root: &Path, name: &str, var: (&str, &str), args: &[&str]) {
    let out = sb.cfn(root, args).env(var.0, var.1).output().unwrap();
    Filters::new(sb).assert(name, &out);
}

#[test]
fn the_docker_engine_does_not_answer() {
    let sb = Sandbox::new();
    let root = repo(&sb, &[], "", "");
    let host = ("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    up_with(&sb, &root, "engine_unreachable", host, &["up", "--yes"]);
}

#[test]
fn a_compose_program_that_does_not_answer() {
    let sb = Sandbox::new();
    let root = repo(&sb, &[], "", "");
    up_with(&sb, &root, "compose_program_missing", ("CFN_COMPOSE", "/nonexistent/compose"), &["up", "--yes"]);
}

#[test]
fn up_of_an_unknown_service() {
    let sb = Sandbox::new();
    let root = repo(&sb, &[], "", "");
    up_with(&sb, &root, "up_unknown_service", ("CFN_COMPOSE", "docker compose"), &["up", "--yes", "nope"]);
}
