//! `cfn doctor` on a stack with some services running and others stopped: a warning naming the
//! stopped services with `cfn up` as the hint (not a failure, and no failure from the Redis
//! check either), unless a data copy stopped them — then it is said to be in progress while the
//! copy lives, and left to the `data` check once the copy was killed.

use crate::harness::*;
use crate::small_stack::SmallStack;
use crate::stack_harness::*;

/// An app waiting for a job that exits 0 once done: the finished job is not "down".
const APP: &str = "  init:\n    image: cfn-test/app:1\n    entrypoint: [\"true\"]\n  \
                   app:\n    image: cfn-test/app:1\n    \
                   depends_on: {init: {condition: service_completed_successfully}}\n";

/// `cfn doctor` in the main checkout: exit code and everything it printed.
fn doctor(s: &SmallStack) -> (Option<i32>, String) {
    let out = s.cfn(&s.root, &["doctor"]).output().unwrap();
    (out.status.code(), format!("{}{}", text(&out.stdout), stderr(&out)))
}

/// The id of feat's container of `service`.
fn container_of(s: &SmallStack, service: &str) -> String {
    let lines = docker_lines(&[
        "ps",
        "-aq",
        "--no-trunc",
        "--filter",
        &format!("label=com.docker.compose.project={}", s.project),
        "--filter",
        &format!("label=com.docker.compose.service={service}"),
    ]);
    assert_eq!(lines.len(), 1, "{lines:?}");
    lines[0].clone()
}

#[test]
fn a_partly_up_stack_warns_and_names_the_stopped_services() {
    let Some(s) = SmallStack::new("cfnpartly", APP) else { return };
    s.cfn(&s.wt, &["up", "--timeout", "60"]).assert().success();
    let (code, said) = doctor(&s);
    assert!(!said.contains("partly up"), "a finished job is not down: {said}");

    let redis = container_of(&s, "redis");
    assert!(docker_ok(&["stop", &redis]));
    let (code_partly, said) = doctor(&s);
    assert!(said.contains("stack of feat is partly up: redis is down while the rest runs"), "{said}");
    assert!(said.contains("`cfn up` in ") && said.contains("starts it"), "{said}");
    assert!(said.contains("connection refused while its stack is partly up"), "{said}");
    assert!(!said.contains("connection refused while its stack runs"), "{said}");
    assert_eq!(code_partly, code, "a partly up stack adds no failure: {said}");

    // stopped by a copy that is still running (the journal names this live process)
    let journal = s.sb.home.join("data/paused");
    std::fs::create_dir_all(&journal).unwrap();
    let entry = serde_json::json!({
        "pid": std::process::id(),
        "branch": "feat",
        "containers": [[redis, "redis"]],
    });
    let file = journal.join(format!("{}-1.json", std::process::id()));
    std::fs::write(&file, entry.to_string()).unwrap();
    let (_, said) = doctor(&s);
    let copying =
        format!("redis of feat is stopped for a data copy in progress (pid {})", std::process::id());
    assert!(said.contains(&copying), "{said}");
    assert!(!said.contains("stack of feat is partly up"), "{said}");
    std::fs::remove_file(&file).unwrap();

    // stopped by a copy that was killed: the data check says so, and --fix starts it again
    s.cfn(&s.wt, &["up", "--timeout", "60"]).assert().success();
    s.cfn(&s.root, &["worktree", "add", "b1"]).assert().success();
    let b1 = s.sb.json(&s.root, &["ports", "b1", "--json"]);
    let _cleanup = Cleanup(vec![b1["project"].as_str().unwrap().to_string()]);
    let out = s
        .cfn(&s.root, &["data", "clone", "--from", "feat", "-b", "b1", "--stop-source", "--yes"])
        .env("CFN_CRASH_AT", "data:1")
        .output()
        .unwrap();
    assert!(stderr(&out).contains("crash point data:1 reached"), "{}", stderr(&out));
    let (_, said) = doctor(&s);
    assert!(said.contains("of feat stayed stopped: a copy stopped it and was interrupted"), "{said}");
    assert!(!said.contains("stack of feat is partly up"), "{said}");
    assert!(!said.contains("data copy in progress"), "{said}");
    s.cfn(&s.root, &["doctor", "--fix", "--yes"]).output().unwrap();
    wait_redis(s.redis_port);
    let (_, said) = doctor(&s);
    assert!(!said.contains("partly up") && !said.contains("stayed stopped"), "{said}");
    s.cfn(&s.wt, &["down"]).assert().success();
}
