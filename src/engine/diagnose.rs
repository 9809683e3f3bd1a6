//! What to show when a service fails: its last health-check output and its last log lines.

use super::Engine;
use anyhow::Result;
use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptionsBuilder;
use futures_util::StreamExt as _;

/// The output of the most recent health-check probe, if the container has a health check.
pub async fn last_health_output(engine: &Engine, id: &str) -> Result<Option<String>> {
    let inspect = engine.docker.inspect_container(id, None).await?;
    let last =
        inspect.state.and_then(|s| s.health).and_then(|h| h.log).and_then(|log| log.into_iter().last());
    Ok(last.map(|r| {
        let code = r.exit_code.map(|c| format!("exit {c}: ")).unwrap_or_default();
        format!("{code}{}", r.output.unwrap_or_default().trim())
    }))
}

/// The last `n` lines the container wrote to stdout and stderr.
pub async fn last_log_lines(engine: &Engine, id: &str, n: usize) -> Result<Vec<String>> {
    let options = LogsOptionsBuilder::default().stdout(true).stderr(true).tail(&n.to_string()).build();
    let mut stream = engine.docker.logs(id, Some(options));
    let mut text = String::new();
    while let Some(chunk) = stream.next().await {
        match chunk? {
            LogOutput::StdOut { message }
            | LogOutput::StdErr { message }
            | LogOutput::Console { message } => text.push_str(&String::from_utf8_lossy(&message)),
            LogOutput::StdIn { .. } => {}
        }
    }
    Ok(text.lines().map(str::to_string).collect())
}
