//! Which of cfn's own environment variables configuration templates may read.
//!
//! `{{ env.NAME }}` in a health URL or `migrations.url` is written by the repository, which is
//! untrusted: with the whole environment it could send `OPENAI_API_KEY` or `GITHUB_TOKEN` to a
//! listener of its choice. Templates therefore see the checkout's `.env` and the branch's
//! variables, and of the caller's environment only the variables the caller names in
//! `CFN_TEMPLATE_ENV`. The list is the user's, never the repository's: a key in `cfn.toml`
//! would let the repository name the secrets it wants.

use indexmap::IndexMap;

/// The variable naming the caller's variables templates may read (comma or space separated).
pub const VAR: &str = "CFN_TEMPLATE_ENV";

/// The names `CFN_TEMPLATE_ENV` lists.
pub fn names() -> Vec<String> {
    parse_names(&std::env::var(VAR).unwrap_or_default())
}

fn parse_names(list: &str) -> Vec<String> {
    list.split([',', ' ', '\t', '\n']).filter(|n| !n.is_empty()).map(str::to_string).collect()
}

/// The caller's variables named in `CFN_TEMPLATE_ENV` that are set.
pub fn passed() -> IndexMap<String, String> {
    names().into_iter().filter_map(|name| std::env::var(&name).ok().map(|value| (name, value))).collect()
}

/// `NAME` when a render failed on an undefined `env.NAME` (or `env["NAME"]`): the span of a
/// strict-undefined error is the expression that was undefined.
pub fn undefined_env_var(e: &minijinja::Error) -> Option<String> {
    if e.kind() != minijinja::ErrorKind::UndefinedError {
        return None;
    }
    let source = e.template_source()?;
    let expr = source.get(e.range()?)?.trim();
    let rest = expr.strip_prefix("env")?.trim_start();
    let name = if let Some(attr) = rest.strip_prefix('.') {
        attr.trim()
    } else {
        let inner = rest.strip_prefix('[')?.strip_suffix(']')?.trim();
        inner.strip_prefix(['"', '\'']).and_then(|s| s.strip_suffix(['"', '\'']))?
    };
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| name.to_string())
}

/// The error for a template reading a variable templates are not given.
pub fn not_passed_error(template: &str, var: &str) -> anyhow::Error {
    crate::error::UserError::new(format!(
        "template {template} reads env.{var}, which is not set for templates"
    ))
    .hint(format!(
        "templates see the checkout's .env and the branch's variables, not cfn's environment; \
         to pass your {var}, run with {VAR}={var} (docs/configuration.md)"
    ))
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_split_on_commas_and_spaces() {
        assert_eq!(parse_names("HOME, PGPASSWORD  USER,"), ["HOME", "PGPASSWORD", "USER"]);
        assert!(parse_names("").is_empty());
    }

    #[test]
    fn an_undefined_env_variable_is_named() {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let ctx = minijinja::context! { env => minijinja::context! { A => "1" }, ports => 1 };
        for (source, want) in [
            ("http://x/{{ env.SECRET }}", Some("SECRET")),
            ("{{ env[\"SECRET_2\"] }}", Some("SECRET_2")),
            ("{{ env.A }}{{ env['B'] }}", Some("B")),
            ("{{ nope }}", None),
            ("{{ ports.x }}", None),
        ] {
            let e = env.render_str(source, &ctx).unwrap_err();
            assert_eq!(undefined_env_var(&e).as_deref(), want, "{source}: {e:?}");
        }
    }
}
