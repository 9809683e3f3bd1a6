//! Which Docker engine a branch's stack runs on, and how cfn and compose reach it.
//!
//! A branch runs on the local engine (whatever `DOCKER_HOST` says, as always), or on the
//! engine its repository's `[engine]` names, or on the one `worktree add --engine` gave it: an
//! address (`tcp://host:2375`, `tcp://host:2376` with TLS, `unix:///path`) or a docker
//! context's name. A context is read from the docker CLI's own store (`$DOCKER_CONFIG`, else
//! `~/.docker`), so `docker context create` is the one place a remote engine and its TLS
//! material are set up; cfn and compose then reach the same engine with the same files.

use crate::error::UserError;
use anyhow::Result;
use sha2::{Digest as _, Sha256};
use std::net::{IpAddr, ToSocketAddrs as _};
use std::path::PathBuf;

/// An engine as a user names it: an address, or a docker context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineSpec {
    Host(String),
    Context(String),
}

impl EngineSpec {
    /// Reads `text`: anything with `://` is an address (tcp or unix), anything else a context
    /// name (docker's rule: a letter or digit, then letters, digits, `_`, `.`, `+`, `-`).
    pub fn parse(text: &str) -> Result<EngineSpec, String> {
        if let Some((scheme, rest)) = text.split_once("://") {
            return match scheme {
                "tcp" if host_and_port(rest).is_some() => Ok(EngineSpec::Host(text.to_string())),
                "tcp" => Err(format!("{text:?} needs a host and a port (tcp://HOST:PORT)")),
                "unix" if rest.starts_with('/') && !rest.contains('\0') => {
                    Ok(EngineSpec::Host(text.to_string()))
                }
                "unix" => Err(format!("{text:?} needs an absolute socket path (unix:///PATH)")),
                "ssh" if SshDestination::parse(text).is_some() => Ok(EngineSpec::Host(text.to_string())),
                "ssh" => Err(format!("{text:?} is not ssh://[USER@]HOST[:PORT]")),
                _ => Err(format!("{text:?} is not a tcp:// or unix:// address")),
            };
        }
        let mut bytes = text.bytes();
        let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphanumeric());
        if first_ok && bytes.all(|b| b.is_ascii_alphanumeric() || b"_.+-".contains(&b)) && text.len() <= 128 {
            Ok(EngineSpec::Context(text.to_string()))
        } else {
            Err(format!("{text:?} is neither an engine address nor a docker context name"))
        }
    }
}

/// `host:port` of a tcp address (an IPv6 host in brackets), when both are there.
fn host_and_port(rest: &str) -> Option<(String, u16)> {
    let rest = rest.trim_end_matches('/');
    let (host, port) = rest.rsplit_once(':')?;
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    let port = port.parse().ok()?;
    let plain = |b: u8| b.is_ascii_alphanumeric() || b".-:".contains(&b);
    (!host.is_empty() && host.bytes().all(plain)).then(|| (host.to_string(), port))
}

/// Where an `ssh://` engine is: `[user@]host[:port]`, each part checked so that none can be
/// read by ssh as an option or a second argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshDestination {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

impl SshDestination {
    pub fn parse(text: &str) -> Option<SshDestination> {
        let rest = text.strip_prefix("ssh://")?.trim_end_matches('/');
        let (user, rest) = match rest.split_once('@') {
            Some((user, rest)) => (Some(user), rest),
            None => (None, rest),
        };
        let word = |s: &str| {
            !s.is_empty()
                && !s.starts_with('-')
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        };
        if user.is_some_and(|u| !word(u)) {
            return None;
        }
        let (host, port) = match rest.strip_prefix('[') {
            Some(v6) => {
                let (host, after) = v6.split_once(']')?;
                host.parse::<std::net::Ipv6Addr>().ok()?;
                (host, after.strip_prefix(':'))
            }
            None => match rest.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (rest, None),
            },
        };
        let host_ok = word(host) || host.parse::<std::net::Ipv6Addr>().is_ok();
        let port = match port {
            Some(p) => Some(p.parse::<u16>().ok().filter(|&p| p > 0)?),
            None => None,
        };
        host_ok.then(|| SshDestination { user: user.map(str::to_string), host: host.to_string(), port })
    }

    /// `user@host` (or `host`), as ssh takes its destination.
    pub fn user_at_host(&self) -> String {
        match &self.user {
            Some(user) => format!("{user}@{}", self.host),
            None => self.host.clone(),
        }
    }
}

/// The certificate files of a TLS engine: `ca.pem`, `cert.pem` and `key.pem` in one folder
/// (docker's layout, and what `DOCKER_CERT_PATH` names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFolder(pub PathBuf);

/// A resolved engine: where it is and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// What the branch names it by (`None`: the local engine).
    pub spec: Option<String>,
    /// The engine's address (`None` for the local engine: the process's own `DOCKER_HOST`).
    pub host: Option<String>,
    pub tls: Option<TlsFolder>,
}

impl Target {
    pub fn local() -> Target {
        Target { spec: None, host: None, tls: None }
    }

    pub fn is_local(&self) -> bool {
        self.spec.is_none()
    }

    /// Resolves what a branch names (`None` or the context `default`: the local engine).
    pub fn resolve(spec: Option<&str>) -> Result<Target> {
        let Some(text) = spec else { return Ok(Target::local()) };
        let parsed = EngineSpec::parse(text)
            .map_err(|e| UserError::new(format!("engine {e}")).hint("see docs/remote.md"))?;
        match parsed {
            EngineSpec::Context(name) if name == "default" => Ok(Target::local()),
            EngineSpec::Context(name) => from_context(&name),
            EngineSpec::Host(host) => {
                let tls = host.starts_with("tcp://").then(tls_from_environment).flatten();
                Ok(Target { spec: Some(host.clone()), host: Some(host), tls })
            }
        }
    }

    /// What a remote engine's leases are keyed by: its address ('' for the local engine).
    /// Not the engine's `docker info` ID: daemons sharing a trust key (cloned machines, two
    /// daemons on one host) report the same one. Two names of one engine are two keys, which
    /// the claims on the engine itself still keep apart.
    pub fn key(&self) -> String {
        self.host.clone().unwrap_or_default()
    }

    /// Whether this names the local engine's own socket (`DOCKER_HOST`, else the default).
    pub fn is_local_socket(&self) -> bool {
        let local = std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
        self.host.as_deref() == Some(local.as_str())
    }

    /// Where an `ssh://` engine is (`None` for any other).
    pub fn ssh(&self) -> Option<SshDestination> {
        self.host.as_deref().and_then(SshDestination::parse)
    }

    /// How the engine is shown to the user.
    pub fn label(&self) -> &str {
        self.spec.as_deref().unwrap_or("local")
    }

    /// The address of the engine's host that this machine reaches published ports at: the
    /// host of a `tcp://` address (resolved when it is a name); `None` for a local engine.
    pub fn host_address(&self) -> Result<Option<IpAddr>> {
        let (host, port) = if let Some(ssh) = self.ssh() {
            // An alias of ~/.ssh/config names its host there (`HostName`): ssh says which.
            (ssh_hostname(&ssh).unwrap_or(ssh.host), ssh.port.unwrap_or(22))
        } else {
            let Some(rest) = self.host.as_deref().and_then(|h| h.strip_prefix("tcp://")) else {
                return Ok(None);
            };
            let Some(found) = host_and_port(rest) else { return Ok(None) };
            found
        };
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(Some(ip));
        }
        let found = (host.as_str(), port).to_socket_addrs().map_err(|e| {
            UserError::new(format!("cannot resolve the engine host {host}: {e}"))
                .hint("check the name, or set [engine] publish_address to the host's IP address")
        })?;
        let mut found: Vec<IpAddr> = found.map(|a| a.ip()).collect();
        found.sort_by_key(|ip| !ip.is_ipv4());
        Ok(found.first().copied())
    }

    /// What compose and the docker CLI get so that they reach this engine: nothing for the
    /// local engine (the user's own environment stands), else `DOCKER_HOST` and its TLS
    /// settings.
    pub fn client_env(&self) -> Vec<(&'static str, String)> {
        let Some(host) = &self.host else { return Vec::new() };
        let mut env = vec![("DOCKER_HOST", host.clone())];
        if let Some(TlsFolder(dir)) = &self.tls {
            env.push(("DOCKER_TLS_VERIFY", "1".into()));
            env.push(("DOCKER_CERT_PATH", dir.to_string_lossy().into_owned()));
        }
        env
    }

    /// Variables a client of a remote engine must not inherit from cfn's own environment: they
    /// would point it elsewhere, or make the docker CLI refuse `DOCKER_HOST` beside a context.
    pub fn client_env_removed(&self) -> &'static [&'static str] {
        if self.host.is_none() {
            return &[];
        }
        if self.tls.is_some() {
            &["DOCKER_CONTEXT"]
        } else {
            &["DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS"]
        }
    }
}

/// The docker CLI command that reaches the engine a branch names, for hints: `docker`, `docker -H
/// tcp://…` or `docker --context NAME`.
pub fn docker_command(spec: Option<&str>) -> String {
    match spec {
        None => "docker".into(),
        Some(spec) => {
            let flag = if spec.contains("://") { "-H" } else { "--context" };
            format!("docker {flag} {}", crate::names::printable(spec))
        }
    }
}

/// The host ssh would connect to for `destination` (`ssh -G`, which applies the user's
/// configuration and connects nowhere); `None` when ssh cannot say.
fn ssh_hostname(destination: &SshDestination) -> Option<String> {
    let out =
        crate::process::Cmd::new("ssh").args(["-G", "--"]).arg(destination.user_at_host()).output().ok()?;
    out.status.success().then_some(())?;
    out.stdout.lines().find_map(|l| l.strip_prefix("hostname ")).map(|h| h.trim().to_string())
}

/// TLS material named by the user's own `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH` (docker's
/// convention for `tcp://` engines).
fn tls_from_environment() -> Option<TlsFolder> {
    std::env::var("DOCKER_TLS_VERIFY").ok().filter(|v| !v.is_empty() && v != "0")?;
    let dir = std::env::var_os("DOCKER_CERT_PATH").map(PathBuf::from).or_else(|| docker_config_dir().ok())?;
    Some(TlsFolder(dir))
}

/// The docker CLI's configuration folder: `$DOCKER_CONFIG`, else `~/.docker`.
fn docker_config_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .ok_or_else(|| UserError::new("HOME is not set").hint("set HOME, or DOCKER_CONFIG"))?;
    Ok(PathBuf::from(home).join(".docker"))
}

/// A docker context's engine, read from the CLI's store: `contexts/meta/<sha256 of the
/// name>/meta.json` and its TLS files under `contexts/tls/<same>/docker/`.
fn from_context(name: &str) -> Result<Target> {
    from_context_in(&docker_config_dir()?, name)
}

fn from_context_in(config: &std::path::Path, name: &str) -> Result<Target> {
    let id = crate::names::hex(&Sha256::digest(name.as_bytes()));
    let meta_path = config.join("contexts").join("meta").join(&id).join("meta.json");
    let missing = || {
        UserError::new(format!("no docker context {name}"))
            .kind(crate::error::Kind::Unavailable)
            .hint("create it (`docker context create NAME --docker host=tcp://…`) or see `docker context ls`")
    };
    let text = match std::fs::read_to_string(&meta_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing().into()),
        Err(e) => return Err(UserError::new(format!("cannot read docker context {name}: {e}")).into()),
    };
    let meta: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        UserError::new(format!("docker context {name} is unreadable: {e}")).hint("recreate it")
    })?;
    let endpoint = &meta["Endpoints"]["docker"];
    let host = endpoint["Host"].as_str().unwrap_or_default().to_string();
    match EngineSpec::parse(&host) {
        Ok(EngineSpec::Host(_)) => {}
        _ => {
            return Err(UserError::new(format!(
                "docker context {name} reaches {host:?}, which cfn cannot use"
            ))
            .hint("use a context whose host is tcp:// or unix:// (docs/remote.md)")
            .into())
        }
    }
    let tls_dir = config.join("contexts").join("tls").join(&id).join("docker");
    let tls = (host.starts_with("tcp://") && tls_dir.join("ca.pem").is_file()).then_some(TlsFolder(tls_dir));
    Ok(Target { spec: Some(name.to_string()), host: Some(host), tls })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_contexts() {
        assert_eq!(
            EngineSpec::parse("tcp://10.0.0.5:2375"),
            Ok(EngineSpec::Host("tcp://10.0.0.5:2375".into()))
        );
        assert_eq!(EngineSpec::parse("tcp://[::1]:2375"), Ok(EngineSpec::Host("tcp://[::1]:2375".into())));
        assert_eq!(
            EngineSpec::parse("unix:///run/e.sock"),
            Ok(EngineSpec::Host("unix:///run/e.sock".into()))
        );
        assert_eq!(EngineSpec::parse("build-box"), Ok(EngineSpec::Context("build-box".into())));
        for bad in ["tcp://host", "tcp://:1", "tcp://a b:1", "unix://rel", "http://h:1", "-x", "", "a/b"] {
            assert!(EngineSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_ssh_destination_can_never_be_read_as_an_option() {
        let d = SshDestination::parse("ssh://root@build-box:2222").unwrap();
        assert_eq!((d.user_at_host(), d.port), ("root@build-box".to_string(), Some(2222)));
        assert_eq!(SshDestination::parse("ssh://10.0.0.5").unwrap().user_at_host(), "10.0.0.5");
        assert_eq!(SshDestination::parse("ssh://u@[::1]:22").unwrap().host, "::1");
        for bad in [
            "ssh://-oProxyCommand=x",
            "ssh://u@-oProxyCommand=x",
            "ssh://-u@h",
            "ssh://u@h:0",
            "ssh://u@h:port",
            "ssh://u@h x",
            "ssh://u;id@h",
            "ssh://",
            "ssh://u@",
        ] {
            assert_eq!(SshDestination::parse(bad), None, "{bad}");
            assert!(EngineSpec::parse(bad).is_err(), "{bad}");
        }
        let t = Target::resolve(Some("ssh://root@10.231.0.2")).unwrap();
        assert_eq!(t.host_address().unwrap(), Some("10.231.0.2".parse().unwrap()));
        assert_eq!(t.client_env(), [("DOCKER_HOST", "ssh://root@10.231.0.2".to_string())]);
    }

    #[test]
    fn a_tcp_engine_is_reached_at_its_host_s_address() {
        let t = Target::resolve(Some("tcp://10.231.0.2:2375")).unwrap();
        assert_eq!(t.host_address().unwrap(), Some("10.231.0.2".parse().unwrap()));
        assert_eq!(t.client_env()[0], ("DOCKER_HOST", "tcp://10.231.0.2:2375".to_string()));
        assert!(Target::resolve(None).unwrap().client_env().is_empty());
        assert_eq!(Target::resolve(Some("default")).unwrap(), Target::local());
    }

    #[test]
    fn a_context_is_read_from_the_docker_cli_s_store() {
        let dir = tempfile::tempdir().unwrap();
        let id = crate::names::hex(&Sha256::digest(b"box"));
        let meta = dir.path().join("contexts/meta").join(&id);
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            meta.join("meta.json"),
            r#"{"Name":"box","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://10.9.8.7:2376","SkipTLSVerify":false}}}"#,
        )
        .unwrap();
        let tls = dir.path().join("contexts/tls").join(&id).join("docker");
        std::fs::create_dir_all(&tls).unwrap();
        std::fs::write(tls.join("ca.pem"), "x").unwrap();
        let found = from_context_in(dir.path(), "box").unwrap();
        assert_eq!(found.host.as_deref(), Some("tcp://10.9.8.7:2376"));
        assert_eq!(found.tls, Some(TlsFolder(tls)));
        let missing = from_context_in(dir.path(), "nope").unwrap_err();
        assert!(missing.to_string().contains("no docker context nope"), "{missing}");
    }
}
