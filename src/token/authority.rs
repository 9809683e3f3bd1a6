//! The token authority of one user: the keyring in `$CFN_HOME` and the records in the state
//! database, behind the calls the CLI and the loop make — issue, verify, revoke, list, rotate.

use super::claims::Claims;
use super::jwt::{self, Expected, Rejection};
use super::key_file;
use super::keyring::Keyring;
use super::store::{self, IssuedToken};
use crate::error::UserError;
use crate::state::State;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// What a revocation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    Revoked {
        jti: String,
    },
    AlreadyRevoked {
        jti: String,
    },
    /// The token had expired: it is refused anyway, nothing to record.
    AlreadyExpired {
        jti: String,
    },
}

pub struct Authority {
    home: PathBuf,
    keyring: Keyring,
    state: State,
}

/// Seconds since the Unix epoch, the clock of every claim.
pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl Authority {
    /// Opens the state database in `home` and the keyring, creating the key on first use.
    pub fn open(home: &Path) -> Result<Authority> {
        let state = State::open(home)?;
        let keyring = key_file::load_or_create(home, now())?;
        Ok(Authority { home: home.to_path_buf(), keyring, state })
    }

    /// Signs `claims` with the current key and records the token's id, agent, server, task and
    /// expiry (never the token). Build the claims with [`Claims::new`].
    pub fn issue(&self, claims: &Claims) -> Result<String> {
        let key = self.keyring.current();
        let token = jwt::sign(key, claims)?;
        let conn = self.state.conn();
        store::prune(conn, now())?;
        store::record_issued(conn, claims, &key.kid)?;
        Ok(token)
    }

    /// The token's claims if it is valid for `expected` now, was issued here with exactly these
    /// claims, and is not revoked. (A service holding only its audience key can sign tokens
    /// for itself; the records tell those from the ones cfn issued.)
    pub fn verify(&self, token: &str, expected: &Expected<'_>) -> Result<Claims, Rejection> {
        let claims = jwt::check(&self.keyring, token, expected, now())?;
        match store::standing(self.state.conn(), &claims) {
            Ok(store::Standing::Live) => Ok(claims),
            Ok(store::Standing::Revoked) => Err(Rejection::Revoked { jti: claims.jti }),
            Ok(store::Standing::NotIssued) => Err(Rejection::NotIssued { jti: claims.jti }),
            Err(e) => Err(Rejection::Unchecked(e.to_string())),
        }
    }

    /// Revokes a token signed here (its signature is checked: a forged token names nothing).
    pub fn revoke_token(&self, token: &str) -> Result<Revocation> {
        let claims = jwt::authentic(&self.keyring, token)
            .map_err(|why| UserError::new(format!("cannot revoke: {why}")))?;
        self.revoke(&claims.jti, claims.exp)
    }

    /// Revokes a live token by its id, as `cfn token list` shows it.
    pub fn revoke_jti(&self, jti: &str) -> Result<Revocation> {
        match store::issued(self.state.conn(), jti, now())? {
            Some(record) => self.revoke(&record.jti, record.expires_at),
            None => Err(UserError::new(format!("no live token has the id {jti:?}"))
                .hint("`cfn token list` shows the live tokens; an expired token needs no revocation")
                .into()),
        }
    }

    fn revoke(&self, jti: &str, expires_at: u64) -> Result<Revocation> {
        let (conn, now) = (self.state.conn(), now());
        let jti = jti.to_string();
        if expires_at <= now {
            return Ok(Revocation::AlreadyExpired { jti });
        }
        store::prune(conn, now)?;
        Ok(if store::revoke(conn, &jti, expires_at, now)? {
            Revocation::Revoked { jti }
        } else {
            Revocation::AlreadyRevoked { jti }
        })
    }

    /// Issued tokens that have neither expired nor been revoked.
    pub fn live(&self) -> Result<Vec<IssuedToken>> {
        store::live(self.state.conn(), now())
    }

    /// The state database the authority records in (the loop records its grants there too).
    pub fn state(&self) -> &State {
        &self.state
    }

    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Makes a new signing key; tokens signed by the old ones keep verifying until they expire,
    /// unless `drop_old` (after a leak: every token issued before stops verifying at once).
    /// Every MCP service's verifier file is rewritten with the new keys.
    pub fn rotate(&mut self, drop_old: bool) -> Result<&Keyring> {
        self.keyring = key_file::rotate(&self.home, now(), drop_old)?;
        super::verifier_file::refresh_all(&self.home, &self.keyring)?;
        Ok(&self.keyring)
    }
}
