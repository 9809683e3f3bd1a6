//! The verifying half of the keyring, for one MCP service: `keys.json` in a folder of its own
//! under `$CFN_HOME/mcp-verifier/<compose project>/<service>/`, which that service alone gets
//! mounted read-only. It holds, for each key that may still have signed a live token (the
//! current one and those retired less than the longest token life ago), its id and the key it
//! derives for this service's audience ([`super::audience_key`]) — never the keyring's secret,
//! so a service can check its own tokens but sign none for another server. Folder 0700, file
//! 0600, replaced atomically: a service that reads it again on an unknown `kid` follows a
//! rotation without a restart (the folder, not the file, is mounted, so the new file is what it
//! sees).

use super::audience_key::AudienceKey;
use super::keyring::Keyring;
use crate::error::UserError;
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
    /// The only audience these keys check.
    audience: &'a str,
    keys: Vec<VerifierKey>,
}

#[derive(Serialize)]
struct VerifierKey {
    kid: String,
    /// Hex.
    secret: String,
}

/// The folder of one compose project's verifier files.
pub fn project_dir(home: &Path, project: &str) -> PathBuf {
    home.join("mcp-verifier").join(project)
}

/// The folder of one MCP service's verifier file. A compose service name has no `/`; one that
/// is all dots cannot name a folder of its own and is refused.
pub fn dir(home: &Path, project: &str, service: &str) -> Result<PathBuf> {
    if service.is_empty() || service.contains('/') || service.chars().all(|c| c == '.') {
        return Err(UserError::new(format!("the MCP service name {service:?} cannot name a folder"))
            .hint("rename the service in the compose file (letters, digits, `-`, `_`)")
            .into());
    }
    Ok(project_dir(home, project).join(service))
}

/// Writes the keys that check `audience`'s tokens into `dir` (created, or made, 0700: a folder
/// of cfn's own); the file is 0600.
pub fn write(dir: &Path, keyring: &Keyring, audience: &str) -> Result<PathBuf> {
    crate::state::private_dir(dir)?;
    write_into(dir, keyring, audience)
}

/// [`write`] into a folder that exists (the user's: its mode is left alone), the file 0600.
pub fn write_into(dir: &Path, keyring: &Keyring, audience: &str) -> Result<PathBuf> {
    let keys = keyring
        .keys()
        .iter()
        .map(|key| {
            let derived = AudienceKey::derive(key, audience)?;
            Ok(VerifierKey { kid: derived.kid.clone(), secret: crate::names::hex(derived.secret()) })
        })
        .collect::<Result<Vec<_>>>()?;
    let text = serde_json::to_string_pretty(&VerifierFile { alg: "HS256", audience, keys })? + "\n";
    let file = dir.join(FILE_NAME);
    crate::render::write_atomic(&file, &text, 0o600)?;
    Ok(file)
}

/// Rewrites every verifier file under `$CFN_HOME/mcp-verifier/<project>/<service>/` with the
/// keys of `keyring` (after a rotation): a running service sees the new file at once, without
/// waiting for its branch to be rendered again. The folder names are the audiences.
pub fn refresh_all(home: &Path, keyring: &Keyring) -> Result<()> {
    let root = home.join("mcp-verifier");
    let Ok(projects) = std::fs::read_dir(&root) else { return Ok(()) };
    for project in projects.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir())) {
        let Ok(services) = std::fs::read_dir(project.path()) else { continue };
        for service in services.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir())) {
            let dir = service.path();
            if dir.join(FILE_NAME).is_file() {
                write(&dir, keyring, &service.file_name().to_string_lossy())?;
            }
        }
    }
    Ok(())
}

/// Removes the project-wide `keys.json` earlier versions wrote (it held the keyring's secrets,
/// which sign for every audience); a no-op when there is none.
pub fn remove_project_wide(home: &Path, project: &str) -> Result<()> {
    let file = project_dir(home, project).join(FILE_NAME);
    match std::fs::remove_file(&file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(anyhow::anyhow!("cannot remove {}: {e}", file.display()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::claims::{request, Claims};
    use crate::token::jwt;
    use std::os::unix::fs::PermissionsExt as _;

    fn read(file: &Path) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
    }

    #[test]
    fn holds_the_audience_s_derived_keys_only_private() {
        let home = tempfile::tempdir().unwrap();
        let ring = Keyring::generate(10).unwrap().rotated(20).unwrap();
        let folder = dir(home.path(), "shop-feature", "mcp-redis").unwrap();
        let file = write(&folder, &ring, "mcp-redis").unwrap();
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777, 0o700);
        let v = read(&file);
        assert_eq!((v["alg"].as_str(), v["audience"].as_str()), (Some("HS256"), Some("mcp-redis")));
        let keys = v["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 2, "the current key and the one it replaced");
        assert_eq!(keys[0]["kid"], ring.current().kid.as_str());
        for (entry, key) in keys.iter().zip(ring.keys()) {
            assert_eq!(entry.as_object().unwrap().len(), 2, "{v}");
            assert_ne!(entry["secret"], crate::names::hex(key.secret()), "never the keyring's secret");
            let derived = AudienceKey::derive(key, "mcp-redis").unwrap();
            assert_eq!(entry["secret"], crate::names::hex(derived.secret()));
        }
    }

    /// What a service can do with its file: check its own tokens, and sign no token another
    /// server would accept.
    #[test]
    fn a_service_s_keys_sign_nothing_another_server_accepts() {
        use jsonwebtoken::{Algorithm, EncodingKey, Header};
        let home = tempfile::tempdir().unwrap();
        let ring = Keyring::generate(10).unwrap();
        let file = write(&dir(home.path(), "p", "mcp-evil").unwrap(), &ring, "mcp-evil").unwrap();
        let secret = read(&file)["keys"][0]["secret"].as_str().unwrap().to_string();
        let secret: Vec<u8> = (0..secret.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&secret[i..i + 2], 16).unwrap())
            .collect();

        let mut forged = Claims::new(&request("cfn"), 10).unwrap();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(ring.current().kid.clone());
        let token =
            jsonwebtoken::encode(&header, &forged, &EncodingKey::from_secret(&secret).unwrap()).unwrap();
        let expected = jwt::Expected { audience: "cfn", task: None };
        assert_eq!(jwt::check(&ring, &token, &expected, 11), Err(jwt::Rejection::BadSignature));

        forged.aud = "mcp-evil".into();
        let own =
            jsonwebtoken::encode(&header, &forged, &EncodingKey::from_secret(&secret).unwrap()).unwrap();
        let expected = jwt::Expected { audience: "mcp-evil", task: None };
        assert!(jwt::check(&ring, &own, &expected, 11).is_ok(), "its own audience's tokens check");
    }

    #[test]
    fn a_name_of_dots_names_no_folder_and_the_old_file_goes() {
        let home = tempfile::tempdir().unwrap();
        assert!(dir(home.path(), "p", "..").is_err());
        assert!(dir(home.path(), "p", ".").is_err());
        assert!(dir(home.path(), "p", "..mcp").is_ok());
        let old = project_dir(home.path(), "p");
        std::fs::create_dir_all(&old).unwrap();
        std::fs::write(old.join(FILE_NAME), "{}").unwrap();
        remove_project_wide(home.path(), "p").unwrap();
        assert!(!old.join(FILE_NAME).exists());
        remove_project_wide(home.path(), "p").unwrap();
    }
}
