//! Token locks: exclusive until released by the holder or expired.

use tokio::time::Instant;

use super::harness::Env;
use super::ms;
use crate::bus::{Bus, LockToken};

on_both_buses!(
    a_held_lock_waits_for_its_release,
    a_held_lock_frees_itself_at_its_ttl,
    only_the_holder_can_release,
);

async fn a_held_lock_waits_for_its_release(bus: Bus, env: Env) {
    let held = bus.lock_acquire("migrate", ms(30_000), ms(0)).await.expect("acquire").expect("free lock");
    assert_eq!(bus.lock_acquire("migrate", ms(30_000), ms(0)).await.expect("try"), None);
    let waiter = {
        let bus = bus.clone();
        tokio::spawn(async move { bus.lock_acquire("migrate", ms(30_000), ms(10_000)).await })
    };
    env.settle(1).await;
    tokio::time::sleep(ms(200)).await;
    assert!(!waiter.is_finished(), "took a held lock");
    assert!(bus.lock_release("migrate", &held).await.expect("release"));
    let released = Instant::now();
    let second = waiter.await.expect("join").expect("acquire");
    assert!(second.is_some(), "the waiter got the lock");
    assert!(released.elapsed() < ms(1_000), "woke after {:?}", released.elapsed());
    assert_ne!(second, Some(held.clone()));
    assert!(!bus.lock_release("migrate", &held).await.expect("release"), "a stale token");
}

async fn a_held_lock_frees_itself_at_its_ttl(bus: Bus, _env: Env) {
    let start = Instant::now();
    let _held = bus.lock_acquire("seed", ms(500), ms(0)).await.expect("acquire").expect("free lock");
    let next = bus.lock_acquire("seed", ms(500), ms(5_000)).await.expect("acquire");
    let took = start.elapsed();
    assert!(next.is_some());
    assert!(took >= ms(450), "taken before the ttl ran out: {took:?}");
    assert!(took < ms(2_500), "taken late: {took:?}");
}

async fn only_the_holder_can_release(bus: Bus, _env: Env) {
    let held = bus.lock_acquire("deploy", ms(30_000), ms(0)).await.expect("acquire").expect("free lock");
    let intruder = LockToken::from_string("not-the-token");
    assert!(!bus.lock_release("deploy", &intruder).await.expect("release"));
    assert!(!bus.lock_release("elsewhere", &held).await.expect("release"));
    assert_eq!(bus.lock_acquire("deploy", ms(1_000), ms(100)).await.expect("try"), None, "still held");
    assert!(bus.lock_release("deploy", &held).await.expect("release"));
    assert!(bus.lock_acquire("deploy", ms(1_000), ms(0)).await.expect("try").is_some());
    assert!(bus.lock_acquire("deploy", ms(0), ms(0)).await.is_err(), "a lock needs a ttl");
}
