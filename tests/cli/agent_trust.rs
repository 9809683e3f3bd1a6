//! Agents are untrusted: each test here is an attack by a real agent process on a real loop run,
//! and shows it refused. Reading cfn's keys through /proc, holding keys it was not given,
//! reporting as another agent, reading the run's files as another user.

use crate::harness::*;
use crate::work_loop::{repo_with, run_loop, summary, Team, CONFIDENT, PO_PROCEED};
use std::path::Path;

/// `cfn loop run` as the caller, but without any capability when the tests run as root: root's
/// `CAP_SYS_PTRACE` reads any process's memory, which no ordinary user can.
fn loop_as_ordinary_user(
    sb: &Sandbox,
    root: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> std::process::Output {
    let cfn = assert_cmd::cargo::cargo_bin("cfn");
    let as_root = std::fs::read_to_string("/proc/self/status")
        .is_ok_and(|s| s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0")));
    let mut cmd = if as_root {
        assert!(require(std::process::Command::new("setpriv").arg("--version").output().is_ok(), "setpriv"));
        let mut c = std::process::Command::new("setpriv");
        c.args(["--bounding-set=-all", "--inh-caps=-all", "--"]).arg(&cfn);
        c
    } else {
        std::process::Command::new(&cfn)
    };
    cmd.current_dir(root).args(["loop", "run", "--yes", "--json"]).args(args);
    for (k, v) in hermetic_env(&sb.home, sb.path()) {
        cmd.env(k, v);
    }
    cmd.env("CFN_BIN", &cfn).env_remove("CFN_REDIS_URL").envs(env.iter().copied());
    cmd.output().unwrap()
}

#[test]
fn an_agent_reads_neither_cfns_keys_nor_variables_it_was_not_given() {
    let sb = Sandbox::new();
    let seen = sb.path().join("seen");
    std::fs::create_dir(&seen).unwrap();
    let spy = format!(
        "cat /proc/$PPID/environ > '{0}/'$CFN_AGENT_ID.parent 2> '{0}/'$CFN_AGENT_ID.parent-err\n\
         env > '{0}/'$CFN_AGENT_ID.env\n\
         SPY_CONTROL=visible sleep 5 & for i in 1 2 3 4 5 6 7 8 9 10; do \
         tr '\\0' '\\n' < /proc/$!/environ > '{0}/'$CFN_AGENT_ID.control; \
         grep -q SPY_CONTROL '{0}/'$CFN_AGENT_ID.control && break; sleep 0.1; done; kill $!\n\
         report 0.95",
        seen.display()
    );
    let extra = "\n[providers.alpha]\nenv = [\"ALPHA_KEY\"]\n";
    let team = Team { implementer: &spy, validator: CONFIDENT, po: PO_PROCEED, extra_config: extra };
    let root = repo_with(&sb, &team);
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap().replacen(
        "[agents.impl-1]\nrole = \"implementer\"",
        "[agents.impl-1]\nrole = \"implementer\"\nprovider = \"anthropic\"",
        1,
    );
    let toml = toml.replacen("env = [\"CFN_BIN\"]", "env = [\"CFN_BIN\", \"MY_SETTING\"]", 1);
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    let secrets = [
        ("ANTHROPIC_API_KEY", "anthropic-secret"),
        ("OPENAI_API_KEY", "openai-secret"),
        ("ALPHA_KEY", "alpha-secret"),
        ("GITHUB_TOKEN", "github-secret"),
        ("AWS_SECRET_ACCESS_KEY", "aws-secret"),
        ("MY_SETTING", "named-setting"),
    ];
    let out = loop_as_ordinary_user(&sb, &root, &["--epic", "x", "--task-id", "keys"], &secrets);
    assert!(out.status.success(), "{}", stderr(&out));
    for agent in ["impl-1", "impl-2"] {
        let parent = std::fs::read_to_string(seen.join(format!("{agent}.parent"))).unwrap();
        let denied = std::fs::read_to_string(seen.join(format!("{agent}.parent-err"))).unwrap();
        assert!(parent.is_empty(), "{agent} read cfn's environment: {parent:?}");
        assert!(denied.contains("Permission denied"), "{agent}: {denied}");
        // The same read works on a process that is not protected: the refusal is cfn's doing.
        let control = std::fs::read_to_string(seen.join(format!("{agent}.control"))).unwrap();
        assert!(control.contains("SPY_CONTROL=visible"), "control read failed: {control}");
    }
    let one = std::fs::read_to_string(seen.join("impl-1.env")).unwrap();
    let two = std::fs::read_to_string(seen.join("impl-2.env")).unwrap();
    assert!(one.contains("ANTHROPIC_API_KEY=anthropic-secret"), "its own provider's key");
    assert!(one.contains("MY_SETTING=named-setting"), "what its profile names");
    assert!(!two.contains("MY_SETTING"), "named for impl-1 only");
    for env in [&one, &two] {
        for leaked in ["openai-secret", "alpha-secret", "github-secret", "aws-secret"] {
            assert!(!env.contains(leaked), "{leaked} reached an agent:\n{env}");
        }
        assert!(env.contains("\nPATH=") || env.starts_with("PATH="), "PATH passes");
        assert!(env.contains("CFN_AGENT_TOKEN="), "its report token");
    }
    assert!(!two.contains("anthropic-secret"), "impl-2 is not routed to anthropic");
    assert!(!stderr(&out).contains("secret"), "no key printed");
}

/// An implementer that reports for itself, then forges reports for `victim` three ways: through
/// `--agent-id` (refused by `cfn agent report`), with its own token under the victim's id, and
/// unsigned (what writing to the bus directly amounts to).
fn forger(victim: &str, payload: &str, record: &Path) -> String {
    format!(
        "report 0.95\n\
         \"$CFN_BIN\" agent report --agent-id {victim} --confidence 1 --payload '{payload}' 2> '{rec}.flag'; echo $? > '{rec}.flag-rc'\n\
         CFN_AGENT_ID={victim} \"$CFN_BIN\" agent report --confidence 1 --payload '{payload}'\n\
         env -u CFN_AGENT_TOKEN CFN_AGENT_ID={victim} \"$CFN_BIN\" agent report --confidence 1 --payload '{payload}'",
        rec = record.display()
    )
}

/// Both implementers forged under their own tokens (two slots of their own) and unsigned (one
/// slot, the bus keeps the first): three refusals.
fn assert_forgeries_refused(refused: &[serde_json::Value]) {
    let mut reasons: Vec<&str> = refused.iter().map(|e| e["data"]["reason"].as_str().unwrap()).collect();
    reasons.sort();
    assert_eq!(
        reasons,
        ["not signed", "not signed with this agent's token", "not signed with this agent's token"],
        "{refused:?}"
    );
}

fn refused_reports(sb: &Sandbox, root: &Path, task: &str) -> Vec<serde_json::Value> {
    let status = sb.json(root, &["loop", "status", task, "--json"]);
    status["events"].as_array().unwrap().iter().filter(|e| e["kind"] == "refused-report").cloned().collect()
}

#[test]
fn a_validator_pass_forged_by_an_implementer_is_refused() {
    let sb = Sandbox::new();
    let record = sb.path().join("forge");
    let implementer = forger("val-1", "{}", &record);
    let team =
        Team { implementer: &implementer, validator: "report 0.1 failed", po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let out =
        run_loop(&sb, &root, None, &["--epic", "x", "--task-id", "forged-val", "--max-iterations", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["status"], "exhausted", "the real validator failed: {s}");
    assert_eq!(s["consensus"].as_f64(), Some(0.0), "{s}");
    let flag = std::fs::read_to_string(record.with_extension("flag")).unwrap();
    assert_eq!(std::fs::read_to_string(record.with_extension("flag-rc")).unwrap().trim(), "2");
    assert!(flag.contains("a report for agent val-1 is refused"), "{flag}");
    let refused = refused_reports(&sb, &root, "forged-val");
    assert_forgeries_refused(&refused);
    assert!(refused.iter().all(|e| e["data"]["agent"] == "val-1"));
    assert!(stderr(&out).contains("refused a report under agent val-1's id"), "{}", stderr(&out));
    let approvals = sb.count(
        "SELECT COUNT(*) FROM approval_history WHERE task_id = 'forged-val' AND agent = 'val-1' AND decision = 'reject'",
    );
    assert_eq!(approvals, 1, "the real validator's verdict is what counts");
}

#[test]
fn a_product_owner_proceed_forged_by_an_implementer_is_refused_on_redis() {
    let Some(redis) = RedisServer::start(&[]) else { return };
    let sb = Sandbox::new();
    let record = sb.path().join("forge");
    let implementer = forger("po", "{\"decision\": \"PROCEED\"}", &record);
    let po = "report 0.9 ok '{\"decision\": \"ABORT\"}'";
    let team = Team { implementer: &implementer, validator: CONFIDENT, po, extra_config: "" };
    let root = repo_with(&sb, &team);
    let out = run_loop(&sb, &root, Some(&redis.url()), &["--epic", "x", "--task-id", "forged-po"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!((s["status"].as_str(), s["decision"].as_str()), (Some("abort"), Some("ABORT")), "{s}");
    let refused = refused_reports(&sb, &root, "forged-po");
    assert_forgeries_refused(&refused);
    assert!(refused.iter().all(|e| e["data"]["agent"] == "po"));
}

#[test]
fn the_run_files_are_private_and_similar_task_ids_do_not_share_a_folder() {
    use std::os::unix::fs::PermissionsExt as _;
    let sb = Sandbox::new();
    std::fs::create_dir_all(&sb.home).unwrap();
    std::fs::set_permissions(&sb.home, std::fs::Permissions::from_mode(0o755)).unwrap();
    let team = Team { implementer: CONFIDENT, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    for task in ["s.1", "s-1"] {
        let out = run_loop(&sb, &root, None, &["--epic", &format!("epic of {task}"), "--task-id", task]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let loops = root.join(".cfn/loop");
    let folders: Vec<String> = std::fs::read_dir(&loops)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(folders.len(), 2, "{folders:?}");
    let epic_in = |folder: &str| -> String {
        let ctx = std::fs::read_to_string(loops.join(folder).join("iter-1/impl-1.json")).unwrap();
        serde_json::from_str::<serde_json::Value>(&ctx).unwrap()["epic"].as_str().unwrap().to_string()
    };
    let mut epics: Vec<String> = folders.iter().map(|f| epic_in(f)).collect();
    epics.sort();
    assert_eq!(epics, ["epic of s-1", "epic of s.1"], "neither run overwrote the other");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&sb.home), 0o700, "an existing CFN_HOME is tightened");
    assert_eq!(mode(&sb.home.join("state.db")), 0o600);
    assert_eq!(mode(&root.join(".cfn")), 0o700);
    assert_eq!(mode(&root.join(".cfn/bus.db")), 0o600);
    assert_eq!(mode(&loops.join("s-1")), 0o700);
    assert_eq!(mode(&loops.join("s-1/iter-1/impl-1.log")), 0o600);
}

#[test]
fn the_epic_comes_from_a_file_or_stdin_instead_of_the_process_list() {
    let sb = Sandbox::new();
    let team = Team { implementer: CONFIDENT, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let epic = "secret roadmap: \"quotes\" and $(not run)\nline two";
    let file = sb.path().join("epic.txt");
    std::fs::write(&file, epic).unwrap();
    let out = run_loop(&sb, &root, None, &["--epic-file", file.to_str().unwrap(), "--task-id", "from-file"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut cmd =
        sb.cfn(&root, &["loop", "run", "--yes", "--json", "--epic", "-", "--task-id", "from-stdin"]);
    cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn")).env_remove("CFN_REDIS_URL").write_stdin(epic);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for task in ["from-file", "from-stdin"] {
        let ctx = std::fs::read_to_string(root.join(format!(".cfn/loop/{task}/iter-1/val-1.json"))).unwrap();
        let ctx: serde_json::Value = serde_json::from_str(&ctx).unwrap();
        assert_eq!(ctx["epic"], epic, "{task}: verbatim");
    }
    let both = sb
        .cfn(&root, &["loop", "run", "--epic", "x", "--epic-file", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2), "--epic and --epic-file together");
    let empty = sb.cfn(&root, &["loop", "run", "--epic", "-"]).write_stdin("  \n").output().unwrap();
    assert_eq!(empty.status.code(), Some(2));
    assert!(
        stderr(&empty).contains("the epic is empty") && stderr(&empty).contains("hint:"),
        "{}",
        stderr(&empty)
    );
}

#[test]
fn a_process_escaping_its_agents_group_does_not_live_into_the_next_phase() {
    let sb = Sandbox::new();
    let mark = sb.path().join("escaped");
    // It leaves its process group and session, then waits for the validator's turn.
    let implementer = format!("setsid sh -c 'sleep 2; echo alive > \"{}\"' &\nreport 0.95", mark.display());
    let validator = "sleep 4\nreport 0.95";
    let team = Team { implementer: &implementer, validator, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let out = run_loop(&sb, &root, None, &["--epic", "x", "--task-id", "escape"]);
    assert!(out.status.success(), "{}", stderr(&out));
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert!(!mark.exists(), "a process left behind by an implementer ran during validation");
}

/// Two implementers run at once as the same user. impl-1 looks through every `/proc/<pid>/environ`
/// it can read for impl-2's token while impl-2 waits for it: each agent runs in a PID namespace
/// of its own, so it finds only its own processes.
#[test]
fn an_agent_cannot_read_a_sibling_agent_s_token_or_key() {
    let available = std::process::Command::new("unshare")
        .args([
            "--user",
            "--map-current-user",
            "--pid",
            "--fork",
            "--mount-proc",
            "--kill-child",
            "--",
            "true",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !require(available, "user and PID namespaces (unshare)") {
        return;
    }
    let sb = Sandbox::new();
    let seen = sb.path().join("seen");
    std::fs::create_dir(&seen).unwrap();
    let spy = format!(
        "if [ \"$CFN_AGENT_ID\" = impl-2 ]; then\n\
           touch '{0}/impl-2-ready'\n\
           for i in $(seq 100); do [ -e '{0}/impl-1-done' ] && break; sleep 0.1; done\n\
         else\n\
           for i in $(seq 100); do [ -e '{0}/impl-2-ready' ] && break; sleep 0.1; done\n\
           for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < \"$f\" 2>/dev/null; done | grep '^CFN_AGENT_ID=\\|^OPENAI_API_KEY=' | sort -u > '{0}/found'\n\
           touch '{0}/impl-1-done'\n\
         fi\n\
         report 0.95",
        seen.display()
    );
    let team = Team { implementer: &spy, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap().replacen(
        "[agents.impl-2]\nrole = \"implementer\"",
        "[agents.impl-2]\nrole = \"implementer\"\nprovider = \"openai\"",
        1,
    );
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    let mut cmd = sb.cfn(&root, &["loop", "run", "--yes", "--json", "--epic", "x", "--task-id", "siblings"]);
    cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn")).env_remove("CFN_REDIS_URL");
    let out = cmd.env("OPENAI_API_KEY", "sk-sibling-secret").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(seen.join("impl-2-ready").exists(), "impl-2 ran alongside");
    let found = std::fs::read_to_string(seen.join("found")).unwrap();
    // The scan works (it reads impl-1's own processes) and finds nobody else's.
    assert_eq!(found, "CFN_AGENT_ID=impl-1\n", "impl-1 saw: {found}");
    assert!(!stderr(&out).contains("can read each other's environment"), "{}", stderr(&out));
}
