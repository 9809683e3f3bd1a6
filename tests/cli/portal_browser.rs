//! The portal's page in a real headless Chromium, driven over WebDriver (chromedriver): two
//! branches' stacks, one up and one down; clicking `up` turns the stopped one healthy on the
//! page, through the socket; a service's logs follow live in their pane; the health checks run
//! from the page; a loop run of scripted agents is followed as it happens.
//! `CFN_UPDATE_DOCS=1` also saves the screenshot docs/portal.md shows.

use crate::harness::*;
use crate::portal::Portal;
use crate::small_stack::SmallStack;
use crate::stack_harness::Cleanup;
use crate::work_loop::{repo_with, Team, PO_PROCEED};
use fantoccini::{ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// chromedriver on a free port, killed on drop.
pub(crate) struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    pub(crate) fn start() -> Option<Driver> {
        let found = Command::new("chromedriver").arg("--version").output().is_ok_and(|o| o.status.success());
        if !require(found, "chromium and chromium-driver (scripts/setup-test.sh)") {
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(Driver { child, port })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A service that prints `tick N` five times a second.
const TICKER: &str = "  ticker:\n    image: cfn-test/app:1\n    healthcheck: {disable: true}\n    \
    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; i=0; while true; do i=$$((i+1)); echo tick $$i; sleep 0.2; done\"]\n";

async fn click(client: &fantoccini::Client, css: &str) -> Result<(), String> {
    let found = client.find(Locator::Css(css)).await.map_err(|e| format!("{css}: {e}"))?;
    found.click().await.map_err(|e| format!("{css}: {e}"))
}

#[tokio::test]
async fn clicking_up_turns_the_stack_healthy_on_the_page() {
    let Some(driver) = Driver::start() else { return };
    let Some(st) = SmallStack::new("portalpage", TICKER) else { return };
    // A second branch, already up: the page shows one branch up and one down.
    let out = st.cfn(&st.root, &["worktree", "add", "other", "--json"]).output().unwrap();
    let added: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let _other_cleanup = Cleanup(vec![added["project"].as_str().unwrap().to_string()]);
    let other = std::path::PathBuf::from(added["path"].as_str().unwrap());
    st.cfn(&other, &["up", "--timeout", "90"]).assert().success();
    let (portal, _stderr) = Portal::start(&st.sb, &st.root, &["--port", "0"]);
    let client = driver.session().await;
    let result = drive(&client, &portal, &st).await;
    let _ = client.close().await;
    result.unwrap();
}

impl Driver {
    /// A WebDriver session in headless Chromium.
    pub(crate) async fn session(&self) -> fantoccini::Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                                     "--disable-dev-shm-usage", "--window-size=1280,720"] }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a WebDriver session in headless Chromium")
    }
}

async fn drive(client: &fantoccini::Client, portal: &Portal, st: &SmallStack) -> Result<(), String> {
    client
        .goto(&format!("http://{}/?token={}", portal.addr, portal.token))
        .await
        .map_err(|e| e.to_string())?;
    let row = format!("tr[data-project=\"{}\"]", st.project);
    let services = format!("{row} td.services");
    // The stack is listed, stopped.
    let text = wait_text(client, &services, |t| t.contains("down"), Duration::from_secs(20)).await?;
    assert!(text.contains("down"), "{text}");
    // The other branch is up and healthy.
    let other = "tr[data-project$=\"-other\"] td.services";
    let text = wait_text(client, other, |t| t.contains("redis: healthy"), Duration::from_secs(20)).await?;
    assert!(text.contains("ticker: running"), "{text}");
    // The port and, beside it, its hostname URL through `cfn proxy`.
    let endpoints = format!("{row} td:nth-child(4)");
    let hostname = "http://redis.feat.portalpage.localhost:7355";
    let text = wait_text(client, &endpoints, |t| t.contains(hostname), Duration::from_secs(20)).await?;
    assert!(text.contains(&format!("redis :{} {hostname}", st.redis_port)), "{text}");
    let url = client.current_url().await.map_err(|e| e.to_string())?;
    assert!(!url.as_str().contains("token"), "the token is taken out of the address bar: {url}");

    // Click `up`: the page shows redis healthy, as the engine reports it.
    click(client, &format!("{row} button[data-action=\"up\"]")).await?;
    let text =
        wait_text(client, &services, |t| t.contains("redis: healthy"), Duration::from_secs(120)).await?;
    assert!(text.contains("redis: healthy"), "{text}");
    assert_eq!(st.running().len(), 2, "the stack runs");

    // Clicking a service opens its logs pane, which follows what it prints.
    click(client, &format!("{services} [data-service=\"ticker\"]")).await?;
    let pane = format!("#logs .log-pane[data-project=\"{}\"][data-service=\"ticker\"] pre", st.project);
    let first = wait_text(client, &pane, |t| t.contains("tick "), Duration::from_secs(20)).await?;
    let last_tick = |t: &str| t.lines().filter_map(|l| l.strip_prefix("tick ")?.parse::<u64>().ok()).max();
    let seen = last_tick(&first).unwrap_or(0);
    let later =
        wait_text(client, &pane, |t| last_tick(t).is_some_and(|n| n >= seen + 5), Duration::from_secs(20))
            .await?;
    assert!(later.contains(&format!("tick {}", seen + 1)), "lines in order, none missed: {later}");

    // The health checks run from the page (none configured), the migrations counted.
    let checks = format!("{row} td.checks");
    wait_text(client, &checks, |t| t.contains("health not run"), Duration::from_secs(20)).await?;
    click(client, &format!("{row} button[data-action=\"health\"]")).await?;
    let text =
        wait_text(client, &checks, |t| t.contains("no health checks"), Duration::from_secs(20)).await?;
    assert!(text.contains("no migrations"), "{text}");
    let status = client.find(Locator::Id("connection")).await.map_err(|e| e.to_string())?;
    assert_eq!(status.text().await.map_err(|e| e.to_string())?, "live");

    if std::env::var_os("CFN_UPDATE_DOCS").is_some() {
        let png = client.screenshot().await.map_err(|e| e.to_string())?;
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/portal.png");
        std::fs::write(path, png).map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[tokio::test]
async fn a_loop_run_is_followed_live_on_the_page() {
    let Some(driver) = Driver::start() else { return };
    let sb = Sandbox::new();
    // Implementers that take a few seconds: the run is followed while it runs.
    let team = Team {
        implementer: "sleep 4; report 0.95",
        validator: "report 0.95",
        po: PO_PROCEED,
        extra_config: "",
    };
    let root = repo_with(&sb, &team);
    let (portal, _stderr) = Portal::start(&sb, &root, &["--port", "0"]);
    let mut run = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"))
        .current_dir(&root)
        .args(["loop", "run", "--yes", "--json", "--epic", "Shown on the page", "--task-id", "page-1"])
        .envs(hermetic_env(&sb.home, sb.path()))
        .env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn"))
        .env_remove("CFN_REDIS_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = driver.session().await;
    let result = follow_run(&client, &portal, &sb).await;
    let _ = client.close().await;
    let status = run.wait().unwrap();
    result.unwrap();
    assert!(status.success(), "the loop run finished: {status}");
}

async fn follow_run(client: &fantoccini::Client, portal: &Portal, sb: &Sandbox) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while sb.count("SELECT COUNT(*) FROM loop_runs WHERE task_id = 'page-1'") == 0 {
        assert!(Instant::now() < deadline, "the run never started");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    client
        .goto(&format!("http://{}/?token={}", portal.addr, portal.token))
        .await
        .map_err(|e| e.to_string())?;
    wait_text(client, "#runs tr[data-task=\"page-1\"]", |t| t.contains("page-1"), Duration::from_secs(20))
        .await?;
    click(client, "#runs tr[data-task=\"page-1\"]").await?;
    // Seen running, then done, with its events arriving as they are recorded.
    let title = wait_text(client, "#run-title", |t| t.contains("page-1:"), Duration::from_secs(20)).await?;
    assert!(title.contains("running"), "followed while it runs: {title}");
    let title = wait_text(client, "#run-title", |t| t.contains("proceed"), Duration::from_secs(60)).await?;
    assert!(title.contains("1 iterations"), "{title}");
    let events =
        wait_text(client, "#run-events", |t| t.contains("decision"), Duration::from_secs(20)).await?;
    for kind in ["spawn", "agent", "gate", "decision"] {
        assert!(events.contains(kind), "{kind} shown: {events}");
    }
    Ok(())
}

/// The text of the element at `css` once `ok` holds for it.
pub(crate) async fn wait_text(
    client: &fantoccini::Client,
    css: &str,
    ok: impl Fn(&str) -> bool,
    within: Duration,
) -> Result<String, String> {
    let deadline = Instant::now() + within;
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(el) = client.find(Locator::Css(css)).await {
            if let Ok(text) = el.text().await {
                if ok(&text) {
                    return Ok(text);
                }
                last = text;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(format!("{css} never matched within {within:?}; last text: {last:?}"))
}
