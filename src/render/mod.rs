//! Rendering files from minijinja templates.
//!
//! The default templates live in `templates/` and are compiled into the binary; a project may
//! replace any of them with a file of the same name in its `templates_dir`. Undefined values are
//! errors (a typo in a template must not render an empty port). Nothing is auto-escaped: every
//! value is quoted by the filter of the format it lands in (`yaml`, `dotenv`, `toml`), so a
//! branch name or path holding quotes, `#`, `:`, `$` or a newline cannot change the structure.

pub mod dotenv;
pub mod env_block;
pub mod no_follow;
mod write;

pub use write::write_atomic;

use anyhow::Result;
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior, Value};
use std::path::PathBuf;

/// Built-in templates, by name.
const EMBEDDED: &[(&str, &str)] = &[
    ("env.j2", include_str!("../../templates/env.j2")),
    ("compose.override.yaml.j2", include_str!("../../templates/compose.override.yaml.j2")),
    ("cfn.toml.j2", include_str!("../../templates/cfn.toml.j2")),
    ("agent-context.json.j2", include_str!("../../templates/agent-context.json.j2")),
];

/// A template environment: the project's templates first, then the built-in ones.
pub struct Renderer {
    env: Environment<'static>,
}

impl Renderer {
    pub fn new(project_templates: Option<PathBuf>) -> Renderer {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        // A rendered file ends with the newline its template ends with.
        if let Ok(syntax) = SyntaxConfig::builder().keep_trailing_newline(true).build() {
            env.set_syntax(syntax);
        }
        env.add_filter("yaml", yaml_filter);
        env.add_filter("json", yaml_filter);
        env.add_filter("toml", json_string_filter);
        env.add_filter("dotenv", |v: Value| dotenv::quote(&plain(&v)));
        env.set_loader(move |name| {
            if let Some(dir) = &project_templates {
                let path = dir.join(name);
                if path.is_file() {
                    return std::fs::read_to_string(&path).map(Some).map_err(|e| {
                        Error::new(ErrorKind::InvalidOperation, format!("cannot read {}", path.display()))
                            .with_source(e)
                    });
                }
            }
            Ok(EMBEDDED.iter().find(|(n, _)| *n == name).map(|(_, text)| text.to_string()))
        });
        Renderer { env }
    }

    /// Renders a template given as text (a configuration value); `name` labels errors.
    pub fn render_str(&self, name: &str, source: &str, ctx: &impl serde::Serialize) -> Result<String> {
        self.env
            .render_str(source, Value::from(Serde(ctx)))
            .map_err(|e| template_error(name, &e, "fix that value in cfn.toml"))
    }

    /// Renders template `name` with `ctx`; the error names the template and the line.
    pub fn render(&self, name: &str, ctx: &impl serde::Serialize) -> Result<String> {
        let rendered = self.env.get_template(name).and_then(|t| t.render(Value::from(Serde(ctx))));
        rendered.map_err(|e| {
            template_error(
                name,
                &e,
                "fix the template in the project's templates_dir, or delete it to use the built-in one",
            )
        })
    }
}

/// `hint` says where the template is: a file of the templates_dir, or a value in cfn.toml.
fn template_error(name: &str, e: &Error, hint: &str) -> anyhow::Error {
    let line = e.line().map(|l| format!(":{l}")).unwrap_or_default();
    let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
    crate::error::UserError::new(format!("template {name}{line} failed to render ({}{detail})", e.kind()))
        .hint(hint)
        .into()
}

/// A value's text: strings as they are, everything else as minijinja prints it.
fn plain(v: &Value) -> String {
    v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
}

/// YAML: a JSON scalar is a valid YAML flow scalar, and JSON strings escape every character
/// that could end the scalar (quotes, newlines, control characters).
fn yaml_filter(v: Value) -> Result<String, Error> {
    serde_json::to_string(&v).map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
}

/// TOML basic strings take the same escapes as JSON strings.
fn json_string_filter(v: Value) -> Result<String, Error> {
    serde_json::to_string(&plain(&v)).map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_values_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("env.j2"), "X={{ nope }}\n").unwrap();
        let r = Renderer::new(Some(dir.path().to_path_buf()));
        let err = r.render("env.j2", &serde_json::json!({})).unwrap_err();
        assert!(err.to_string().contains("env.j2"), "{err}");
    }

    #[test]
    fn yaml_quoting_keeps_structure() {
        let r = Renderer::new(None);
        let hostile = "a\"b: #c\n- d: $e '";
        let out = r
            .render(
                "compose.override.yaml.j2",
                &serde_json::json!({"project": hostile, "branch": hostile, "slot": 1,
                    "services": [{"name": hostile, "ports": [hostile]}]}),
            )
            .unwrap();
        let v: serde_norway::Value = serde_norway::from_str(&out).unwrap();
        let svc = &v["services"][hostile];
        assert_eq!(svc["labels"]["dev.cfn.branch"].as_str(), Some(hostile));
        assert_eq!(svc["ports"][0].as_str(), Some(hostile));
    }
}
