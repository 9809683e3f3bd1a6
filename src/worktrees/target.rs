//! Where `worktree add` puts a checkout: `--path`, else `project.worktree_dir` rendered.
//!
//! `worktree_dir` comes with the repository, which is untrusted, and git fills the folder it
//! names with the branch's committed files: `../h/.ssh` would leave an `authorized_keys`
//! there, `~/.config/systemd/user` an enabled unit. So a `worktree_dir` other than the default
//! is an item of the trust rule (approved as its template text), and a rendered path with a
//! hidden folder (`.ssh`, `.config`) below the repository's parent folder is refused even when
//! approved: no worktree belongs there.

use super::add::AddOptions;
use crate::branch::{self, Workspace};
use crate::config::Config;
use crate::context::Context;
use crate::error::UserError;
use crate::names;
use anyhow::Result;
use std::path::{Component, Path, PathBuf};

/// The repository's `worktree_dir` must be trusted before anything of the add is done, unless
/// `--path` says where to go (the user chose) or it is the default.
pub(super) fn require_trusted(ctx: &Context, ws: &Workspace, opts: &AddOptions) -> Result<()> {
    let mut items = Vec::new();
    if opts.path.is_none() {
        items.extend(crate::branch::trust::inventory::worktree_dir(ws));
    }
    // `--engine` is the user's own choice; the repository's `[engine]` must be approved.
    if opts.engine.is_none() {
        items.extend(crate::branch::trust::inventory::engine(ws));
    }
    if items.is_empty() {
        return Ok(());
    }
    crate::branch::trust::require(ctx, ws, &items, opts.approve_hooks)
}

/// `--path` (relative to the current directory), else `project.worktree_dir` rendered and taken
/// relative to the repository root (default `../<project>-<branch-slug>`).
pub(super) fn target_path(
    ctx: &Context,
    config: &Config,
    main_project: &str,
    main_root: &Path,
    opts: &AddOptions,
    project: &str,
) -> Result<PathBuf> {
    if let Some(p) = &opts.path {
        return Ok(normalize(&ctx.cwd.join(p)));
    }
    let template = config.project.worktree_dir_template();
    let vars = serde_json::json!({
        "project": main_project, "project_name": project,
        "branch": opts.branch, "branch_slug": names::branch_slug(main_project, project, &opts.branch),
    });
    let rendered =
        branch::files::renderer_for(config, main_root).render_str("project.worktree_dir", template, &vars)?;
    let path = normalize(&main_root.join(rendered.trim()));
    refuse_hidden(&path, main_root, template)?;
    // A link on the way (one the repository commits, `evil -> ~/.ssh`) is judged by where it
    // leads: the checkout would be made there.
    let real_root = std::fs::canonicalize(main_root).unwrap_or_else(|_| main_root.to_path_buf());
    let real = resolved(&path);
    refuse_hidden(&real, &real_root, template)?;
    let parent = real_root.parent().unwrap_or(&real_root);
    if path.starts_with(main_root.parent().unwrap_or(main_root)) && !real.starts_with(parent) {
        return Err(UserError::new(format!(
            "project.worktree_dir {template:?} leads through a symbolic link to {}, outside the repository's parent folder",
            real.display()
        ))
        .hint("a worktree goes beside the repository: fix project.worktree_dir, or choose a place with --path")
        .into());
    }
    Ok(path)
}

/// `path` with its longest existing ancestor's links resolved (the rest does not exist yet).
fn resolved(path: &Path) -> PathBuf {
    let mut existing = path;
    let mut rest = Vec::new();
    while !existing.exists() {
        let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) else {
            return path.to_path_buf();
        };
        rest.push(name.to_owned());
        existing = parent;
    }
    let mut real = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    real.extend(rest.iter().rev());
    real
}

/// Refuses `path` when a folder of it that is not also the repository's parent folder's (or an
/// ancestor's) is hidden: a checkout of the repository never belongs in `~/.ssh` or `~/.config`.
fn refuse_hidden(path: &Path, main_root: &Path, template: &str) -> Result<()> {
    let parent = main_root.parent().unwrap_or(main_root);
    let shared = path.components().zip(parent.components()).take_while(|(a, b)| a == b).count();
    let hidden = path.components().skip(shared).find_map(|c| match c {
        Component::Normal(name) if name.to_string_lossy().starts_with('.') => Some(name.to_owned()),
        _ => None,
    });
    match hidden {
        None => Ok(()),
        Some(name) => Err(UserError::new(format!(
            "project.worktree_dir {template:?} puts the worktree in a hidden folder ({} in {})",
            name.to_string_lossy(),
            path.display()
        ))
        .hint(
            "a worktree goes beside the repository: fix project.worktree_dir, or choose a place with --path",
        )
        .into()),
    }
}

/// Removes `.` and `..` components without touching the file system (the path may not exist).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The outermost directory that `path` needs and that does not exist yet (what add creates).
pub(super) fn first_missing_ancestor(path: &Path) -> Option<PathBuf> {
    let mut missing = None;
    let mut cur = Some(path);
    while let Some(p) = cur {
        if p.exists() {
            break;
        }
        missing = Some(p.to_path_buf());
        cur = p.parent();
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_in_the_way_is_judged_by_where_it_leads() {
        let dir = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(dir.path()).unwrap();
        let (home, repo) = (base.join("home"), base.join("src/shop"));
        std::fs::create_dir_all(home.join(".ssh")).unwrap();
        std::fs::create_dir_all(&repo).unwrap();
        std::os::unix::fs::symlink(home.join(".ssh"), repo.join("evil")).unwrap();
        let real = resolved(&repo.join("evil/feat"));
        assert_eq!(real, home.join(".ssh/feat"));
        assert!(refuse_hidden(&real, &repo, "evil/x").is_err());
    }

    #[test]
    fn hidden_folders_below_the_repository_s_parent_are_refused() {
        let root = Path::new("/home/u/src/shop");
        let refused = |p: &str| refuse_hidden(Path::new(p), root, "t").is_err();
        assert!(refused("/home/u/.ssh"));
        assert!(refused("/home/u/src/shop/~/.config/systemd/user"));
        assert!(refused("/home/u/src/.hidden/shop-feat"));
        assert!(!refused("/home/u/src/shop-feat"));
        assert!(!refused("/home/u/src/worktrees/shop-feat"));
        // a repository that itself lives below a hidden folder keeps its neighbours
        let hidden_root = Path::new("/home/u/.local/src/shop");
        assert!(refuse_hidden(Path::new("/home/u/.local/src/shop-feat"), hidden_root, "t").is_ok());
    }
}
