//! Which provider an agent uses, and the environment it runs with.
//!
//! Routing: the profile's `provider`; else a rule (a high-complexity run →
//! `CFN_HIGH_COMPLEXITY_PROVIDER`, a cost-sensitive run → `CFN_COST_PROVIDER`); else
//! `CFN_DEFAULT_PROVIDER`; else `[loop] default_provider`.
//!
//! Credentials: an agent's environment is the caller's with EVERY provider's credential
//! variables removed — those configured under `[providers.*]` and the well-known ones below —
//! and then its own provider's put back. So no agent ever holds another provider's key.

use super::config::{AgentProfile, ProviderConfig};
use indexmap::IndexMap;
use serde::Serialize;
use std::collections::HashSet;

/// Credential variables of well-known providers, by provider name.
const KNOWN: &[(&str, &[&str])] = &[
    ("anthropic", &["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"]),
    ("openai", &["OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID"]),
    ("openrouter", &["OPENROUTER_API_KEY"]),
    ("zai", &["ZAI_API_KEY", "Z_AI_API_KEY"]),
    ("gemini", &["GEMINI_API_KEY", "GOOGLE_API_KEY"]),
    ("google", &["GEMINI_API_KEY", "GOOGLE_API_KEY"]),
    ("mistral", &["MISTRAL_API_KEY"]),
    ("groq", &["GROQ_API_KEY"]),
    ("deepseek", &["DEEPSEEK_API_KEY"]),
    ("xai", &["XAI_API_KEY"]),
    ("azure", &["AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT"]),
    ("cohere", &["COHERE_API_KEY"]),
];

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
fn credentials_of<'a>(name: &str, providers: &'a IndexMap<String, ProviderConfig>) -> Vec<&'a str> {
    let mut vars: Vec<&str> =
        providers.get(name).map(|p| p.env.iter().map(String::as_str).collect()).unwrap_or_default();
    for (known, names) in KNOWN {
        if name.eq_ignore_ascii_case(known) {
            vars.extend(names.iter().copied());
        }
    }
    vars
}

/// `parent` without any provider's credentials, plus those of `own` (from `parent`).
pub fn agent_environment(
    parent: impl IntoIterator<Item = (String, String)>,
    providers: &IndexMap<String, ProviderConfig>,
    own: Option<&str>,
) -> Vec<(String, String)> {
    let mut secret: HashSet<&str> = KNOWN.iter().flat_map(|(_, names)| names.iter().copied()).collect();
    secret.extend(providers.values().flat_map(|p| p.env.iter().map(String::as_str)));
    let mine: HashSet<&str> =
        own.map(|o| credentials_of(o, providers).into_iter().collect()).unwrap_or_default();
    parent.into_iter().filter(|(k, _)| !secret.contains(k.as_str()) || mine.contains(k.as_str())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(provider: Option<&str>) -> AgentProfile {
        AgentProfile {
            role: super::super::Role::Implementer,
            command: None,
            image: None,
            provider: provider.map(str::to_string),
            model: None,
            temperature: None,
            max_tokens: None,
            timeout: None,
            memory: None,
            cpus: None,
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
    fn an_agent_sees_only_its_own_providers_key() {
        let mut providers = IndexMap::new();
        providers.insert("custom".into(), ProviderConfig { env: vec!["CUSTOM_KEY".into()], model: None });
        let parent = vec![
            ("PATH".to_string(), "/bin".to_string()),
            ("ANTHROPIC_API_KEY".to_string(), "a".to_string()),
            ("OPENAI_API_KEY".to_string(), "o".to_string()),
            ("CUSTOM_KEY".to_string(), "c".to_string()),
        ];
        let env = agent_environment(parent.clone(), &providers, Some("anthropic"));
        let names: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["PATH", "ANTHROPIC_API_KEY"]);
        let env = agent_environment(parent.clone(), &providers, Some("custom"));
        let names: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["PATH", "CUSTOM_KEY"]);
        let env = agent_environment(parent, &providers, None);
        assert_eq!(env.len(), 1);
    }
}
