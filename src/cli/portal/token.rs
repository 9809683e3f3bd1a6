//! The portal's token: 256 random bits made at each start, written 0600 to
//! `$CFN_HOME/portal-<port>.token` and `$CFN_HOME/portal.token` (the last portal started), so a
//! script of the same user can reach the API — of each portal when several run — and compared
//! in constant time, so the time an answer takes says nothing about how much of a guess was
//! right. The files go when the portal stops.

use anyhow::{Context as _, Result};
use std::path::{Path, PathBuf};
use subtle::ConstantTimeEq as _;

pub struct Token(String);

/// The token of the portal started last.
pub fn path(home: &Path) -> PathBuf {
    home.join("portal.token")
}

/// The token of the portal listening on `port`.
pub fn path_for(home: &Path, port: u16) -> PathBuf {
    home.join(format!("portal-{port}.token"))
}

/// The token files of one running portal; dropped when it stops, they are removed (the shared
/// `portal.token` only while it still holds this portal's token).
pub struct Files {
    home: PathBuf,
    port: u16,
    token: String,
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(path_for(&self.home, self.port));
        let shared = path(&self.home);
        if std::fs::read_to_string(&shared).is_ok_and(|t| t.trim() == self.token) {
            let _ = std::fs::remove_file(shared);
        }
    }
}

impl Token {
    /// A new token for the portal on `port`, written to its own file and as the last started;
    /// a portal that stopped leaves no token behind.
    pub fn create(home: &Path, port: u16) -> Result<(Token, Files)> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("cannot read random bytes: {e}"))?;
        let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let files = Files { home: home.to_path_buf(), port, token: text.clone() };
        for file in [path_for(home, port), path(home)] {
            crate::render::write_atomic(&file, &format!("{text}\n"), 0o600)
                .with_context(|| format!("cannot write the portal's token to {}", file.display()))?;
        }
        Ok((Token(text), files))
    }

    /// The token itself, for the one line that prints the URL.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, offered: &str) -> bool {
        // Lengths differ only for a malformed offer; the length of the real token is public.
        self.0.len() == offered.len() && bool::from(self.0.as_bytes().ct_eq(offered.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn a_token_is_private_random_and_compared_whole() {
        let home = tempfile::tempdir().unwrap();
        let (a, a_files) = Token::create(home.path(), 7356).unwrap();
        for file in [path(home.path()), path_for(home.path(), 7356)] {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), a.reveal());
        }
        assert_eq!(a.reveal().len(), 64);
        let (b, b_files) = Token::create(home.path(), 7357).unwrap();
        assert_ne!(a.reveal(), b.reveal(), "each start makes a new token");
        // the first portal stops: its own file goes, the last started keeps portal.token
        drop(a_files);
        assert!(!path_for(home.path(), 7356).exists());
        assert_eq!(std::fs::read_to_string(path(home.path())).unwrap().trim(), b.reveal());
        assert_eq!(std::fs::read_to_string(path_for(home.path(), 7357)).unwrap().trim(), b.reveal());
        drop(b_files);
        assert!(!path(home.path()).exists() && !path_for(home.path(), 7357).exists());
        assert!(b.matches(b.reveal()));
        assert!(!b.matches(a.reveal()));
        assert!(!b.matches(&b.reveal()[..63]));
        assert!(!b.matches(""));
    }
}
