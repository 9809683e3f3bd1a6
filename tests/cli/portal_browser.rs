//! The portal's page in a real headless Chromium, driven over WebDriver (chromedriver): it lists
//! a branch's stack, and clicking `up` turns it healthy on the page, through the socket.
//! `CFN_UPDATE_DOCS=1` also saves the screenshot docs/portal.md shows.

use crate::harness::*;
use crate::portal::Portal;
use crate::small_stack::SmallStack;
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

#[tokio::test]
async fn clicking_up_turns_the_stack_healthy_on_the_page() {
    let Some(driver) = Driver::start() else { return };
    let Some(st) = SmallStack::new("portalpage", "") else { return };
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
    // The port and, beside it, its hostname URL through `cfn proxy`.
    let endpoints = format!("{row} td:nth-child(4)");
    let hostname = "http://redis.feat.portalpage.localhost:7355";
    let text = wait_text(client, &endpoints, |t| t.contains(hostname), Duration::from_secs(20)).await?;
    assert!(text.contains(&format!("redis :{} {hostname}", st.redis_port)), "{text}");
    let url = client.current_url().await.map_err(|e| e.to_string())?;
    assert!(!url.as_str().contains("token"), "the token is taken out of the address bar: {url}");

    // Click `up`: the page shows redis healthy, as the engine reports it.
    let button = format!("{row} button[data-action=\"up\"]");
    client
        .find(Locator::Css(&button))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    let text =
        wait_text(client, &services, |t| t.contains("redis: healthy"), Duration::from_secs(120)).await?;
    assert!(text.contains("redis: healthy"), "{text}");
    assert_eq!(st.running().len(), 1, "the stack runs");
    let status = client.find(Locator::Id("connection")).await.map_err(|e| e.to_string())?;
    assert_eq!(status.text().await.map_err(|e| e.to_string())?, "live");

    if std::env::var_os("CFN_UPDATE_DOCS").is_some() {
        let png = client.screenshot().await.map_err(|e| e.to_string())?;
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/portal.png");
        std::fs::write(path, png).map_err(|e| e.to_string())?;
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
