//! Acting on live loop runs from outside their coordinator, through the portal's API and the
//! CLI: killing an agent (the run records it and goes on), adding an agent (it reports), starting
//! a run from the API (it finishes without the portal), and a person's decision (through the API
//! and the CLI, and again after the coordinator was killed while waiting). Real `cfn loop run`
//! processes with scripted agents on the embedded bus, and a real `cfn portal`.

use crate::harness::*;
use crate::loop_resume::background;
use crate::portal::{next_of, Portal};
use crate::work_loop::{repo_with, summary, Team, CONFIDENT, PO_PROCEED};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

const EVIL: Option<&str> = Some("http://evil.example");

/// The first `Some` of `probe` within `within`, polling every 100 ms.
fn soon<T>(within: Duration, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let until = Instant::now() + within;
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(Instant::now() < until, "{what} did not happen within {within:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn agent_state(portal: &Portal, task: &str, agent: &str, iteration: u64) -> Option<Value> {
    let (code, body) = portal.get(&format!("/api/agents/{task}"));
    if code == 404 {
        return None; // not recorded yet
    }
    assert_eq!(code, 200, "{body}");
    body["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == agent && a["iteration"] == iteration)
        .cloned()
}

fn run_status(sb: &Sandbox, root: &Path, task: &str) -> Value {
    sb.json(root, &["loop", "status", task, "--json"])
}

/// The run's status once it is recorded.
fn status_if_any(sb: &Sandbox, root: &Path, task: &str) -> Option<Value> {
    let out = sb.cfn(root, &["loop", "status", task, "--json"]).output().unwrap();
    out.status.success().then(|| serde_json::from_slice(&out.stdout).unwrap())
}

fn events_of<'a>(status: &'a Value, kind: &str) -> Vec<&'a Value> {
    status["events"].as_array().unwrap().iter().filter(|e| e["kind"] == kind).collect()
}

#[test]
fn a_killed_agent_is_recorded_and_the_run_goes_on() {
    let sb = Sandbox::new();
    // impl-2 hangs in iteration 1 only: killed there, the gate fails; iteration 2 proceeds.
    let implementer =
        "if [ \"$CFN_AGENT_ID\" = impl-2 ] && [ \"$CFN_ITERATION\" = 1 ]; then sleep 60; fi\nreport 0.95";
    let team = Team { implementer, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let (portal, _) = Portal::start(&sb, &root, &["--port", "0"]);
    let run = |task: &str| {
        background(
            &sb,
            &root,
            &["loop", "run", "--yes", "--json", "--epic", "x", "--task-id", task, "--max-iterations", "2"],
        )
    };
    let (first, second) = (run("k-1"), run("k-2"));
    for task in ["k-1", "k-2"] {
        soon(Duration::from_secs(30), "impl-2 running", || {
            agent_state(&portal, task, "impl-2", 1).filter(|a| a["state"] == "running")
        });
    }
    // The page's socket follows k-1: the kill reaches it as an `agent:update`.
    let mut ws = portal.socket();
    ws.send(tungstenite::Message::Text(r#"{"subscribe":"k-1"}"#.into())).unwrap();
    next_of(&mut ws, "loop:progress", Duration::from_secs(5), |_| true);
    assert_eq!(portal.status_without_token("DELETE", "/api/agents/impl-2?taskId=k-1"), 401);
    assert_eq!(portal.delete("/api/agents/impl-2?taskId=k-1", EVIL).0, 403);
    let (code, body) = portal.delete("/api/agents/nobody", None);
    assert_eq!(code, 404, "{body}");
    let (code, body) = portal.delete("/api/agents/impl-2", None);
    assert_eq!(code, 409, "the id is live in both runs: {body}");
    assert!(body["hint"].as_str().unwrap().contains("taskId"), "{body}");
    let (code, body) = portal.delete("/api/agents/impl-2?taskId=k-1", None);
    assert_eq!((code, &body["answer"]["outcome"]), (200, &Value::from("killed")), "{body}");
    let update = next_of(&mut ws, "agent:update", Duration::from_secs(10), |m| {
        m["agent"]["id"] == "impl-2" && m["agent"]["state"] == "killed"
    });
    assert_eq!((&update["taskId"], &update["agent"]["by"]), (&Value::from("k-1"), &Value::from("user")));
    // k-2 is still in its implementers' phase: its validator is not running.
    let idle = sb.cfn(&root, &["loop", "kill-agent", "k-2", "val-1"]).output().unwrap();
    assert_eq!(idle.status.code(), Some(1));
    assert!(
        stderr(&idle).contains("val-1 is not running in loop k-2") && stderr(&idle).contains("hint:"),
        "{}",
        stderr(&idle)
    );
    let cli = sb.cfn(&root, &["loop", "kill-agent", "k-2", "impl-2"]).output().unwrap();
    assert!(cli.status.success(), "{}", stderr(&cli));
    for (task, child) in [("k-1", first), ("k-2", second)] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{task}: {}", stderr(&out));
        let s = summary(&out);
        assert_eq!((s["status"].as_str(), s["iterations"].as_u64()), (Some("proceed"), Some(2)), "{s}");
        let status = run_status(&sb, &root, task);
        let killed: Vec<&Value> =
            events_of(&status, "agent").into_iter().filter(|e| e["data"]["state"] == "killed").collect();
        assert_eq!(killed.len(), 1, "{task}: one agent killed");
        assert_eq!(
            (&killed[0]["iteration"], &killed[0]["data"]["agent"], &killed[0]["data"]["by"]),
            (&Value::from(1), &Value::from("impl-2"), &Value::from("user"))
        );
        let gates: Vec<bool> =
            events_of(&status, "gate").iter().map(|g| g["data"]["passed"] == true).collect();
        assert_eq!(gates, [false, true], "{task}: the killed agent counted as not reporting");
        let later = agent_state(&portal, task, "impl-2", 2).unwrap();
        assert_eq!(later["state"], "reported");
    }
    let late = sb.cfn(&root, &["loop", "kill-agent", "k-2", "impl-2"]).output().unwrap();
    assert_eq!(late.status.code(), Some(1));
    assert!(stderr(&late).contains("is not live"), "{}", stderr(&late));
    let (code, metrics) = portal.get("/api/metrics/agents");
    assert_eq!(code, 200);
    assert_eq!(metrics["by_state"]["killed"], 2, "{metrics}");
    assert!(metrics["confidence"]["mean"].as_f64().unwrap() > 0.9, "{metrics}");
    assert_eq!(portal.get("/api/agents/nope").0, 404);
    assert_eq!(portal.status_without_token("GET", "/api/agents/k-1"), 401);
    assert_eq!(portal.status_without_token("GET", "/api/metrics/agents"), 401);
}

#[test]
fn an_added_agent_joins_the_next_phase_of_its_role_and_reports() {
    let sb = Sandbox::new();
    let go = sb.path().join("go");
    let implementer = format!("while [ ! -e '{}' ]; do sleep 0.1; done\nreport 0.95", go.display());
    let extra = "\n[agents.val-2]\nrole = \"validator\"\ncommand = [\"sh\", \"agents/val.sh\"]\nenv = [\"CFN_BIN\"]\n";
    let team = Team { implementer: &implementer, validator: CONFIDENT, po: PO_PROCEED, extra_config: extra };
    let root = repo_with(&sb, &team);
    let (portal, _) = Portal::start(&sb, &root, &["--port", "0"]);
    let run = background(&sb, &root, &["loop", "run", "--yes", "--json", "--epic", "x", "--task-id", "s-1"]);
    soon(Duration::from_secs(30), "the run recorded", || {
        (portal.get("/api/tasks/s-1/status").0 == 200).then_some(())
    });
    let spawn = |body: &str, origin| portal.post("/api/agents/spawn", body, origin);
    assert_eq!(portal.status_without_token("POST", "/api/agents/spawn"), 401);
    assert_eq!(spawn(r#"{"taskId":"s-1","profile":"val-2"}"#, EVIL).0, 403);
    let (code, body) = spawn(r#"{"taskId":"s-1","profile":"val-2"}"#, None);
    assert_eq!(code, 403, "not trusted: {body}");
    assert!(body["hint"].as_str().unwrap().contains("cfn trust"), "{body}");
    sb.cfn(&root, &["trust", "--yes"]).assert().success();
    assert_eq!(spawn(r#"{"taskId":"nope","profile":"val-2"}"#, None).0, 404);
    assert_eq!(spawn(r#"{"taskId":"s-1","profile":"nobody"}"#, None).0, 422);
    assert_eq!(spawn(r#"{"taskId":"s-1"}"#, None).0, 422);
    assert_eq!(spawn(r#"{"taskId":"s-1","profile":"val-1"}"#, None).0, 409, "already in the team");
    let (code, body) = spawn(r#"{"taskId":"s-1","profile":"val-2"}"#, None);
    assert_eq!(code, 202, "{body}");
    assert_eq!(spawn(r#"{"taskId":"s-1","profile":"val-2"}"#, None).0, 409, "asked once");
    std::fs::write(&go, "").unwrap();
    let out = run.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(summary(&out)["status"], "proceed");
    let joined = agent_state(&portal, "s-1", "val-2", 1).expect("val-2 ran");
    assert_eq!(
        (&joined["state"], &joined["role"]),
        (&Value::from("reported"), &Value::from("validator")),
        "{joined}"
    );
    assert_eq!(
        sb.count("SELECT COUNT(*) FROM approval_history WHERE task_id = 's-1' AND agent = 'val-2'"),
        1
    );
    assert_eq!(spawn(r#"{"taskId":"s-1","profile":"val-2"}"#, None).0, 409, "the run ended");
}

#[test]
fn a_run_started_from_the_portal_finishes_without_it() {
    let sb = Sandbox::new();
    let team = Team { implementer: CONFIDENT, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let bin = assert_cmd::cargo::cargo_bin("cfn");
    let (portal, _) = Portal::start_with(&sb, &root, &["--port", "0"], &[("CFN_BIN", bin.as_path())]);
    let (_, listed) = portal.get("/api/worktrees");
    let project = listed["worktrees"][0]["project"].as_str().unwrap().to_string();
    let create = |body: &str, origin| portal.post("/api/tasks/create", body, origin);
    let body = format!(r#"{{"project":"{project}","epic":"Add a page","taskId":"c-1"}}"#);
    assert_eq!(portal.status_without_token("POST", "/api/tasks/create"), 401);
    assert_eq!(create(&body, EVIL).0, 403);
    let (code, refused) = create(&body, None);
    assert_eq!(code, 403, "nothing trusted yet, and the portal approves nothing: {refused}");
    assert!(refused["hint"].as_str().unwrap().contains("cfn trust"), "{refused}");
    assert_eq!(sb.count("SELECT COUNT(*) FROM loop_runs"), 0, "nothing started");
    assert_eq!(create(r#"{"project":"nope","epic":"x"}"#, None).0, 404);
    assert_eq!(create(&format!(r#"{{"project":"{project}","epic":""}}"#), None).0, 422);
    assert_eq!(create(r#"{"project":1}"#, None).0, 422);
    sb.cfn(&root, &["trust", "--yes"]).assert().success();
    let (code, started) = create(&body, None);
    assert_eq!((code, &started["taskId"]), (202, &Value::from("c-1")), "{started}");
    assert_eq!(create(&body, None).0, 409, "c-1 has run");
    drop(portal);
    let status = soon(Duration::from_secs(60), "the run to end", || {
        let s = run_status(&sb, &root, "c-1");
        (s["run"]["status"] != "running").then_some(s)
    });
    assert_eq!(status["run"]["status"], "proceed", "{status}");
    assert_eq!(status["run"]["epic"], "Add a page");
    use std::os::unix::fs::PermissionsExt as _;
    for file in ["c-1.log", "c-1.epic"] {
        let mode = std::fs::metadata(sb.home.join("loop-runs").join(file)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
    // A task id that looks like an option stays the task id of the run it starts.
    let (portal, _) = Portal::start_with(&sb, &root, &["--port", "0"], &[("CFN_BIN", bin.as_path())]);
    let dashed = format!(r#"{{"project":"{project}","epic":"Dashes","taskId":"-d-1"}}"#);
    let (code, started) = portal.post("/api/tasks/create", &dashed, None);
    assert_eq!((code, &started["taskId"]), (202, &Value::from("-d-1")), "{started}");
    let ended = soon(Duration::from_secs(60), "the dashed run to end", || {
        let s = sb.json(&root, &["loop", "status", "--json", "--", "-d-1"]);
        (s["run"]["status"] != "running").then_some(s)
    });
    let logs: Vec<String> = std::fs::read_dir(sb.home.join("loop-runs"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("d-1"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    assert_eq!(ended["run"]["status"], "proceed", "{ended}\n{logs:?}");
}

/// The scripted team of `work_loop` with a person, `owner`, as its product owner.
pub(crate) fn repo_with_person_owner(sb: &Sandbox) -> std::path::PathBuf {
    let extra = "\n[agents.owner]\nrole = \"product-owner\"\nkind = \"person\"\n";
    let team = Team { implementer: CONFIDENT, validator: CONFIDENT, po: PO_PROCEED, extra_config: extra };
    let root = repo_with(sb, &team);
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    std::fs::write(
        root.join("cfn.toml"),
        toml.replace("product_owner = \"po\"", "product_owner = \"owner\""),
    )
    .unwrap();
    root
}

#[test]
fn a_person_decides_through_the_portal_and_the_cli_and_again_after_a_resume() {
    let sb = Sandbox::new();
    let root = repo_with_person_owner(&sb);
    let (portal, _) = Portal::start(&sb, &root, &["--port", "0"]);
    let mut run = background(
        &sb,
        &root,
        &["loop", "run", "--yes", "--json", "--epic", "x", "--task-id", "p-1", "--max-iterations", "2"],
    );
    let waits = |n: usize| {
        soon(Duration::from_secs(30), "the run waiting", || {
            let s = status_if_any(&sb, &root, "p-1")?;
            (s["run"]["status"] == "waiting" && events_of(&s, "waiting").len() == n).then_some(s)
        })
    };
    let status = waits(1);
    let waiting = events_of(&status, "waiting")[0];
    assert_eq!(waiting["data"]["results"]["gate"], 0.95, "{waiting}");
    assert_eq!(waiting["data"]["results"]["consensus"], 0.95, "{waiting}");
    let listed = sb.json(&root, &["loop", "list", "--json"]);
    assert_eq!(listed[0]["status"], "waiting");
    assert_eq!(listed[0]["iterations"], 1, "a live run says how far it is: {listed}");
    let decide =
        |task: &str, body: &str, origin| portal.post(&format!("/api/tasks/{task}/decision"), body, origin);
    assert_eq!(portal.status_without_token("POST", "/api/tasks/p-1/decision"), 401);
    assert_eq!(decide("p-1", r#"{"decision":"PROCEED"}"#, EVIL).0, 403);
    assert_eq!(decide("nope", r#"{"decision":"PROCEED"}"#, None).0, 404);
    assert_eq!(decide("p-1", r#"{"decision":"MAYBE"}"#, None).0, 422);
    assert_eq!(decide("p-1", r#"{"decision":"ESCALATE"}"#, None).0, 422);
    assert_eq!(decide("p-1", "", None).0, 422);
    assert_eq!(decide("p-1", "null", None).0, 422);
    assert_eq!(decide("p-1", r#"{"decision":"PROCEED","by":"me"}"#, None).0, 422, "unknown field");
    assert_eq!(decide("p-1", "{", None).0, 400);
    let (code, body) = decide("p-1", r#"{"decision":"ITERATE","reason":"add tests"}"#, None);
    assert_eq!((code, &body["answer"]["outcome"]), (200, &Value::from("decided")), "{body}");
    let (_, agents) = portal.get("/api/agents/p-1");
    assert!(
        agents["agents"].as_array().unwrap().iter().any(|a| a["id"] == "owner" && a["state"] == "reported"),
        "{agents}"
    );
    let status = waits(2);
    let feedback = &events_of(&status, "iteration")[1]["data"]["feedback"];
    assert!(feedback.to_string().contains("owner: add tests"), "the reason reaches iteration 2: {feedback}");
    // The coordinator dies while it waits: nothing can decide until the run is resumed.
    run.kill().unwrap();
    run.wait().unwrap();
    assert_eq!(run_status(&sb, &root, "p-1")["run"]["status"], "interrupted");
    assert_eq!(decide("p-1", r#"{"decision":"PROCEED"}"#, None).0, 409);
    let resumed = background(&sb, &root, &["loop", "resume", "p-1", "--json"]);
    waits(3);
    let cli = sb
        .cfn(&root, &["loop", "decide", "p-1", "--decision", "PROCEED", "--reason", "ship it"])
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", stderr(&cli));
    let out = resumed.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        (summary(&out)["status"].as_str(), summary(&out)["iterations"].as_u64()),
        (Some("proceed"), Some(2))
    );
    let late = sb.cfn(&root, &["loop", "decide", "p-1", "--decision", "ABORT"]).output().unwrap();
    assert_eq!(late.status.code(), Some(1));
    assert!(stderr(&late).contains("not live"), "{}", stderr(&late));
    let decided: Vec<(i64, String)> = {
        let db = sb.db();
        let mut stmt = db
            .prepare("SELECT iteration, decision FROM approval_history WHERE task_id = 'p-1' AND agent = 'owner' ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(decided, [(1, "ITERATE".to_string()), (2, "PROCEED".to_string())]);
}

#[test]
fn a_person_who_does_not_decide_in_time_is_iterate() {
    let sb = Sandbox::new();
    let extra = "\n[agents.owner]\nrole = \"product-owner\"\nkind = \"person\"\n";
    let team = Team { implementer: CONFIDENT, validator: CONFIDENT, po: PO_PROCEED, extra_config: extra };
    let root = repo_with(&sb, &team);
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let toml = toml.replace("product_owner = \"po\"", "product_owner = \"owner\"\ndecision_timeout = 1");
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    let out = crate::work_loop::run_loop(
        &sb,
        &root,
        None,
        &["--epic", "x", "--task-id", "late", "--max-iterations", "1"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(summary(&out)["status"], "exhausted");
    let status = run_status(&sb, &root, "late");
    let decision = events_of(&status, "decision")[0];
    assert_eq!(decision["data"]["decision"], "ITERATE", "{decision}");
    let meta: String = sb
        .db()
        .query_row(
            "SELECT metadata FROM approval_history WHERE task_id = 'late' AND agent = 'owner'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(meta.contains("did not decide within 1 s"), "{meta}");
    assert_eq!(sb.count("SELECT COUNT(*) FROM loop_runs WHERE waiting IS NOT NULL"), 0, "no longer waiting");
}
