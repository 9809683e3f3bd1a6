//! The proxy's local certificate authority (`[proxy] tls`): one per `$CFN_HOME`, created on
//! first use in `$CFN_HOME/proxy-ca/` (folder 0700, `ca-key.pem` 0600, `ca.pem` the certificate
//! people tell their browsers and tools to trust). cfn never installs it anywhere.
//!
//! The CA is name-constrained to `localhost` (and its subdomains) and the loopback addresses:
//! a client that honours the constraint (browsers, OpenSSL, rustls) accepts no certificate of
//! it for any other site, so trusting it, or its key leaking, does not open other origins.
//!
//! It is made in `proxy-ca.new/` and renamed into place, under `proxy-ca.lock`, so a creation
//! killed at any step leaves no half CA: the next one starts over.

use crate::error::UserError;
use anyhow::{anyhow, Context as _, Result};
use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints, PublicKeyData as _, SanType,
    SerialNumber,
};
use rustls::pki_types::CertificateDer;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

/// How long the CA is valid.
const CA_DAYS: i64 = 3650;
/// How long a leaf certificate is valid; the proxy issues a new one long before (see tls.rs).
pub const LEAF_DAYS: i64 = 30;

const CERT_FILE: &str = "ca.pem";
const KEY_FILE: &str = "ca-key.pem";

/// The CA's folder in `home`.
pub fn dir(home: &Path) -> PathBuf {
    home.join("proxy-ca")
}

/// The CA certificate's path: what to trust.
pub fn cert_path(home: &Path) -> PathBuf {
    dir(home).join(CERT_FILE)
}

/// A loaded CA that issues leaf certificates.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
}

/// Whether [`load_or_create`] made the CA or found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Created,
    Existing,
}

/// The CA of `home`, created when there is none yet.
pub fn load_or_create(home: &Path) -> Result<(Ca, Origin)> {
    if dir(home).exists() {
        return Ok((load(home)?, Origin::Existing));
    }
    std::fs::create_dir_all(home).with_context(|| format!("cannot create {}", home.display()))?;
    let _lock = crate::lock_file::hold(&home.join("proxy-ca.lock"))?;
    // Another process may have made it while this one waited for the lock.
    if dir(home).exists() {
        return Ok((load(home)?, Origin::Existing));
    }
    create(home)?;
    Ok((load(home)?, Origin::Created))
}

/// Makes the CA in `proxy-ca.new/` and renames it into place. Call with the lock held.
fn create(home: &Path) -> Result<()> {
    let new = home.join("proxy-ca.new");
    // A creation killed before its rename left this: nothing in it was ever used.
    match std::fs::remove_dir_all(&new) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(anyhow!(e).context(format!("cannot remove {}", new.display()))),
    }
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&new)
        .with_context(|| format!("cannot create {}", new.display()))?;
    let key = KeyPair::generate().context("cannot generate the CA's key")?;
    let cert = ca_params()?.self_signed(&key).context("cannot make the CA certificate")?;
    write_new(&new.join(KEY_FILE), key.serialize_pem().as_bytes(), 0o600)?;
    write_new(&new.join(CERT_FILE), cert.pem().as_bytes(), 0o644)?;
    crate::crash_point::reached("proxy-ca", 1);
    std::fs::rename(&new, dir(home)).with_context(|| format!("cannot move {} into place", new.display()))?;
    Ok(())
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    // The umask may have taken bits from `mode`; a certificate others may read is fine, and
    // the key is never more open than 0600 either way.
    file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

fn ca_params() -> Result<CertificateParams> {
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, "cfn");
    name.push(DnType::CommonName, format!("cfn proxy local CA {}", crate::names::hex(&random::<4>()?)));
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![
            GeneralSubtree::DnsName("localhost".into()),
            GeneralSubtree::IpAddress(CidrSubnet::V4([127, 0, 0, 0], [255, 0, 0, 0])),
            GeneralSubtree::IpAddress(CidrSubnet::V6(std::net::Ipv6Addr::LOCALHOST.octets(), [0xff; 16])),
        ],
        excluded_subtrees: vec![],
    });
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(CA_DAYS);
    params.serial_number = Some(serial()?);
    Ok(params)
}

/// Reads the CA; a damaged one (unreadable, unparsable, key and certificate not a pair) is an
/// error that says how to make a new one, and a key file open to others is refused.
fn load(home: &Path) -> Result<Ca> {
    let dir = dir(home);
    let key_path = dir.join(KEY_FILE);
    let cert_path = dir.join(CERT_FILE);
    let damaged = |why: String| -> anyhow::Error {
        UserError::new(format!("the proxy's CA in {} is damaged: {why}", dir.display()))
            .hint(format!(
                "move {} away (or delete it) and start the proxy again: it makes a new CA, which \
                 browsers and tools must then be told to trust (`cfn proxy ca`)",
                dir.display()
            ))
            .into()
    };
    let key_meta = match std::fs::symlink_metadata(&key_path) {
        Ok(meta) => meta,
        Err(e) => return Err(damaged(format!("{KEY_FILE}: {e}"))),
    };
    if !key_meta.is_file() {
        return Err(damaged(format!("{KEY_FILE} is not a regular file")));
    }
    let mode = key_meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(UserError::new(format!(
            "the proxy's CA key {} is open to group or others (mode {mode:03o}); refusing to use it",
            key_path.display()
        ))
        .hint(format!("chmod 600 {}", key_path.display()))
        .into());
    }
    let key_pem = std::fs::read_to_string(&key_path).map_err(|e| damaged(format!("{KEY_FILE}: {e}")))?;
    let cert_pem = std::fs::read_to_string(&cert_path).map_err(|e| damaged(format!("{CERT_FILE}: {e}")))?;
    let key = KeyPair::from_pem(&key_pem).map_err(|e| damaged(format!("{KEY_FILE}: {e}")))?;
    let cert =
        pem_certificate(&cert_pem).ok_or_else(|| damaged(format!("{CERT_FILE} holds no certificate")))?;
    let (_, parsed) =
        x509_parser::parse_x509_certificate(&cert).map_err(|e| damaged(format!("{CERT_FILE}: {e}")))?;
    if parsed.tbs_certificate.subject_pki.raw != key.subject_public_key_info().as_slice() {
        return Err(damaged(format!("{KEY_FILE} is not the key of {CERT_FILE}")));
    }
    let issuer = Issuer::from_ca_cert_der(&cert, key).map_err(|e| damaged(format!("{CERT_FILE}: {e}")))?;
    Ok(Ca { issuer })
}

/// The DER of the first `CERTIFICATE` block of `pem`.
fn pem_certificate(pem: &str) -> Option<CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject as _;
    CertificateDer::from_pem_slice(pem.as_bytes()).ok()
}

impl Ca {
    /// A leaf certificate for `host` (a DNS name, or `localhost` with the loopback addresses
    /// too), signed by the CA, for `key`.
    pub fn issue(&self, host: &str, key: &KeyPair) -> Result<CertificateDer<'static>> {
        let mut params = CertificateParams::new(vec![host.to_string()]).context("not a DNS name")?;
        if host == "localhost" {
            for ip in [std::net::Ipv4Addr::LOCALHOST.into(), std::net::Ipv6Addr::LOCALHOST.into()] {
                params.subject_alt_names.push(SanType::IpAddress(ip));
            }
        }
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, host);
        params.distinguished_name = name;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::hours(1);
        params.not_after = now + time::Duration::days(LEAF_DAYS);
        // Unique per certificate: Firefox refuses two certificates of one issuer and serial.
        params.serial_number = Some(serial()?);
        Ok(params.signed_by(key, &self.issuer).context("cannot sign a certificate")?.der().clone())
    }
}

/// A random positive serial number of 16 bytes.
fn serial() -> Result<SerialNumber> {
    let mut bytes = random::<16>()?;
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    Ok(SerialNumber::from_slice(&bytes))
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| anyhow!("cannot read random bytes: {e}"))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_load_finds_the_same_ca_and_a_leaf_is_signed_by_it() {
        let home = tempfile::tempdir().unwrap();
        let (_, origin) = load_or_create(home.path()).unwrap();
        assert_eq!(origin, Origin::Created);
        let first = std::fs::read_to_string(cert_path(home.path())).unwrap();
        let (again, origin) = load_or_create(home.path()).unwrap();
        assert_eq!(origin, Origin::Existing);
        assert_eq!(std::fs::read_to_string(cert_path(home.path())).unwrap(), first);
        let root = pem_certificate(&first).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir(home.path())), 0o700);
        assert_eq!(mode(&dir(home.path()).join(KEY_FILE)), 0o600);
        let key = KeyPair::generate().unwrap();
        let leaf = again.issue("web.feat.shop.localhost", &key).unwrap();
        let (_, leaf) = x509_parser::parse_x509_certificate(&leaf).unwrap();
        let (_, root) = x509_parser::parse_x509_certificate(&root).unwrap();
        assert_eq!(leaf.issuer(), root.subject());
        leaf.verify_signature(Some(root.public_key())).unwrap();
    }
}
