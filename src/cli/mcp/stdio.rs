//! The protocol's own stdin and stdout. JSON-RPC owns them: before the server starts, they are
//! moved to new descriptors (closed on exec), the process's stdout is pointed at stderr and its
//! stdin at /dev/null. Whatever cfn or a program it runs (compose, hooks, health commands)
//! would print lands on stderr, and nothing can read the client's requests: the stream cannot
//! be corrupted.

use anyhow::{Context as _, Result};
use std::os::fd::AsFd as _;

/// The protocol's reader and writer, taken over from the process's stdin and stdout.
pub fn take_over() -> Result<(tokio::fs::File, tokio::fs::File)> {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    // Above the standard descriptors, and not inherited by children.
    let reader = rustix::io::fcntl_dupfd_cloexec(stdin.as_fd(), 3).context("cannot take over stdin")?;
    let writer = rustix::io::fcntl_dupfd_cloexec(stdout.as_fd(), 3).context("cannot take over stdout")?;
    let null = std::fs::File::open("/dev/null").context("cannot open /dev/null")?;
    rustix::stdio::dup2_stdin(null.as_fd()).context("cannot detach stdin")?;
    rustix::stdio::dup2_stdout(stderr.as_fd()).context("cannot point stdout at stderr")?;
    Ok((
        tokio::fs::File::from_std(std::fs::File::from(reader)),
        tokio::fs::File::from_std(std::fs::File::from(writer)),
    ))
}
