//! Tokens and cost of a run: the usage each CLI agent's turn reported (recorded with its
//! `agent` event), summed per agent and for the run. Shown by `cfn loop status` and in the
//! run's summary.

use super::record::EventRow;
use crate::agents::adapters::Usage;
use indexmap::IndexMap;
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct RunUsage {
    pub total: Usage,
    /// By agent id, in the order they first reported usage.
    pub agents: IndexMap<String, Usage>,
}

/// The run's usage; `None` when no agent reported any (only `command` agents, say).
pub fn from_events(events: &[EventRow]) -> Option<RunUsage> {
    let mut run = RunUsage::default();
    let mut any = false;
    for e in events.iter().filter(|e| e.kind == "agent") {
        let Some(usage) = e.data.pointer("/outcome/result/usage").filter(|u| !u.is_null()) else { continue };
        let Ok(usage) = serde_json::from_value::<Usage>(usage.clone()) else { continue };
        let agent = e.data.get("agent").and_then(|a| a.as_str()).unwrap_or("?").to_string();
        run.total.add(&usage);
        run.agents.entry(agent).or_default().add(&usage);
        any = true;
    }
    any.then_some(run)
}

/// `1234 in / 56 out tokens, $0.0123` (the cost only when reported).
pub fn describe(u: &Usage) -> String {
    let mut text = format!("{} in / {} out tokens", u.input_tokens, u.output_tokens);
    if u.cache_read_tokens + u.cache_write_tokens > 0 {
        text.push_str(&format!(
            " ({} cache read, {} cache write)",
            u.cache_read_tokens, u.cache_write_tokens
        ));
    }
    if let Some(cost) = u.cost_usd {
        text.push_str(&format!(", ${cost:.4}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: &str, data: serde_json::Value) -> EventRow {
        EventRow { id: 1, iteration: 1, kind: kind.into(), data, at: String::new() }
    }

    #[test]
    fn usage_is_summed_per_agent_and_for_the_run() {
        let usage = |i: u64, cost: Option<f64>| json!({"input_tokens": i, "output_tokens": 1, "cache_read_tokens": 0, "cache_write_tokens": 0, "cost_usd": cost});
        let events = [
            event("agent", json!({"agent": "impl", "outcome": {"result": {"usage": usage(10, Some(0.5))}}})),
            event("agent", json!({"agent": "val", "outcome": {"result": {"usage": usage(5, None)}}})),
            event("agent", json!({"agent": "impl", "outcome": {"result": {"usage": usage(1, Some(0.25))}}})),
            event("agent", json!({"agent": "po", "outcome": {}})),
            event("gate", json!({"mean": 1.0})),
        ];
        let run = from_events(&events).unwrap();
        assert_eq!(
            (run.total.input_tokens, run.total.output_tokens, run.total.cost_usd),
            (16, 3, Some(0.75))
        );
        assert_eq!(run.agents["impl"].input_tokens, 11);
        assert_eq!(run.agents["val"].cost_usd, None);
        assert!(!run.agents.contains_key("po"));
        assert_eq!(describe(&run.total), "16 in / 3 out tokens, $0.7500");
        assert!(from_events(&events[3..]).is_none());
    }
}
