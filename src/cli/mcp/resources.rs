//! The resources: each served branch's rendered env file (`cfn://env/<branch>`) and its
//! compose configuration as compose resolves it (`cfn://compose/<branch>`).

use super::outcome::off_the_loop;
use super::server::CfnServer;
use anyhow::Result;
use rmcp::model::{ListResourcesResult, ReadResourceResult, Resource, ResourceContents};
use rmcp::ErrorData;

const ENV_PREFIX: &str = "cfn://env/";
const COMPOSE_PREFIX: &str = "cfn://compose/";

pub async fn list(server: &CfnServer) -> Result<ListResourcesResult, ErrorData> {
    let (scope, ctx) = (server.scope.clone(), server.ctx.clone());
    let branches = off_the_loop(move || async move {
        let (ws, own) = scope.target(&ctx, None)?.open()?;
        if !scope.is_repo() {
            return Ok(vec![own.branch]);
        }
        Ok(ws.all_envs()?.into_iter().filter(|e| e.path.is_dir()).map(|e| e.branch).collect())
    })
    .await
    .map_err(|e| ErrorData::internal_error(message(&e), None))?;
    let mut resources = Vec::new();
    for b in branches {
        resources.push(
            Resource::new(format!("{ENV_PREFIX}{b}"), format!("env {b}"))
                .with_description(format!("The rendered env file of branch {b} (.cfn/env)"))
                .with_mime_type("text/plain"),
        );
        resources.push(
            Resource::new(format!("{COMPOSE_PREFIX}{b}"), format!("compose {b}"))
                .with_description(format!("The compose configuration of branch {b}, as compose resolves it"))
                .with_mime_type("application/yaml"),
        );
    }
    Ok(ListResourcesResult::with_all_items(resources))
}

pub async fn read(server: &CfnServer, uri: String) -> Result<ReadResourceResult, ErrorData> {
    let (scope, ctx) = (server.scope.clone(), server.ctx.clone());
    let (kind, branch) = if let Some(b) = uri.strip_prefix(ENV_PREFIX) {
        (Kind::Env, b.to_string())
    } else if let Some(b) = uri.strip_prefix(COMPOSE_PREFIX) {
        (Kind::Compose, b.to_string())
    } else {
        return Err(ErrorData::resource_not_found(
            format!("no resource {uri}; the resources are {ENV_PREFIX}<branch> and {COMPOSE_PREFIX}<branch>"),
            None,
        ));
    };
    let text = off_the_loop(move || async move {
        let target = scope.target(&ctx, Some(&branch))?;
        let (ws, env) = target.open()?;
        let files = crate::branch::files::render(&ws, &env)?;
        match kind {
            Kind::Env => Ok::<_, anyhow::Error>(std::fs::read_to_string(&files.env_file)?),
            Kind::Compose => {
                let tool = crate::compose::runner::detect()?;
                tool.command(&files.project(&env.project), ["config"]).cwd(&env.path).read()
            }
        }
    })
    .await
    .map_err(|e| ErrorData::resource_not_found(message(&e), None))?;
    let mime = match kind {
        Kind::Env => "text/plain",
        Kind::Compose => "application/yaml",
    };
    Ok(ReadResourceResult::new(vec![ResourceContents::text(text, uri).with_mime_type(mime)]))
}

#[derive(Clone, Copy)]
enum Kind {
    Env,
    Compose,
}

/// The error as the CLI prints it: `error: …` and `hint: …` lines.
fn message(err: &anyhow::Error) -> String {
    crate::error::report(err).1.join("\n")
}
