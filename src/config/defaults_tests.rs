//! Every section of cfn.toml has the same defaults whether it is left out, written empty, or
//! read from docs/configuration.md: a section's `Default` and its keys' serde defaults are
//! written separately, and a derived `Default` silently disagrees with `default = "..."`.

use super::Config;
use std::path::Path;

const DOCS: &str = include_str!("../../docs/configuration.md");

/// The sections as serialized JSON (`health` is not serialized and has no defaults).
const SECTIONS: &[&str] = &["project", "ports", "migrations", "hooks", "copy", "loop"];

fn parsed(text: &str) -> serde_json::Value {
    serde_json::to_value(Config::parse(text, Path::new("cfn.toml")).unwrap()).unwrap()
}

#[test]
fn a_missing_section_equals_an_empty_one() {
    let missing = parsed("");
    for section in SECTIONS {
        let empty = parsed(&format!("[{section}]\n"));
        assert_eq!(
            missing[section], empty[section],
            "[{section}] left out differs from [{section}] written empty"
        );
    }
}

/// `(key, default)` of each row of the `## [section]` table whose default is one backticked
/// literal; rows saying `none` give `None`; prose defaults are skipped.
fn documented(section: &str) -> Vec<(String, Option<String>)> {
    let heading = format!("## `[{section}]`");
    let start = DOCS.find(&heading).unwrap_or_else(|| panic!("docs/configuration.md has no {heading}"));
    let body = &DOCS[start + heading.len()..];
    let body = &body[..body.find("\n## ").unwrap_or(body.len())];
    let mut rows = Vec::new();
    for line in body.lines().take_while(|l| !l.starts_with("### ")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | `key` | type | default | meaning |
        if cells.len() != 6 || !cells[1].starts_with('`') {
            continue;
        }
        let key = cells[1].trim_matches('`').to_string();
        let default = cells[3];
        if default == "none" {
            rows.push((key, None));
        } else if default.len() > 2
            && default.starts_with('`')
            && default.ends_with('`')
            && default.matches('`').count() == 2
        {
            rows.push((key, Some(default.trim_matches('`').to_string())));
        }
    }
    rows
}

fn as_doc_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(a) if a.is_empty() => Some("[]".into()),
        other => Some(other.to_string()),
    }
}

#[test]
fn a_missing_section_has_the_documented_defaults() {
    let config = parsed("");
    let mut checked = 0;
    for section in ["project", "ports", "migrations", "copy"] {
        let rows = documented(section);
        assert!(!rows.is_empty(), "no documented defaults found for [{section}]");
        for (key, want) in rows {
            let mut got = as_doc_text(&config[section][&key]);
            if (section, key.as_str()) == ("project", "worktree_dir") {
                // an Option whose default is applied where it is used
                let project: super::ProjectConfig = serde_json::from_value(config[section].clone()).unwrap();
                got = Some(project.worktree_dir_template().to_string());
            }
            assert_eq!(got, want, "[{section}] {key}: built-in default differs from docs/configuration.md");
            checked += 1;
        }
    }
    // project.templates_dir, 6 of [ports], 5 of [migrations], 3 of [copy] at least
    assert!(checked >= 15, "only {checked} documented defaults were found");
    assert_eq!(config["copy"]["rewrite_ports"], serde_json::Value::Bool(true));
    assert_eq!(config["loop"]["mode"], "standard", "docs/loop.md: the default mode is standard");
}
