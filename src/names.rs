//! Names derived from branch names: slugs, compose project names, env variable names.
//!
//! Compose requires project names matching `[a-z0-9][a-z0-9_-]*`; git accepts far more. A slug is
//! lossy (`Feature/Auth_V2` and `feature/auth_v2` meet), so uniqueness is not decided here but by
//! the registry, which appends [`short_hash`] when a slug is already taken.

use sha2::{Digest, Sha256};

/// Longest slug kept before it is cut and suffixed with a hash; keeps container, network and
/// volume names (project + service + index) well inside Docker's limits.
pub const MAX_SLUG: usize = 40;

/// A lower-case `[a-z0-9_-]` rendering of `text`; empty when nothing usable remains.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        let mapped = if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' };
        if mapped == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(mapped);
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '_');
    if trimmed.len() <= MAX_SLUG {
        return trimmed.to_string();
    }
    let cut = trimmed[..MAX_SLUG - 7].trim_end_matches(['-', '_']);
    format!("{cut}-{}", short_hash(text))
}

/// Six hex digits of SHA-256: a stable disambiguator (never `DefaultHasher`, which may change).
pub fn short_hash(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))[..6].to_string()
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The compose project name of a branch: `<project>-<branch-slug>`.
pub fn project_name(project: &str, branch: &str) -> String {
    let s = slug(branch);
    if s.is_empty() {
        format!("{project}-{}", short_hash(branch))
    } else {
        format!("{project}-{s}")
    }
}

/// A branch's slug as its names use it (hostnames, the `branch_slug` template variable): the
/// part of its compose project after the repository's. Two branch names with one slug (`a$b`
/// and `a-b`) get distinct projects, and so never share a hostname or a database name.
pub fn branch_slug(repo_project: &str, project: &str, branch: &str) -> String {
    project
        .strip_prefix(repo_project)
        .and_then(|rest| rest.strip_prefix('-'))
        .filter(|rest| !rest.is_empty())
        .map_or_else(|| slug(branch), str::to_string)
}

/// The same name made distinct: used when [`project_name`] is taken by another branch.
pub fn disambiguated(name: &str, branch: &str) -> String {
    format!("{name}-{}", short_hash(branch))
}

/// Whether compose accepts `name` as a project name.
pub fn is_valid_project_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// `redis` → `CFN_REDIS_PORT`; `web_443` → `CFN_WEB_443_PORT`.
pub fn port_env_name(key: &str) -> String {
    let upper: String =
        key.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    format!("CFN_{upper}_PORT")
}

/// The variables of well-known model providers (keys, endpoints), by provider name: what no
/// process of a repository gets unless a profile names it.
pub const PROVIDER_VARIABLES: &[(&str, &[&str])] = &[
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

/// `text` fit for a terminal: control characters (an escape sequence a repository put in a
/// path or a name could clear the screen or retitle the window) shown as `\u{1b}`; tabs and
/// newlines kept. Borrowed when there is nothing to replace, the usual case.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let control = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(control) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| if control(c) { c.escape_unicode().to_string() } else { c.to_string() })
            .collect(),
    )
}

/// `CFN_<KEY>_HOST_URL`, named like `CFN_<KEY>_PORT`.
pub fn host_url_env_name(key: &str) -> String {
    let port_name = port_env_name(key);
    format!("{}_HOST_URL", port_name.trim_end_matches("_PORT"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_sent_to_the_terminal() {
        assert_eq!(
            printable("skills/\u{1b}[2J\u{1b}]0;PWNED\u{7}x.md"),
            "skills/\\u{1b}[2J\\u{1b}]0;PWNED\\u{7}x.md"
        );
        assert_eq!(printable("a\u{0}b\u{9b}c"), "a\\u{0}b\\u{9b}c");
        assert!(matches!(printable("plain\ttext\n"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn branch_slugs_follow_the_distinct_project() {
        // `a$b` and `a-b` have one slug; the second branch's project was disambiguated
        let second = disambiguated(&project_name("shop", "a-b"), "a-b");
        assert_eq!(branch_slug("shop", &project_name("shop", "a$b"), "a$b"), "a-b");
        assert_eq!(branch_slug("shop", &second, "a-b"), format!("a-b-{}", short_hash("a-b")));
        // a project that does not start with the repository's falls back to the slug
        assert_eq!(branch_slug("shop", "other", "Feat/X"), "feat-x");
    }

    #[test]
    fn slugs_are_compose_safe() {
        for branch in ["Feature/Auth_V2", "feature/auth_v2", "fix/ünïcode", "-x-", "a..b", &"x".repeat(200)]
        {
            let name = project_name("shop", branch);
            assert!(is_valid_project_name(&name), "{name}");
            assert!(name.len() <= "shop-".len() + MAX_SLUG, "{name}");
        }
        assert_eq!(slug("Feature/Auth_V2"), "feature-auth_v2");
        assert_eq!(slug("fix/ünïcode"), "fix-n-code");
    }

    #[test]
    fn long_names_keep_distinct() {
        let a = format!("{}a", "x".repeat(199));
        let b = format!("{}b", "x".repeat(199));
        assert_ne!(slug(&a), slug(&b));
    }

    #[test]
    fn env_names() {
        assert_eq!(port_env_name("redis"), "CFN_REDIS_PORT");
        assert_eq!(port_env_name("web_443-udp"), "CFN_WEB_443_UDP_PORT");
    }
}
