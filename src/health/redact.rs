//! Keeping passwords out of everything cfn prints about a check.
//!
//! [`redact_url`] hides the password of every `scheme://user:password@host` in a text (the
//! user name stays, so a message still says who connected) and the value of every
//! `password=` parameter (`?password=…` in a URL, `password=…` in a PostgreSQL key/value
//! connection string). A user name without a password is shown: put tokens in the password
//! position. [`scrub`] is the second line of defence for driver messages: it replaces the
//! check's own password, raw and percent-decoded, wherever it appears.

/// What a hidden secret is shown as.
pub const HIDDEN: &str = "***";

/// `text` with the passwords of its URLs and its `password=` values replaced by [`HIDDEN`]:
/// `redis://:secret@127.0.0.1:6379` → `redis://:***@127.0.0.1:6379`.
pub fn redact_url(text: &str) -> String {
    // `pass=` is how a `redis+unix://` URL carries its password.
    hide_password_params(&hide_password_params(&hide_userinfo_passwords(text), "password="), "pass=")
}

/// `message` with every occurrence of the password in `url` replaced by [`HIDDEN`].
pub(crate) fn scrub(message: &str, url: &str) -> String {
    let Some(password) = password_of(url) else {
        return message.to_string();
    };
    let mut out = message.to_string();
    for secret in [percent_decode(password), password.to_string()] {
        if !secret.is_empty() {
            out = out.replace(&secret, HIDDEN);
        }
    }
    out
}

/// The raw (still percent-encoded) password of the first URL in `url`, if it has one.
fn password_of(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = &rest[..authority_end(rest)];
    let (userinfo, _) = authority.rsplit_once('@')?;
    userinfo.split_once(':').map(|(_, password)| password)
}

/// Where the authority of the text after `://` ends.
fn authority_end(rest: &str) -> usize {
    rest.find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace()).unwrap_or(rest.len())
}

fn hide_userinfo_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = authority_end(tail);
        let authority = &tail[..end];
        match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                match userinfo.split_once(':') {
                    Some((user, _)) => {
                        out.push_str(user);
                        out.push(':');
                        out.push_str(HIDDEN);
                    }
                    None => out.push_str(userinfo),
                }
                out.push('@');
                out.push_str(host);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn hide_password_params(text: &str, key: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = find_ignore_case(rest, key) {
        let starts_key =
            i == 0 || rest[..i].ends_with(|c: char| matches!(c, '?' | '&' | ';') || c.is_whitespace());
        let value_at = i + key.len();
        out.push_str(&rest[..value_at]);
        rest = &rest[value_at..];
        if !starts_key {
            continue;
        }
        let end = match rest.strip_prefix('\'') {
            Some(quoted) => closing_quote(quoted).map_or(rest.len(), |j| j + 2),
            None => rest.find(|c: char| c == '&' || c == '#' || c.is_whitespace()).unwrap_or(rest.len()),
        };
        if end > 0 {
            out.push_str(HIDDEN);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The byte offset of the quote closing a key/value string's quoted value (`\'` and `''`
/// are escaped quotes).
fn closing_quote(quoted: &str) -> Option<usize> {
    let bytes = quoted.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'\\', Some(_)) | (b'\'', Some(b'\'')) => i += 2,
            (b'\'', _) => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    (0..=hay.len().checked_sub(needle.len())?)
        .find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// Decodes `%XX` escapes; anything malformed is kept as written.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit));
        let hex = hex.and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
