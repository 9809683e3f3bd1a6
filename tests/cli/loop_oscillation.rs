//! An iteration that reverts most of the previous one stops the run with ESCALATE, instead of
//! iterating again; one that builds on it does not. Real git diffs of the worktree, real agents.

use crate::harness::*;
use crate::work_loop::{repo_with, run_loop, summary, Team, CONFIDENT};

const PO_ITERATE: &str = "report 0.9 ok '{\"decision\": \"ITERATE\", \"feedback\": \"not yet\"}'";

fn run(implementer: &str, task: &str) -> (Sandbox, std::path::PathBuf, std::process::Output) {
    let sb = Sandbox::new();
    let team = Team { implementer, validator: CONFIDENT, po: PO_ITERATE, extra_config: "" };
    let root = repo_with(&sb, &team);
    std::fs::write(root.join("app.txt"), "one\ntwo\nthree\n").unwrap();
    git(&root, &["add", "app.txt"]);
    git(&root, &["commit", "-qm", "app"]);
    let out = run_loop(&sb, &root, None, &["--epic", "x", "--task-id", task, "--max-iterations", "4"]);
    (sb, root, out)
}

#[test]
fn an_iteration_undoing_the_previous_one_escalates() {
    // Odd iterations rewrite app.txt, even ones put it back: iteration 2 undoes iteration 1.
    let flip = "if [ $((CFN_ITERATION % 2)) -eq 1 ]; then printf 'uno\\ndos\\ntres\\n' > app.txt; \
                else git checkout -q -- app.txt; fi\nreport 0.95";
    let (sb, root, out) = run(flip, "flip");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(
        (s["status"].as_str(), s["decision"].as_str(), s["iterations"].as_u64()),
        (Some("escalate"), Some("ESCALATE"), Some(2)),
        "{s}"
    );
    let reason = "iteration 2 reverted 100% of iteration 1's changed lines (6 of 6), over 70%";
    assert_eq!(s["reason"], reason);
    assert!(stderr(&out).contains(&format!("{reason}; decision ESCALATE")), "{}", stderr(&out));
    let status = sb.json(&root, &["loop", "status", "flip", "--json"]);
    assert_eq!(status["run"]["status"], "escalate");
    let events = status["events"].as_array().unwrap();
    let osc = events.iter().find(|e| e["kind"] == "oscillation").expect("oscillation recorded");
    assert_eq!(osc["data"]["revert"]["share"], 1.0);
    let last = events.iter().rfind(|e| e["kind"] == "decision").unwrap();
    assert_eq!(
        (last["data"]["decision"].as_str(), last["data"]["agent"].as_str()),
        (Some("ESCALATE"), Some("cfn"))
    );
    assert_eq!(events.iter().filter(|e| e["kind"] == "iteration").count(), 2, "no third iteration");
    let text = text(&sb.cfn(&root, &["loop", "status", "flip"]).output().unwrap().stdout);
    assert!(text.contains(&format!("escalate: {reason}")), "{text}");
}

#[test]
fn iterations_that_build_on_each_other_run_on() {
    let grow = "echo \"line $CFN_ITERATION $CFN_AGENT_ID\" >> app.txt\nreport 0.95";
    let (sb, root, out) = run(grow, "grow");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(summary(&out)["status"], "exhausted");
    assert_eq!(summary(&out)["iterations"], 4);
    assert_eq!(
        sb.count("SELECT COUNT(*) FROM loop_events WHERE task_id = 'grow' AND kind = 'oscillation'"),
        0
    );
    assert_eq!(std::fs::read_to_string(root.join("app.txt")).unwrap().lines().count(), 3 + 8);
}
