//! Token verifications per second: what an MCP service pays to check an agent's token on every
//! call.
//!
//! 1. **Signature, expiry, audience and task** (`cfn::token::jwt::check`): the check a service
//!    holding the secret makes, in memory.
//! 2. **The same plus the revocation lookup** (`Authority::verify`): one indexed SQLite query in
//!    the state database, as `cfn token verify` does (its process start is not included).
//! 3. **Issuing** (`Authority::issue`): signing plus one insert in the state database.
//!
//! Tokens are issued once in a temporary `CFN_HOME`; every verification is checked to succeed,
//! and one refused token (wrong audience) per round is checked to fail, so nothing is optimised
//! away. Run with `cargo bench --bench token`. Knob: `CFN_BENCH_VERIFICATIONS` (per measure,
//! default 200,000; issuing runs a tenth of that).

use cfn::token::{self, jwt, Authority, Claims, Expected, TokenRequest};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Rounds run first and thrown away (caches, the SQLite statement cache).
const WARM_UP: usize = 1_000;

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).filter(|&n| n > 0).unwrap_or(default)
}

fn request(agent: usize) -> TokenRequest {
    TokenRequest {
        agent: format!("agent-{agent:04}"),
        task: "bench-run".into(),
        audience: "mcp-redis".into(),
        ttl: Duration::from_secs(3600),
        role: None,
        skills: vec!["redis".into(), "browser".into()],
    }
}

/// Runs `f` `n` times after a warm-up; returns operations per second and the mean.
fn measure(n: usize, mut f: impl FnMut(usize)) -> (f64, Duration) {
    for i in 0..WARM_UP {
        f(i);
    }
    let start = Instant::now();
    for i in 0..n {
        f(i);
    }
    let elapsed = start.elapsed();
    (n as f64 / elapsed.as_secs_f64(), elapsed / n as u32)
}

fn row(what: &str, n: usize, (rate, mean): (f64, Duration)) {
    println!("| {what} | {n} | {:.0} | {:.2} µs |", rate, mean.as_secs_f64() * 1e6);
}

fn main() {
    let n = knob("CFN_BENCH_VERIFICATIONS", 200_000);
    let home =
        tempfile::Builder::new().prefix("cfn-bench-token-").tempdir().expect("cannot create a temp dir");
    let authority = Authority::open(home.path()).expect("cannot open the token authority");
    let tokens: Vec<String> = (0..100)
        .map(|i| authority.issue(&Claims::new(&request(i), token::now()).unwrap()).unwrap())
        .collect();
    let expected = Expected { audience: "mcp-redis", task: Some("bench-run") };
    let elsewhere = Expected { audience: "mcp-browser", task: None };
    let keyring = authority.keyring().clone();
    let now = token::now();

    println!("| measure | operations | per second | mean |");
    println!("|---|---|---|---|");
    row(
        "verify: signature, expiry, audience, task (in memory)",
        n,
        measure(n, |i| {
            let claims = jwt::check(&keyring, black_box(&tokens[i % tokens.len()]), &expected, now);
            assert!(claims.is_ok(), "a valid token was refused");
        }),
    );
    row(
        "verify + revocation lookup in the state database",
        n,
        measure(n, |i| {
            let claims = authority.verify(black_box(&tokens[i % tokens.len()]), &expected);
            assert!(claims.is_ok(), "a valid token was refused");
        }),
    );
    row(
        "refuse: wrong audience (in memory)",
        n,
        measure(n, |i| {
            let refused = jwt::check(&keyring, black_box(&tokens[i % tokens.len()]), &elsewhere, now);
            assert!(refused.is_err(), "a token for another server was accepted");
        }),
    );
    let issues = (n / 10).max(1);
    row(
        "issue: sign + record in the state database",
        issues,
        measure(issues, |i| {
            let token = authority.issue(&Claims::new(&request(i), token::now()).unwrap()).unwrap();
            black_box(token);
        }),
    );
}
