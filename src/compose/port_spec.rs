//! Parsing one entry of a service's `ports:` list (already interpolated) into
//! a [`PortSpec`], in both the short syntax (`"[HOST_IP:][HOST:]CONTAINER[/PROTO]"`,
//! or a bare YAML number) and the long one (`target`, `published`, `host_ip`,
//! `protocol`, `mode`, `app_protocol`, `name`). Port ranges are refused:
//! cfn gives every port its own per-branch number and cannot do that for a
//! range.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use serde_norway::Value;

use super::error::ComposeError;
use super::port_long::parse_long;
use super::value::describe;

pub use super::protocol::Protocol;

/// One port entry. `published` is the fixed host port; `None` means compose
/// lets the engine pick an ephemeral one (or the entry publishes nothing fixed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortSpec {
    pub target: u16,
    pub published: Option<u16>,
    pub host_ip: Option<String>,
    pub protocol: Protocol,
}

/// Parses one interpolated `ports:` entry of `service`.
pub fn parse_port(service: &str, entry: &Value) -> Result<PortSpec, ComposeError> {
    let parsed = match entry {
        Value::Number(n) => parse_short(&n.to_string()),
        Value::String(s) => parse_short(s),
        Value::Mapping(_) => parse_long(entry),
        _ => Err(Bad::Invalid(
            "expected a number, a string like \"8080:80\" or a mapping with `target:`".into(),
        )),
    };
    parsed.map_err(|bad| match bad {
        Bad::Range => ComposeError::PortRange { service: service.to_string(), spec: describe(entry) },
        Bad::Invalid(reason) => {
            ComposeError::InvalidPort { service: service.to_string(), spec: describe(entry), reason }
        }
    })
}

/// Why an entry was refused, before the service and spec are attached.
pub(super) enum Bad {
    Range,
    Invalid(String),
}

fn parse_short(spec: &str) -> Result<PortSpec, Bad> {
    let spec = spec.trim();
    let (rest, protocol) = match spec.rsplit_once('/') {
        Some((rest, proto)) => (rest, protocol(proto)?),
        None => (spec, Protocol::Tcp),
    };
    let (ip, host, container) = if let Some(bracketed) = rest.strip_prefix('[') {
        let (ip, tail) = bracketed
            .split_once("]:")
            .ok_or_else(|| Bad::Invalid("an IPv6 host ip needs the form [ip]:host:container".into()))?;
        let (host, container) = tail.split_once(':').unwrap_or(("", tail));
        (ip, host, container)
    } else {
        let parts: Vec<&str> = rest.split(':').collect();
        match parts.as_slice() {
            [container] => ("", "", *container),
            [host, container] => ("", *host, *container),
            [ip @ .., host, container] => (&rest[..ip.join(":").len()], *host, *container),
            [] => ("", "", ""),
        }
    };
    Ok(PortSpec {
        target: port(container, "container port")?
            .ok_or_else(|| Bad::Invalid("the container port is missing".into()))?,
        published: port(host, "host port")?,
        host_ip: host_ip(ip)?,
        protocol,
    })
}

/// A port number; empty (or `0`, which asks the engine for any port) is `None`.
pub(super) fn port(text: &str, what: &str) -> Result<Option<u16>, Bad> {
    if text.is_empty() || text == "0" {
        return Ok(None);
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if text.split_once('-').is_some_and(|(a, b)| digits(a) && digits(b)) {
        return Err(Bad::Range);
    }
    match text.parse::<u16>() {
        Ok(n) if n > 0 && text.bytes().all(|c| c.is_ascii_digit()) => Ok(Some(n)),
        _ => Err(Bad::Invalid(format!("{what} {text:?} is not a number between 1 and 65535"))),
    }
}

pub(super) fn host_ip(text: &str) -> Result<Option<String>, Bad> {
    let ip = text.trim().trim_start_matches('[').trim_end_matches(']');
    if ip.is_empty() {
        return Ok(None);
    }
    ip.parse::<IpAddr>()
        .map(|_| Some(ip.to_string()))
        .map_err(|_| Bad::Invalid(format!("host ip {ip:?} is not an IP address")))
}

pub(super) fn protocol(text: &str) -> Result<Protocol, Bad> {
    Protocol::parse(text.trim())
        .ok_or_else(|| Bad::Invalid(format!("protocol {text:?} is not tcp, udp or sctp")))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// `host_ip|published|target/protocol`, or the error message.
    pub(in super::super) fn show(entry: &Value) -> String {
        match parse_port("web", entry) {
            Ok(p) => format!(
                "{}|{}|{}/{}",
                p.host_ip.unwrap_or_default(),
                p.published.map(|n| n.to_string()).unwrap_or_default(),
                p.target,
                p.protocol
            ),
            Err(e) => e.to_string(),
        }
    }

    pub(in super::super) fn yaml(text: &str) -> Value {
        serde_norway::from_str(text).unwrap()
    }

    /// Runs `entry => expected` lines; `yaml` entries are parsed as YAML,
    /// the others taken as strings.
    pub(in super::super) fn check(table: &str, yaml_entries: bool) {
        for line in table.lines().filter(|l| !l.trim().is_empty()) {
            let (entry, want) = line.split_once(" => ").unwrap();
            let entry = entry.trim_start_matches(' ');
            let value = if yaml_entries { yaml(entry) } else { Value::from(entry.trim_end_matches(' ')) };
            let got = show(&value);
            assert!(got == want || got.ends_with(want), "{entry:?}: got {got:?}, want {want:?}");
        }
    }

    #[test]
    fn short_syntax() {
        check(
            "
            80                 => ||80/tcp
            8080:80            => |8080|80/tcp
            127.0.0.1:8080:80  => 127.0.0.1|8080|80/tcp
            127.0.0.1::80      => 127.0.0.1||80/tcp
            :2283:2283         => |2283|2283/tcp
            [::1]:8080:80      => ::1|8080|80/tcp
            [::1]::80/udp      => ::1||80/udp
            ::1:8080:80        => ::1|8080|80/tcp
            8080:80/udp        => |8080|80/udp
            51821:51821/TCP    => |51821|51821/tcp
            9999:9999/sctp     => |9999|9999/sctp
            0:80               => ||80/tcp",
            false,
        );
        assert_eq!(show(&Value::from(8001)), "||8001/tcp");
        assert_eq!(show(&Value::from(" 127.0.0.1:13306:3306 ")), "127.0.0.1|13306|3306/tcp");
    }

    #[test]
    fn ranges_are_refused() {
        let message = "is not supported: list the ports one by one instead";
        check(
            "
            30000-30009:30000-30009        => of service web {message}
            4510-4559                      => of service web {message}
            127.0.0.1:4510-4559:4510-4559  => of service web {message}
            8000-8010:80                   => of service web {message}"
                .replace("{message}", message)
                .as_str(),
            false,
        );
        check(&format!("{{target: 80, published: 8000-8010}} => {message}"), true);
    }

    #[test]
    fn invalid_entries_name_service_and_spec() {
        check(
            r#"
            70000:80           => in service web: host port "70000" is not a number between 1 and 65535
            8080:http          => in service web: container port "http" is not a number between 1 and 65535
            -1                 => in service web: container port "-1" is not a number between 1 and 65535
            8080:80/icmp       => in service web: protocol "icmp" is not tcp, udp or sctp
            localhost:8080:80  => in service web: host ip "localhost" is not an IP address
            8080:              => in service web: the container port is missing"#,
            false,
        );
        assert_eq!(show(&Value::from("")), "invalid port \"\" in service web: the container port is missing");
    }
}
