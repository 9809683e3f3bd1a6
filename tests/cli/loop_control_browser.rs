//! The portal's page acting on a live loop run in a real headless Chromium: following a run
//! whose product owner is a person shows its agents, the owner waiting; the decision given in
//! the page's form ends the run, and the table turns the owner to `reported` live.

use crate::harness::*;
use crate::loop_resume::background;
use crate::portal::Portal;
use crate::portal_browser::{wait_text, Driver};
use crate::work_loop::summary;
use fantoccini::Locator;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_persons_decision_is_given_on_the_page() {
    let Some(driver) = Driver::start() else { return };
    let sb = Sandbox::new();
    let root = crate::loop_control::repo_with_person_owner(&sb);
    let (portal, _) = Portal::start(&sb, &root, &["--port", "0"]);
    let run = background(
        &sb,
        &root,
        &["loop", "run", "--yes", "--json", "--epic", "x", "--task-id", "b-1", "--max-iterations", "1"],
    );
    let until = Instant::now() + Duration::from_secs(30);
    while portal.get("/api/tasks/b-1/status").1["run"]["status"] != "waiting" {
        assert!(Instant::now() < until, "the run never waited");
        std::thread::sleep(Duration::from_millis(100));
    }
    let client = driver.session().await;
    let result = drive(&client, &portal).await;
    let _ = client.close().await;
    result.unwrap();
    let out = run.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(summary(&out)["status"], "proceed");
    let reason: String = sb
        .db()
        .query_row(
            "SELECT metadata FROM approval_history WHERE task_id = 'b-1' AND agent = 'owner'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(reason.contains("fine by me"), "{reason}");
}

async fn drive(client: &fantoccini::Client, portal: &Portal) -> Result<(), String> {
    let err = |e: fantoccini::error::CmdError| e.to_string();
    client
        .goto(&format!("http://{}/?token={}", portal.addr, portal.token))
        .await
        .map_err(|e| e.to_string())?;
    let row = "#runs tbody tr[data-task=\"b-1\"]";
    wait_text(client, row, |t| t.contains("waiting"), Duration::from_secs(20)).await?;
    client.find(Locator::Css(row)).await.map_err(err)?.click().await.map_err(err)?;
    let owner = "#agents tbody tr[data-agent=\"owner\"]";
    let text = wait_text(client, owner, |t| t.contains("waiting"), Duration::from_secs(20)).await?;
    assert!(text.contains("person"), "{text}");
    let validator = wait_text(
        client,
        "#agents tbody tr[data-agent=\"val-1\"]",
        |t| t.contains("reported"),
        Duration::from_secs(5),
    )
    .await?;
    assert!(validator.contains("0.95"), "{validator}");
    wait_text(client, "#decide button", |t| t == "decide", Duration::from_secs(10)).await?;
    client
        .find(Locator::Id("decide-reason"))
        .await
        .map_err(err)?
        .send_keys("fine by me")
        .await
        .map_err(err)?;
    client.find(Locator::Css("#decide button")).await.map_err(err)?.click().await.map_err(err)?;
    wait_text(client, owner, |t| t.contains("reported"), Duration::from_secs(20)).await?;
    Ok(())
}
