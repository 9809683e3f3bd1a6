//! A Markdown reference of every command and flag, generated from the clap definition so the
//! documentation cannot drift from the binary (a test keeps docs/cli.md equal to it).

use clap::{Arg, Command};
use std::fmt::Write as _;

/// The whole reference, `cfn` and every subcommand, depth first.
pub fn markdown(root: &Command) -> String {
    let mut out = String::from(
        "# Command reference\n\nGenerated from the command-line definition \
         (`CFN_UPDATE_DOCS=1 cargo test --test cli reference` writes it again).\n",
    );
    section(&mut out, root, &[]);
    out
}

fn section(out: &mut String, cmd: &Command, parents: &[&str]) {
    let mut path: Vec<&str> = parents.to_vec();
    path.push(cmd.get_name());
    let _ = write!(out, "\n{} `{}`\n\n", "#".repeat((path.len() + 1).min(4)), path.join(" "));
    if let Some(about) = cmd.get_long_about().or(cmd.get_about()) {
        let _ = writeln!(out, "{about}.\n");
    }
    let positionals: Vec<&Arg> = cmd.get_positionals().filter(|a| !a.is_hide_set()).collect();
    let options: Vec<&Arg> =
        cmd.get_arguments().filter(|a| !a.is_positional() && !a.is_hide_set() && !is_builtin(a)).collect();
    if !positionals.is_empty() || !options.is_empty() {
        out.push_str("| argument | meaning |\n|---|---|\n");
        for arg in positionals.iter().chain(options.iter()) {
            let _ = writeln!(out, "| `{}` | {} |", usage(arg), help(arg));
        }
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        section(out, sub, &path);
    }
}

fn is_builtin(arg: &Arg) -> bool {
    matches!(arg.get_id().as_str(), "help" | "version")
}

fn usage(arg: &Arg) -> String {
    let value = arg
        .get_value_names()
        .map(|names| names.iter().map(|n| format!("<{n}>")).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| format!("<{}>", arg.get_id().as_str().to_uppercase()));
    if arg.is_positional() {
        return value;
    }
    let mut names = Vec::new();
    if let Some(s) = arg.get_short() {
        names.push(format!("-{s}"));
    }
    if let Some(l) = arg.get_long() {
        names.push(format!("--{l}"));
    }
    let takes_value = arg.get_action().takes_values();
    if takes_value {
        format!("{} {value}", names.join(", "))
    } else {
        names.join(", ")
    }
}

fn help(arg: &Arg) -> String {
    let mut text = arg.get_help().map(|h| h.to_string()).unwrap_or_default().replace('\n', " ");
    let possible: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| format!("`{}`", v.get_name()))
        .collect();
    if !possible.is_empty() && arg.get_action().takes_values() {
        let _ = write!(text, " One of {}.", possible.join(", "));
    }
    if let Some(default) = arg.get_default_values().first() {
        let _ = write!(text, " Default: `{}`.", default.to_string_lossy());
    }
    if arg.is_global_set() {
        text.push_str(" (global)");
    }
    text.replace('|', "\\|")
}
