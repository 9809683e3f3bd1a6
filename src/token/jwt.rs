//! Signing claims into a JWT (HS256 with the audience's key, the key's id in the header) and
//! checking one: its shape, its signature, its expiry, its audience and its task. Pure: the keys
//! and the time come in, nothing is read from disk, so a service that holds its audience's key
//! verifies the same way.
//! Revocation needs the state database and is checked by [`super::Authority`].

use super::audience_key::AudienceKey;
use super::claims::Claims;
use super::keyring::{Key, Keyring};
use anyhow::Result;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Header, Validation};
use std::fmt;

/// How far in the future `iat` may be: the issuer and the verifier share a clock, but a
/// verifier in a container may read it a moment before.
const CLOCK_SLACK: u64 = 60;

/// Longer than any token cfn issues; a bigger one is refused before any parsing.
const MAX_TOKEN_LEN: usize = 8 * 1024;

/// What the verifying server expects of a token.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The server doing the verifying: the token's `aud` must name it.
    pub audience: &'a str,
    /// The task the server serves, when it serves one: the token's `task_id` must match.
    pub task: Option<&'a str>,
}

/// Why a token is refused; `Display` is the one-line reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    Malformed(String),
    BadSignature,
    UnknownKey(String),
    Expired {
        exp: u64,
    },
    WrongAudience {
        token: String,
        expected: String,
    },
    OtherTask {
        token: String,
        expected: String,
    },
    Revoked {
        jti: String,
    },
    /// Signed with a key of this machine, but never issued here: a forgery with a leaked
    /// audience key (checked where the state database is at hand).
    NotIssued {
        jti: String,
    },
    /// `iat` in the future, or a lifetime longer than any token cfn issues.
    Lifetime(String),
    /// The revocation list could not be read: a verifier fails closed.
    Unchecked(String),
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Malformed(why) => write!(f, "malformed token: {why}"),
            Rejection::BadSignature => {
                f.write_str("bad signature: the token was not signed by this machine's key")
            }
            Rejection::UnknownKey(kid) => {
                write!(f, "bad signature: the token names key {kid:?}, which this machine does not have")
            }
            Rejection::Expired { exp } => {
                write!(f, "expired at {}", crate::migrate::target::rfc3339(*exp as i64))
            }
            Rejection::WrongAudience { token, expected } => {
                write!(f, "wrong audience: the token is for {token:?}, not {expected:?}")
            }
            Rejection::OtherTask { token, expected } => {
                write!(f, "another task: the token is for task {token:?}, not {expected:?}")
            }
            Rejection::Revoked { jti } => write!(f, "revoked: token {jti} was revoked"),
            Rejection::NotIssued { jti } => {
                write!(f, "not issued: no token {jti} was issued for these claims by this user")
            }
            Rejection::Lifetime(why) => write!(f, "bad lifetime: {why}"),
            Rejection::Unchecked(why) => write!(f, "cannot check revocations: {why}"),
        }
    }
}

impl std::error::Error for Rejection {}

impl Rejection {
    /// What the holder of a refused token can do about it.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self {
            Rejection::Malformed(_) => "pass the token exactly as `cfn token issue` printed it",
            Rejection::BadSignature | Rejection::UnknownKey(_) => {
                "the token was not issued by this user on this machine (or its key was retired over 30 days ago)"
            }
            Rejection::Expired { .. } | Rejection::Revoked { .. } => "issue a new token with `cfn token issue`",
            Rejection::NotIssued { .. } | Rejection::Lifetime(_) => {
                "only tokens `cfn token issue` (or the loop) made are valid; if a service's keys leaked, \
                 run `cfn token rotate --drop-old-keys`"
            }
            Rejection::WrongAudience { .. } => "a token is valid only for the server it was issued for",
            Rejection::OtherTask { .. } => "a token is valid only for the task it was issued for",
            Rejection::Unchecked(_) => return None,
        })
    }
}

/// Signs `claims` with the key `key` derives for the claims' audience; the header carries the
/// key's id.
pub fn sign(key: &Key, claims: &Claims) -> Result<String> {
    let key = AudienceKey::derive(key, &claims.aud)?;
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(key.kid.clone());
    Ok(jsonwebtoken::encode(&header, claims, key.encoding())?)
}

/// The claims of a token signed by a key of `keyring` for the audience it names, whatever its
/// expiry or audience. (The keyring derives every audience's key; `check` then compares the
/// audience with the expected one, so a token for another server gets that reason rather than
/// a bad signature.)
pub fn authentic(keyring: &Keyring, token: &str) -> Result<Claims, Rejection> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(Rejection::Malformed(format!("longer than {MAX_TOKEN_LEN} bytes")));
    }
    if token.split('.').count() != 3 {
        return Err(Rejection::Malformed("a JWT has three parts separated by dots".into()));
    }
    let header = jsonwebtoken::decode_header(token)
        .map_err(|e| Rejection::Malformed(format!("header: {}", rejection(e))))?;
    let kid = header.kid.ok_or_else(|| Rejection::Malformed("no key id (kid) in the header".into()))?;
    let key = keyring.find(&kid).ok_or(Rejection::UnknownKey(kid))?;
    let key = AudienceKey::derive(key, &claimed_audience(token)?)
        .map_err(|e| Rejection::Malformed(format!("audience: {e}")))?;
    // Time, audience and task are checked by `check` against its caller's clock and server,
    // with reasons of its own; here only the algorithm and the signature.
    let mut validation = Validation::new(Algorithm::HS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.leeway = 0;
    let data = jsonwebtoken::decode::<Claims>(token, key.decoding(), &validation).map_err(rejection)?;
    Ok(data.claims)
}

/// The `aud` a token's payload names, read before its signature is checked: it only picks the
/// key the signature is then checked with.
fn claimed_audience(token: &str) -> Result<String, Rejection> {
    #[derive(serde::Deserialize)]
    struct Audience {
        aud: String,
    }
    let claims: Audience = jsonwebtoken::dangerous::insecure_decode_claims(token).map_err(rejection)?;
    Ok(claims.aud)
}

/// Checks `token` for the server and task of `expected` at `now` (Unix seconds).
pub fn check(keyring: &Keyring, token: &str, expected: &Expected<'_>, now: u64) -> Result<Claims, Rejection> {
    let claims = authentic(keyring, token)?;
    if now >= claims.exp {
        return Err(Rejection::Expired { exp: claims.exp });
    }
    if claims.iat > now + CLOCK_SLACK {
        return Err(Rejection::Lifetime(format!("issued {} s in the future", claims.iat - now)));
    }
    if claims.exp.saturating_sub(claims.iat) > super::ttl::MAX_TTL.as_secs() {
        return Err(Rejection::Lifetime("longer than 30 days, more than cfn ever issues".into()));
    }
    if claims.aud != expected.audience {
        return Err(Rejection::WrongAudience { token: claims.aud, expected: expected.audience.into() });
    }
    if let Some(task) = expected.task {
        if claims.task_id != task {
            return Err(Rejection::OtherTask { token: claims.task_id, expected: task.into() });
        }
    }
    Ok(claims)
}

fn rejection(err: jsonwebtoken::errors::Error) -> Rejection {
    match err.kind() {
        ErrorKind::InvalidSignature => Rejection::BadSignature,
        ErrorKind::InvalidAlgorithm => Rejection::Malformed("not signed with HS256".into()),
        ErrorKind::Json(e) => Rejection::Malformed(format!("claims: {e}")),
        ErrorKind::Base64(_) | ErrorKind::Utf8(_) => Rejection::Malformed("not base64url JSON".into()),
        _ => Rejection::Malformed(err.to_string()),
    }
}
