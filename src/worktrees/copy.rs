//! Copying git-ignored files (`.env`, local config) from the main checkout into a new worktree:
//! only those matching a glob of `[copy] include`/`symlink` or of `.worktreeinclude`; in a
//! copied dotenv file, every value holding one of the main checkout's ports gets the branch's
//! port instead, so the copy points at the branch's own services.

use crate::config::CopyConfig;
use crate::error::UserError;
use crate::git;
use crate::render::no_follow;
use anyhow::Result;
use indexmap::IndexMap;
use rustix::fs::{AtFlags, FileType, Mode};
use serde::Serialize;
use std::os::fd::OwnedFd;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

pub const INCLUDE_FILE: &str = ".worktreeinclude";

#[derive(Debug, Default, Serialize)]
pub struct Copied {
    pub copied: Vec<String>,
    pub linked: Vec<String>,
    pub rewritten: Vec<String>,
    /// `<path>: <why>` for each file left out because copying it would follow a link.
    pub skipped: Vec<String>,
}

/// Where a copy reads and writes, and how.
struct Copy<'a> {
    main_root: &'a Path,
    /// `main_root` with its links resolved: a source link must lead below it.
    real_main: PathBuf,
    worktree: &'a Path,
    rewrite: bool,
    ports: &'a IndexMap<u16, u16>,
}

/// `ports`: main checkout port → branch port.
///
/// The new worktree is the branch's, so it is untrusted: a branch may track `.env` (or a folder
/// on its way) as a link to a file other users can read. Nothing is written through a link in
/// the worktree; such a file is skipped and named in [`Copied::skipped`]. A source that is a link
/// is followed only to a file inside the main checkout. A copy keeps its source's permissions.
pub fn copy_ignored(
    main_root: &Path,
    worktree: &Path,
    cfg: &CopyConfig,
    ports: &IndexMap<u16, u16>,
) -> Result<Copied> {
    let mut include = cfg.include.clone();
    include.extend(read_include_file(main_root)?);
    let mut done = Copied::default();
    if include.is_empty() && cfg.symlink.is_empty() {
        return Ok(done);
    }
    // What git ignores (and does not track) in the main checkout; folders ignored whole come as
    // one `dir/` entry.
    let out = git::git(main_root)
        .args(["ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "-z"])
        .read()?;
    let copy = Copy {
        main_root,
        real_main: std::fs::canonicalize(main_root).unwrap_or_else(|_| main_root.to_path_buf()),
        worktree,
        rewrite: cfg.rewrite_ports,
        ports,
    };
    for entry in out.split('\0').filter(|e| !e.is_empty()) {
        let rel = entry.trim_end_matches('/');
        if rel == ".cfn" || rel.starts_with(".cfn/") {
            continue;
        }
        let outcome = if cfg.symlink.iter().any(|g| matches(g, rel)) {
            copy.link(Path::new(rel)).map(|()| done.linked.push(rel.to_string()))
        } else if include.iter().any(|g| matches(g, rel)) {
            copy.entry(Path::new(rel), true, &mut done).map(|()| done.copied.push(rel.to_string()))
        } else {
            continue;
        };
        match outcome {
            Ok(()) => {}
            Err(Skip(why)) => done.skipped.push(format!("{rel}: {why}")),
        }
    }
    for rel in &done.linked {
        exclude_link(main_root, rel)?;
    }
    Ok(done)
}

/// The globs of `.worktreeinclude` (never read through a link out of the repository), each
/// inside the repository.
fn read_include_file(main_root: &Path) -> Result<Vec<String>> {
    let path = crate::safe_path::inside(main_root, INCLUDE_FILE, "the file")?;
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(anyhow::Error::from(e).context(format!("cannot read {}", path.display()))),
    };
    let globs: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    for glob in &globs {
        crate::safe_path::glob_inside(glob, INCLUDE_FILE)?;
    }
    Ok(globs)
}

/// Why one entry was left out (the add goes on).
struct Skip(String);

/// An I/O error as a [`Skip`]: "cannot read it: …".
fn failed(what: &'static str) -> impl Fn(std::io::Error) -> Skip {
    move |e| Skip(format!("cannot {what} it: {e}"))
}

impl Copy<'_> {
    /// The worktree folder that will hold `rel`, opened without following a link.
    fn dest_dir(&self, rel: &Path) -> Result<OwnedFd, Skip> {
        let parent = rel.parent().unwrap_or(Path::new(""));
        no_follow::open_dir(self.worktree, parent, Some(0o755)).map_err(|e| {
            match e.downcast_ref::<UserError>() {
                Some(refused) => Skip(refused.message.clone()),
                None => Skip(format!("{e:#}")),
            }
        })
    }

    /// Refuses a destination that is a link (the branch tracks one there).
    fn refuse_link(dir: &OwnedFd, name: &std::ffi::OsStr) -> Result<Option<FileType>, Skip> {
        match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::Symlink => Err(Skip(
                "the worktree has a symbolic link there (the branch tracks it); cfn does not write through it".into(),
            )),
            Ok(st) => Ok(Some(FileType::from_raw_mode(st.st_mode))),
            Err(_) => Ok(None),
        }
    }

    /// Links `rel` in the worktree to the main checkout's.
    fn link(&self, rel: &Path) -> Result<(), Skip> {
        let name = rel.file_name().ok_or_else(|| Skip("no file name".into()))?;
        let dir = self.dest_dir(rel)?;
        if Self::refuse_link(&dir, name)?.is_some() {
            return Err(Skip("something is already there in the worktree".into()));
        }
        rustix::fs::symlinkat(self.main_root.join(rel).as_path(), &dir, name)
            .map_err(|e| Skip(format!("cannot link it: {e}")))
    }

    /// Copies the file or folder `rel` from the main checkout into the worktree.
    fn entry(&self, rel: &Path, top: bool, done: &mut Copied) -> Result<(), Skip> {
        let dir = self.dest_dir(rel)?;
        self.entry_in(&dir, rel, top, done)
    }

    /// [`Copy::entry`] into the open worktree folder `dir` that holds `rel`.
    fn entry_in(&self, dir: &OwnedFd, rel: &Path, top: bool, done: &mut Copied) -> Result<(), Skip> {
        let name = rel.file_name().ok_or_else(|| Skip("no file name".into()))?;
        let mut src = self.main_root.join(rel);
        let mut meta = std::fs::symlink_metadata(&src).map_err(failed("read"))?;
        if meta.file_type().is_symlink() {
            let real = std::fs::canonicalize(&src).ok().filter(|r| r.starts_with(&self.real_main));
            let Some(real) = real else {
                return Err(Skip(
                    "it is a symbolic link that leads out of the repository; not followed".into(),
                ));
            };
            meta = std::fs::metadata(&real).map_err(failed("read"))?;
            if !meta.is_file() {
                return Err(Skip("it is a symbolic link to a folder; not followed".into()));
            }
            src = real;
        }
        let there = Self::refuse_link(dir, name)?;
        let mode = meta.permissions().mode() & 0o777;
        if meta.is_dir() {
            match there {
                None => rustix::fs::mkdirat(dir, name, Mode::from_raw_mode(mode | 0o700))
                    .map_err(|e| failed("create")(e.into()))?,
                Some(FileType::Directory) => {}
                Some(_) => return Err(Skip("the worktree has a file there".into())),
            }
            let child_dir = no_follow::open_child_dir(dir, name).map_err(|e| failed("open")(e.into()))?;
            for child in std::fs::read_dir(&src).map_err(failed("read"))? {
                let child_rel = rel.join(child.map_err(failed("read"))?.file_name());
                if let Err(Skip(why)) = self.entry_in(&child_dir, &child_rel, false, done) {
                    done.skipped.push(format!("{}: {why}", child_rel.display()));
                }
            }
            return Ok(());
        }
        if !meta.is_file() {
            return Err(Skip("not a regular file".into()));
        }
        let rel_text = rel.to_string_lossy();
        if top && self.rewrite && is_dotenv(&rel_text) {
            let text = std::fs::read_to_string(&src).map_err(failed("read"))?;
            let rewritten = rewrite_ports(&text, self.ports);
            if rewritten.is_some() {
                done.rewritten.push(rel_text.into_owned());
            }
            let bytes = rewritten.unwrap_or(text).into_bytes();
            no_follow::write_at(dir, name, &bytes, mode)
                .map_err(|e| Skip(format!("cannot write it: {e:#}")))?;
            return Ok(());
        }
        let mut source = std::fs::File::open(&src).map_err(failed("read"))?;
        no_follow::copy_at(dir, name, &mut source, mode).map_err(|e| Skip(format!("cannot write it: {e:#}")))
    }
}

/// A link is not a folder, so an ignore rule like `node_modules/` does not cover it: the exact
/// path goes into the repository's `info/exclude`, so the link never shows as untracked work.
fn exclude_link(main_root: &Path, rel: &str) -> Result<()> {
    let common = git2::Repository::open(main_root)?.commondir().to_path_buf();
    let path = common.join("info").join("exclude");
    let line = format!("/{rel}");
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    if text.lines().any(|l| l.trim() == line) {
        return Ok(());
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&line);
    text.push('\n');
    std::fs::create_dir_all(path.parent().unwrap_or(&common))?;
    crate::render::write_atomic(&path, &text, 0o644)?;
    Ok(())
}

fn is_dotenv(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

/// Replaces, in the values of `KEY=VALUE` lines, every number equal to a main port (bounded by
/// non-digits) with the branch's port. Returns the new text if anything changed.
fn rewrite_ports(text: &str, ports: &IndexMap<u16, u16>) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        match line.split_once('=') {
            Some((key, value)) if !key.trim_start().starts_with('#') => {
                out.push_str(key);
                out.push('=');
                out.push_str(&replace_numbers(value, ports));
            }
            _ => out.push_str(line),
        }
    }
    (out != text).then_some(out)
}

fn replace_numbers(value: &str, ports: &IndexMap<u16, u16>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        let mapped = digits.parse::<u16>().ok().and_then(|n| ports.get(&n));
        match mapped {
            Some(p) if digits.len() <= 5 => out.push_str(&p.to_string()),
            _ => out.push_str(digits),
        }
        digits.clear();
    };
    for c in value.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// A glob: `*` and `?` within a path segment, `**` across segments; a pattern without `/`
/// matches a file or folder name at any depth.
pub fn matches(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
    if !pattern.contains('/') {
        return path.split('/').any(|seg| segment(pattern.as_bytes(), seg.as_bytes()));
    }
    let p: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
    let s: Vec<&str> = path.split('/').collect();
    segments(&p, &s)
}

fn segments(p: &[&str], s: &[&str]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((&"**", rest)) => (0..=s.len()).any(|i| segments(rest, &s[i..])),
        Some((first, rest)) => {
            !s.is_empty() && segment(first.as_bytes(), s[0].as_bytes()) && segments(rest, &s[1..])
        }
    }
}

fn segment(p: &[u8], s: &[u8]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => segment(&p[1..], s) || (!s.is_empty() && segment(p, &s[1..])),
        (Some(b'?'), Some(_)) => segment(&p[1..], &s[1..]),
        (Some(a), Some(b)) if a == b => segment(&p[1..], &s[1..]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(matches(".env", ".env"));
        assert!(matches(".env*", "app/.env.local"));
        assert!(matches("config/*.json", "config/local.json"));
        assert!(!matches("config/*.json", "config/sub/local.json"));
        assert!(matches("config/**/*.json", "config/sub/local.json"));
        assert!(matches("node_modules", "node_modules"));
        assert!(!matches(".env", ".envrc"));
    }

    #[test]
    fn ports_in_values_are_rewritten() {
        let ports = IndexMap::from([(6379, 6409), (5432, 5462)]);
        assert_eq!(replace_numbers("redis://localhost:6379/0\n", &ports), "redis://localhost:6409/0\n");
        assert_eq!(replace_numbers("5432", &ports), "5462");
        assert_eq!(replace_numbers("15432 54321 63790", &ports), "15432 54321 63790");
    }
}
