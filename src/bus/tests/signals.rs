//! Signals: broadcast, not lost when sent first, timeouts that are not success.

use tokio::task::JoinSet;
use tokio::time::Instant;

use super::harness::{Env, RedisServerExt};
use super::ms;
use crate::bus::Bus;

const T: &str = "task-signals";

on_both_buses!(
    ten_waiters_all_wake_on_one_send,
    a_signal_sent_before_the_wait_is_seen,
    a_wait_with_nothing_sent_times_out_with_none,
    signal_next_follows_a_cursor,
    buses_on_one_file_share_signals,
    the_latency_helper_measures_each_round,
);

async fn ten_waiters_all_wake_on_one_send(bus: Bus, env: Env) {
    let mut waiters = JoinSet::new();
    for _ in 0..10 {
        let bus = bus.clone();
        waiters.spawn(async move { bus.signal_wait(T, "loop3:complete", ms(10_000)).await });
    }
    env.settle(10).await;
    bus.signal_send(T, "loop3:complete", "done").await.expect("send");
    let sent = Instant::now();
    let mut woke = 0;
    while let Some(joined) = waiters.join_next().await {
        assert_eq!(joined.expect("join").expect("wait").as_deref(), Some("done"));
        woke += 1;
    }
    assert_eq!(woke, 10);
    assert!(sent.elapsed() < ms(3_000), "waking took {:?}", sent.elapsed());
}

async fn a_signal_sent_before_the_wait_is_seen(bus: Bus, _env: Env) {
    bus.signal_send(T, "agent:coder-1", "first").await.expect("send");
    bus.signal_send(T, "agent:coder-1", "second").await.expect("send");
    let start = Instant::now();
    let got = bus.signal_wait(T, "agent:coder-1", ms(5_000)).await.expect("wait");
    assert_eq!(got.as_deref(), Some("second"), "the newest signal");
    assert!(start.elapsed() < ms(1_000));
    let again = bus.signal_wait(T, "agent:coder-1", ms(0)).await.expect("wait");
    assert_eq!(again.as_deref(), Some("second"), "reading does not consume");
}

async fn a_wait_with_nothing_sent_times_out_with_none(bus: Bus, _env: Env) {
    let start = Instant::now();
    let got = bus.signal_wait(T, "decision", ms(400)).await.expect("a timeout is not an error");
    let took = start.elapsed();
    assert_eq!(got, None);
    assert!(took >= ms(390), "returned early after {took:?}");
    assert!(took < ms(3_000), "returned late after {took:?}");
    assert_eq!(bus.signal_wait(T, "other", ms(0)).await.expect("check"), None);
}

async fn signal_next_follows_a_cursor(bus: Bus, env: Env) {
    bus.signal_send(T, "loop2:start", "iteration 1").await.expect("send");
    bus.signal_send(T, "loop2:start", "iteration 2").await.expect("send");
    let first = bus.signal_next(T, "loop2:start", "0", ms(1_000)).await.expect("next").expect("first");
    assert_eq!(first.payload, "iteration 1");
    let second =
        bus.signal_next(T, "loop2:start", &first.id, ms(1_000)).await.expect("next").expect("second");
    assert_eq!(second.payload, "iteration 2");
    let none = bus.signal_next(T, "loop2:start", &second.id, ms(200)).await.expect("next");
    assert_eq!(none, None);
    let waiter = {
        let (bus, after) = (bus.clone(), second.id.clone());
        tokio::spawn(async move { bus.signal_next(T, "loop2:start", &after, ms(10_000)).await })
    };
    env.settle(1).await;
    bus.signal_send(T, "loop2:start", "iteration 3").await.expect("send");
    let third = waiter.await.expect("join").expect("next").expect("third");
    assert_eq!(third.payload, "iteration 3");
    assert!(bus.signal_next(T, "loop2:start", "not-an-id", ms(0)).await.is_err());
}

async fn buses_on_one_file_share_signals(bus: Bus, env: Env) {
    // Two processes on one embedded file are two connections; on Redis, two clients.
    let other = match &env {
        Env::Embedded(dir) => Bus::Embedded(
            crate::bus::EmbeddedBus::open(&dir.path().join(".cfn/bus.sqlite")).await.expect("second open"),
        ),
        Env::Redis(server) => server.bus().await,
    };
    let waiter = tokio::spawn(async move { other.signal_wait(T, "review", ms(10_000)).await });
    env.settle(1).await;
    bus.signal_send(T, "review", "go").await.expect("send");
    let got = waiter.await.expect("join").expect("wait");
    assert_eq!(got.as_deref(), Some("go"));
}

async fn the_latency_helper_measures_each_round(bus: Bus, _env: Env) {
    let latencies = crate::bus::measure_signal_latency(&bus, 3).await.expect("measure");
    assert_eq!(latencies.len(), 3);
    assert!(latencies.iter().all(|l| *l < ms(1_000)), "{latencies:?}");
}
