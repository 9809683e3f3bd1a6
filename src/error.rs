//! Errors that reach the user: one line of message, an optional one-line hint, an exit code.
//!
//! Plumbing uses `anyhow` with context; a [`UserError`] anywhere in the chain decides the exit
//! code and the hint; [`report`] turns an error into the lines `main` prints (and the MCP server
//! returns). Everything else exits 1.

use std::fmt;

/// The documented exit codes (docs/exit-codes.md).
pub mod exit {
    pub const SUCCESS: i32 = 0;
    pub const FAILURE: i32 = 1;
    pub const USAGE: i32 = 2;
    /// A loop run ended on one of its budgets (docs/loop.md#budgets).
    pub const BUDGET: i32 = 3;
    pub const TIMEOUT: i32 = 124;
}

/// What an error means beyond its exit code, for front-ends that answer with more (the
/// portal's HTTP status): the command line tells these apart only by message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    #[default]
    Failure,
    /// Bad input (exit 2).
    Usage,
    /// Something named that does not exist (a service of the branch).
    NotFound,
    /// What the repository makes cfn run is not trusted yet.
    NotTrusted,
    /// Another operation holds the branch.
    Busy,
    /// A server cfn needs does not answer (the Docker engine).
    Unavailable,
}

/// An error meant for the user, with what to do about it.
#[derive(Debug, Clone)]
pub struct UserError {
    pub message: String,
    pub hint: Option<String>,
    pub code: i32,
    pub kind: Kind,
}

impl UserError {
    pub fn new(message: impl Into<String>) -> Self {
        UserError { message: message.into(), hint: None, code: exit::FAILURE, kind: Kind::Failure }
    }

    /// A usage error: bad input from the command line (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        UserError { code: exit::USAGE, kind: Kind::Usage, ..UserError::new(message) }
    }

    pub fn kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn code(mut self, code: i32) -> Self {
        self.code = code;
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// A non-zero exit that is not an error worth a message (a child's exit status passed through).
#[derive(Debug, Clone, Copy)]
pub struct SilentExit(pub i32);

impl fmt::Display for SilentExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit status {}", self.0)
    }
}

impl std::error::Error for SilentExit {}

/// The hint of an error that carries none of its own.
pub const GENERIC_HINT: &str =
    "run `cfn doctor` to check the set-up; docs/troubleshooting.md describes each check";

/// The error and its causes on one line (`a: b: c`), each message once: a user error put as
/// context over the error it explains repeats that error's message, which is said once.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut texts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if texts.last() != Some(&text) {
            texts.push(text);
        }
    }
    texts.join(": ")
}

/// The [`UserError`] of an error's chain, if any: the one that decides its code and hint.
pub fn user_error(err: &anyhow::Error) -> Option<&UserError> {
    err.downcast_ref::<UserError>().or_else(|| err.chain().find_map(|e| e.downcast_ref::<UserError>()))
}

/// What `main` needs to report an error: the exit code, the lines to print.
pub fn report(err: &anyhow::Error) -> (i32, Vec<String>) {
    // Errors quote repositories' paths and values: shown, never sent to the terminal.
    let (code, lines) = report_lines(err);
    (code, lines.iter().map(|l| crate::names::printable(l).into_owned()).collect())
}

fn report_lines(err: &anyhow::Error) -> (i32, Vec<String>) {
    if let Some(silent) = err.downcast_ref::<SilentExit>() {
        return (silent.0, Vec::new());
    }
    // The reader went away (`cfn status | head`): not an error, as for any Unix filter.
    let broken_pipe = err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || e.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    });
    if broken_pipe {
        return (exit::SUCCESS, Vec::new());
    }
    let user = user_error(err);
    let mut lines = vec![format!("error: {err}")];
    let mut previous = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if text != previous {
            lines.push(format!("  caused by: {text}"));
        }
        previous = text;
    }
    match user {
        Some(u) => {
            if let Some(hint) = &u.hint {
                lines.push(format!("hint: {hint}"));
            }
            (u.code, lines)
        }
        None => {
            // An error cfn did not foresee still says where to look next (docs/exit-codes.md
            // promises every error a hint).
            lines.push(format!("hint: {GENERIC_HINT}"));
            (exit::FAILURE, lines)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_says_each_message_once() {
        let inner = std::io::Error::other("connection refused");
        let err = anyhow::Error::new(inner)
            .context("cannot reach redis at redis://h")
            .context(UserError::usage("cannot reach redis at redis://h").hint("start it"));
        assert_eq!(one_line(&err), "cannot reach redis at redis://h: connection refused");
        assert_eq!(one_line(&anyhow::anyhow!("alone")), "alone");
    }
}
