//! The async runtime for the parts of cfn that talk to servers (the Docker engine, Redis,
//! PostgreSQL). Commands are synchronous; each async step runs on a current-thread runtime made
//! for it, which is all a command-line tool needs.

use anyhow::{Context as _, Result};
use std::future::Future;

/// Runs `fut` to completion on a fresh current-thread runtime.
pub fn block_on<F: Future>(fut: F) -> Result<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    Ok(rt.block_on(fut))
}
