//! The report block an adapter agent writes in its final message:
//!
//! ````text
//! ```cfn-report
//! {"confidence": 0.9, "status": "ok", "payload": {"feedback": "…"}}
//! ```
//! ````
//!
//! `confidence` (0 to 1) is required; `status` is `ok` (default) or `failed`; `payload` is any
//! JSON (a product owner's holds `"decision"`). Unknown fields are refused, so a misplaced
//! `decision` is an error the agent hears about, not a silent ITERATE. The last block counts.

use serde::{Deserialize, Serialize};

/// The info string that opens a report block.
pub const FENCE_TAG: &str = "cfn-report";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportBlock {
    pub confidence: f64,
    #[serde(default = "ok")]
    pub status: String,
    #[serde(default)]
    pub payload: Option<serde_json::Value>,
}

fn ok() -> String {
    "ok".to_string()
}

/// The last report block of `text`: `None` when there is none, `Err` when the last one is not
/// a valid report.
pub fn last_in(text: &str) -> Option<Result<ReportBlock, String>> {
    let mut last = None;
    let mut open: Option<Vec<&str>> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        match &mut open {
            None => {
                if let Some(rest) = trimmed.strip_prefix("```") {
                    if rest.trim() == FENCE_TAG {
                        open = Some(Vec::new());
                    }
                }
            }
            Some(body) => {
                if trimmed == "```" {
                    last = Some(body.join("\n"));
                    open = None;
                } else {
                    body.push(line);
                }
            }
        }
    }
    last.map(|body| parse(&body))
}

fn parse(body: &str) -> Result<ReportBlock, String> {
    let block: ReportBlock = serde_json::from_str(body).map_err(|e| e.to_string())?;
    if !(0.0..=1.0).contains(&block.confidence) {
        return Err(format!("confidence {} is not between 0 and 1", block.confidence));
    }
    if block.status != "ok" && block.status != "failed" {
        return Err(format!("status {:?} is neither \"ok\" nor \"failed\"", block.status));
    }
    Ok(block)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_valid_block_counts() {
        let text = "Done.\n```cfn-report\n{\"confidence\": 0.2}\n```\nthen\n  ```cfn-report\n  {\"confidence\": 0.9, \"status\": \"ok\", \"payload\": {\"decision\": \"PROCEED\"}}\n  ```\n";
        let block = last_in(text).unwrap().unwrap();
        assert_eq!(block.confidence, 0.9);
        assert_eq!(block.payload.unwrap()["decision"], "PROCEED");
        let minimal = last_in("```cfn-report\n{\"confidence\": 1}\n```").unwrap().unwrap();
        assert_eq!((minimal.status.as_str(), minimal.payload), ("ok", None));
    }

    #[test]
    fn no_block_and_bad_blocks() {
        assert!(last_in("no report here\n```json\n{\"confidence\": 1}\n```").is_none());
        assert!(last_in("```cfn-report\n{\"confidence\": 1}\n").is_none(), "never closed");
        for (body, why) in [
            ("{\"confidence\": 1.5}", "between 0 and 1"),
            ("{\"confidence\": 0.5, \"status\": \"great\"}", "neither"),
            ("{\"confidence\": 0.9, \"decision\": \"PROCEED\"}", "unknown field"),
            ("{\"status\": \"ok\"}", "missing field"),
            ("not json", "expected"),
        ] {
            let err = last_in(&format!("```cfn-report\n{body}\n```")).unwrap().unwrap_err();
            assert!(err.contains(why), "{body}: {err}");
        }
    }
}
