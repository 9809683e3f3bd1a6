//! The embedded bus under load and on disk: 16 writers with connections of their own (as 16
//! agent processes would have) lose no report; an append costs the same on a long stream as on
//! a short one; the file and its folder are private; oversized values are refused.

use std::time::Duration;

use crate::bus::{Bus, EmbeddedBus, Status};

const T: &str = "task-load";

#[tokio::test]
async fn sixteen_concurrent_reporters_lose_no_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(".cfn").join("bus.db");
    let (writers, each) = (16, 125);
    let mut tasks = Vec::new();
    for w in 0..writers {
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            // A connection of its own: the file lock is what the writers contend for.
            let bus = Bus::Embedded(EmbeddedBus::open(&path).await.expect("open"));
            for i in 0..each {
                let agent = format!("w{w}-a{i}");
                bus.agent_report(T, &agent, 1, 0.5, Status::Ok, None).await.expect("no report is lost");
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer");
    }
    let bus = Bus::Embedded(EmbeddedBus::open(&path).await.expect("open"));
    let got = bus.results_collect(T, 1, writers * each, 1.0, Duration::ZERO).await.expect("collect");
    assert_eq!(got.reports.len(), writers * each, "every report arrived");
}

#[tokio::test]
async fn an_append_does_not_rewrite_the_stream() {
    let dir = tempfile::tempdir().expect("tempdir");
    let embedded = EmbeddedBus::open(&dir.path().join("bus.db")).await.expect("open");
    let bus = Bus::Embedded(embedded.clone());
    // Rows written by `n` appends, counted by SQLite itself: the count does not depend on how
    // busy the machine is (the time it takes is measured in benches/bus.rs, not asserted here).
    let rows_written = |n: usize| {
        let (bus, embedded) = (bus.clone(), embedded.clone());
        async move {
            let before = embedded.rows_changed().await.expect("changes");
            for _ in 0..n {
                bus.signal_send(T, "busy", "x").await.expect("send");
            }
            embedded.rows_changed().await.expect("changes") - before
        }
    };
    let short = rows_written(200).await;
    rows_written(800).await; // the channel is now 1,000 entries long (its cap)
    let long = rows_written(200).await;
    // Rewriting every entry per append wrote about a thousand rows per append on a long stream.
    assert!(
        long <= 200 * 4,
        "200 appends to a 1,000-entry stream wrote {long} rows ({short} on a short one)"
    );
    assert_eq!(bus.signal_wait(T, "busy", Duration::ZERO).await.expect("wait").as_deref(), Some("x"));
}

#[tokio::test]
async fn the_file_and_its_folder_are_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(".cfn").join("bus.db");
    let mode = |p: &std::path::Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    EmbeddedBus::open(&path).await.expect("open");
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().expect("folder")), 0o700);
    // A file left readable by an older cfn is tightened.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    EmbeddedBus::open(&path).await.expect("open");
    assert_eq!(mode(&path), 0o600);
}

#[tokio::test]
async fn values_over_the_payload_limit_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bus = Bus::Embedded(EmbeddedBus::open(&dir.path().join("bus.db")).await.expect("open"));
    let big = "x".repeat(crate::bus::limits::DEFAULT_MAX_PAYLOAD + 1);
    let refused = |e: crate::bus::BusError| {
        assert!(e.is_usage(), "{e}");
        assert!(e.to_string().contains("over the limit of 1048576 bytes"), "{e}");
    };
    refused(bus.context_store(T, "k", &big, None).await.expect_err("context"));
    refused(bus.signal_send(T, "c", &big).await.expect_err("signal"));
    let payload = serde_json::Value::String(big.clone());
    refused(bus.agent_report(T, "a", 1, 0.5, Status::Ok, Some(payload)).await.expect_err("report"));
    let fits = "x".repeat(1000);
    bus.context_store(T, "k", &fits, None).await.expect("a value under the limit is stored");
}
