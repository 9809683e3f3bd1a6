//! Agent tokens: signed (HS256 JWT), expiring, scoped to one server and one task.
//!
//! An agent presents its token to an MCP service; the service checks that cfn signed it, that it
//! has not expired, that it is meant for this service (`aud`) and for the task it serves, and
//! (where the state database is at hand) that it was not revoked. The keys live in
//! `$CFN_HOME/token-keys.json` (0600); each audience's tokens are signed with a key derived from
//! them, which is all its service gets. The state database records what was issued and revoked,
//! never a token or a secret.
//!
//! ```text
//! let authority = token::Authority::open(&home)?;
//! let claims = token::Claims::new(&request, token::now())?;
//! let token = authority.issue(&claims)?;
//! let claims = authority.verify(&token, &token::Expected { audience: "mcp-redis", task: Some(run) })?;
//! ```
//!
//! - [`claims`]: the claims and the checks on a request; [`ttl`]: lifetimes.
//! - [`keyring`] and [`key_file`]: the keys, in memory and on disk; rotation.
//! - [`audience_key`]: the key of one audience, derived from a keyring key: what signs.
//! - [`jwt`]: signing and verifying, pure (keys and clock passed in).
//! - [`store`]: the issued and revoked records in the state database.
//! - [`authority`]: all of it together, for the CLI and the loop.
//! - [`verifier_file`]: the verifying keys handed to the branch's MCP services.

pub mod audience_key;
pub mod authority;
pub mod claims;
pub mod jwt;
pub mod key_file;
pub mod keyring;
pub mod store;
pub mod ttl;
pub mod verifier_file;

#[cfg(test)]
mod tests;

pub use authority::{now, Authority, Revocation};
pub use claims::{check_audience, check_audience_known, Claims, TokenRequest};
pub use jwt::{Expected, Rejection};
pub use keyring::{Key, Keyring};
pub use store::IssuedToken;
pub use ttl::{parse_ttl, DEFAULT_TTL, MAX_TTL};
