//! One line per loop event for people (`cfn loop status`): what the event says, not its JSON.
//! `--json` keeps the recorded data whole; an event of a kind this cfn does not know is shown
//! as its JSON.

use serde_json::Value;

/// The event of `kind` with `data`, in words.
pub fn describe(kind: &str, data: &Value) -> String {
    let s = |key: &str| data[key].as_str().unwrap_or("?").to_string();
    let described = match kind {
        "iteration" => Some(match data["feedback"].as_array().map_or(0, Vec::len) {
            0 => "started".to_string(),
            n => format!("started with {n} line(s) of feedback"),
        }),
        "spawn" => Some(format!("{} ({}){}", s("agent"), s("role"), provider(data))),
        "agent" => Some(agent(data)),
        "gate" | "consensus" => Some(threshold(data)),
        "check" => Some(check(data)),
        "decision" => Some(match data["reason"].as_str() {
            Some(reason) => format!("{} by {}: {reason}", s("decision"), s("agent")),
            None => format!("{} by {}", s("decision"), s("agent")),
        }),
        "oscillation" | "budget" => data["reason"].as_str().map(str::to_string),
        "merge" => Some(merges(data)),
        "resume" => Some(match &data["after"] {
            Value::Null => "resumed before any finished step".to_string(),
            after => format!("resumed after iteration {}, step {}", after["iteration"], after["step"]),
        }),
        "waiting" => Some(format!("waiting for {}'s decision (`cfn loop decide`)", s("agent"))),
        "refused-report" => Some(format!("a report under {}'s id refused: {}", s("agent"), s("reason"))),
        _ => None,
    };
    described.unwrap_or_else(|| data.to_string())
}

fn provider(data: &Value) -> String {
    match data["provider"].as_str() {
        Some(p) if !p.is_empty() => format!(" via {p}"),
        _ => String::new(),
    }
}

fn agent(data: &Value) -> String {
    let outcome = &data["outcome"];
    let how = if data["by"] == "user" {
        "killed on request".to_string()
    } else if outcome["timed_out"].as_bool() == Some(true) {
        "timed out".to_string()
    } else if let Some(error) = outcome["error"].as_str() {
        format!("failed to run: {error}")
    } else {
        format!("exited {}", outcome["exit_code"].as_i64().map_or("by a signal".into(), |c| c.to_string()))
    };
    let report = &data["report"];
    let said = match report["confidence"].as_f64() {
        Some(c) => format!("reported {} {c:.2}", report["status"].as_str().unwrap_or("?")),
        None => "no report".to_string(),
    };
    let secs = outcome["elapsed_ms"].as_u64().unwrap_or(0) as f64 / 1000.0;
    format!("{} {how} after {secs:.1}s, {said}", data["agent"].as_str().unwrap_or("?"))
}

fn threshold(data: &Value) -> String {
    let passed = if data["passed"].as_bool() == Some(true) { "passed" } else { "failed" };
    let mean = data["mean"].as_f64().unwrap_or(0.0);
    let needed = data["threshold"].as_f64().unwrap_or(0.0);
    let problems: Vec<&str> =
        data["problems"].as_array().map(|p| p.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let extra = if problems.is_empty() { String::new() } else { format!(": {}", problems.join("; ")) };
    format!("{passed}: {mean:.2} (needs {needed:.2}){extra}")
}

fn check(data: &Value) -> String {
    let passed = if data["passed"].as_bool() == Some(true) { "passed" } else { "FAILED" };
    let how = match (data["reason"].as_str(), data["exit_code"].as_i64()) {
        (Some(reason), _) => reason.to_string(),
        (None, Some(code)) => format!("exit code {code}"),
        (None, None) => "no exit code".to_string(),
    };
    let secs = data["duration_secs"].as_f64().unwrap_or(0.0);
    let required = if data["required"].as_bool() == Some(true) { " (required)" } else { "" };
    format!("{}{required} {passed} ({how}, {secs:.1}s)", data["name"].as_str().unwrap_or("?"))
}

fn merges(data: &Value) -> String {
    let Some(merges) = data["merges"].as_array() else { return data.to_string() };
    let each: Vec<String> = merges
        .iter()
        .map(|m| {
            let agent = m["agent"].as_str().unwrap_or("?");
            match (m["outcome"].as_str(), m["files"].as_array()) {
                (Some("conflict"), Some(files)) if !files.is_empty() => {
                    let files: Vec<&str> = files.iter().filter_map(Value::as_str).collect();
                    format!("{agent} conflict in {}", files.join(", "))
                }
                (outcome, _) => format!("{agent} {}", outcome.unwrap_or("?")),
            }
        })
        .collect();
    each.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_kind_reads_as_a_sentence() {
        let agent = json!({"agent": "impl-1", "outcome": {"exit_code": 0, "timed_out": false, "elapsed_ms": 1500},
                           "report": {"status": "ok", "confidence": 0.95}});
        assert_eq!(describe("agent", &agent), "impl-1 exited 0 after 1.5s, reported ok 0.95");
        let gate = json!({"mean": 0.5, "threshold": 0.7, "passed": false, "problems": ["x"]});
        assert_eq!(describe("gate", &gate), "failed: 0.50 (needs 0.70): x");
        let merge = json!({"merges": [{"agent": "a", "outcome": "merged"}, {"agent": "b", "outcome": "conflict", "files": ["x.txt"]}]});
        assert_eq!(describe("merge", &merge), "a merged; b conflict in x.txt");
        let check =
            json!({"name": "tests", "passed": false, "exit_code": 1, "duration_secs": 2.0, "required": true});
        assert_eq!(describe("check", &check), "tests (required) FAILED (exit code 1, 2.0s)");
        assert_eq!(describe("budget", &json!({"reason": "wall time 10s spent"})), "wall time 10s spent");
        let killed = json!({"agent": "impl-2", "state": "killed", "by": "user", "outcome": {"elapsed_ms": 300}, "report": null});
        assert_eq!(describe("agent", &killed), "impl-2 killed on request after 0.3s, no report");
        assert_eq!(
            describe("waiting", &json!({"agent": "owner"})),
            "waiting for owner's decision (`cfn loop decide`)"
        );
        assert_eq!(describe("future-kind", &json!({"a": 1})), r#"{"a":1}"#);
    }
}
