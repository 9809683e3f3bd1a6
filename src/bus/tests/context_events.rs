//! Context values, events, id checks, and the TTL on every key written.

use tokio::time::Instant;

use super::harness::{Env, RedisServerExt};
use super::ms;
use crate::bus::{Bus, Status};

const T: &str = "task-ctx";

on_both_buses!(
    context_values_round_trip_and_expire,
    events_come_back_in_order,
    bad_ids_are_refused_before_anything_is_written,
    every_key_written_has_a_ttl,
);

async fn context_values_round_trip_and_expire(bus: Bus, _env: Env) {
    bus.context_store(T, "epic", "build {the} thing\nline 2", None).await.expect("store");
    let got = bus.context_get(T, "epic").await.expect("get");
    assert_eq!(got.as_deref(), Some("build {the} thing\nline 2"));
    assert_eq!(bus.context_get(T, "missing").await.expect("get"), None);
    bus.context_store(T, "short", "v", Some(ms(300))).await.expect("store");
    assert!(bus.context_get(T, "short").await.expect("get").is_some());
    tokio::time::sleep(ms(600)).await;
    assert_eq!(bus.context_get(T, "short").await.expect("get"), None, "expired");
    assert!(bus.context_store(T, "k", "v", Some(ms(0))).await.is_err());
}

async fn events_come_back_in_order(bus: Bus, _env: Env) {
    for n in 0..3 {
        bus.publish_event(T, &serde_json::json!({"kind": "spawn", "n": n})).await.expect("publish");
    }
    let events = bus.events(T).await.expect("events");
    let ns: Vec<i64> = events.iter().filter_map(|e| e["n"].as_i64()).collect();
    assert_eq!(ns, [0, 1, 2]);
    assert!(bus.events("another-task").await.expect("events").is_empty());
}

async fn bad_ids_are_refused_before_anything_is_written(bus: Bus, _env: Env) {
    for bad in ["", "has space", "{tag}", "x}"] {
        let usage = |r: Result<(), crate::bus::BusError>| r.err().is_some_and(|e| e.is_usage());
        assert!(usage(bus.context_store(bad, "k", "v", None).await), "{bad:?}");
        assert!(usage(bus.context_store(T, bad, "v", None).await), "{bad:?}");
        assert!(usage(bus.signal_send(bad, "c", "p").await.map(drop)), "{bad:?}");
        assert!(usage(bus.signal_wait(T, bad, ms(0)).await.map(drop)), "{bad:?}");
        assert!(usage(bus.agent_report(T, bad, 1, 0.5, Status::Ok, None).await.map(drop)));
        assert!(usage(bus.results_collect(bad, 1, 1, 1.0, ms(0)).await.map(drop)));
        assert!(usage(bus.lock_acquire(bad, ms(1_000), ms(0)).await.map(drop)));
        assert!(usage(bus.publish_event(bad, &serde_json::json!({})).await));
    }
    let over = bus.agent_report(T, "a", 1, 1.5, Status::Ok, None).await;
    assert!(over.err().is_some_and(|e| e.is_usage()));
    assert!(bus.results_collect(T, 1, 3, 1.2, ms(0)).await.is_err());
    let forever = std::time::Duration::MAX;
    assert!(bus.signal_wait(T, "c", forever).await.err().is_some_and(|e| e.is_usage()));
    assert!(bus.lock_acquire("r", ms(1_000), forever).await.err().is_some_and(|e| e.is_usage()));
    assert!(bus.events(T).await.expect("events").is_empty(), "nothing was written");
}

async fn every_key_written_has_a_ttl(bus: Bus, env: Env) {
    bus.context_store(T, "k", "v", None).await.expect("store");
    bus.signal_send(T, "loop3:complete", "x").await.expect("send");
    bus.signal_send(T, "agent:a", "x").await.expect("send");
    bus.agent_report(T, "a", 1, 0.5, Status::Ok, None).await.expect("report");
    bus.results_collect(T, 1, 1, 1.0, ms(0)).await.expect("collect");
    let token = bus.lock_acquire("r", ms(60_000), ms(0)).await.expect("lock").expect("free");
    bus.lock_release("r", &token).await.expect("release");
    bus.lock_acquire("r2", ms(60_000), ms(0)).await.expect("lock").expect("free");
    bus.publish_event(T, &serde_json::json!({"kind": "gate"})).await.expect("publish");
    let start = Instant::now();
    match env {
        Env::Redis(server) => {
            let mut conn = server.raw().await;
            let mut keys: Vec<String> = Vec::new();
            let mut cursor = 0u64;
            loop {
                let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("COUNT")
                    .arg(1000)
                    .query_async(&mut conn)
                    .await
                    .expect("scan");
                keys.extend(batch);
                if next == 0 {
                    break;
                }
                cursor = next;
            }
            assert!(keys.len() >= 8, "{keys:?}");
            for key in &keys {
                let ttl: i64 = redis::cmd("PTTL").arg(key).query_async(&mut conn).await.expect("pttl");
                assert!(ttl > 0, "{key} has no ttl ({ttl})");
            }
        }
        Env::Embedded(_) => {
            let Bus::Embedded(embedded) = &bus else { panic!("an embedded env has an embedded bus") };
            assert_eq!(embedded.rows_without_ttl().await.expect("check"), 0);
        }
    }
    assert!(start.elapsed() < ms(5_000));
}
