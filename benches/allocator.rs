//! The port allocator at scale, and the seed's hash formula for comparison.
//!
//! Allocates `branch-0` .. `branch-999` of one repository into a fresh state database, each in
//! its own `BEGIN IMMEDIATE` transaction together with the registry row (as `cfn worktree add`
//! does), times every allocation and checks that no port is handed out twice. Then counts how
//! many of the same branch names share a port under the seed's formula
//! (`echo "$BRANCH" | sha256sum | cut -c1-2` as an offset to 6379, 5432 and 3001).
//!
//! Then measures what one allocation costs against the size of the registry: with 10, 200 and
//! 1,000 worktrees already registered, the same 300 allocations (each allocated, inserted and
//! committed, then deleted again outside the timing, so the registry keeps its size).
//!
//! Run with `cargo bench --bench allocator` (or `bash scripts/bench.sh`).

use cfn::config::{PortKeyConfig, PortsConfig, Scheme};
use cfn::state::{self, NewRow, Operation, State, WorktreeRow};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::process::Command;
use std::time::{Duration, Instant};

const BRANCHES: usize = 1000;
/// The seed's three port keys and their base (main checkout) ports.
const KEYS: [(&str, u16); 3] = [("redis", 6379), ("postgres", 5432), ("orchestrator", 3001)];

fn main() {
    let names: Vec<String> = (0..BRANCHES).map(|i| format!("branch-{i}")).collect();
    println!("# Port allocation: {BRANCHES} branches, keys redis 6379, postgres 5432, orchestrator 3001\n");
    cfn_allocator(&names);
    println!();
    registry_size(&[10, 200, 1000]);
    println!();
    seed_formula(&names);
}

fn ports_config() -> PortsConfig {
    let mut cfg = PortsConfig { scheme: Scheme::Offset, ..PortsConfig::default() };
    for (key, base) in KEYS {
        cfg.keys.insert(
            key.to_string(),
            PortKeyConfig {
                service: key.to_string(),
                target: base,
                protocol: cfn::protocol::Protocol::Tcp,
                base,
                profiles: Vec::new(),
            },
        );
    }
    cfg
}

fn cfn_allocator(names: &[String]) {
    let home = tempfile::tempdir().expect("cannot create a temporary CFN_HOME");
    let root = home.path().join("repo");
    let cfg = ports_config();
    let last = cfn::ports::scheme::last_slot(&cfg, &cfn::ports::lanes::layout(&cfg.keys));
    println!("## cfn allocator (fresh registry in a temporary CFN_HOME)\n");
    println!(
        "scheme offset, stride {}, slots {} (preferred slot in 1..{}; the search goes on up to slot {last})",
        cfg.stride, cfg.slots, cfg.slots
    );
    if last < names.len() as u32 {
        println!("NOTE: only {last} slots fit below 65535 with these bases; expect failures past that");
    }

    let open_start = Instant::now();
    let mut st = State::open(home.path()).expect("cannot open the state database");
    let base: Vec<(String, u16)> = KEYS.iter().map(|(k, p)| (k.to_string(), *p)).collect();
    let repo = {
        let tx = st.immediate().expect("cannot begin the registration transaction");
        let repo = state::ensure_repository(&tx, &root, "bench", &base).expect("cannot register");
        tx.commit().expect("cannot commit the registration");
        repo
    };
    let open_time = open_start.elapsed();

    let mut times = Vec::with_capacity(names.len());
    let total_start = Instant::now();
    for name in names {
        let start = Instant::now();
        let tx = st.immediate().expect("cannot begin an IMMEDIATE transaction");
        let alloc = cfn::ports::allocate(&tx, &repo, &cfg, name, &mut cfn::ports::PortHost::Local)
            .expect("allocation failed");
        let project = cfn::names::project_name(&repo.project, name);
        let path = home.path().join(&project);
        let row = new_row(repo.id, name, &path, &project, alloc.slot);
        WorktreeRow::insert(&tx, &row, &alloc.leases).expect("cannot insert the worktree row");
        tx.commit().expect("cannot commit the allocation");
        times.push(start.elapsed());
    }
    let total = total_start.elapsed();

    // Verify from the database, not from what the loop believes it allocated.
    let rows = WorktreeRow::list(st.conn(), repo.id).expect("cannot list worktrees");
    assert_eq!(rows.len(), names.len(), "every branch has a row");
    let mut owner: HashMap<u16, &str> = HashMap::new();
    let mut shared = 0;
    for row in &rows {
        assert_eq!(row.ports.len(), KEYS.len(), "{} has a lease per key", row.branch);
        for &port in row.ports.values() {
            if base.iter().any(|(_, p)| *p == port) || owner.insert(port, &row.branch).is_some() {
                shared += 1;
            }
        }
    }
    let slots: HashSet<u32> = rows.iter().map(|r| r.slot).collect();
    let max_slot = rows.iter().map(|r| r.slot).max().unwrap_or(0);
    let max_port = rows.iter().flat_map(|r| r.ports.values().copied()).max().unwrap_or(0);
    let at_preferred = names
        .iter()
        .zip(&rows_by_branch(&rows, names))
        .filter(|(name, slot)| {
            **slot == cfn::ports::scheme::preferred_slot(&root.to_string_lossy(), name, cfg.slots)
        })
        .count();

    let mut sorted = times.clone();
    sorted.sort();
    let mean = total_of(&times) / times.len() as u32;
    let first100 = total_of(&times[..100.min(times.len())]) / 100.min(times.len()) as u32;
    let last100 = total_of(&times[times.len().saturating_sub(100)..]) / 100.min(times.len()) as u32;

    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!("| open state DB + register repository | {} |", ms(open_time));
    println!("| total, {} allocations | {} |", names.len(), ms(total));
    println!("| per allocation, mean | {} |", ms(mean));
    println!("| per allocation, p50 | {} |", ms(percentile(&sorted, 50.0)));
    println!("| per allocation, p99 | {} |", ms(percentile(&sorted, 99.0)));
    println!("| per allocation, max | {} |", ms(*sorted.last().expect("at least one allocation")));
    println!("| mean of the first 100 / last 100 | {} / {} |", ms(first100), ms(last100));
    println!("| distinct slots / highest slot / highest port | {} / {max_slot} / {max_port} |", slots.len());
    println!("| branches on their preferred slot | {at_preferred} |");
    println!("| leased ports | {} |", owner.len() + shared);
    println!("| ports shared (with another branch or a base port) | {shared} |");
    assert_eq!(shared, 0, "the allocator handed out a port twice");
}

/// Each branch's slot, in the order of `names`.
fn rows_by_branch(rows: &[WorktreeRow], names: &[String]) -> Vec<u32> {
    let by_branch: HashMap<&str, u32> = rows.iter().map(|r| (r.branch.as_str(), r.slot)).collect();
    names.iter().map(|n| by_branch[n.as_str()]).collect()
}

/// The seed's offset: the first two hex digits of `sha256(branch + "\n")`.
fn seed_offset(branch: &str) -> u16 {
    let digest = Sha256::digest(format!("{branch}\n").as_bytes());
    u16::from(digest[0])
}

/// `echo "$BRANCH" | sha256sum | cut -c1-2`, run by the shell.
fn seed_offset_by_shell(branch: &str) -> u16 {
    let out = Command::new("sh")
        .args(["-c", r#"echo "$BRANCH" | sha256sum | cut -c1-2"#])
        .env("BRANCH", branch)
        .output()
        .expect("cannot run sh");
    assert!(out.status.success(), "the shell pipeline failed");
    let hex = String::from_utf8(out.stdout).expect("sha256sum prints ASCII");
    u16::from_str_radix(hex.trim(), 16).expect("two hex digits")
}

/// How many of `names` share at least one port with another of them, and how many
/// get the main checkout's own ports (offset 0).
fn seed_collisions(names: &[String]) -> (usize, usize) {
    let mut users: HashMap<u16, Vec<usize>> = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        let offset = seed_offset(name);
        for (_, base) in KEYS {
            users.entry(base + offset).or_default().push(i);
        }
    }
    let colliding: HashSet<usize> = users.values().filter(|v| v.len() > 1).flatten().copied().collect();
    let on_base = names.iter().filter(|n| seed_offset(n) == 0).count();
    (colliding.len(), on_base)
}

/// Probability that `n` branches with uniformly random offsets in 0..256 have no collision.
fn no_collision_probability(n: usize) -> f64 {
    (0..n).map(|i| (1.0 - i as f64 / 256.0).max(0.0)).product()
}

fn seed_formula(names: &[String]) {
    println!("## The seed's formula: offset = first two hex digits of sha256(BRANCH + \"\\n\")\n");
    let samples = ["branch-0", "branch-1", "branch-42", "branch-999", "feature/auth"];
    for name in samples {
        let ours = seed_offset(name);
        let shell = seed_offset_by_shell(name);
        assert_eq!(ours, shell, "seed offset of {name}: computed {ours}, shell {shell}");
    }
    println!("offset checked against `echo \"$BRANCH\" | sha256sum | cut -c1-2` for {}", samples.join(", "));
    println!();
    println!("| branches | seed: branches sharing a port | seed: on the main checkout's ports | P(any collision), uniform offsets | cfn: sharing |");
    println!("|---|---|---|---|---|");
    for n in [10, 20, 50, 100, 256, names.len()] {
        let n = n.min(names.len());
        let (colliding, on_base) = seed_collisions(&names[..n]);
        let p = 1.0 - no_collision_probability(n);
        println!("| {n} | {colliding} | {on_base} | {:.1}% | 0 |", p * 100.0);
    }
    let distinct: HashSet<u16> = names.iter().map(|n| seed_offset(n)).collect();
    println!();
    println!(
        "{} branches use {} distinct seed offsets (of 256); cross-key collisions are impossible there \
         (bases 947 and 2431 apart, offsets < 256), so every collision is two branches with one offset.",
        names.len(),
        distinct.len()
    );
}

/// One allocation (allocate, insert the row and its leases, commit) timed at several registry
/// sizes; each measured row is deleted again outside the timing.
fn registry_size(sizes: &[usize]) {
    const MEASURED: usize = 300;
    println!("## One allocation against the registry's size\n");
    println!("{MEASURED} allocations timed at each size (allocate + insert + commit); each is deleted again");
    println!("outside the timing, so the registry keeps its size. Bind probes included.\n");
    println!("| worktrees registered | leases | mean | p50 | p90 |");
    println!("|---|---|---|---|---|");
    let mut medians = Vec::new();
    for &size in sizes {
        let home = tempfile::tempdir().expect("cannot create a temporary CFN_HOME");
        let root = home.path().join("repo");
        let cfg = ports_config();
        let mut st = State::open(home.path()).expect("cannot open the state database");
        let base: Vec<(String, u16)> = KEYS.iter().map(|(k, p)| (k.to_string(), *p)).collect();
        let tx = st.immediate().expect("cannot begin");
        let repo = state::ensure_repository(&tx, &root, "bench", &base).expect("cannot register");
        tx.commit().expect("cannot commit");
        let add = |st: &mut State, name: &str| -> i64 {
            let tx = st.immediate().expect("cannot begin");
            let alloc = cfn::ports::allocate(&tx, &repo, &cfg, name, &mut cfn::ports::PortHost::Local)
                .expect("allocation failed");
            let path = home.path().join(name);
            let id =
                WorktreeRow::insert(&tx, &new_row(repo.id, name, &path, name, alloc.slot), &alloc.leases)
                    .expect("cannot insert");
            tx.commit().expect("cannot commit");
            id
        };
        for i in 0..size {
            add(&mut st, &format!("registered-{i}"));
        }
        let mut times = Vec::with_capacity(MEASURED);
        for i in 0..MEASURED {
            let start = Instant::now();
            let id = add(&mut st, &format!("measured-{i}"));
            times.push(start.elapsed());
            WorktreeRow::delete(st.conn(), id).expect("cannot delete");
        }
        let leases: i64 =
            st.conn().query_row("SELECT COUNT(*) FROM leases", [], |r| r.get(0)).expect("cannot count");
        assert_eq!(leases as usize, size * KEYS.len(), "the registry kept its size");
        times.sort();
        let mean = total_of(&times) / times.len() as u32;
        let p50 = percentile(&times, 50.0);
        medians.push(p50);
        println!("| {size} | {leases} | {} | {} | {} |", ms(mean), ms(p50), ms(percentile(&times, 90.0)));
    }
    if let (Some(first), Some(second)) = (medians.first(), medians.get(1)) {
        println!();
        println!(
            "median at {} / median at {}: {:.2}",
            sizes[1],
            sizes[0],
            second.as_secs_f64() / first.as_secs_f64()
        );
    }
}

fn total_of(times: &[Duration]) -> Duration {
    times.iter().sum()
}

/// Nearest-rank percentile of sorted durations.
fn percentile(sorted: &[Duration], pct: f64) -> Duration {
    let rank = ((pct / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros >= 10_000.0 {
        format!("{:.1} ms", micros / 1000.0)
    } else if micros >= 1000.0 {
        format!("{:.2} ms", micros / 1000.0)
    } else {
        format!("{micros:.0} µs")
    }
}

/// The registry row of an add, as `cfn worktree add` records it.
fn new_row<'a>(
    repo_id: i64,
    branch: &'a str,
    path: &'a std::path::Path,
    project: &'a str,
    slot: u32,
) -> NewRow<'a> {
    NewRow {
        operation: Operation::Add,
        repo_id,
        branch,
        path,
        project,
        slot,
        owner: "bench",
        created_branch: true,
        created_dir: None,
        engine: None,
        engine_id: "",
    }
}
