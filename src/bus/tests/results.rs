//! Reports and collection: threshold blocking, idempotence, non-destructive reads.

use tokio::time::Instant;

use super::harness::Env;
use super::ms;
use crate::bus::{Bus, Status};

const T: &str = "task-results";

on_both_buses!(
    collect_returns_after_exactly_three_of_five,
    a_double_report_counts_once_and_the_first_wins,
    collecting_twice_gives_the_same_results,
    a_collect_that_runs_out_returns_what_it_has,
    iterations_are_counted_apart,
);

async fn report(bus: &Bus, agent: &str, iteration: u32, confidence: f64) -> bool {
    bus.agent_report(T, agent, iteration, confidence, Status::Ok, None).await.expect("report")
}

async fn collect_returns_after_exactly_three_of_five(bus: Bus, env: Env) {
    assert!(report(&bus, "a1", 1, 0.9).await);
    assert!(report(&bus, "a2", 1, 0.6).await);
    let collector = {
        let bus = bus.clone();
        tokio::spawn(async move { bus.results_collect(T, 1, 5, 0.6, ms(10_000)).await })
    };
    env.settle(1).await;
    tokio::time::sleep(ms(300)).await;
    assert!(!collector.is_finished(), "returned with only 2 of the 3 needed reports");
    assert!(!report(&bus, "a2", 1, 0.1).await, "a repeated report is ignored");
    tokio::time::sleep(ms(300)).await;
    assert!(!collector.is_finished(), "a repeated report counted as a new agent");
    assert!(report(&bus, "a3", 1, 0.3).await);
    let reported = Instant::now();
    let got = collector.await.expect("join").expect("collect");
    assert!(reported.elapsed() < ms(2_000), "woke after {:?}", reported.elapsed());
    assert!(got.complete);
    assert_eq!(got.needed, 3);
    let agents: Vec<&str> = got.reports.iter().map(|r| r.agent.as_str()).collect();
    assert_eq!(agents, ["a1", "a2", "a3"]);
    assert!((got.mean_confidence - 0.6).abs() < 1e-9, "mean {}", got.mean_confidence);
}

async fn a_double_report_counts_once_and_the_first_wins(bus: Bus, _env: Env) {
    assert!(report(&bus, "v1", 2, 0.9).await);
    let second = bus
        .agent_report(T, "v1", 2, 0.1, Status::Failed, Some(serde_json::json!({"late": true})))
        .await
        .expect("report");
    assert!(!second);
    let got = bus.results_collect(T, 2, 2, 1.0, ms(300)).await.expect("collect");
    assert!(!got.complete, "one agent reported twice is still one agent");
    assert_eq!(got.reports.len(), 1);
    assert_eq!(got.reports[0].confidence, 0.9);
    assert_eq!(got.reports[0].status, Status::Ok);
}

async fn collecting_twice_gives_the_same_results(bus: Bus, _env: Env) {
    for (agent, c) in [("x", 0.7), ("y", 0.8), ("z", 0.9)] {
        assert!(report(&bus, agent, 3, c).await);
    }
    let failed = bus.agent_report(T, "w", 3, 0.95, Status::Failed, None).await.expect("report");
    assert!(failed);
    let first = bus.results_collect(T, 3, 4, 1.0, ms(1_000)).await.expect("collect");
    let second = bus.results_collect(T, 3, 4, 1.0, ms(1_000)).await.expect("collect");
    assert!(first.complete);
    assert_eq!(first, second);
    assert_eq!(first.reports.len(), 4);
    assert!((first.mean_confidence - 0.6).abs() < 1e-9, "a failed report counts 0");
}

async fn a_collect_that_runs_out_returns_what_it_has(bus: Bus, _env: Env) {
    assert!(report(&bus, "only", 4, 0.8).await);
    let start = Instant::now();
    let got = bus.results_collect(T, 4, 5, 0.6, ms(400)).await.expect("collect");
    assert!(start.elapsed() >= ms(390), "returned early after {:?}", start.elapsed());
    assert!(!got.complete);
    assert_eq!(got.reports.len(), 1);
    let nobody = bus.results_collect(T, 99, 3, 1.0, ms(0)).await.expect("collect");
    assert!(!nobody.complete && nobody.reports.is_empty() && nobody.mean_confidence == 0.0);
}

async fn iterations_are_counted_apart(bus: Bus, _env: Env) {
    assert!(report(&bus, "a", 5, 0.9).await);
    assert!(report(&bus, "a", 6, 0.5).await, "a new iteration is a new report");
    let five = bus.results_collect(T, 5, 1, 1.0, ms(0)).await.expect("collect");
    let six = bus.results_collect(T, 6, 1, 1.0, ms(0)).await.expect("collect");
    assert_eq!((five.reports[0].confidence, six.reports[0].confidence), (0.9, 0.5));
    let seven = bus.results_collect(T, 7, 1, 1.0, ms(0)).await.expect("collect");
    assert!(seven.reports.is_empty());
}
