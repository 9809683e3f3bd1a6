//! A run's budgets (`[loop] max_wall_seconds`, `max_tokens`, `max_cost_usd`): checked after
//! every phase, and the wall time also bounds each agent's and check's own timeout. Exceeding
//! one ends the run as `budget`. Tokens are the input plus output tokens the CLI agents
//! reported (as `cfn loop status` shows them); cost is the sum of the costs they reported.

use super::usage::RunUsage;
use crate::config::agents::LoopConfig;
use crate::error::UserError;
use anyhow::Result;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default)]
pub struct Budget {
    pub max_wall: Option<Duration>,
    pub max_tokens: Option<u64>,
    pub max_cost_usd: Option<f64>,
}

impl Budget {
    pub fn from_config(l: &LoopConfig) -> Result<Budget> {
        let positive = |key: &str, value: Option<f64>| -> Result<Option<f64>> {
            match value {
                Some(v) if !(v.is_finite() && v > 0.0) => {
                    Err(UserError::usage(format!("loop.{key} must be a positive number, not {v}"))
                        .hint(format!(
                            "set loop.{key} in cfn.toml (see docs/loop.md#budgets), or leave it out"
                        ))
                        .into())
                }
                other => Ok(other),
            }
        };
        let max_wall = positive("max_wall_seconds", l.max_wall_seconds)?.map(Duration::from_secs_f64);
        let max_cost_usd = positive("max_cost_usd", l.max_cost_usd)?;
        positive("max_tokens", l.max_tokens.map(|t| t as f64))?;
        Ok(Budget { max_wall, max_tokens: l.max_tokens, max_cost_usd })
    }

    /// When the run must end at the latest (its start plus the wall-time budget).
    pub fn deadline(&self, started: Instant) -> Option<Instant> {
        self.max_wall.map(|d| started + d)
    }

    /// Why the run is over its budget, if it is.
    pub fn exceeded(&self, started: Instant, usage: Option<&RunUsage>) -> Option<String> {
        if let Some(max) = self.max_wall {
            let spent = started.elapsed();
            if spent >= max {
                return Some(format!(
                    "the run took {:.1}s, over loop.max_wall_seconds {}",
                    spent.as_secs_f64(),
                    max.as_secs_f64()
                ));
            }
        }
        let total = usage.map(|u| u.total.clone()).unwrap_or_default();
        let tokens = total.input_tokens + total.output_tokens;
        if let Some(max) = self.max_tokens.filter(|max| tokens > *max) {
            return Some(format!("the agents used {tokens} tokens, over loop.max_tokens {max}"));
        }
        let cost = total.cost_usd.unwrap_or(0.0);
        if let Some(max) = self.max_cost_usd.filter(|max| cost > *max) {
            return Some(format!("the agents cost ${cost:.4}, over loop.max_cost_usd {max}"));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::adapters::Usage;

    fn usage(tokens: u64, cost: Option<f64>) -> RunUsage {
        let total = Usage { input_tokens: tokens, output_tokens: 0, cost_usd: cost, ..Usage::default() };
        RunUsage { total, agents: Default::default() }
    }

    #[test]
    fn each_budget_is_exceeded_only_past_its_limit() {
        let b = Budget { max_wall: None, max_tokens: Some(100), max_cost_usd: Some(0.5) };
        let now = Instant::now();
        assert_eq!(b.exceeded(now, None), None);
        assert_eq!(b.exceeded(now, Some(&usage(100, Some(0.5)))), None, "reaching a limit is within it");
        assert!(b
            .exceeded(now, Some(&usage(101, None)))
            .unwrap()
            .contains("101 tokens, over loop.max_tokens 100"));
        assert!(b
            .exceeded(now, Some(&usage(1, Some(0.75))))
            .unwrap()
            .contains("$0.7500, over loop.max_cost_usd 0.5"));
        let wall = Budget { max_wall: Some(Duration::from_millis(1)), ..Budget::default() };
        std::thread::sleep(Duration::from_millis(5));
        assert!(wall.exceeded(now, None).unwrap().contains("over loop.max_wall_seconds 0.001"));
    }

    #[test]
    fn a_budget_must_be_positive() {
        for bad in ["max_wall_seconds = 0", "max_cost_usd = -1", "max_tokens = 0"] {
            let l: LoopConfig = toml::from_str(bad).unwrap();
            let err = Budget::from_config(&l).unwrap_err();
            assert!(
                err.downcast_ref::<UserError>().unwrap().message.contains("must be a positive number"),
                "{bad}"
            );
        }
    }
}
