//! Behaviour tests, each run on both backends against real servers and files, and the tests
//! only Redis can have (logins, a server killed mid-wait).

mod harness;

/// Runs each named `async fn(Bus, Env)` once on a fresh Redis server and once on a fresh
/// embedded bus, as `<name>::redis` and `<name>::embedded`.
macro_rules! on_both_buses {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn redis() {
                    if let Some((bus, env)) = crate::bus::tests::harness::Env::redis().await {
                        super::$name(bus, env).await;
                    }
                }

                #[tokio::test]
                async fn embedded() {
                    let (bus, env) = crate::bus::tests::harness::Env::embedded().await;
                    super::$name(bus, env).await;
                }
            }
        )*
    };
}

mod cluster;
mod context_events;
mod embedded_only;
mod locks;
mod redis_only;
mod results;
mod signals;
#[cfg(feature = "tls")]
mod tls;

use std::time::Duration;

pub(crate) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
