//! The coordination bus: how fast a waiter wakes, and collecting 1,000 reports.
//!
//! 1. **Signal latency.** A waiter blocks on a channel, a sender sends, and the time from just
//!    before the send to the waiter's return is recorded ([`measure_signal_latency`]), over
//!    loopback Redis and over the embedded bus. The seed's design is measured the same way: its
//!    waiter checked a list every 2 seconds (`LLEN`, then `LPOP` once something is there, sleeping
//!    2 s between checks) and the sender pushed (`LPUSH`). A signal arrives at an arbitrary moment
//!    of that cycle, so each seed round sends at a different point of it, evenly spread over the
//!    2 s (round `i` of `n` at `(i + 0.5) / n × 2 s` after the waiter's first check).
//! 2. **Collecting 1,000 reports.** 1,000 distinct agents report for one iteration, then one
//!    `results collect --expected 1000` is timed (and repeated: collecting is non-destructive), on
//!    Redis and on the embedded bus.
//!
//! Both are also run on a Redis Cluster of 3 primaries and 3 replicas on loopback (the tests'
//! launcher, `tests/support/redis.rs`), next to the single server in the same run, with the
//! ratios printed: how much a cluster client and slot routing cost a wait and a collect.
//!
//! The benchmark starts its own `redis-server` on a free loopback port (no persistence) and
//! stops it at the end; without `redis-server` on the PATH the Redis rows are skipped (and
//! without `redis-cli`, the cluster rows). The embedded bus lives in a temporary directory.
//!
//! Run with `cargo bench --bench bus` (or `bash scripts/bench-bus.sh`, which also measures the
//! loop). Knobs: `CFN_BENCH_ROUNDS` (signal rounds per cfn bus, default 500),
//! `CFN_BENCH_SEED_ROUNDS` (seed rounds, default 20, about 2 s each), `CFN_BENCH_REPORTS`
//! (default 1000), `CFN_BENCH_CLUSTER=0` (no cluster rows).

// The tests' server launchers, one copy: the cluster here is made exactly as in the tests.
#[path = "../tests/support/mod.rs"]
mod support;

use cfn::bus::{measure_signal_latency, percentile, Bus, BusChoice, BusSource, BusTarget, Status};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::time::Instant;

/// How often the seed's waiter looked for a signal.
const SEED_POLL: Duration = Duration::from_secs(2);
/// How long a waiter is given to block before the send (as in `measure_signal_latency`).
const SETTLE: Duration = Duration::from_millis(20);
/// Rounds run first and thrown away (connections, caches, the SQLite file).
const WARM_UP: usize = 20;
/// The goal for cfn's median wake latency on Redis.
const GOAL_P50: Duration = Duration::from_millis(1);

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).filter(|&n| n > 0).unwrap_or(default)
}

fn main() {
    let rounds = knob("CFN_BENCH_ROUNDS", 500);
    let seed_rounds = knob("CFN_BENCH_SEED_ROUNDS", 20);
    let reports = knob("CFN_BENCH_REPORTS", 1000);

    let tmp = tempfile::Builder::new().prefix("cfn-bench-bus-").tempdir().expect("cannot create a temp dir");
    let redis = RedisServer::start(tmp.path());
    let cluster = if std::env::var("CFN_BENCH_CLUSTER").as_deref() == Ok("0") {
        None
    } else {
        support::redis::RedisCluster::start()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("cannot start the async runtime");
    rt.block_on(async {
        let embedded = open(BusTarget::Embedded(tmp.path().join("bus.db"))).await;
        let redis_bus = match &redis {
            Some(server) => Some(open(BusTarget::Redis(server.url())).await),
            None => {
                println!("NOTE: redis-server is not on the PATH; the Redis rows are skipped\n");
                None
            }
        };
        let cluster_bus = match &cluster {
            Some(cluster) => Some(open(BusTarget::Redis(cluster.url())).await),
            None => None,
        };
        match &redis {
            Some(server) => println!("redis-server {} on {}", server.version(), server.url()),
            None => println!("no Redis"),
        }
        if let Some(cluster) = &cluster {
            println!("redis cluster: 3 primaries + 3 replicas on loopback, seed {}", cluster.url());
        }
        println!("embedded bus at {} (SQLite, WAL)\n", tmp.path().join("bus.db").display());

        let buses = Buses { redis: redis_bus.as_ref(), cluster: cluster_bus.as_ref(), embedded: &embedded };
        latency(&buses, redis.as_ref(), rounds, seed_rounds).await;
        println!();
        collect(&buses, reports).await;
    });
    drop(redis);
    drop(cluster);
}

/// The buses measured: a single Redis server, a Redis Cluster, the embedded file.
struct Buses<'a> {
    redis: Option<&'a Bus>,
    cluster: Option<&'a Bus>,
    embedded: &'a Bus,
}

async fn open(target: BusTarget) -> Bus {
    let source = match target {
        BusTarget::Redis(_) => BusSource::Flag,
        BusTarget::Embedded(_) => BusSource::Embedded,
    };
    let choice = BusChoice { target, source };
    Bus::open(&choice).await.unwrap_or_else(|e| panic!("cannot open {choice}: {e}"))
}

// --- 1. signal latency -------------------------------------------------------------------------

async fn latency(buses: &Buses<'_>, server: Option<&RedisServer>, rounds: usize, seed_rounds: usize) {
    let (redis, embedded) = (buses.redis, buses.embedded);
    println!("# Signal send -> waiter wakes\n");
    println!(
        "Time from just before the send to the waiter's return; {WARM_UP} warm-up rounds first \
         (not counted)."
    );
    println!();
    println!("| design | rounds | p50 | p99 | mean | min | max |");
    println!("|---|---|---|---|---|---|---|");
    let mut cfn_p50 = None;
    if let Some(bus) = redis {
        let lat = cfn_rounds(bus, rounds).await;
        cfn_p50 = Some(percentile(&lat, 50.0));
        row("cfn, Redis: XADD wakes a blocked XREAD", &lat);
    }
    let mut cluster_lat = None;
    if let Some(bus) = buses.cluster {
        let lat = cfn_rounds(bus, rounds).await;
        row("cfn, Redis Cluster (3+3): the same, routed to the slot's primary", &lat);
        cluster_lat = Some(lat);
    }
    let lat = cfn_rounds(embedded, rounds).await;
    row(&format!("cfn, embedded: SQLite file polled every {} ms", ms(cfn::bus::POLL_INTERVAL)), &lat);
    let lat = spread_rounds(embedded, rounds).await;
    row("cfn, embedded, sends spread evenly over its poll cycle", &lat);
    let mut seed_p50 = None;
    if let Some(server) = server {
        let lat = seed_latency(&server.url(), seed_rounds).await;
        seed_p50 = Some(percentile(&lat, 50.0));
        row(
            &format!("seed (for comparison), Redis: LPUSH, LLEN polled every {} s", SEED_POLL.as_secs()),
            &lat,
        );
    }
    println!();
    if let (Some(single), Some(cluster)) = (cfn_p50, &cluster_lat) {
        let p50 = percentile(cluster, 50.0);
        println!(
            "p50 on the cluster {} vs one server {}: {:.2}x",
            fmt(p50),
            fmt(single),
            p50.as_secs_f64() / single.as_secs_f64()
        );
    }
    if let (Some(cfn), Some(seed)) = (cfn_p50, seed_p50) {
        let verdict = if cfn <= GOAL_P50 { "met" } else { "MISSED" };
        println!(
            "p50 on Redis: cfn {} vs seed {}: the seed's waiter wakes {:.0}x later; goal cfn p50 <= {} ms: {verdict}",
            fmt(cfn),
            fmt(seed),
            seed.as_secs_f64() / cfn.as_secs_f64(),
            ms(GOAL_P50),
        );
    }
}

async fn cfn_rounds(bus: &Bus, rounds: usize) -> Vec<Duration> {
    measure_signal_latency(bus, WARM_UP).await.expect("warm-up rounds failed");
    measure_signal_latency(bus, rounds).await.expect("latency rounds failed")
}

/// Like [`measure_signal_latency`], but round `i` of `n` sends `(i + 0.5) / n` of a poll interval
/// later than the fixed settling time. `measure_signal_latency` settles for 20 ms, a multiple of
/// the embedded bus's 10 ms poll, so there every send lands just before a probe; a real send
/// lands anywhere in the cycle, which this samples evenly.
async fn spread_rounds(bus: &Bus, n: usize) -> Vec<Duration> {
    let task = format!("spread-{}", std::process::id());
    let mut latencies = Vec::with_capacity(n);
    for round in 0..n {
        let channel = format!("ping-{round}");
        let delay = SETTLE + cfn::bus::POLL_INTERVAL.mul_f64((round as f64 + 0.5) / n as f64);
        let waiter = async {
            let got = bus.signal_wait(&task, &channel, Duration::from_secs(10)).await.expect("signal wait");
            assert!(got.is_some(), "round {round} never woke");
            Instant::now()
        };
        let sender = async {
            tokio::time::sleep(delay).await;
            let sent = Instant::now();
            bus.signal_send(&task, &channel, "ping").await.expect("signal send");
            sent
        };
        let (woke, sent) = tokio::join!(waiter, sender);
        latencies.push(woke.saturating_duration_since(sent));
    }
    latencies
}

/// The seed's waiter: check the list, sleep 2 s, check again, until something is there.
async fn seed_wait(conn: &mut redis::aio::MultiplexedConnection, key: &str) -> Instant {
    loop {
        let len: i64 = redis::cmd("LLEN").arg(key).query_async(conn).await.expect("LLEN");
        if len > 0 {
            let _: Option<String> = redis::cmd("LPOP").arg(key).query_async(conn).await.expect("LPOP");
            return Instant::now();
        }
        tokio::time::sleep(SEED_POLL).await;
    }
}

/// Round `i` of `n` sends `(i + 0.5) / n` of the poll interval after the waiter's first check,
/// so the rounds sample the whole cycle evenly.
async fn seed_latency(url: &str, n: usize) -> Vec<Duration> {
    let client = redis::Client::open(url).expect("redis URL");
    let mut waiter_conn = client.get_multiplexed_async_connection().await.expect("connect (waiter)");
    let mut sender_conn = client.get_multiplexed_async_connection().await.expect("connect (sender)");
    let run = format!("seed-latency-{}", std::process::id());
    let mut latencies = Vec::with_capacity(n);
    for round in 0..n {
        let key = format!("swarm:{run}:signal:{round}");
        let offset = SEED_POLL.mul_f64((round as f64 + 0.5) / n as f64);
        let start = Instant::now();
        let waiter = seed_wait(&mut waiter_conn, &key);
        let sender = async {
            tokio::time::sleep_until(start + offset).await;
            let sent = Instant::now();
            let _: i64 =
                redis::cmd("LPUSH").arg(&key).arg("ping").query_async(&mut sender_conn).await.expect("LPUSH");
            sent
        };
        let (woke, sent) = tokio::join!(waiter, sender);
        latencies.push(woke.saturating_duration_since(sent));
        let _: i64 = redis::cmd("DEL").arg(&key).query_async(&mut sender_conn).await.expect("DEL");
    }
    latencies
}

// --- 2. results collect of 1,000 reports -------------------------------------------------------

async fn collect(buses: &Buses<'_>, reports: usize) {
    println!("# results collect of {reports} agent reports\n");
    println!(
        "{reports} distinct agents report (one after another) for iteration 1, then one collect \
         with --expected {reports} is timed; then 5 more collects of the same (non-destructive)."
    );
    println!();
    println!("| bus | {reports} reports, total | per report | collect (first) | collect (median of 5 more) | collected per second | reports returned | mean confidence |");
    println!("|---|---|---|---|---|---|---|---|");
    let single = match buses.redis {
        Some(bus) => Some(collect_on("Redis", bus, reports).await),
        None => None,
    };
    let cluster = match buses.cluster {
        Some(bus) => Some(collect_on("Redis Cluster (3+3)", bus, reports).await),
        None => None,
    };
    collect_on("embedded", buses.embedded, reports).await;
    if let (Some(single), Some(cluster)) = (single, cluster) {
        println!();
        println!(
            "collect (median) on the cluster {} vs one server {}: {:.2}x",
            fmt(cluster),
            fmt(single),
            cluster.as_secs_f64() / single.as_secs_f64()
        );
    }
}

/// Reports `n` times and collects them; returns the median repeated collect.
async fn collect_on(name: &str, bus: &Bus, n: usize) -> Duration {
    let tag: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    let task = format!("collect-{}-{}", tag.to_lowercase(), std::process::id());
    let payload = serde_json::json!({"summary": "done", "files": ["src/lib.rs"]});
    let started = Instant::now();
    for i in 0..n {
        let agent = format!("agent-{i:04}");
        let recorded = bus
            .agent_report(&task, &agent, 1, 0.9, Status::Ok, Some(payload.clone()))
            .await
            .expect("agent report");
        assert!(recorded, "{agent}'s first report must count");
    }
    let reporting = started.elapsed();
    let timeout = Duration::from_secs(30);
    let started = Instant::now();
    let first = bus.results_collect(&task, 1, n, 1.0, timeout).await.expect("results collect");
    let first_time = started.elapsed();
    assert!(first.complete && first.reports.len() == n, "collect returned {} of {n}", first.reports.len());
    let mut again = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let c = bus.results_collect(&task, 1, n, 1.0, timeout).await.expect("results collect");
        again.push(started.elapsed());
        assert_eq!(c.reports.len(), n, "a repeated collect returns the same");
    }
    let median = percentile(&again, 50.0);
    println!(
        "| {name} | {} | {} | {} | {} | {:.0} | {} | {:.2} |",
        fmt(reporting),
        fmt(reporting / n as u32),
        fmt(first_time),
        fmt(median),
        n as f64 / median.as_secs_f64(),
        first.reports.len(),
        first.mean_confidence,
    );
    median
}

// --- output ------------------------------------------------------------------------------------

fn row(name: &str, lat: &[Duration]) {
    let mean = lat.iter().sum::<Duration>() / lat.len().max(1) as u32;
    println!(
        "| {name} | {} | {} | {} | {} | {} | {} |",
        lat.len(),
        fmt(percentile(lat, 50.0)),
        fmt(percentile(lat, 99.0)),
        fmt(mean),
        fmt(percentile(lat, 0.0)),
        fmt(percentile(lat, 100.0)),
    );
}

fn ms(d: Duration) -> String {
    format!("{}", d.as_millis())
}

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.0} µs")
    } else if us < 1e6 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{:.3} s", us / 1e6)
    }
}

// --- a private redis-server --------------------------------------------------------------------

/// A `redis-server` on a free loopback port, killed when dropped (also when the benchmark panics).
struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    fn start(dir: &Path) -> Option<RedisServer> {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).ok()?.local_addr().ok()?.port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let server = RedisServer { child, port };
        for _ in 0..200 {
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                return Some(server);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("redis-server did not listen on 127.0.0.1:{port} within 5 s");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn version(&self) -> String {
        let out = Command::new("redis-server").arg("--version").output();
        let text = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
        text.split_whitespace().find_map(|w| w.strip_prefix("v=")).unwrap_or("(unknown version)").to_string()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
