//! Service names typed on the command line (`cfn logs web`, `cfn compose ps web`) are checked
//! against the branch's compose model before compose runs: compose itself answers some of them
//! for an unknown name with nothing and exit 0, which reads as "no logs" instead of "typo".

use crate::branch::{BranchEnv, Workspace};
use crate::error::UserError;
use anyhow::Result;
use std::ffi::OsString;

/// Compose subcommands whose positional arguments are all service names, with their options
/// that take a value (so that a value is not mistaken for a service).
const SERVICE_COMMANDS: &[(&str, &[&str])] = &[
    ("logs", &["--tail", "-n", "--since", "--until", "--index"]),
    ("ps", &["--filter", "--format", "--status"]),
    ("start", &[]),
    ("stop", &["-t", "--timeout"]),
    ("restart", &["-t", "--timeout"]),
    ("kill", &["-s", "--signal"]),
    ("pause", &[]),
    ("unpause", &[]),
    ("top", &[]),
    ("rm", &[]),
];

/// Compose's own options before the subcommand that take a value.
const GLOBAL_VALUE_OPTIONS: &[&str] = &[
    "-f",
    "--file",
    "-p",
    "--project-name",
    "--profile",
    "--env-file",
    "--project-directory",
    "--ansi",
    "--progress",
    "--parallel",
    "-H",
    "--host",
    "--log-level",
    "--context",
];

/// Fails with "no such service" when one of `requested` is not a service of the branch's
/// compose files. Files with `include:` are not checked: their included services are not in
/// the model cfn reads, and a false "no such service" would be worse than compose's answer.
pub fn check_known(ws: &Workspace, branch: &BranchEnv, requested: &[String]) -> Result<()> {
    if requested.is_empty() {
        return Ok(());
    }
    let files = crate::branch::files::load_compose_files(ws, &branch.path)?;
    if files.iter().any(|f| f.doc.get("include").is_some()) {
        return Ok(());
    }
    let known = crate::compose::service_names(&files);
    let unknown: Vec<&str> = requested.iter().filter(|r| !known.contains(r)).map(String::as_str).collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let noun = if unknown.len() == 1 { "service" } else { "services" };
    // A name the branch does not have is a bad argument (exit 2), as docs/exit-codes.md classes it.
    Err(UserError::usage(format!("no such {noun}: {}", unknown.join(", ")))
        .kind(crate::error::Kind::NotFound)
        .hint(format!("the services of {} are: {}", branch.project, known.join(", ")))
        .into())
}

/// The service names of a compose command line passed through by `cfn compose`, for the
/// subcommands whose positional arguments are all services; empty for any other.
pub fn named_in(args: &[OsString]) -> Vec<String> {
    let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let mut rest = args.iter();
    let subcommand = loop {
        match rest.next() {
            Some(a) if GLOBAL_VALUE_OPTIONS.contains(&a.as_str()) => {
                rest.next();
            }
            Some(a) if a.starts_with('-') => {}
            Some(a) => break a.as_str(),
            None => return Vec::new(),
        }
    };
    let Some((_, value_options)) = SERVICE_COMMANDS.iter().find(|(name, _)| *name == subcommand) else {
        return Vec::new();
    };
    let mut services = Vec::new();
    let mut options_done = false;
    while let Some(a) = rest.next() {
        if options_done || !a.starts_with('-') || a == "-" {
            services.push(a.clone());
        } else if a == "--" {
            options_done = true;
        } else if value_options.contains(&a.as_str()) {
            rest.next();
        }
    }
    services
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(line: &str) -> Vec<String> {
        named_in(&line.split(' ').map(OsString::from).collect::<Vec<_>>())
    }

    #[test]
    fn finds_the_services_of_service_commands_only() {
        assert_eq!(named("logs -f --tail 10 web db"), ["web", "db"]);
        assert_eq!(named("--profile dev -f x.yml ps -a --format json nosuch"), ["nosuch"]);
        assert_eq!(named("logs --tail=5 -- web"), ["web"]);
        assert_eq!(named("stop -t 3 web"), ["web"]);
        assert!(named("exec web sh").is_empty(), "exec's arguments are a command");
        assert!(named("config --services").is_empty());
        assert!(named("ps").is_empty());
    }
}
