//! Where am I: the checkout containing a directory, its main checkout and the current branch.

use crate::error::UserError;
use anyhow::{Context as _, Result};
use std::path::{Path, PathBuf};

/// The git checkout a command runs in.
#[derive(Debug, Clone)]
pub struct Checkout {
    /// Top directory of the checkout you stand in (canonical).
    pub root: PathBuf,
    /// Top directory of the main checkout, where `cfn.toml` lives (canonical).
    pub main_root: PathBuf,
    /// The shared git directory (`<main>/.git`).
    pub common_dir: PathBuf,
    /// The branch checked out here; `None` when HEAD is detached or unborn.
    pub branch: Option<String>,
}

impl Checkout {
    pub fn is_main(&self) -> bool {
        self.root == self.main_root
    }
}

/// The checkout containing `dir`.
pub fn discover(dir: &Path) -> Result<Checkout> {
    let repo = git2::Repository::discover(dir).map_err(|e| {
        let err = UserError::new(format!("not inside a git repository: {}", dir.display()));
        if e.code() == git2::ErrorCode::NotFound {
            err.hint("run cfn inside a git checkout, or pass -C <dir>")
        } else {
            UserError::new(format!("cannot open the git repository at {}: {}", dir.display(), e.message()))
                .hint("a repository using reftable storage is not supported yet; check `git status` works")
        }
    })?;
    let root = repo.workdir().ok_or_else(|| {
        UserError::new("bare repositories have no working tree").hint("run cfn in a checkout")
    })?;
    let root = canonical(root)?;
    let common_dir = canonical(repo.commondir())?;
    let main_root = if repo.is_worktree() {
        let main = git2::Repository::open(&common_dir)
            .with_context(|| format!("cannot open the main repository at {}", common_dir.display()))?;
        let workdir = main
            .workdir()
            .ok_or_else(|| UserError::new("the main repository is bare").hint("cfn needs a main checkout"))?;
        canonical(workdir)?
    } else {
        root.clone()
    };
    let branch = match repo.head() {
        Ok(head) if head.is_branch() => head.shorthand().ok().map(str::to_string),
        _ => None,
    };
    Ok(Checkout { root, main_root, common_dir, branch })
}

fn canonical(path: &Path) -> Result<PathBuf> {
    std::fs::canonicalize(path).with_context(|| format!("cannot resolve {}", path.display()))
}
