//! A repository's identity, which survives moving or renaming its main checkout.
//!
//! cfn keeps a random id in the repository's git directory (`.git/cfn-repository-id`) and in
//! its registry row. The git directory moves with the main checkout, so a checkout whose id is
//! registered at another root is that repository, moved: its row follows it and keeps its
//! project name, worktrees, leases and volumes. Two cases look alike and are not moves:
//!
//! - a copy (`cp -a`): the registered root still holds the same id. The copy is a checkout of
//!   its own and gets a new id, its own row and its own compose project name;
//! - a different clone at a root a repository left: it holds no id, or another one. The
//!   repository that left keeps its row (found again by its id when its checkout is next used)
//!   and gives up the root; the clone is registered anew, never under the other's name.
//!
//! A checkout at a registered root whose id file was deleted is that repository when git there
//! lists one of the row's registered worktrees (a worktree's link lives in the git directory,
//! so no other checkout lists it): the id is written again and the row kept. Without such a
//! proof it is treated as a different clone.
//!
//! The id is no secret: it only tells checkouts apart.

use crate::git::same_path;
use crate::state::{self, RepoRow};
use anyhow::{Context as _, Result};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// The file in the git directory (`<main>/.git/`) that holds the repository's id.
pub const ID_FILE: &str = "cfn-repository-id";

/// How the checkout came to its registry row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attachment {
    /// Registered at this root already.
    Known,
    /// Registered for the first time.
    New,
    /// The repository's main checkout was moved or renamed from `from`; its row followed it.
    Moved { from: PathBuf },
    /// A copy of the checkout at `of`, which still holds the same id: registered on its own.
    Copy { of: PathBuf },
    /// Registered at this root, but its id file was gone: git there lists one of the row's
    /// worktrees (`proof`), so the id was written again.
    IdRestored { proof: PathBuf },
    /// A different checkout at the root where repository `project` was registered, which has
    /// moved away or was replaced: registered on its own; `project` keeps its row.
    TookPlaceOf { project: String },
}

#[derive(Debug, Clone)]
pub struct Attached {
    pub repo: RepoRow,
    pub how: Attachment,
    /// Why the id could not be stored (a read-only git directory): the checkout works as
    /// before, but a move will not keep its registration.
    pub not_stored: Option<String>,
}

/// The id stored in the git directory `common_dir`, if any.
pub fn read_id(common_dir: &Path) -> Result<Option<String>> {
    let path = common_dir.join(ID_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text.trim().to_string()).filter(|id| !id.is_empty())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Whether the main checkout at `root` holds the id `uid` (it is the checkout registered
/// there, not another one in its place).
pub fn holds(root: &Path, uid: &str) -> bool {
    read_id(&root.join(".git")).ok().flatten().as_deref() == Some(uid)
}

fn write_id(common_dir: &Path, uid: &str) -> Result<()> {
    let path = common_dir.join(ID_FILE);
    // Written aside and renamed: a reader never sees half an id.
    let partial = common_dir.join(format!("{ID_FILE}.{}.partial", std::process::id()));
    let written =
        std::fs::write(&partial, format!("{uid}\n")).and_then(|()| std::fs::rename(&partial, &path));
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written.with_context(|| format!("cannot write the repository id to {}", path.display()))
}

fn new_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("cannot read random bytes: {e}"))?;
    Ok(crate::names::hex(&bytes))
}

/// Finds or creates the registry row of the main checkout at `root` (git directory
/// `common_dir`), inside the caller's transaction, and refreshes its base ports. `wanted` is
/// the project name a new row gets (disambiguated when taken). `listed` gives the worktrees git
/// lists at `root`; it is called only to tell whether a checkout without its id file is the
/// repository registered there.
pub fn attach(
    conn: &Connection,
    root: &Path,
    common_dir: &Path,
    wanted: &str,
    base_ports: &[(String, u16)],
    listed: impl FnOnce() -> Vec<PathBuf>,
) -> Result<Attached> {
    let mut uid = read_id(common_dir)?;
    let mut copy_of = None;
    if let Some(id) = uid.as_deref() {
        if let Some(repo) = state::find_repository_by_uid(conn, id)? {
            if same_path(&repo.root, root) {
                let repo = state::ensure_repository(conn, root, wanted, base_ports)?;
                return Ok(Attached { repo, how: Attachment::Known, not_stored: None });
            }
            if holds(&repo.root, id) {
                // Both places hold the id: this one is the copy, the registered one stays.
                copy_of = Some(repo.root);
                let fresh = new_id()?;
                write_id(common_dir, &fresh)?;
                uid = Some(fresh);
            } else {
                return moved(conn, repo, root, wanted, base_ports);
            }
        }
    }
    let mut how = match copy_of {
        Some(of) => Attachment::Copy { of },
        None => Attachment::New,
    };
    match state::find_repository(conn, root)? {
        // Registered before ids existed (or the registry was rebuilt): the row is this one's.
        Some(repo) if repo.uid.is_none() && how == Attachment::New => how = Attachment::Known,
        // Registered here with an id, and this checkout has none: its id file was deleted, or
        // it is another clone.
        Some(repo) if uid.is_none() && repo.uid.is_some() => {
            if let Some(proof) = one_of_its_worktrees(conn, &repo, &listed())? {
                return restore_id(conn, repo, root, common_dir, wanted, base_ports, proof);
            }
            state::unplace_repository(conn, &repo)?;
            how = Attachment::TookPlaceOf { project: repo.project };
        }
        // Registered here, but as another repository, which has left this place.
        Some(repo) if repo.uid != uid => {
            state::unplace_repository(conn, &repo)?;
            if how == Attachment::New {
                how = Attachment::TookPlaceOf { project: repo.project };
            }
        }
        _ => {}
    }
    let mut not_stored = None;
    let uid = match uid {
        Some(id) => Some(id),
        None => {
            let id = new_id()?;
            match write_id(common_dir, &id) {
                Ok(()) => Some(id),
                Err(e) => {
                    not_stored = Some(format!("{e:#}"));
                    None
                }
            }
        }
    };
    let mut repo = state::ensure_repository(conn, root, wanted, base_ports)?;
    if let Some(uid) = uid.filter(|id| repo.uid.as_deref() != Some(id.as_str())) {
        state::set_repository_uid(conn, repo.id, &uid)?;
        repo.uid = Some(uid);
    }
    Ok(Attached { repo, how, not_stored })
}

/// The first of `repo`'s registered worktrees that git lists at its root (`listed`).
fn one_of_its_worktrees(conn: &Connection, repo: &RepoRow, listed: &[PathBuf]) -> Result<Option<PathBuf>> {
    let rows = state::WorktreeRow::list(conn, repo.id)?;
    Ok(rows.into_iter().map(|r| r.path).find(|path| listed.iter().any(|l| same_path(l, path))))
}

/// The checkout at `root` is the registered `repo` whose id file was deleted: writes the id
/// again (when it cannot be written the row is still kept, found by its root).
fn restore_id(
    conn: &Connection,
    repo: RepoRow,
    root: &Path,
    common_dir: &Path,
    wanted: &str,
    base_ports: &[(String, u16)],
    proof: PathBuf,
) -> Result<Attached> {
    let uid = repo.uid.clone().unwrap_or_default();
    let not_stored = write_id(common_dir, &uid).err().map(|e| format!("{e:#}"));
    let repo = state::ensure_repository(conn, root, wanted, base_ports)?;
    Ok(Attached { repo, how: Attachment::IdRestored { proof }, not_stored })
}

/// The repository `repo` now lives at `root`: its row follows, after any stale row of a
/// repository that had left `root` gives the place up.
fn moved(
    conn: &Connection,
    repo: RepoRow,
    root: &Path,
    wanted: &str,
    base_ports: &[(String, u16)],
) -> Result<Attached> {
    if let Some(stale) = state::find_repository(conn, root)? {
        state::unplace_repository(conn, &stale)?;
    }
    state::move_repository(conn, repo.id, root)?;
    let from = repo.root;
    let repo = state::ensure_repository(conn, root, wanted, base_ports)?;
    Ok(Attached { repo, how: Attachment::Moved { from }, not_stored: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::State;

    struct Fixture {
        dir: tempfile::TempDir,
        state: State,
    }

    impl Fixture {
        fn new() -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            let state = State::open(&dir.path().join("home")).unwrap();
            Fixture { dir, state }
        }

        /// A main checkout's directory with its git directory (enough for the id file).
        fn checkout(&self, name: &str) -> PathBuf {
            let root = self.dir.path().join(name);
            std::fs::create_dir_all(root.join(".git")).unwrap();
            root
        }

        fn attach(&mut self, root: &Path, wanted: &str) -> Attached {
            let tx = self.state.immediate().unwrap();
            let got =
                attach(&tx, root, &root.join(".git"), wanted, &[("redis".into(), 6379)], Vec::new).unwrap();
            tx.commit().unwrap();
            got
        }
    }

    #[test]
    fn a_moved_checkout_keeps_its_row_and_name() {
        let mut f = Fixture::new();
        let old = f.checkout("shop");
        let first = f.attach(&old, "shop");
        assert_eq!(first.how, Attachment::New);
        assert_eq!(f.attach(&old, "shop").how, Attachment::Known);
        let new = f.dir.path().join("renamed");
        std::fs::rename(&old, &new).unwrap();
        // An unconfigured name would now be "renamed": the registered one is kept.
        let again = f.attach(&new, "renamed");
        assert_eq!(again.how, Attachment::Moved { from: old.clone() });
        assert_eq!((again.repo.id, again.repo.project.as_str()), (first.repo.id, "shop"));
        assert_eq!(again.repo.root, new);
        assert_eq!(f.attach(&new, "renamed").how, Attachment::Known);
    }

    #[test]
    fn a_copy_is_a_repository_of_its_own() {
        let mut f = Fixture::new();
        let original = f.checkout("shop");
        let first = f.attach(&original, "shop");
        let copy = f.checkout("shop-copy");
        std::fs::copy(original.join(".git").join(ID_FILE), copy.join(".git").join(ID_FILE)).unwrap();
        let other = f.attach(&copy, "shop");
        assert_eq!(other.how, Attachment::Copy { of: original.clone() });
        assert_ne!(other.repo.id, first.repo.id);
        assert_ne!(other.repo.project, "shop", "two checkouts never share a project");
        assert_ne!(read_id(&copy.join(".git")).unwrap(), read_id(&original.join(".git")).unwrap());
        // Both stay what they are.
        assert_eq!(f.attach(&original, "shop").repo.id, first.repo.id);
        assert_eq!(f.attach(&copy, "shop").how, Attachment::Known);
    }

    #[test]
    fn a_different_clone_at_a_left_root_does_not_take_the_name_and_the_mover_is_found() {
        let mut f = Fixture::new();
        let old = f.checkout("shop");
        let first = f.attach(&old, "shop");
        let moved_to = f.dir.path().join("elsewhere");
        std::fs::rename(&old, &moved_to).unwrap();
        // A fresh clone where the repository was, used before the moved one.
        let clone = f.checkout("shop");
        let newcomer = f.attach(&clone, "shop");
        assert_eq!(newcomer.how, Attachment::TookPlaceOf { project: "shop".into() });
        assert_ne!(newcomer.repo.id, first.repo.id);
        assert_ne!(newcomer.repo.project, "shop");
        let back = f.attach(&moved_to, "shop");
        assert!(matches!(back.how, Attachment::Moved { .. }), "{:?}", back.how);
        assert_eq!((back.repo.id, back.repo.project.as_str()), (first.repo.id, "shop"));
        assert_eq!(f.attach(&clone, "shop").repo.id, newcomer.repo.id);
    }

    #[test]
    fn a_moved_checkout_takes_its_place_back_from_a_clone_that_has_not_run_cfn() {
        let mut f = Fixture::new();
        let old = f.checkout("shop");
        let first = f.attach(&old, "shop");
        let moved_to = f.dir.path().join("elsewhere");
        std::fs::rename(&old, &moved_to).unwrap();
        let clone = f.checkout("shop");
        let back = f.attach(&moved_to, "shop");
        assert_eq!(back.how, Attachment::Moved { from: old.clone() });
        assert_eq!(back.repo.id, first.repo.id);
        let newcomer = f.attach(&clone, "shop");
        assert_eq!(newcomer.how, Attachment::New);
        assert_ne!(newcomer.repo.project, "shop");
    }

    #[test]
    fn clones_one_after_another_in_one_place_each_get_a_name_of_their_own() {
        let mut f = Fixture::new();
        let mut projects = Vec::new();
        for i in 0..3 {
            let root = f.checkout("shop");
            projects.push(f.attach(&root, "shop").repo.project);
            std::fs::rename(&root, f.dir.path().join(format!("away-{i}"))).unwrap();
        }
        let mut unique = projects.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 3, "{projects:?}");
        assert_eq!(projects[0], "shop");
    }

    #[test]
    fn an_id_that_cannot_be_stored_leaves_the_checkout_working() {
        let mut f = Fixture::new();
        let root = f.checkout("readonly");
        let nowhere = f.dir.path().join("no-such-git-dir");
        let tx = f.state.immediate().unwrap();
        let got = attach(&tx, &root, &nowhere, "readonly", &[], Vec::new).unwrap();
        tx.commit().unwrap();
        assert_eq!((got.how, got.repo.uid), (Attachment::New, None));
        assert!(got.not_stored.unwrap().contains("cannot write the repository id"));
        assert_eq!(f.attach(&root, "readonly").repo.id, got.repo.id, "the same row, by its root");
    }

    #[test]
    fn a_deleted_id_file_is_written_again_when_git_lists_one_of_its_worktrees() {
        let mut f = Fixture::new();
        let root = f.checkout("shop");
        let first = f.attach(&root, "shop");
        let wt = f.dir.path().join("shop-feat");
        let tx = f.state.immediate().unwrap();
        let row = state::NewRow::for_test(first.repo.id, "feat", &wt, 1);
        state::WorktreeRow::insert(&tx, &row, &[]).unwrap();
        tx.commit().unwrap();
        let id = read_id(&root.join(".git")).unwrap();
        std::fs::remove_file(root.join(".git").join(ID_FILE)).unwrap();

        let tx = f.state.immediate().unwrap();
        let listed = || vec![root.clone(), wt.clone()];
        let again = attach(&tx, &root, &root.join(".git"), "shop", &[], listed).unwrap();
        tx.commit().unwrap();
        assert_eq!(again.how, Attachment::IdRestored { proof: wt.clone() });
        assert_eq!((again.repo.id, again.repo.project.as_str()), (first.repo.id, "shop"));
        assert_eq!(read_id(&root.join(".git")).unwrap(), id, "the same id again");
        assert_eq!(f.attach(&root, "shop").how, Attachment::Known);

        // Without that proof (git lists none of its worktrees) it is another clone.
        std::fs::remove_file(root.join(".git").join(ID_FILE)).unwrap();
        let other = f.attach(&root, "shop");
        assert_eq!(other.how, Attachment::TookPlaceOf { project: "shop".into() });
        assert_ne!(other.repo.id, first.repo.id);
    }

    #[test]
    fn a_row_from_before_ids_is_adopted_in_place() {
        let mut f = Fixture::new();
        let root = f.checkout("legacy");
        let tx = f.state.immediate().unwrap();
        let legacy = state::ensure_repository(&tx, &root, "legacy", &[]).unwrap();
        tx.commit().unwrap();
        assert!(legacy.uid.is_none());
        let got = f.attach(&root, "legacy");
        assert_eq!(got.how, Attachment::Known);
        assert_eq!(got.repo.id, legacy.id);
        assert_eq!(got.repo.uid, read_id(&root.join(".git")).unwrap());
    }
}
