//! One trust rule for everything a repository makes cfn run: lifecycle hooks, health
//! `command` checks, migrations (SQL that runs inside cfn's own process or on the branch's
//! PostgreSQL) and agent commands.
//!
//! cfn.toml and the files it names are committed, so they come from whoever wrote the
//! repository. Each such item runs only once the user trusted it for this repository, tied to
//! its content: what it runs (a health command as rendered for the checkout; an agent with
//! the settings deciding what it receives) and the SHA-256 of every repository file it names,
//! as they are in the checkout where it runs. A changed command or file is a new item and is asked about
//! again. On a terminal cfn asks; `--yes` (or `cfn trust --yes`) approves; otherwise cfn
//! refuses with a hint to run `cfn trust`. Approvals are rows of `hook_approvals` in the state
//! database, which no project SQL can reach (see `migrate::sqlite_guard`).

pub mod env_template;
pub mod files;
pub mod inventory;

use crate::branch::Workspace;
use crate::context::Context;
use crate::error::UserError;
use anyhow::Result;
use files::FileHash;
use rusqlite::{params, Connection};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Something a repository makes cfn run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// What it is: a hook point (`post_create`), `health.<name>`, `migration`, `agent.<id>`.
    pub kind: String,
    /// What it runs: an argument vector, a migration's file name, an agent's image and command.
    pub runs: Vec<String>,
    /// The repository files it names, hashed.
    pub files: Vec<FileHash>,
    /// What else decides what it runs and receives, as `name=value` (an agent's `env` names,
    /// provider, the providers' variables, limits), a PostgreSQL migration's `target=`. Empty
    /// for hooks, health checks and SQLite migrations.
    pub settings: Vec<String>,
}

impl Item {
    pub fn new(kind: impl Into<String>, runs: Vec<String>, files: Vec<FileHash>) -> Item {
        Item { kind: kind.into(), runs, files, settings: Vec::new() }
    }

    pub fn with_settings(self, settings: Vec<String>) -> Item {
        Item { settings, ..self }
    }

    /// The hash an approval is tied to. Without files or settings it is the hash lifecycle
    /// hooks were always approved by, so existing approvals of commands that name no file stay
    /// valid; each addition makes a longer array, so no two shapes hash alike.
    pub fn hash(&self) -> String {
        let text = match (self.files.is_empty(), self.settings.is_empty()) {
            (true, true) => serde_json::json!([self.kind, self.runs]).to_string(),
            (false, true) => serde_json::json!([self.kind, self.runs, self.files]).to_string(),
            _ => serde_json::json!([self.kind, self.runs, self.files, self.settings]).to_string(),
        };
        crate::names::hex(&Sha256::digest(text.as_bytes()))
    }

    /// What it runs, for people: an argument that is a single URL or value has the passwords
    /// of its URLs hidden (`health::redact`); one holding spaces, quotes or shell syntax (a
    /// script) is shown whole, since hiding a part of it could hide code from the person
    /// approving it. The hash always covers the real text.
    pub fn shown_runs(&self) -> String {
        crate::branch::project_hooks::display(&self.shown_argv())
    }

    /// [`Item::shown_runs`] as a list of arguments.
    pub fn shown_argv(&self) -> Vec<String> {
        self.runs
            .iter()
            .map(|arg| {
                let code_like = arg.chars().any(|c| c.is_whitespace() || "$`;|&<>(){}'\"\\".contains(c));
                if code_like {
                    arg.clone()
                } else {
                    crate::health::redact::redact_url(arg)
                }
            })
            .collect()
    }

    /// One line for people: kind, command, the files with the start of their hashes, then
    /// the settings.
    pub fn describe(&self) -> String {
        let mut line = format!("{} `{}`", self.kind, self.shown_runs());
        if !self.files.is_empty() {
            let files: Vec<String> =
                self.files.iter().map(|f| format!("{} sha256:{}", f.path, &f.sha256[..12])).collect();
            line.push_str(&format!(" ({})", files.join(", ")));
        }
        if !self.settings.is_empty() {
            line.push_str(&format!(" [{}]", self.settings.join(" ")));
        }
        line
    }
}

pub fn is_trusted(conn: &Connection, repo_id: i64, item: &Item) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM hook_approvals WHERE repo_id = ?1 AND hook = ?2 AND command_hash = ?3)",
        params![repo_id, item.kind, item.hash()],
        |r| r.get(0),
    )?)
}

pub fn record(conn: &Connection, repo_id: i64, item: &Item) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO hook_approvals (repo_id, hook, command_hash) VALUES (?1, ?2, ?3)",
        params![repo_id, item.kind, item.hash()],
    )?;
    Ok(())
}

/// Whether `item` may run now: trusted already, approved by `yes`, or (when `may_ask` and on a
/// terminal) approved at the prompt. An approval is recorded.
pub fn decide(ctx: &Context, ws: &Workspace, item: &Item, yes: bool, may_ask: bool) -> Result<bool> {
    let conn = ws.state.conn();
    if is_trusted(conn, ws.repo.id, item)? {
        return Ok(true);
    }
    let ok = yes
        || (may_ask
            && ctx.interactive()
            && ctx.confirm(
                &format!("Trust {} from this repository (now and from now on)?", item.describe()),
                false,
            )?);
    if ok {
        record(conn, ws.repo.id, item)?;
    }
    Ok(ok)
}

/// Every item must be trusted (asking on a terminal, approving with `yes`); otherwise nothing
/// of them runs and the error names what is not trusted.
pub fn require(ctx: &Context, ws: &Workspace, items: &[Item], yes: bool) -> Result<()> {
    let mut refused = Vec::new();
    for item in items {
        if !decide(ctx, ws, item, yes, true)? {
            refused.push(item);
        }
    }
    match refused.as_slice() {
        [] => Ok(()),
        [first, rest @ ..] => {
            let more = if rest.is_empty() { String::new() } else { format!(" and {} more", rest.len()) };
            Err(not_trusted(format!("{}{more}", first.describe())))
        }
    }
}

/// The refusal of something the user has not trusted.
pub fn not_trusted(what: String) -> anyhow::Error {
    UserError::new(format!("not trusted: {what}; cfn runs nothing from a repository until you trust it"))
        .kind(crate::error::Kind::NotTrusted)
        .hint("review what it runs with `cfn trust`, then approve it with `cfn trust --yes`")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_naming_no_file_keeps_the_hook_hash() {
        let argv = vec!["echo".to_string(), "hi".to_string()];
        let item = Item::new("post_create", argv.clone(), Vec::new());
        let old = serde_json::json!(["post_create", argv]).to_string();
        assert_eq!(item.hash(), crate::names::hex(&Sha256::digest(old.as_bytes())));
    }

    #[test]
    fn files_kind_and_command_all_change_the_hash() {
        let file = |sha: &str| vec![FileHash { path: "setup.sh".into(), sha256: sha.repeat(64) }];
        let base = Item::new("post_create", vec!["./setup.sh".into()], file("a"));
        assert_ne!(base.hash(), Item { files: file("b"), ..base.clone() }.hash());
        assert_ne!(base.hash(), Item { kind: "post_up".into(), ..base.clone() }.hash());
        assert_ne!(base.hash(), Item { runs: vec!["./other.sh".into()], ..base.clone() }.hash());
        assert!(base.describe().contains("setup.sh sha256:aaaaaaaaaaaa"));
        let with = base.clone().with_settings(vec!["env=GITHUB_TOKEN".into()]);
        assert_ne!(base.hash(), with.hash());
        assert_ne!(with.hash(), with.clone().with_settings(vec!["env=SSH_AUTH_SOCK".into()]).hash());
        assert!(with.describe().contains("[env=GITHUB_TOKEN]"), "{}", with.describe());
    }

    #[test]
    fn passwords_are_hidden_from_people_unless_hiding_could_hide_code() {
        let item = |arg: &str| {
            Item::new("health.db", vec!["pg_isready".into(), "-d".into(), arg.into()], Vec::new())
        };
        let plain = item("postgres://app:s3cret@127.0.0.1:5432/app");
        assert!(!plain.describe().contains("s3cret"), "{}", plain.describe());
        let script = item("postgres://app:$(touch /tmp/x)@127.0.0.1/app");
        assert!(script.describe().contains("$(touch /tmp/x)"), "{}", script.describe());
        assert_ne!(plain.hash(), item("postgres://app:other@127.0.0.1:5432/app").hash());
    }
}
