//! `cfn token`: the real binary issuing, verifying, revoking, listing and rotating tokens in a
//! sandboxed CFN_HOME, against a project whose compose services are the known servers.

use crate::harness::*;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Output;

/// A token for agent `impl-1`, task `run-1`, server `web` (a service of the shop project).
fn issue(sb: &Sandbox, repo: &Path, extra: &[&str]) -> String {
    let mut args = vec!["token", "issue", "--agent", "impl-1", "--task", "run-1", "--audience", "web"];
    args.extend_from_slice(extra);
    let out = sb.cfn(repo, &args).output().unwrap();
    assert!(out.status.success(), "issue failed: {}", stderr(&out));
    let token = text(&out.stdout).trim().to_string();
    assert_eq!(token.split('.').count(), 3, "not a JWT: {token}");
    assert!(!stderr(&out).contains(&token), "the token was printed on stderr");
    token
}

fn verify(sb: &Sandbox, token: &str, audience: &str, extra: &[&str]) -> Output {
    let mut args = vec!["token", "verify", token, "--audience", audience];
    args.extend_from_slice(extra);
    sb.cfn(sb.path(), &args).output().unwrap()
}

/// A refusal: exit 1, one `error:` line naming the reason, then at most a hint.
fn assert_refused(out: &Output, reason: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "stdout: {}\nstderr: {err}", text(&out.stdout));
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].starts_with("error: ") && lines[0].contains(reason), "{err}");
    assert!(lines[1..].iter().all(|l| l.starts_with("hint: ")), "{err}");
}

fn key_file(sb: &Sandbox) -> std::path::PathBuf {
    sb.home.join("token-keys.json")
}

#[test]
fn issue_then_verify_prints_the_claims() {
    let sb = Sandbox::new();
    let repo = sb.shop("shop");
    let token =
        issue(&sb, &repo, &["--ttl", "15m", "--role", "validator", "--skill", "redis", "--skill", "browser"]);

    let out = verify(&sb, &token, "web", &["--task", "run-1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = text(&out.stdout);
    assert!(shown.contains("impl-1") && shown.contains("browser, redis"), "{shown}");

    let claims = sb.json(sb.path(), &["token", "verify", &token, "--audience", "web", "--json"]);
    assert_eq!(claims["sub"], "impl-1");
    assert_eq!(claims["aud"], "web");
    assert_eq!(claims["task_id"], "run-1");
    assert_eq!(claims["role"], "validator");
    assert_eq!(claims["skills"], serde_json::json!(["browser", "redis"]));
    assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 900);
    assert_eq!(claims["jti"].as_str().unwrap().len(), 32);

    // From stdin, so the token need not appear in the process list.
    let out = sb
        .cfn(sb.path(), &["token", "verify", "-", "--audience", "web"])
        .write_stdin(token)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn another_server_another_task_or_a_forgery_is_refused() {
    let sb = Sandbox::new();
    let repo = sb.shop("shop");
    let token = issue(&sb, &repo, &[]);
    assert_refused(
        &verify(&sb, &token, "postgres", &[]),
        "wrong audience: the token is for \"web\", not \"postgres\"",
    );
    assert_refused(&verify(&sb, &token, "web", &["--task", "run-2"]), "another task");

    let mut forged: Vec<u8> = token.clone().into_bytes();
    let last = forged.len() - 2;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    assert_refused(&verify(&sb, &String::from_utf8(forged).unwrap(), "web", &[]), "bad signature");
    assert_refused(&verify(&sb, "not-a-token", "web", &[]), "malformed token");
}

#[test]
fn an_expired_token_is_refused() {
    let sb = Sandbox::new();
    let repo = sb.shop("shop");
    let token = issue(&sb, &repo, &["--ttl", "1s"]);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_refused(&verify(&sb, &token, "web", &[]), "expired at ");
}

#[test]
fn revoked_tokens_are_refused_and_list_never_shows_a_token() {
    let sb = Sandbox::new();
    let repo = sb.shop("shop");
    let first = issue(&sb, &repo, &[]);
    let second = issue(&sb, &repo, &["--ttl", "2h"]);

    let listed = sb.json(sb.path(), &["token", "list", "--json"]);
    let jtis: Vec<&str> = listed.as_array().unwrap().iter().map(|t| t["jti"].as_str().unwrap()).collect();
    assert_eq!(jtis.len(), 2);
    let table = sb.cfn(sb.path(), &["token", "list"]).output().unwrap();
    let table = text(&table.stdout);
    for shown in [listed.to_string(), table.clone()] {
        assert!(!shown.contains(&first) && !shown.contains(&second), "a token is listed: {shown}");
        assert!(!shown.contains(first.split('.').nth(2).unwrap()), "a signature is listed");
    }
    assert!(table.contains("impl-1") && table.contains("web") && table.contains(jtis[0]), "{table}");

    let out = sb.cfn(sb.path(), &["token", "revoke", &first]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_refused(&verify(&sb, &first, "web", &[]), "revoked");
    assert!(verify(&sb, &second, "web", &[]).status.success(), "revoking one token revoked another");

    let second_jti = sb.json(sb.path(), &["token", "verify", &second, "--audience", "web", "--json"])["jti"]
        .as_str()
        .unwrap()
        .to_string();
    sb.cfn(sb.path(), &["token", "revoke", "--jti", &second_jti]).assert().success();
    assert_refused(&verify(&sb, &second, "web", &[]), "revoked");
    assert_eq!(sb.json(sb.path(), &["token", "list", "--json"]), serde_json::json!([]));

    assert_refused(
        &sb.cfn(sb.path(), &["token", "revoke", "--jti", "0123"]).output().unwrap(),
        "no live token",
    );
    // The state database holds ids and expiries, never a token.
    assert_eq!(sb.count("SELECT COUNT(*) FROM token_revocations"), 2);
    let db = std::fs::read(sb.home.join("state.db")).unwrap();
    let wal = std::fs::read(sb.home.join("state.db-wal")).unwrap_or_default();
    for bytes in [db, wal] {
        assert!(!text(&bytes).contains(first.split('.').nth(2).unwrap()), "a token is in the state database");
    }
}

#[test]
fn the_key_file_is_private_and_refused_when_others_can_read_it() {
    let sb = Sandbox::new();
    let repo = sb.shop("shop");
    let token = issue(&sb, &repo, &[]);
    let file = key_file(&sb);
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = sb
        .cfn(&repo, &["token", "issue", "--agent", "a", "--task", "t", "--audience", "web"])
        .output()
        .unwrap();
    assert_refused(&out, "mode 644");
    assert!(stderr(&out).contains(&format!("hint: chmod 600 {}", file.display())), "{}", stderr(&out));
    assert_refused(&verify(&sb, &token, "web", &[]), "mode 644");

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(verify(&sb, &token, "web", &[]).status.success());
}

#[test]
fn rotation_keeps_old_tokens_valid() {
    let sb = Sandbox::new();
    let repo = sb.shop("shop");
    let old = issue(&sb, &repo, &[]);
    let out = sb.cfn(sb.path(), &["token", "rotate"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let new = issue(&sb, &repo, &[]);
    let kid = |token: &str| {
        use base64::Engine as _;
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&header).unwrap()["kid"].as_str().unwrap().to_string()
    };
    assert_ne!(kid(&old), kid(&new));
    assert!(text(&out.stdout).contains(&kid(&new)) && text(&out.stdout).contains(&kid(&old)));
    assert!(verify(&sb, &old, "web", &[]).status.success(), "{}", stderr(&verify(&sb, &old, "web", &[])));
    assert!(verify(&sb, &new, "web", &[]).status.success());
    assert_eq!(std::fs::metadata(key_file(&sb)).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn bad_input_is_refused_with_one_line() {
    let sb = Sandbox::new();
    let repo = sb.shop("shop");
    let issue_with = |audience: &str, ttl: &str| {
        sb.cfn(
            &repo,
            &["token", "issue", "--agent", "a", "--task", "t", "--audience", audience, "--ttl", ttl],
        )
        .output()
        .unwrap()
    };
    assert_refused(&issue_with("mcp-nowhere", "1h"), "unknown audience \"mcp-nowhere\"");
    assert_refused(&issue_with("", "1h"), "empty audience");
    assert_refused(&issue_with("web", "0s"), "ttl must be positive");
    assert_refused(&issue_with("web", "31d"), "longer than 30 days");
    assert_refused(&issue_with("web", "1w"), "malformed ttl");
    assert_refused(&issue_with("web", "-5m"), "ttl must be positive");
    assert!(issue_with("cfn", "90s").status.success(), "cfn's own server is a known audience");
    assert_eq!(sb.json(sb.path(), &["token", "list", "--json"]).as_array().unwrap().len(), 1);

    let out = sb
        .cfn(&repo, &["token", "issue", "--agent", "a", "--task", "t", "--audience", "web", "--role", "boss"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = sb.cfn(sb.path(), &["token", "revoke"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// A JWT for `aud`, HS256-signed with `key` under the key id `kid`: what a holder of a
/// verifier file could make.
fn signed_with(key: &[u8], kid: &str, aud: &str) -> String {
    use base64::Engine as _;
    use hmac::{KeyInit as _, Mac as _};
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let header = b64.encode(serde_json::json!({"alg": "HS256", "typ": "JWT", "kid": kid}).to_string());
    let claims = serde_json::json!({"sub": "evil", "aud": aud, "exp": now + 600, "iat": now,
        "jti": "0".repeat(32), "task_id": "run-1", "skills": []});
    let body = b64.encode(claims.to_string());
    let mut mac = <hmac::Hmac<sha2::Sha256>>::new_from_slice(key).unwrap();
    mac.update(format!("{header}.{body}").as_bytes());
    format!("{header}.{body}.{}", b64.encode(mac.finalize().into_bytes()))
}

#[test]
fn a_server_s_verifier_keys_check_its_tokens_and_sign_none_for_another() {
    let sb = Sandbox::new();
    let repo = sb.shop("shop");
    let token = issue(&sb, &repo, &[]);
    let dir = sb.path().join("web-keys");
    let out =
        sb.cfn(&repo, &["token", "verifier-keys", "--audience", "web", "--out"]).arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text(&out.stdout).contains("keys.json"), "{}", text(&out.stdout));
    let file = dir.join("keys.json");
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    let handed: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let signing: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(key_file(&sb)).unwrap()).unwrap();
    assert_eq!(handed["audience"], "web");
    let (kid, secret) =
        (handed["keys"][0]["kid"].as_str().unwrap(), handed["keys"][0]["secret"].as_str().unwrap());
    assert_ne!(secret, signing["keys"][0]["secret"].as_str().unwrap(), "never the signing secret");
    let key: Vec<u8> =
        (0..secret.len()).step_by(2).map(|i| u8::from_str_radix(&secret[i..i + 2], 16).unwrap()).collect();

    // The issued token's signature is the one this key makes: the file checks web's tokens.
    let (signed, signature) = token.rsplit_once('.').unwrap();
    assert_eq!(signed_with(&key, kid, "web").split('.').count(), 3);
    use hmac::{KeyInit as _, Mac as _};
    let mut mac = <hmac::Hmac<sha2::Sha256>>::new_from_slice(&key).unwrap();
    mac.update(signed.as_bytes());
    use base64::Engine as _;
    assert_eq!(
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()),
        signature
    );

    // The attack: the holder of web's keys signs tokens for another server and for cfn's own.
    assert_refused(&verify(&sb, &signed_with(&key, kid, "postgres"), "postgres", &[]), "bad signature");
    assert_refused(&verify(&sb, &signed_with(&key, kid, "cfn"), "cfn", &[]), "bad signature");
    // What it can sign is a token for web alone, which web's own verifier (holding only these
    // keys) would take; cfn, which holds the records, refuses it: it was never issued.
    assert_refused(&verify(&sb, &signed_with(&key, kid, "web"), "web", &[]), "not issued");
    // After a leak: every older key dropped at once, the issued token dead too, and the
    // verifier files holding the leaked keys rewritten.
    let out = sb.cfn(&repo, &["token", "rotate", "--drop-old-keys"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text(&out.stdout).contains("dropped 1 older key(s)"), "{}", text(&out.stdout));
    assert_refused(&verify(&sb, &token, "web", &[]), "bad signature");
    let fresh = issue(&sb, &repo, &[]);
    assert!(verify(&sb, &fresh, "web", &[]).status.success());

    let keys_into = |audience: &str, dir: &Path| {
        sb.cfn(&repo, &["token", "verifier-keys", "--audience", audience, "--out"]).arg(dir).output().unwrap()
    };
    assert_refused(&keys_into("nowhere", &dir), "unknown audience \"nowhere\"");
    assert_refused(&keys_into("cfn", &dir), "the audience `cfn` is cfn's own");
    // A folder others may write into: they could put keys of their own in place.
    let open = sb.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    assert_refused(&keys_into("web", &open), "can be written by group or others (mode 777)");
    assert!(!open.join("keys.json").exists());
}
