//! Arguments many commands share, flattened into each: the branch (`-b/--branch`, one rule
//! for every command that acts on one branch) and `--json`.

/// `-b/--branch BRANCH`: the branch a command acts on.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BranchArg {
    /// The branch (default: the checkout you are in).
    #[arg(long = "branch", short = 'b', value_name = "BRANCH")]
    pub name: Option<String>,
}

/// `--json`: the result as JSON on stdout instead of text.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct JsonArg {
    /// Print the result as JSON.
    #[arg(long = "json")]
    pub on: bool,
}

/// `BRANCH` given the older way, as a positional argument: still taken, hidden from help.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OldBranchPositional {
    #[arg(value_name = "BRANCH", hide = true, conflicts_with = "name")]
    pub positional: Option<String>,
}

impl BranchArg {
    /// The branch named by `-b`, else by the older positional form.
    pub fn or_positional(self, old: OldBranchPositional) -> Option<String> {
        self.name.or(old.positional)
    }
}
