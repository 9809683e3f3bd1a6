//! tcp, http, command and sqlite checks, timeouts and `run_all`, without external servers.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::super::{run_all, CheckKind};
use super::{check, closed_port, hanging_server, http_server, run};

const SHORT: Duration = Duration::from_millis(500);

fn argv(args: &[&str]) -> CheckKind {
    CheckKind::Command { argv: args.iter().map(|a| a.to_string()).collect(), cwd: None }
}

#[tokio::test]
async fn tcp_connects_and_reports_a_closed_port() {
    let port = hanging_server().await;
    let ok = run(CheckKind::Tcp { host: "127.0.0.1".into(), port }, SHORT).await;
    assert!(ok.ok, "{ok:?}");
    assert!(ok.message.starts_with(&format!("connected to 127.0.0.1:{port} in ")), "{ok:?}");
    assert_eq!(ok.kind, "tcp");
    let closed = run(CheckKind::Tcp { host: "127.0.0.1".into(), port: closed_port() }, SHORT).await;
    assert!(!closed.ok);
    assert_eq!(closed.message, "connection refused");
}

#[tokio::test]
async fn http_accepts_2xx_or_the_expected_status() {
    let (port, mut requests) = http_server("204 No Content").await;
    let url = format!("http://127.0.0.1:{port}/health?deep=1");
    let ok = run(CheckKind::Http { url: url.clone(), expect_status: None }, SHORT).await;
    assert!(ok.ok && ok.message.starts_with("HTTP 204 No Content in "), "{ok:?}");
    let request = requests.recv().await.unwrap();
    assert!(request.starts_with("GET /health?deep=1 HTTP/1.1\r\n"), "{request}");
    assert!(request.contains(&format!("\r\nHost: 127.0.0.1:{port}\r\n")), "{request}");
    let wrong = run(CheckKind::Http { url, expect_status: Some(200) }, SHORT).await;
    assert!(!wrong.ok);
    assert_eq!(wrong.message, "HTTP 204 No Content (expected 200)");
}

#[tokio::test]
async fn http_500_fails_and_basic_auth_is_sent_but_never_shown() {
    let (port, mut requests) = http_server("500 Internal Server Error").await;
    let url = format!("http://admin:hunter2@127.0.0.1:{port}/");
    let failed = run(CheckKind::Http { url: url.clone(), expect_status: None }, SHORT).await;
    assert!(!failed.ok);
    assert_eq!(failed.message, "HTTP 500 Internal Server Error (expected 2xx)");
    assert!(requests.recv().await.unwrap().contains("\r\nAuthorization: Basic YWRtaW46aHVudGVyMg==\r\n"));
    let accepted = run(CheckKind::Http { url, expect_status: Some(500) }, SHORT).await;
    assert!(accepted.ok, "{accepted:?}");
}

#[tokio::test]
async fn http_reports_closed_ports_https_and_hanging_servers() {
    let closed = format!("http://127.0.0.1:{}/", closed_port());
    let refused = run(CheckKind::Http { url: closed, expect_status: None }, SHORT).await;
    assert_eq!((refused.ok, refused.message.as_str()), (false, "connection refused"));
    let https = run(CheckKind::Http { url: "https://example.com/".into(), expect_status: None }, SHORT).await;
    assert!(!https.ok && https.message.starts_with("https is not supported"), "{https:?}");
    let url = format!("http://127.0.0.1:{}/", hanging_server().await);
    let hung = run(CheckKind::Http { url, expect_status: None }, SHORT).await;
    assert_eq!((hung.ok, hung.message.as_str()), (false, "timed out after 500 ms"));
    assert!(hung.elapsed_ms >= 500, "{hung:?}");
}

#[tokio::test]
async fn redis_and_postgres_give_up_on_a_server_that_never_answers() {
    let port = hanging_server().await;
    let redis = run(CheckKind::Redis { url: format!("redis://:pw@127.0.0.1:{port}") }, SHORT).await;
    assert!(!redis.ok && redis.message.contains("timed out"), "{redis:?}");
    let url = format!("postgres://u:pw@127.0.0.1:{port}/db");
    let postgres = run(CheckKind::Postgres { url }, Duration::from_millis(700)).await;
    assert!(!postgres.ok && postgres.message.contains("time"), "{postgres:?}");
}

#[tokio::test]
async fn commands_run_without_a_shell_and_report_their_exit() {
    assert!(run(argv(&["true"]), SHORT).await.ok);
    let failed = run(argv(&["sh", "-c", "echo first; echo 'no database' >&2; exit 1"]), SHORT).await;
    assert_eq!((failed.ok, failed.message.as_str()), (false, "exit status 1: no database"));
    let quiet = run(argv(&["false"]), SHORT).await;
    assert_eq!(quiet.message, "exit status 1");
    let no_shell = run(argv(&["true && false"]), SHORT).await;
    assert!(!no_shell.ok && no_shell.message.starts_with("cannot run true && false: "), "{no_shell:?}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("marker"), "").unwrap();
    let in_dir = check(argv(&["test", "-f", "marker"]), SHORT).with_cwd(dir.path());
    assert!(super::super::run_check(&in_dir).await.ok);
}

#[tokio::test]
async fn a_command_past_its_timeout_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("marker");
    let script = format!("sleep 1; touch {}", marker.display());
    let result = run(argv(&["sh", "-c", &script]), Duration::from_millis(300)).await;
    assert_eq!((result.ok, result.message.as_str()), (false, "timed out after 300 ms; killed sh"));
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert!(!marker.exists(), "the shell was not killed");
}

#[tokio::test]
async fn sqlite_opens_read_only_and_never_creates_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    let missing = run(CheckKind::Sqlite { path: db.clone() }, SHORT).await;
    assert_eq!(missing.message, format!("{} does not exist", db.display()));
    assert!(!db.exists());
    rusqlite::Connection::open(&db).unwrap().execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
    let ok = run(CheckKind::Sqlite { path: db }, SHORT).await;
    assert!(ok.ok && ok.message.starts_with("SELECT 1 in "), "{ok:?}");
    let junk: PathBuf = dir.path().join("junk.db");
    std::fs::write(&junk, "this is not a database, just text that is long enough".repeat(20)).unwrap();
    let not_db = run(CheckKind::Sqlite { path: junk }, SHORT).await;
    assert!(!not_db.ok && not_db.message.contains("not a database"), "{not_db:?}");
}

#[tokio::test]
async fn run_all_runs_checks_concurrently_in_order() {
    let port = hanging_server().await;
    let hung = |name: &str| {
        let url = format!("http://127.0.0.1:{port}/");
        let mut c = check(CheckKind::Http { url, expect_status: None }, SHORT);
        c.name = name.to_string();
        c
    };
    let mut quick = check(argv(&["true"]), SHORT);
    quick.name = "quick".to_string();
    let started = Instant::now();
    let results = run_all(&[hung("a"), quick, hung("b"), hung("c")]).await;
    assert!(started.elapsed() < Duration::from_millis(1200), "{:?}", started.elapsed());
    let names: Vec<(&str, bool)> = results.iter().map(|r| (r.name.as_str(), r.ok)).collect();
    assert_eq!(names, [("a", false), ("quick", true), ("b", false), ("c", false)]);
    let json = serde_json::to_value(&results[1]).unwrap();
    assert_eq!(json["kind"], "command");
    assert_eq!(json["ok"], true);
}

#[tokio::test]
async fn a_redis_check_on_another_kind_of_server_says_so() {
    // A server that greets first in its own protocol, as SSH and SMTP servers do.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt as _;
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream.write_all(b"SSH-2.0-OpenSSH_9.2p1\r\n").await;
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
    let redis = run(CheckKind::Redis { url: format!("redis://127.0.0.1:{port}") }, SHORT).await;
    assert!(!redis.ok);
    assert_eq!(redis.message, "not a redis server (it answered in another protocol); check the port");
}
