//! What every command gets: the directory it acts on, where state lives, how chatty to be —
//! and the only way code below the command line talks to the person at the terminal
//! ([`Context::say`], [`Context::warn`], [`Context::confirm`]). Built once from the global
//! flags by the command line; no global state.

use std::io::IsTerminal as _;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Context {
    /// The directory commands act on (`-C <dir>`, else the current directory).
    pub cwd: PathBuf,
    /// `$CFN_HOME`: where the state database lives.
    pub home: PathBuf,
    pub quiet: bool,
    pub verbose: u8,
}

impl Context {
    /// Whether a person can answer a prompt: stdin and stderr are terminals and the run is not
    /// under CI. Prompts are only ever shown when this holds; scripts use `--yes`.
    pub fn interactive(&self) -> bool {
        std::io::stdin().is_terminal()
            && std::io::stderr().is_terminal()
            && console::user_attended_stderr()
            && std::env::var_os("CI").is_none()
    }

    /// Asks a yes/no question on the terminal — the one prompt of cfn; callers check
    /// [`Context::interactive`] first and refuse (or take `--yes`) without a terminal.
    pub fn confirm(&self, prompt: &str, default: bool) -> anyhow::Result<bool> {
        Ok(dialoguer::Confirm::new().with_prompt(prompt).default(default).interact()?)
    }

    /// A progress or status line on stderr, unless `-q`.
    pub fn say(&self, line: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", crate::names::printable(line.as_ref()));
        }
    }

    /// A warning on stderr (even with `-q`: it is something the user must know).
    pub fn warn(&self, line: impl AsRef<str>) {
        warn(line);
    }
}

/// A warning on stderr, for code that runs before or without a [`Context`].
pub fn warn(line: impl AsRef<str>) {
    eprintln!("{} {}", console::style("warning:").yellow().bold(), crate::names::printable(line.as_ref()));
}
