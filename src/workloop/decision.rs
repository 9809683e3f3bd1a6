//! The product owner's decision: a JSON report whose `decision` is exactly `PROCEED`,
//! `ITERATE` or `ABORT`. Anything else — a missing report, a failed one, "cannot PROCEED,
//! ITERATE", lower case — is ITERATE, never PROCEED.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Decision {
    Proceed,
    Iterate,
    Abort,
    /// cfn's own decision, never the product owner's: an iteration reverted the previous one
    /// (workloop/oscillation.rs), so iterating again would spend iterations going back and forth.
    Escalate,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Proceed => "PROCEED",
            Decision::Iterate => "ITERATE",
            Decision::Abort => "ABORT",
            Decision::Escalate => "ESCALATE",
        }
    }
}

/// The decision in a report's payload; `None` payloads and anything unexpected are ITERATE.
pub fn parse_decision(payload: Option<&serde_json::Value>) -> Decision {
    match payload.and_then(|p| p.get("decision")).and_then(|d| d.as_str()) {
        Some("PROCEED") => Decision::Proceed,
        Some("ABORT") => Decision::Abort,
        _ => Decision::Iterate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_exact_words_count() {
        assert_eq!(parse_decision(Some(&json!({"decision": "PROCEED"}))), Decision::Proceed);
        assert_eq!(parse_decision(Some(&json!({"decision": "ABORT"}))), Decision::Abort);
        for fuzzy in ["cannot PROCEED, ITERATE", "proceed", "PROCEED ", "PROCEED!", "", "ESCALATE"] {
            assert_eq!(parse_decision(Some(&json!({ "decision": fuzzy }))), Decision::Iterate, "{fuzzy}");
        }
        assert_eq!(parse_decision(Some(&json!({"decision": true}))), Decision::Iterate);
        assert_eq!(parse_decision(None), Decision::Iterate);
    }
}
