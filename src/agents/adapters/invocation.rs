//! The non-interactive invocation of each CLI, as an argument list. The prompt never appears
//! in it: it goes on standard input (or, for aider, in a 0600 file named by one argument), so
//! it is neither in the process list nor ever parsed by a shell. The model goes as one
//! `--model=<name>` argument, so no model name can become another flag.
//!
//! - `claude -p --output-format stream-json --verbose --permission-mode acceptEdits`: print
//!   mode, prompt from stdin, streamed JSON events (stream-json needs `--verbose` with `-p`),
//!   file edits allowed, anything else as the project's Claude Code settings or `args` allow
//!   (docs.claude.com/en/docs/claude-code/headless, …/cli-reference).
//! - `codex exec --json --sandbox workspace-write -`: non-interactive, JSONL events, edits
//!   inside the worktree, `-` reads the prompt from stdin (Codex docs/exec.md).
//! - `gemini --output-format json --approval-mode auto_edit -p <instruction>`: headless mode;
//!   stdin is the input the `-p` text is appended to (geminicli.com/docs/cli/headless,
//!   …/tutorials/automation).
//! - `aider --message-file <file> --yes-always --no-pretty`: one message, then exit; every
//!   confirmation answered yes; plain output (aider.chat/docs/scripting.html).
//! - `opencode run --format json`: non-interactive run, raw JSON events; piped stdin is the
//!   message (opencode.ai/docs/cli, `opencode run`).

use crate::config::agents::{AgentKind, AgentProfile};

/// How the prompt reaches the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptVia {
    Stdin,
    /// A file named in the argument list.
    File,
}

/// What the `-p` of Gemini CLI says: the prompt itself comes on stdin, before it.
pub const GEMINI_INSTRUCTION: &str = "Carry out the task given above.";

/// The executable a kind runs when the profile names no `program`.
pub fn default_program(kind: AgentKind) -> &'static str {
    match kind {
        // A person runs nothing (workloop/person.rs).
        AgentKind::Command | AgentKind::Person => "",
        AgentKind::ClaudeCode => "claude",
        AgentKind::Codex => "codex",
        AgentKind::Gemini => "gemini",
        AgentKind::Aider => "aider",
        AgentKind::Opencode => "opencode",
    }
}

pub fn prompt_via(kind: AgentKind) -> PromptVia {
    match kind {
        AgentKind::Aider => PromptVia::File,
        _ => PromptVia::Stdin,
    }
}

/// The argument vector for `profile` (of a CLI kind) with `model`; `prompt_file` is used by
/// the kinds that read the prompt from a file.
pub fn argv(profile: &AgentProfile, model: Option<&str>, prompt_file: &str) -> Vec<String> {
    let kind = profile.kind;
    let program = profile.program.clone().unwrap_or_else(|| default_program(kind).to_string());
    let words = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut argv = vec![program];
    argv.extend(match kind {
        AgentKind::Command | AgentKind::Person => Vec::new(),
        AgentKind::ClaudeCode => {
            words(&["-p", "--output-format", "stream-json", "--verbose", "--permission-mode", "acceptEdits"])
        }
        AgentKind::Codex => words(&["exec", "--json", "--sandbox", "workspace-write"]),
        AgentKind::Gemini => words(&["--output-format", "json", "--approval-mode", "auto_edit"]),
        AgentKind::Aider => {
            let mut a = words(&["--message-file"]);
            a.push(prompt_file.to_string());
            a.extend(words(&["--yes-always", "--no-pretty"]));
            a
        }
        AgentKind::Opencode => words(&["run", "--format", "json"]),
    });
    if let Some(model) = model.filter(|m| !m.is_empty()) {
        argv.push(format!("--model={model}"));
    }
    argv.extend(profile.args.iter().cloned());
    // Positional parts last: after them a CLI may stop reading options.
    match kind {
        AgentKind::Codex => argv.push("-".into()),
        AgentKind::Gemini => argv.extend(["-p".to_string(), GEMINI_INSTRUCTION.to_string()]),
        _ => {}
    }
    argv
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::Role;

    fn profile(kind: AgentKind, args: &[&str]) -> AgentProfile {
        AgentProfile {
            role: Role::Implementer,
            kind,
            command: None,
            program: None,
            args: args.iter().map(|s| s.to_string()).collect(),
            prompt_template: None,
            image: None,
            confidence: None,
            provider: None,
            model: None,
            temperature: None,
            max_tokens: None,
            timeout: None,
            memory: None,
            cpus: None,
            pids: None,
            env: Vec::new(),
            skills: Vec::new(),
        }
    }

    #[test]
    fn each_kind_builds_its_documented_invocation() {
        let cases: [(AgentKind, &[&str]); 5] = [
            (
                AgentKind::ClaudeCode,
                &[
                    "claude",
                    "-p",
                    "--output-format",
                    "stream-json",
                    "--verbose",
                    "--permission-mode",
                    "acceptEdits",
                    "--model=m",
                    "--max-turns",
                    "9",
                ],
            ),
            (
                AgentKind::Codex,
                &[
                    "codex",
                    "exec",
                    "--json",
                    "--sandbox",
                    "workspace-write",
                    "--model=m",
                    "--max-turns",
                    "9",
                    "-",
                ],
            ),
            (
                AgentKind::Gemini,
                &[
                    "gemini",
                    "--output-format",
                    "json",
                    "--approval-mode",
                    "auto_edit",
                    "--model=m",
                    "--max-turns",
                    "9",
                    "-p",
                    GEMINI_INSTRUCTION,
                ],
            ),
            (
                AgentKind::Aider,
                &[
                    "aider",
                    "--message-file",
                    "/run/p.md",
                    "--yes-always",
                    "--no-pretty",
                    "--model=m",
                    "--max-turns",
                    "9",
                ],
            ),
            (AgentKind::Opencode, &["opencode", "run", "--format", "json", "--model=m", "--max-turns", "9"]),
        ];
        for (kind, want) in cases {
            assert_eq!(argv(&profile(kind, &["--max-turns", "9"]), Some("m"), "/run/p.md"), want, "{kind:?}");
        }
    }

    #[test]
    fn a_model_cannot_become_a_flag_and_the_program_can_be_replaced() {
        let mut p = profile(AgentKind::ClaudeCode, &[]);
        p.program = Some("/opt/claude/bin/claude".into());
        let a = argv(&p, Some("x --dangerously-skip-permissions"), "");
        assert_eq!(a[0], "/opt/claude/bin/claude");
        assert_eq!(a.last().unwrap(), "--model=x --dangerously-skip-permissions", "one argument");
        assert!(!argv(&p, None, "").iter().any(|a| a.starts_with("--model")));
    }
}
