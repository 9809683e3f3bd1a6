//! The repository's trust rule: a health command, a migration, a merge that applies
//! migrations, an agent and a hook script changed in a branch each run only once the user
//! trusted them (with the hashes of the files they name), and are asked about again when they
//! change. Each attack's payload would leave a marker; its absence shows nothing ran.

use crate::harness::*;
use crate::work_loop::{agent, repo_with, Team, CONFIDENT, PO_PROCEED};
use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;

/// A repository with `files`, `cfn init`ed, with `toml` appended to its cfn.toml.
fn repo(sb: &Sandbox, files: &[(&str, &str)], toml: &str) -> PathBuf {
    let mut all = vec![("docker-compose.yml", COMPOSE)];
    all.extend_from_slice(files);
    let root = sb.repo("shop", &all);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let mut text = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    text.push_str(toml);
    std::fs::write(root.join("cfn.toml"), text).unwrap();
    root
}

fn marker(sb: &Sandbox) -> PathBuf {
    sb.path().join("payload-ran")
}

fn ran(sb: &Sandbox) -> String {
    std::fs::read_to_string(marker(sb)).unwrap_or_default()
}

fn refused_as_untrusted(out: &std::process::Output, what: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("error: not trusted: {what}")), "{err}");
    assert!(err.contains("hint: review what it runs with `cfn trust`"), "{err}");
}

#[test]
fn a_health_command_runs_only_once_trusted_and_is_asked_again_when_its_script_changes() {
    let sb = Sandbox::new();
    let script = format!("echo v1 >> '{}'", marker(&sb).display());
    let toml = "\n[health.probe]\ntype = \"command\"\ncommand = [\"sh\", \"./check.sh\"]\n";
    let root = repo(&sb, &[("check.sh", &script)], toml);

    refused_as_untrusted(
        &sb.cfn(&root, &["health"]).output().unwrap(),
        "health.probe `sh ./check.sh` (check.sh sha256:",
    );
    assert_eq!(ran(&sb), "", "nothing ran before approval");

    let listed = sb.cfn(&root, &["trust"]).output().unwrap();
    assert_eq!(listed.status.code(), Some(1), "no terminal: lists, approves nothing");
    let sha = hex_sha256(script.as_bytes());
    assert!(text(&listed.stdout).contains(&format!("check.sh sha256:{sha}")), "{}", text(&listed.stdout));
    sb.cfn(&root, &["trust", "--yes"]).assert().success();
    let items = sb.json(&root, &["trust", "--json"]);
    let probe = items.as_array().unwrap().iter().find(|i| i["kind"] == "health.probe").unwrap();
    assert_eq!(
        (&probe["trusted"], &probe["files"][0]["sha256"]),
        (&serde_json::json!(true), &serde_json::json!(sha))
    );
    sb.cfn(&root, &["health"]).assert().success();
    assert_eq!(ran(&sb), "v1\n");

    // Same command, different script: asked again.
    std::fs::write(root.join("check.sh"), script.replace("v1", "v2")).unwrap();
    refused_as_untrusted(&sb.cfn(&root, &["health"]).output().unwrap(), "health.probe");
    assert_eq!(ran(&sb), "v1\n");
    sb.cfn(&root, &["health", "--yes"]).assert().success();
    assert_eq!(ran(&sb), "v1\nv2\n");
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_migration_runs_only_once_trusted_and_cannot_reach_the_state_database() {
    let sb = Sandbox::new();
    let root = repo(&sb, &[("migrations/0001_items.up.sql", "CREATE TABLE items (id INTEGER);")], "");
    refused_as_untrusted(
        &sb.cfn(&root, &["migrate", "up"]).output().unwrap(),
        "migration `0001_items.up.sql` (migrations/0001_items.up.sql sha256:",
    );
    let status = sb.json(&root, &["migrate", "status", "--json"]);
    assert_eq!(status[0]["state"], "pending", "nothing applied");
    sb.cfn(&root, &["migrate", "up", "--yes"]).assert().success();
    assert_eq!(sb.json(&root, &["migrate", "status", "--json"])[0]["state"], "applied");

    // The attack: a no-transaction script attaching cfn's state database to forge an approval.
    let forge = format!(
        "-- cfn:no-transaction\nATTACH '{}' AS s;\nINSERT INTO s.hook_approvals (repo_id, hook, command_hash) \
         SELECT id, 'post_create', 'forged' FROM s.repositories;\n",
        sb.home.join("state.db").display()
    );
    std::fs::write(root.join("migrations/0002_forge.up.sql"), &forge).unwrap();
    refused_as_untrusted(
        &sb.cfn(&root, &["migrate", "up"]).output().unwrap(),
        "migration `0002_forge.up.sql`",
    );
    let before = sb.count("SELECT COUNT(*) FROM hook_approvals");
    // Even trusted, the SQL reaches the branch's database only.
    let out = sb.cfn(&root, &["migrate", "up", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("not authorized"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("hint: a migration reaches only the branch's own database"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sb.count("SELECT COUNT(*) FROM hook_approvals WHERE command_hash = 'forged'"), 0);
    assert_eq!(sb.count("SELECT COUNT(*) FROM hook_approvals"), before + 1, "only the approval itself");

    for (sql, leftover) in [
        (format!("VACUUM INTO '{}';", sb.path().join("copy.db").display()), Some(sb.path().join("copy.db"))),
        ("SELECT load_extension('/nonexistent/evil');".to_string(), None),
    ] {
        std::fs::write(root.join("migrations/0002_forge.up.sql"), format!("-- cfn:no-transaction\n{sql}\n"))
            .unwrap();
        let out = sb.cfn(&root, &["migrate", "up", "--yes"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{sql}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("hint: a migration reaches only the branch's own database"),
            "{sql}: {}",
            stderr(&out)
        );
        assert!(leftover.is_none_or(|p| !p.exists()), "{sql} wrote its file");
    }
}

#[test]
fn a_postgres_migration_is_asked_about_again_when_its_database_changes() {
    let sb = Sandbox::new();
    let url = |at: &str| {
        format!("\n[migrations]\ntarget = \"postgres\"\nurl = \"postgresql://app:s3cret@{at}/shop\"\n")
    };
    let root = repo(
        &sb,
        &[("migrations/0001_items.up.sql", "CREATE TABLE items (id INTEGER);")],
        &url("127.0.0.1:{{ ports.redis }}"),
    );
    sb.cfn(&root, &["trust", "--yes"]).assert().success();
    let listed = sb.json(&root, &["trust", "--json"]);
    let text = listed.to_string();
    assert!(text.contains("target=postgresql://app:***@127.0.0.1:{{ ports.redis }}/shop"), "{text}");
    assert!(!text.contains("s3cret"), "the password is not shown: {text}");

    // The same approved SQL, pointed at another server: asked about before any connection.
    let text = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    std::fs::write(root.join("cfn.toml"), text.replace("127.0.0.1:{{ ports.redis }}", "203.0.113.9:15432"))
        .unwrap();
    let out = sb.cfn(&root, &["migrate", "up"]).output().unwrap();
    refused_as_untrusted(&out, "migration `0001_items.up.sql`");
    assert!(stderr(&out).contains("target=postgresql://app:***@203.0.113.9:15432/shop"), "{}", stderr(&out));
}

#[test]
fn on_merge_apply_applies_a_merged_migration_only_once_trusted() {
    let sb = Sandbox::new();
    let root = repo(&sb, &[], "\n[migrations]\non_merge = \"apply\"\n");
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "apply on merge"]);
    sb.cfn(&root, &["hooks", "install"]).assert().success();
    git(&root, &["checkout", "-q", "-b", "feature"]);
    std::fs::create_dir(root.join("migrations")).unwrap();
    std::fs::write(root.join("migrations/0001_a.up.sql"), "CREATE TABLE a (x INT);").unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "migration"]);
    git(&root, &["checkout", "-q", "main"]);

    let out = user_git(&sb, &root, &["merge", "-q", "--ff-only", "feature"]);
    assert!(stderr(&out).contains("1 new migration(s) not applied"), "{}", stderr(&out));
    assert!(stderr(&out).contains("cfn trust"), "{}", stderr(&out));
    assert_eq!(sb.json(&root, &["migrate", "status", "--json"])[0]["state"], "pending");

    sb.cfn(&root, &["trust", "--yes"]).assert().success();
    git(&root, &["checkout", "-q", "feature"]);
    std::fs::write(root.join("README"), "more").unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "more"]);
    git(&root, &["checkout", "-q", "main"]);
    let out = user_git(&sb, &root, &["merge", "-q", "--ff-only", "feature"]);
    assert!(stderr(&out).contains("applied 1 new migration(s)"), "{}", stderr(&out));
    assert_eq!(sb.json(&root, &["migrate", "status", "--json"])[0]["state"], "applied");
}

#[test]
fn an_agent_runs_only_once_trusted_and_is_asked_again_when_its_script_changes() {
    let sb = Sandbox::new();
    let touch = format!("echo impl >> '{}'\n{CONFIDENT}", marker(&sb).display());
    let team = Team { implementer: &touch, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let run = |task: &str, yes: bool| {
        let mut args = vec!["loop", "run", "--json", "--epic", "x", "--task-id", task];
        if yes {
            args.push("--yes");
        }
        let mut cmd = sb.cfn(&root, &args);
        cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn"));
        cmd.timeout(std::time::Duration::from_secs(120)).output().unwrap()
    };
    refused_as_untrusted(&run("t1", false), "agent.impl-1 `sh agents/impl.sh` (agents/impl.sh sha256:");
    assert_eq!(ran(&sb), "", "no agent ran");
    assert_eq!(sb.count("SELECT COUNT(*) FROM loop_runs"), 0, "the run left no trace");

    sb.cfn(&root, &["trust", "--yes"]).assert().success();
    let out = run("t2", false);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(ran(&sb), "impl\nimpl\n", "both implementers ran");

    std::fs::write(root.join("agents/impl.sh"), agent(&touch.replace("impl >>", "changed >>"))).unwrap();
    refused_as_untrusted(&run("t3", false), "agent.impl-1");
    assert_eq!(ran(&sb), "impl\nimpl\n");
    assert!(run("t4", true).status.success());
    assert_eq!(ran(&sb), "impl\nimpl\nchanged\nchanged\n");
}

#[test]
fn approving_a_hook_does_not_approve_a_branch_s_different_script() {
    a_branch_s_different_script_is_asked_about(r#"["./setup.sh"]"#, "./setup.sh", "setup.sh");
}

#[test]
fn a_script_named_inside_a_longer_argument_is_hashed_too() {
    a_branch_s_different_script_is_asked_about(
        r#"["sh", "-c", "./setup.sh --quiet && true"]"#,
        r#"sh -c "./setup.sh --quiet && true""#,
        "setup.sh",
    );
}

#[test]
fn a_task_runner_s_file_is_hashed_with_its_command() {
    a_branch_s_different_script_is_asked_about(r#"["make", "-s", "setup"]"#, "make -s setup", "Makefile");
}

/// A hook running `setup.sh` (directly, or through `hook` = its TOML argument list, shown as
/// `shown`; `file` is the file hashed) is approved on main; a branch carrying another script
/// under the same command is asked about, and runs once approved.
fn a_branch_s_different_script_is_asked_about(hook: &str, shown: &str, file: &str) {
    let sb = Sandbox::new();
    let script = format!("#!/bin/sh\necho main >> '{}'\n", marker(&sb).display());
    let makefile = "setup:\n\t./setup.sh\n";
    let root = repo(
        &sb,
        &[("setup.sh", &script), ("Makefile", makefile)],
        &format!("\n[hooks]\npost_create = [{hook}]\n"),
    );
    std::fs::set_permissions(root.join("setup.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "hook"]);
    sb.cfn(&root, &["trust", "--yes"]).assert().success();
    sb.cfn(&root, &["worktree", "add", "same"]).assert().success();
    assert_eq!(ran(&sb), "main\n", "the approved script runs");

    // A branch carrying another script under the same command.
    git(&root, &["checkout", "-q", "-b", "evil"]);
    if file == "Makefile" {
        std::fs::write(root.join("Makefile"), makefile.replace("./setup.sh", "./setup.sh; ./setup.sh"))
            .unwrap();
    } else {
        std::fs::write(root.join("setup.sh"), script.replace("echo main", "echo evil")).unwrap();
    }
    git(&root, &["commit", "-q", "-am", "evil"]);
    git(&root, &["checkout", "-q", "main"]);
    let out = sb.cfn(&root, &["worktree", "add", "evil"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let skipped = format!("skipped untrusted post_create `{shown}` (");
    assert!(stderr(&out).contains(&skipped), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("{file} sha256:")), "{}", stderr(&out));
    assert_eq!(ran(&sb), "main\n", "the branch's script did not run");

    // Reviewed and approved for that branch, it runs.
    sb.cfn(&root, &["worktree", "remove", "evil", "--yes"]).assert().success();
    sb.cfn(&root, &["worktree", "add", "evil", "--yes"]).assert().success();
    let expected = if file == "Makefile" { "main\nmain\nmain\n" } else { "main\nevil\n" };
    assert_eq!(ran(&sb), expected);
}

#[test]
fn up_refuses_an_untrusted_health_command_before_starting_anything() {
    let Some(s) = crate::small_stack::SmallStack::new("trustup", "") else { return };
    let marker = s.sb.path().join("payload-ran");
    let toml = "\n[health.probe]\ntype = \"command\"\ncommand = [\"sh\", \"check.sh\"]\n";
    std::fs::write(s.root.join("cfn.toml"), std::fs::read_to_string(s.root.join("cfn.toml")).unwrap() + toml)
        .unwrap();
    std::fs::write(s.wt.join("check.sh"), format!("echo ran >> '{}'\n", marker.display())).unwrap();

    let out = s.cfn(&s.wt, &["up", "--timeout", "60"]).output().unwrap();
    refused_as_untrusted(&out, "health.probe `sh check.sh` (check.sh sha256:");
    assert!(!marker.exists(), "the payload did not run");
    assert_eq!(s.running(), Vec::<String>::new(), "nothing was started");

    s.cfn(&s.wt, &["up", "--yes", "--timeout", "60"]).assert().success();
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "ran\n");
    s.cfn(&s.wt, &["down"]).assert().success();
}

/// `repo`, with `extra` lines put into its `[project]` table.
fn repo_with_project(sb: &Sandbox, files: &[(&str, &str)], extra: &str, toml: &str) -> PathBuf {
    let root = repo(sb, files, toml);
    let text = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    std::fs::write(root.join("cfn.toml"), text.replacen("[project]\n", &format!("[project]\n{extra}"), 1))
        .unwrap();
    root
}

#[test]
fn env_j2_cannot_load_code_into_an_approved_hook() {
    let sb = Sandbox::new();
    let evil = format!("echo evil >> '{}'\n", marker(&sb).display());
    let hook = "\n[hooks]\npost_create = [[\"bash\", \"-c\", \"echo ok\"]]\n";
    // The repository's own `.env` holds a loader variable too: it is never handed to a hook.
    let dotenv = "BASH_ENV=scripts/evil.sh\n";
    let root = repo_with_project(
        &sb,
        &[("scripts/evil.sh", &evil), (".env", dotenv)],
        "templates_dir = \"tpl\"\n",
        hook,
    );
    std::fs::create_dir(root.join("tpl")).unwrap();
    std::fs::write(root.join("tpl/env.j2"), "WORKTREE_BRANCH={{ branch|dotenv }}\n").unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "hook"]);
    sb.cfn(&root, &["trust", "--yes"]).assert().success();
    sb.cfn(&root, &["worktree", "add", "clean"]).assert().success();
    assert_eq!(ran(&sb), "", "the .env beside the compose file is not the hook's environment");

    // The attack: the template puts the repository's script into the approved hook's shell.
    for (name, value) in [
        ("BASH_ENV", "{{ worktree }}/scripts/evil.sh"),
        ("LD_PRELOAD", "{{ worktree }}/scripts/evil.so"),
        ("GIT_SSH_COMMAND", "sh {{ worktree }}/scripts/evil.sh"),
        ("PATH", "{{ worktree }}/scripts"),
        ("NODE_OPTIONS", "--require {{ worktree }}/scripts/evil.js"),
    ] {
        std::fs::write(
            root.join("tpl/env.j2"),
            format!("WORKTREE_BRANCH={{{{ branch|dotenv }}}}\n{name}={value}\n"),
        )
        .unwrap();
        let out = sb.cfn(&root, &["worktree", "add", "feat1"]).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(&format!("error: template env.j2 sets {name}, which changes how")), "{err}");
        assert!(err.contains(&format!("hint: remove {name} from env.j2")), "{err}");
        assert!(!sb.path().join("shop-feat1").exists(), "{name}: the worktree was undone");
        let out = sb.cfn(&root, &["env", "--format", "shell"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    assert_eq!(ran(&sb), "", "evil.sh never ran");
}

/// No list of refused names is complete (`MAKEFILES` makes an approved `make setup` read the
/// branch's makefile): every item receiving the branch's variables names the project's env.j2
/// (and what it includes), so a changed template asks about them again.
#[test]
fn an_approval_covers_env_j2_so_a_variable_no_list_names_asks_again() {
    let sb = Sandbox::new();
    let m = marker(&sb);
    let makefile = format!("setup:\n\techo ok >> '{}'\n", m.display());
    let evil_mk = format!("$(shell echo evil >> '{}')\n", m.display());
    let toml = "\n[hooks]\npost_create = [[\"make\", \"setup\"]]\n\
                \n[health.hc]\ntype = \"command\"\ncommand = [\"true\"]\n\
                \n[loop.checks.lint]\ncommand = [\"true\"]\n\
                \n[agents.impl-1]\nrole = \"implementer\"\ncommand = [\"true\"]\n";
    let root = repo_with_project(
        &sb,
        &[("Makefile", &makefile), ("evil.mk", &evil_mk)],
        "templates_dir = \"tpl\"\n",
        toml,
    );
    std::fs::create_dir(root.join("tpl")).unwrap();
    std::fs::write(root.join("tpl/env.j2"), "WORKTREE_BRANCH={{ branch|dotenv }}\n{% include \"more.j2\" %}")
        .unwrap();
    std::fs::write(root.join("tpl/more.j2"), "A=1\n").unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "env"]);
    sb.cfn(&root, &["trust", "--yes"]).assert().success();
    let items = sb.json(&root, &["trust", "--json"]);
    for kind in ["post_create", "health.hc", "check.lint", "agent.impl-1"] {
        let item = items.as_array().unwrap().iter().find(|i| i["kind"] == kind).unwrap();
        let files: Vec<&str> =
            item["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
        assert!(files.contains(&"tpl/env.j2") && files.contains(&"tpl/more.j2"), "{kind}: {item}");
    }
    sb.cfn(&root, &["worktree", "add", "envok"]).assert().success();
    assert_eq!(ran(&sb), "ok\n");

    // A name the list knows is refused outright.
    std::fs::write(root.join("tpl/more.j2"), "MAKEFILES={{ worktree }}/evil.mk\n").unwrap();
    let out = sb.cfn(&root, &["worktree", "add", "envmk"]).output().unwrap();
    assert!(
        stderr(&out).contains("error: template env.j2 sets MAKEFILES, which changes how"),
        "{}",
        stderr(&out)
    );
    assert_eq!(ran(&sb), "ok\n", "evil.mk never ran");

    // Any other change of the template is asked about again: the hook is skipped, untrusted.
    std::fs::write(root.join("tpl/more.j2"), "NOT_ON_ANY_LIST={{ worktree }}/evil.mk\n").unwrap();
    let out = sb.cfn(&root, &["worktree", "add", "envnew"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("skipped untrusted post_create `make setup`"), "{}", stderr(&out));
    assert_eq!(ran(&sb), "ok\n", "the hook did not run with variables nobody approved");
    let out = sb.cfn(&root, &["trust", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let untrusted: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["trusted"] == false)
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(untrusted, ["post_create", "health.hc", "check.lint", "agent.impl-1"]);
}

#[test]
fn a_health_command_is_approved_as_it_renders_in_each_branch() {
    let sb = Sandbox::new();
    // A command using the branch's own port is the same item in every worktree.
    let toml =
        "\n[health.port]\ntype = \"command\"\ncommand = [\"test\", \"{{ ports.redis }}\", \"-gt\", \"0\"]\n\
                \n[health.hc]\ntype = \"command\"\ncommand = [\"sh\", \"-c\", \"{{ env.HC }}\"]\n";
    let root = repo(&sb, &[(".env", "HC=true\n")], toml);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "health"]);
    sb.cfn(&root, &["trust", "--yes"]).assert().success();
    let items = sb.json(&root, &["trust", "--json"]);
    let hc = items.as_array().unwrap().iter().find(|i| i["kind"] == "health.hc").unwrap();
    assert_eq!(hc["runs"], serde_json::json!(["sh", "-c", "true"]), "the rendered command is shown");
    sb.cfn(&root, &["health"]).assert().success();

    // A branch commits another `.env`: the same template now renders another command.
    let payload = format!("echo PWNED >> {}", marker(&sb).display());
    git(&root, &["checkout", "-q", "-b", "evil"]);
    std::fs::write(root.join(".env"), format!("HC='{payload}'\n")).unwrap();
    git(&root, &["commit", "-q", "-am", "evil"]);
    git(&root, &["checkout", "-q", "main"]);
    sb.cfn(&root, &["worktree", "add", "evil"]).assert().success();
    let wt = sb.path().join("shop-evil");

    let out = sb.cfn(&wt, &["health"]).output().unwrap();
    refused_as_untrusted(&out, &format!("health.hc `sh -c {payload:?}`"));
    assert_eq!(ran(&sb), "", "the branch's command did not run");
    let listed = sb.cfn(&root, &["trust", "--branch", "evil", "--json"]).output().unwrap();
    assert_eq!(listed.status.code(), Some(1), "{}", stderr(&listed));
    let items: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let hc = items.as_array().unwrap().iter().find(|i| i["kind"] == "health.hc").unwrap();
    assert_eq!((&hc["runs"][2], &hc["trusted"]), (&serde_json::json!(payload), &serde_json::json!(false)));
    let port = items.as_array().unwrap().iter().find(|i| i["kind"] == "health.port").unwrap();
    assert_eq!(port["runs"], serde_json::json!(["test", "{{ ports.redis }}", "-gt", "0"]), "{port}");
    assert_eq!(port["trusted"], true, "the port differs, the command does not: {port}");
    sb.cfn(&root, &["health"]).assert().success();
    assert_eq!(ran(&sb), "", "main's approval still stands and runs main's command");

    // Reviewed and approved for that branch, it runs.
    sb.cfn(&wt, &["health", "--yes"]).assert().success();
    assert_eq!(ran(&sb), "PWNED\n");
}

#[test]
fn an_agent_is_asked_about_again_when_what_it_receives_changes() {
    let sb = Sandbox::new();
    let touch = format!("echo val >> '{}'\n{CONFIDENT}", marker(&sb).display());
    let team = Team { implementer: CONFIDENT, validator: &touch, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let run = |task: &str| {
        let mut cmd = sb.cfn(&root, &["loop", "run", "--json", "--epic", "x", "--task-id", task]);
        cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn"));
        cmd.timeout(std::time::Duration::from_secs(120)).output().unwrap()
    };
    sb.cfn(&root, &["trust", "--yes"]).assert().success();
    let out = run("t1");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(ran(&sb), "val\n");

    let approved = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let val =
        "[agents.val-1]\nrole = \"validator\"\ncommand = [\"sh\", \"agents/val.sh\"]\nenv = [\"CFN_BIN\"]\n";
    assert!(approved.contains(val));
    let secrets = "env = [\"CFN_BIN\", \"GITHUB_TOKEN\", \"AWS_SECRET_ACCESS_KEY\"]\n";
    let changes = [
        (
            "env=CFN_BIN,GITHUB_TOKEN,AWS_SECRET_ACCESS_KEY",
            approved.replacen(val, &val.replace("env = [\"CFN_BIN\"]\n", secrets), 1),
        ),
        ("provider=evil", approved.replacen(val, &format!("{val}provider = \"evil\"\n"), 1)),
        (
            "providers.evil.env=SSH_AUTH_SOCK",
            format!("{approved}\n[providers.evil]\nenv = [\"SSH_AUTH_SOCK\"]\n"),
        ),
        ("memory=64g", approved.replacen(val, &format!("{val}memory = \"64g\"\n"), 1)),
    ];
    for (setting, toml) in changes {
        std::fs::write(root.join("cfn.toml"), toml).unwrap();
        let listed = sb.cfn(&root, &["trust", "--json"]).output().unwrap();
        assert_eq!(listed.status.code(), Some(1), "{setting}: {}", stderr(&listed));
        let items: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
        let item = items.as_array().unwrap().iter().find(|i| i["kind"] == "agent.val-1").unwrap();
        assert_eq!(item["trusted"], false, "{setting}: {item}");
        assert!(item["settings"].as_array().unwrap().contains(&serde_json::json!(setting)), "{item}");
        let out = run("t2");
        refused_as_untrusted(&out, "agent.");
        assert!(stderr(&out).contains(setting), "the refusal shows what changed: {}", stderr(&out));
        let table = sb.cfn(&root, &["trust"]).output().unwrap();
        assert!(
            text(&table.stdout).contains("WITH") && text(&table.stdout).contains(setting),
            "{}",
            text(&table.stdout)
        );
        assert_eq!(ran(&sb), "val\n", "{setting}: no agent ran");
    }
    std::fs::write(root.join("cfn.toml"), approved).unwrap();
    sb.cfn(&root, &["trust", "--json"]).assert().success();
}
