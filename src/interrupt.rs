//! Interrupts (Ctrl-C's SIGINT, a closed terminal's SIGHUP, SIGTERM) during an operation that
//! must be all or nothing: they are noted instead of killing the process, the operation sees
//! them at its next step ([`check`]) and undoes itself like any other failure.
//!
//! A thread with its own small async runtime receives the signals. While no [`Guard`] is
//! alive, a signal ends the process at once as it would have without cfn (exit 128 + signal
//! number), so commands after the guarded part (hooks, output) are interrupted as usual.

use crate::error::UserError;
use anyhow::Result;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The signal received while guarded (0: none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);
static GUARDS: AtomicUsize = AtomicUsize::new(0);
static INSTALLED: OnceLock<bool> = OnceLock::new();

const SIGHUP: i32 = 1;
const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;

/// While alive, SIGINT, SIGHUP and SIGTERM are noted for [`check`] instead of ending the process.
pub struct Guard(());

impl Drop for Guard {
    fn drop(&mut self) {
        GUARDS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Starts guarding. Without signal support (the thread could not start) the operation still
/// runs, and signals keep their default effect.
pub fn guard() -> Guard {
    GUARDS.fetch_add(1, Ordering::SeqCst);
    INSTALLED.get_or_init(install);
    Guard(())
}

/// Fails with "interrupted" if a signal arrived since the guard was taken.
pub fn check() -> Result<()> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => Ok(()),
        sig => Err(UserError::new(format!("interrupted by {}", name(sig)))
            .hint("nothing of the interrupted operation was kept; run the command again")
            .into()),
    }
}

fn name(sig: i32) -> &'static str {
    match sig {
        SIGHUP => "SIGHUP",
        SIGINT => "SIGINT",
        _ => "SIGTERM",
    }
}

/// Starts the signal thread and waits until its handlers are in place.
fn install() -> bool {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new().name("cfn-signals".into()).spawn(move || {
        let failed = ready_tx.clone();
        let ran = crate::runtime::run_here(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let (Ok(mut int), Ok(mut hup), Ok(mut term)) = (
                signal(SignalKind::interrupt()),
                signal(SignalKind::hangup()),
                signal(SignalKind::terminate()),
            ) else {
                let _ = ready_tx.send(false);
                return;
            };
            let _ = ready_tx.send(true);
            loop {
                let sig = tokio::select! {
                    _ = int.recv() => SIGINT,
                    _ = hup.recv() => SIGHUP,
                    _ = term.recv() => SIGTERM,
                };
                if GUARDS.load(Ordering::SeqCst) == 0 {
                    std::process::exit(128 + sig);
                }
                RECEIVED.store(sig, Ordering::SeqCst);
            }
        });
        if ran.is_err() {
            let _ = failed.send(false);
        }
    });
    spawned.is_ok() && ready_rx.recv().unwrap_or(false)
}
