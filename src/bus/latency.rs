//! A measurement for the benchmark: how long a blocked waiter takes to wake after a send.
//!
//! Each round waits on a fresh channel of a throw-away task, lets the waiter block, then sends;
//! the latency is from just before the send to the waiter's return. Waiter and sender run on the
//! same task (`tokio::join!`), so the figure includes one scheduler hop, as a real CLI would.
//! On Redis that is one `XADD` reaching a blocked `XREAD`; on the embedded bus it is bounded by
//! the poll interval (about half of it on average).

use std::time::Duration;

use tokio::time::Instant;

use super::error::{BusError, Result};
use super::types::now_ms;
use super::Bus;

/// How long the waiter is given to block before each send.
const SETTLE: Duration = Duration::from_millis(20);
/// A round that takes longer than this is an error, not a measurement.
const ROUND_TIMEOUT: Duration = Duration::from_secs(10);

/// Wakes a waiter `n` times and returns each send-to-wake latency, in round order.
pub async fn measure_signal_latency(bus: &Bus, n: usize) -> Result<Vec<Duration>> {
    let task = format!("latency-{}-{}", std::process::id(), now_ms());
    let mut latencies = Vec::with_capacity(n);
    for round in 0..n {
        let channel = format!("ping-{round}");
        let waiter = async {
            let got = bus.signal_wait(&task, &channel, ROUND_TIMEOUT).await;
            (got, Instant::now())
        };
        let sender = async {
            tokio::time::sleep(SETTLE).await;
            let sent = Instant::now();
            bus.signal_send(&task, &channel, "ping").await.map(|_| sent)
        };
        let ((got, woke), sent) = tokio::join!(waiter, sender);
        let sent = sent?;
        match got? {
            Some(_) => latencies.push(woke.saturating_duration_since(sent)),
            None => return Err(BusError::invalid("latency round", format!("round {round} never woke"))),
        }
    }
    Ok(latencies)
}

/// The `p`-th percentile (0–100, nearest rank) of some latencies; zero for none.
pub fn percentile(latencies: &[Duration], p: f64) -> Duration {
    let mut sorted = latencies.to_vec();
    sorted.sort();
    let rank = (p.clamp(0.0, 100.0) / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.saturating_sub(1)).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let ms = |n| Duration::from_millis(n);
        let data = [ms(5), ms(1), ms(3), ms(2), ms(4)];
        assert_eq!(percentile(&data, 50.0), ms(3));
        assert_eq!(percentile(&data, 100.0), ms(5));
        assert_eq!(percentile(&data, 0.0), ms(1));
        assert_eq!(percentile(&[], 99.0), Duration::ZERO);
    }
}
