//! The keyring on disk: `$CFN_HOME/token-keys.json`, mode 0600, created on first use.
//!
//! The file appears whole or not at all: it is written to a temporary file opened with
//! `O_CREAT|O_EXCL` and mode 0600 (never readable by others, not even for a moment) and then
//! hard-linked into place, which fails if another process created it first, so two first uses
//! agree on one key. A rotation rewrites the file under a lock (read, add a key, replace), so two
//! rotations never lose a key. A file that group or others can open is refused, not repaired:
//! its secret may already be known.

use super::keyring::{Key, Keyring};
use crate::error::UserError;
use anyhow::{anyhow, Context as _, Result};
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

const FILE_NAME: &str = "token-keys.json";
const LOCK_NAME: &str = "token-keys.lock";

#[derive(Serialize, Deserialize)]
struct KeyFile {
    keys: Vec<KeyRecord>,
}

#[derive(Serialize, Deserialize)]
struct KeyRecord {
    kid: String,
    /// Hex.
    secret: String,
    created: u64,
    retired: Option<u64>,
}

/// Where the keyring lives in `home`.
pub fn path(home: &Path) -> PathBuf {
    home.join(FILE_NAME)
}

/// The keyring, created with one new key when there is none yet.
pub fn load_or_create(home: &Path, now: u64) -> Result<Keyring> {
    let file = path(home);
    if let Some(ring) = read(&file)? {
        return Ok(ring);
    }
    let ring = Keyring::generate(now)?;
    if create(&file, &ring)? {
        return Ok(ring);
    }
    // Another process created it between our read and our link: use theirs.
    read(&file)?.ok_or_else(|| anyhow!("{} vanished while it was being created", file.display()))
}

/// Replaces the current key with a new one; the old one keeps verifying (see
/// [`Keyring::rotated`]), unless `drop_old`, which keeps the new key only. Returns the new
/// keyring.
pub fn rotate(home: &Path, now: u64, drop_old: bool) -> Result<Keyring> {
    let _lock = crate::lock_file::hold(&home.join(LOCK_NAME))?;
    let file = path(home);
    let ring = if drop_old { Keyring::generate(now)? } else { load_or_create(home, now)?.rotated(now)? };
    crate::render::write_atomic(&file, &encode(&ring)?, 0o600)?;
    Ok(ring)
}

/// Reads the keyring; `None` when the file does not exist yet.
fn read(file: &Path) -> Result<Option<Keyring>> {
    let mut handle = match std::fs::File::open(file) {
        Ok(handle) => handle,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(anyhow!(e).context(format!("cannot open {}", file.display()))),
    };
    check_private(file, &handle.metadata()?)?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut handle, &mut text)
        .with_context(|| format!("cannot read {}", file.display()))?;
    decode(&text).map(Some).map_err(|e| {
        UserError::new(format!("the token key file {} is damaged: {e}", file.display()))
            .hint("move it away and run `cfn token rotate`; tokens signed with it stop verifying")
            .into()
    })
}

/// Refuses a key file that anyone but its owner can read or write.
fn check_private(file: &Path, meta: &std::fs::Metadata) -> Result<()> {
    let mode = meta.permissions().mode() & 0o777;
    if !meta.is_file() {
        return Err(
            UserError::new(format!("the token key file {} is not a regular file", file.display())).into()
        );
    }
    if mode & 0o077 != 0 {
        return Err(UserError::new(format!(
            "the token key file {} is open to group or others (mode {mode:03o}); refusing to use it",
            file.display()
        ))
        .hint(format!("chmod 600 {}", file.display()))
        .into());
    }
    Ok(())
}

/// Creates `file` holding `ring` unless it exists; false when another process was first.
fn create(file: &Path, ring: &Keyring) -> Result<bool> {
    let dir = file.parent().context("the key file needs a directory")?;
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| anyhow!("cannot read random bytes: {e}"))?;
    let tmp = dir.join(format!(".{FILE_NAME}.{}.tmp", crate::names::hex(&nonce)));
    let text = encode(ring)?;
    let result = (|| -> std::io::Result<bool> {
        let mut handle = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        handle.write_all(text.as_bytes())?;
        handle.sync_all()?;
        match std::fs::hard_link(&tmp, file) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        }
    })();
    let _ = std::fs::remove_file(&tmp);
    result.with_context(|| format!("cannot create {}", file.display()))
}

fn encode(ring: &Keyring) -> Result<String> {
    let keys = ring
        .keys()
        .iter()
        .map(|k| KeyRecord {
            kid: k.kid.clone(),
            secret: crate::names::hex(k.secret()),
            created: k.created,
            retired: k.retired,
        })
        .collect();
    Ok(serde_json::to_string_pretty(&KeyFile { keys })? + "\n")
}

fn decode(text: &str) -> Result<Keyring> {
    let file: KeyFile = serde_json::from_str(text)?;
    let keys = file
        .keys
        .into_iter()
        .map(|r| Key::new(r.kid, unhex(&r.secret)?, r.created, r.retired))
        .collect::<Result<Vec<_>>>()?;
    Keyring::from_keys(keys)
}

fn unhex(text: &str) -> Result<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return Err(anyhow!("a secret is not hex"));
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(text.get(i..i + 2).unwrap_or("x"), 16)
                .map_err(|_| anyhow!("a secret is not hex"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(file: &Path) -> u32 {
        std::fs::metadata(file).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn created_once_with_mode_0600_and_read_back() {
        let home = tempfile::tempdir().unwrap();
        let first = load_or_create(home.path(), 10).unwrap();
        assert_eq!(mode(&path(home.path())), 0o600);
        let again = load_or_create(home.path(), 20).unwrap();
        assert_eq!(again.current().kid, first.current().kid);
        assert_eq!(again.current().secret(), first.current().secret());
        let leftovers: Vec<_> =
            std::fs::read_dir(home.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, [FILE_NAME], "no temporary file is left");
    }

    #[test]
    fn a_file_others_can_read_is_refused() {
        let home = tempfile::tempdir().unwrap();
        load_or_create(home.path(), 10).unwrap();
        let file = path(home.path());
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_or_create(home.path(), 10).unwrap_err();
        let user = err.downcast_ref::<UserError>().unwrap();
        assert!(user.message.contains("mode 644"), "{}", user.message);
        assert_eq!(user.hint.as_deref(), Some(format!("chmod 600 {}", file.display()).as_str()));
    }

    #[test]
    fn rotation_is_written_and_keeps_the_old_key() {
        let home = tempfile::tempdir().unwrap();
        let first = load_or_create(home.path(), 10).unwrap();
        let rotated = rotate(home.path(), 20, false).unwrap();
        let read_back = load_or_create(home.path(), 30).unwrap();
        assert_eq!(read_back.current().kid, rotated.current().kid);
        assert_eq!(read_back.find(&first.current().kid).unwrap().retired, Some(20));
        assert_eq!(mode(&path(home.path())), 0o600);
    }
}
