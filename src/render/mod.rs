//! Rendering files from minijinja templates.
//!
//! The default templates live in `templates/` and are compiled into the binary; a project may
//! replace any of them with a file of the same name in its `templates_dir`. Undefined values are
//! errors (a typo in a template must not render an empty port). Nothing is auto-escaped: every
//! value is quoted by the filter of the format it lands in (`yaml`, `json`, `dotenv`, `toml`),
//! so a branch name or path holding quotes, `#`, `:`, `$` or a newline cannot change the
//! structure. `yaml` is for files compose reads: it also doubles `$`, which compose would
//! otherwise interpolate (a branch `feat-${API_KEY}` must stay a name, not become the key).
//!
//! Templates come with the repository and are untrusted: they read only files of the
//! templates folder ([`loader`]) and only the values cfn hands them ([`pass_env`]).

pub mod dotenv;
pub mod env_block;
pub mod loader;
pub mod no_follow;
pub mod pass_env;
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
    ("agent-prompt.md.j2", include_str!("../../templates/agent-prompt.md.j2")),
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
        env.add_filter("yaml", compose_yaml_filter);
        env.add_filter("json", json_filter);
        env.add_filter("toml", json_string_filter);
        env.add_filter("dotenv", dotenv_filter);
        env.add_filter("sh", |v: Value| sh_quote(&plain(&v)));
        env.set_loader(move |name| {
            if !loader::is_plain_name(name) {
                return Err(refused(name, &loader::Refusal::BadName));
            }
            if let Some(dir) = &project_templates {
                match loader::read(dir, name) {
                    Ok(Some(text)) => return Ok(Some(text)),
                    Ok(None) => {}
                    Err(loader::LoadError::Refused(why)) => return Err(refused(name, &why)),
                    Err(loader::LoadError::Io(path, e)) => {
                        return Err(Error::new(
                            ErrorKind::InvalidOperation,
                            format!("cannot read {}", path.display()),
                        )
                        .with_source(e))
                    }
                }
            }
            Ok(EMBEDDED.iter().find(|(n, _)| *n == name).map(|(_, text)| text.to_string()))
        });
        Renderer { env }
    }

    /// Renders a template given as text (a configuration value); `name` labels errors.
    pub fn render_str(&self, name: &str, source: &str, ctx: &impl serde::Serialize) -> Result<String> {
        self.env.render_str(source, Value::from(Serde(ctx))).map_err(|e| {
            if let Some(var) = pass_env::undefined_env_var(&e) {
                return pass_env::not_passed_error(name, &var);
            }
            template_error(name, &e, "fix that value in cfn.toml")
        })
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

/// A template name the loader refuses: the message says why, the hint what a template may read.
fn refused(name: &str, why: &loader::Refusal) -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!("{}; a template may include only files of the project's templates_dir", why.message(name)),
    )
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
/// `| dotenv`: the value quoted for a dotenv file, or an error for one no quoting reads back
/// the same in shells and both compose versions (`dotenv::portable`).
fn dotenv_filter(v: Value) -> Result<String, Error> {
    let text = plain(&v);
    if !dotenv::portable(&text) {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "{text:?} cannot be written to a dotenv file so that shells and compose read it back as it is \
                 (a single quote with `$` or a backtick, or a newline)"
            ),
        ));
    }
    Ok(dotenv::quote(&text))
}

fn plain(v: &Value) -> String {
    v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
}

/// JSON: strings escape every character that could end them (quotes, newlines, controls).
fn json_filter(v: Value) -> Result<String, Error> {
    serde_json::to_string(&v).map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
}

/// YAML for compose: a JSON scalar is a valid YAML flow scalar; `$` becomes `$$`, the escape
/// compose (v1 and v2) reads back as one literal `$` instead of interpolating a variable.
fn compose_yaml_filter(v: Value) -> Result<String, Error> {
    json_filter(v).map(|text| text.replace('$', "$$"))
}

/// POSIX sh: one single-quoted word, for a value put into a `sh -c` string of a health
/// command (`{{ branch|sh }}`), where a branch named `$(…)` would otherwise run.
pub fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
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
        // compose reads `$$` back as one `$`: the YAML holds the escaped text
        let escaped = hostile.replace('$', "$$");
        let svc = &v["services"][escaped.as_str()];
        assert_eq!(svc["labels"]["dev.cfn.branch"].as_str(), Some(escaped.as_str()));
        assert_eq!(svc["ports"][0].as_str(), Some(escaped.as_str()));
    }

    #[test]
    fn includes_stay_in_the_templates_folder() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "KEY").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("link.j2")).unwrap();
        std::fs::write(dir.path().join("part.j2"), "P").unwrap();
        let r = Renderer::new(Some(dir.path().to_path_buf()));
        let abs = outside.path().join("secret").display().to_string();
        for name in ["../secret", abs.as_str(), "link.j2"] {
            let err = r.render_str("health.x.url", &format!("{{% include {name:?} %}}"), &()).unwrap_err();
            let text = format!("{err:#}");
            assert!(text.contains("templates folder") && !text.contains("KEY"), "{name}: {text}");
        }
        assert_eq!(r.render_str("x", "{% include 'part.j2' %}", &()).unwrap(), "P");
        // a built-in template is found by name; the same refusal without a templates folder
        let builtin = Renderer::new(None);
        assert!(builtin.render_str("x", "{% include '../secret' %}", &()).is_err());
    }

    #[test]
    fn the_sh_filter_makes_one_literal_word() {
        let dir = tempfile::tempdir().unwrap();
        let branch = format!("feat-$(touch {0}/m)-`touch {0}/m`-'q'", dir.path().display());
        let r = Renderer::new(None);
        let script = r
            .render_str(
                "health.x.command",
                "printf %s {{ branch|sh }}",
                &serde_json::json!({"branch": branch}),
            )
            .unwrap();
        let out = std::process::Command::new("sh").arg("-c").arg(&script).output().unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), branch);
        assert!(!dir.path().join("m").exists());
    }

    #[test]
    fn an_env_variable_not_passed_is_named() {
        let r = Renderer::new(None);
        let err = r
            .render_str("health.web.url", "http://x/{{ env.SECRET_TOKEN }}", &serde_json::json!({"env": {}}))
            .unwrap_err();
        let user = err.downcast_ref::<crate::error::UserError>().unwrap();
        assert!(user.message.contains("env.SECRET_TOKEN"), "{}", user.message);
        assert!(user.hint.as_deref().unwrap().contains("CFN_TEMPLATE_ENV=SECRET_TOKEN"), "{user:?}");
    }
}
