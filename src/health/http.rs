//! The `http` probe: a minimal HTTP/1.1 client, enough to ask one `GET` and read the status.
//!
//! No HTTP crate: a check only needs the status line, so the probe sends `GET <path>
//! HTTP/1.1` with `Host`, `Connection: close` and, when the URL has a user, basic
//! authentication, reads up to the first final status line (skipping `1xx` interim
//! responses) and closes the connection without reading the body. `https://` URLs parse, and
//! the probe reports them as not supported.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::probes::{error_line, Outcome};
use super::redact::percent_decode;

/// The parts of an `http://` or `https://` URL a request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpUrl {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    /// Path and query, starting with `/`.
    pub target: String,
    /// `user:password`, percent-decoded.
    pub userinfo: Option<String>,
}

/// Parses `http[s]://[user[:password]@]host[:port][/path][?query][#fragment]`.
pub(crate) fn parse_url(url: &str) -> Result<HttpUrl, String> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it contains whitespace".to_string());
    }
    let (scheme, rest) = url.split_once("://").ok_or("it has no scheme (expected http://)")?;
    let tls = match scheme.to_ascii_lowercase().as_str() {
        "http" => false,
        "https" => true,
        other => return Err(format!("scheme {other} is not http or https")),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, target) = rest.split_at(end);
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => (Some(percent_decode(userinfo)), hostport),
        None => (None, authority),
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or("its ipv6 address has no closing ]")?;
        (host, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err("it has no host".to_string());
    }
    let port = match port {
        None | Some("") => {
            if tls {
                443
            } else {
                80
            }
        }
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|&p| p > 0)
            .ok_or(format!("port {p} is not a number from 1 to 65535"))?,
    };
    let target = target.split('#').next().unwrap_or("");
    let target = if target.starts_with('/') { target.to_string() } else { format!("/{target}") };
    Ok(HttpUrl { tls, host: host.to_string(), port, target, userinfo })
}

pub(crate) async fn probe(url: &str, expect_status: Option<u16>) -> Outcome {
    let url = parse_url(url).map_err(|why| format!("invalid http url: {why}"))?;
    if url.tls {
        return Err("https is not supported by the http check: use an http:// url or a tcp check".to_string());
    }
    let (status, reason) = get(&url).await?;
    let line = format!("HTTP {status} {reason}").trim_end().to_string();
    match expect_status {
        None if (200..300).contains(&status) => Ok(line),
        None => Err(format!("{line} (expected 2xx)")),
        Some(expected) if expected == status => Ok(line),
        Some(expected) => Err(format!("{line} (expected {expected})")),
    }
}

/// Sends the request and returns the final status code and reason phrase.
async fn get(url: &HttpUrl) -> Result<(u16, String), String> {
    let mut stream = TcpStream::connect((url.host.as_str(), url.port)).await.map_err(|e| error_line(&e))?;
    let host = if url.host.contains(':') { format!("[{}]", url.host) } else { url.host.clone() };
    let host = if url.port == 80 { host } else { format!("{host}:{}", url.port) };
    let auth = match &url.userinfo {
        Some(userinfo) => format!("Authorization: Basic {}\r\n", base64(userinfo.as_bytes())),
        None => String::new(),
    };
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: cfn-health\r\nAccept: */*\r\n{auth}Connection: close\r\n\r\n",
        url.target
    );
    stream.write_all(request.as_bytes()).await.map_err(|e| error_line(&e))?;
    let mut received = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    loop {
        if let Some(status) = final_status(&received)? {
            return Ok(status);
        }
        if received.len() > 64 * 1024 {
            return Err("the response headers are too long".to_string());
        }
        let n = stream.read(&mut chunk).await.map_err(|e| error_line(&e))?;
        if n == 0 {
            return Err("the server closed the connection without a response".to_string());
        }
        received.extend_from_slice(&chunk[..n]);
    }
}

/// The first non-`1xx` status in `received`, or `None` when more bytes are needed.
fn final_status(received: &[u8]) -> Result<Option<(u16, String)>, String> {
    let mut rest = received;
    loop {
        let Some(eol) = rest.iter().position(|&b| b == b'\n') else {
            return Ok(None);
        };
        let line = String::from_utf8_lossy(&rest[..eol]).trim_end().to_string();
        let mut parts = line.splitn(3, ' ');
        let (version, code) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let status = code.parse::<u16>().ok().filter(|s| (100..600).contains(s) && code.len() == 3);
        let Some(status) = status.filter(|_| version.starts_with("HTTP/")) else {
            let shown: String = line.chars().take(60).collect();
            return Err(format!("not an http response: {shown}"));
        };
        if status >= 200 {
            return Ok(Some((status, parts.next().unwrap_or("").to_string())));
        }
        // An interim response: skip its header block.
        let Some(end) = rest.windows(4).position(|w| w == b"\r\n\r\n") else {
            return Ok(None);
        };
        rest = &rest[end + 4..];
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b = [group[0], group.get(1).copied().unwrap_or(0), group.get(2).copied().unwrap_or(0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= group.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        let u = parse_url("http://a:b%40c@[::1]:8080/health?x=1#top").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.target.as_str()), ("::1", 8080, "/health?x=1"));
        assert_eq!(u.userinfo.as_deref(), Some("a:b@c"));
        let u = parse_url("https://example.com").unwrap();
        assert_eq!((u.tls, u.port, u.target.as_str()), (true, 443, "/"));
        assert!(parse_url("ftp://x").is_err());
        assert!(parse_url("http://:80/").is_err());
        assert!(parse_url("http://h:0/").is_err());
        assert!(parse_url("http://h/a b").is_err());
    }

    #[test]
    fn reads_the_final_status_and_encodes_basic_auth() {
        let interim = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n";
        assert_eq!(final_status(interim).unwrap(), Some((204, "No Content".to_string())));
        assert_eq!(final_status(b"HTTP/1.1 200").unwrap(), None);
        assert!(final_status(b"SSH-2.0-OpenSSH\r\n").is_err());
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64(b"ab"), "YWI=");
    }
}
