//! What `cfn init` does about the `.env` beside the first compose file. In every worktree cfn
//! writes plain compose's settings into that file (plain_compose.rs), which it does only when
//! git ignores it: init excludes an untracked `.env` in the shared `info/exclude` (as it does
//! `.cfn/`), and says what to do about a tracked one, instead of every `worktree add` and
//! `doctor` warning about it later.

use anyhow::Result;
use std::path::Path;

/// What init found (and did) about the `.env`.
#[derive(Debug, PartialEq, Eq)]
pub enum DotenvNote {
    /// No compose file, or `.env` already ignored: nothing to say.
    Nothing,
    /// `.env` (its path from the root) was added to `info/exclude`.
    Excluded(String),
    /// `.env` (its path from the root) is tracked: cfn leaves it alone.
    Tracked(String),
}

/// Excludes the `.env` beside `first_compose` (relative to the checkout `root`) from git unless
/// it is tracked or already ignored; `common_dir` is the shared git directory.
pub fn exclude_dotenv(root: &Path, common_dir: &Path, first_compose: Option<&str>) -> Result<DotenvNote> {
    let Some(first) = first_compose else { return Ok(DotenvNote::Nothing) };
    let dir = Path::new(first).parent().unwrap_or(Path::new(""));
    let rel = dir.join(".env");
    let shown = rel.to_string_lossy().into_owned();
    let repo = git2::Repository::open(root)?;
    if repo.index()?.get_path(&rel, 0).is_some() {
        return Ok(DotenvNote::Tracked(shown));
    }
    if repo.is_path_ignored(&rel).unwrap_or(false) {
        return Ok(DotenvNote::Nothing);
    }
    let path = common_dir.join("info").join("exclude");
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "# where cfn writes plain `docker compose`'s settings in each worktree\n/{shown}\n"
    ));
    std::fs::create_dir_all(path.parent().unwrap_or(common_dir))?;
    crate::render::write_atomic(&path, &text, 0o644)?;
    Ok(DotenvNote::Excluded(shown))
}

/// Tells the user what [`exclude_dotenv`] found.
pub fn say(ctx: &crate::context::Context, note: &DotenvNote) {
    match note {
        DotenvNote::Nothing => {}
        DotenvNote::Excluded(rel) => ctx.say(format!(
            "excluded {rel} from git (.git/info/exclude): cfn writes plain `docker compose`'s settings into it in each worktree"
        )),
        DotenvNote::Tracked(rel) => ctx.warn(format!(
            "{rel} is tracked by git, so cfn does not write into it and plain `docker compose` in a worktree \
             runs main's ports and names; to fix it, `git rm --cached {rel}`, add `/{rel}` to .gitignore and commit, \
             or use `cfn compose …` in worktrees"
        )),
    }
}
