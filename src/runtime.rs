//! The async runtime: the one place cfn blocks a thread on a future.
//!
//! `cli::run` makes one multi-threaded runtime and runs the command on it ([`run`]); commands
//! and the features under them are async and await the engine, Redis and PostgreSQL. Three
//! kinds of code stay synchronous and bridge here instead of making runtimes of their own:
//!
//! - code every command calls through synchronous paths — `Workspace`'s lease follow-up and
//!   registry rebuild ask the engine — and the PostgreSQL client behind the migration trait it
//!   shares with SQLite: [`wait`] (and [`wait_on`] for a runtime the caller owns);
//! - a server's request that runs a command's work, which blocks for as long as the command
//!   does, off the server's event loop: [`off_the_loop`];
//! - threads that serve on a runtime of their own (the signal listener, the proxy's per-core
//!   threads): [`run_here`].

use anyhow::{Context as _, Result};
use std::future::Future;
use std::time::Duration;
use tokio::runtime::{Builder, Handle, Runtime, RuntimeFlavor};

/// Worker threads of the command's runtime: what runs beside the command (signal handling, a
/// server's connections); the command itself runs on the calling thread.
const WORKERS: usize = 2;

/// How long work still running when the command ends (a server's request on the blocking
/// pool) gets before the process goes on without it.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(100);

/// Runs the command future `fut` to completion on a new multi-threaded runtime.
pub fn run<F: Future>(fut: F) -> Result<F::Output> {
    let rt = Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .thread_name("cfn-runtime")
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let out = rt.block_on(fut);
    // Dropping the runtime would wait for blocking work however long it takes.
    rt.shutdown_timeout(SHUTDOWN_GRACE);
    Ok(out)
}

/// Waits for `fut` from synchronous code: inside the command's runtime without stalling its
/// other tasks, and on a runtime made for it where there is none (unit tests, helper threads).
pub fn wait<F: Future>(fut: F) -> Result<F::Output> {
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            Ok(tokio::task::block_in_place(|| handle.block_on(fut)))
        }
        // A single-threaded runtime cannot lend its thread, and cfn makes none that calls this.
        Ok(_) => anyhow::bail!("cannot wait for a future inside a single-threaded runtime"),
        Err(_) => run_here(fut),
    }
}

/// Waits for `fut` on `runtime`, which the caller owns (a client whose connection task lives
/// there); on a helper thread when this thread is already inside a runtime.
pub fn wait_on<F>(runtime: &Runtime, fut: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    if Handle::try_current().is_err() {
        return runtime.block_on(fut);
    }
    std::thread::scope(|scope| scope.spawn(|| runtime.block_on(fut)).join())
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Runs the work `make` builds on the runtime's blocking pool, so a request that takes minutes
/// (an `up` waiting for its stack) never holds up the server's other connections.
pub async fn off_the_loop<T, Fut>(make: impl FnOnce() -> Fut + Send + 'static) -> Result<T>
where
    Fut: Future<Output = Result<T>>,
    T: Send + 'static,
{
    let handle = Handle::current();
    tokio::task::spawn_blocking(move || handle.block_on(make()))
        .await
        .context("the request's worker stopped")?
}

/// Runs `fut` to completion on a new single-threaded runtime on this thread (leaving the
/// command's runtime for as long, when called inside it).
pub fn run_here<F: Future>(fut: F) -> Result<F::Output> {
    let rt = Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")?;
    if Handle::try_current().is_ok() {
        // The runtime is dropped inside too: dropping one waits, which the async context forbids.
        return Ok(tokio::task::block_in_place(move || {
            let out = rt.block_on(fut);
            drop(rt);
            out
        }));
    }
    Ok(rt.block_on(fut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_works_outside_inside_and_beside_a_runtime() {
        assert_eq!(wait(async { 1 }).unwrap(), 1, "no runtime");
        let inside = run(async { wait(async { 2 }).unwrap() }).unwrap();
        assert_eq!(inside, 2, "in the command's runtime");
        let beside = run_here(async { wait(async { 3 }).is_err() }).unwrap();
        assert!(beside, "refused in a single-threaded runtime, which cannot lend its thread");
        let off = run(async { off_the_loop(|| async { wait(async { 4 }) }).await.unwrap() }).unwrap();
        assert_eq!(off, 4, "on the blocking pool");
        let nested = run(async { run_here(async { 5 }).unwrap() }).unwrap();
        assert_eq!(nested, 5, "a runtime of its own inside the command's, made and dropped");
    }
}
