//! HTTPS on the proxy's port (`[proxy] tls`): a rustls server whose certificate for each name
//! is issued on demand by the local CA ([`super::ca`]) from the name the client asks for (SNI),
//! and kept in memory. HTTP/1.1 and HTTP/2 are offered by ALPN.
//!
//! One key pair serves every leaf certificate of a proxy process (made at start; a new one per
//! name would cost a key generation per first request to it for nothing), and a certificate is
//! issued again after [`REISSUE_AFTER`], long before its [`super::ca::LEAF_DAYS`] end.
//! Only `localhost` and names under it get their own certificate, the only names the CA may
//! sign; any other name (or none: an address typed by hand) gets the one of `localhost`, which
//! also names 127.0.0.1 and ::1.

use super::ca::{self, Ca};
use anyhow::{Context as _, Result};
use rcgen::KeyPair;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// When a cached certificate is replaced by a new one.
const REISSUE_AFTER: Duration = Duration::from_secs(7 * 24 * 3600);

/// Most names kept: anyone on the machine can ask for new names, so the cache is emptied when
/// it reaches this rather than growing without end.
const MAX_CACHED: usize = 1024;

/// The TLS settings of the proxy: the server configuration, shared by its threads.
pub fn server_config(home: &Path) -> Result<Arc<rustls::ServerConfig>> {
    let (ca, _) = ca::load_or_create(home)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = KeyPair::generate().context("cannot generate the proxy's TLS key")?;
    let der = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der())
        .map_err(|e| anyhow::anyhow!("the proxy's TLS key: {e}"))?;
    let signing = provider.key_provider.load_private_key(der).context("the proxy's TLS key")?;
    let resolver = Resolver { ca, key, signing, cache: Mutex::new(HashMap::new()) };
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("the proxy's TLS settings")?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

struct Resolver {
    ca: Ca,
    key: KeyPair,
    signing: Arc<dyn rustls::sign::SigningKey>,
    cache: Mutex<HashMap<String, (Instant, Arc<CertifiedKey>)>>,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cfn proxy certificates")
    }
}

impl ResolvesServerCert for Resolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let asked = hello.server_name().map(str::to_ascii_lowercase);
        let name = match asked {
            Some(name) if name.ends_with(".localhost") => name,
            _ => "localhost".to_string(),
        };
        let mut cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((issued, certified)) = cache.get(&name) {
            if issued.elapsed() < REISSUE_AFTER {
                return Some(certified.clone());
            }
        }
        // Failing here aborts the handshake: a name rcgen refuses gets no certificate.
        let leaf = self.ca.issue(&name, &self.key).ok()?;
        let certified = Arc::new(CertifiedKey::new(vec![leaf], self.signing.clone()));
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(name, (Instant::now(), certified.clone()));
        Some(certified)
    }
}
