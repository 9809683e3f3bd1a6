//! The signing keys: one current key that signs, and the keys it replaced, which keep verifying
//! what they signed until every such token has expired. A token's header names its key (`kid`).
//! No token is signed with a key's secret itself: each audience has a key derived from it
//! ([`super::audience_key`]).

use super::ttl::MAX_TTL;
use anyhow::{anyhow, Result};
use std::fmt;

/// Bytes of a new secret (HS256 wants at least the hash's 32).
pub const SECRET_BYTES: usize = 32;

/// One HMAC secret with its id and its dates (Unix seconds).
#[derive(Clone)]
pub struct Key {
    pub kid: String,
    pub created: u64,
    /// When a rotation replaced it; `None` for the current key.
    pub retired: Option<u64>,
    secret: Vec<u8>,
}

impl Key {
    pub fn new(kid: String, secret: Vec<u8>, created: u64, retired: Option<u64>) -> Result<Key> {
        if secret.len() < SECRET_BYTES {
            return Err(anyhow!(
                "key {kid} has a secret of {} bytes, fewer than {SECRET_BYTES}",
                secret.len()
            ));
        }
        Ok(Key { kid, created, retired, secret })
    }

    /// A new key of random bytes from the operating system.
    pub fn generate(now: u64) -> Result<Key> {
        let mut secret = vec![0u8; SECRET_BYTES];
        getrandom::fill(&mut secret).map_err(|e| anyhow!("cannot read random bytes: {e}"))?;
        let mut id = [0u8; 6];
        getrandom::fill(&mut id).map_err(|e| anyhow!("cannot read random bytes: {e}"))?;
        Key::new(crate::names::hex(&id), secret, now, None)
    }

    /// The raw secret, for the key file and the derivation of audience keys only: never print
    /// or log it, never sign with it ([`super::audience_key`]).
    pub(super) fn secret(&self) -> &[u8] {
        &self.secret
    }
}

/// Never shows the secret, so a key can be debug-printed safely.
impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("kid", &self.kid)
            .field("created", &self.created)
            .field("retired", &self.retired)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The current key first, then the retired ones still needed for verifying.
#[derive(Debug, Clone)]
pub struct Keyring {
    keys: Vec<Key>,
}

impl Keyring {
    /// A keyring from stored keys; exactly one of them must be current.
    pub fn from_keys(keys: Vec<Key>) -> Result<Keyring> {
        let mut keys = keys;
        keys.sort_by_key(|k| (k.retired.is_some(), std::cmp::Reverse(k.retired)));
        match keys.iter().filter(|k| k.retired.is_none()).count() {
            1 => Ok(Keyring { keys }),
            n => Err(anyhow!("the keyring has {n} current keys instead of one")),
        }
    }

    /// A keyring of one new key.
    pub fn generate(now: u64) -> Result<Keyring> {
        Ok(Keyring { keys: vec![Key::generate(now)?] })
    }

    /// The key that signs new tokens.
    pub fn current(&self) -> &Key {
        &self.keys[0]
    }

    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// The key a token names in its header.
    pub fn find(&self, kid: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// A new current key; the old one is retired at `now`. Keys retired longer than the
    /// longest token life ago are dropped: every token they signed has expired.
    pub fn rotated(&self, now: u64) -> Result<Keyring> {
        let mut keys = vec![Key::generate(now)?];
        for key in &self.keys {
            let retired = key.retired.unwrap_or(now);
            if retired + MAX_TTL.as_secs() > now {
                keys.push(Key { retired: Some(retired), ..key.clone() });
            }
        }
        Keyring::from_keys(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_keeps_retired_keys_for_the_longest_token_life() {
        let first = Keyring::generate(0).unwrap();
        let second = first.rotated(100).unwrap();
        assert_ne!(second.current().kid, first.current().kid);
        assert_eq!(second.find(&first.current().kid).unwrap().retired, Some(100));
        let later = 100 + MAX_TTL.as_secs();
        let third = second.rotated(later).unwrap();
        assert!(third.find(&first.current().kid).is_none(), "a key retired 30 days ago is dropped");
        assert!(third.find(&second.current().kid).is_some());
        assert_eq!(third.keys().len(), 2);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let ring = Keyring::generate(0).unwrap();
        let text = format!("{ring:?}");
        assert!(text.contains("<redacted>"));
        assert!(!text.contains(&crate::names::hex(ring.current().secret())));
    }
}
