//! The Redis backend on a real Redis Cluster (3 primaries, 3 replicas, started by the test):
//! cluster mode detected from the one URL given, every primitive on tasks spread over the
//! three primaries, and a primary SIGKILLed while waits block on it.

use tokio::task::JoinSet;
use tokio::time::Instant;

use super::ms;
use crate::bus::{Bus, RedisBus, Status};
use crate::health::tests::support::redis::RedisCluster;

async fn connect(cluster: &RedisCluster) -> Bus {
    let bus = RedisBus::connect(&cluster.url()).await.expect("connect to the cluster");
    assert!(bus.is_cluster(), "cluster mode detected from the server");
    Bus::Redis(bus)
}

/// Task ids whose keys land on each of the three primaries (found through the cluster itself).
fn tasks_on_every_primary(cluster: &RedisCluster) -> Vec<String> {
    let mut by_primary = std::collections::BTreeMap::new();
    for n in 0..200 {
        let task = format!("task-{n}");
        by_primary.entry(cluster.primary_of(&format!("{{{task}}}"))).or_insert(task);
    }
    assert_eq!(by_primary.len(), 3, "tasks on all three primaries");
    by_primary.into_values().collect()
}

#[tokio::test]
async fn every_primitive_works_on_a_cluster() {
    let Some(cluster) = RedisCluster::start() else { return };
    let bus = connect(&cluster).await;
    for task in tasks_on_every_primary(&cluster) {
        let task = task.as_str();
        bus.context_store(task, "feedback:1", "fix the test", None).await.expect("store");
        assert_eq!(bus.context_get(task, "feedback:1").await.expect("get").as_deref(), Some("fix the test"));

        // A broadcast: three waiters blocked before the send all wake.
        let mut waiters = JoinSet::new();
        for _ in 0..3 {
            let (bus, task) = (bus.clone(), task.to_string());
            waiters.spawn(async move { bus.signal_wait(&task, "loop3:complete", ms(10_000)).await });
        }
        tokio::time::sleep(ms(300)).await;
        let id = bus.signal_send(task, "loop3:complete", "done").await.expect("send");
        while let Some(joined) = waiters.join_next().await {
            assert_eq!(joined.expect("join").expect("wait").as_deref(), Some("done"));
        }
        let next = bus.signal_next(task, "loop3:complete", "0", ms(1_000)).await.expect("next");
        assert_eq!(next.map(|s| s.id), Some(id.clone()));
        assert_eq!(bus.signal_next(task, "loop3:complete", &id, ms(200)).await.expect("next"), None);

        // Report/collect with a quorum of 2 of 3, the third report arriving while collect blocks.
        let collect = {
            let (bus, task) = (bus.clone(), task.to_string());
            tokio::spawn(async move { bus.results_collect(&task, 1, 3, 0.66, ms(10_000)).await })
        };
        assert!(bus.agent_report(task, "coder-1", 1, 0.9, Status::Ok, None).await.expect("report"));
        assert!(
            !bus.agent_report(task, "coder-1", 1, 0.1, Status::Ok, None).await.expect("again"),
            "first wins"
        );
        tokio::time::sleep(ms(200)).await;
        assert!(!collect.is_finished(), "one report is not a quorum");
        assert!(bus.agent_report(task, "coder-2", 1, 0.7, Status::Ok, None).await.expect("report"));
        let got = collect.await.expect("join").expect("collect");
        assert!(got.complete && got.needed == 2 && got.reports.len() == 2, "{got:?}");

        // A wait with nothing sent runs out at its deadline: None, not an error.
        let started = Instant::now();
        assert_eq!(bus.signal_wait(task, "nothing", ms(300)).await.expect("a timeout"), None);
        let took = started.elapsed();
        assert!(took >= ms(290) && took < ms(2_000), "took {took:?}");

        bus.publish_event(task, &serde_json::json!({"phase": "done"})).await.expect("event");
        assert_eq!(bus.events(task).await.expect("events").len(), 1);
    }

    // Locks: a waiter blocked on a held lock gets it on release.
    let held = bus.lock_acquire("migrate", ms(30_000), ms(0)).await.expect("acquire").expect("free");
    let waiter = {
        let bus = bus.clone();
        tokio::spawn(async move { bus.lock_acquire("migrate", ms(30_000), ms(10_000)).await })
    };
    tokio::time::sleep(ms(300)).await;
    assert!(!waiter.is_finished(), "took a held lock");
    assert!(bus.lock_release("migrate", &held).await.expect("release"));
    let second = waiter.await.expect("join").expect("acquire").expect("the waiter got the lock");
    assert!(!bus.lock_release("migrate", &held).await.expect("release"), "the old token holds nothing");
    assert!(bus.lock_release("migrate", &second).await.expect("release"));
}

#[tokio::test]
async fn waits_survive_their_primary_killed_and_lose_no_signal() {
    let Some(mut cluster) = RedisCluster::start() else { return };
    let seed = cluster.nodes[0].port;
    // The hardest case: the task lives on the very node the URL names.
    let task = (0..500)
        .map(|n| format!("fail-{n}"))
        .find(|t| cluster.primary_of(&format!("{{{t}}}")) == seed)
        .expect("a task on the seed node");
    let resource = (0..500)
        .map(|n| format!("res-{n}"))
        .find(|r| cluster.primary_of(&format!("{{{r}}}")) == seed)
        .expect("a lock on the seed node");
    let bus = connect(&cluster).await;
    let held = bus.lock_acquire(&resource, ms(60_000), ms(0)).await.expect("acquire").expect("free");
    let before = bus.signal_send(&task, "review", "before").await.expect("send");
    // Make sure the replica has it before the kill: replication is asynchronous.
    assert_eq!(cluster.cli(seed, &["WAIT", "1", "5000"]), "1");

    let (wait, next, collect) = {
        let (b1, b2, b3) = (bus.clone(), bus.clone(), bus.clone());
        let (t1, t2, t3) = (task.clone(), task.clone(), task.clone());
        let before = before.clone();
        (
            tokio::spawn(async move { b1.signal_wait(&t1, "go", ms(60_000)).await }),
            tokio::spawn(async move { b2.signal_next(&t2, "review", &before, ms(60_000)).await }),
            tokio::spawn(async move { b3.results_collect(&t3, 1, 2, 1.0, ms(60_000)).await }),
        )
    };
    let lock = {
        let (bus, resource) = (bus.clone(), resource.clone());
        tokio::spawn(async move { bus.lock_acquire(&resource, ms(30_000), ms(60_000)).await })
    };
    let blocked = Instant::now() + ms(10_000);
    while !cluster.cli(seed, &["INFO", "clients"]).contains("blocked_clients:4") {
        assert!(Instant::now() < blocked, "the four waits never blocked on {seed}");
        tokio::time::sleep(ms(20)).await;
    }
    assert!(bus.agent_report(&task, "coder-1", 1, 0.9, Status::Ok, None).await.expect("report"));
    assert_eq!(cluster.cli(seed, &["WAIT", "1", "5000"]), "1");

    cluster.kill9(seed);
    cluster.until_healthy(&[seed]);
    assert!(
        !wait.is_finished() && !next.is_finished() && !collect.is_finished() && !lock.is_finished(),
        "a wait gave up"
    );

    // After the failover, from a new connection: the waits see what is sent now.
    let after = connect_after(&cluster).await;
    after.signal_send(&task, "go", "after failover").await.expect("send after failover");
    after.signal_send(&task, "review", "second").await.expect("send after failover");
    assert!(after.agent_report(&task, "coder-2", 1, 0.8, Status::Ok, None).await.expect("report"));
    let sent = Instant::now();
    let got = wait.await.expect("join").expect("wait survives the failover");
    assert_eq!(got.as_deref(), Some("after failover"));
    let next = next.await.expect("join").expect("next survives the failover").expect("a signal");
    assert_eq!(next.payload, "second", "the cursor skipped nothing and repeated nothing");
    let collected = collect.await.expect("join").expect("collect survives the failover");
    assert!(collected.complete, "{collected:?}");
    let agents: Vec<_> = collected.reports.iter().map(|r| r.agent.as_str()).collect();
    assert_eq!(agents, ["coder-1", "coder-2"], "the report sent before the kill was not lost");
    assert!(sent.elapsed() < ms(5_000), "woke {:?} after the send", sent.elapsed());

    // The lock taken before the kill is still held by its token on the promoted replica; its
    // release wakes the waiter that blocked on the dead primary.
    assert!(after.lock_release(&resource, &held).await.expect("release after failover"));
    let taken = lock.await.expect("join").expect("lock wait survives the failover");
    assert!(taken.is_some_and(|t| t != held), "the waiter got the lock");
}

/// A bus opened after the failover, through a node that is still alive.
async fn connect_after(cluster: &RedisCluster) -> Bus {
    let live = cluster.nodes.iter().find(|n| n.port != cluster.nodes[0].port).expect("a live node");
    let bus = RedisBus::connect(&live.url()).await.expect("connect after the failover");
    Bus::Redis(bus)
}

#[tokio::test]
async fn a_wait_outlasts_an_outage_longer_than_the_clients_own_retries() {
    let Some(mut cluster) = RedisCluster::start() else { return };
    let seed = cluster.nodes[0].port;
    let task = (0..500)
        .map(|n| format!("outage-{n}"))
        .find(|t| cluster.primary_of(&format!("{{{t}}}")) == seed)
        .expect("a task on the seed node");
    // The replica may not take over by itself: the slot stays without a primary until the test
    // promotes it, longer than the cluster client retries a command (about 11 s at most).
    let replica = cluster.replica_of(seed);
    assert_eq!(cluster.cli(replica, &["CONFIG", "SET", "cluster-replica-no-failover", "yes"]), "OK");
    let bus = connect(&cluster).await;
    let wait = {
        let (bus, task) = (bus.clone(), task.clone());
        tokio::spawn(async move { bus.signal_wait(&task, "go", ms(60_000)).await })
    };
    let blocked = Instant::now() + ms(10_000);
    while !cluster.cli(seed, &["INFO", "clients"]).contains("blocked_clients:1") {
        assert!(Instant::now() < blocked, "the wait never blocked on {seed}");
        tokio::time::sleep(ms(20)).await;
    }
    cluster.kill9(seed);
    tokio::time::sleep(ms(14_000)).await;
    assert!(!wait.is_finished(), "the wait gave up during the outage: {:?}", wait.await);
    assert_eq!(cluster.cli(replica, &["CLUSTER", "FAILOVER", "TAKEOVER"]), "OK");
    cluster.until_healthy(&[seed]);
    let after = RedisBus::connect(&format!("redis://127.0.0.1:{replica}")).await.expect("connect");
    Bus::Redis(after).signal_send(&task, "go", "after the outage").await.expect("send");
    let got = wait.await.expect("join").expect("the wait survives the outage");
    assert_eq!(got.as_deref(), Some("after the outage"));
}
