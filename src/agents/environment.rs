//! The environment an agent starts with: an allowlist, never cfn's environment minus a list.
//!
//! An agent gets `PATH`, `HOME`, the locale (`LANG`, `LANGUAGE`, `LC_*`), `TERM`, `TZ`,
//! `CFN_HOME` (so that the `cfn` it calls finds the same registry), `CFN_MAX_PAYLOAD`, the variables its profile names (`[agents.<id>] env`), then the branch's
//! variables, its own provider's credentials and the `CFN_*` variables of its turn (added by
//! the caller). Nothing else passes: `GITHUB_TOKEN`, `AWS_*`, `SSH_AUTH_SOCK` stay with cfn. A
//! variable that is any provider's credential never passes by name: only through the keyring.
//! A container agent keeps its image's `PATH` and `HOME`, and gets no host `CFN_HOME`.

use std::collections::HashSet;

/// Variables every process agent receives when cfn has them.
const ALWAYS: &[&str] = &["PATH", "HOME", "LANG", "LANGUAGE", "TERM", "TZ", "CFN_HOME", "CFN_MAX_PAYLOAD"];
/// What a container agent must not take from the host: the image knows its own.
const HOST_ONLY: &[&str] = &["PATH", "HOME", "CFN_HOME"];

/// The allowlisted part of `parent` for one agent.
pub fn allowlisted(
    parent: impl IntoIterator<Item = (String, String)>,
    named: &[String],
    credentials: &HashSet<String>,
    container: bool,
) -> Vec<(String, String)> {
    parent
        .into_iter()
        .filter(|(name, _)| {
            let allowed =
                ALWAYS.contains(&name.as_str()) || name.starts_with("LC_") || named.iter().any(|n| n == name);
            allowed && !credentials.contains(name) && !(container && HOST_ONLY.contains(&name.as_str()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn only_the_allowlist_and_named_variables_pass() {
        let parent = vars(&[
            ("PATH", "/bin"),
            ("HOME", "/home/u"),
            ("LC_ALL", "C.UTF-8"),
            ("GITHUB_TOKEN", "ghp"),
            ("AWS_SECRET_ACCESS_KEY", "aws"),
            ("MY_SETTING", "1"),
            ("OPENAI_API_KEY", "sk"),
        ]);
        let credentials = HashSet::from(["OPENAI_API_KEY".to_string()]);
        let named = vec!["MY_SETTING".to_string(), "OPENAI_API_KEY".to_string()];
        let names = |env: Vec<(String, String)>| env.into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(
            names(allowlisted(parent.clone(), &named, &credentials, false)),
            ["PATH", "HOME", "LC_ALL", "MY_SETTING"]
        );
        assert_eq!(names(allowlisted(parent, &[], &credentials, true)), ["LC_ALL"]);
    }
}
