//! Compose files that pull in others — `include:` (compose 2.20+) and `extends:` (from another
//! file or the same one) — resolved as compose itself resolves them.
//!
//! cfn asks compose v2 for the merged model (`docker compose config --no-interpolate
//! --no-normalize`, every profile enabled) instead of re-implementing its merge rules: services
//! of included files arrive with their ports, names and volumes, `extends` is applied, and
//! every relative path (build contexts, bind mounts, env files) comes back absolute, resolved
//! from the folder of the file that wrote it. Variables stay as written, so each branch still
//! interpolates them with its own values. The merged model is made readable by compose v1 too
//! ([`super::portable`]), then analysed and sanitized like any single file.
//!
//! Files that use neither feature are returned as they are, without running anything, so the
//! common case costs nothing. Compose v1 is never asked: it knows no `include:`, and its
//! `config` copies the contents of `env_file`s into the output, which would put secrets into
//! the rendered copy. What cannot be resolved is refused in one line, never passed on as if it
//! were isolated.

use std::path::Path;

use anyhow::Result;
use serde_norway::Value;

use super::load::ComposeFile;
use super::value::describe;
use crate::error::UserError;
use crate::process::{self, Cmd};

/// Whether any file pulls services in from elsewhere (`include:` or a service's `extends:`).
pub fn uses_composition(files: &[ComposeFile]) -> bool {
    files
        .iter()
        .any(|f| f.doc.get("include").is_some() || f.services().any(|(_, body)| body.contains_key("extends")))
}

/// The model compose runs for `files`: the files themselves when none uses `include:` or
/// `extends:`, else one merged file (named after the first) with both applied.
pub fn resolve(files: Vec<ComposeFile>) -> Result<Vec<ComposeFile>> {
    if !uses_composition(&files) {
        return Ok(files);
    }
    refuse_unsupported(&files)?;
    let Some(first) = files.first() else { return Ok(files) };
    let project_dir = first.dir().to_path_buf();
    let text = merged_config(&files, &project_dir)?;
    let mut merged = ComposeFile::parse(&first.path, &text)?;
    super::portable::make_portable(&mut merged.doc);
    Ok(vec![merged])
}

/// `include:` entries with their own `env_file` interpolate the included file with other
/// variables than the project's; a merged copy cannot keep that apart.
fn refuse_unsupported(files: &[ComposeFile]) -> Result<()> {
    for file in files {
        let Some(include) = file.doc.get("include").and_then(Value::as_sequence) else { continue };
        for entry in include {
            if let Some(env_file) = entry.get("env_file") {
                return Err(UserError::new(format!(
                    "{}: `include` of {} with its own env_file ({}) cannot be isolated per branch",
                    file.path.display(),
                    entry.get("path").map(describe).unwrap_or_default(),
                    describe(env_file)
                ))
                .hint(
                    "move those variables into the project's .env, or list the file in project.compose_files",
                )
                .into());
            }
        }
    }
    Ok(())
}

/// Runs `docker compose … config` on the files and returns its output.
fn merged_config(files: &[ComposeFile], project_dir: &Path) -> Result<String> {
    let names: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
    let what = composition_of(files);
    if !process::on_path("docker") {
        return Err(no_compose_v2(&names, &what));
    }
    let mut cmd = Cmd::new("docker").arg("compose");
    for file in files {
        cmd = cmd.arg("-f").arg(&file.path);
    }
    let cmd = cmd
        .arg("--project-directory")
        .arg(project_dir)
        .args(["--profile", "*", "config", "--no-interpolate", "--no-normalize"])
        .cwd(project_dir)
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROFILES")
        .env_remove("COMPOSE_PATH_SEPARATOR");
    let out = cmd.output()?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    if out.stderr.contains("is not a docker command") || out.stderr.contains("unknown command") {
        return Err(no_compose_v2(&names, &what));
    }
    let reason = out.stderr.lines().map(str::trim).rfind(|l| !l.is_empty()).unwrap_or("compose failed");
    Err(UserError::new(format!("cannot resolve the {what} of {}: {reason}", names.join(", ")))
        .hint("check the files with `docker compose config`; every included or extended file must exist")
        .into())
}

/// `include` and/or `extends`, for messages.
fn composition_of(files: &[ComposeFile]) -> String {
    let include = files.iter().any(|f| f.doc.get("include").is_some());
    let extends = files.iter().any(|f| f.services().any(|(_, b)| b.contains_key("extends")));
    match (include, extends) {
        (true, true) => "`include:` and `extends:`".into(),
        (true, false) => "`include:`".into(),
        _ => "`extends:`".into(),
    }
}

fn no_compose_v2(names: &[String], what: &str) -> anyhow::Error {
    UserError::new(format!(
        "{} use {what}, which cfn resolves with Docker Compose v2 (`docker compose`), not found here",
        names.join(", ")
    ))
    .hint("install the compose v2 plugin (2.20 or later for `include:`), or inline the included services")
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ComposeFile {
        ComposeFile::parse(Path::new("/p/compose.yaml"), text).unwrap()
    }

    #[test]
    fn plain_files_are_returned_untouched_without_running_compose() {
        let f = parse("services:\n  web:\n    image: nginx\n    ports: ['80:80']\n");
        assert!(!uses_composition(std::slice::from_ref(&f)));
        // /p does not exist: running compose would fail, so nothing ran
        assert_eq!(resolve(vec![f.clone()]).unwrap(), vec![f]);
    }

    #[test]
    fn include_and_extends_are_detected() {
        assert!(uses_composition(&[parse("include: [a.yaml]\nservices: {}\n")]));
        assert!(uses_composition(&[parse("services:\n  a:\n    extends: {service: b}\n  b: {}\n")]));
        assert_eq!(composition_of(&[parse("include: [a.yaml]\n")]), "`include:`");
    }

    #[test]
    fn include_with_its_own_env_file_is_refused() {
        let f = parse("include:\n  - path: db.yaml\n    env_file: db.env\nservices: {}\n");
        let err = resolve(vec![f]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "/p/compose.yaml: `include` of db.yaml with its own env_file (db.env) cannot be isolated per branch"
        );
    }
}
