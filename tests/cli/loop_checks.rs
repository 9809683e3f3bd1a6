//! `[loop.checks]`: commands of the repository run in the branch after the implementers, their
//! results the validators' evidence, required by the gate, the confidence of a validator with
//! `confidence = "checks"`; trusted first, failing closed. Real processes, real git, the
//! embedded bus, and for the checks against a live stack a real Redis service of the branch.

use crate::harness::*;
use crate::small_stack::SmallStack;
use crate::work_loop::{agent, repo_with, run_loop, summary, Team, CONFIDENT, PO_PROCEED};
use std::path::Path;

/// `extra` inserted into `[loop]` of `root`'s cfn.toml, `tables` appended.
fn configure(root: &Path, extra: &str, tables: &str) -> String {
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let toml =
        toml.replacen("product_owner = \"po\"\n", &format!("product_owner = \"po\"\n{extra}"), 1) + tables;
    std::fs::write(root.join("cfn.toml"), &toml).unwrap();
    toml
}

fn events<'a>(status: &'a serde_json::Value, kind: &str) -> Vec<&'a serde_json::Value> {
    status["events"].as_array().unwrap().iter().filter(|e| e["kind"] == kind).map(|e| &e["data"]).collect()
}

fn context(root: &Path, task: &str, agent: &str) -> serde_json::Value {
    let path = root.join(format!(".cfn/loop/{task}/iter-1/{agent}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

const CHECKS: &str = r#"
[loop.checks.ping]
command = ["sh", "checks/ping.sh"]

[loop.checks.lint]
command = ["sh", "checks/lint.sh"]
timeout = 20
"#;

/// The checks talk to the branch's own Redis (its port from the branch's variables); `lint`
/// fails while `lint.fail` exists in the worktree.
const PING: &str = "redis-cli -p \"$CFN_REDIS_PORT\" ping\n";
const LINT: &str =
    "if [ -e lint.fail ]; then echo 'lint: unused import in app.py'; exit 3; fi\necho lint clean\n";

#[test]
fn checks_against_the_live_stack_are_the_validators_evidence_and_required_ones_shut_the_gate() {
    let Some(s) = SmallStack::new("loopchecks", "") else { return };
    for (path, text) in [
        ("agents/impl.sh", agent(CONFIDENT)),
        ("agents/val.sh", agent(CONFIDENT)),
        ("agents/po.sh", agent(PO_PROCEED)),
        ("checks/ping.sh", PING.to_string()),
        ("checks/lint.sh", LINT.to_string()),
    ] {
        std::fs::create_dir_all(s.wt.join(path).parent().unwrap()).unwrap();
        std::fs::write(s.wt.join(path), text).unwrap();
    }
    let mut toml = std::fs::read_to_string(s.root.join("cfn.toml")).unwrap();
    toml.push_str(
        r#"
[loop]
mode = "mvp"
implementers = ["impl-1"]
validators = ["val-1"]
product_owner = "po"
[agents.impl-1]
role = "implementer"
command = ["sh", "agents/impl.sh"]
env = ["CFN_BIN"]
[agents.val-1]
role = "validator"
command = ["sh", "agents/val.sh"]
env = ["CFN_BIN"]
confidence = "checks"
[agents.po]
role = "product-owner"
command = ["sh", "agents/po.sh"]
env = ["CFN_BIN"]
"#,
    );
    // The loop reads the repository's cfn.toml; the branch's checkout gets the same.
    let write = |text: String| {
        std::fs::write(s.root.join("cfn.toml"), &text).unwrap();
        std::fs::write(s.wt.join("cfn.toml"), &text).unwrap();
    };
    write(toml.clone() + CHECKS);
    s.cfn(&s.wt, &["up"]).assert().success();
    let run = |task: &str| {
        let mut cmd = s.cfn(&s.wt, &["loop", "run", "--yes", "--json", "--epic", "x", "--task-id", task]);
        cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn")).env_remove("CFN_REDIS_URL");
        cmd.args(["--max-iterations", "1"]).timeout(std::time::Duration::from_secs(120)).output().unwrap()
    };

    // Both checks pass: the validator's confidence is 2/2, whatever it reported.
    let out = run("evidence");
    assert!(out.status.success(), "{}", stderr(&out));
    let status = s.sb.json(&s.wt, &["loop", "status", "evidence", "--json"]);
    let checks = events(&status, "check");
    assert_eq!(checks.len(), 2, "{checks:?}");
    assert_eq!((checks[0]["name"].as_str(), checks[0]["passed"].as_bool()), (Some("ping"), Some(true)));
    assert_eq!(checks[0]["exit_code"], 0);
    assert_eq!(checks[0]["output"], "PONG", "it reached the branch's live Redis");
    assert!(checks[0]["duration_secs"].as_f64().unwrap() >= 0.0);
    let seen = context(&s.wt, "evidence", "val-1");
    assert_eq!(seen["checks"][0]["output"], "PONG", "the validator's context holds the results");
    assert_eq!(seen["checks"][1]["output"], "lint clean");
    let po = context(&s.wt, "evidence", "po");
    let both = &po["confidences"][0];
    assert_eq!(
        (both["agent"].as_str(), both["source"].as_str(), both["reported"].as_f64(), both["checks"].as_f64()),
        (Some("val-1"), Some("checks"), Some(0.95), Some(1.0)),
        "the product owner sees both: {po}"
    );
    assert_eq!(context(&s.wt, "evidence", "impl-1")["checks"], serde_json::json!([]));

    // lint fails: the validator, confident as ever, counts 1/2 and consensus fails.
    std::fs::write(s.wt.join("lint.fail"), "").unwrap();
    let out = run("half");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let status = s.sb.json(&s.wt, &["loop", "status", "half", "--json"]);
    let lint = events(&status, "check")[1];
    assert_eq!((lint["passed"].as_bool(), lint["exit_code"].as_i64()), (Some(false), Some(3)));
    assert_eq!(lint["output"], "lint: unused import in app.py");
    let consensus = events(&status, "consensus")[0];
    assert_eq!(consensus["confidences"][0]["used"], 0.5, "{consensus}");
    assert_eq!(consensus["passed"], false);
    let (decision, confidence): (String, f64) =
        s.sb.db()
            .query_row("SELECT decision, confidence FROM approval_history WHERE task_id = 'half'", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
    assert_eq!((decision.as_str(), confidence), ("reject", 0.5));

    // lint required: the gate fails on it, the validators never run, and status says why.
    let required = "implementers = [\"impl-1\"]\ngate_requires = [\"lint\"]\n";
    write(toml.replacen("implementers = [\"impl-1\"]\n", required, 1) + CHECKS);
    let out = run("required");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("gate: required check lint failed: exit code 3"), "{}", stderr(&out));
    let status = s.sb.json(&s.wt, &["loop", "status", "required", "--json"]);
    let gate = events(&status, "gate")[0];
    assert_eq!((gate["passed"].as_bool(), gate["mean"].as_f64()), (Some(false), Some(0.95)), "{gate}");
    assert_eq!(gate["required_checks"][0], "required check lint failed: exit code 3");
    assert!(events(&status, "spawn").iter().all(|e| e["role"] == "implementer"), "no validator ran");
    let text = text(&s.cfn(&s.wt, &["loop", "status", "required"]).output().unwrap().stdout);
    assert!(text.contains("required check lint failed: exit code 3"), "{text}");
}

#[test]
fn an_untrusted_check_is_refused_before_the_run_starts() {
    let sb = Sandbox::new();
    let team = Team { implementer: CONFIDENT, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    std::fs::write(root.join("probe.sh"), "touch ran\n").unwrap();
    configure(&root, "", "\n[loop.checks.probe]\ncommand = [\"sh\", \"probe.sh\"]\n");
    // The agents are trusted; the check is not.
    sb.cfn(&root, &["trust", "--yes"]).assert().success();
    std::fs::write(root.join("probe.sh"), "touch ran; echo changed\n").unwrap();
    let mut cmd = sb.cfn(&root, &["loop", "run", "--epic", "x", "--task-id", "untrusted"]);
    let out =
        cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn")).env_remove("CFN_REDIS_URL").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("not trusted") && err.contains("check.probe `sh probe.sh` (probe.sh sha256:"),
        "{err}"
    );
    assert!(!root.join("ran").exists(), "the check never ran");
    assert_eq!(sb.count("SELECT COUNT(*) FROM loop_runs"), 0, "nothing recorded");
    let out = sb.cfn(&root, &["trust", "--json"]).output().unwrap();
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(items.as_array().unwrap().iter().any(|i| i["kind"] == "check.probe"), "{items}");
}

#[test]
fn a_check_that_times_out_or_cannot_start_fails_closed() {
    let sb = Sandbox::new();
    let team = Team { implementer: CONFIDENT, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    std::fs::write(root.join("hang.sh"), "echo started\necho $$ > hang.pid\nexec sleep 60\n").unwrap();
    configure(
        &root,
        "gate_requires = [\"hang\"]\n",
        "\n[loop.checks.hang]\ncommand = [\"sh\", \"hang.sh\"]\ntimeout = 1\n\n\
         [loop.checks.missing]\ncommand = [\"no-such-check-program\"]\n",
    );
    let started = std::time::Instant::now();
    let out = run_loop(&sb, &root, None, &["--epic", "x", "--task-id", "closed", "--max-iterations", "1"]);
    assert!(started.elapsed().as_secs() < 30, "the check was not waited for");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(summary(&out)["status"], "exhausted");
    let status = sb.json(&root, &["loop", "status", "closed", "--json"]);
    let checks = events(&status, "check");
    let (hang, missing) = (checks[0], checks[1]);
    assert_eq!((hang["passed"].as_bool(), hang["exit_code"].is_null()), (Some(false), true), "{hang}");
    assert_eq!(hang["reason"], "timed out after 1s; killed");
    assert_eq!(hang["output"], "started");
    assert_eq!((missing["passed"].as_bool(), missing["exit_code"].is_null()), (Some(false), true));
    assert!(missing["reason"].as_str().unwrap().contains("cannot run no-such-check-program"), "{missing}");
    let gate = events(&status, "gate")[0];
    assert_eq!(gate["passed"], false);
    assert_eq!(gate["required_checks"][0], "required check hang failed: timed out after 1s; killed");
    let pid = std::fs::read_to_string(root.join("hang.pid")).unwrap();
    let alive = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
        .ok()
        .is_some_and(|s| s.rsplit(')').next().is_some_and(|rest| !rest.trim_start().starts_with('Z')));
    assert!(!alive, "the timed-out check {pid} was killed");
    let log = std::fs::read_to_string(root.join(".cfn/loop/closed/iter-1/check-hang.log")).unwrap();
    assert_eq!(log, "started\n", "the full output is kept in the iteration's folder");
}

#[test]
fn settings_that_cannot_work_are_refused_before_anything_runs() {
    let sb = Sandbox::new();
    let team = Team { implementer: CONFIDENT, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let original = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    for (extra, tables, message) in [
        ("gate_requires = [\"tests\"]\n", "", "error: loop.gate_requires names tests, which is not a check"),
        ("", "\n[loop.checks.tests]\ncommand = []\n", "error: loop check tests has no command"),
        ("max_tokens = 0\n", "", "error: loop.max_tokens must be a positive number, not 0"),
    ] {
        std::fs::write(root.join("cfn.toml"), &original).unwrap();
        configure(&root, extra, tables);
        let out = run_loop(&sb, &root, None, &["--epic", "x"]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
        assert!(stderr(&out).contains("hint: "), "{}", stderr(&out));
    }
    std::fs::write(
        root.join("cfn.toml"),
        original.replace(
            "env = [\"CFN_BIN\"]\n\n[agents.po]",
            "env = [\"CFN_BIN\"]\nconfidence = \"checks\"\n\n[agents.po]",
        ),
    )
    .unwrap();
    let out = run_loop(&sb, &root, None, &["--epic", "x"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("error: validator val-1 takes its confidence from the checks, and the loop has none"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sb.count("SELECT COUNT(*) FROM loop_runs"), 0);
}
