//! Which provider an agent uses, and the environment it runs with.
//!
//! Routing: the profile's `provider`; else a rule (a high-complexity run →
//! `CFN_HIGH_COMPLEXITY_PROVIDER`, a cost-sensitive run → `CFN_COST_PROVIDER`); else
//! `CFN_DEFAULT_PROVIDER`; else `[loop] default_provider`.
//!
//! Credentials: the variables configured under `[providers.*]` and the well-known ones below.
//! The orchestrator takes them all out of its own environment at start (`keyring.rs`) and hands
//! an agent only its own provider's, so no agent ever holds another provider's key.

use crate::config::agents::{AgentProfile, ProviderConfig};
use indexmap::IndexMap;
use serde::Serialize;
use std::collections::HashSet;

// Credential variables of well-known providers, by provider name.
use crate::names::PROVIDER_VARIABLES as KNOWN;

#[derive(Debug, Clone, Serialize)]
pub struct Routing {
    pub provider: Option<String>,
    /// Why: `profile`, `high-complexity rule`, `cost rule`, `CFN_DEFAULT_PROVIDER`, `config`.
    pub source: &'static str,
}

pub fn route_provider(
    profile: &AgentProfile,
    high_complexity: bool,
    cost_sensitive: bool,
    config_default: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Routing {
    let set = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let routed = |provider: String, source| Routing { provider: Some(provider), source };
    if let Some(p) = set(profile.provider.clone()) {
        return routed(p, "profile");
    }
    if high_complexity {
        if let Some(p) = set(env("CFN_HIGH_COMPLEXITY_PROVIDER")) {
            return routed(p, "high-complexity rule");
        }
    }
    if cost_sensitive {
        if let Some(p) = set(env("CFN_COST_PROVIDER")) {
            return routed(p, "cost rule");
        }
    }
    if let Some(p) = set(env("CFN_DEFAULT_PROVIDER")) {
        return routed(p, "CFN_DEFAULT_PROVIDER");
    }
    match config_default {
        Some(p) => routed(p.to_string(), "config"),
        None => Routing { provider: None, source: "none" },
    }
}

/// The credential variables of one provider: its configured ones and, for a well-known
/// provider, the usual names.
pub fn credentials_of(name: &str, providers: &IndexMap<String, ProviderConfig>) -> Vec<String> {
    let mut vars: Vec<String> = providers.get(name).map(|p| p.env.clone()).unwrap_or_default();
    for (known, names) in KNOWN {
        if name.eq_ignore_ascii_case(known) {
            vars.extend(names.iter().map(|n| n.to_string()));
        }
    }
    vars
}

/// Every provider's credential variables: the configured ones and the well-known ones.
pub fn all_credentials(providers: &IndexMap<String, ProviderConfig>) -> HashSet<String> {
    let mut names: HashSet<String> =
        KNOWN.iter().flat_map(|(_, names)| names.iter().map(|n| n.to_string())).collect();
    names.extend(providers.values().flat_map(|p| p.env.iter().cloned()));
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(provider: Option<&str>) -> AgentProfile {
        AgentProfile {
            role: super::super::Role::Implementer,
            kind: Default::default(),
            command: None,
            program: None,
            args: Vec::new(),
            prompt_template: None,
            image: None,
            confidence: None,
            provider: provider.map(str::to_string),
            model: None,
            temperature: None,
            max_tokens: None,
            timeout: None,
            memory: None,
            cpus: None,
            pids: None,
            env: Vec::new(),
            skills: Vec::new(),
        }
    }

    #[test]
    fn routing_order() {
        let env = |k: &str| match k {
            "CFN_HIGH_COMPLEXITY_PROVIDER" => Some("anthropic".to_string()),
            "CFN_COST_PROVIDER" => Some("zai".to_string()),
            "CFN_DEFAULT_PROVIDER" => Some("openai".to_string()),
            _ => None,
        };
        assert_eq!(route_provider(&profile(Some("x")), true, true, None, &env).source, "profile");
        assert_eq!(
            route_provider(&profile(None), true, true, None, &env).provider.as_deref(),
            Some("anthropic")
        );
        assert_eq!(route_provider(&profile(None), false, true, None, &env).provider.as_deref(), Some("zai"));
        assert_eq!(
            route_provider(&profile(None), false, false, None, &env).provider.as_deref(),
            Some("openai")
        );
        let none = |_: &str| None;
        assert_eq!(route_provider(&profile(None), false, false, Some("cfg"), &none).source, "config");
    }

    #[test]
    fn credentials_are_known_and_configured_names() {
        let mut providers = IndexMap::new();
        providers
            .insert("custom".into(), ProviderConfig { env: vec!["CUSTOM_KEY".into()], ..Default::default() });
        assert_eq!(credentials_of("custom", &providers), ["CUSTOM_KEY"]);
        assert!(credentials_of("Anthropic", &providers).contains(&"ANTHROPIC_API_KEY".to_string()));
        let all = all_credentials(&providers);
        for name in ["CUSTOM_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY"] {
            assert!(all.contains(name), "{name}");
        }
    }
}
