//! The verifying half of the keyring, for MCP services: `keys.json` in a folder of its own
//! under `$CFN_HOME/mcp-verifier/<compose project>/`, which the branch's MCP services get
//! mounted read-only. It holds each key that may still have signed a live token (the current
//! one and those retired less than the longest token life ago) as its id and secret, and
//! nothing else of the key file. Folder 0700, file 0600, replaced atomically: a service that
//! reads it again on an unknown `kid` follows a rotation without a restart (the folder, not the
//! file, is mounted, so the new file is what it sees).

use super::keyring::Keyring;
use anyhow::Result;
use serde::Serialize;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "keys.json";
/// Where an MCP service finds the folder, and the variable that names the file in it.
pub const MOUNT_DIR: &str = "/run/cfn-token";
pub const KEYS_FILE_VAR: &str = "CFN_TOKEN_KEYS_FILE";
/// The variable naming the service's own audience (its server name).
pub const AUDIENCE_VAR: &str = "CFN_TOKEN_AUDIENCE";

#[derive(Serialize)]
struct VerifierFile<'a> {
    alg: &'static str,
    keys: Vec<VerifierKey<'a>>,
}

#[derive(Serialize)]
struct VerifierKey<'a> {
    kid: &'a str,
    /// Hex.
    secret: String,
}

/// The folder of one compose project's verifier file.
pub fn dir(home: &Path, project: &str) -> PathBuf {
    home.join("mcp-verifier").join(project)
}

/// Writes the verifying keys of `keyring` into `dir` (created 0700); the file is 0600.
pub fn write(dir: &Path, keyring: &Keyring) -> Result<PathBuf> {
    crate::state::private_dir(dir)?;
    let keys =
        keyring.keys().iter().map(|k| VerifierKey { kid: &k.kid, secret: crate::names::hex(k.secret()) });
    let text = serde_json::to_string_pretty(&VerifierFile { alg: "HS256", keys: keys.collect() })? + "\n";
    let file = dir.join(FILE_NAME);
    crate::render::write_atomic(&file, &text, 0o600)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn holds_ids_and_secrets_only_private() {
        let home = tempfile::tempdir().unwrap();
        let ring = Keyring::generate(10).unwrap().rotated(20).unwrap();
        let folder = dir(home.path(), "shop-feature");
        let file = write(&folder, &ring).unwrap();
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777, 0o700);
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(v["alg"], "HS256");
        let keys = v["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 2, "the current key and the one it replaced");
        assert_eq!(keys[0]["kid"], ring.current().kid.as_str());
        assert_eq!(keys[0]["secret"], crate::names::hex(ring.current().secret()));
        assert!(keys.iter().all(|k| k.as_object().unwrap().len() == 2), "{v}");
    }
}
