//! Each branch's Redis (a port key named `redis`, or one for container port 6379) is reachable,
//! lets cfn in, and does not evict keys: with an `allkeys-*` `maxmemory-policy` any key —
//! coordination state included — can vanish under memory pressure, so that fails; a
//! `volatile-*` policy evicts only keys with a TTL, so that warns.
//!
//! A Redis that refuses connections while its branch's stack is down is not a problem; it is
//! checked when the stack runs. One that refuses while the stack runs fails, unless some of the
//! stack's services are stopped (the `stack` check names them): that warns, `cfn up` starts them.

use super::survey::Survey;
use super::Check;
use crate::branch::{BranchEnv, Workspace};
use redis::AsyncConnectionConfig;
use std::collections::HashMap;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(3);

const NOEVICTION: &str = "run redis with `--maxmemory-policy noeviction` \
     (for the running server: `CONFIG SET maxmemory-policy noeviction`)";

/// What a reachable Redis said.
struct Facts {
    /// `Err` when CONFIG GET is refused (a managed Redis may rename it).
    policy: Result<String, String>,
    maxmemory: Option<u64>,
}

enum ProbeError {
    Refused,
    Auth(String),
    Other(String),
}

pub async fn checks(survey: &Survey, ws: &Workspace) -> Vec<Check> {
    let targets: Vec<(&BranchEnv, u16, String)> = survey
        .envs
        .iter()
        .filter(|e| e.path.is_dir())
        .filter_map(|env| {
            let port = redis_port(ws, env)?;
            Some((env, port, redis_url(ws, env, port)))
        })
        .collect();
    // All at once: most are refused at once, but one that hangs costs its timeout once rather
    // than once per branch after it.
    let outcomes = futures_util::future::join_all(targets.iter().map(|(_, _, url)| probe(url))).await;
    targets
        .iter()
        .zip(outcomes)
        .map(|((env, port, _), outcome)| {
            let (check, detail) =
                judge(survey, env, &format!("redis of {} (port {port})", env.branch), outcome);
            check.of_checkout(&env.branch, detail, None)
        })
        .collect()
}

/// The check, and what it says apart from its subject (for merging alike lines).
fn judge(
    survey: &Survey,
    env: &BranchEnv,
    subject: &str,
    outcome: Result<Facts, ProbeError>,
) -> (Check, String) {
    let check = match outcome {
        Ok(facts) => policy_check(subject, &facts),
        Err(ProbeError::Refused) => match survey.stack_running(&env.project) {
            Some(false) => Check::ok("redis", format!("{subject}: not running (its stack is down)")),
            // some services stopped: the `stack` check names them; `cfn up` starts them
            Some(true) if !survey.down_in_running_stack(&env.project).is_empty() => Check::warn(
                "redis",
                format!("{subject}: connection refused while its stack is partly up"),
                format!(
                    "`cfn up` in {} starts the stopped services (see the stack check)",
                    env.path.display()
                ),
            ),
            Some(true) => Check::fail(
                "redis",
                format!("{subject}: connection refused while its stack runs"),
                format!("see `cfn logs` in {}", env.path.display()),
            ),
            None => Check::warn(
                "redis",
                format!("{subject}: connection refused"),
                "start the stack with `cfn up`, or the engine if it is down",
            ),
        },
        Err(ProbeError::Auth(why)) => Check::fail(
            "redis",
            format!("{subject}: authentication failed ({why})"),
            "put the password in a [health.<name>] check's redis url, \
             e.g. redis://:{{ env.REDIS_PASSWORD }}@127.0.0.1:{{ ports.redis }}",
        ),
        Err(ProbeError::Other(why)) => Check::fail(
            "redis",
            format!("{subject}: {why}"),
            "check that the service on this port is a Redis and answers",
        ),
    };
    let detail = check.message.strip_prefix(&format!("{subject}: ")).unwrap_or(&check.message).to_string();
    let detail = detail.replace("its stack is down", "their stacks are down");
    (check, format!("redis {detail}"))
}

fn policy_check(subject: &str, facts: &Facts) -> Check {
    let limit = match facts.maxmemory {
        Some(0) | None => "no maxmemory limit yet".to_string(),
        Some(bytes) => format!("maxmemory {bytes} bytes"),
    };
    match &facts.policy {
        Ok(policy) if policy == "noeviction" => {
            Check::ok("redis", format!("{subject}: reachable, maxmemory-policy noeviction"))
        }
        Ok(policy) if policy.starts_with("allkeys-") => Check::fail(
            "redis",
            format!(
                "{subject}: maxmemory-policy {policy} evicts any key, coordination state included ({limit})"
            ),
            NOEVICTION,
        ),
        Ok(policy) => Check::warn(
            "redis",
            format!("{subject}: maxmemory-policy {policy} evicts keys that have a ttl ({limit})"),
            NOEVICTION,
        ),
        Err(why) => Check::warn(
            "redis",
            format!("{subject}: reachable, but its maxmemory-policy cannot be read ({why})"),
            "make sure the server runs with `maxmemory-policy noeviction`",
        ),
    }
}

/// The branch's Redis port, as the env contract defines it (`CFN_REDIS_URL`).
fn redis_port(ws: &Workspace, env: &BranchEnv) -> Option<u16> {
    let key = ws.config.ports.keys.iter().find(|(k, v)| v.target == 6379 || k.as_str() == "redis")?.0;
    env.ports.get(key).copied()
}

/// A configured redis health check on this port (it may carry a password), else the branch's
/// `CFN_REDIS_URL`.
fn redis_url(ws: &Workspace, env: &BranchEnv, port: u16) -> String {
    let from_health = crate::branch::health::checks(ws, env).ok().and_then(|checks| {
        checks.into_iter().find_map(|c| match c.kind {
            crate::health::CheckKind::Redis { url } if url.contains(&format!(":{port}")) => Some(url),
            _ => None,
        })
    });
    from_health
        .or_else(|| crate::branch::files::env_vars(ws, env).ok()?.get("CFN_REDIS_URL").cloned())
        .unwrap_or_else(|| format!("redis://127.0.0.1:{port}"))
}

async fn probe(url: &str) -> Result<Facts, ProbeError> {
    let client =
        redis::Client::open(url).map_err(|e| ProbeError::Other(format!("invalid redis url: {e}")))?;
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(TIMEOUT))
        .set_response_timeout(Some(TIMEOUT));
    let mut conn = client.get_multiplexed_async_connection_with_config(&config).await.map_err(classify)?;
    let _: String = redis::cmd("PING").query_async(&mut conn).await.map_err(classify)?;
    let get = |name: &'static str| {
        let mut conn = conn.clone();
        async move {
            let reply: HashMap<String, String> =
                redis::cmd("CONFIG").arg("GET").arg(name).query_async(&mut conn).await.map_err(line)?;
            reply.get(name).cloned().ok_or_else(|| format!("CONFIG GET {name} returned nothing"))
        }
    };
    let policy = get("maxmemory-policy").await;
    let maxmemory = get("maxmemory").await.ok().and_then(|m| m.parse().ok());
    Ok(Facts { policy, maxmemory })
}

fn classify(e: redis::RedisError) -> ProbeError {
    if e.is_connection_refusal() {
        return ProbeError::Refused;
    }
    let auth = e.kind() == redis::ErrorKind::AuthenticationFailed
        || matches!(e.code(), Some("NOAUTH" | "WRONGPASS"));
    if auth {
        ProbeError::Auth(line(e))
    } else if e.is_timeout() {
        ProbeError::Other(format!("no answer within {} s", TIMEOUT.as_secs()))
    } else {
        ProbeError::Other(line(e))
    }
}

/// A redis error as one lower-case line.
fn line(e: redis::RedisError) -> String {
    let text = e.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
    match text.split_once(": ") {
        Some((code, rest)) if code.chars().all(|c| c.is_ascii_uppercase()) => format!("{code}: {rest}"),
        _ => text.to_lowercase(),
    }
}
