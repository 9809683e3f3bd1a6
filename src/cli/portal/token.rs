//! The portal's token: 256 random bits made at each start, written 0600 to
//! `$CFN_HOME/portal.token` (so a script of the same user can reach the API) and compared in
//! constant time, so the time an answer takes says nothing about how much of a guess was right.

use anyhow::{Context as _, Result};
use std::path::{Path, PathBuf};
use subtle::ConstantTimeEq as _;

pub struct Token(String);

pub fn path(home: &Path) -> PathBuf {
    home.join("portal.token")
}

impl Token {
    /// A new token, replacing the file of the last start: a portal that stopped leaves no
    /// token that still opens anything.
    pub fn create(home: &Path) -> Result<Token> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("cannot read random bytes: {e}"))?;
        let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let file = path(home);
        crate::render::write_atomic(&file, &format!("{text}\n"), 0o600)
            .with_context(|| format!("cannot write the portal's token to {}", file.display()))?;
        Ok(Token(text))
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
        let a = Token::create(home.path()).unwrap();
        let mode = std::fs::metadata(path(home.path())).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(a.reveal().len(), 64);
        assert_eq!(std::fs::read_to_string(path(home.path())).unwrap().trim(), a.reveal());
        let b = Token::create(home.path()).unwrap();
        assert_ne!(a.reveal(), b.reveal(), "each start makes a new token");
        assert!(b.matches(b.reveal()));
        assert!(!b.matches(a.reveal()));
        assert!(!b.matches(&b.reveal()[..63]));
        assert!(!b.matches(""));
    }
}
