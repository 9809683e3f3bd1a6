//! A run's settings, checked before anything starts: mode, thresholds, iteration limit and the
//! team, every agent of which must exist with the right role.

use crate::agents::{AgentKind, AgentProfile, Mode, Role};
use crate::config::agents::{ConfidenceSource, Isolation, LoopCheck, DEFAULT_CHECK_TIMEOUT};
use crate::config::Config;
use crate::error::UserError;
use anyhow::Result;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: Mode,
    pub gate: f64,
    pub consensus: f64,
    pub max_iterations: u32,
    pub phase_timeout: Duration,
    pub implementers: Vec<(String, AgentProfile)>,
    pub validators: Vec<(String, AgentProfile)>,
    pub product_owner: (String, AgentProfile),
    /// `[loop.checks]`, in cfn.toml order, each with its timeout.
    pub checks: Vec<(String, Vec<String>, Duration)>,
    pub gate_requires: Vec<String>,
    pub budget: super::budget::Budget,
    pub isolation: crate::config::agents::Isolation,
    /// How long a product owner who is a person has to decide.
    pub decision_timeout: Duration,
}

/// Seconds an agent may run when its profile sets no timeout.
pub const DEFAULT_AGENT_TIMEOUT: f64 = 300.0;
const DEFAULT_PHASE_TIMEOUT: f64 = 900.0;

impl Settings {
    pub fn resolve(config: &Config, mode: Option<Mode>, max_iterations: Option<u32>) -> Result<Settings> {
        let l = &config.work_loop;
        let mode = mode.unwrap_or(l.mode);
        let (gate, consensus, max) = mode.defaults();
        let gate = l.gate_threshold.unwrap_or(gate);
        let consensus = l.consensus_threshold.unwrap_or(consensus);
        for (name, t) in [("gate_threshold", gate), ("consensus_threshold", consensus)] {
            if !(0.0..=1.0).contains(&t) {
                return Err(UserError::usage(format!("loop.{name} must be between 0 and 1, not {t}"))
                    .hint("set it in [loop] of cfn.toml (see docs/loop.md)")
                    .into());
            }
        }
        let max_iterations = max_iterations.or(l.max_iterations).unwrap_or(max);
        if max_iterations == 0 {
            return Err(UserError::usage("--max-iterations must be at least 1")
                .hint("pass --max-iterations 1 or more, or set loop.max_iterations")
                .into());
        }
        let phase_timeout = Duration::try_from_secs_f64(l.phase_timeout.unwrap_or(DEFAULT_PHASE_TIMEOUT))
            .map_err(|_| {
                UserError::usage("loop.phase_timeout must be a positive number of seconds")
                    .hint("set loop.phase_timeout in cfn.toml, e.g. 600")
            })?;
        let team = |ids: &[String], role: Role| -> Result<Vec<(String, AgentProfile)>> {
            ids.iter().map(|id| profile(config, id, role)).collect()
        };
        let implementers = team(&l.implementers, Role::Implementer)?;
        let validators = team(&l.validators, Role::Validator)?;
        let po = l.product_owner.as_deref().ok_or_else(|| {
            UserError::usage("the loop has no product owner").hint("set loop.product_owner in cfn.toml")
        })?;
        if implementers.is_empty() || validators.is_empty() {
            return Err(UserError::usage("the loop needs at least one implementer and one validator")
                .hint("set loop.implementers and loop.validators in cfn.toml (see docs/loop.md)")
                .into());
        }
        let product_owner = profile(config, po, Role::ProductOwner)?;
        if let Some((id, _)) =
            implementers.iter().chain(&validators).find(|(_, p)| p.kind == AgentKind::Person)
        {
            return Err(UserError::usage(format!(
                "agent {id} is a person, and only the product owner may be one"
            ))
            .hint(format!("give agents.{id} a command, or make it the loop's product_owner"))
            .into());
        }
        let decision_timeout = Duration::try_from_secs_f64(
            l.decision_timeout.unwrap_or(super::person::DEFAULT_DECISION_TIMEOUT),
        )
        .ok()
        .filter(|t| !t.is_zero())
        .ok_or_else(|| {
            UserError::usage("loop.decision_timeout must be a positive number of seconds")
                .hint("set loop.decision_timeout in cfn.toml, e.g. 3600")
        })?;
        let checks = l.checks.iter().map(|(name, c)| check(name, c)).collect::<Result<Vec<_>>>()?;
        for required in &l.gate_requires {
            if !l.checks.contains_key(required) {
                return Err(UserError::usage(format!(
                    "loop.gate_requires names {required}, which is not a check"
                ))
                .hint(format!("add [loop.checks.{required}] with its command, or drop it from gate_requires"))
                .into());
            }
        }
        for (id, p) in implementers.iter().chain([&product_owner]) {
            if p.confidence.is_some() {
                return Err(UserError::usage(format!(
                    "agent {id} sets confidence, which only a validator may"
                ))
                .hint(format!("drop agents.{id}.confidence"))
                .into());
            }
        }
        for (id, p) in &validators {
            if p.confidence == Some(ConfidenceSource::Checks) && checks.is_empty() {
                return Err(UserError::usage(format!(
                    "validator {id} takes its confidence from the checks, and the loop has none"
                ))
                .hint("add [loop.checks.<name>] with a command, or set confidence = \"reported\"")
                .into());
            }
        }
        if l.isolation == Isolation::Worktrees {
            if let Some((id, _)) = implementers.iter().find(|(_, p)| p.image.is_some()) {
                return Err(UserError::usage(format!(
                    "implementer {id} runs in a container, which isolation = \"worktrees\" does not support yet"
                ))
                .hint("set [loop] isolation = \"shared\", or run the implementer as a process (drop its image)")
                .into());
            }
        }
        Ok(Settings {
            mode,
            gate,
            consensus,
            max_iterations,
            phase_timeout,
            implementers,
            validators,
            product_owner,
            checks,
            gate_requires: l.gate_requires.clone(),
            budget: super::budget::Budget::from_config(l)?,
            isolation: l.isolation,
            decision_timeout,
        })
    }
}

/// A check's command (not empty) and timeout (positive).
fn check(name: &str, c: &LoopCheck) -> Result<(String, Vec<String>, Duration)> {
    if c.command.first().is_none_or(|p| p.is_empty()) {
        return Err(UserError::usage(format!("loop check {name} has no command"))
            .hint(format!("give loop.checks.{name}.command an argument list, e.g. [\"cargo\", \"test\"]"))
            .into());
    }
    let timeout = Duration::try_from_secs_f64(c.timeout.unwrap_or(DEFAULT_CHECK_TIMEOUT))
        .ok()
        .filter(|t| !t.is_zero())
        .ok_or_else(|| {
            UserError::usage(format!("loop.checks.{name}.timeout must be a positive number of seconds"))
                .hint(format!("set loop.checks.{name}.timeout, e.g. 300"))
        })?;
    Ok((name.to_string(), c.command.clone(), timeout))
}

fn profile(config: &Config, id: &str, role: Role) -> Result<(String, AgentProfile)> {
    let p = config.agents.get(id).ok_or_else(|| {
        UserError::usage(format!("agent {id} is not defined")).hint(format!("add [agents.{id}] to cfn.toml"))
    })?;
    if p.role != role {
        return Err(UserError::usage(format!(
            "agent {id} is a {}, not a {}",
            p.role.as_str(),
            role.as_str()
        ))
        .hint(format!("set agents.{id}.role, or name another agent in [loop]"))
        .into());
    }
    if p.kind == AgentKind::Aider && role != Role::Implementer {
        return Err(verdict_from_tool_output(id, role));
    }
    if p.kind != AgentKind::Command {
        let kind = p.kind.as_str();
        if p.command.is_some() || p.image.is_some() {
            return Err(UserError::usage(format!(
                "agent {id} is of kind {kind}: cfn builds its command, and it runs as a process"
            ))
            .hint(format!(
                "drop agents.{id}.command and image (extra arguments go in args), or set kind = \"command\""
            ))
            .into());
        }
        return Ok((id.to_string(), p.clone()));
    }
    if p.command.as_ref().is_none_or(|c| c.is_empty()) && p.image.is_none() {
        return Err(UserError::usage(format!("agent {id} has neither command nor image"))
            .hint(format!("give agents.{id} a command (an argument list) or an image"))
            .into());
    }
    Ok((id.to_string(), p.clone()))
}

/// aider prints the output of the commands it runs among the model's own messages, with no
/// machine-readable mode to tell them apart: a `cfn-report` block a test or `cat README.md`
/// prints could pass for the agent's report. An implementer's report only decides whether the
/// validators look at the work; a validator's or the product owner's is the verdict itself.
fn verdict_from_tool_output(id: &str, role: Role) -> anyhow::Error {
    UserError::usage(format!(
        "agent {id} is of kind aider, which cannot be a {}: its output mixes the model's messages with \
         the output of the commands it runs, so a printed report could pass for its verdict",
        role.as_str()
    ))
    .hint(format!(
        "keep aider as an implementer; give agents.{id} a kind whose output keeps the model's messages apart \
         (claude-code, codex, gemini, opencode) or your own command (docs/agents.md)"
    ))
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn team(implementer: &str) -> Result<Settings> {
        let toml = format!(
            "[loop]\nimplementers = [\"i\"]\nvalidators = [\"v\"]\nproduct_owner = \"p\"\n\
             [agents.i]\nrole = \"implementer\"\n{implementer}\n\
             [agents.v]\nrole = \"validator\"\nkind = \"codex\"\n\
             [agents.p]\nrole = \"product-owner\"\ncommand = [\"true\"]\n"
        );
        Settings::resolve(&Config::parse(&toml, Path::new("cfn.toml"))?, None, None)
    }

    #[test]
    fn a_cli_kind_needs_no_command_and_takes_neither_command_nor_image() {
        let s = team("kind = \"claude-code\"\nargs = [\"--max-turns\", \"5\"]").unwrap();
        assert_eq!(s.implementers[0].1.kind, AgentKind::ClaudeCode);
        assert_eq!(s.validators[0].1.kind, AgentKind::Codex);
        for bad in ["kind = \"aider\"\ncommand = [\"aider\"]", "kind = \"gemini\"\nimage = \"gemini:1\""] {
            let err = team(bad).unwrap_err();
            let user = err.downcast_ref::<UserError>().unwrap();
            assert!(user.message.contains("cfn builds its command"), "{}", user.message);
            assert!(user.hint.as_deref().unwrap().contains("args"), "{user:?}");
        }
        let err = team("kind = \"cursor\"").unwrap_err();
        assert!(format!("{err:#}").contains("cursor"), "an unknown kind is refused: {err:#}");
        assert!(team("").is_err(), "a command kind still needs a command or image");
    }

    #[test]
    fn aider_implements_but_never_gives_a_verdict() {
        assert_eq!(team("kind = \"aider\"").unwrap().implementers[0].1.kind, AgentKind::Aider);
        let toml = |v: &str, p: &str| {
            format!(
                "[loop]\nimplementers = [\"i\"]\nvalidators = [\"v\"]\nproduct_owner = \"p\"\n\
                 [agents.i]\nrole = \"implementer\"\nkind = \"codex\"\n\
                 [agents.v]\nrole = \"validator\"\nkind = \"{v}\"\n\
                 [agents.p]\nrole = \"product-owner\"\nkind = \"{p}\"\n"
            )
        };
        for (v, p, who) in [("aider", "codex", "v"), ("codex", "aider", "p")] {
            let config = Config::parse(&toml(v, p), Path::new("cfn.toml")).unwrap();
            let err = Settings::resolve(&config, None, None).unwrap_err();
            let user = err.downcast_ref::<UserError>().unwrap();
            assert!(
                user.message.starts_with(&format!("agent {who} is of kind aider, which cannot be")),
                "{user:?}"
            );
            assert!(user.hint.as_deref().unwrap().contains("keep aider as an implementer"), "{user:?}");
        }
    }

    #[test]
    fn only_the_product_owner_may_be_a_person_who_has_a_positive_time_to_decide() {
        let person = "kind = \"person\"";
        let err = team(person).unwrap_err();
        assert!(
            err.downcast_ref::<UserError>().unwrap().message.contains("only the product owner"),
            "{err:#}"
        );
        let toml = |extra: &str| {
            format!(
                "[loop]\nimplementers = [\"i\"]\nvalidators = [\"v\"]\nproduct_owner = \"p\"\n{extra}\n\
                 [agents.i]\nrole = \"implementer\"\ncommand = [\"true\"]\n\
                 [agents.v]\nrole = \"validator\"\ncommand = [\"true\"]\n\
                 [agents.p]\nrole = \"product-owner\"\nkind = \"person\"\n"
            )
        };
        let resolve =
            |extra: &str| Settings::resolve(&Config::parse(&toml(extra), Path::new("cfn.toml"))?, None, None);
        let s = resolve("").unwrap();
        assert_eq!(s.product_owner.1.kind, AgentKind::Person);
        assert_eq!(s.decision_timeout, Duration::from_secs(86_400));
        assert_eq!(resolve("decision_timeout = 60").unwrap().decision_timeout, Duration::from_secs(60));
        for bad in ["decision_timeout = 0", "decision_timeout = -1"] {
            let err = resolve(bad).unwrap_err();
            assert!(format!("{err:#}").contains("decision_timeout"), "{bad}: {err:#}");
        }
    }
}
