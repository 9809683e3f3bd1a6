//! Verifying tokens: every reason a token is refused, checked on real signed tokens.

use super::claims::request;
use super::jwt::{check, sign};
use super::*;

const NOW: u64 = 1_800_000_000;

fn expect<'a>(audience: &'a str, task: Option<&'a str>) -> Expected<'a> {
    Expected { audience, task }
}

fn issued(ring: &Keyring, audience: &str) -> (String, Claims) {
    let claims = Claims::new(&request(audience), NOW).unwrap();
    (sign(ring.current(), &claims).unwrap(), claims)
}

#[test]
fn a_valid_token_gives_its_claims() {
    let ring = Keyring::generate(NOW).unwrap();
    let (token, claims) = issued(&ring, "mcp-redis");
    assert_eq!(check(&ring, &token, &expect("mcp-redis", Some("task-1")), NOW + 10), Ok(claims.clone()));
    assert_eq!(check(&ring, &token, &expect("mcp-redis", None), NOW), Ok(claims));
}

#[test]
fn expired() {
    let ring = Keyring::generate(NOW).unwrap();
    let (token, claims) = issued(&ring, "web");
    assert_eq!(check(&ring, &token, &expect("web", None), claims.exp - 1).map(|c| c.exp), Ok(claims.exp));
    let refused = check(&ring, &token, &expect("web", None), claims.exp).unwrap_err();
    assert_eq!(refused, Rejection::Expired { exp: claims.exp });
    assert!(refused.to_string().starts_with("expired at 2027-01-15T"), "{refused}");
}

#[test]
fn wrong_audience() {
    let ring = Keyring::generate(NOW).unwrap();
    let (token, _) = issued(&ring, "mcp-redis");
    let refused = check(&ring, &token, &expect("mcp-browser", None), NOW).unwrap_err();
    assert_eq!(refused.to_string(), "wrong audience: the token is for \"mcp-redis\", not \"mcp-browser\"");
}

#[test]
fn another_task() {
    let ring = Keyring::generate(NOW).unwrap();
    let (token, _) = issued(&ring, "web");
    let refused = check(&ring, &token, &expect("web", Some("task-2")), NOW).unwrap_err();
    assert_eq!(refused, Rejection::OtherTask { token: "task-1".into(), expected: "task-2".into() });
}

#[test]
fn tampered_claims_or_signature() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let ring = Keyring::generate(NOW).unwrap();
    let (token, claims) = issued(&ring, "web");
    let parts: Vec<&str> = token.split('.').collect();

    // Another audience written into the payload, the signature kept.
    let mut forged = claims.clone();
    forged.aud = "mcp-admin".into();
    let payload = b64.encode(serde_json::to_vec(&forged).unwrap());
    let tampered = format!("{}.{payload}.{}", parts[0], parts[2]);
    assert_eq!(check(&ring, &tampered, &expect("mcp-admin", None), NOW), Err(Rejection::BadSignature));

    // One signature byte changed.
    let mut signature = b64.decode(parts[2]).unwrap();
    signature[0] ^= 1;
    let tampered = format!("{}.{}.{}", parts[0], parts[1], b64.encode(signature));
    assert_eq!(check(&ring, &tampered, &expect("web", None), NOW), Err(Rejection::BadSignature));

    // Signed by a key of another machine that happens to use the same key id.
    let other = Keyring::generate(NOW).unwrap();
    let stranger = Key::new(ring.current().kid.clone(), vec![7; 32], NOW, None).unwrap();
    let forged = sign(&stranger, &claims).unwrap();
    assert_eq!(check(&ring, &forged, &expect("web", None), NOW), Err(Rejection::BadSignature));
    let (theirs, _) = issued(&other, "web");
    assert!(matches!(check(&ring, &theirs, &expect("web", None), NOW), Err(Rejection::UnknownKey(_))));
}

#[test]
fn unsigned_and_foreign_algorithms_are_refused() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let ring = Keyring::generate(NOW).unwrap();
    let (token, _) = issued(&ring, "web");
    let payload = token.split('.').nth(1).unwrap();
    let kid = &ring.current().kid;
    for alg in ["none", "HS512", "RS256"] {
        let header = b64.encode(format!(r#"{{"alg":"{alg}","typ":"JWT","kid":"{kid}"}}"#));
        let token = format!("{header}.{payload}.");
        assert!(
            matches!(check(&ring, &token, &expect("web", None), NOW), Err(Rejection::Malformed(_))),
            "alg {alg} accepted"
        );
    }
}

#[test]
fn malformed() {
    let ring = Keyring::generate(NOW).unwrap();
    let (token, _) = issued(&ring, "web");
    let header = token.split('.').next().unwrap();
    let huge = "a".repeat(10_000);
    for bad in ["", "abc", "a.b", "a.b.c.d", "!!.??.##", &format!("{header}.e30.x"), &huge] {
        let refused = check(&ring, bad, &expect("web", None), NOW).unwrap_err();
        assert!(matches!(refused, Rejection::Malformed(_)), "{bad:.20}: {refused}");
    }
}

#[test]
fn rotation_keeps_old_tokens_valid() {
    let ring = Keyring::generate(NOW).unwrap();
    let (old, _) = issued(&ring, "web");
    let rotated = ring.rotated(NOW + 1).unwrap();
    let (new, _) = issued(&rotated, "web");
    assert!(check(&rotated, &old, &expect("web", None), NOW + 2).is_ok());
    assert!(check(&rotated, &new, &expect("web", None), NOW + 2).is_ok());
    assert!(matches!(check(&ring, &new, &expect("web", None), NOW + 2), Err(Rejection::UnknownKey(_))));
}

#[test]
fn revoked_tokens_are_refused_and_listed_no_more() {
    let home = tempfile::tempdir().unwrap();
    let authority = Authority::open(home.path()).unwrap();
    let claims = Claims::new(&request("web"), now()).unwrap();
    let token = authority.issue(&claims).unwrap();
    let expected = expect("web", Some("task-1"));
    assert_eq!(authority.verify(&token, &expected), Ok(claims.clone()));
    assert_eq!(
        authority.live().unwrap().iter().map(|t| t.jti.as_str()).collect::<Vec<_>>(),
        [claims.jti.as_str()]
    );

    assert_eq!(authority.revoke_token(&token).unwrap(), Revocation::Revoked { jti: claims.jti.clone() });
    assert_eq!(authority.verify(&token, &expected), Err(Rejection::Revoked { jti: claims.jti.clone() }));
    assert!(authority.live().unwrap().is_empty());
    assert_eq!(authority.revoke_jti(&claims.jti).unwrap(), Revocation::AlreadyRevoked { jti: claims.jti });
}

#[test]
fn issuing_records_no_token_and_no_secret() {
    let home = tempfile::tempdir().unwrap();
    let authority = Authority::open(home.path()).unwrap();
    let token = authority.issue(&Claims::new(&request("web"), now()).unwrap()).unwrap();
    let raw_secret = authority.keyring().current().secret().to_vec();
    let secret = crate::names::hex(&raw_secret);
    drop(authority);
    let db = std::fs::read(home.path().join("state.db")).unwrap();
    let wal = std::fs::read(home.path().join("state.db-wal")).unwrap_or_default();
    let signature = token.rsplit('.').next().unwrap();
    for bytes in [&db, &wal] {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(signature), "the token is in the state database");
        assert!(!text.contains(&secret), "the secret is in the state database");
        assert!(
            !bytes.windows(raw_secret.len()).any(|w| w == raw_secret),
            "the raw secret is in the state database"
        );
    }
}

#[test]
fn a_lifetime_longer_than_cfn_issues_or_an_iat_ahead_is_refused() {
    let ring = Keyring::generate(NOW).unwrap();
    let mut claims = Claims::new(&request("web"), NOW).unwrap();
    claims.exp = NOW + MAX_TTL.as_secs() + 1;
    let token = sign(ring.current(), &claims).unwrap();
    let refused = check(&ring, &token, &expect("web", None), NOW).unwrap_err();
    assert_eq!(refused.to_string(), "bad lifetime: longer than 30 days, more than cfn ever issues");
    claims.iat = NOW + 3600;
    claims.exp = NOW + 7200;
    let token = sign(ring.current(), &claims).unwrap();
    let refused = check(&ring, &token, &expect("web", None), NOW).unwrap_err();
    assert_eq!(refused.to_string(), "bad lifetime: issued 3600 s in the future");
    claims.iat = NOW + 30;
    let token = sign(ring.current(), &claims).unwrap();
    assert!(check(&ring, &token, &expect("web", None), NOW).is_ok(), "a clock a moment behind");
}

#[test]
fn only_a_token_issued_with_these_claims_verifies() {
    let home = tempfile::tempdir().unwrap();
    let authority = Authority::open(home.path()).unwrap();
    let claims = Claims::new(&request("web"), now()).unwrap();
    let token = authority.issue(&claims).unwrap();
    let expected = expect("web", None);
    assert_eq!(authority.verify(&token, &expected), Ok(claims.clone()));
    // Signed with this machine's key (as a holder of web's audience key could), never issued.
    let mut forged = claims.clone();
    forged.jti = "f".repeat(32);
    let token = sign(authority.keyring().current(), &forged).unwrap();
    assert_eq!(authority.verify(&token, &expected), Err(Rejection::NotIssued { jti: forged.jti.clone() }));
    // An issued id with other claims (another agent) is no issued token either.
    let mut other = claims.clone();
    other.sub = "intruder".into();
    let token = sign(authority.keyring().current(), &other).unwrap();
    assert!(matches!(authority.verify(&token, &expected), Err(Rejection::NotIssued { .. })));
}
