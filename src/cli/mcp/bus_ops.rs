//! The work behind the coordination tools: the same bus, limits and errors as `cfn context`,
//! `signal`, `agent`, `results` and `lock`.

use super::limits::{seconds_within, MAX_WAIT_SECS};
use super::params::*;
use super::results::*;
use super::scope::Target;
use crate::bus::{Collected, LockToken, Status};
use crate::cli::commands::agent;
use crate::cli::commands::bus_args::{seconds, with_bus, within_limit, BusArgs};
use crate::error::{exit, UserError};
use anyhow::Result;

/// The task of a call: its argument, else the server's CFN_TASK_ID (as the CLI's flag).
fn task(arg: Option<String>) -> Result<String> {
    arg.or_else(|| std::env::var("CFN_TASK_ID").ok().filter(|t| !t.is_empty())).ok_or_else(|| {
        UserError::usage("no task_id given, and the server has no CFN_TASK_ID")
            .hint("pass `task_id` (the loop run id)")
            .into()
    })
}

/// The loop iteration: the argument, else the server's CFN_ITERATION, else 1.
fn iteration(arg: Option<u32>) -> u32 {
    arg.or_else(|| std::env::var("CFN_ITERATION").ok()?.parse().ok()).unwrap_or(1)
}

pub async fn context_store(target: &Target, a: ContextStoreArgs) -> Result<ContextStored> {
    let task = task(a.task_id)?;
    within_limit("context value", a.value.len())?;
    let ttl = a.ttl.map(seconds).transpose()?;
    let (t, k) = (task.clone(), a.key.clone());
    with_bus(&target.ctx, &BusArgs::from_env(), |bus| async move {
        bus.context_store(&t, &k, &a.value, ttl).await
    })
    .await?;
    Ok(ContextStored { task_id: task, key: a.key, stored: true })
}

pub async fn context_get(target: &Target, a: ContextGetArgs) -> Result<ContextValue> {
    let task = task(a.task_id)?;
    let (t, k) = (task.clone(), a.key.clone());
    let got = with_bus(&target.ctx, &BusArgs::from_env(), |bus| async move { bus.context_get(&t, &k).await })
        .await?;
    match got {
        Some(value) => Ok(ContextValue { task_id: task, key: a.key, value }),
        None => Err(UserError::new(format!("no value for key {} of task {task}", a.key))
            .hint("store it with `context_store`; values expire after their ttl")
            .into()),
    }
}

pub async fn signal_send(target: &Target, a: SignalSendArgs) -> Result<SignalSent> {
    let task = task(a.task_id)?;
    within_limit("signal payload", a.payload.len())?;
    let (t, c) = (task.clone(), a.channel.clone());
    let id = with_bus(&target.ctx, &BusArgs::from_env(), |bus| async move {
        bus.signal_send(&t, &c, &a.payload).await
    })
    .await?;
    Ok(SignalSent { task_id: task, channel: a.channel, id })
}

pub async fn signal_wait(target: &Target, a: SignalWaitArgs) -> Result<SignalReceived> {
    let task = task(a.task_id)?;
    let secs = a.timeout.unwrap_or(60.0);
    let timeout = seconds_within("timeout", secs, MAX_WAIT_SECS)?;
    let (t, c) = (task.clone(), a.channel.clone());
    let got =
        with_bus(
            &target.ctx,
            &BusArgs::from_env(),
            |bus| async move { bus.signal_wait(&t, &c, timeout).await },
        )
        .await?;
    match got {
        Some(payload) => Ok(SignalReceived { task_id: task, channel: a.channel, payload }),
        None => {
            Err(UserError::new(format!("no signal on channel {} of task {task} within {secs}s", a.channel))
                .hint("raise timeout, or check that the sender uses the same bus")
                .code(exit::TIMEOUT)
                .into())
        }
    }
}

pub async fn agent_report(target: &Target, a: AgentReportArgs) -> Result<ReportCounted> {
    let status = match a.status.as_deref() {
        None | Some("ok") => Status::Ok,
        Some("failed") => Status::Failed,
        Some(other) => {
            return Err(UserError::usage(format!("status {other:?} is neither ok nor failed"))
                .hint("pass `ok` or `failed`")
                .into())
        }
    };
    let agent_id = a.agent_id.or_else(|| std::env::var("CFN_AGENT_ID").ok().filter(|v| !v.is_empty()));
    let agent_id = agent_id.ok_or_else(|| {
        UserError::usage("no agent_id given, and the server has no CFN_AGENT_ID").hint("pass `agent_id`")
    })?;
    let request = agent::ReportRequest {
        task_id: task(a.task_id)?,
        agent_id: agent_id.clone(),
        iteration: iteration(a.iteration),
        confidence: a.confidence,
        status,
        payload: a.payload,
    };
    let iteration = request.iteration;
    let first = agent::report(&target.ctx, &BusArgs::from_env(), request).await?;
    Ok(ReportCounted { agent_id, iteration, counted: first })
}

pub async fn results_collect(target: &Target, a: ResultsCollectArgs) -> Result<Collected> {
    let task = task(a.task_id)?;
    let secs = a.timeout.unwrap_or(60.0);
    let timeout = seconds_within("timeout", secs, MAX_WAIT_SECS)?;
    let (t, n, threshold, iteration) =
        (task.clone(), a.expected, a.threshold.unwrap_or(1.0), iteration(a.iteration));
    let collected = with_bus(&target.ctx, &BusArgs::from_env(), |bus| async move {
        bus.results_collect(&t, iteration, n, threshold, timeout).await
    })
    .await?;
    // Not complete is still an answer: the reports so far, with `complete: false`.
    Ok(collected)
}

pub async fn lock_acquire(target: &Target, a: LockAcquireArgs) -> Result<LockHeld> {
    let ttl = seconds(a.ttl.unwrap_or(60.0))?;
    let wait = seconds_within("wait", a.wait.unwrap_or(0.0), MAX_WAIT_SECS)?;
    let r = a.resource.clone();
    match with_bus(
        &target.ctx,
        &BusArgs::from_env(),
        |bus| async move { bus.lock_acquire(&r, ttl, wait).await },
    )
    .await?
    {
        Some(token) => Ok(LockHeld { resource: a.resource, token: token.as_str().to_string() }),
        None => Err(UserError::new(format!("lock {} is held by another caller", a.resource))
            .hint("wait for it with `wait`; it is freed when released or when its ttl ends")
            .code(exit::TIMEOUT)
            .into()),
    }
}

pub async fn lock_release(target: &Target, a: LockReleaseArgs) -> Result<LockReleased> {
    let token = LockToken::from_string(a.token);
    let r = a.resource.clone();
    if with_bus(&target.ctx, &BusArgs::from_env(), |bus| async move { bus.lock_release(&r, &token).await })
        .await?
    {
        Ok(LockReleased { resource: a.resource, released: true })
    } else {
        Err(UserError::new(format!("lock {} is not held with this token", a.resource))
            .hint("only the holder can release a lock; an expired lock needs no release")
            .into())
    }
}
