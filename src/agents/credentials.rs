//! The orchestrator's hold on provider credentials.
//!
//! Agents run model-written commands as the caller's user, so anything cfn holds in a form
//! another process of that user can read is theirs. At the start of a run the orchestrator:
//!
//! 1. marks itself **non-dumpable** (`PR_SET_DUMPABLE` 0): `/proc/<pid>/environ`, `mem` and
//!    `ptrace` of the cfn process are then refused to every process without `CAP_SYS_PTRACE`,
//!    even of the same user, and it leaves no core dump. This is what protects the keys: the
//!    kernel keeps serving the environment cfn was started with from its stack, whatever cfn
//!    later removes from its own variables.
//! 2. takes every provider's credential variables **out of its own environment** into a
//!    [`Keyring`], so no program cfn starts inherits them by accident;
//! 3. hands an agent only its own provider's credentials, when it starts that agent.

use super::providers::{all_credentials, credentials_of};
use crate::config::agents::ProviderConfig;
use anyhow::{Context as _, Result};
use indexmap::IndexMap;
use std::collections::HashMap;

/// Provider credentials taken out of cfn's environment, handed out per agent.
#[derive(Default)]
pub struct Keyring {
    keys: HashMap<String, String>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: a key never reaches a log line.
        let mut names: Vec<&String> = self.keys.keys().collect();
        names.sort();
        f.debug_struct("Keyring").field("names", &names).finish()
    }
}

impl Keyring {
    /// Removes every provider's credential variables from this process's environment and keeps
    /// their values. Call it before any thread or child process is started.
    pub fn take_from_env(providers: &IndexMap<String, ProviderConfig>) -> Keyring {
        let mut keys = HashMap::new();
        for name in all_credentials(providers) {
            if let Ok(value) = std::env::var(&name) {
                keys.insert(name.clone(), value);
            }
            if std::env::var_os(&name).is_some() {
                std::env::remove_var(&name);
            }
        }
        Keyring { keys }
    }

    /// The credentials of `provider` that were set, to put into its agent's environment.
    pub fn credentials(
        &self,
        provider: Option<&str>,
        providers: &IndexMap<String, ProviderConfig>,
    ) -> Vec<(String, String)> {
        let Some(provider) = provider else { return Vec::new() };
        credentials_of(provider, providers)
            .into_iter()
            .filter_map(|name| self.keys.get(&name).map(|value| (name, value.clone())))
            .collect()
    }
}

/// Makes this process non-dumpable: no other process without `CAP_SYS_PTRACE` may read its
/// memory or `/proc/<pid>/environ`, and it writes no core dump.
#[cfg(target_os = "linux")]
pub fn make_undumpable() -> Result<()> {
    use rustix::process::{set_dumpable_behavior, DumpableBehavior};
    set_dumpable_behavior(DumpableBehavior::NotDumpable).context("cannot mark cfn non-dumpable (prctl)")
}

#[cfg(not(target_os = "linux"))]
pub fn make_undumpable() -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agent_gets_only_its_providers_keys_and_debug_shows_no_value() {
        let mut providers = IndexMap::new();
        providers
            .insert("custom".into(), ProviderConfig { env: vec!["CUSTOM_KEY".into()], ..Default::default() });
        let keyring = Keyring {
            keys: HashMap::from([
                ("ANTHROPIC_API_KEY".to_string(), "a-secret".to_string()),
                ("OPENAI_API_KEY".to_string(), "o-secret".to_string()),
                ("CUSTOM_KEY".to_string(), "c-secret".to_string()),
            ]),
        };
        let names = |p| keyring.credentials(p, &providers).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(names(Some("anthropic")), ["ANTHROPIC_API_KEY"]);
        assert_eq!(names(Some("custom")), ["CUSTOM_KEY"]);
        assert!(names(None).is_empty());
        assert!(names(Some("unknown")).is_empty());
        assert!(!format!("{keyring:?}").contains("secret"));
    }
}
