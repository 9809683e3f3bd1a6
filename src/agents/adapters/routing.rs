//! Pointing a CLI at the provider its agent is routed to, with that provider's own key only.
//!
//! Each CLI reads its credentials under its vendor's names. An agent routed to a provider whose
//! variables are those names (`anthropic` for Claude Code, `openai` for Codex, `gemini` or
//! `google` for Gemini CLI) gets them as they are. An agent routed to another provider that
//! speaks the same protocol gets that provider's key under the CLI's name and the provider's
//! endpoint: Claude Code reads `ANTHROPIC_BASE_URL` and `ANTHROPIC_AUTH_TOKEN` (sent as a bearer
//! token) — the documented set-up of Anthropic-compatible providers such as Z.ai
//! (docs.z.ai, Claude Code) and OpenRouter (openrouter.ai/docs, Claude Code integration, which
//! also blanks `ANTHROPIC_API_KEY`); Codex reads `OPENAI_BASE_URL` and `OPENAI_API_KEY`.
//! Without an endpoint the key would go to the vendor's own API, so that is refused. aider and
//! opencode read every provider's own variables: they get them unchanged.

use crate::agents::providers::credentials_of;
use crate::config::agents::{AgentKind, ProviderConfig};
use indexmap::IndexMap;

/// Anthropic-compatible endpoints of well-known providers, used when `base_url` is not set.
const ANTHROPIC_COMPATIBLE: &[(&str, &str)] =
    &[("zai", "https://api.z.ai/api/anthropic"), ("openrouter", "https://openrouter.ai/api")];

/// What one CLI reads: its key variables, its endpoint variable, its bearer-key variable.
struct Protocol {
    native: &'static [&'static str],
    base_url_var: Option<&'static str>,
    key_var: &'static str,
    /// Variables blanked so that the CLI uses the routed key only.
    blank: &'static [&'static str],
    known_endpoints: &'static [(&'static str, &'static str)],
}

fn protocol(kind: AgentKind) -> Option<Protocol> {
    match kind {
        AgentKind::ClaudeCode => Some(Protocol {
            native: &["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"],
            base_url_var: Some("ANTHROPIC_BASE_URL"),
            key_var: "ANTHROPIC_AUTH_TOKEN",
            blank: &["ANTHROPIC_API_KEY"],
            known_endpoints: ANTHROPIC_COMPATIBLE,
        }),
        AgentKind::Codex => Some(Protocol {
            native: &["OPENAI_API_KEY"],
            base_url_var: Some("OPENAI_BASE_URL"),
            key_var: "OPENAI_API_KEY",
            blank: &[],
            known_endpoints: &[],
        }),
        AgentKind::Gemini => Some(Protocol {
            native: &["GEMINI_API_KEY", "GOOGLE_API_KEY"],
            base_url_var: None,
            key_var: "GEMINI_API_KEY",
            blank: &[],
            known_endpoints: &[],
        }),
        AgentKind::Command | AgentKind::Aider | AgentKind::Opencode | AgentKind::Person => None,
    }
}

/// The variables to add to an agent of `kind` routed to `provider`, whose own credentials
/// (`credentials`, name and value) it already gets. `Err` says why it cannot be routed.
pub fn cli_env(
    kind: AgentKind,
    provider: Option<&str>,
    providers: &IndexMap<String, ProviderConfig>,
    credentials: &[(String, String)],
) -> Result<Vec<(String, String)>, String> {
    let (Some(p), Some(name)) = (protocol(kind), provider) else { return Ok(Vec::new()) };
    let config = providers.get(name);
    let base_url = config.and_then(|c| c.base_url.clone()).or_else(|| {
        p.known_endpoints.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, url)| url.to_string())
    });
    let names = credentials_of(name, providers);
    let has = |var: &str| credentials.iter().any(|(k, _)| k == var);
    if names.iter().any(|n| p.native.contains(&n.as_str())) {
        // The vendor's own variables: the CLI reads them as they are.
        let mut env = Vec::new();
        if let (Some(var), Some(url)) = (p.base_url_var, config.and_then(|c| c.base_url.clone())) {
            if !has(var) {
                env.push((var.to_string(), url));
            }
        }
        return Ok(env);
    }
    let Some(base_var) = p.base_url_var else {
        return Err(format!(
            "the {} CLI talks to its vendor's API only, and provider {name} holds none of {}",
            kind.as_str(),
            p.native.join(", ")
        ));
    };
    let Some(url) = base_url else {
        return Err(format!(
            "provider {name} has no base_url: {} would send its key to its vendor's API",
            kind.as_str()
        ));
    };
    let wanted = config.and_then(|c| c.api_key_env.clone());
    let key = credentials.iter().find(|(k, _)| match &wanted {
        Some(w) => k == w,
        None => names.contains(k) && (k.ends_with("_KEY") || k.ends_with("_TOKEN")),
    });
    let Some((_, key)) = key else {
        let which = wanted.unwrap_or_else(|| names.join(" or "));
        return Err(format!("no API key of provider {name} is set ({which})"));
    };
    let mut env = vec![(base_var.to_string(), url), (p.key_var.to_string(), key.clone())];
    env.extend(p.blank.iter().map(|v| (v.to_string(), String::new())));
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn an_anthropic_compatible_provider_gets_its_own_key_under_claudes_names() {
        let providers = IndexMap::new();
        let env = cli_env(AgentKind::ClaudeCode, Some("zai"), &providers, &vars(&[("ZAI_API_KEY", "z-key")]));
        assert_eq!(
            env.unwrap(),
            vars(&[
                ("ANTHROPIC_BASE_URL", "https://api.z.ai/api/anthropic"),
                ("ANTHROPIC_AUTH_TOKEN", "z-key"),
                ("ANTHROPIC_API_KEY", "")
            ])
        );
        let native = cli_env(
            AgentKind::ClaudeCode,
            Some("anthropic"),
            &providers,
            &vars(&[("ANTHROPIC_API_KEY", "a")]),
        );
        assert_eq!(native.unwrap(), [], "the vendor's own names pass unchanged");
        assert_eq!(cli_env(AgentKind::ClaudeCode, None, &providers, &[]).unwrap(), []);
    }

    #[test]
    fn a_configured_endpoint_and_key_name_win_and_no_endpoint_is_refused() {
        let mut providers = IndexMap::new();
        providers.insert(
            "gateway".to_string(),
            ProviderConfig {
                env: vec!["GW_ORG".into(), "GW_SECRET".into()],
                base_url: Some("https://llm.example/v1".into()),
                api_key_env: Some("GW_SECRET".into()),
                ..Default::default()
            },
        );
        providers.insert(
            "bare".to_string(),
            ProviderConfig { env: vec!["BARE_KEY".into()], ..Default::default() },
        );
        let creds = vars(&[("GW_ORG", "org"), ("GW_SECRET", "s")]);
        let env = cli_env(AgentKind::Codex, Some("gateway"), &providers, &creds).unwrap();
        assert_eq!(env, vars(&[("OPENAI_BASE_URL", "https://llm.example/v1"), ("OPENAI_API_KEY", "s")]));
        let err = cli_env(AgentKind::ClaudeCode, Some("bare"), &providers, &vars(&[("BARE_KEY", "b")]))
            .unwrap_err();
        assert!(err.contains("no base_url"), "{err}");
        let err = cli_env(AgentKind::ClaudeCode, Some("zai"), &providers, &[]).unwrap_err();
        assert!(err.contains("no API key of provider zai"), "{err}");
        let err =
            cli_env(AgentKind::Gemini, Some("zai"), &providers, &vars(&[("ZAI_API_KEY", "z")])).unwrap_err();
        assert!(err.contains("vendor's API only"), "{err}");
        assert_eq!(cli_env(AgentKind::Aider, Some("zai"), &providers, &[]).unwrap(), []);
    }
}
