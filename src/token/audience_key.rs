//! The key that signs and checks the tokens of one audience, derived from a keyring key:
//! `HMAC-SHA256(secret, "cfn token audience\0" || audience)`.
//!
//! Why derived keys: HS256 is symmetric, so whatever checks a token can also sign one. An MCP
//! service gets only its own audience's key (docs/skills.md), so the worst it can forge is a
//! token for itself; the keyring's secret, which derives every audience's key, never leaves
//! `$CFN_HOME`. The derivation is one-way: an audience key tells nothing of the secret or of
//! another audience's key.

use super::keyring::Key;
use anyhow::Result;
use hmac::{Hmac, KeyInit as _, Mac as _};
use jsonwebtoken::{DecodingKey, EncodingKey};
use sha2::Sha256;
use std::fmt;

/// Separates this use of the secret from any other.
const LABEL: &[u8] = b"cfn token audience\0";

pub struct AudienceKey {
    pub kid: String,
    secret: [u8; 32],
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl AudienceKey {
    /// The key of `audience` derived from `key`; it carries `key`'s id.
    pub fn derive(key: &Key, audience: &str) -> Result<AudienceKey> {
        let mut mac = <Hmac<Sha256>>::new_from_slice(key.secret()).expect("HMAC takes any key length");
        mac.update(LABEL);
        mac.update(audience.as_bytes());
        let secret: [u8; 32] = mac.finalize().into_bytes().into();
        Ok(AudienceKey {
            kid: key.kid.clone(),
            encoding: EncodingKey::from_secret(&secret)?,
            decoding: DecodingKey::from_secret(&secret)?,
            secret,
        })
    }

    /// The derived secret, for the audience's verifier file only: never print or log it.
    pub(super) fn secret(&self) -> &[u8] {
        &self.secret
    }

    pub(super) fn encoding(&self) -> &EncodingKey {
        &self.encoding
    }

    pub(super) fn decoding(&self) -> &DecodingKey {
        &self.decoding
    }
}

/// Never shows the secret.
impl fmt::Debug for AudienceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AudienceKey").field("kid", &self.kid).field("secret", &"<redacted>").finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::Keyring;

    #[test]
    fn each_audience_has_its_own_key_none_of_them_the_secret() {
        let ring = Keyring::generate(0).unwrap();
        let key = ring.current();
        let redis = AudienceKey::derive(key, "mcp-redis").unwrap();
        let browser = AudienceKey::derive(key, "mcp-browser").unwrap();
        assert_ne!(redis.secret(), browser.secret());
        assert_ne!(redis.secret(), key.secret());
        assert_eq!(redis.secret(), AudienceKey::derive(key, "mcp-redis").unwrap().secret(), "deterministic");
        assert_eq!(redis.kid, key.kid);
        // Another key of the ring derives another key for the same audience.
        let next = ring.rotated(10).unwrap();
        assert_ne!(AudienceKey::derive(next.current(), "mcp-redis").unwrap().secret(), redis.secret());
    }

    #[test]
    fn known_answer() {
        // HMAC-SHA256(32 × 0x01, "cfn token audience\0mcp-redis"), as any verifier would compute it
        // (python3 -c 'import hmac,hashlib;print(hmac.new(b"\x01"*32,b"cfn token audience\0mcp-redis",hashlib.sha256).hexdigest())').
        let key = Key::new("k1".into(), vec![1u8; 32], 0, None).unwrap();
        let derived = AudienceKey::derive(&key, "mcp-redis").unwrap();
        assert_eq!(crate::names::hex(derived.secret()), KNOWN);
    }

    const KNOWN: &str = "3566593d1e867b8b9a91c44b6d3df35a7114dc8fbe7b54c838b4fbd5086f645d";
}
