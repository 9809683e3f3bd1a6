//! Which reports of a phase count: for each agent, the first report signed with the token the
//! orchestrator gave that agent for this iteration. Every other report under the id of one of
//! the phase's agents — unsigned, signed with another agent's token, changed after signing, over
//! the payload limit — is refused, and the caller records it.

use crate::agents::report_token::AgentToken;
use crate::bus::Report;
use indexmap::IndexMap;
use serde::Serialize;

/// A report that claimed to be an agent's and was not.
#[derive(Debug, Clone, Serialize)]
pub struct Refused {
    pub agent: String,
    pub reason: &'static str,
    pub key_id: Option<String>,
}

/// The accepted report of each agent (`None`: none) and the refused ones, in arrival order.
pub fn accept(
    task: &str,
    arrived: Vec<Report>,
    tokens: &IndexMap<String, AgentToken>,
    max_payload: usize,
) -> (IndexMap<String, Option<Report>>, Vec<Refused>) {
    let mut accepted: IndexMap<String, Option<Report>> = tokens.keys().map(|a| (a.clone(), None)).collect();
    let mut refused = Vec::new();
    for report in arrived {
        // Reports naming agents of other phases are theirs to judge.
        let Some(token) = tokens.get(&report.agent) else { continue };
        let reason = if report.to_json().map_or(true, |json| json.len() > max_payload) {
            Some("over the payload limit")
        } else if report.proof.is_none() {
            Some("not signed")
        } else if !token.verifies(task, &report) {
            Some("not signed with this agent's token")
        } else {
            None
        };
        match reason {
            Some(reason) => {
                refused.push(Refused { agent: report.agent.clone(), reason, key_id: report.key_id.clone() })
            }
            None => {
                let slot = accepted.entry(report.agent.clone()).or_default();
                if slot.is_none() {
                    *slot = Some(report);
                }
            }
        }
    }
    (accepted, refused)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::Status;
    use anyhow::Result;

    #[test]
    fn only_the_agents_own_signed_report_counts() -> Result<()> {
        let (val, imp) = (AgentToken::random()?, AgentToken::random()?);
        let tokens = IndexMap::from([("val".to_string(), val.clone())]);
        let forged_unsigned = Report::new("val", 1, 1.0, Status::Ok, None)?;
        let forged_by_impl = imp.sign("t", Report::new("val", 1, 1.0, Status::Ok, None)?);
        let other_phase = imp.sign("t", Report::new("impl", 1, 0.9, Status::Ok, None)?);
        let real = val.sign("t", Report::new("val", 1, 0.2, Status::Failed, None)?);
        let again = val.sign("t", Report::new("val", 1, 0.9, Status::Ok, None)?);
        let (accepted, refused) = accept(
            "t",
            vec![forged_unsigned, forged_by_impl, other_phase, real.clone(), again],
            &tokens,
            1 << 20,
        );
        assert_eq!(accepted["val"].as_ref(), Some(&real), "the real, first signed report");
        let reasons: Vec<&str> = refused.iter().map(|r| r.reason).collect();
        assert_eq!(reasons, ["not signed", "not signed with this agent's token"]);
        Ok(())
    }
}
