//! Report tokens: proof that a report comes from the agent it names.
//!
//! Every agent turn gets a fresh random token in `CFN_AGENT_TOKEN`. The token itself never goes
//! on the bus: `cfn agent report` puts there
//!
//! - a **key id** (a hash of the token), which makes the report's slot on the bus its own: a
//!   report another agent wrote first under the same agent id lands in a different slot and
//!   cannot take the real report's place ("the first report wins" holds per token);
//! - a **proof**, HMAC-SHA-256 keyed by the token over the task, agent, iteration, confidence,
//!   status, payload and key id. Only the orchestrator, which made the token, can check it.
//!
//! The loop accepts a report only when its proof verifies with the token it gave that agent for
//! that iteration; any other report under the agent's id is refused and recorded.

use crate::bus::Report;
use anyhow::Result;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::{Digest as _, Sha256};

/// The variable an agent finds its token in.
pub const TOKEN_VAR: &str = "CFN_AGENT_TOKEN";

/// One agent turn's secret.
#[derive(Clone, PartialEq, Eq)]
pub struct AgentToken(String);

impl std::fmt::Debug for AgentToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AgentToken(***)")
    }
}

impl AgentToken {
    /// 256 random bits from the operating system, as hex.
    pub fn random() -> Result<AgentToken> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for an agent token: {e}"))?;
        Ok(AgentToken(crate::names::hex(&bytes)))
    }

    /// The token an agent was started with, if any.
    pub fn from_env() -> Option<AgentToken> {
        std::env::var(TOKEN_VAR).ok().filter(|t| !t.is_empty()).map(AgentToken)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The public name of the token: safe on the bus, useless for signing.
    pub fn key_id(&self) -> String {
        let digest = Sha256::digest(format!("cfn-report-key-id\n{}", self.0).as_bytes());
        crate::names::hex(&digest)[..32].to_string()
    }

    /// Fills in the report's key id and proof.
    pub fn sign(&self, task: &str, mut report: Report) -> Report {
        report.key_id = Some(self.key_id());
        report.proof = None;
        report.proof = Some(crate::names::hex(&self.mac(task, &report).finalize().into_bytes()));
        report
    }

    /// Whether `report` was signed with this token for `task`.
    pub fn verifies(&self, task: &str, report: &Report) -> bool {
        let (Some(key_id), Some(proof)) = (&report.key_id, &report.proof) else { return false };
        let Some(proof) = unhex(proof) else { return false };
        *key_id == self.key_id() && self.mac(task, report).verify_slice(&proof).is_ok()
    }

    fn mac(&self, task: &str, report: &Report) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256>>::new_from_slice(self.0.as_bytes()).expect("HMAC takes any key length");
        // A `null` payload reads back from the bus as none: both sign the same.
        let payload =
            report.payload.as_ref().filter(|p| !p.is_null()).map(|p| p.to_string()).unwrap_or_default();
        let status = serde_json::to_string(&report.status).unwrap_or_default();
        // Length-prefixed fields: no two different reports give the same message.
        for field in [
            task,
            &report.agent,
            &report.iteration.to_string(),
            &format!("{:016x}", report.confidence.to_bits()),
            &status,
            &payload,
            report.key_id.as_deref().unwrap_or(""),
        ] {
            mac.update(&(field.len() as u64).to_be_bytes());
            mac.update(field.as_bytes());
        }
        mac
    }
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::Status;

    #[test]
    fn a_proof_verifies_only_with_its_token_task_and_content() -> Result<()> {
        let (mine, theirs) = (AgentToken::random()?, AgentToken::random()?);
        let report = Report::new("val-1", 2, 0.9, Status::Ok, Some(serde_json::json!({"a": 1})))?;
        let signed = mine.sign("t1", report.clone());
        assert!(mine.verifies("t1", &signed));
        assert!(!theirs.verifies("t1", &signed), "another agent's token");
        assert!(!mine.verifies("t2", &signed), "another task");
        let mut changed = signed.clone();
        changed.confidence = 1.0;
        assert!(!mine.verifies("t1", &changed), "changed after signing");
        let mut renamed = signed.clone();
        renamed.agent = "po".into();
        assert!(!mine.verifies("t1", &renamed), "reported under another id");
        assert!(!mine.verifies("t1", &report), "unsigned");
        assert_eq!(format!("{mine:?}"), "AgentToken(***)");
        let round = Report::from_json(&signed.to_json()?)?;
        assert!(mine.verifies("t1", &round), "survives the bus's JSON");
        let null = mine.sign("t1", Report::new("val-1", 1, 0.5, Status::Ok, Some(serde_json::Value::Null))?);
        assert!(mine.verifies("t1", &Report::from_json(&null.to_json()?)?), "a null payload too");
        Ok(())
    }
}
